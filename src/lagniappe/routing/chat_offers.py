"""Offer a new chat to an agent: snapshot → decide → apply.

A new chat conversation goes to an online agent serving its brand who has free chat capacity,
preferring agents who speak the conversation's language, then the most free places, then the
fewest chats, then the lowest id (deterministic). An agent at capacity is never chosen;
with nobody free the chat waits unassigned and is offered again when a place frees up (a
chat of the brand resolved or closed, an agent coming online).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from lagniappe.conversations.changes import conversation_assign
from lagniappe.conversations.models import Conversation
from lagniappe.conversations.states import ACTIVE, Status
from lagniappe.core.actors import Actor
from lagniappe.core.channel_kinds import ChannelKind
from lagniappe.core.services import audit_record
from lagniappe.routing.capacity import chat_load_by_agent
from lagniappe.staff.models import Agent, AgentLanguage, NotificationKind
from lagniappe.staff.notifications import notification_create
from lagniappe.staff.presence import agents_online

ROUTING = Actor.system("routing")
# How many waiting chats one freed place may pull, per call (bounded work per event).
MAX_OFFERS_PER_CALL = 20


@dataclass(frozen=True)
class Candidate:
    agent_id: int
    capacity: int
    load: int
    languages: frozenset[str]

    @property
    def free(self) -> int:
        return self.capacity - self.load


@dataclass(frozen=True)
class Decision:
    agent_id: int | None
    reason: str


def offer_choose(candidates: Iterable[Candidate], language: str) -> Decision:
    """Pure: which candidate gets the chat, and why."""
    free = [c for c in candidates if c.free > 0]
    if not free:
        return Decision(None, "no online agent with free capacity")
    speakers = [c for c in free if language and language in c.languages]
    pool = speakers or free
    best = min(pool, key=lambda c: (-c.free, c.load, c.agent_id))
    why = f"{best.load}/{best.capacity} chats"
    if speakers:
        why += f", speaks {language}"
    elif language:
        why += f", nobody free speaks {language}"
    return Decision(best.agent_id, why)


def chat_candidates(brand_id: int) -> list[Candidate]:
    """Online active agents of the brand with their capacity, load and languages (locked:
    concurrent offers of the brand wait for each other, so capacity is never overrun)."""
    agents = list(
        agents_online(Agent.objects.filter(is_active=True, brands=brand_id))
        .order_by("pk")
        .values_list("pk", "chat_capacity")
    )
    ids = [pk for pk, _ in agents]
    list(Agent.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    loads = chat_load_by_agent(ids)
    spoken: dict[int, set[str]] = {}
    for agent_id, code in AgentLanguage.objects.filter(agent_id__in=ids).values_list(
        "agent_id", "language"
    ):
        spoken.setdefault(agent_id, set()).add(code)
    return [
        Candidate(pk, capacity, loads.get(pk, 0), frozenset(spoken.get(pk, ())))
        for pk, capacity in agents
    ]


@transaction.atomic
def chat_offer(*, conversation_id: int, record_miss: bool = True) -> Decision | None:
    """Offer one waiting chat. None when it is not a chat that waits (not chat, taken,
    finished): safe to call again for the same conversation. The decision is audited with
    its reason; `record_miss=False` (retries of waiting chats) records only assignments."""
    conversation = Conversation.objects.select_for_update().filter(pk=conversation_id).first()
    if (
        conversation is None
        or conversation.channel_kind != ChannelKind.CHAT
        or conversation.assignee_id is not None
        or conversation.status not in ACTIVE
    ):
        return None
    decision = offer_choose(chat_candidates(conversation.brand_id), conversation.language)
    if decision.agent_id is None and not record_miss:
        return decision
    audit_record(
        actor=ROUTING,
        action="conversation.offer",
        object_type="conversation",
        object_id=conversation.pk,
        brand_id=conversation.brand_id,
        after={"agent": decision.agent_id, "reason": decision.reason},
    )
    if decision.agent_id is None:
        return decision
    conversation_assign(actor=ROUTING, conversation=conversation, assignee_id=decision.agent_id)
    notification_create(
        recipient_id=decision.agent_id,
        kind=NotificationKind.CHAT_ASSIGNED,
        conversation_id=conversation.pk,
    )
    return decision


def chat_offer_waiting(*, brand_ids: Iterable[int]) -> int:
    """Offer the oldest waiting chats of each brand while someone has a free place. Returns
    how many were assigned."""
    assigned = 0
    for brand_id in sorted(set(brand_ids)):
        assigned += _offer_waiting_of_brand(brand_id)
    return assigned


def _offer_waiting_of_brand(brand_id: int) -> int:
    waiting = list(
        Conversation.objects.filter(
            brand_id=brand_id,
            channel_kind=ChannelKind.CHAT,
            assignee__isnull=True,
            status__in=(Status.NEW, Status.OPEN),
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:MAX_OFFERS_PER_CALL]
    )
    assigned = 0
    for conversation_id in waiting:
        decision = chat_offer(conversation_id=conversation_id, record_miss=False)
        if decision is not None and decision.agent_id is None:
            break  # nobody is free: the rest wait too
        if decision is not None:
            assigned += 1
    return assigned
