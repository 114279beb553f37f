"""Render one workspace partial for one agent: what that agent's page would show right now.

Called for the agent's socket (consumers.py, batches.py) on the realtime thread pool, never by
the writer. Every
object is loaded through the agent's own ViewerScope, so an event naming another brand's
object renders nothing. The partials are the pages' own (`workspace/_message.html`,
`_note.html`, `_row.html`), rendered in the agent's language and time zone exactly as
workspace.middleware.AgentPreferencesMiddleware sets them for a page.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from lagniappe.channels.chat.templatetags.chat_visitor import RECEIPT_ELEMENT_ID, receipt_html
from lagniappe.conversations.models import Conversation, Message
from lagniappe.conversations.selectors import (
    conversation_base_for_viewer,
    message_list_for_conversation,
    note_list_for_conversation,
)
from lagniappe.realtime.agent_status import STATUS_ELEMENT_ID, agent_status_html, unread_mark
from lagniappe.staff.models import Agent, NotificationKind
from lagniappe.staff.selectors import notification_for_agent
from lagniappe.tenancy.scoping import ViewerScope

# The element of a merged conversation's banner (workspace/_merged_banner.html).
MERGED_BANNER_ID = "merged-banner"
# Notifications that also play a short sound (when the agent keeps sound on).
SOUNDED = frozenset({NotificationKind.CHAT_ASSIGNED, NotificationKind.MENTION})


@dataclass(frozen=True)
class Fragment:
    """One piece of HTML for the page, as the browser's live.js receives it. `kind` tells
    where it goes: message/note append to the open conversation's timeline, row goes to the
    inbox list (and the view counts are refreshed), controls and timeline (no HTML) make the
    page re-fetch its own controls or whole timeline (another conversation was merged in:
    its messages fall among the existing ones), merged is the banner of a conversation
    merged away (the page drops its composer and controls)."""

    kind: str
    element_id: str
    conversation_id: int
    html: str


@contextmanager
def agent_locale(agent: Agent) -> Iterator[None]:
    """The agent's interface language and time zone, as their pages use them."""
    try:
        zone = zoneinfo.ZoneInfo(agent.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    with translation.override(agent.ui_language or settings.LANGUAGE_CODE), timezone.override(zone):
        yield


def conversation_for(scope: ViewerScope, conversation_id: int) -> Conversation | None:
    return (
        conversation_base_for_viewer(scope)
        .select_related("brand")
        .filter(pk=conversation_id)
        .first()
    )


def message_conversation_id(scope: ViewerScope, message_id: int) -> int | None:
    """The conversation of a message the viewer may see (delivery reports carry no
    conversation id)."""
    return (
        Message.objects.filter(pk=message_id, brand_id__in=scope.brand_ids)
        .values_list("conversation_id", flat=True)
        .first()
    )


def message_fragment(agent: Agent, conversation: Conversation, message_id: int) -> Fragment | None:
    message = message_list_for_conversation(conversation).filter(pk=message_id).first()
    if message is None:
        return None
    with agent_locale(agent):
        html = render_to_string(
            "workspace/_message.html", {"message": message, "conversation": conversation}
        )
    return Fragment("message", f"message-{message.pk}", conversation.pk, html)


def note_fragment(agent: Agent, conversation: Conversation, note_id: int) -> Fragment | None:
    note = note_list_for_conversation(conversation).filter(pk=note_id).first()
    if note is None:
        return None
    with agent_locale(agent):
        html = render_to_string(
            "workspace/_note.html", {"note": note, "conversation": conversation}
        )
    return Fragment("note", f"note-{note.pk}", conversation.pk, html)


def row_fragment(agent: Agent, conversation: Conversation, *, counted: bool = False) -> Fragment:
    """`counted`: the caller gave the conversation its `unread` already (agent_status.
    unread_mark over a whole batch)."""
    if not counted:
        unread_mark([conversation], agent.pk)  # the row shows this agent's unread count
    with agent_locale(agent):
        html = render_to_string("workspace/_row.html", {"conversation": conversation})
    return Fragment("row", f"conversation-row-{conversation.pk}", conversation.pk, html)


def stale_signal(kind: str, conversation_id: int) -> Fragment:
    """No HTML: tells the page to re-fetch a part it renders per viewer (the controls carry
    the viewer's CSRF token and choices; the view counts depend on the viewer's teams), so
    the refreshed part comes from the page's own view and template."""
    return Fragment(kind, "", conversation_id, "")


def merged_fragment(agent: Agent, scope: ViewerScope, conversation: Conversation) -> Fragment:
    """The "merged into" banner of a conversation just merged away
    (`workspace/_merged_banner.html`, as its page renders it): it links to the conversation
    that remains when this agent may see it."""
    target = (
        conversation_for(scope, conversation.merged_into_id)
        if conversation.merged_into_id is not None
        else None
    )
    with agent_locale(agent):
        html = render_to_string(
            "workspace/_merged_banner.html",
            {"conversation": conversation, "merged_into": target},
        )
    return Fragment("merged", MERGED_BANNER_ID, conversation.pk, html)


def status_fragment(agent: Agent, scope: ViewerScope) -> Fragment:
    """The header's chat load, unread total and notification count (`_agent_status.html`)."""
    with agent_locale(agent):
        html = agent_status_html(agent, scope)
    return Fragment("status", STATUS_ELEMENT_ID, 0, html)


def notification_frame(agent: Agent, notification_id: int) -> dict[str, Any] | None:
    """`_notification.html` for the agent's own notification (None for anyone else's), and
    what the browser needs for a desktop notification and a sound."""
    item = notification_for_agent(agent, notification_id)
    if item is None:
        return None
    notification = item.notification
    prefs = Agent.objects.filter(pk=agent.pk).values("notify_desktop", "notify_sound").first()
    with agent_locale(agent):
        html = render_to_string("workspace/_notification.html", {"item": item})
        title = str(notification.get_kind_display())
        url = (
            reverse("workspace:conversation-detail", args=[notification.conversation_id])
            if item.may_open
            else ""
        )
    return {
        "kind": "notification",
        "element_id": f"notification-{notification.pk}",
        "conversation_id": notification.conversation_id if item.may_open else None,
        "html": html,
        "notify": {
            "id": notification.pk,
            "kind": notification.kind,
            "title": title,
            "body": notification.conversation.subject[:120] if item.may_open else "",
            "url": url,
            "desktop": bool(prefs and prefs["notify_desktop"]),
            "sound": bool(prefs and prefs["notify_sound"]) and notification.kind in SOUNDED,
        },
    }


def receipt_fragment(agent: Agent, scope: ViewerScope, conversation_id: int) -> Fragment:
    """The chat visitor's delivered/read line of an open chat conversation
    (channel_chat/_receipt.html, as the conversation page includes it)."""
    with agent_locale(agent):
        html = receipt_html(scope, conversation_id)
    return Fragment("receipt", RECEIPT_ELEMENT_ID, conversation_id, html)
