"""Endpoints, and the raw record of what came in and went out, for administrators.

Raw input is evidence: shown as escaped text, never edited or deleted here. A failed envelope
is replayed through the audited service, not by changing its status by hand.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import Length
from django.forms import ModelForm
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat, truncatechars
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lagniappe.channels.inbound import envelope_replay
from lagniappe.channels.models import (
    Endpoint,
    EnvelopeStatus,
    InboundEnvelope,
    OutboundDelivery,
)
from lagniappe.channels.selectors import endpoint_cache_clear
from lagniappe.channels.services import endpoint_create
from lagniappe.core.admin import OrganisationScopedAdmin, admin_actor
from lagniappe.core.redaction import secrets_masked, secrets_restored

RAW_SHOWN_BYTES = 200 * 1024


class EndpointAdminForm(forms.ModelForm):
    """The settings JSON with its secrets masked; a mask sent back keeps the stored secret."""

    class Meta:
        model = Endpoint
        fields = (
            "brand",
            "kind",
            "name",
            "default_language",
            "default_team",
            "settings",
            "is_active",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and "settings" in self.fields:
            self.initial["settings"] = secrets_masked(self.instance.settings)

    def clean_settings(self) -> Any:
        return secrets_restored(self.cleaned_data["settings"], self.instance.settings)


@admin.register(Endpoint)
class EndpointAdmin(OrganisationScopedAdmin):
    form = EndpointAdminForm
    organisation_path = "brand__organisation"
    list_display = ("name", "kind", "brand", "public_key", "secret_prefix", "is_active")
    list_filter = ("kind", "brand", "is_active")
    search_fields = ("name", "public_key", "secret_prefix")
    list_select_related = ("brand",)
    # The digest never leaves the database; the prefix is enough to tell keys apart.
    exclude = ("secret_digest",)
    readonly_fields = ("public_key", "secret_prefix", "created_at", "updated_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "kind", "brand") if obj is not None else fields

    def save_model(
        self, request: HttpRequest, obj: Endpoint, form: ModelForm[Endpoint], change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            endpoint_cache_clear()
            return
        # Created by the service, so the public key is random and the creation audited.
        created = endpoint_create(
            actor=admin_actor(request),
            brand=obj.brand,
            kind=obj.kind,
            name=obj.name,
            default_language=obj.default_language,
            settings=obj.settings,
        )
        obj.pk = created.pk
        obj.public_key = created.public_key
        obj.created_at = created.created_at
        obj.save(update_fields=["default_team", "is_active", "updated_at"])


class FailedFirst(admin.SimpleListFilter):
    """Envelope status, with the failed ones (those needing a person) offered first."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        order = (EnvelopeStatus.FAILED, EnvelopeStatus.RECEIVED, EnvelopeStatus.PROCESSED)
        return [(status.value, status.label) for status in order]

    def queryset(
        self, request: HttpRequest, queryset: models.QuerySet[InboundEnvelope]
    ) -> models.QuerySet[InboundEnvelope]:
        value = self.value()
        return queryset.filter(status=value) if value else queryset


@admin.register(InboundEnvelope)
class InboundEnvelopeAdmin(OrganisationScopedAdmin):
    organisation_path = "endpoint__brand__organisation"
    list_display = (
        "id",
        "received_at",
        "kind",
        "endpoint",
        "status",
        "attempts",
        "short_error",
        "processed_at",
        "size",
    )
    list_filter = (FailedFirst, "kind", "endpoint__brand")
    search_fields = ("error", "remote_addr")
    list_select_related = ("endpoint",)
    date_hierarchy = "received_at"
    show_full_result_count = False
    fields = (
        "endpoint",
        "kind",
        "status",
        "attempts",
        "error",
        "received_at",
        "processed_at",
        "content_type",
        "remote_addr",
        "message_ids",
        "size",
        "raw_text",
    )
    readonly_fields = fields
    actions = ("replay",)

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[InboundEnvelope]:
        return super().get_queryset(request).defer("raw").annotate(raw_size=Length("raw"))

    def get_ordering(self, request: HttpRequest) -> list[Any]:
        # Failed envelopes sort first: they are the ones an administrator is here for.
        needs_attention = Case(
            When(status=EnvelopeStatus.FAILED, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return [needs_attention.asc(), "-received_at", "-id"]

    @admin.display(description=_("error"))
    def short_error(self, envelope: InboundEnvelope) -> str:
        return truncatechars(envelope.error, 100)

    @admin.display(description=_("size"), ordering="raw_size")
    def size(self, envelope: InboundEnvelope) -> str:
        return filesizeformat(getattr(envelope, "raw_size", None) or 0)

    @admin.display(description=_("raw input"))
    def raw_text(self, envelope: InboundEnvelope) -> SafeString:
        raw = bytes(envelope.raw)
        text = raw[:RAW_SHOWN_BYTES].decode("utf-8", errors="replace")
        note = ""
        if len(raw) > RAW_SHOWN_BYTES:
            note = _("Only the first %(shown)s of %(size)s are shown.") % {
                "shown": filesizeformat(RAW_SHOWN_BYTES),
                "size": filesizeformat(len(raw)),
            }
        # format_html escapes the text: raw input is shown, never interpreted.
        return format_html(
            '<p>{}</p><pre style="white-space: pre-wrap; max-height: 40em; overflow: auto">'
            "{}</pre>",
            note,
            text,
        )

    @admin.action(description=_("Replay selected envelopes"), permissions=["replay"])
    def replay(self, request: HttpRequest, queryset: models.QuerySet[InboundEnvelope]) -> None:
        actor = admin_actor(request)
        replayed = skipped = 0
        for envelope in queryset.select_related("endpoint"):
            if envelope.status == EnvelopeStatus.PROCESSED:
                skipped += 1
                continue
            envelope_replay(actor=actor, envelope=envelope)
            replayed += 1
        if replayed:
            self.message_user(
                request,
                ngettext(
                    "%(count)d envelope was queued to be processed again.",
                    "%(count)d envelopes were queued to be processed again.",
                    replayed,
                )
                % {"count": replayed},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d envelope was already processed and was left alone.",
                    "%(count)d envelopes were already processed and were left alone.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    def has_replay_permission(self, request: HttpRequest) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutboundDelivery)
class OutboundDeliveryAdmin(OrganisationScopedAdmin):
    organisation_path = "brand__organisation"
    list_display = (
        "id",
        "message",
        "kind",
        "endpoint",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "short_error",
    )
    list_filter = ("status", "kind", "brand")
    search_fields = ("external_id", "last_error")
    list_select_related = ("message", "endpoint")
    raw_id_fields = ("message", "endpoint")
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.display(description=_("last error"))
    def short_error(self, delivery: OutboundDelivery) -> str:
        return truncatechars(delivery.last_error, 100)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
