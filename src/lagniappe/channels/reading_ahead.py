"""Envelopes parsed in another process while this one writes: the poller's second core.

Processing a batch of mail is two kinds of work. Parsing (MIME, charsets, HTML cleaning,
language detection) needs nothing but the raw bytes; storing (customer, threading,
message, search words) is a conversation with the database. Done one after the other, one
core waits while the other works. An adapter whose `reports` and `parse` need no database
says so with `parses_without_database = True` (email's: the standard library's parser, and
the reply token is an HMAC); a poller that has just stored a batch hands those envelopes
to `ReadingAhead.submit`, and `envelope_parse` takes each one's reading from here instead of
parsing it, while the worker process is already parsing the next ones.

The invariants:
- Nothing here writes. Envelopes are committed before they are read, so a worker that
  dies loses nothing: the envelopes it held are parsed again in this process.
- A reading that failed in the worker is parsed again here, so a bad message fails with
  the same error, traceback and record as without read-ahead.
- The worker is forked with the analysers' models already loaded (copy on write) and never
  touches the database: its inherited connections refuse any query (sharing the parent's
  socket would corrupt both sides' conversation with the server).
- Small batches are parsed in this process: forking costs more than it saves there.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import connections

from lagniappe.channels import registry
from lagniappe.channels.contracts import DeliveryReport, EnvelopeData, InboundMessage
from lagniappe.conversations.search_documents import terms_foreseen

logger = logging.getLogger("lagniappe.channels.reading_ahead")

# Envelopes per task sent to the worker: fewer round trips through the pipe, while the
# first readings still come back soon after the batch is submitted.
CHUNK = 4
# A batch smaller than this is parsed in this process.
MIN_BATCH = 8


@dataclass(frozen=True)
class Reading:
    """What the adapter read in an envelope: its delivery reports and messages; and, read
    ahead, the search terms of those messages (`search_documents.inbound_terms_foreseen`)."""

    reports: list[DeliveryReport]
    messages: list[InboundMessage]
    terms: tuple[tuple[tuple[str, str, str], list[str]], ...] = ()


def reading_workers() -> int:
    """How many worker processes a poller may fork: LAGNIAPPE_PARSE_WORKERS, by default one
    core less than the machine has (none on one core)."""
    configured: int | None = settings.LAGNIAPPE_PARSE_WORKERS
    if configured is not None:
        return max(0, int(configured))
    return max(0, min(2, (os.cpu_count() or 1) - 1))


def _no_database(*_args: object) -> None:
    raise RuntimeError("a reading worker may not use the database")


def _worker_start() -> None:
    # Ctrl-C reaches the whole process group: the poller decides, the worker just stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for connection in connections.all(initialized_only=True):
        connection.execute_wrappers.append(_no_database)


Read = Callable[[str, EnvelopeData], Reading]
Foreseen = dict[tuple[str, str, str], list[str]]


def _read_chunk(read: Read, chunk: Sequence[tuple[str, EnvelopeData]]) -> list[Reading | None]:
    """Each envelope's reading, None where it failed (parsed again, and failed, at home)."""
    readings: list[Reading | None] = []
    for kind, data in chunk:
        try:
            readings.append(read(kind, data))
        except Exception:  # the parent parses it again and records the failure
            readings.append(None)
    return readings


def parses_without_database(kind: str) -> bool:
    try:
        adapter = registry.inbound_adapter(kind)
    except registry.UnknownChannel:
        return False
    return bool(getattr(adapter, "parses_without_database", False))


