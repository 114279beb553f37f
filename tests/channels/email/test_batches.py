"""The poller's batch path: many envelopes stored in one INSERT, processed in one transaction
with a savepoint each, threads found whatever the order inside a batch."""

from __future__ import annotations

import re
from email.message import EmailMessage

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from lagniappe.channels import inbound
from lagniappe.channels.email.imap import mailbox_poll
from lagniappe.channels.email.models import EmailBrandSettings
from lagniappe.channels.inbound import accept_many, process_envelopes
from lagniappe.channels.models import EnvelopeStatus, InboundEnvelope, OutboundDelivery
from lagniappe.conversations import search_index
from lagniappe.conversations.models import Conversation, Message
from lagniappe.customers.models import Customer
from lagniappe.engines.textsearch.filtering import query_alternatives

from .conftest import eml
from .dovecot import DOVECOT, dovecot_server


def _mail(
    number: int, *, refers_to: tuple[int, ...] = (), subject: str = "", text: str = ""
) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"Customer {number} <c{number}@example.org>"
    mail["To"] = "support@insurer.test"
    mail["Subject"] = subject or f"Question {number}"
    mail["Message-ID"] = f"<batch-{number}@example.org>"
    if refers_to:
        mail["In-Reply-To"] = f"<batch-{refers_to[-1]}@example.org>"
        mail["References"] = " ".join(f"<batch-{n}@example.org>" for n in refers_to)
    mail["Date"] = "Tue, 02 Jan 2024 10:00:00 +0000"
    mail.set_content(text or f"Where is my parcel? Message number {number}.")
    return mail.as_bytes()


def test_accept_many_stores_in_order_and_queues_only_when_asked(world, mailbox):
    tasks = DBTaskResult.objects.count()
    raws = [_mail(1), _mail(2), _mail(3)]
    stored = accept_many(endpoint=mailbox, raws=raws, content_type="message/rfc822", queue=False)
    assert [bytes(InboundEnvelope.objects.get(pk=e.pk).raw) for e in stored] == raws
    assert {e.status for e in InboundEnvelope.objects.all()} == {EnvelopeStatus.RECEIVED}
    assert DBTaskResult.objects.count() == tasks  # the caller processes them itself
    accept_many(endpoint=mailbox, raws=[_mail(4)], content_type="message/rfc822")
    assert DBTaskResult.objects.count() == tasks + 1
    assert accept_many(endpoint=mailbox, raws=[]) == []


def test_a_bad_envelope_fails_alone_and_the_batch_commits(world, mailbox):
    raws = [_mail(1), eml("garbage.eml"), _mail(2)]
    envelopes = accept_many(endpoint=mailbox, raws=raws, queue=False)
    results = process_envelopes([e.pk for e in envelopes])
    good_one, bad, good_two = (InboundEnvelope.objects.get(pk=e.pk) for e in envelopes)
    assert bad.status == EnvelopeStatus.FAILED and results[bad.pk] == []
    assert bad.error and bytes(bad.raw) == raws[1]  # raw kept for a replay
    assert good_one.status == good_two.status == EnvelopeStatus.PROCESSED
    assert [m.pk for m in results[good_one.pk]] == good_one.message_ids
    assert Message.objects.count() == 2
    # Processing again changes nothing and hands back the same messages.
    again = process_envelopes([good_one.pk, good_two.pk])
    assert [m.pk for m in again[good_two.pk]] == good_two.message_ids
    assert Message.objects.count() == 2


