"""Who is online: one row per open workspace socket, kept fresh by the socket's heartbeat.

Writes here are bookkeeping (not audited). An agent counts as online while one of their
sockets was seen within PRESENCE_STALE_SECONDS; rows of a process that died without closing
its sockets stop counting after that and are swept on the next connect.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet

from lagniappe.core import clock
from lagniappe.staff.models import Agent, AgentPresence

PRESENCE_STALE_SECONDS = 180
# A socket refreshes its row at most this often (the browser pings every 60 s).
PRESENCE_TOUCH_SECONDS = 30


def presence_connect(*, agent_id: int, channel_name: str) -> None:
    now = clock.now()
    AgentPresence.objects.filter(
        seen_at__lt=now - timedelta(seconds=PRESENCE_STALE_SECONDS)
    ).delete()
    AgentPresence.objects.update_or_create(
        channel_name=channel_name[:200],
        defaults={"agent_id": agent_id, "connected_at": now, "seen_at": now},
    )


def presence_touch(*, channel_name: str) -> None:
    now = clock.now()
    AgentPresence.objects.filter(
        channel_name=channel_name[:200],
        seen_at__lt=now - timedelta(seconds=PRESENCE_TOUCH_SECONDS),
    ).update(seen_at=now)


def presence_disconnect(*, channel_name: str) -> None:
    AgentPresence.objects.filter(channel_name=channel_name[:200]).delete()


def agents_online(queryset: QuerySet[Agent]) -> QuerySet[Agent]:
    """The agents of `queryset` with a fresh socket."""
    since = clock.now() - timedelta(seconds=PRESENCE_STALE_SECONDS)
    return queryset.filter(presences__seen_at__gte=since).distinct()


def agent_ids_online(agent_ids: list[int]) -> frozenset[int]:
    since = clock.now() - timedelta(seconds=PRESENCE_STALE_SECONDS)
    return frozenset(
        AgentPresence.objects.filter(agent_id__in=agent_ids, seen_at__gte=since).values_list(
            "agent_id", flat=True
        )
    )
