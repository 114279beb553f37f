"""Articles of a brand's knowledge base and their translations (one per language)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lagniappe.core.languages import Language
from lagniappe.core.models import StoredFileFacts, TimestampedModel, random_storage_name


class BrandOwned(models.Model):
    """The brand a help-centre record belongs to (searches, visits, synonyms, vocabularies).

    Not shown in reverse on Brand (related_name "+"): these are read per brand, never from it.
    """

    brand = models.ForeignKey(
        "tenancy.Brand", verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        abstract = True


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
    # Same brand only: enforced by services.article_relate, not by the database.
    related = models.ManyToManyField(
        "self", verbose_name=_("related articles"), blank=True, symmetrical=True
    )

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
    # Who wrote the current words (the previous ones, with their authors, are ArticleVersions).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

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


class ArticleVersion(models.Model):
    """A translation's words as they were before a save replaced them: who wrote them, when."""

    translation = models.ForeignKey(
        ArticleTranslation,
        verbose_name=_("translation"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=300)
    body_html = models.TextField(_("body (HTML)"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written at"))

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["translation_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["translation", "version"], name="knowledge_version_translation_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class ArticleFeedback(models.Model):
    """ "Did this help?" from a portal visitor. No personal data: the session is a keyed hash."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="feedback"
    )
    translation = models.ForeignKey(
        ArticleTranslation,
        verbose_name=_("translation"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    helpful = models.BooleanField(_("helpful"))
    reason = models.TextField(_("reason"), max_length=1000, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    session_hash = models.CharField(_("session (hashed)"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), db_index=True)

    class Meta:
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["article", "helpful"], name="kb_feedback_article")]

    def __str__(self) -> str:
        return f"{self.article_id}: {'+' if self.helpful else '-'}"


class SearchLog(BrandOwned):
    """One search on a brand's help centre, and the result the visitor opened from it (if any)."""

    language = models.CharField(_("language"), max_length=8, blank=True)
    query = models.CharField(_("query"), max_length=300)
    # The analyzer's terms, sorted and joined: "Refunds?" and "refund" group together.
    normalised_query = models.CharField(_("normalised query"), max_length=300, blank=True)
    result_count = models.PositiveIntegerField(_("results"))
    clicked_article = models.ForeignKey(
        Article,
        verbose_name=_("clicked article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), db_index=True)

    class Meta:
        verbose_name = _("search log entry")
        verbose_name_plural = _("search log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["brand", "created_at"], name="kb_searchlog_brand_time")]

    def __str__(self) -> str:
        return self.query


class PortalVisit(BrandOwned):
    """One visitor session on a brand's help centre: enough to count deflection, nothing more.

    A session that read an article and never asked for a person was (approximately) deflected.
    """

    session_hash = models.CharField(_("session (hashed)"), max_length=64)
    article_views = models.PositiveIntegerField(_("article views"), default=0)
    contacted = models.BooleanField(_("asked for a person"), default=False)
    started_at = models.DateTimeField(_("started"), db_index=True)

    class Meta:
        verbose_name = _("help centre visit")
        verbose_name_plural = _("help centre visits")
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "session_hash"], name="kb_portalvisit_brand_session"
            )
        ]

    def __str__(self) -> str:
        return f"{self.brand_id}:{self.session_hash[:8]}"


class SynonymGroup(BrandOwned):
    """Words a brand's customers use for the same thing ("refund", "reimbursement").

    Applied when searching, not when indexing: a query holding one of the terms also searches
    for the others, so editing a group takes effect at once and needs no re-index.
    """

    # Queries analysed as this language use the group (zh-Hant and zh-Hans share groups).
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    # One term per line (a term may be several words); see services.synonym_group_save.
    terms = models.TextField(
        _("terms"), help_text=_("One word or phrase per line, each meaning the same thing.")
    )
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")
        ordering = ["brand_id", "language", "id"]
        indexes = [models.Index(fields=["brand", "language"], name="kb_synonym_brand_lang")]

    def __str__(self) -> str:
        return ", ".join(self.terms.split("\n")[:4])


class SearchVocabulary(BrandOwned):
    """The Latin-script words of a brand's articles in one analyzer family (en, id, ...):
    what a misspelt query word is corrected against. `version` is a new random stamp at every
    change, so a process can keep the words in memory and know when to reload them."""

    family = models.CharField(_("language family"), max_length=8)
    version = models.PositiveBigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("search vocabulary")
        verbose_name_plural = _("search vocabularies")
        constraints = [
            models.UniqueConstraint(fields=["brand", "family"], name="kb_vocabulary_brand_family")
        ]

    def __str__(self) -> str:
        return f"{self.brand_id}:{self.family}"


class SearchWord(models.Model):
    """One folded word of a vocabulary and in how many translations it is written."""

    vocabulary = models.ForeignKey(
        SearchVocabulary,
        verbose_name=_("vocabulary"),
        on_delete=models.CASCADE,
        related_name="words",
    )
    word = models.CharField(_("word"), max_length=64)
    # The analyzer's index term of the word (its stem in en and id).
    term = models.CharField(_("term"), max_length=64)
    documents = models.PositiveIntegerField(_("translations"), default=0)

    class Meta:
        verbose_name = _("search vocabulary word")
        verbose_name_plural = _("search vocabulary words")
        constraints = [
            models.UniqueConstraint(fields=["vocabulary", "word"], name="kb_searchword_word")
        ]

    def __str__(self) -> str:
        return self.word


def article_file_storage_path(instance: ArticleAttachment, filename: str) -> str:
    return random_storage_name("knowledge", filename)


class ArticleAttachment(StoredFileFacts):
    """An image or file an editor attached to an article (shown to agents as a download)."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=article_file_storage_path, max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"))

    class Meta:
        verbose_name = _("article attachment")
        verbose_name_plural = _("article attachments")
        ordering = ["article_id", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename


class TranslationVector(models.Model):
    """The meaning of one translation as a sentence vector (engines/textsearch/semantic.py).

    Computed after the translation is saved, by the worker (a vector costs ≈ 0.1 s): until
    then, and whenever `version` or `model` no longer match, the translation is found by its
    words alone. `brand` and `language` repeat the translation's so that a process can load
    one brand's vectors in one indexed read.
    """

    translation = models.OneToOneField(
        ArticleTranslation,
        verbose_name=_("translation"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="vector",
    )
    brand = models.ForeignKey(
        "tenancy.Brand", verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+"
    )
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    # The translation's version the vector was computed from, and by which model.
    version = models.PositiveIntegerField(_("version"))
    model = models.CharField(_("model"), max_length=64)
    vector = models.BinaryField(_("vector"))
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("translation vector")
        verbose_name_plural = _("translation vectors")
        indexes = [models.Index(fields=["brand", "computed_at"], name="kb_vector_brand_computed")]

    def __str__(self) -> str:
        return f"{self.translation_id} ({self.model})"


class VectorSetVersion(BrandOwned):
    """A new random stamp each time a brand's vectors are written: a process keeps the
    brand's vectors in memory and reads this one row to know whether they are current."""

    version = models.PositiveBigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("vector set version")
        verbose_name_plural = _("vector set versions")
        constraints = [models.UniqueConstraint(fields=["brand"], name="kb_vectorset_brand")]

    def __str__(self) -> str:
        return f"{self.brand_id}:{self.version}"