def test_a_batch_writes_what_every_envelope_writes_once(world, mailbox):
    # One savepoint per mail (its message's), the envelopes marked processed in one UPDATE
    # and the audit rows in one INSERT, at the batch's end.
    envelopes = accept_many(endpoint=mailbox, raws=[_mail(n) for n in range(1, 6)], queue=False)
    with CaptureQueriesContext(connection) as queries:
        process_envelopes([e.pk for e in envelopes])
    sql = [query["sql"] for query in queries.captured_queries]
    envelope_table = InboundEnvelope._meta.db_table
    assert len([s for s in sql if s.startswith("UPDATE") and envelope_table in s]) == 1
    assert len([s for s in sql if s.startswith("INSERT") and "core_auditevent" in s]) == 1
    # Five messages of five new customers (the message's savepoint settles the identity race
    # too), the acknowledgement setting read once in a savepoint, and the batch's
    # transaction (a savepoint inside the test's).
    assert sum(len(re.findall(r"(?:^|; )SAVEPOINT ", s)) for s in sql) == 7
    if connection.vendor == "postgresql":
        # Each release goes with the next savepoint (core/postgresql): no round trip alone.
        assert not [s for s in sql if s.startswith("RELEASE") and "; SAVEPOINT " not in s]
    assert {InboundEnvelope.objects.get(pk=e.pk).status for e in envelopes} == {"processed"}
    assert all(InboundEnvelope.objects.get(pk=e.pk).attempts == 1 for e in envelopes)


def test_a_batch_handed_its_raw_input_does_not_read_it_back(world, mailbox):
    # The poller and the importer have just stored the mail: the lock leaves the raw
    # column out and the mail given is read. One envelope is not in the mapping: its raw
    # input is read when it is needed.
    envelopes = accept_many(endpoint=mailbox, raws=[_mail(n) for n in (1, 2, 3)], queue=False)
    given = {e.pk: bytes(e.raw) for e in envelopes[:2]}
    with CaptureQueriesContext(connection) as queries:
        results = process_envelopes([e.pk for e in envelopes], given)
    table = connection.ops.quote_name(InboundEnvelope._meta.db_table)
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and f"FROM {table}" in q["sql"]
    ]
    raw_column = f"{table}.{connection.ops.quote_name('raw')}"
    # The batch's lock (FOR UPDATE on PostgreSQL) without it, then the third one's own read.
    assert raw_column not in reads[0] and len(reads) == 2 and raw_column in reads[1]
    texts = [m.text for e in envelopes for m in results[e.pk]]
    assert [t.split("number ")[-1] for t in texts] == ["1.", "2.", "3."]
    assert {InboundEnvelope.objects.get(pk=e.pk).status for e in envelopes} == {"processed"}


def test_a_customer_created_meanwhile_is_found_on_the_next_attempt(world, mailbox, monkeypatch):
    # Another process created the sender between our look-up and our insert: the identity's
    # unique constraint refuses ours, the message's savepoint rolls back and the next
    # attempt finds their customer.
    process_envelopes([e.pk for e in accept_many(endpoint=mailbox, raws=[_mail(1)], queue=False)])
    from lagniappe.customers import services as customer_services

    looked_up = []
    real = customer_services.identities_matching

    def not_yet_on_first_look(*args, **kwargs):
        looked_up.append(1)
        return [] if len(looked_up) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(customer_services, "identities_matching", not_yet_on_first_look)
    again = _mail(1).replace(b"<batch-1@", b"<batch-1-again@")
    (envelope,) = accept_many(endpoint=mailbox, raws=[again], queue=False)
    (message,) = process_envelopes([envelope.pk])[envelope.pk]
    first = Message.objects.get(external_id="<batch-1@example.org>")
    assert len(looked_up) == 2 and message.author_customer_id == first.author_customer_id
    assert InboundEnvelope.objects.get(pk=envelope.pk).status == EnvelopeStatus.PROCESSED
    assert Customer.objects.count() == 1


def _identity_reads(sql: list[str]) -> int:
    from lagniappe.customers.models import Identity

    table = Identity._meta.db_table
    return len([s for s in sql if s.startswith("SELECT") and f"FROM {_quoted(table)} " in s])


def _quoted(table: str) -> str:
    return connection.ops.quote_name(table)


