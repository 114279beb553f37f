from __future__ import annotations

from lagniappe.core.tokens import token_digest
from lagniappe.staff.models import Agent, AgentToken, Role
from lagniappe.tenancy.models import Brand
from lagniappe.tenancy.scoping import ViewerScope


def agent_scope(agent: Agent) -> ViewerScope:
    """The brands an agent may see: an administrator sees every brand of the organisation."""
    if agent.organisation_id is None:
        return ViewerScope(organisation_id=0, brand_ids=frozenset(), agent_id=agent.pk)
    if agent.role == Role.ADMIN:
        brand_ids = Brand.objects.filter(organisation_id=agent.organisation_id).values_list(
            "pk", flat=True
        )
    else:
        brand_ids = agent.brands.values_list("pk", flat=True)
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
    return (
        AgentToken.objects.select_related("agent")
        .filter(digest=token_digest(secret), revoked_at__isnull=True, agent__is_active=True)
        .first()
    )