class ReadingAhead:
    """A worker process reading submitted envelopes in order, started on first use."""

    def __init__(self, workers: int, read: Read, foreseen: Foreseen) -> None:
        self._workers = workers
        self._read = read
        self._foreseen = foreseen
        self._executor: ProcessPoolExecutor | None = None
        self._pending: dict[int, tuple[Future[list[Reading | None]], int]] = {}
        self.from_worker = 0  # readings the worker made that were taken (for the tests)
        self._failures = 0

    def submit(self, envelopes: Sequence[tuple[str, EnvelopeData]]) -> None:
        """Start reading these (kind, envelope) in this order, if there are enough of them
        to be worth it and their adapter parses without the database."""
        wanted = [(kind, data) for kind, data in envelopes if parses_without_database(kind)]
        if self._workers <= 0 or len(wanted) < MIN_BATCH:
            return
        executor = self._executor_started()
        if executor is None:
            return
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            try:
                future = executor.submit(_read_chunk, self._read, chunk)
            except BrokenProcessPool:
                # The worker died since the last batch (its envelopes are parsed here, see
                # take): this batch gets a new one.
                self._executor = None
                executor.shutdown(wait=False, cancel_futures=True)
                self.submit(wanted[start:])
                return
            for index, (_kind, data) in enumerate(chunk):
                self._pending[data.id] = (future, index)

    def take(self, envelope_id: int) -> Reading | None:
        """The envelope's reading, waiting for it if need be; None when it was not
        submitted, or the worker failed it or died (then parse it here)."""
        pending = self._pending.pop(envelope_id, None)
        if pending is None:
            return None
        future, index = pending
        # Envelopes are taken in the order they are processed: terms foreseen for earlier
        # ones and still there were not wanted (a duplicate message, a failed envelope).
        self._foreseen.clear()
        try:
            reading = future.result()[index]
        except Exception as error:  # a dead worker: BrokenProcessPool, for every pending one
            if self._failures == 0:
                logger.warning("reading worker failed (%s): its envelopes are parsed here", error)
            self._failures += 1
            return None
        if reading is not None:
            self._foreseen.update(reading.terms)
            self.from_worker += 1
        return reading

    def peek(self, envelope_id: int) -> Reading | None:
        """The envelope's reading, waiting for it if need be, left for `take` (whose search
        terms are not handed over here); None when `take` would not give one."""
        pending = self._pending.get(envelope_id)
        if pending is None:
            return None
        future, index = pending
        try:
            return future.result()[index]
        except Exception:  # `take` says it, once
            return None

    def ready(self, envelope_id: int) -> bool:
        """Whether `peek` would answer at once: read already, or never submitted."""
        pending = self._pending.get(envelope_id)
        return pending is None or pending[0].done()

    def close(self) -> None:
        self._pending.clear()
        self._foreseen.clear()
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def _executor_started(self) -> ProcessPoolExecutor | None:
        if self._executor is None:
            try:
                context = multiprocessing.get_context("fork")
            except ValueError:  # no fork on this platform: parse at home
                self._workers = 0
                return None
            self._executor = ProcessPoolExecutor(
                max_workers=self._workers, mp_context=context, initializer=_worker_start
            )
        return self._executor


_active: ContextVar[ReadingAhead | None] = ContextVar("reading_ahead", default=None)


@contextmanager
def reading_ahead(read: Read, workers: int | None = None) -> Iterator[ReadingAhead]:
    """A ReadingAhead running `read` (a module-level function: it is sent to the worker by
    name) that `envelope_parse` consults within the block; closed after it."""
    with terms_foreseen() as foreseen:
        ahead = ReadingAhead(reading_workers() if workers is None else workers, read, foreseen)
        token = _active.set(ahead)
        try:
            yield ahead
        finally:
            _active.reset(token)
            ahead.close()


def reading_taken(envelope_id: int) -> Reading | None:
    """The active ReadingAhead's reading of this envelope, if it has one."""
    ahead = _active.get()
    return ahead.take(envelope_id) if ahead is not None else None


def reading_peeked(envelope_id: int) -> Reading | None:
    """What `reading_taken` will give for this envelope, without taking it: e.g. to know a
    batch's senders before its first envelope is processed."""
    ahead = _active.get()
    return ahead.peek(envelope_id) if ahead is not None else None


def reading_ready(envelope_id: int) -> bool:
    """Whether `reading_peeked` would answer without waiting for the worker."""
    ahead = _active.get()
    return ahead is None or ahead.ready(envelope_id)
