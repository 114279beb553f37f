"""What happened in the knowledge base (past tense, ids only)."""

from __future__ import annotations

from dataclasses import dataclass

from lagniappe.core.events import DomainEvent


@dataclass(frozen=True)
class ArticlePublished(DomainEvent):
    article_id: int
    brand_id: int


@dataclass(frozen=True)
class ArticleUnpublished(DomainEvent):
    article_id: int
    brand_id: int