def _processed_as_the_poller_does(envelopes: list[InboundEnvelope], mailbox):
    """process_envelopes with the envelopes read ahead by a reading worker, as the poller
    and the importer run it."""
    from lagniappe.channels.endpoints import endpoint_info
    from lagniappe.channels.inbound_messages import envelope_data, envelope_read_ahead
    from lagniappe.channels.reading_ahead import reading_ahead

    info = endpoint_info(mailbox)
    with reading_ahead(envelope_read_ahead, 1) as ahead:
        ahead.submit([(e.kind, envelope_data(e, info)) for e in envelopes])
        for envelope in envelopes:  # read, as the poller's worker is a batch ahead
            ahead.peek(envelope.pk)
        results = process_envelopes([e.pk for e in envelopes])
    return results, ahead.from_worker


def test_a_batch_reads_its_returning_senders_once(world, mailbox, readings_from_worker):
    # Three people wrote before; a batch of six more of their mails, read by the poller's
    # reading worker, reads their identities in one statement, not one per mail.
    first = [_mail(n) for n in (1, 2, 3)]
    process_envelopes([e.pk for e in accept_many(endpoint=mailbox, raws=first, queue=False)])
    later = [
        _mail(n).replace(f"<batch-{n}@".encode(), f"<batch-{n}-{k}@".encode())
        for k in (1, 2)
        for n in (1, 2, 3)
    ]
    envelopes = accept_many(endpoint=mailbox, raws=later, queue=False)
    with CaptureQueriesContext(connection) as queries:
        results, from_worker = _processed_as_the_poller_does(envelopes, mailbox)
    assert from_worker == 6
    assert _identity_reads([q["sql"] for q in queries.captured_queries]) == 1
    assert Customer.objects.count() == 3
    by_sender = {m.author_customer.identities.get().value: m for ms in results.values() for m in ms}
    assert set(by_sender) == {"c1@example.org", "c2@example.org", "c3@example.org"}


def test_what_the_batch_read_ahead_cannot_vouch_for_is_read_again(
    world, mailbox, readings_from_worker
):
    # c1 wrote before without a name; this batch brings a new sender, c1 with a name (the
    # snapshot says "nameless": read again and named), and c1 once more.
    nameless = _mail(1).replace(b"From: Customer 1 <c1@example.org>", b"From: c1@example.org")
    process_envelopes([e.pk for e in accept_many(endpoint=mailbox, raws=[nameless], queue=False)])
    assert Customer.objects.get().name == ""
    batch = [
        _mail(5),
        _mail(1).replace(b"<batch-1@", b"<batch-1-b@"),
        _mail(1).replace(b"<batch-1@", b"<batch-1-c@"),
    ]
    envelopes = accept_many(endpoint=mailbox, raws=batch, queue=False)
    with CaptureQueriesContext(connection) as queries:
        _processed_as_the_poller_does(envelopes, mailbox)
    # The read ahead, then both c1 mails' own reads; the new sender was asked and not found.
    assert _identity_reads([q["sql"] for q in queries.captured_queries]) == 3
    assert sorted(Customer.objects.values_list("name", flat=True)) == ["Customer 1", "Customer 5"]
    assert {InboundEnvelope.objects.get(pk=e.pk).status for e in envelopes} == {"processed"}


