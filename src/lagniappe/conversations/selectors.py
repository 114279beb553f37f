"""Reads of conversations, messages, notes and attachments, always through a ViewerScope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from lagniappe.conversations.models import Attachment, Conversation, Message, Note, Tag
from lagniappe.tenancy.scoping import ViewerScope


@dataclass(frozen=True)
class ConversationFilters:
    """What a conversation list is narrowed to. Empty values do not filter."""

    statuses: tuple[str, ...] = ()
    brand_id: int | None = None
    channel_kind: str = ""
    assignee_id: int | None = None
    unassigned: bool = False
    team_id: int | None = None
    priority: int | None = None
    tag: str = ""
    language: str = ""
    customer_id: int | None = None


def conversation_base_for_viewer(scope: ViewerScope) -> QuerySet[Conversation]:
    """Every conversation the viewer may see, with what a list row or detail shows loaded.

    A page costs a constant number of queries: one for the rows (with customer, assignee
    and team joined) and one for all their tags.
    """
    return (
        Conversation.objects.filter(brand_id__in=scope.brand_ids)
        .select_related("customer", "assignee", "team")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "name")))
    )


def conversation_list_for_viewer(
    scope: ViewerScope, filters: ConversationFilters
) -> QuerySet[Conversation]:
    """The viewer's conversations matching `filters`, newest first (by id)."""
    conversations = conversation_base_for_viewer(scope)
    if filters.statuses:
        conversations = conversations.filter(status__in=filters.statuses)
    if filters.brand_id is not None:
        conversations = conversations.filter(brand_id=filters.brand_id)
    if filters.channel_kind:
        conversations = conversations.filter(channel_kind=filters.channel_kind)
    if filters.unassigned:
        conversations = conversations.filter(assignee__isnull=True)
    elif filters.assignee_id is not None:
        conversations = conversations.filter(assignee_id=filters.assignee_id)
    if filters.team_id is not None:
        conversations = conversations.filter(team_id=filters.team_id)
    if filters.priority is not None:
        conversations = conversations.filter(priority=filters.priority)
    if filters.tag:
        conversations = conversations.filter(
            tags__name=filters.tag, tags__organisation_id=scope.organisation_id
        )
    if filters.language:
        conversations = conversations.filter(language=filters.language)
    if filters.customer_id is not None:
        conversations = conversations.filter(customer_id=filters.customer_id)
    return conversations.order_by("-id")


def message_list_for_conversation(conversation: Conversation) -> QuerySet[Message]:
    """A conversation's messages, oldest first, with authors, delivery records and attachment
    metadata loaded: a page costs two queries however many messages it holds."""
    return (
        Message.objects.filter(conversation=conversation)
        # "delivery" is channels' reverse one-to-one, named as a string so conversations
        # need not import channels; inbound messages simply have none.
        .select_related("author_agent", "author_customer", "delivery")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("id")
    )


def message_by_endpoint_external_id(endpoint_id: int | None, external_id: str) -> Message | None:
    """The message an endpoint already delivered under this external id, if any.

    One index look-up whatever the table's size: the partial unique index on (endpoint,
    external_id) only counts rows with an external id, and SQLite uses a partial index only
    when the query repeats its condition (it does not infer `<> ''` from `= 'x'`); without
    the `exclude` it scanned every message of the endpoint.
    """
    if not external_id:
        return None
    messages = Message.objects.filter(external_id=external_id).exclude(external_id="")
    if endpoint_id is None:
        messages = messages.filter(endpoint__isnull=True)
    else:
        messages = messages.filter(endpoint_id=endpoint_id)
    return next(iter(messages.order_by()[:1]), None)


def note_list_for_conversation(conversation: Conversation) -> QuerySet[Note]:
    """A conversation's internal notes, oldest first, with authors and mentions loaded."""
    return (
        Note.objects.filter(conversation=conversation)
        .select_related("author")
        .prefetch_related("mentions")
        .order_by("id")
    )
