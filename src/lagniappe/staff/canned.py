"""Canned responses: which ones an agent may use on a conversation, and their placeholders.

Placeholders are replaced by plain substitution (never a template engine: a response's text
is data written by an administrator, and a customer's name is data written by anyone). The
result is plain text for the composer's textarea; pages and the API escape it like any text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.db.models import Q

from lagniappe.staff.models import CannedResponse
from lagniappe.tenancy.scoping import ViewerScope

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")
KNOWN = ("customer.name", "agent.name", "brand.name", "conversation.id")


def canned_render(text: str, values: Mapping[str, str]) -> str:
    """`text` with each known placeholder replaced by its value ("" when unknown for this
    conversation); other `{{…}}` stay as written."""

    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        return values.get(key, "") if key in KNOWN else match.group(0)

    return PLACEHOLDER.sub(value, text)


def canned_list_for_viewer(
    scope: ViewerScope, *, brand_id: int | None = None, language: str = ""
) -> list[CannedResponse]:
    """Active responses of the brands the viewer may see (one brand when given), for
    `language` and for every language; a language's own version of a shortcut replaces the
    brand's general one."""
    brand_ids = scope.brand_ids if brand_id is None else scope.brand_ids & {brand_id}
    rows = CannedResponse.objects.filter(
        Q(language="") | Q(language=language) if language else Q(language=""),
        brand_id__in=brand_ids,
        is_active=True,
    ).order_by("brand_id", "shortcut", "-language")
    chosen: dict[tuple[int, str], CannedResponse] = {}
    for row in rows:
        chosen.setdefault((row.brand_id, row.shortcut), row)  # the language's own first
    return list(chosen.values())
