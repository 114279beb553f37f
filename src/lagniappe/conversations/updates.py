"""Several changes to one conversation at once (an API PATCH), all or none."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from lagniappe.conversations.changes import (
    conversation_assign,
    conversation_set_priority,
    conversation_set_status,
    conversation_set_tags,
)
from lagniappe.conversations.models import Conversation
from lagniappe.core.actors import Actor
from lagniappe.core.errors import Conflict


@dataclass(frozen=True)
class ConversationChanges:
    """What to change; None leaves a field alone. `assign` says whether `assignee_id` was
    given at all, because None there means "unassign"."""

    status: str | None = None
    priority: int | None = None
    tags: tuple[str, ...] | None = None
    team_id: int | None = None
    assign: bool = False
    assignee_id: int | None = None


@transaction.atomic
def conversation_update(
    *,
    actor: Actor,
    conversation: Conversation,
    changes: ConversationChanges,
    expected_version: int | None = None,
) -> Conversation:
    """Apply `changes` through each field's own service, in one transaction: a refused change
    (a forbidden transition, an agent of another brand) undoes the ones before it.

    `expected_version` is checked once, before the first change, since each change raises
    the version.
    """
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if expected_version is not None and expected_version != conversation.version:
        raise Conflict(
            "This conversation changed since you loaded it; reload and try again.",
            details={"expected_version": expected_version, "version": conversation.version},
        )
    if changes.status is not None:
        conversation = conversation_set_status(
            actor=actor, conversation=conversation, status=changes.status
        )
    if changes.priority is not None:
        conversation = conversation_set_priority(
            actor=actor, conversation=conversation, priority=changes.priority
        )
    if changes.assign or changes.team_id is not None:
        conversation = conversation_assign(
            actor=actor,
            conversation=conversation,
            assignee_id=changes.assignee_id if changes.assign else conversation.assignee_id,
            team_id=changes.team_id,
        )
    if changes.tags is not None:
        conversation = conversation_set_tags(
            actor=actor, conversation=conversation, tags=changes.tags
        )
    return conversation
