"""The supervisor's live board: who is online, each agent's open load, each team's queue.

Reads only, always within the supervisor's ViewerScope. "Online" is not stored: the
supervisor's socket collects it from the agents' sockets (consumers.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Min, Q
from django.template.loader import render_to_string
from django.utils import translation

from lagniappe.conversations.models import Conversation
from lagniappe.conversations.states import ACTIVE
from lagniappe.core.channel_kinds import ChannelKind
from lagniappe.staff.models import Role, Team
from lagniappe.staff.selectors import agent_list_visible
from lagniappe.tenancy.scoping import ViewerScope

SUPERVISING_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})


@dataclass(frozen=True)
class AgentLoad:
    agent_id: int
    name: str
    online: bool
    open_count: int
    chat_load: int = 0
    chat_capacity: int = 0


@dataclass(frozen=True)
class QueueWait:
    team_id: int
    name: str
    waiting: int
    oldest: datetime | None


@dataclass(frozen=True)
class Board:
    agents: tuple[AgentLoad, ...]
    queues: tuple[QueueWait, ...]


def board_for_viewer(scope: ViewerScope, online_ids: frozenset[int]) -> Board:
    """Three queries: agents with their open load, teams with their waiting work."""
    active = Q(
        assigned_conversations__status__in=ACTIVE,
        assigned_conversations__brand_id__in=scope.brand_ids,
    )
    chats = active & Q(assigned_conversations__channel_kind=ChannelKind.CHAT)
    agents = agent_list_visible(scope).annotate(
        load=Count("assigned_conversations", filter=active),
        chat_load=Count("assigned_conversations", filter=chats),
    )
    waiting = Q(
        conversations__status__in=ACTIVE,
        conversations__assignee__isnull=True,
        conversations__brand_id__in=scope.brand_ids,
    )
    teams = (
        Team.objects.filter(organisation_id=scope.organisation_id, brands__in=scope.brand_ids)
        .distinct()
        .annotate(
            waiting=Count("conversations", filter=waiting, distinct=True),
            oldest=Min("conversations__created_at", filter=waiting),
        )
        .order_by("name")
    )
    return Board(
        agents=tuple(
            AgentLoad(
                a.pk,
                a.display_name or a.email,
                a.pk in online_ids,
                a.load,
                a.chat_load,
                a.chat_capacity,
            )
            for a in agents
        ),
        queues=tuple(QueueWait(t.pk, t.name, t.waiting, t.oldest) for t in teams),
    )


def unassigned_without_team(scope: ViewerScope) -> int:
    return Conversation.objects.filter(
        brand_id__in=scope.brand_ids, status__in=ACTIVE, assignee__isnull=True, team__isnull=True
    ).count()


def board_html(scope: ViewerScope, online_ids: frozenset[int], language: str = "") -> str:
    """The board partial (`realtime/_supervisor.html`): the page includes it, the socket
    pushes it re-rendered."""
    with translation.override((language or settings.LANGUAGE_CODE).lower()):
        return render_to_string("realtime/_supervisor.html", board_context(scope, online_ids))


def board_context(scope: ViewerScope, online_ids: frozenset[int]) -> Mapping[str, object]:
    return {
        "board": board_for_viewer(scope, online_ids),
        "no_team": unassigned_without_team(scope),
    }
