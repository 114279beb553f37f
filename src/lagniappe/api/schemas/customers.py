"""Bodies of the customer and identity endpoints."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

from lagniappe.api.pagination import PageQuery
from lagniappe.api.schemas.common import (
    InputSchema,
    LanguageCode,
    ObjectId,
    QueryText,
    TimeZoneName,
)
from lagniappe.customers.models import Customer, Identity, IdentityKind


class IdentityIn(InputSchema):
    kind: IdentityKind
    value: str = Field(..., min_length=1, max_length=320)


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
