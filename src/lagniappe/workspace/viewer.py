"""Who is asking: the signed-in agent, what they may see, and how the audit trail names them."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from lagniappe.core.actors import Actor
from lagniappe.staff.models import Agent
from lagniappe.staff.selectors import agent_scope
from lagniappe.tenancy.scoping import ViewerScope


@dataclass(frozen=True)
class Viewer:
    agent: Agent
    scope: ViewerScope
    actor: Actor


def viewer_of(request: HttpRequest) -> Viewer:
    agent = request.user
    assert isinstance(agent, Agent), "workspace views are wrapped in login_required"
    return Viewer(
        agent=agent,
        scope=agent_scope(agent),
        actor=Actor.agent(agent.pk, agent.display_name or agent.email),
    )
