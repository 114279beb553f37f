"""Hand a conversation to another agent or team with a note saying why, all or none."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from lagniappe.conversations.events import ConversationTransferred
from lagniappe.conversations.models import Conversation, Note
from lagniappe.conversations.services import note_add
from lagniappe.conversations.updates import ConversationChanges, conversation_update
from lagniappe.core.actors import Actor
from lagniappe.core.errors import InvalidInput
from lagniappe.core.events import publish
from lagniappe.core.services import audit_record


@dataclass(frozen=True)
class TransferTarget:
    """Exactly one of the two: an agent (who then owns it) or a team (which then holds it,
    unowned, for its members to take)."""

    agent_id: int | None = None
    team_id: int | None = None


@transaction.atomic
def conversation_transfer(
    *,
    actor: Actor,
    conversation: Conversation,
    target: TransferTarget,
    note_text: str,
    author_id: int | None,
    expected_version: int | None = None,
) -> tuple[Conversation, Note]:
    """Assign to the target, then add the handover note, in one transaction: a refused target
    (another brand's agent or team) or an empty note leaves the conversation untouched.

    The note is required: the receiver should not have to read the whole thread to learn
    why it came to them.
    """
    if (target.agent_id is None) == (target.team_id is None):
        raise InvalidInput("Transfer to one agent or one team.", details={"target": ""})
    if not note_text.strip():
        raise InvalidInput("A transfer needs a note.", details={"note": ""})
    if target.agent_id is not None:
        changes = ConversationChanges(assign=True, assignee_id=target.agent_id)
    else:
        changes = ConversationChanges(assign=True, assignee_id=None, team_id=target.team_id)
    changed = conversation_update(
        actor=actor,
        conversation=conversation,
        changes=changes,
        expected_version=expected_version,
    )
    note = note_add(
        actor=actor,
        conversation=changed,
        author_id=author_id,
        text=note_text,
        mention_ids=(target.agent_id,) if target.agent_id is not None else (),
    )
    audit_record(
        actor=actor,
        action="conversation.transfer",
        object_type="conversation",
        object_id=changed.pk,
        brand_id=changed.brand_id,
        after={"agent": target.agent_id, "team": target.team_id, "note": note.pk},
    )
    publish(
        ConversationTransferred(
            conversation_id=changed.pk,
            brand_id=changed.brand_id,
            agent_id=target.agent_id,
            team_id=target.team_id,
            note_id=note.pk,
            author_id=author_id,
        )
    )
    changed.refresh_from_db()
    return changed, note
