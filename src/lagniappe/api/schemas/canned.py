from __future__ import annotations

from ninja import Schema
from pydantic import Field

from lagniappe.api.schemas.common import MAX_ID, LanguageCode


class CannedQuery(Schema):
    brand_id: int | None = Field(None, ge=1, le=MAX_ID)
    language: LanguageCode = ""


class CannedOut(Schema):
    id: int
    brand_id: int
    language: str = Field(description="Empty: for every language of the brand.")
    shortcut: str
    title: str
    text: str = Field(
        description="With its placeholders: {{customer.name}}, {{agent.name}}, {{brand.name}}, "
        "{{conversation.id}}. Plain text: escape it where you show it."
    )


class CannedList(Schema):
    items: list[CannedOut]