def test_a_sender_created_elsewhere_after_the_read_ahead_is_found_on_the_next_attempt(
    world, mailbox, readings_from_worker, monkeypatch
):
    # The batch's read ahead finds no c9; another process then stores c9 (written here
    # behind the services' back, as another process would). Our insert loses on the unique
    # identity, the message's savepoint rolls back, and the next attempt reads the table.
    from lagniappe.customers.models import Identity
    from lagniappe.customers.selectors import IdentitiesReadAhead

    real_read = IdentitiesReadAhead.read
    elsewhere: list[Customer] = []

    def read_then_someone_else_writes(self, batch):
        real_read(self, batch)
        if not elsewhere:
            theirs = Customer.objects.create(organisation=world.organisation, name="Theirs")
            Identity.objects.create(
                organisation=world.organisation, customer=theirs, kind="email",
                value="c9@example.org",
            )  # fmt: skip
            elsewhere.append(theirs)

    monkeypatch.setattr(IdentitiesReadAhead, "read", read_then_someone_else_writes)
    envelopes = accept_many(endpoint=mailbox, raws=[_mail(9)], queue=False)
    with CaptureQueriesContext(connection) as queries:
        results, from_worker = _processed_as_the_poller_does(envelopes, mailbox)
    (message,) = results[envelopes[0].pk]
    assert from_worker == 1 and elsewhere
    customers = connection.ops.quote_name(Customer._meta.db_table)
    ours = [
        q["sql"]
        for q in queries.captured_queries
        if f"INSERT INTO {customers}" in q["sql"] and "Customer 9" in q["sql"]
    ]
    assert len(ours) == 1  # trusted the read ahead's "no such identity", and lost the race
    assert message.author_customer_id == elsewhere[0].pk
    assert Customer.objects.filter(identities__value="c9@example.org").count() == 1
    assert InboundEnvelope.objects.get(pk=envelopes[0].pk).status == EnvelopeStatus.PROCESSED


def test_an_envelope_of_a_kind_without_adapter_fails_alone(world, mailbox):
    envelopes = accept_many(endpoint=mailbox, raws=[_mail(1), _mail(2)], queue=False)
    InboundEnvelope.objects.filter(pk=envelopes[0].pk).update(kind="voice")  # no inbound adapter
    process_envelopes([e.pk for e in envelopes])
    broken, fine = (InboundEnvelope.objects.get(pk=e.pk) for e in envelopes)
    assert broken.status == EnvelopeStatus.FAILED and "UnknownChannel" in broken.error
    assert fine.status == EnvelopeStatus.PROCESSED and Message.objects.count() == 1


@pytest.mark.parametrize(
    "order",
    [(1, 2, 3), (3, 2, 1), (2, 3, 1), (3, 1, 2)],
)
def test_replies_in_one_batch_thread_whatever_their_order(
    world, mailbox, no_subject_threading, order
):
    mails = {1: _mail(1), 2: _mail(2, refers_to=(1,)), 3: _mail(3, refers_to=(1, 2))}
    envelopes = accept_many(endpoint=mailbox, raws=[mails[n] for n in order], queue=False)
    process_envelopes([e.pk for e in envelopes])
    assert Message.objects.count() == 3
    assert Message.objects.values("conversation_id").distinct().count() == 1


def test_a_batch_acknowledges_by_the_brand_setting_it_read(world, mailbox):
    EmailBrandSettings.objects.update_or_create(
        brand=world.insurer, defaults={"auto_reply_enabled": True}
    )
    envelopes = accept_many(endpoint=mailbox, raws=[_mail(1), _mail(2)], queue=False)
    process_envelopes([e.pk for e in envelopes])
    # Two new conversations from two customers: each acknowledged once.
    assert OutboundDelivery.objects.filter(automatic=True).count() == 2
    EmailBrandSettings.objects.filter(brand=world.insurer).update(auto_reply_enabled=False)
    envelopes = accept_many(endpoint=mailbox, raws=[_mail(3)], queue=False)
    process_envelopes([e.pk for e in envelopes])
    assert OutboundDelivery.objects.filter(automatic=True).count() == 2


@pytest.mark.skipif(not DOVECOT, reason="dovecot-imapd is not installed")
def test_a_poll_processes_what_a_killed_poll_stored_but_left(world, mailbox):
    # A poll that died between storing (no task rows: it meant to process them) and
    # processing: the next poll of the mailbox finishes the work.
    left = accept_many(endpoint=mailbox, raws=[_mail(1), _mail(2)], queue=False)
    with dovecot_server() as server:
        mailbox.settings = {**mailbox.settings, "imap": server.imap_settings()}
        mailbox.save(update_fields=["settings"])
        summary = mailbox_poll(mailbox, process=True)
    assert summary.stored == 0 and summary.processed == 2
    assert {InboundEnvelope.objects.get(pk=e.pk).status for e in left} == {EnvelopeStatus.PROCESSED}
    assert Message.objects.count() == 2


