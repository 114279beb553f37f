"""What every workspace page's header shows for the signed-in agent: chat load and capacity,
unread customer messages, the notifications menu. Lazy: a page that does not render the
header (sign-in) runs no query."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from lagniappe.realtime.agent_status import agent_status
from lagniappe.staff.models import Agent
from lagniappe.staff.selectors import agent_scope, notification_list_for_agent


def agent_header(request: HttpRequest) -> dict[str, Any]:
    agent = getattr(request, "user", None)
    if not isinstance(agent, Agent) or not agent.is_authenticated:
        return {}
    scope = SimpleLazyObject(lambda: agent_scope(agent))
    return {
        "agent_status": SimpleLazyObject(
            lambda: agent_status(agent, scope)  # type: ignore[arg-type]
        ),
        "agent_notifications": SimpleLazyObject(
            lambda: notification_list_for_agent(agent, scope=scope)  # type: ignore[arg-type]
        ),
    }
