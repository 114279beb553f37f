"""Merging one conversation into another of the same brand: two tickets that are one case.

An agent merges from the workspace or the API; email threading merges by itself when one
mail's Message-ID evidence links two conversations (`thread_conversations_join`, called by
message_receive). What the merge keeps and moves (docs/subsystems/workspace.md, "Merging"):

- every record pointing at the source moves to the target: messages (with their
  attachments and deliveries), notes, attachments, thread keys (Message-ID and subject
  keys, so later mail threads into the target), notifications, and any model added later
  with a foreign key to Conversation (found by introspection, not listed by hand); tags are
  joined; follow-ups of the source and conversations merged into it earlier point at the
  target; agents' read marks are recomputed so no moved message is hidden as read;
- the target keeps its customer, status, subject, language, channel and endpoint; it takes
  the source's assignee and team when it has none, the higher priority, the earliest
  created_at and first response, and its counters are recomputed from its messages;
- the source is left closed, empty, with `merged_into` and `merged_at` set: its page shows
  a banner linking to the target, the API's body names it (`merged_into_id`), its reply
  token and its `[#id]` tag lead to it; its search document is dropped;
- audited on both conversations (before/after), announced (ConversationMerged for the
  target's and the source's viewers — realtime re-fetches the target's timeline and shows
  the source's banner —, ConversationChanged for the source's status). Running it again for the
  same pair changes nothing. Closed conversations and another brand's are refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.apps import apps
from django.db import transaction
from django.db.models import Count, Max, Model

from lagniappe.conversations import events, search_documents, states
from lagniappe.conversations.errors import (
    ConversationMerged,
    MergeAcrossBrands,
    MergeClosed,
    MergeIntoItself,
)
from lagniappe.conversations.models import Conversation, Direction, Message
from lagniappe.core import clock
from lagniappe.core.actors import Actor
from lagniappe.core.events import publish
from lagniappe.core.services import audit_record
from lagniappe.staff.models import ConversationSeen

# What the audit rows show of each side, before and after.
_AUDITED = (
    "status",
    "assignee_id",
    "team_id",
    "priority",
    "message_count",
    "created_at",
    "first_response_at",
    "merged_into_id",
)
# How deep `conversation_merge_follow` follows merges (a chain is flattened by each merge, so
# more than one step only happens for rows read before a merge committed).
_MAX_HOPS = 8


def conversation_merge_check(*, source: Conversation, target: Conversation) -> None:
    """Refuse a merge that cannot happen: the same code answers the form and the merge."""
    if source.pk == target.pk:
        raise MergeIntoItself("A conversation cannot be merged into itself.", details={})
    if source.brand_id != target.brand_id:
        raise MergeAcrossBrands("Conversations of two brands cannot be merged.", details={})
    for conversation in (source, target):
        if conversation.merged_into_id is not None:
            raise ConversationMerged(
                "This conversation was merged into another already.",
                details={
                    "conversation_id": conversation.pk,
                    "merged_into_id": conversation.merged_into_id,
                },
            )
        if conversation.status == states.Status.CLOSED:
            raise MergeClosed(
                "A closed conversation cannot be merged.",
                details={"conversation_id": conversation.pk},
            )


def conversation_merge_follow(conversation: Conversation) -> Conversation:
    """The conversation that holds this one's messages now (itself when never merged)."""
    for _hop in range(_MAX_HOPS):
        if conversation.merged_into_id is None:
            return conversation
        conversation = Conversation.objects.get(pk=conversation.merged_into_id)
    return conversation


@transaction.atomic
def conversation_merge(
    *, actor: Actor, source: Conversation, target: Conversation, automatic: bool = False
) -> Conversation:
    """Move everything of `source` into `target` and close `source`; returns the target.

    Idempotent: when `source` was merged into `target` already, nothing changes.
    `automatic` marks a merge made by threading (audited and announced as such).
    """
    locked = {
        c.pk: c
        for c in Conversation.objects.select_for_update()
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")  # the same lock order for every pair: no deadlock
    }
    source, target = locked[source.pk], locked[target.pk]
    if source.merged_into_id == target.pk:
        return target
    conversation_merge_check(source=source, target=target)
    before = {"source": _facts(source), "target": _facts(target)}
    now = clock.now()
    _seen_marks_merge(source.pk, target.pk)
    moved = _records_move(source, target)
    target.tags.add(*source.tags.all())
    _target_settle(source, target, now)
    source.status = states.Status.CLOSED
    source.merged_into = target
    source.merged_at = now
    source.message_count = 0
    source.version += 1
    source.save(update_fields=["status", "merged_into", "merged_at", "message_count", "version"])
    search_documents.documents_merged([target.pk, source.pk])
    after = {"source": _facts(source), "target": _facts(target), "moved": moved}
    for subject in (target, source):
        audit_record(
            actor=actor,
            action="conversation.merge_automatic" if automatic else "conversation.merge",
            object_type="conversation",
            object_id=subject.pk,
            brand_id=target.brand_id,
            before=before,
            after=after,
        )
    publish(
        events.ConversationChanged(
            conversation_id=source.pk,
            brand_id=source.brand_id,
            fields=("status", "merged_into"),
            channel_kind=source.channel_kind,
            status=source.status,
        )
    )
    publish(
        events.ConversationMerged(
            source_id=source.pk,
            target_id=target.pk,
            brand_id=target.brand_id,
            automatic=automatic,
        )
    )
    return target


def _facts(conversation: Conversation) -> dict[str, object]:
    values = {field: getattr(conversation, field) for field in _AUDITED}
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}


