"""The poller's reading worker: a forked process parses a batch while the poller writes it.

What must hold: the same messages, threads, failures and search words as parsing at home;
a worker that fails an envelope, touches the database or dies costs nothing but time.
"""

from __future__ import annotations

import os
import re

import pytest

from lagniappe.channels import reading_ahead as reading_ahead_module
from lagniappe.channels.contracts import EnvelopeData
from lagniappe.channels.endpoints import endpoint_info
from lagniappe.channels.inbound import accept_many, process_envelopes
from lagniappe.channels.inbound_messages import envelope_data, envelope_read_ahead
from lagniappe.channels.models import EnvelopeStatus, InboundEnvelope
from lagniappe.channels.reading_ahead import Reading, ReadingAhead, reading_ahead
from lagniappe.conversations import search_index
from lagniappe.conversations.models import Conversation, Message
from lagniappe.engines.textsearch.filtering import query_alternatives

from .conftest import eml
from .test_imap import CORPUS_ORDER

WORKER_PID_HEADER = "x-read-by"


def _store(mailbox, names: list[str]) -> list[InboundEnvelope]:
    return accept_many(endpoint=mailbox, raws=[eml(name) for name in names], queue=False)


def _process_with(read, mailbox, envelopes, *, workers: int = 1) -> ReadingAhead:
    info = endpoint_info(mailbox)
    with reading_ahead(read, workers) as ahead:
        ahead.submit([(e.kind, envelope_data(e, info)) for e in envelopes])
        process_envelopes([e.pk for e in envelopes])
    return ahead


def _outcome() -> tuple[list[tuple[str, str]], set[frozenset[str]]]:
    """Each envelope's status and error, and the threads as sets of Message-IDs."""
    envelopes = [(e.status, e.error) for e in InboundEnvelope.objects.order_by("pk")]
    threads: dict[int, set[str]] = {}
    for conversation_id, external_id in Message.objects.values_list(
        "conversation_id", "external_id"
    ):
        threads.setdefault(conversation_id, set()).add(external_id)
    return envelopes, {frozenset(ids) for ids in threads.values()}


def test_the_worker_reads_and_the_outcome_is_parsing_at_home(world, mailbox):
    envelopes = _store(mailbox, CORPUS_ORDER)
    ahead = _process_with(envelope_read_ahead, mailbox, envelopes)
    # Nine mails read by the worker; the garbage failed there and again at home, with the
    # error recorded here.
    assert ahead.from_worker == len(CORPUS_ORDER) - 1
    statuses, threads = _outcome()
    assert [status for status, _ in statuses].count(EnvelopeStatus.PROCESSED) == 9
    [error] = [e for s, e in statuses if s == EnvelopeStatus.FAILED]
    assert "unreadable email" in error
    assert frozenset({"<zh-hans-1@mail.example.cn>", "<zh-hans-2@mail.example.cn>"}) in threads
    assert frozenset({"<ooo-child@example.com>", "<ooo-parent@example.com>"}) in threads
    # The search words the worker analysed ahead are the conversation's: each message is
    # found by words of its own text, CJK included.
    for conversation_id, text in Message.objects.values_list("conversation_id", "text"):
        words = " ".join(re.findall(r"\w+", text)[:2])[:12]  # the last word: a prefix
        found = Conversation.objects.filter(
            pk__in=search_index.matching_ids(query_alternatives(words))
        )
        assert found.filter(pk=conversation_id).exists(), (words, text)


def test_the_same_batch_parsed_at_home_gives_the_same_outcome(world, mailbox):
    """The reference for the test above: no worker (workers=0)."""
    envelopes = _store(mailbox, CORPUS_ORDER)
    ahead = _process_with(envelope_read_ahead, mailbox, envelopes, workers=0)
    assert ahead.from_worker == 0
    statuses, threads = _outcome()
    with_worker_expected = {
        frozenset({"<zh-hans-1@mail.example.cn>", "<zh-hans-2@mail.example.cn>"}),
        frozenset({"<ooo-child@example.com>", "<ooo-parent@example.com>"}),
    }
    assert with_worker_expected <= threads
    assert [s for s, _ in statuses].count(EnvelopeStatus.PROCESSED) == 9


