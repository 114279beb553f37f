"""Changes to a conversation's status, priority, assignment and tags: each checked against the
transition table and the brand, versioned (a stale form is refused), audited and announced."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from lagniappe.conversations import events, states
from lagniappe.conversations.models import Conversation, Priority, Tag
from lagniappe.core import clock
from lagniappe.core.actors import Actor
from lagniappe.core.errors import Conflict, InvalidInput, InvalidTransition
from lagniappe.core.events import publish
from lagniappe.core.services import audit_record
from lagniappe.staff.models import Agent, Team


def version_check(conversation: Conversation, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != conversation.version:
        raise Conflict(
            "This conversation changed since you loaded it; reload and try again.",
            details={"expected_version": expected_version, "version": conversation.version},
        )


def conversation_locked(conversation: Conversation) -> Conversation:
    return Conversation.objects.select_for_update().get(pk=conversation.pk)


def _conversation_change(
    actor: Actor, conversation: Conversation, changes: dict[str, object]
) -> Conversation:
    before = {field: getattr(conversation, field) for field in changes}
    changed = {f: v for f, v in changes.items() if before[f] != v}
    if not changed:
        return conversation
    for field, value in changed.items():
        setattr(conversation, field, value)
    conversation.version += 1
    conversation.save(update_fields=[*changed, "version", "updated_at"])
    audit_record(
        actor=actor,
        action="conversation.update",
        object_type="conversation",
        object_id=conversation.pk,
        brand_id=conversation.brand_id,
        before={f: before[f] for f in changed},
        after=changed,
    )
    publish(
        events.ConversationChanged(
            conversation_id=conversation.pk,
            brand_id=conversation.brand_id,
            fields=tuple(changed),
            channel_kind=conversation.channel_kind,
            status=conversation.status,
        )
    )
    return conversation


@transaction.atomic
def conversation_set_status(
    *, actor: Actor, conversation: Conversation, status: str, expected_version: int | None = None
) -> Conversation:
    conversation = conversation_locked(conversation)
    version_check(conversation, expected_version)
    if status == conversation.status:
        return conversation
    if not states.transition_allowed(conversation.status, status):
        raise InvalidTransition(
            "This status cannot follow the current one.",
            details={"from": conversation.status, "to": status},
        )
    changes: dict[str, object] = {"status": status}
    if status == states.Status.RESOLVED:
        changes["resolved_at"] = clock.now()
    return _conversation_change(actor, conversation, changes)


@transaction.atomic
def conversation_assign(
    *,
    actor: Actor,
    conversation: Conversation,
    assignee_id: int | None,
    team_id: int | None = None,
    expected_version: int | None = None,
) -> Conversation:
    """Give the conversation an owner (and optionally a team). Validity of both is the caller's
    access check; here we refuse agents who do not serve the conversation's brand."""
    conversation = conversation_locked(conversation)
    version_check(conversation, expected_version)
    if (
        assignee_id is not None
        and not Agent.objects.filter(
            pk=assignee_id, is_active=True, brands=conversation.brand_id
        ).exists()
    ):
        raise InvalidInput(
            "This agent does not serve this brand.", details={"assignee_id": assignee_id}
        )
    if (
        team_id is not None
        and not Team.objects.filter(pk=team_id, brands=conversation.brand_id).exists()
    ):
        raise InvalidInput("This team does not serve this brand.", details={"team_id": team_id})
    changes: dict[str, object] = {"assignee_id": assignee_id}
    if team_id is not None:
        changes["team_id"] = team_id
    return _conversation_change(actor, conversation, changes)


@transaction.atomic
def conversation_set_priority(
    *, actor: Actor, conversation: Conversation, priority: int, expected_version: int | None = None
) -> Conversation:
    if priority not in Priority.values:
        raise InvalidInput("Unknown priority.", details={"priority": priority})
    conversation = conversation_locked(conversation)
    version_check(conversation, expected_version)
    return _conversation_change(actor, conversation, {"priority": priority})


@transaction.atomic
def conversation_set_tags(
    *,
    actor: Actor,
    conversation: Conversation,
    tags: Iterable[str],
    expected_version: int | None = None,
) -> Conversation:
    conversation = conversation_locked(conversation)
    version_check(conversation, expected_version)
    names = sorted({t.strip()[:64] for t in tags if t.strip()})
    organisation_id = conversation.brand.organisation_id
    existing = {
        t.name: t for t in Tag.objects.filter(organisation_id=organisation_id, name__in=names)
    }
    for name in names:
        if name not in existing:
            existing[name], _ = Tag.objects.get_or_create(
                organisation_id=organisation_id, name=name
            )
    before = sorted(conversation.tags.values_list("name", flat=True))
    if before == names:
        return conversation
    conversation.tags.set([existing[n] for n in names])
    conversation.version += 1
    conversation.save(update_fields=["version", "updated_at"])
    audit_record(
        actor=actor,
        action="conversation.tags",
        object_type="conversation",
        object_id=conversation.pk,
        brand_id=conversation.brand_id,
        before={"tags": before},
        after={"tags": names},
    )
    publish(
        events.ConversationChanged(
            conversation_id=conversation.pk,
            brand_id=conversation.brand_id,
            fields=("tags",),
            channel_kind=conversation.channel_kind,
            status=conversation.status,
        )
    )
    return conversation