def _conversation_relations() -> list[tuple[type[Model], str]]:
    """(model, field) of every foreign key to Conversation but the conversation's own and the
    read marks (both handled on their own): what a merge moves, found, not listed."""
    relations = []
    for model in apps.get_models():
        if model is Conversation or model is ConversationSeen or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Conversation:
                relations.append((model, field.name))
    return relations


def _records_move(source: Conversation, target: Conversation) -> dict[str, int]:
    moved: dict[str, int] = {}
    for model, field in _conversation_relations():
        count = model._default_manager.filter(**{field: source}).update(**{field: target})
        if count:
            moved[f"{model._meta.label}.{field}"] = count
    # The source's follow-ups and earlier merges now lead to the target (no chains).
    followers = Conversation.objects.filter(follow_up_of=source).exclude(pk=target.pk)
    if count := followers.update(follow_up_of=target):
        moved["conversations.Conversation.follow_up_of"] = count
    if count := Conversation.objects.filter(merged_into=source).update(merged_into=target):
        moved["conversations.Conversation.merged_into"] = count
    return moved


def _target_settle(source: Conversation, target: Conversation, now: datetime) -> None:
    """The target's own fields after the move (see the module's rules)."""
    counts = Message.objects.filter(conversation=target).aggregate(
        last=Max("created_at"), count=Count("pk")
    )
    inbound = Message.objects.filter(conversation=target, direction=Direction.INBOUND).aggregate(
        last=Max("created_at")
    )
    if target.assignee_id is None and target.team_id is None:
        target.assignee_id, target.team_id = source.assignee_id, source.team_id
    target.priority = max(target.priority, source.priority)
    target.created_at = min(target.created_at, source.created_at)
    responses = [t for t in (target.first_response_at, source.first_response_at) if t]
    target.first_response_at = min(responses) if responses else None
    if target.follow_up_of_id in (None, source.pk):
        target.follow_up_of_id = source.follow_up_of_id
    if not target.subject:
        target.subject = source.subject
    if not target.language:
        target.language = source.language
    if target.endpoint_id is None:
        target.endpoint_id = source.endpoint_id
    target.message_count = counts["count"]
    target.last_message_at = counts["last"] or target.last_message_at
    target.last_inbound_at = inbound["last"] or target.last_inbound_at
    target.version += 1
    target.updated_at = now
    target.save()


def _seen_marks_merge(source_id: int, target_id: int) -> None:
    """Each agent's read mark on the merged conversation: the last customer message before
    the first one the agent has not seen in either conversation (a moved message is never
    counted as read because the agent had read further in the other one)."""
    marks = list(ConversationSeen.objects.filter(conversation_id__in=[source_id, target_id]))
    if not marks:
        return
    inbound: dict[int, list[int]] = {source_id: [], target_id: []}
    for conversation_id, pk in Message.objects.filter(
        conversation_id__in=[source_id, target_id], direction=Direction.INBOUND
    ).values_list("conversation_id", "pk"):
        inbound[conversation_id].append(pk)
    by_agent: dict[int, dict[int, ConversationSeen]] = {}
    for mark in marks:
        by_agent.setdefault(mark.agent_id, {})[mark.conversation_id] = mark
    merged = []
    for agent_id, rows in by_agent.items():
        seen = {pk: rows[pk].message_id if pk in rows else 0 for pk in (source_id, target_id)}
        unseen = [
            min((m for m in inbound[pk] if m > seen[pk]), default=None)
            for pk in (source_id, target_id)
        ]
        first_unseen = min((m for m in unseen if m is not None), default=None)
        message_id = first_unseen - 1 if first_unseen is not None else max(seen.values())
        if message_id > 0:
            merged.append(
                ConversationSeen(
                    agent_id=agent_id,
                    conversation_id=target_id,
                    message_id=message_id,
                    seen_at=max(row.seen_at for row in rows.values()),
                )
            )
    ConversationSeen.objects.filter(conversation_id__in=[source_id, target_id]).delete()
    ConversationSeen.objects.bulk_create(merged)


@transaction.atomic(savepoint=False)
def thread_conversations_join(
    *, actor: Actor, conversations: Sequence[Conversation]
) -> Conversation:
    """One inbound message's Message-ID evidence leads to several conversations of its brand
    (strongest evidence first): merge those that may be merged into the oldest of them and
    return where the message goes — the strongest evidence's conversation, or the one it
    was merged into.

    May be merged: a conversation still being worked on or waiting (new, open, pending, on
    hold), or resolved without any reply of ours. Never: a closed one (final), one merged
    already, or one an agent answered and resolved (the customer has our answer to that
    case; a mail that links it to another stays a message of its own conversation).
    """
    # Read again under lock (id order): another worker may have merged some meanwhile.
    locked = {
        c.pk: c
        for c in Conversation.objects.select_for_update()
        .filter(pk__in=[c.pk for c in conversations])
        .order_by("pk")
    }
    fresh = [conversation_merge_follow(locked.get(c.pk, c)) for c in conversations]
    strongest = fresh[0]
    mergeable = sorted(
        {c.pk: c for c in fresh if _auto_mergeable(c)}.values(),
        key=lambda c: (c.created_at, c.pk),
    )
    if len(mergeable) < 2:
        return strongest
    target = mergeable[0]
    for source in mergeable[1:]:
        target = conversation_merge(actor=actor, source=source, target=target, automatic=True)
    if any(c.pk == strongest.pk for c in mergeable):
        return target
    return strongest


def _auto_mergeable(conversation: Conversation) -> bool:
    if conversation.merged_into_id is not None:
        return False
    if conversation.status in states.ACTIVE:
        return True
    return conversation.status == states.Status.RESOLVED and conversation.first_response_at is None
