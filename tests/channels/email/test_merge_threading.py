"""Out-of-order mail: a reply that arrived before the message linking it to its thread made a
conversation of its own; when the link arrives, the two are merged (conversations.merging),
in one batch or across batches and mailboxes, and replaying changes nothing."""

from __future__ import annotations

import itertools
from email.message import EmailMessage

import pytest

from lagniappe.channels.inbound import accept_many, process_envelopes
from lagniappe.conversations.changes import conversation_set_status
from lagniappe.conversations.models import Conversation, Message
from lagniappe.conversations.services import message_send
from lagniappe.conversations.states import Status
from lagniappe.core.actors import SYSTEM
from lagniappe.core.models import AuditEvent


def _mail(
    name: str,
    *,
    sender: str,
    subject: str,
    in_reply_to: str = "",
    references: tuple[str, ...] = (),
    text: str = "",
) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"{sender.title()} <{sender}@example.org>"
    mail["To"] = "support@insurer.test"
    mail["Subject"] = subject
    mail["Message-ID"] = f"<{name}@example.org>"
    if in_reply_to:
        mail["In-Reply-To"] = f"<{in_reply_to}@example.org>"
    if references:
        mail["References"] = " ".join(f"<{ref}@example.org>" for ref in references)
    mail["Date"] = "Tue, 02 Jan 2024 10:00:00 +0000"
    mail.set_content(text or f"Message {name}: the parcel has not arrived.")
    return mail.as_bytes()


# A thread whose last reply names only its own parent (In-Reply-To and References of one id,
# as many clients write): arriving first, it cannot know the thread's first message.
THREAD = {
    "head": _mail("head", sender="ana", subject="Parcel lost"),
    "reply": _mail(
        "reply", sender="ben", subject="Re: Parcel lost", in_reply_to="head", references=("head",)
    ),
    "late": _mail(
        "late",
        sender="cho",
        subject="回复：Parcel lost",
        in_reply_to="reply",
        references=("reply",),
    ),
}


def _open_conversations() -> set[int]:
    return set(Conversation.objects.filter(merged_into__isnull=True).values_list("pk", flat=True))


def _threaded() -> set[int]:
    return set(Message.objects.values_list("conversation_id", flat=True))


@pytest.mark.parametrize("order", list(itertools.permutations(THREAD)))
def test_one_batch_in_any_order_gives_one_conversation(world, mailbox, no_subject_threading, order):
    envelopes = accept_many(endpoint=mailbox, raws=[THREAD[n] for n in order], queue=False)
    process_envelopes([e.pk for e in envelopes])
    assert Message.objects.count() == 3
    assert len(_threaded()) == 1
    assert _threaded() == _open_conversations()
    merged = Conversation.objects.filter(merged_into__isnull=False)
    assert all(c.status == Status.CLOSED and c.message_count == 0 for c in merged)
    # Replaying every envelope changes nothing: no message, no conversation, no merge more.
    audits = AuditEvent.objects.filter(action="conversation.merge_automatic").count()
    process_envelopes([e.pk for e in envelopes])
    assert Message.objects.count() == 3 and len(_threaded()) == 1
    assert AuditEvent.objects.filter(action="conversation.merge_automatic").count() == audits


def test_late_link_merges_into_the_oldest_across_two_mailboxes(
    world, mailbox, claims_mailbox, no_subject_threading
):
    # Poll 1 of the claims mailbox brings the last reply; poll 2 of support the first message;
    # poll 3 of support the reply linking both (and a copy of it reaches claims too).
    for endpoint, names in (
        (claims_mailbox, ["late"]),
        (mailbox, ["head"]),
        (mailbox, ["reply"]),
        (claims_mailbox, ["reply"]),
    ):
        envelopes = accept_many(endpoint=endpoint, raws=[THREAD[n] for n in names], queue=False)
        process_envelopes([e.pk for e in envelopes])
    late = Message.objects.get(external_id="<late@example.org>")
    assert Message.objects.count() == 3 and _threaded() == {late.conversation_id}
    # The oldest conversation (the one the first-arrived reply opened) remains.
    assert late.conversation_id == Conversation.objects.order_by("pk").first().pk
    head = Conversation.objects.get(merged_into__isnull=False)
    assert head.merged_into_id == late.conversation_id
    audit = AuditEvent.objects.get(action="conversation.merge_automatic", object_id=str(head.pk))
    assert audit.actor_label == "threading" and audit.after["source"]["status"] == "closed"


def test_a_reply_whose_references_span_two_conversations_joins_them(
    world, mailbox, no_subject_threading
):
    first = _mail("a1", sender="ana", subject="Two tickets")
    second = _mail("b1", sender="ana", subject="Same problem")
    joining = _mail(
        "c1", sender="ana", subject="Re: both", in_reply_to="b1", references=("a1", "b1")
    )
    for raw in (first, second, joining):
        process_envelopes([e.pk for e in accept_many(endpoint=mailbox, raws=[raw], queue=False)])
    assert len(_threaded()) == 1
    oldest = Message.objects.get(external_id="<a1@example.org>").conversation_id
    assert _threaded() == {oldest}


def test_subject_alone_never_merges(world, mailbox):
    # The same customer's same subject would thread by subject; but this reply names another
    # conversation's message: it goes there, and the subject's conversation is left alone.
    by_subject = _mail("s1", sender="ana", subject="Broken pipe")
    other = _mail("o1", sender="ana", subject="Invoice")
    reply = _mail("r1", sender="ana", subject="Re: Broken pipe", in_reply_to="o1")
    for raw in (by_subject, other, reply):
        process_envelopes([e.pk for e in accept_many(endpoint=mailbox, raws=[raw], queue=False)])
    assert len(_threaded()) == 2
    assert not Conversation.objects.filter(merged_into__isnull=False).exists()


@pytest.mark.parametrize("settled", ["closed", "resolved_and_answered"])
def test_a_conversation_an_agent_settled_is_never_merged(
    world, mailbox, no_subject_threading, settled
):
    process_envelopes(
        [e.pk for e in accept_many(endpoint=mailbox, raws=[THREAD["late"]], queue=False)]
    )
    early = Message.objects.get().conversation
    if settled == "closed":
        conversation_set_status(actor=SYSTEM, conversation=early, status=Status.CLOSED)
    else:
        message_send(actor=SYSTEM, conversation=early, author_id=None, text="Found it, sorry!")
        conversation_set_status(actor=SYSTEM, conversation=early, status=Status.RESOLVED)
    for name in ("head", "reply"):
        process_envelopes(
            [e.pk for e in accept_many(endpoint=mailbox, raws=[THREAD[name]], queue=False)]
        )
    assert not Conversation.objects.filter(merged_into__isnull=False).exists()
    assert Message.objects.get(external_id="<late@example.org>").conversation_id == early.pk
