"""Knowledge-base articles offered while the visitor types their first message.

Channels sit beside knowledge in the layers, so chat cannot import its search: config/wiring.py
installs knowledge's `article_suggest` (published public articles, titles only) here at
start-up, as it installs the outbox writer. Without a finder (no knowledge base) the widget
gets an empty list. Links point to the brand's help centre (portal) and open in a new tab.
"""

from __future__ import annotations

from typing import Protocol

from django.urls import NoReverseMatch, reverse

from lagniappe.tenancy.models import Brand

MAX_QUERY_CHARACTERS = 200
MAX_ARTICLES = 3


class ArticleFinder(Protocol):
    def __call__(
        self, brand: Brand, query: str, language: str | None = None, limit: int = 5
    ) -> list[tuple[str, str]]: ...


_finder: ArticleFinder | None = None


def articles_finder_install(finder: ArticleFinder | None) -> None:
    global _finder
    _finder = finder


def articles_for_visitor(brand: Brand, query: str, language: str) -> list[dict[str, str]]:
    """[{"title", "path"}] of at most MAX_ARTICLES articles; the path is on this server."""
    query = query.strip()[:MAX_QUERY_CHARACTERS]
    if _finder is None or len(query) < 3:
        return []
    found = []
    for slug, title in _finder(brand, query, language=language or None, limit=MAX_ARTICLES):
        try:
            path = reverse("portal:article", args=[brand.slug, slug])
        except NoReverseMatch:
            continue
        found.append({"title": title, "path": path})
    return found
