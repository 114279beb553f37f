"""The composer's coaching hints (seeds 000 and 004), fetched by htmx as the agent types.

Advice only: the hints never block a send, and a slow hint never delays the page.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from lagniappe.conversations.access import access_conversation_by_id
from lagniappe.conversations.models import Direction
from lagniappe.conversations.selectors import message_list_for_conversation
from lagniappe.core.channel_kinds import ChannelKind
from lagniappe.customers.models import IdentityKind
from lagniappe.engines.coaching import Turn, phone_call_suggested, reply_restates_question
from lagniappe.workspace.errors import not_found_as_404
from lagniappe.workspace.viewer import viewer_of

DRAFT_CHARS = 5000
CUSTOMER_CHARS = 2000


@login_required
@require_GET
@not_found_as_404
def conversation_composer_hints(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    conversation = access_conversation_by_id(viewer.scope, conversation_id)
    messages = message_list_for_conversation(conversation)
    if conversation.resolved_at is not None:  # only what happened since the last resolution
        messages = messages.filter(created_at__gt=conversation.resolved_at)
    history = list(messages)
    turns = [
        Turn(
            author="customer" if m.direction == Direction.INBOUND else "agent",
            written=m.channel_kind != ChannelKind.VOICE,
        )
        for m in history
    ]
    last_customer = next((m for m in reversed(history) if m.direction == Direction.INBOUND), None)
    draft = request.GET.get("text", "")[:DRAFT_CHARS]
    restate_missing = False
    if draft.strip() and last_customer is not None:
        language = last_customer.language or conversation.language or "en"
        hint = reply_restates_question(last_customer.text[:CUSTOMER_CHARS], draft, language)
        restate_missing = not hint.ok
    phone = ""
    call_suggested = phone_call_suggested(turns)
    if call_suggested:
        phone = next(
            (
                identity.value
                for identity in conversation.customer.identities.all()
                if identity.kind == IdentityKind.PHONE
            ),
            "",
        )
    context = {
        "conversation": conversation,
        "loaded": True,
        "restate_missing": restate_missing,
        "call_suggested": call_suggested,
        "phone": phone,
    }
    return render(request, "workspace/_composer_hints.html", context)
