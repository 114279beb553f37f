"""Cursor pagination on the primary key: stable under inserts, one query per page.

A cursor is opaque to clients (base64url of a versioned key), so its shape can change later.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext
from ninja import Schema
from pydantic import Field

from lagniappe.api.errors import FieldInvalid
from lagniappe.api.schemas.common import MAX_ID

M = TypeVar("M", bound=Model)

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
_PREFIX = "k1:"


class PageQuery(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page (1-100).")
    cursor: str | None = Field(
        None, max_length=64, description="The `next` value of the previous page."
    )


def cursor_encode(key: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{key}".encode()).decode().rstrip("=")


def cursor_decode(cursor: str) -> int:
    invalid = FieldInvalid("query.cursor", gettext("This cursor is not valid."))
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid from None
    if not text.startswith(_PREFIX) or not text[len(_PREFIX) :].isdigit():
        raise invalid
    key = int(text[len(_PREFIX) :])
    if not 1 <= key <= MAX_ID:
        raise invalid
    return key


def page_by_id(
    queryset: QuerySet[M], query: PageQuery, *, descending: bool = True
) -> tuple[Sequence[M], str | None]:
    """One page of `queryset` ordered by id, and the cursor of the next page (None at the end)."""
    if query.cursor:
        key = cursor_decode(query.cursor)
        queryset = queryset.filter(pk__lt=key) if descending else queryset.filter(pk__gt=key)
    ordered = queryset.order_by("-pk" if descending else "pk")
    rows = list(ordered[: query.limit + 1])
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        return rows, cursor_encode(int(rows[-1].pk))
    return rows, None
