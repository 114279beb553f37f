"""The knowledge base in the admin. Words are saved through services.translation_save, so the
sanitising, the versions and the search index stay right whatever page edits them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lagniappe.core.admin import OrganisationScopedAdmin, admin_actor
from lagniappe.knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleTranslation,
    ArticleVersion,
    SearchLog,
    SynonymGroup,
    TranslationVector,
    VectorSetVersion,
)
from lagniappe.knowledge.services import (
    MAX_SYNONYM_TERMS,
    article_publish,
    article_relate,
    synonym_group_save,
    synonym_terms_clean,
    translation_save,
)


class _ReadOnlyAdmin(OrganisationScopedAdmin):
    """Records of what happened (versions, feedback, searches): shown, never edited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TranslationInline(admin.StackedInline):
    model = ArticleTranslation
    extra = 0
    can_delete = False  # removing a language would leave its index row behind
    fields = ("language", "title", "body_html", "version", "updated_at", "author")
    readonly_fields = ("version", "updated_at", "author")


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ("brand", "slug", "category", "visibility", "related")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        brand = cleaned.get("brand") or getattr(self.instance, "brand", None)
        related = cleaned.get("related") or []
        if brand is not None and any(other.brand_id != brand.pk for other in related):
            self.add_error("related", _("Related articles must belong to the same brand."))
        return cleaned


def _save_translation(request: HttpRequest, article: Article, data: dict[str, Any]) -> None:
    translation_save(
        actor=admin_actor(request),
        article=article,
        language=str(data["language"]),
        title=str(data["title"]),
        body_html=str(data.get("body_html") or ""),
    )


@admin.register(Article)
class ArticleAdmin(OrganisationScopedAdmin):
    organisation_path = "brand__organisation"
    form = ArticleAdminForm
    inlines = (TranslationInline,)
    list_display = ("slug", "brand", "category", "status", "visibility", "updated_at")
    list_filter = ("status", "visibility", "brand")
    search_fields = ("slug", "category", "translations__title")
    readonly_fields = ("status", "published_at")
    filter_horizontal = ("related",)
    actions = ("publish",)

    @admin.action(description=_("Publish the selected articles"))
    def publish(self, request: HttpRequest, queryset: models.QuerySet[Article]) -> None:
        for article in queryset:
            article_publish(actor=admin_actor(request), article=article)

    def save_related(
        self, request: HttpRequest, form: ModelForm[Any], formsets: Any, change: bool
    ) -> None:
        # Not form.save_m2m(): related articles go through the service that checks the brand.
        for formset in formsets:
            self.save_formset(request, form, formset, change)
        related = list(form.cleaned_data.get("related") or [])
        article_relate(actor=admin_actor(request), article=form.instance, related=related)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not ArticleTranslation:
            super().save_formset(request, form, formset, change)
            return
        for item in formset.forms:
            if item.has_changed() and item.cleaned_data:
                _save_translation(request, form.instance, item.cleaned_data)
        # The admin's change message reads what a formset.save() would have recorded.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


@admin.register(ArticleTranslation)
class ArticleTranslationAdmin(OrganisationScopedAdmin):
    organisation_path = "article__brand__organisation"
    list_display = ("title", "article", "language", "version", "updated_at")
    list_filter = ("language",)
    search_fields = ("title", "article__slug")
    fields = ("article", "language", "title", "body_html", "version", "updated_at", "author")
    readonly_fields = ("version", "updated_at", "author")
    raw_id_fields = ("article",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        # The service writes, versions, indexes and audits; the instance is reloaded for the page.
        _save_translation(request, form.cleaned_data["article"], form.cleaned_data)
        saved = ArticleTranslation.objects.get(
            article=form.cleaned_data["article"], language=obj.language
        )
        obj.pk, obj.version, obj.updated_at = saved.pk, saved.version, saved.updated_at


@admin.register(ArticleVersion)
class ArticleVersionAdmin(_ReadOnlyAdmin):
    organisation_path = "translation__article__brand__organisation"
    list_display = ("title", "translation", "version", "author", "created_at")
    list_select_related = ("translation", "author")


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(_ReadOnlyAdmin):
    organisation_path = "article__brand__organisation"
    list_display = ("article", "helpful", "language", "reason", "created_at")
    list_filter = ("helpful", "language")
    list_select_related = ("article",)


@admin.register(SearchLog)
class SearchLogAdmin(_ReadOnlyAdmin):
    organisation_path = "brand__organisation"
    list_display = ("query", "brand", "language", "result_count", "clicked_article", "created_at")
    list_filter = ("language", "brand")
    search_fields = ("query", "normalised_query")


@admin.register(TranslationVector)
class TranslationVectorAdmin(_ReadOnlyAdmin):
    """Which translations have a current meaning vector (the vector itself is not shown)."""

    organisation_path = "brand__organisation"
    list_display = ("translation", "brand", "language", "version", "model", "computed_at")
    list_filter = ("language", "model")
    list_select_related = ("translation", "brand")
    exclude = ("vector",)


@admin.register(VectorSetVersion)
class VectorSetVersionAdmin(_ReadOnlyAdmin):
    organisation_path = "brand__organisation"
    list_display = ("brand", "version")


class SynonymGroupForm(forms.ModelForm):
    class Meta:
        model = SynonymGroup
        fields = ("brand", "language", "terms")

    def clean_terms(self) -> str:
        members = synonym_terms_clean(str(self.cleaned_data.get("terms") or ""))
        if len(members) < 2:
            raise forms.ValidationError(_("A synonym group needs at least two terms."))
        if len(members) > MAX_SYNONYM_TERMS:
            raise forms.ValidationError(_("Too many terms."))
        return "\n".join(members)


@admin.register(SynonymGroup)
class SynonymGroupAdmin(OrganisationScopedAdmin):
    """Per brand and language: words searched as one ("refund" / "reimbursement")."""

    organisation_path = "brand__organisation"
    form = SynonymGroupForm
    list_display = ("__str__", "brand", "language", "updated_at")
    list_filter = ("language", "brand")
    search_fields = ("terms",)

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        # The service writes and audits (the form has already refused a group of one).
        saved = synonym_group_save(
            actor=admin_actor(request),
            brand=form.cleaned_data["brand"],
            language=str(form.cleaned_data["language"]),
            terms=str(form.cleaned_data["terms"]),
            group=SynonymGroup.objects.get(pk=obj.pk) if change else None,
        )
        obj.pk, obj.terms, obj.updated_at = saved.pk, saved.terms, saved.updated_at
