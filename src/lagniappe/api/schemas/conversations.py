"""Bodies of the conversation endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.utils.translation import gettext
from ninja import Schema
from pydantic import AfterValidator, Field, field_validator, model_validator

from lagniappe.api.pagination import PageQuery
from lagniappe.api.schemas.common import (
    PRIORITY_NAMES,
    InputSchema,
    LanguageCode,
    ObjectId,
    PriorityName,
    QueryText,
)
from lagniappe.conversations.models import Conversation
from lagniappe.conversations.states import Status
from lagniappe.core.channel_kinds import ChannelKind

StatusName = Literal["new", "open", "pending", "on_hold", "resolved", "closed"]
MAX_TAGS = 20


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError(gettext("Text may not be blank."))
    return value


TagName = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_not_blank)]
MessageText = Annotated[str, Field(min_length=1, max_length=200_000), AfterValidator(_not_blank)]


class ConversationOut(Schema):
    id: int
    brand_id: int
    customer_id: int
    endpoint_id: int | None
    channel_kind: str
    language: str
    subject: str
    status: str
    priority: PriorityName
    assignee_id: int | None
    team_id: int | None
    tags: list[str]
    version: int
    message_count: int
    created_at: datetime
    updated_at: datetime
    last_message_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    follow_up_of_id: int | None
    merged_into_id: int | None = Field(
        None,
        description="Null unless this conversation was merged into another: then the one "
        "that holds its messages, notes and files now (this one is closed and empty). "
        "GET that one instead.",
    )
    merged_at: datetime | None = Field(None, description="When it was merged; null unless.")

    @staticmethod
    def resolve_priority(obj: Conversation) -> str:
        return PRIORITY_NAMES.get(obj.priority, "normal")

    @staticmethod
    def resolve_tags(obj: Conversation) -> list[str]:
        # Sorted in Python so a prefetched tags cache is used as is (no extra query per row).
        return sorted(tag.name for tag in obj.tags.all())


class ConversationCreatedOut(ConversationOut):
    first_message_id: int | None = None


def conversation_created_body(
    conversation: Conversation, first_message_id: int | None
) -> dict[str, object]:
    """What ConversationCreatedOut makes of a conversation just written, built directly: the
    create path answers for every API create, and ninja's getter reads the schema's twenty
    fields one by one through Python. tests/api/test_conversations.py holds the two equal."""
    body: dict[str, object] = {}
    for name in ConversationCreatedOut.model_fields:
        if name == "priority":
            body[name] = ConversationOut.resolve_priority(conversation)
        elif name == "tags":
            body[name] = ConversationOut.resolve_tags(conversation)
        elif name == "first_message_id":
            body[name] = first_message_id
        else:
            body[name] = getattr(conversation, name)
    return body


class ConversationPage(Schema):
    items: list[ConversationOut]
    next: str | None = Field(None, description="Cursor of the next page; null on the last.")


class NewCustomerIn(InputSchema):
    name: str = Field("", max_length=200)
    email: str | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=40)
    external_id: str | None = Field(
        None, max_length=255, description="The customer's id in your own system (per brand)."
    )

    @model_validator(mode="after")
    def _one_handle(self) -> NewCustomerIn:
        if not (self.email or self.phone or self.external_id):
            raise ValueError(gettext("Give the customer an email, a phone or an external_id."))
        return self


class ConversationCreateIn(InputSchema):
    brand_id: ObjectId | None = Field(
        None, description="Required for agents serving several brands; implicit for API keys."
    )
    customer_id: ObjectId | None = Field(None, description="An existing customer; or `customer`.")
    customer: NewCustomerIn | None = Field(
        None, description="Who writes, found by their handles or created; or `customer_id`."
    )
    subject: str = Field("", max_length=300)
    text: MessageText
    html: str = Field("", max_length=1_000_000)
    language: LanguageCode = ""
    external_id: str = Field(
        "", max_length=255, description="Idempotency key: the same id again opens nothing new."
    )
    priority: PriorityName | None = None
    tags: list[TagName] | None = Field(None, max_length=MAX_TAGS)
    assignee_id: ObjectId | None = None
    team_id: ObjectId | None = None

    @model_validator(mode="after")
    def _one_customer(self) -> ConversationCreateIn:
        if (self.customer_id is None) == (self.customer is None):
            raise ValueError(gettext("Give exactly one of customer_id and customer."))
        return self


class ConversationPatchIn(InputSchema):
    status: StatusName | None = None
    priority: PriorityName | None = None
    assignee_id: ObjectId | None = Field(None, description="null unassigns.")
    team_id: ObjectId | None = Field(None, description="null leaves the team as it is.")
    tags: list[TagName] | None = Field(None, max_length=MAX_TAGS, description="Replaces all.")
    version: int | None = Field(
        None, ge=1, le=2**31, description="The version you loaded; a stale one answers 409."
    )


class ConversationListQuery(PageQuery):
    status: list[str] | None = Field(
        None,
        description="Repeat it or separate with commas: new, open, pending, on_hold, "
        "resolved, closed.",
    )
    brand_id: ObjectId | None = None
    channel_kind: ChannelKind | None = None
    assignee_id: ObjectId | None = None
    unassigned: bool = False
    team_id: ObjectId | None = None
    priority: PriorityName | None = None
    tag: QueryText | None = Field(None, min_length=1, max_length=64)
    language: LanguageCode | None = None
    customer_id: ObjectId | None = None

    @field_validator("status")
    @classmethod
    def _statuses(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        statuses = [part.strip() for item in value for part in item.split(",") if part.strip()]
        unknown = sorted(set(statuses) - set(Status.values))
        if unknown:
            raise ValueError(
                gettext("Unknown status: %(names)s.")
                % {"names": ", ".join(name[:20] for name in unknown[:5])}
            )
        return list(dict.fromkeys(statuses))
