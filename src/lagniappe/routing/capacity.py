"""Chat load and capacity: reads only. A chat counts against its assignee's capacity while it
is active (new, open, pending or on hold); resolving or closing it frees the place."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from lagniappe.conversations.models import Conversation
from lagniappe.conversations.states import ACTIVE
from lagniappe.core.channel_kinds import ChannelKind
from lagniappe.staff.models import Agent


@dataclass(frozen=True)
class ChatLoad:
    load: int
    capacity: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.load, 0)

    @property
    def full(self) -> bool:
        return self.load >= self.capacity


def chat_load_by_agent(agent_ids: list[int]) -> dict[int, int]:
    """Active chats assigned to each agent (agents with none are absent): one query."""
    rows = (
        Conversation.objects.filter(
            assignee_id__in=agent_ids, channel_kind=ChannelKind.CHAT, status__in=ACTIVE
        )
        .values("assignee_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["assignee_id"]: row["n"] for row in rows}


def chat_load_for_agent(agent: Agent) -> ChatLoad:
    return ChatLoad(chat_load_by_agent([agent.pk]).get(agent.pk, 0), agent.chat_capacity)
