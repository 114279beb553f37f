"""What the portal knows about its visitor: their language and what they did this session.

The session holds, per brand, the last searches and articles (carried to the web form when
the visitor asks for a person) and the ids of their own searches (so a click is only ever
recorded on a search this session made). Nothing identifies the person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from lagniappe.core.languages import Language, language_normalise
from lagniappe.engines.textsearch import analyzer_family, language_detect
from lagniappe.tenancy.models import Brand

TRAIL_LENGTH = 10  # searches and articles carried to the web form, each
SEARCH_IDS_KEPT = 50
_SESSION_KEY = "portal"
_ACCEPT_ITEM = re.compile(
    r"^\s*([A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*)\s*(?:;\s*q\s*=\s*([0-9.]+))?"
)
_LATIN = frozenset({"en", "id"})


def accept_languages(header: str) -> list[str]:
    """Our language codes named by an Accept-Language header, most preferred first."""
    weighted: list[tuple[float, int, str]] = []
    for position, item in enumerate(header[:500].split(",")):
        match = _ACCEPT_ITEM.match(item)
        if match is None:
            continue
        try:
            quality = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        code = language_normalise(match.group(1))
        if code and quality > 0:
            weighted.append((-quality, position, code))
    return list(dict.fromkeys(code for _, _, code in sorted(weighted)))


def language_candidates(request: HttpRequest, brand: Brand) -> list[str]:
    """?language=, then Accept-Language, then the brand's default: the order to try."""
    requested = language_normalise(request.GET.get("language", "")[:16])
    candidates = [requested] if requested in Language.values else []
    candidates += accept_languages(request.headers.get("Accept-Language", ""))
    candidates.append(brand.default_language)
    return list(dict.fromkeys(candidates))


def language_pick(candidates: Sequence[str], available: Iterable[str]) -> str | None:
    """The first candidate available; then one of the same family (zh-Hant ~ zh-Hans)."""
    have = list(available)
    for code in candidates:
        if code in have:
            return code
    for code in candidates:
        for other in have:
            if analyzer_family(other) == analyzer_family(code):
                return other
    return have[0] if have else None


def search_language(query: str, visitor_language: str) -> str:
    """Analyse as the visitor's language when the query is written in it; else as detected.

    Detection cannot tell short English from Indonesian, so a Latin query of a Latin-language
    visitor keeps the visitor's language.
    """
    detected = language_detect(query)
    if analyzer_family(detected) == analyzer_family(visitor_language):
        return visitor_language
    if detected in _LATIN and visitor_language in _LATIN:
        return visitor_language
    return detected


def session_hash(request: HttpRequest) -> str:
    """A keyed hash of the session key: counts a visit without storing who it was."""
    if request.session.session_key is None:
        request.session.save()
    key = request.session.session_key or ""
    return salted_hmac("lagniappe.portal.session", key, algorithm="sha256").hexdigest()


def _trail(request: HttpRequest, brand: Brand) -> dict[str, Any]:
    everything = request.session.get(_SESSION_KEY)
    if not isinstance(everything, dict):
        everything = {}
    trail = everything.get(str(brand.pk))
    if not isinstance(trail, dict):
        trail = {}
    return {
        "searches": [str(item) for item in trail.get("searches", []) if item][-TRAIL_LENGTH:],
        "articles": [str(item) for item in trail.get("articles", []) if item][-TRAIL_LENGTH:],
        "search_ids": [int(item) for item in trail.get("search_ids", []) if isinstance(item, int)][
            -SEARCH_IDS_KEPT:
        ],
    }


def _trail_save(request: HttpRequest, brand: Brand, trail: dict[str, Any]) -> None:
    everything = request.session.get(_SESSION_KEY)
    if not isinstance(everything, dict):
        everything = {}
    everything[str(brand.pk)] = trail
    request.session[_SESSION_KEY] = everything


def _appended(items: list[Any], item: Any, keep: int) -> list[Any]:
    return [*(existing for existing in items if existing != item), item][-keep:]


def trail_search(request: HttpRequest, brand: Brand, query: str, search_id: int) -> None:
    trail = _trail(request, brand)
    trail["searches"] = _appended(trail["searches"], " ".join(query.split())[:200], TRAIL_LENGTH)
    trail["search_ids"] = _appended(trail["search_ids"], search_id, SEARCH_IDS_KEPT)
    _trail_save(request, brand, trail)


def trail_article(request: HttpRequest, brand: Brand, label: str) -> None:
    trail = _trail(request, brand)
    trail["articles"] = _appended(trail["articles"], label[:300], TRAIL_LENGTH)
    _trail_save(request, brand, trail)


def trail_owns_search(request: HttpRequest, brand: Brand, search_id: int) -> bool:
    return search_id in _trail(request, brand)["search_ids"]


def trail_context(request: HttpRequest, brand: Brand) -> tuple[list[str], list[str]]:
    """(searches, articles) of this session on this brand's help centre, oldest first."""
    trail = _trail(request, brand)
    return trail["searches"], trail["articles"]
