"""What a visitor may read: only the conversations their own messages (by visitor id, on
this widget) started or joined. Never by customer: a customer merged by an unverified email
must not expose their other chats to whoever typed it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

from lagniappe.channels.chat.models import VisitorState
from lagniappe.channels.chat.outbound import files_of, message_frame
from lagniappe.channels.chat.visits import page_checked
from lagniappe.conversations.models import Attachment, Direction, Message
from lagniappe.core.channel_kinds import ChannelKind
from lagniappe.tenancy.scoping import ViewerScope

MAX_RESUME_MESSAGES = 500


def visitor_conversation_ids(endpoint_id: int, visitor: str) -> list[int]:
    return sorted(
        set(
            Message.objects.filter(
                endpoint_id=endpoint_id,
                direction=Direction.INBOUND,
                external_id__startswith=f"{visitor}:",
            ).values_list("conversation_id", flat=True)
        )
    )


def visitor_messages_after(endpoint_id: int, visitor: str, last_seq: int) -> QuerySet[Message]:
    """The messages of the visitor's conversations after `last_seq` (a Message id), oldest
    first, at most MAX_RESUME_MESSAGES (the newest ones)."""
    ids = visitor_conversation_ids(endpoint_id, visitor)
    newest = (
        Message.objects.filter(conversation_id__in=ids, pk__gt=last_seq)
        .order_by("-pk")
        .values_list("pk", flat=True)[:MAX_RESUME_MESSAGES]
    )
    return Message.objects.filter(pk__in=list(newest)).order_by("pk")


def visitor_last_seq(endpoint_id: int, visitor: str) -> int:
    """The newest message id (either direction) the visitor can see; 0 when none."""
    ids = visitor_conversation_ids(endpoint_id, visitor)
    newest = (
        Message.objects.filter(conversation_id__in=ids)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return newest or 0


def visitor_last_inbound_seq(conversation_id: int, visitor: str) -> int:
    """The visitor's newest message in the conversation; 0 when none."""
    newest = (
        Message.objects.filter(
            conversation_id=conversation_id,
            direction=Direction.INBOUND,
            external_id__startswith=f"{visitor}:",
        )
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return newest or 0


def visitor_frame(message: Message, visitor: str, *, has_files: bool = True) -> dict[str, Any]:
    """A message as the visitor's widget receives it (own messages carry their client id).
    `has_files=False` (a text-only frame just stored) skips the attachments query."""
    prefix = f"{visitor}:"
    mine = message.direction == Direction.INBOUND and message.external_id.startswith(prefix)
    return message_frame(
        seq=message.pk,
        sender="visitor" if message.direction == Direction.INBOUND else "agent",
        text=message.text,
        sent_at=message.sent_at or message.created_at,
        client_id=message.external_id[len(prefix) :] if mine else "",
        files=files_of(message.attachments.all()) if has_files else [],
    )


def visitor_frames_after(
    endpoint_id: int, visitor: str, last_seq: int
) -> tuple[list[int], list[dict[str, Any]]]:
    """What a (re)connecting or polling widget missed: the visitor's conversation ids and the
    frames of every message after `last_seq`, oldest first."""
    ids = visitor_conversation_ids(endpoint_id, visitor)
    newest = (
        Message.objects.filter(conversation_id__in=ids, pk__gt=last_seq)
        .order_by("-pk")
        .values_list("pk", flat=True)[:MAX_RESUME_MESSAGES]
    )
    messages = (
        Message.objects.filter(pk__in=list(newest)).order_by("pk").prefetch_related("attachments")
    )
    return ids, [visitor_frame(message, visitor) for message in messages]


def visitor_attachment(endpoint_id: int, visitor: str, attachment_id: int) -> Attachment | None:
    """A sent attachment of a message the visitor can see (theirs or an agent's reply in
    their conversations); None otherwise (another visitor's, a draft upload, guessed ids)."""
    return (
        Attachment.objects.filter(
            pk=attachment_id,
            message__isnull=False,
            conversation_id__in=visitor_conversation_ids(endpoint_id, visitor),
        )
        .filter(
            Q(message__direction=Direction.OUTBOUND)
            | Q(message__external_id__startswith=f"{visitor}:")
        )
        .first()
    )


@dataclass(frozen=True)
class VisitedPage:
    url: str
    title: str
    at: datetime | None


@dataclass(frozen=True)
class VisitorPanel:
    """What agents see of a chat visitor: the current page (the newest) and earlier ones."""

    current: VisitedPage | None
    earlier: tuple[VisitedPage, ...]


def _conversation_visitor(scope: ViewerScope, conversation_id: int) -> tuple[int, str] | None:
    """(endpoint id, visitor id) of whoever wrote the conversation's newest chat message, for
    a conversation of the viewer's brands; None otherwise."""
    message = (
        Message.objects.filter(
            conversation_id=conversation_id,
            conversation__brand_id__in=scope.brand_ids,
            direction=Direction.INBOUND,
            channel_kind=ChannelKind.CHAT,
            endpoint__isnull=False,
        )
        .order_by("-pk")
        .values_list("endpoint_id", "external_id")
        .first()
    )
    if message is None or ":" not in message[1] or message[0] is None:
        return None
    return int(message[0]), message[1].split(":", 1)[0]


def visitor_panel_for_conversation(scope: ViewerScope, conversation_id: int) -> VisitorPanel | None:
    """The pages of the visitor who wrote the conversation's newest chat message; None when
    the viewer may not see the conversation, it has no chat visitor, or no page is known."""
    found = _conversation_visitor(scope, conversation_id)
    if found is None:
        return None
    endpoint_id, visitor = found
    state = VisitorState.objects.filter(endpoint_id=endpoint_id, visitor=visitor).first()
    pages: list[VisitedPage] = []
    for item in reversed(state.pages if state else []):
        if not isinstance(item, dict) or not page_checked(item.get("url")):
            continue  # only http(s) links ever reach a template
        at = parse_datetime(str(item.get("at") or ""))
        pages.append(VisitedPage(url=str(item["url"]), title=str(item.get("title") or ""), at=at))
    if not pages:
        return None
    return VisitorPanel(current=pages[0], earlier=tuple(pages[1:]))


RECEIPT_SENT = "sent"
RECEIPT_DELIVERED = "delivered"
RECEIPT_READ = "read"


@dataclass(frozen=True)
class Receipt:
    """How far the chat visitor got with the agents' newest message in a conversation."""

    message_id: int
    state: str  # RECEIPT_SENT, RECEIPT_DELIVERED (on the widget) or RECEIPT_READ


def visitor_receipt_for_conversation(scope: ViewerScope, conversation_id: int) -> Receipt | None:
    """The visitor's delivered/read mark of the newest agent message (not a note, not a
    draft) of a chat conversation of the viewer's brands; None when there is none."""
    found = _conversation_visitor(scope, conversation_id)
    if found is None:
        return None
    newest = (
        Message.objects.filter(
            conversation_id=conversation_id,
            direction=Direction.OUTBOUND,
            channel_kind=ChannelKind.CHAT,
        )
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if newest is None:
        return None
    marks = (
        VisitorState.objects.filter(endpoint_id=found[0], visitor=found[1])
        .values_list("last_delivered_seq", "last_read_seq")
        .first()
    ) or (0, 0)
    # Marks are message ids across the visitor's conversations: past this one means seen.
    if marks[1] >= newest:
        return Receipt(newest, RECEIPT_READ)
    if marks[0] >= newest:
        return Receipt(newest, RECEIPT_DELIVERED)
    return Receipt(newest, RECEIPT_SENT)
