"""Reads of the knowledge base, scoped to what the viewer may see."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet

from lagniappe.core.languages import language_normalise
from lagniappe.engines.textsearch import (
    LANGUAGES,
    analyzer_family,
    highlight,
    language_detect,
)
from lagniappe.knowledge.hybrid_search import ranked_search
from lagniappe.knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleTranslation,
    PortalVisit,
    SearchLog,
)
from lagniappe.knowledge.query_expansion import expanded_search
from lagniappe.knowledge.search_index import IndexFilter
from lagniappe.tenancy.models import Brand
from lagniappe.tenancy.scoping import ViewerScope

MAX_LIMIT = 50


@dataclass(frozen=True)
class ArticleHit:
    article_id: int
    translation_id: int
    slug: str
    language: str
    title: str
    snippet_html: str  # escaped text with the matches in <mark>
    score: float


def _index_filter(scope_or_brand: ViewerScope | Brand, languages: tuple[str, ...]) -> IndexFilter:
    if isinstance(scope_or_brand, Brand):
        # A customer (portal, widget): published public articles of this brand only.
        return IndexFilter(
            brand_ids=frozenset({scope_or_brand.pk}),
            statuses=(Article.Status.PUBLISHED,),
            visibilities=(Article.Visibility.PUBLIC,),
            languages=languages,
        )
    if scope_or_brand.agent_id is not None:
        # Agents of a brand also find its internal articles and drafts.
        return IndexFilter(
            brand_ids=scope_or_brand.brand_ids,
            statuses=tuple(Article.Status.values),
            visibilities=tuple(Article.Visibility.values),
            languages=languages,
        )
    return IndexFilter(
        brand_ids=scope_or_brand.brand_ids,
        statuses=(Article.Status.PUBLISHED,),
        visibilities=(Article.Visibility.PUBLIC,),
        languages=languages,
    )


def _snippet_html(text: str, query: str, language: str) -> str:
    return "".join(
        f"<mark>{html.escape(segment.text)}</mark>" if segment.marked else html.escape(segment.text)
        for segment in highlight(text, query, language)
    )


def article_search(
    scope_or_brand: ViewerScope | Brand, query: str, language: str | None = None, limit: int = 10
) -> list[ArticleHit]:
    """Articles matching `query`, best first, one hit per article.

    With `language`, the query is analysed as that language and only translations of its
    family are searched (zh-Hant and zh-Hans are one family). Without it the query's
    language is detected and every translation is searched.
    """
    limit = max(0, min(limit, MAX_LIMIT))
    code = language_normalise(language)
    if code in LANGUAGES:
        family = analyzer_family(code)
        languages = tuple(lang for lang in LANGUAGES if analyzer_family(lang) == family)
    else:
        code, languages = language_detect(query), ()
    # Several translations of one article may match; fetch extra rows to fill `limit` articles.
    rows = ranked_search(_index_filter(scope_or_brand, languages), code, query, limit * 3)
    translations = ArticleTranslation.objects.select_related("article").in_bulk(
        [translation_id for translation_id, _ in rows]
    )
    hits: list[ArticleHit] = []
    seen: set[int] = set()
    for translation_id, score in rows:
        translation = translations.get(translation_id)
        if translation is None or translation.article_id in seen:
            continue
        seen.add(translation.article_id)
        hits.append(
            ArticleHit(
                article_id=translation.article_id,
                translation_id=translation.pk,
                slug=translation.article.slug,
                language=translation.language,
                title=translation.title,
                snippet_html=_snippet_html(translation.body_text, query, translation.language),
                score=score,
            )
        )
        if len(hits) == limit:
            break
    return hits


@dataclass(frozen=True)
class AgentArticleHit:
    hit: ArticleHit
    internal: bool  # agents only: never to be sent to a customer as a link
    published: bool


def article_suggestions_for_brand(
    scope: ViewerScope, brand_id: int, query: str, limit: int = 5
) -> list[AgentArticleHit]:
    """Articles of one brand the agent may read matching `query` (say, a conversation's words),
    marked internal or draft so the agent knows which can be linked to a customer."""
    if not scope.can_see_brand(brand_id) or not query.strip():
        return []
    one_brand = ViewerScope(
        organisation_id=scope.organisation_id,
        brand_ids=frozenset({brand_id}),
        agent_id=scope.agent_id,
        role=scope.role,
    )
    hits = article_search(one_brand, query, limit=limit)
    states = dict(
        (pk, (visibility, status))
        for pk, visibility, status in Article.objects.filter(
            pk__in=[hit.article_id for hit in hits]
        ).values_list("pk", "visibility", "status")
    )
    return [
        AgentArticleHit(
            hit=hit,
            internal=states[hit.article_id][0] == Article.Visibility.INTERNAL,
            published=states[hit.article_id][1] == Article.Status.PUBLISHED,
        )
        for hit in hits
        if hit.article_id in states
    ]


def _search_languages(query: str, language: str | None) -> tuple[str, tuple[str, ...]]:
    code = language_normalise(language)
    if code in LANGUAGES:
        family = analyzer_family(code)
        return code, tuple(lang for lang in LANGUAGES if analyzer_family(lang) == family)
    return language_detect(query), ()


def article_suggest(
    brand: Brand, query: str, language: str | None = None, limit: int = 5
) -> list[tuple[str, str]]:
    """(slug, title) of the best published public articles for a half-typed query.

    Titles only: no snippet is computed, so it stays cheap enough to run on every keystroke.
    """
    limit = max(0, min(limit, MAX_LIMIT))
    code, languages = _search_languages(query, language)
    # Words only: a half-typed word has no meaning yet, and the encoder's ≈ 1 ms per token on
    # every keystroke would be spent on it; the search page (Enter) ranks by meaning too.
    rows = expanded_search(_index_filter(brand, languages), code, query, limit * 3)
    translations = (
        ArticleTranslation.objects.select_related("article")
        .only("id", "title", "article__slug")
        .in_bulk([translation_id for translation_id, _ in rows])
    )
    found: list[tuple[str, str]] = []
    seen: set[int] = set()
    for translation_id, _score in rows:
        translation = translations.get(translation_id)
        if translation is None or translation.article_id in seen:
            continue
        seen.add(translation.article_id)
        found.append((translation.article.slug, translation.title))
        if len(found) == limit:
            break
    return found


def article_public_by_slug(brand: Brand, slug: str) -> Article | None:
    """A published public article of the brand, with its translations; None for any other."""
    return (
        Article.objects.filter(
            brand=brand,
            slug=slug,
            status=Article.Status.PUBLISHED,
            visibility=Article.Visibility.PUBLIC,
        )
        .prefetch_related(
            Prefetch("translations", queryset=ArticleTranslation.objects.order_by("language"))
        )
        .first()
    )


def article_list_public(brand: Brand, limit: int = 30) -> list[Article]:
    """The brand's published public articles, newest first, translations loaded (2 queries)."""
    return list(
        Article.objects.filter(
            brand=brand, status=Article.Status.PUBLISHED, visibility=Article.Visibility.PUBLIC
        )
        .prefetch_related(
            Prefetch("translations", queryset=ArticleTranslation.objects.order_by("language"))
        )
        .order_by("-published_at", "-id")[: max(0, min(limit, 200))]
    )


def _readable_articles(scope: ViewerScope) -> QuerySet[Article]:
    articles = Article.objects.filter(brand_id__in=scope.brand_ids)
    if scope.agent_id is None:  # an integration reads what customers read
        articles = articles.filter(
            status=Article.Status.PUBLISHED, visibility=Article.Visibility.PUBLIC
        )
    return articles


def article_list_with_feedback(scope: ViewerScope) -> QuerySet[Article]:
    """Articles the viewer may read, with `helpful_count` / `unhelpful_count` and translations.

    Two queries however many articles a page holds.
    """
    return (
        _readable_articles(scope)
        .annotate(
            helpful_count=Count("feedback", filter=Q(feedback__helpful=True)),
            unhelpful_count=Count("feedback", filter=Q(feedback__helpful=False)),
        )
        .prefetch_related(
            Prefetch("translations", queryset=ArticleTranslation.objects.order_by("language"))
        )
    )


@dataclass(frozen=True)
class SearchGap:
    language: str
    normalised_query: str
    example_query: str  # the most recent spelling
    searches: int
    no_result: int
    no_click: int


@dataclass(frozen=True)
class ArticleFeedbackSummary:
    article_id: int
    slug: str
    helpful: int
    not_helpful: int
    reasons: tuple[str, ...]  # the latest reasons given with "no"


@dataclass(frozen=True)
class ContentGaps:
    searches: tuple[SearchGap, ...]
    feedback: tuple[ArticleFeedbackSummary, ...]
    visits_with_article_views: int
    deflected_visits: int  # read an article and never asked for a person


MAX_GAPS = 100
REASONS_PER_ARTICLE = 5


def content_gaps(scope: ViewerScope, since: datetime, language: str | None = None) -> ContentGaps:
    """What the help centre could not answer since `since`, in the viewer's brands.

    Searches with no result or no click, grouped by normalised query and language, most
    frequent first; feedback per article; sessions deflected (approximate). Five queries.
    """
    logs = SearchLog.objects.filter(brand_id__in=scope.brand_ids, created_at__gte=since).filter(
        Q(result_count=0) | Q(clicked_article__isnull=True)
    )
    code = language_normalise(language)
    if language:
        logs = logs.filter(language=code)
    grouped = list(
        logs.values("language", "normalised_query")
        .annotate(
            searches=Count("id"),
            no_result=Count("id", filter=Q(result_count=0)),
            no_click=Count("id", filter=Q(result_count__gt=0)),
        )
        .order_by("-searches", "language", "normalised_query")[:MAX_GAPS]
    )
    examples: dict[tuple[str, str], str] = {}
    keys = {(row["language"], row["normalised_query"]) for row in grouped}
    for lang, normalised, query in (
        logs.filter(normalised_query__in={key[1] for key in keys})
        .order_by("-created_at", "-id")
        .values_list("language", "normalised_query", "query")
    ):
        examples.setdefault((lang, normalised), query)
    searches = tuple(
        SearchGap(
            language=row["language"],
            normalised_query=row["normalised_query"],
            example_query=examples.get((row["language"], row["normalised_query"]), ""),
            searches=row["searches"],
            no_result=row["no_result"],
            no_click=row["no_click"],
        )
        for row in grouped
    )
    feedback_rows = ArticleFeedback.objects.filter(
        article__in=_readable_articles(scope), created_at__gte=since
    )
    if language:
        feedback_rows = feedback_rows.filter(language=code)
    counts = list(
        feedback_rows.values("article_id", "article__slug")
        .annotate(  # not named "helpful": the filter below would read the annotation
            yes=Count("id", filter=Q(helpful=True)),
            no=Count("id", filter=Q(helpful=False)),
        )
        .order_by("-no", "article__slug")[:MAX_GAPS]
    )
    reasons: dict[int, list[str]] = {}
    for article_id, reason in (
        feedback_rows.filter(helpful=False, article_id__in=[row["article_id"] for row in counts])
        .exclude(reason="")
        .order_by("-created_at", "-id")
        .values_list("article_id", "reason")
    ):
        bucket = reasons.setdefault(article_id, [])
        if len(bucket) < REASONS_PER_ARTICLE:
            bucket.append(reason)
    feedback = tuple(
        ArticleFeedbackSummary(
            article_id=row["article_id"],
            slug=row["article__slug"],
            helpful=row["yes"],
            not_helpful=row["no"],
            reasons=tuple(reasons.get(row["article_id"], ())),
        )
        for row in counts
    )
    visits = PortalVisit.objects.filter(
        brand_id__in=scope.brand_ids, started_at__gte=since, article_views__gt=0
    ).aggregate(total=Count("id"), deflected=Count("id", filter=Q(contacted=False)))
    return ContentGaps(
        searches=searches,
        feedback=feedback,
        visits_with_article_views=visits["total"],
        deflected_visits=visits["deflected"],
    )


def help_centre_brand(slug: str) -> Brand | None:
    """The brand whose public help centre lives at /help/<slug>/ (every brand has one)."""
    return Brand.objects.filter(slug=slug[:64]).first()
