"""What a visitor may read: only the conversations their own messages (by visitor id, on
this widget) started or joined. Never by customer: a customer merged by an unverified email
must not expose their other chats to whoever typed it."""

from __future__ import annotations

from django.db.models import QuerySet

from lagniappe.conversations.models import Direction, Message

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
