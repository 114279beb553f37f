from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from lagniappe.core.tokens import token_digest
from lagniappe.staff.models import Agent, AgentToken, Notification, Role, Team
from lagniappe.tenancy.models import Brand
from lagniappe.tenancy.scoping import ViewerScope


def agent_scope(agent: Agent) -> ViewerScope:
    """The brands an agent may see: an administrator sees every brand of the organisation."""
    if agent.organisation_id is None:
        return ViewerScope(organisation_id=0, brand_ids=frozenset(), agent_id=agent.pk)
    if agent.role == Role.ADMIN:
        brand_ids = (
            Brand.objects.filter(organisation_id=agent.organisation_id)
            .order_by()
            .values_list("pk", flat=True)
        )
    else:
        brand_ids = agent.brands.order_by().values_list("pk", flat=True)
    return ViewerScope(
        organisation_id=agent.organisation_id,
        brand_ids=frozenset(brand_ids),
        agent_id=agent.pk,
        role=agent.role,
    )


def agent_by_token(secret: str) -> Agent | None:
    """The active agent owning an unrevoked bearer token, or None."""
    token = (
        AgentToken.objects.select_related("agent")
        .filter(digest=token_digest(secret), revoked_at__isnull=True, agent__is_active=True)
        .first()
    )
    return token.agent if token else None


def agent_token_by_secret(secret: str) -> AgentToken | None:
    """The unrevoked token of an active agent (with the agent loaded), or None."""
    # The digest is unique: no ordering, at most one row (this runs on every API request).
    tokens = AgentToken.objects.select_related("agent").filter(
        digest=token_digest(secret), revoked_at__isnull=True, agent__is_active=True
    )
    return next(iter(tokens.order_by()[:1]), None)


def brand_list_visible(scope: ViewerScope) -> QuerySet[Brand]:
    """The brands the viewer may see, by name (filter choices, side panels)."""
    return Brand.objects.filter(pk__in=scope.brand_ids).order_by("name")


def team_list_for_agent(agent: Agent) -> QuerySet[Team]:
    """The teams the agent belongs to (the inbox shows one view per team)."""
    return Team.objects.filter(members=agent).order_by("name")


def team_list_for_brand(brand_id: int) -> QuerySet[Team]:
    """Teams serving one brand (who a conversation of that brand may be handed to)."""
    return Team.objects.filter(brands=brand_id).order_by("name")


def agent_list_visible(scope: ViewerScope) -> QuerySet[Agent]:
    """Active agents serving at least one brand the viewer may see (assignee choices)."""
    return (
        Agent.objects.filter(
            organisation_id=scope.organisation_id, is_active=True, brands__in=scope.brand_ids
        )
        .distinct()
        .order_by("display_name", "id")
    )


def agent_list_for_brand(brand_id: int) -> QuerySet[Agent]:
    """Active agents serving one brand (who a note on its conversation may mention)."""
    return Agent.objects.filter(is_active=True, brands=brand_id).order_by("display_name", "id")


NOTIFICATIONS_SHOWN = 20


@dataclass(frozen=True)
class NotificationItem:
    """A notification as its recipient sees it: `may_open` says whether its conversation is
    in a brand the agent may see today (otherwise it is shown without a link)."""

    notification: Notification
    may_open: bool


def notification_list_for_agent(
    agent: Agent, *, limit: int = NOTIFICATIONS_SHOWN, scope: ViewerScope | None = None
) -> list[NotificationItem]:
    """The agent's own newest notifications (no one else's, whatever the role); `scope`, the
    agent's own when the caller has it already."""
    brand_ids = (scope or agent_scope(agent)).brand_ids
    rows = (
        Notification.objects.filter(recipient=agent)
        .select_related("conversation")
        .order_by("-id")[:limit]
    )
    return [NotificationItem(row, row.conversation.brand_id in brand_ids) for row in rows]


def notification_for_agent(agent: Agent, notification_id: int) -> NotificationItem | None:
    """One notification, only if it is the agent's own."""
    row = (
        Notification.objects.filter(recipient=agent, pk=notification_id)
        .select_related("conversation")
        .first()
    )
    if row is None:
        return None
    return NotificationItem(row, row.conversation.brand_id in agent_scope(agent).brand_ids)


def notification_unread_count(agent_id: int) -> int:
    return Notification.objects.filter(recipient_id=agent_id, read_at__isnull=True).count()
