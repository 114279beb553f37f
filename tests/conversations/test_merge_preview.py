"""What the merge preview reads: the counts that would move, and the conversations a viewer
may merge into (their brands, the source's brand, not closed or merged, not the source)."""

from __future__ import annotations

from django.core.files.base import ContentFile

from lagniappe.conversations.changes import conversation_set_status
from lagniappe.conversations.merging import conversation_merge
from lagniappe.conversations.models import Attachment
from lagniappe.conversations.selectors import (
    MergeCounts,
    conversation_merge_candidates,
    conversation_merge_counts,
)
from lagniappe.conversations.services import message_send, note_add
from lagniappe.conversations.states import Status
from lagniappe.core.actors import SYSTEM
from lagniappe.staff.selectors import agent_scope


def test_counts_are_what_the_merge_moves(world, opened):
    source = opened(world.insurer_api, text="first", email="a@example.org")
    opened(world.insurer_api, text="second", email="a@example.org", conversation_id=source.pk)
    target = opened(world.insurer_api, text="other", email="b@example.org")
    agent = world.insurer_agent
    message_send(actor=SYSTEM, conversation=source, author_id=agent.pk, text="On it")
    note_add(actor=SYSTEM, conversation=source, author_id=agent.pk, text="Check the policy")
    attachment = Attachment(conversation=source, message=None, filename="a.txt", size=1)
    attachment.file.save("a.txt", ContentFile(b"x"), save=False)
    attachment.content_type = "text/plain"
    attachment.save()
    counts = conversation_merge_counts(source)
    assert counts == MergeCounts(messages=3, notes=1, attachments=1)
    before = conversation_merge_counts(target)
    conversation_merge(actor=SYSTEM, source=source, target=target)
    after = conversation_merge_counts(target)
    assert after.messages == before.messages + counts.messages
    assert after.notes == before.notes + counts.notes
    assert after.attachments == before.attachments + counts.attachments
    assert conversation_merge_counts(source) == MergeCounts(messages=0, notes=0, attachments=0)


def test_candidates_stay_inside_the_viewers_scope_and_the_sources_brand(world, opened):
    source = opened(world.insurer_api, text="hailstorm dented the roof")
    same = opened(world.insurer_api, text="hailstorm photos")
    closed = opened(world.insurer_api, text="hailstorm invoice")
    conversation_set_status(actor=SYSTEM, conversation=closed, status=Status.CLOSED)
    merged = opened(world.insurer_api, text="hailstorm again")
    conversation_merge(actor=SYSTEM, source=merged, target=same)
    theirs = opened(world.bank_api, text="hailstorm loan")
    insurer, admin, bank = (
        agent_scope(a) for a in (world.insurer_agent, world.admin, world.bank_agent)
    )
    for scope in (insurer, admin):
        found = conversation_merge_candidates(scope, source, "hailstorm")
        assert [c.pk for c in found] == [same.pk]
        assert conversation_merge_candidates(scope, source, f"#{same.pk}") == [same]
        assert conversation_merge_candidates(scope, source, str(theirs.pk)) == []
        assert conversation_merge_candidates(scope, source, str(source.pk)) == []
        assert conversation_merge_candidates(scope, source, "   ") == []
    # A viewer who cannot see the source's brand is offered nothing of it.
    assert conversation_merge_candidates(bank, source, "hailstorm") == []
