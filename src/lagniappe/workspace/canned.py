"""The canned responses the composer offers on one conversation, placeholders filled in."""

from __future__ import annotations

from dataclasses import dataclass

from lagniappe.conversations.models import Conversation
from lagniappe.staff.canned import canned_list_for_viewer, canned_render
from lagniappe.workspace.viewer import Viewer


@dataclass(frozen=True)
class CannedChoice:
    shortcut: str
    title: str
    text: str  # plain text: the template escapes it, the script puts it in a textarea


def canned_for_conversation(viewer: Viewer, conversation: Conversation) -> list[CannedChoice]:
    customer = conversation.customer
    values = {
        "customer.name": customer.name,
        "agent.name": viewer.agent.display_name or viewer.agent.email,
        "brand.name": conversation.brand.name,
        "conversation.id": str(conversation.pk),
    }
    return [
        CannedChoice(row.shortcut, row.title, canned_render(row.text, values))
        for row in canned_list_for_viewer(
            viewer.scope, brand_id=conversation.brand_id, language=conversation.language
        )
    ]
