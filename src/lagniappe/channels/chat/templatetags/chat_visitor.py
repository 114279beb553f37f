"""Chat parts of the workspace's conversation page, through selectors scoped to the signed-in
agent's brands; both render nothing for other channels or viewers.

`{% chat_visitor_panel conversation %}`: the chat visitor's current and earlier pages in the
side panel (workspace/_chat_visitor.html).
`{% chat_receipt conversation %}`: whether the visitor has the agents' newest message, and
has read it (channel_chat/_receipt.html; realtime pushes the same partial when it changes).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string

from lagniappe.channels.chat.selectors import (
    visitor_panel_for_conversation,
    visitor_receipt_for_conversation,
)
from lagniappe.core.channel_kinds import ChannelKind
from lagniappe.staff.models import Agent
from lagniappe.staff.selectors import agent_scope
from lagniappe.tenancy.scoping import ViewerScope

register = template.Library()

RECEIPT_TEMPLATE = "channel_chat/_receipt.html"
RECEIPT_ELEMENT_ID = "chat-receipt"


def _chat_agent(context: template.Context, conversation: Any) -> Agent | None:
    request = context.get("request")
    agent = getattr(request, "user", None)
    if not isinstance(agent, Agent) or getattr(conversation, "channel_kind", "") != (
        ChannelKind.CHAT
    ):
        return None
    return agent


@register.inclusion_tag("workspace/_chat_visitor.html", takes_context=True)
def chat_visitor_panel(context: template.Context, conversation: Any) -> dict[str, Any]:
    agent = _chat_agent(context, conversation)
    if agent is None:
        return {"panel": None}
    return {"panel": visitor_panel_for_conversation(agent_scope(agent), conversation.pk)}


@register.simple_tag(takes_context=True)
def chat_receipt(context: template.Context, conversation: Any) -> str:
    agent = _chat_agent(context, conversation)
    if agent is None:
        return ""
    return receipt_html(agent_scope(agent), conversation.pk)


def receipt_html(scope: ViewerScope, conversation_id: int) -> str:
    """The receipt partial as the page includes it (call inside the agent's locale)."""
    receipt = visitor_receipt_for_conversation(scope, conversation_id)
    return render_to_string(RECEIPT_TEMPLATE, {"receipt": receipt})
