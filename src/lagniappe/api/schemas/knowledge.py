"""Bodies of the read-only knowledge endpoints: articles, search, content gaps."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

from lagniappe.api.schemas.common import LanguageCode, QueryText


class TranslationSummaryOut(Schema):
    language: str
    title: str
    updated_at: datetime
    version: int


class ArticleOut(Schema):
    id: int
    brand_id: int
    slug: str
    category: str
    status: str
    visibility: str
    published_at: datetime | None
    translations: list[TranslationSummaryOut]
    helpful_count: int = Field(description="“Did this help?” answered yes.")
    unhelpful_count: int = Field(description="“Did this help?” answered no.")


class ArticlePage(Schema):
    items: list[ArticleOut]
    next: str | None = Field(None, description="Cursor of the next page; null on the last.")


class ArticleSearchQuery(Schema):
    q: QueryText = Field(..., min_length=1, max_length=1000)
    language: LanguageCode = ""
    limit: int = Field(10, ge=1, le=50)


class ArticleHitOut(Schema):
    article_id: int
    translation_id: int
    slug: str
    language: str
    title: str
    snippet_html: str = Field(description="Escaped text; the only markup is <mark>.")
    score: float


class ArticleHitList(Schema):
    items: list[ArticleHitOut]


class GapsQuery(Schema):
    since: datetime | None = Field(None, description="Default: 30 days ago.")
    language: LanguageCode = ""


class SearchGapOut(Schema):
    language: str
    normalised_query: str
    example_query: str
    searches: int
    no_result: int
    no_click: int


class ArticleFeedbackOut(Schema):
    article_id: int
    slug: str
    helpful: int
    not_helpful: int
    reasons: list[str]


class GapsOut(Schema):
    since: datetime
    searches: list[SearchGapOut]
    feedback: list[ArticleFeedbackOut]
    visits_with_article_views: int
    deflected_visits: int = Field(
        description="Help-centre sessions that read an article and never asked for a person."
    )
