"""Bodies of the customer and identity endpoints."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext
from ninja import Schema
from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from lagniappe.api.pagination import PageQuery
from lagniappe.api.schemas.common import (
    PRIORITY_NAMES,
    InputSchema,
    LanguageCode,
    ObjectId,
    PriorityName,
    QueryText,
    TimeZoneName,
)
from lagniappe.conversations.models import Conversation
from lagniappe.core.errors import InvalidInput
from lagniappe.customers.identities import identity_normalise
from lagniappe.customers.models import Customer, Identity, IdentityKind


class IdentityIn(InputSchema):
    kind: IdentityKind
    value: str = Field(..., min_length=1, max_length=320)

    @field_validator("value")
    @classmethod
    def _value_check(cls, value: str, info: ValidationInfo) -> str:
        # Checked here, not only in the service, so the error names the field
        # ("body.identities.0.value") like every other validation error.
        kind = info.data.get("kind")
        if kind is None:
            return value
        try:
            return identity_normalise(kind, value)
        except InvalidInput as error:
            raise PydanticCustomError("identity_invalid", gettext(error.message)) from None


class IdentityAddIn(IdentityIn):
    brand_id: ObjectId | None = Field(
        None,
        description="For brand-scoped kinds (external_id, chat_visitor) of agents with "
        "several brands.",
    )


class IdentityOut(Schema):
    id: int
    kind: IdentityKind
    value: str
    brand_id: int | None
    verified: bool
    created_at: datetime


class CustomerCreateIn(InputSchema):
    brand_id: ObjectId | None = Field(
        None, description="Required for agents serving several brands; implicit for API keys."
    )
    name: str = Field("", max_length=200)
    language: LanguageCode = ""
    identities: list[IdentityIn] = Field(..., min_length=1, max_length=20)


class CustomerPatchIn(InputSchema):
    name: str | None = Field(None, max_length=200)
    language: LanguageCode | None = None
    time_zone: TimeZoneName | None = None
    notes: str | None = Field(None, max_length=20_000)


class CustomerMergeIn(InputSchema):
    into: ObjectId = Field(..., description="The customer who remains.")


class CustomerMergePreviewQuery(Schema):
    into: ObjectId = Field(..., description="The customer who would remain.")


class CustomerListQuery(PageQuery):
    q: QueryText | None = Field(
        None, min_length=1, max_length=200, description="Name or identity contains."
    )


class CustomerOut(Schema):
    id: int
    name: str
    language: str
    time_zone: str
    notes: str
    brand_ids: list[int]
    identities: list[IdentityOut]
    merged_into_id: int | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_brand_ids(obj: Customer) -> list[int]:
        return sorted(brand.pk for brand in obj.brands.all())

    @staticmethod
    def resolve_identities(obj: Customer) -> list[Identity]:
        return list(obj.identities.all())


class CustomerPage(Schema):
    items: list[CustomerOut]
    next: str | None = Field(None, description="Cursor of the next page; null on the last.")


class IdentityList(Schema):
    items: list[IdentityOut]


class CustomerMergePreviewOut(Schema):
    source_id: int
    into_id: int
    moves: dict[str, int] = Field(
        ...,
        description="Records a merge would move onto `into`, by kind (app.Model), counting "
        "only what the caller may see.",
    )


class CustomerConversationOut(Schema):
    """A row of a customer's conversation history (the full shape is /conversations/{id})."""

    id: int
    brand_id: int
    channel_kind: str
    subject: str
    status: str
    priority: PriorityName
    language: str
    created_at: datetime
    last_message_at: datetime | None
    message_count: int

    @staticmethod
    def resolve_priority(obj: Conversation) -> str:
        return PRIORITY_NAMES.get(obj.priority, "normal")


class CustomerConversationPage(Schema):
    items: list[CustomerConversationOut]
    next: str | None = Field(None, description="Cursor of the next page; null on the last.")
