"""The composer's coaching hints (seeds 000 and 004), fetched by htmx as the agent types.

Advice only: the hints never block a send, and a slow hint never delays the page.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from lagniappe.conversations.access import access_conversation_by_id
from lagniappe.conversations.callbacks import callback_record
from lagniappe.conversations.models import Conversation, Direction, Message
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
    # An automatic acknowledgement is nobody's turn: only people's messages count.
    history = [m for m in messages if not _automatic(m)]
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
    call_suggested = phone_call_suggested(turns)
    context = {
        "conversation": conversation,
        "loaded": True,
        "restate_missing": restate_missing,
        "call_suggested": call_suggested,
        "phone": _customer_phone(conversation) if call_suggested else "",
    }
    return render(request, "workspace/_composer_hints.html", context)


def _automatic(message: Message) -> bool:
    if message.direction != Direction.OUTBOUND or message.author_agent_id is not None:
        return False
    try:
        return bool(message.delivery.automatic)
    except ObjectDoesNotExist:
        return False


def _customer_phone(conversation: Conversation) -> str:
    return next(
        (
            identity.value
            for identity in conversation.customer.identities.all()
            if identity.kind == IdentityKind.PHONE
        ),
        "",
    )


@login_required
@require_POST
@not_found_as_404
def conversation_callback_record(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """The call hint's one click: a callback promise recorded on the conversation (a note,
    audited). The number is the customer's on file, never one the browser sends."""
    viewer = viewer_of(request)
    conversation = access_conversation_by_id(viewer.scope, conversation_id)
    phone = _customer_phone(conversation)
    callback_record(
        actor=viewer.actor, conversation=conversation, agent_id=viewer.agent.pk, phone=phone
    )
    context = {
        "conversation": conversation,
        "loaded": True,
        "callback_recorded": True,
        "phone": phone,
    }
    return render(request, "workspace/_composer_hints.html", context)
