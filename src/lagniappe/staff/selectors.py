from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from lagniappe.core.raw_rows import model_column_count, model_columns, model_from_row
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


def agent_token_with_scope(secret: str) -> tuple[AgentToken, ViewerScope] | None:
    """`agent_token_by_secret` and `agent_scope` of its agent in one statement, for the API's
    every request (the ORM's compilation of the two cost more than running them)."""
    rows = _token_scope_rows(token_digest(secret))
    if not rows:
        return None
    width = model_column_count(AgentToken)
    token = model_from_row(AgentToken, rows[0][:width])
    agent = model_from_row(Agent, rows[0][width:-1])
    token.agent = agent
    if agent.organisation_id is None:
        return token, ViewerScope(organisation_id=0, brand_ids=frozenset(), agent_id=agent.pk)
    scope = ViewerScope(
        organisation_id=agent.organisation_id,
        brand_ids=frozenset(row[-1] for row in rows if row[-1] is not None),
        agent_id=agent.pk,
        role=agent.role,
    )
    return token, scope


def _token_scope_rows(digest: str) -> list[tuple[Any, ...]]:
    # One row per brand the agent sees (all of the organisation's for an administrator, as in
    # agent_scope), or one row with no brand. The same filters as agent_token_by_secret.
    quote = connection.ops.quote_name
    tokens, agents, brands = (quote(model._meta.db_table) for model in (AgentToken, Agent, Brand))
    memberships = quote(Agent.brands.through._meta.db_table)
    sql = (
        f"SELECT {model_columns(AgentToken, 't')}, {model_columns(Agent, 'a')}, b.id "  # noqa: S608
        f"FROM {tokens} t JOIN {agents} a ON a.id = t.agent_id "
        f"LEFT JOIN {brands} b ON ((a.role = %s AND b.organisation_id = a.organisation_id) "
        f"OR (a.role <> %s AND b.id IN "
        f"(SELECT m.brand_id FROM {memberships} m WHERE m.agent_id = a.id))) "
        "WHERE t.digest = %s AND t.revoked_at IS NULL AND a.is_active = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [Role.ADMIN, Role.ADMIN, digest, True])
        return list(cursor.fetchall())


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
