"""Building blocks shared by the API's schemas."""

from __future__ import annotations

import zoneinfo
from typing import Annotated, Literal

from django.utils.translation import gettext
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field

from lagniappe.conversations.models import Priority
from lagniappe.core.languages import language_normalise

# Ids are 64-bit in every database we support; larger numbers are refused, not overflowed.
MAX_ID = 2**63 - 1

ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]


class InputSchema(Schema):
    """A request body or query: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


def _language_check(value: str) -> str:
    if not value:
        return ""
    code = language_normalise(value)
    if not code:
        raise ValueError(gettext("Unknown language; use en, zh-Hant, zh-Hans, ja or id."))
    return code


def _time_zone_check(value: str) -> str:
    if not value:
        return ""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            gettext("Unknown time zone; use an IANA name such as Asia/Tokyo.")
        ) from None
    return value


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError(gettext("Text may not contain NUL characters."))
    return value


# Query-string text (JSON bodies are checked for NUL by the parser already).
QueryText = Annotated[str, AfterValidator(_no_nul)]

LanguageCode = Annotated[
    str,
    Field(max_length=16, description="en, zh-Hant, zh-Hans, ja or id (BCP 47 aliases accepted)."),
    AfterValidator(_language_check),
]
TimeZoneName = Annotated[
    str, Field(max_length=64, description="An IANA time zone."), AfterValidator(_time_zone_check)
]

PriorityName = Literal["low", "normal", "high", "urgent"]
PRIORITY_BY_NAME: dict[str, int] = {
    "low": Priority.LOW,
    "normal": Priority.NORMAL,
    "high": Priority.HIGH,
    "urgent": Priority.URGENT,
}
PRIORITY_NAMES: dict[int, str] = {value: name for name, value in PRIORITY_BY_NAME.items()}
