"""Reads of the workspace's knowledge editor: the article list of one brand with its filters,
one article with its languages, versions and files. Every read is scoped to the viewer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Max, Prefetch, QuerySet

from lagniappe.core.languages import Language, language_normalise
from lagniappe.knowledge.models import (
    Article,
    ArticleAttachment,
    ArticleTranslation,
    ArticleVersion,
)
from lagniappe.knowledge.selectors import article_search
from lagniappe.tenancy.models import Brand
from lagniappe.tenancy.scoping import ViewerScope

MAX_LIST = 200
MAX_SEARCH_HITS = 50


@dataclass(frozen=True)
class EditorFilters:
    """What the article list is narrowed to ("" or None: no narrowing)."""

    category: str = ""
    language: str = ""
    status: str = ""
    internal: bool | None = None
    query: str = ""


@dataclass(frozen=True)
class LanguagePresence:
    language: str
    translation_id: int | None  # None: not written in this language yet


@dataclass(frozen=True)
class EditorArticleRow:
    article_id: int
    slug: str
    title: str
    title_language: str  # the language the title is shown in
    category: str
    published: bool
    internal: bool
    languages: tuple[LanguagePresence, ...]  # the five, in Language order
    updated_at: datetime


def brand_scope(scope: ViewerScope, brand_id: int) -> ViewerScope:
    """The viewer narrowed to one of their brands (an empty scope for any other brand)."""
    return ViewerScope(
        organisation_id=scope.organisation_id,
        brand_ids=scope.brand_ids & frozenset({brand_id}),
        agent_id=scope.agent_id,
        role=scope.role,
    )


def editor_brands(scope: ViewerScope) -> list[Brand]:
    return list(Brand.objects.filter(pk__in=scope.brand_ids).order_by("name"))


def editor_categories(scope: ViewerScope, brand_id: int) -> list[str]:
    return list(
        Article.objects.filter(brand_id=brand_id, brand_id__in=scope.brand_ids)
        .exclude(category="")
        .order_by("category")
        .values_list("category", flat=True)
        .distinct()
    )


def title_in(
    translations: list[ArticleTranslation], preferred: str, fallback: str
) -> tuple[str, str]:
    """(language, title): in the reader's language, else the brand's, else the first written;
    ("", "") for an article with no words yet."""
    by_language = {translation.language: translation.title for translation in translations}
    for code in (preferred, fallback):
        if code in by_language:
            return code, by_language[code]
    return (translations[0].language, translations[0].title) if translations else ("", "")


def _translations_prefetch() -> Prefetch[Any]:
    return Prefetch(
        "translations",
        queryset=ArticleTranslation.objects.only(
            "id", "article_id", "language", "title", "updated_at"
        ).order_by("language"),
    )


def editor_article_list(
    scope: ViewerScope, brand: Brand, filters: EditorFilters, preferred_language: str = ""
) -> list[EditorArticleRow]:
    """The brand's articles (drafts and internal ones too), newest words first; with a query,
    best match first through the help centre's own search. Three queries (four searching)."""
    if not scope.can_see_brand(brand.pk):
        return []
    articles: QuerySet[Article] = Article.objects.filter(brand_id=brand.pk)
    if filters.category:
        articles = articles.filter(category=filters.category)
    if filters.status in Article.Status.values:
        articles = articles.filter(status=filters.status)
    if filters.internal is not None:
        articles = articles.filter(
            visibility=Article.Visibility.INTERNAL
            if filters.internal
            else Article.Visibility.PUBLIC
        )
    language = language_normalise(filters.language)
    if language:
        articles = articles.filter(translations__language=language)
    ranking: dict[int, int] = {}
    if filters.query.strip():
        hits = article_search(
            brand_scope(scope, brand.pk), filters.query, language or None, MAX_SEARCH_HITS
        )
        ranking = {hit.article_id: rank for rank, hit in enumerate(hits)}
        articles = articles.filter(pk__in=list(ranking))
    found = list(
        articles.annotate(last_written=Max("translations__updated_at"))
        .prefetch_related(_translations_prefetch())
        .order_by("-updated_at", "-id")[:MAX_LIST]
    )
    rows = [_row(article, preferred_language, brand.default_language) for article in found]
    if ranking:
        rows.sort(key=lambda row: ranking[row.article_id])
    else:
        rows.sort(key=lambda row: (row.updated_at, row.article_id), reverse=True)
    return rows


def _row(article: Article, preferred: str, fallback: str) -> EditorArticleRow:
    translations = list(article.translations.all())
    present = {translation.language: translation.pk for translation in translations}
    last_written = getattr(article, "last_written", None)
    language, title = title_in(translations, preferred, fallback)
    return EditorArticleRow(
        article_id=article.pk,
        slug=article.slug,
        title=title or article.slug,
        title_language=language or fallback or "en",
        category=article.category,
        published=article.status == Article.Status.PUBLISHED,
        internal=article.visibility == Article.Visibility.INTERNAL,
        languages=tuple(LanguagePresence(code, present.get(code)) for code in Language.values),
        updated_at=max(filter(None, (article.updated_at, last_written))),
    )


@dataclass(frozen=True)
class RelatedChoice:
    article_id: int
    title: str


@dataclass(frozen=True)
class EditorArticle:
    article: Article
    translations: dict[str, ArticleTranslation]  # by language, authors loaded
    related_ids: frozenset[int]
    related_choices: tuple[RelatedChoice, ...]  # the brand's other articles
    attachments: tuple[ArticleAttachment, ...]

    @property
    def missing_languages(self) -> tuple[str, ...]:
        return tuple(code for code in Language.values if code not in self.translations)


def editor_article(scope: ViewerScope, article: Article, preferred_language: str) -> EditorArticle:
    """One article as its editor sees it. `article` comes from access_article_by_id."""
    assert scope.can_see_brand(article.brand_id)
    translations = {
        translation.language: translation
        for translation in ArticleTranslation.objects.filter(article=article)
        .select_related("author")
        .order_by("language")
    }
    others = (
        Article.objects.filter(brand_id=article.brand_id)
        .exclude(pk=article.pk)
        .prefetch_related(_translations_prefetch())
        .order_by("slug")[:MAX_LIST]
    )
    fallback = article.brand.default_language
    return EditorArticle(
        article=article,
        translations=translations,
        related_ids=frozenset(article.related.values_list("pk", flat=True)),
        related_choices=tuple(
            RelatedChoice(
                other.pk,
                title_in(list(other.translations.all()), preferred_language, fallback)[1]
                or other.slug,
            )
            for other in others
        ),
        attachments=tuple(
            ArticleAttachment.objects.filter(article=article).select_related("uploaded_by")
        ),
    )


def translation_of(article: Article, language: str) -> ArticleTranslation | None:
    code = language_normalise(language)
    return ArticleTranslation.objects.filter(article=article, language=code).first()


def translation_versions(translation: ArticleTranslation) -> list[ArticleVersion]:
    """Earlier words of a translation, newest first, with their authors."""
    return list(
        ArticleVersion.objects.filter(translation=translation)
        .select_related("author")
        .order_by("-version")
    )


def translation_version(translation: ArticleTranslation, version: int) -> ArticleVersion | None:
    return (
        ArticleVersion.objects.filter(translation=translation, version=version)
        .select_related("author")
        .first()
    )
