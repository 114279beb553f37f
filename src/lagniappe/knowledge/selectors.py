"""Reads of the knowledge base, scoped to what the viewer may see."""

from __future__ import annotations

import html
from dataclasses import dataclass

from lagniappe.core.languages import language_normalise
from lagniappe.engines.textsearch import (
    LANGUAGES,
    analyzer_family,
    highlight,
    language_detect,
    query_terms,
)
from lagniappe.knowledge.models import Article, ArticleTranslation
from lagniappe.knowledge.search_index import IndexFilter, index_search
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
    terms = query_terms(query, code)
    # Several translations of one article may match; fetch extra rows to fill `limit` articles.
    rows = index_search(terms, _index_filter(scope_or_brand, languages), limit * 3)
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
