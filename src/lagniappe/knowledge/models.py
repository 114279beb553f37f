"""Articles of a brand's knowledge base and their translations (one per language)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lagniappe.core.languages import Language
from lagniappe.core.models import TimestampedModel


class Article(TimestampedModel):
    """What an article is about and who may read it; its words live in translations."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        INTERNAL = "internal", _("Internal (agents only)")

    brand = models.ForeignKey(
        "tenancy.Brand", verbose_name=_("brand"), on_delete=models.CASCADE, related_name="articles"
    )
    slug = models.SlugField(_("slug"), max_length=120, allow_unicode=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["brand_id", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "slug"], name="knowledge_article_brand_slug")
        ]
        indexes = [models.Index(fields=["brand", "status", "visibility"])]

    def __str__(self) -> str:
        return self.slug


class ArticleTranslation(models.Model):
    """The article in one language. body_html is sanitised; body_text is what search reads."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="translations"
    )
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    title = models.CharField(_("title"), max_length=300)
    body_html = models.TextField(_("body (HTML)"), blank=True)
    body_text = models.TextField(_("body (text)"), blank=True)
    updated_at = models.DateTimeField(_("updated"))
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("article translation")
        verbose_name_plural = _("article translations")
        ordering = ["article_id", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "language"], name="knowledge_translation_article_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"
