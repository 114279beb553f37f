"""Recording a promised phone call (seed 004: after two written exchanges without a resolution,
call the customer): an internal note everyone on the conversation sees, and an audit row."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from lagniappe.conversations.models import Conversation, Note
from lagniappe.conversations.services import note_add
from lagniappe.core.actors import Actor
from lagniappe.core.errors import InvalidInput
from lagniappe.core.services import audit_record

MAX_PHONE_CHARACTERS = 40


@transaction.atomic
def callback_record(*, actor: Actor, conversation: Conversation, agent_id: int, phone: str) -> Note:
    """The agent commits to calling the customer back at `phone` (may be "" when the customer
    left none: the note says so, and someone finds the number)."""
    phone = " ".join(phone.split())
    if len(phone) > MAX_PHONE_CHARACTERS or any(c in phone for c in "<>\"'"):
        raise InvalidInput("Not a phone number.", details={"phone": phone[:80]})
    if phone:
        text = gettext("Callback promised: %(agent)s will call the customer at %(phone)s.") % {
            "agent": actor.label,
            "phone": phone,
        }
    else:
        text = gettext(
            "Callback promised: %(agent)s will call the customer (no number on file yet)."
        ) % {"agent": actor.label}
    note = note_add(actor=actor, conversation=conversation, author_id=agent_id, text=text)
    audit_record(
        actor=actor,
        action="conversation.callback_record",
        object_type="conversation",
        object_id=conversation.pk,
        brand_id=conversation.brand_id,
        after={"note": note.pk, "phone": phone},
    )
    return note
