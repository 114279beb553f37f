"""/api/v1/knowledge: read-only articles, search and content gaps for the caller's brands.

Agents see every article of their brands (drafts and internal ones too); an integration's API
key sees what its brand's customers see: published public articles.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from lagniappe.api.auth import viewer_of
from lagniappe.api.errors import ErrorOut
from lagniappe.api.pagination import PageQuery, page_by_id
from lagniappe.api.schemas.knowledge import (
    ArticleHitList,
    ArticlePage,
    ArticleSearchQuery,
    GapsOut,
    GapsQuery,
)
from lagniappe.core import clock
from lagniappe.knowledge.selectors import (
    article_list_with_feedback,
    article_search,
    content_gaps,
)

router = Router(tags=["knowledge"])

_READ_ERRORS: dict[int, Any] = {401: ErrorOut, 422: ErrorOut}
GAPS_DEFAULT_DAYS = 30


@router.get("/articles", response={200: ArticlePage, **_READ_ERRORS}, summary="List articles")
def articles_list(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    """Articles of the caller's brands, newest first, with their feedback counts."""
    scope = viewer_of(request).scope
    rows, next_cursor = page_by_id(article_list_with_feedback(scope), query)
    return {"items": rows, "next": next_cursor}


@router.get("/search", response={200: ArticleHitList, **_READ_ERRORS}, summary="Search articles")
def articles_search(request: HttpRequest, query: Query[ArticleSearchQuery]) -> dict[str, Any]:
    """Ranked articles with an escaped snippet; `language` declares the query's language."""
    scope = viewer_of(request).scope
    hits = article_search(scope, query.q, language=query.language or None, limit=query.limit)
    return {"items": hits}


@router.get("/gaps", response={200: GapsOut, **_READ_ERRORS}, summary="Content gaps")
def gaps(request: HttpRequest, query: Query[GapsQuery]) -> dict[str, Any]:
    """Help-centre searches with no result or no click (grouped, most frequent first),
    feedback per article, and sessions deflected by an article."""
    scope = viewer_of(request).scope
    since = query.since or clock.now() - timedelta(days=GAPS_DEFAULT_DAYS)
    found = content_gaps(scope, since, language=query.language or None)
    return {
        "since": since,
        "searches": found.searches,
        "feedback": found.feedback,
        "visits_with_article_views": found.visits_with_article_views,
        "deflected_visits": found.deflected_visits,
    }
