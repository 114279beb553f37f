"""The IMAP poller: new mail by UID, stored through the inbound funnel before it is flagged.

For each new UID (above the `MailboxState.last_uid` of the folder's UIDVALIDITY) the raw
message is fetched with BODY.PEEK[] (fetching does not mark it read), stored as an envelope
and the UID recorded in ONE transaction; only then is it flagged \\Seen or moved to the
processed folder. A poller killed anywhere starts again right after the last stored UID: no
message is lost, none is stored twice; and should the server renumber the folder (a new
UIDVALIDITY) the whole folder comes again and the funnel's Message-ID check makes the
copies duplicates, not messages.

Parsing happens later, in the worker (or right away with `process=True`: then no task row is
written per envelope, each batch is processed in one transaction with a savepoint per
envelope, and what a killed poll stored but never processed is processed by the next poll,
or by the worker's sweep); a message that cannot be parsed is a failed envelope and never
stops the poll. With `process=True` a batch big enough is parsed by a forked reading worker
while this process writes the messages (`channels.reading_ahead`): two cores at work.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
import select
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from lagniappe.channels.email.mailbox_settings import ImapSettings, imap_settings
from lagniappe.channels.email.models import MailboxState
from lagniappe.channels.endpoints import endpoint_info
from lagniappe.channels.inbound import accept_many, process_batch_size, process_envelopes
from lagniappe.channels.inbound_messages import envelope_data, envelope_read_ahead
from lagniappe.channels.models import Endpoint, EnvelopeStatus, InboundEnvelope
from lagniappe.channels.reading_ahead import reading_ahead
from lagniappe.core import clock
from lagniappe.core.errors import InvalidInput

logger = logging.getLogger("lagniappe.channels.email.imap")

FETCH_BATCH = 100
IMAP_TIMEOUT_SECONDS = 60
# RFC 2177: servers may drop an IDLE after 30 minutes; we renew well before.
IDLE_RENEW_SECONDS = 25 * 60
_UID_IN_FETCH = re.compile(rb"UID (\d+)")


class ImapError(Exception):
    """The server could not be reached or refused us. Never carries the password."""


@dataclass(frozen=True)
class PollSummary:
    stored: int
    processed: int
    failed: int
    uidvalidity: int
    last_uid: int


def imap_connect(config: ImapSettings) -> imaplib.IMAP4:
    try:
        client: imaplib.IMAP4
        if config.ssl:
            client = imaplib.IMAP4_SSL(
                config.host,
                config.port,
                ssl_context=ssl.create_default_context(),
                timeout=IMAP_TIMEOUT_SECONDS,
            )
        else:
            client = imaplib.IMAP4(config.host, config.port, timeout=IMAP_TIMEOUT_SECONDS)
        client.login(config.username, config.password)
    except (imaplib.IMAP4.error, OSError) as error:
        # imaplib's errors quote the server, never our command line; still, say only what.
        raise ImapError(
            f"IMAP {config.host}:{config.port} as {config.username}: {type(error).__name__}"
            f" {str(error).replace(config.password, '********') if config.password else error}"
        ) from None
    return client


def _select(client: imaplib.IMAP4, folder: str) -> int:
    status, _ = client.select(_quoted(folder))
    if status != "OK":
        raise ImapError(f"cannot open folder {folder!r}")
    value = client.untagged_responses.get("UIDVALIDITY", [b"0"])[-1]
    return int(value) if isinstance(value, bytes | str) else 0


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _new_uids(client: imaplib.IMAP4, after: int) -> list[int]:
    status, data = client.uid("SEARCH", "UID", f"{after + 1}:*")
    if status != "OK":
        raise ImapError("UID SEARCH failed")
    # "n:*" always matches the highest UID, even when it is below n.
    return sorted(uid for uid in (int(x) for x in b" ".join(data or [b""]).split()) if uid > after)


def _fetch(client: imaplib.IMAP4, uids: list[int]) -> dict[int, bytes]:
    status, data = client.uid("FETCH", ",".join(map(str, uids)), "(UID BODY.PEEK[])")
    if status != "OK":
        raise ImapError("UID FETCH failed")
    found: dict[int, bytes] = {}
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            match = _UID_IN_FETCH.search(item[0])
            if match:
                found[int(match.group(1))] = item[1]
    return found


def _mark_done(client: imaplib.IMAP4, uids: list[int], config: ImapSettings) -> None:
    """Flag stored messages \\Seen, or move them to the processed folder. Only for people
    reading the mailbox: our own bookkeeping is the UID, so a failure here loses nothing."""
    if not uids:
        return
    ranges = ",".join(map(str, uids))
    try:
        if config.processed_folder:
            if b"MOVE" in b" ".join(c.encode() for c in client.capabilities):
                client.uid("MOVE", ranges, _quoted(config.processed_folder))
                return
            client.uid("COPY", ranges, _quoted(config.processed_folder))
            client.uid("STORE", ranges, "+FLAGS.SILENT", "(\\Seen \\Deleted)")
            client.expunge()
        else:
            client.uid("STORE", ranges, "+FLAGS.SILENT", "(\\Seen)")
    except (imaplib.IMAP4.error, OSError):
        logger.warning("could not flag %d stored messages as processed", len(uids))


def _state(endpoint: Endpoint, folder: str, uidvalidity: int) -> MailboxState:
    state, _ = MailboxState.objects.get_or_create(endpoint=endpoint, folder=folder)
    if state.uidvalidity != uidvalidity:
        if state.uidvalidity:
            logger.warning(
                "mailbox %s folder %s renumbered (UIDVALIDITY %s -> %s): reading it again",
                endpoint.pk,
                folder,
                state.uidvalidity,
                uidvalidity,
            )
        state.uidvalidity = uidvalidity
        state.last_uid = 0
        state.save(update_fields=["uidvalidity", "last_uid"])
    return state


def _store_batch(
    endpoint: Endpoint,
    state: MailboxState,
    fetched: list[tuple[int, bytes]],
    on_stored: Callable[[int], None] | None,
    stored_before: int,
    *,
    queue: bool,
) -> list[InboundEnvelope]:
    """The fetched batch's envelopes (one multi-row INSERT) and its last UID, committed
    together, still before anything is flagged on the server. `queue=False` when this poll
    processes them itself: no task row each (a killed poll's leftovers are picked up by the
    next poll, `_leftovers_process`, or the worker's sweep)."""
    with transaction.atomic():
        envelopes = accept_many(
            endpoint=endpoint,
            raws=[raw for _uid, raw in fetched],
            content_type="message/rfc822",
            queue=queue,
        )
        if on_stored is not None:  # progress, per message, inside the transaction
            for count in range(1, len(envelopes) + 1):
                on_stored(stored_before + count)
        if fetched:
            last_uid = fetched[-1][0]
            MailboxState.objects.filter(pk=state.pk).update(
                last_uid=last_uid, polled_at=clock.now()
            )
    if fetched:
        state.last_uid = fetched[-1][0]
    return envelopes


def _process_stored(
    envelope_ids: list[int], raws: dict[int, bytes] | None = None
) -> tuple[int, int]:
    """Process stored envelopes, `process_batch_size()` to a transaction: (processed, failed).

    Each envelope still runs in its own savepoint, so a failure marks only itself; sharing
    the commit saves a transaction per message, and the batch's envelopes, endpoint and
    brand settings are read once. The envelopes are committed already, so a crash mid-batch
    only leaves them `received`: nothing lost, nothing doubled.
    The batch size is `process_batch_size()`'s (by database).
    """
    processed = failed = 0
    size = process_batch_size()
    for start in range(0, len(envelope_ids), size):
        results = process_envelopes(envelope_ids[start : start + size], raws)
        for messages in results.values():
            if messages:
                processed += 1
        empty = [envelope_id for envelope_id, messages in results.items() if not messages]
        if empty:
            failed += InboundEnvelope.objects.filter(
                pk__in=empty, status=EnvelopeStatus.FAILED
            ).count()
    return processed, failed


def _leftovers_process(endpoint: Endpoint) -> tuple[int, int]:
    """Envelopes of this mailbox an earlier poll stored but did not live to process."""
    waiting = list(
        InboundEnvelope.objects.filter(endpoint=endpoint, status=EnvelopeStatus.RECEIVED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return _process_stored(waiting) if waiting else (0, 0)


def mailbox_poll_client(
    client: imaplib.IMAP4,
    endpoint: Endpoint,
    config: ImapSettings,
    *,
    process: bool = False,
    limit: int | None = None,
    on_stored: Callable[[int], None] | None = None,
) -> PollSummary:
    """Store every new message of the folder (at most `limit`) on an open connection."""
    uidvalidity = _select(client, config.folder)
    state = _state(endpoint, config.folder, uidvalidity)
    uids = _new_uids(client, state.last_uid)[:limit]
    stored = processed = failed = 0
    # While this process writes one batch's messages, a worker parses the next ones.
    with reading_ahead(envelope_read_ahead, None if process else 0) as ahead:
        info = endpoint_info(endpoint) if process else None
        # A batch is processed once the next one is stored and handed to the worker, which
        # so always has mail to read while this process writes.
        waiting: list[int] = []
        waiting_raws: dict[int, bytes] = {}
        for start in range(0, len(uids), FETCH_BATCH):
            batch = uids[start : start + FETCH_BATCH]
            fetched = _fetch(client, batch)
            present = [uid for uid in batch if uid in fetched]  # others expunged meanwhile
            envelopes = _store_batch(
                endpoint,
                state,
                [(uid, fetched[uid]) for uid in present],
                on_stored,
                stored,
                queue=not process,
            )
            stored += len(present)
            _mark_done(client, present, config)
            if info is not None:
                ahead.submit([(e.kind, envelope_data(e, info)) for e in envelopes])
                done, broken = _process_stored(waiting, waiting_raws)
                processed, failed = processed + done, failed + broken
                waiting = [envelope.pk for envelope in envelopes]
                waiting_raws = {envelope.pk: bytes(envelope.raw) for envelope in envelopes}
        done, broken = _process_stored(waiting, waiting_raws)
        processed, failed = processed + done, failed + broken
    if process:
        # After the new mail, so that one envelope that kills the process every time it is
        # processed cannot keep the mailbox's new mail out as well.
        done, broken = _leftovers_process(endpoint)
        processed += done
        failed += broken
    MailboxState.objects.filter(pk=state.pk).update(polled_at=clock.now())
    return PollSummary(stored, processed, failed, uidvalidity, state.last_uid)


def mailbox_imap_config(endpoint: Endpoint) -> ImapSettings:
    config = imap_settings(endpoint.settings)
    if config is None:
        raise InvalidInput("This mailbox has no IMAP settings.", details={"endpoint": endpoint.pk})
    return config


def mailbox_poll(
    endpoint: Endpoint, *, process: bool = False, limit: int | None = None
) -> PollSummary:
    """Connect, store what is new, disconnect. Call it outside any transaction."""
    config = mailbox_imap_config(endpoint)
    client = imap_connect(config)
    try:
        return mailbox_poll_client(client, endpoint, config, process=process, limit=limit)
    finally:
        _logout(client)


def _logout(client: imaplib.IMAP4) -> None:
    with contextlib.suppress(imaplib.IMAP4.error, OSError):
        client.logout()


def idle_wait(client: imaplib.IMAP4, seconds: float) -> bool:
    """RFC 2177 IDLE on the selected folder until the server announces mail (True) or
    `seconds` pass (False). imaplib before Python 3.14 has no IDLE, hence the raw protocol."""
    tag = client._new_tag()
    client.send(tag + b" IDLE\r\n")
    if not client.readline().startswith(b"+"):
        raise ImapError("the server refused IDLE")
    sock = client.socket()
    deadline = time.monotonic() + seconds
    news = False
    try:
        while not news:
            remaining = deadline - time.monotonic()
            # select() instead of a socket timeout: a timed-out socket file cannot be read
            # again, and we still need it for DONE.
            if (
                remaining <= 0
                or not select.select([sock], [], [], min(remaining, IDLE_RENEW_SECONDS))[0]
            ):
                break
            line = client.readline()
            if not line:
                raise ImapError("the server closed the connection during IDLE")
            news = line.startswith(b"*") and (b"EXISTS" in line or b"RECENT" in line)
    finally:
        client.send(b"DONE\r\n")
        while True:  # up to our tagged answer
            line = client.readline()
            if not line or line.startswith(tag):
                break
    return news


def mailbox_poll_forever(
    endpoint: Endpoint,
    *,
    process: bool = True,
    interval: float = 60.0,
    should_stop: Callable[[], bool] = lambda: False,
    on_poll: Callable[[PollSummary], None] | None = None,
) -> None:
    """Poll, then wait for news with IDLE where the server offers it, else sleep `interval`.
    A lost connection is opened again after `interval`."""
    config = mailbox_imap_config(endpoint)
    while not should_stop():
        try:
            client = imap_connect(config)
            try:
                while not should_stop():
                    summary = mailbox_poll_client(client, endpoint, config, process=process)
                    if on_poll is not None:
                        on_poll(summary)
                    if "IDLE" in client.capabilities:
                        idle_wait(client, interval)
                    else:
                        time.sleep(interval)
            finally:
                _logout(client)
        except (ImapError, imaplib.IMAP4.error, OSError) as error:
            logger.warning("mailbox %s: %s; trying again in %ss", endpoint.pk, error, interval)
            time.sleep(interval)
