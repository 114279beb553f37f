"""Per-agent figures of the workspace header and the inbox rows: unread customer messages,
chat load against capacity, unread notifications. Reads only, within the agent's scope.

Unread: customer messages of a conversation after the newest message the agent had on screen
(staff.ConversationSeen); a conversation never opened counts all its customer messages. The
header's total counts the agent's own active conversations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Func, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string

from lagniappe.conversations.models import Conversation, Direction, Message
from lagniappe.conversations.states import ACTIVE
from lagniappe.core.channel_kinds import ChannelKind
from lagniappe.routing.capacity import ChatLoad
from lagniappe.staff.models import Agent, ConversationSeen, Notification
from lagniappe.tenancy.scoping import ViewerScope

STATUS_ELEMENT_ID = "agent-status"


@dataclass(frozen=True)
class AgentStatus:
    chat: ChatLoad
    unread_messages: int
    unread_notifications: int


def _unread_messages(agent_id: int) -> QuerySet[Message]:
    seen = ConversationSeen.objects.filter(
        agent_id=agent_id, conversation_id=OuterRef("conversation_id")
    ).values("message_id")[:1]
    return (
        Message.objects.filter(direction=Direction.INBOUND)
        .annotate(seen=Coalesce(Subquery(seen), Value(0)))
        .filter(pk__gt=F("seen"))
    )


def unread_by_conversation(agent_id: int, conversation_ids: Iterable[int]) -> dict[int, int]:
    """Unread customer messages per conversation (absent when none): one query."""
    ids = list(conversation_ids)
    if not ids:
        return {}
    rows = (
        _unread_messages(agent_id)
        .filter(conversation_id__in=ids)
        .values("conversation_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["conversation_id"]: row["n"] for row in rows}


def unread_total(agent_id: int, scope: ViewerScope) -> int:
    """Unread customer messages in the agent's own active conversations: one query."""
    mine = Conversation.objects.filter(
        assignee_id=agent_id, status__in=ACTIVE, brand_id__in=scope.brand_ids
    ).values("pk")
    return _unread_messages(agent_id).filter(conversation_id__in=mine).count()


def unread_mark(conversations: Iterable[Conversation], agent_id: int) -> None:
    """Give each conversation of a list its `unread` count for the agent (the row partial
    shows it): one query for the whole page."""
    rows = list(conversations)
    counts = unread_by_conversation(agent_id, [c.pk for c in rows])
    for conversation in rows:
        conversation.unread = counts.get(conversation.pk, 0)  # type: ignore[attr-defined]


def _count(queryset: QuerySet[Any]) -> Coalesce:
    """A COUNT(*) of `queryset` as a scalar subquery."""
    counted = queryset.order_by().annotate(one=Value(1)).values("one")
    return Coalesce(
        Subquery(counted.values("one").annotate(n=Func(F("one"), function="COUNT")).values("n")),
        Value(0),
    )


def agent_status(agent: Agent, scope: ViewerScope) -> AgentStatus:
    """One query: chat load, unread customer messages, unread notifications."""
    mine = Conversation.objects.filter(
        assignee_id=agent.pk, status__in=ACTIVE, brand_id__in=scope.brand_ids
    )
    row = (
        Agent.objects.filter(pk=agent.pk)
        .annotate(
            chat_load=_count(
                Conversation.objects.filter(
                    assignee_id=agent.pk, channel_kind=ChannelKind.CHAT, status__in=ACTIVE
                )
            ),
            unread_messages=_count(
                _unread_messages(agent.pk).filter(conversation_id__in=mine.values("pk"))
            ),
            unread_notifications=_count(
                Notification.objects.filter(recipient_id=agent.pk, read_at__isnull=True)
            ),
        )
        .values("chat_capacity", "chat_load", "unread_messages", "unread_notifications")
        .get()
    )
    return AgentStatus(
        chat=ChatLoad(row["chat_load"], row["chat_capacity"]),
        unread_messages=row["unread_messages"],
        unread_notifications=row["unread_notifications"],
    )


def agent_status_html(agent: Agent, scope: ViewerScope) -> str:
    """The header partial (`workspace/_agent_status.html`), as the page includes it; call it
    inside fragments.agent_locale."""
    return render_to_string(
        "workspace/_agent_status.html", {"agent_status": agent_status(agent, scope)}
    )
