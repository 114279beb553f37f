"""`{% chat_visitor_panel conversation %}`: the chat visitor's current and earlier pages in the
workspace's conversation side panel (workspace/_chat_visitor.html), through a selector
scoped to the signed-in agent's brands. Renders nothing for other channels or viewers."""

from __future__ import annotations

from typing import Any

from django import template

from lagniappe.channels.chat.selectors import visitor_panel_for_conversation
from lagniappe.core.channel_kinds import ChannelKind
from lagniappe.staff.models import Agent
from lagniappe.staff.selectors import agent_scope

register = template.Library()


@register.inclusion_tag("workspace/_chat_visitor.html", takes_context=True)
def chat_visitor_panel(context: template.Context, conversation: Any) -> dict[str, Any]:
    request = context.get("request")
    agent = getattr(request, "user", None)
    if not isinstance(agent, Agent) or getattr(conversation, "channel_kind", "") != (
        ChannelKind.CHAT
    ):
        return {"panel": None}
    return {"panel": visitor_panel_for_conversation(agent_scope(agent), conversation.pk)}
