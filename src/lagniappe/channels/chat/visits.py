"""Writes: the pages a visitor reports (on connect and on every navigation of the host site),
kept on their VisitorState, newest last and bounded. Only http(s) URLs are kept: a
`javascript:` or `data:` URL would be a link an agent clicks."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db import transaction

from lagniappe.channels.chat.models import VisitorState
from lagniappe.channels.models import Endpoint
from lagniappe.core import clock

MAX_PAGES = 20
MAX_URL_CHARACTERS = 2000
MAX_TITLE_CHARACTERS = 300


@dataclass(frozen=True)
class Page:
    url: str
    title: str


def page_checked(url: object, title: object = "") -> Page | None:
    """An http(s) URL with a host, length-limited, and its title (control characters
    removed), or None."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_CHARACTERS:
        return None
    if any(ord(character) < 32 for character in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    clean_title = ""
    if isinstance(title, str):
        clean_title = "".join(c for c in title if ord(c) >= 32 and ord(c) != 127).strip()
    return Page(url=url, title=clean_title[:MAX_TITLE_CHARACTERS])


@transaction.atomic
def visitor_page_record(*, endpoint: Endpoint, visitor: str, url: object, title: object) -> bool:
    """Append the page the visitor is on (a repeat of the current page only updates its
    title and time); keeps the newest MAX_PAGES. False when the URL is refused. Not
    audited: the visitor's own browsing, frequent."""
    page = page_checked(url, title)
    if page is None:
        return False
    current = (
        VisitorState.objects.filter(endpoint=endpoint, visitor=visitor)
        .values_list("pages", flat=True)
        .first()
    )
    newest = current[-1] if current else None
    if isinstance(newest, dict) and (newest.get("url"), newest.get("title")) == (
        page.url,
        page.title,
    ):
        return True  # the same page again (a poll, a reconnect): nothing to write
    state, _ = VisitorState.objects.select_for_update().get_or_create(
        endpoint=endpoint, visitor=visitor
    )
    pages = [item for item in state.pages if isinstance(item, dict)]
    entry = {"url": page.url, "title": page.title, "at": clock.now().isoformat()}
    if pages and pages[-1].get("url") == page.url:
        pages[-1] = entry
    else:
        pages.append(entry)
    state.pages = pages[-MAX_PAGES:]
    state.save(update_fields=["pages", "updated_at"])
    return True
