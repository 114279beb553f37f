"""conversation_merge: everything pointing at the source moves, the rules of what is kept,
audit, event, idempotency and refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.base import ContentFile

from lagniappe.channels.models import OutboundDelivery
from lagniappe.conversations import events, search_index
from lagniappe.conversations.changes import conversation_set_status, conversation_set_tags
from lagniappe.conversations.errors import (
    ConversationMerged,
    MergeAcrossBrands,
    MergeClosed,
    MergeIntoItself,
)
from lagniappe.conversations.merging import conversation_merge, conversation_merge_follow
from lagniappe.conversations.models import (
    Attachment,
    Conversation,
    Message,
    Note,
    Priority,
    ThreadKey,
)
from lagniappe.conversations.services import message_send, note_add
from lagniappe.conversations.states import Status
from lagniappe.core import clock
from lagniappe.core.actors import SYSTEM, Actor
from lagniappe.core.models import AuditEvent
from lagniappe.engines.textsearch.filtering import query_alternatives
from lagniappe.staff.models import ConversationSeen, Notification, NotificationKind


@pytest.fixture
def published(monkeypatch):
    """The events the merge publishes (they would reach handlers on commit)."""
    seen: list[object] = []
    monkeypatch.setattr("lagniappe.conversations.merging.publish", seen.append)
    return seen


def _found(words: str) -> set[int]:
    ids = search_index.matching_ids(query_alternatives(words))
    return set(Conversation.objects.filter(pk__in=ids).values_list("pk", flat=True))


@pytest.fixture
def pair(world, opened):
    target = opened(world.insurer_api, text="My windscreen cracked yesterday")
    source = opened(world.insurer_api, text="Photos of the zebracrossing damage attached")
    return source, target


def test_every_record_moves_and_the_target_keeps_its_own(world, pair, published):
    source, target = pair
    agent = world.insurer_agent
    actor = Actor.agent(agent.pk, agent.display_name)
    Conversation.objects.filter(pk=source.pk).update(
        assignee=agent, priority=Priority.URGENT, created_at=target.created_at - timedelta(hours=1)
    )
    source.refresh_from_db()
    conversation_set_tags(actor=actor, conversation=source, tags=["windscreen", "vip"])
    conversation_set_tags(actor=actor, conversation=target, tags=["glass"])
    reply = message_send(actor=actor, conversation=source, author_id=agent.pk, text="We are on it")
    note = note_add(actor=actor, conversation=source, author_id=agent.pk, text="Call the garage")
    attachment = Attachment(conversation=source, message=None, filename="a.txt", size=1)
    attachment.file.save("a.txt", ContentFile(b"x"), save=False)
    attachment.content_type = "text/plain"
    attachment.save()
    ThreadKey.objects.create(
        brand=world.insurer, key="<old@example.org>", conversation=source, seen_at=clock.now()
    )
    notification = Notification.objects.create(
        recipient=agent, kind=NotificationKind.MENTION, conversation=source, created_at=clock.now()
    )
    follow_up = Conversation.objects.create(
        brand=world.insurer, customer=source.customer, channel_kind="api", follow_up_of=source
    )
    source_messages = set(Message.objects.filter(conversation=source).values_list("pk", flat=True))
    kept = conversation_merge(actor=actor, source=source, target=target)

    source.refresh_from_db()
    kept.refresh_from_db()
    assert kept.pk == target.pk
    assert source_messages <= set(
        Message.objects.filter(conversation=kept).values_list("pk", flat=True)
    )
    assert not Message.objects.filter(conversation=source).exists()
    assert Note.objects.get(pk=note.pk).conversation_id == kept.pk
    assert Attachment.objects.get(pk=attachment.pk).conversation_id == kept.pk
    assert ThreadKey.objects.get(key="<old@example.org>").conversation_id == kept.pk
    assert Notification.objects.get(pk=notification.pk).conversation_id == kept.pk
    assert Conversation.objects.get(pk=follow_up.pk).follow_up_of_id == kept.pk
    assert OutboundDelivery.objects.get(message=reply).message.conversation_id == kept.pk
    assert sorted(kept.tags.values_list("name", flat=True)) == ["glass", "vip", "windscreen"]
    # Kept: the target's status; taken: owner (it had none), the higher priority, the earlier
    # start and first response; counters recomputed from the messages.
    assert kept.assignee_id == agent.pk and kept.priority == Priority.URGENT
    assert kept.created_at == source.created_at
    assert kept.first_response_at == reply.created_at
    assert kept.message_count == Message.objects.filter(conversation=kept).count() == 3
    assert kept.last_message_at == reply.created_at
    # The source: closed, empty, marked, and its links lead to the target.
    assert source.status == Status.CLOSED and source.merged_into_id == kept.pk
    assert source.merged_at is not None and source.message_count == 0
    assert conversation_merge_follow(source).pk == kept.pk
    # Search: the target is found by the source's words, the source no longer.
    assert _found("zebracrossing") == {kept.pk}
    audits = AuditEvent.objects.filter(action="conversation.merge")
    assert {a.object_id for a in audits} == {str(kept.pk), str(source.pk)}
    audit = audits.get(object_id=str(kept.pk))
    assert (
        audit.before["source"]["status"] != "closed" and audit.after["source"]["status"] == "closed"
    )
    assert audit.after["moved"]["conversations.Message.conversation"] == 2
    merged = [e for e in published if isinstance(e, events.ConversationMerged)]
    assert [(e.source_id, e.target_id, e.automatic) for e in merged] == [
        (source.pk, kept.pk, False)
    ]


def test_every_foreign_key_to_conversation_is_moved():
    """A model added later with a foreign key to Conversation is moved without a code change:
    the merge finds them; this lists what it finds today, so a new one is looked at."""
    from lagniappe.conversations.merging import _conversation_relations

    found = {f"{model._meta.label}.{field}" for model, field in _conversation_relations()}
    every = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is Conversation
    }
    handled_apart = {
        "conversations.Conversation.follow_up_of",
        "conversations.Conversation.merged_into",
        "staff.ConversationSeen.conversation",
    }
    assert found == every - handled_apart


def test_read_marks_never_hide_a_moved_message(world, opened):
    from lagniappe.realtime.agent_status import unread_by_conversation

    agent, colleague = world.insurer_agent, world.admin
    target = opened(world.insurer_api, text="first")
    source = opened(world.insurer_api, text="second")
    newer = opened(world.insurer_api, text="third")
    conversation_merge(actor=SYSTEM, source=newer, target=source)  # a later message in source
    target_message = Message.objects.get(conversation=target).pk
    source_last = Message.objects.filter(conversation=source).order_by("pk").last().pk
    # One agent read the source to its end and never opened the target; the other read the
    # target only.
    ConversationSeen.objects.create(
        agent=agent, conversation=source, message_id=source_last, seen_at=clock.now()
    )
    ConversationSeen.objects.create(
        agent=colleague, conversation=target, message_id=target_message, seen_at=clock.now()
    )
    conversation_merge(actor=SYSTEM, source=source, target=target)
    # A read mark is a watermark: the target's older message was never seen, so everything
    # after it counts as unread again, rather than hiding it.
    assert unread_by_conversation(agent.pk, [target.pk]) == {target.pk: 3}
    assert unread_by_conversation(colleague.pk, [target.pk]) == {target.pk: 2}  # the moved two
    assert not ConversationSeen.objects.filter(conversation=source).exists()


def test_merging_twice_changes_nothing(world, pair):
    source, target = pair
    conversation_merge(actor=SYSTEM, source=source, target=target)
    version = Conversation.objects.get(pk=target.pk).version
    audits = AuditEvent.objects.filter(action="conversation.merge").count()
    again = conversation_merge(actor=SYSTEM, source=source, target=target)
    assert again.pk == target.pk and again.version == version
    assert AuditEvent.objects.filter(action="conversation.merge").count() == audits


def test_refusals(world, opened, pair):
    source, target = pair
    other_brand = opened(world.bank_api)
    with pytest.raises(MergeIntoItself):
        conversation_merge(actor=SYSTEM, source=source, target=source)
    with pytest.raises(MergeAcrossBrands):
        conversation_merge(actor=SYSTEM, source=source, target=other_brand)
    assert Message.objects.filter(conversation=source).exists()  # nothing moved
    closed = opened(world.insurer_api)
    conversation_set_status(actor=SYSTEM, conversation=closed, status=Status.CLOSED)
    with pytest.raises(MergeClosed):
        conversation_merge(actor=SYSTEM, source=closed, target=target)
    with pytest.raises(MergeClosed):
        conversation_merge(actor=SYSTEM, source=source, target=closed)
    third = opened(world.insurer_api)
    conversation_merge(actor=SYSTEM, source=source, target=target)
    with pytest.raises(ConversationMerged):
        conversation_merge(actor=SYSTEM, source=source, target=third)
    with pytest.raises(ConversationMerged):
        conversation_merge(actor=SYSTEM, source=third, target=source)


def test_the_source_status_change_is_announced(world, pair, published):
    source, target = pair
    conversation_merge(actor=SYSTEM, source=source, target=target)
    changed = [e for e in published if isinstance(e, events.ConversationChanged)]
    assert [(e.conversation_id, e.status) for e in changed] == [(source.pk, Status.CLOSED)]


def test_a_note_posted_from_a_page_opened_before_the_merge_is_refused(world, pair):
    source, target = pair
    stale_copy = Conversation.objects.get(pk=source.pk)  # the page's copy, read before
    conversation_merge(actor=SYSTEM, source=source, target=target)
    with pytest.raises(ConversationMerged) as refused:
        note_add(actor=SYSTEM, conversation=stale_copy, author_id=None, text="Called back")
    assert refused.value.details["merged_into_id"] == target.pk
    assert not Note.objects.filter(text="Called back").exists()
