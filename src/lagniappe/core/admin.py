"""The audit trail in the admin, and the organisation scoping every Lagniappe admin uses."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.forms import ModelForm
from django.http import HttpRequest

from lagniappe.core.actors import Actor
from lagniappe.core.models import AuditEvent
from lagniappe.core.redaction import secrets_masked
from lagniappe.core.services import audit_record

# Never copied into the audit trail, even as "changed".
_SECRET_FIELDS = frozenset({"password", "secret_digest", "digest"})


def admin_actor(request: HttpRequest) -> Actor:
    """The signed-in staff member, as services and the audit trail name them."""
    assert request.user.pk is not None
    return Actor.agent(int(request.user.pk), str(request.user))


def _organisation_id(request: HttpRequest) -> int | None:
    return getattr(request.user, "organisation_id", None)


def organisation_filter(
    queryset: models.QuerySet[Any], request: HttpRequest, path: str
) -> models.QuerySet[Any]:
    """Superusers see every record; other staff only those of their own organisation."""
    if request.user.is_superuser:
        return queryset
    organisation_id = _organisation_id(request)
    if organisation_id is None:
        return queryset.none()
    return queryset.filter(**{path: organisation_id})


def _related_path(model: type[models.Model]) -> str | None:
    """How a related model reaches its organisation, for the choices offered in forms."""
    names = {field.name for field in model._meta.get_fields()}
    if model._meta.label == "tenancy.Organisation":
        return "pk"
    if "organisation" in names:
        return "organisation"
    if "brand" in names:
        return "brand__organisation"
    return None


def _audit_value(value: Any) -> Any:
    """A form value as the JSON audit trail can hold it: records by id, secrets masked,
    others as text."""
    if isinstance(value, dict):
        return secrets_masked(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple | set):
        return sorted(_audit_value(item) for item in value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _audit_brand_id(obj: models.Model) -> int | None:
    brand_id = getattr(obj, "brand_id", None)
    if brand_id is None and obj._meta.label == "tenancy.Brand":
        brand_id = obj.pk
    return brand_id if isinstance(brand_id, int) else None


class OrganisationScopedAdmin(admin.ModelAdmin):
    """Lists, pages and form choices limited to the staff member's organisation, and every
    save or deletion made here written to the audit trail (who, what, before, after).

    `organisation_path` is the lookup from the model to its organisation's id.
    """

    organisation_path = "organisation"

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        changed = [name for name in form.changed_data if name not in _SECRET_FIELDS]
        before = {name: _audit_value(form.initial.get(name)) for name in changed} if change else {}
        super().save_model(request, obj, form, change)
        audit_record(
            actor=admin_actor(request),
            action=f"admin.{'change' if change else 'add'}",
            object_type=obj._meta.model_name,
            object_id=obj.pk,
            brand_id=_audit_brand_id(obj),
            before=before,
            after={name: _audit_value(form.cleaned_data.get(name)) for name in changed},
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._deletion_audit(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        for obj in queryset:
            self._deletion_audit(request, obj)
        super().delete_queryset(request, queryset)

    def _deletion_audit(self, request: HttpRequest, obj: Any) -> None:
        audit_record(
            actor=admin_actor(request),
            action="admin.delete",
            object_type=obj._meta.model_name,
            object_id=obj.pk,
            brand_id=_audit_brand_id(obj),
            before={"repr": str(obj)[:200]},
        )

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        return organisation_filter(super().get_queryset(request), request, self.organisation_path)

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return self._scoped_choices(field, db_field, request)

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return self._scoped_choices(field, db_field, request)

    def _scoped_choices(
        self, field: Any, db_field: models.Field[Any, Any], request: HttpRequest
    ) -> Any:
        related = db_field.related_model
        queryset = getattr(field, "queryset", None)
        if queryset is None or not isinstance(related, type):
            return field
        path = _related_path(related)
        if path is not None:
            field.queryset = organisation_filter(queryset, request, path)
        return field


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "actor_label", "action", "object_type", "object_id")
    list_filter = ("action", "object_type", "actor_kind")
    search_fields = ("actor_label", "object_id", "action")
    date_hierarchy = "occurred_at"

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[AuditEvent]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        # The trail names brands by id only; other staff see their organisation's brands' events.
        organisation = getattr(request.user, "organisation", None)
        if organisation is None:
            return queryset.none()
        return queryset.filter(brand_id__in=organisation.brands.values("pk"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