def _read_and_touch_the_database(kind: str, data: EnvelopeData) -> Reading:
    Conversation.objects.count()  # refused in the worker: its connection is the parent's
    return envelope_read_ahead(kind, data)


def test_a_worker_that_queries_is_refused_and_the_parent_connection_is_intact(world, mailbox):
    envelopes = _store(mailbox, CORPUS_ORDER)
    ahead = _process_with(_read_and_touch_the_database, mailbox, envelopes)
    assert ahead.from_worker == 0  # every reading was refused, so all were read at home
    assert Message.objects.count() == 9  # and this process's connection still answers
    assert InboundEnvelope.objects.filter(status=EnvelopeStatus.PROCESSED).count() == 9


def _read_or_die(kind: str, data: EnvelopeData) -> Reading:
    if b"<ja-1@example.jp>" in data.raw:
        os._exit(3)  # as a segfault or the OOM killer would end it
    return envelope_read_ahead(kind, data)


def test_a_dying_worker_loses_nothing(world, mailbox, caplog):
    envelopes = _store(mailbox, CORPUS_ORDER)
    ahead = _process_with(_read_or_die, mailbox, envelopes)
    assert ahead.from_worker < len(CORPUS_ORDER) - 1
    assert "reading worker failed" in caplog.text
    assert InboundEnvelope.objects.filter(status=EnvelopeStatus.PROCESSED).count() == 9
    assert Message.objects.filter(external_id="<ja-1@example.jp>").exists()


def test_after_a_worker_died_the_next_batch_gets_a_new_one(world, mailbox):
    first = _store(mailbox, CORPUS_ORDER)  # holds the mail that kills the worker
    second = _store(mailbox, ["ja_shift_jis_tagged.eml", "ja_euc_jp_forward.eml"] * 5)
    info = endpoint_info(mailbox)
    with reading_ahead(_read_or_die, 1) as ahead:
        ahead.submit([(e.kind, envelope_data(e, info)) for e in first])
        process_envelopes([e.pk for e in first])
        before = ahead.from_worker
        ahead.submit([(e.kind, envelope_data(e, info)) for e in second])
        process_envelopes([e.pk for e in second])
    assert ahead.from_worker - before == len(second)  # all read by the new worker
    assert InboundEnvelope.objects.filter(status=EnvelopeStatus.FAILED).count() == 1
    assert Message.objects.filter(external_id="<ja-1@example.jp>").exists()


def test_a_small_batch_starts_no_worker(world, mailbox):
    envelopes = _store(mailbox, CORPUS_ORDER[: reading_ahead_module.MIN_BATCH - 1])
    ahead = _process_with(envelope_read_ahead, mailbox, envelopes)
    assert ahead.from_worker == 0 and ahead._executor is None


def test_workers_follow_the_setting(settings):
    settings.LAGNIAPPE_PARSE_WORKERS = 0
    assert reading_ahead_module.reading_workers() == 0
    settings.LAGNIAPPE_PARSE_WORKERS = None
    assert reading_ahead_module.reading_workers() == max(0, min(2, (os.cpu_count() or 1) - 1))


@pytest.mark.parametrize("workers", [0, 1])
def test_foreseen_terms_are_taken_once_and_not_kept(world, mailbox, workers):
    """A reading's terms live until the next envelope is taken: a duplicate (not stored
    again, so never asks for them) leaves nothing behind."""
    names = CORPUS_ORDER[:2] * 5  # ten envelopes, eight of them duplicates
    envelopes = _store(mailbox, names)
    ahead = _process_with(envelope_read_ahead, mailbox, envelopes, workers=workers)
    assert ahead._foreseen == {}
    assert Message.objects.count() == 2