def _found(word: str) -> set[int]:
    found = search_index.matching_ids(query_alternatives(word))
    assert found is not None
    with connection.cursor() as cursor:
        cursor.execute(found.sql, found.params)
        return {row[0] for row in cursor.fetchall()}


def test_a_batch_indexes_its_messages_once_and_forgets_a_failed_envelopes_words(
    world, mailbox, no_subject_threading, monkeypatch
):
    # The batch's search-document writes are made at its end: a reply in the same batch
    # lands in the document its thread's first mail created, and an envelope whose
    # savepoint rolls back (here its acknowledgement fails) leaves none of its words.
    def acknowledger(kind, endpoint):
        def acknowledge(envelope, item, message):
            if "zanzibar" in item.text:
                raise ValueError("acknowledgement failed")

        return acknowledge

    monkeypatch.setattr(inbound, "acknowledger_for", acknowledger)
    raws = [
        _mail(1, text="My umbrella arrived broken."),
        _mail(2, refers_to=(1,), text="Also the handle is missing."),
        _mail(3, text="Another question about invoices."),
        _mail(4, text="Shipping to zanzibar, please."),
    ]
    envelopes = accept_many(endpoint=mailbox, raws=raws, queue=False)
    process_envelopes([e.pk for e in envelopes])
    statuses = [InboundEnvelope.objects.get(pk=e.pk).status for e in envelopes]
    assert statuses == ["processed", "processed", "processed", "failed"]
    thread = Message.objects.get(external_id="<batch-1@example.org>").conversation_id
    assert _found("umbrella") == _found("handle") == {thread}
    assert _found("invoices") and _found("invoices") != {thread}
    assert _found("zanzibar") == set()
    assert search_index.document_count() == Conversation.objects.count() == 2


def test_replies_in_a_later_batch_add_their_words_to_each_thread_in_one_go(world, mailbox):
    """The batch's words for conversations that have a document already (an earlier
    batch's) are added in one statement; each thread gets its own reply's words."""
    first = accept_many(
        endpoint=mailbox,
        raws=[_mail(1, text="Umbrella broken."), _mail(2, text="Invoice missing.")],
        queue=False,
    )
    process_envelopes([e.pk for e in first])
    later = accept_many(
        endpoint=mailbox,
        raws=[
            _mail(3, refers_to=(1,), text="The handle too."),
            _mail(4, refers_to=(2,), text="And the receipt."),
        ],
        queue=False,
    )
    process_envelopes([e.pk for e in later])
    umbrella = Message.objects.get(external_id="<batch-1@example.org>").conversation_id
    invoice = Message.objects.get(external_id="<batch-2@example.org>").conversation_id
    assert _found("handle") == {umbrella} and _found("receipt") == {invoice}
    assert _found("umbrella") == {umbrella}  # the document kept its first words


def test_contents_add_names_the_conversations_without_a_document(world, mailbox):
    envelopes = accept_many(endpoint=mailbox, raws=[_mail(1), _mail(2)], queue=False)
    process_envelopes([e.pk for e in envelopes])
    one, two = (
        Message.objects.get(external_id=f"<batch-{n}@example.org>").conversation_id for n in (1, 2)
    )
    missing = search_index.contents_add([(one, ["alpha"]), (10**9, ["gamma"]), (two, ["beta"])])
    assert missing == [10**9]
    assert _found("alpha") == {one} and _found("beta") == {two} and _found("gamma") == set()
    assert search_index.contents_add([]) == []
