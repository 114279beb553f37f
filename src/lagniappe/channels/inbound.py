"""The inbound funnel: accept (store, commit) -> process_envelope (parse, resolve, receive).

Every wire entry point calls `accept`. Nothing is parsed before the raw input is committed,
processing is idempotent, and a failure marks only its own envelope.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import timedelta
from functools import partial

from django.db import connection, transaction

from lagniappe.channels import events, registry
from lagniappe.channels.batch_ahead import senders_read_ahead
from lagniappe.channels.contracts import (
    EndpointInfo,
    ParseError,
)
from lagniappe.channels.endpoints import endpoint_info
from lagniappe.channels.inbound_messages import (
    Acknowledge,
    acknowledger_for,
    envelope_messages_store,
    envelope_parse,
    parsed_message_receive,
)
from lagniappe.channels.models import Endpoint, EnvelopeStatus, InboundEnvelope
from lagniappe.conversations import search_documents
from lagniappe.conversations.models import Message
from lagniappe.core import clock
from lagniappe.core.actors import Actor
from lagniappe.core.errors import DomainError
from lagniappe.core.events import publish
from lagniappe.core.raw_rows import model_insert, models_insert
from lagniappe.core.raw_updates import rows_update, rows_update_each
from lagniappe.core.services import audit_batch
from lagniappe.customers.selectors import identities_read_ahead

logger = logging.getLogger("lagniappe.channels.inbound")


def process_batch_size() -> int:
    """Envelopes per `process_envelopes` transaction for a caller with many (a poller, an
    import). SQLite: 25, to hold its one write lock briefly. PostgreSQL locks rows, so the
    batch is bigger (fewer commits and batch reads), but stays under 64 envelopes: each
    envelope's savepoint is a subtransaction, and past 64 in one transaction PostgreSQL's
    per-backend cache of them overflows, which slows every other session's visibility
    checks until the batch commits (measured: 100 was slower than 50 here)."""
    return 50 if connection.vendor == "postgresql" else 25


def accept(
    *, endpoint: Endpoint, raw: bytes, content_type: str = "", remote_addr: str = ""
) -> InboundEnvelope:
    """Store what arrived and queue its processing, in one committed transaction."""
    from lagniappe.channels.tasks import process_envelope_task

    with transaction.atomic():
        envelope = _envelope_store(endpoint, raw, content_type, remote_addr)
        process_envelope_task.enqueue(envelope.pk)
    return envelope


def accept_many(
    *, endpoint: Endpoint, raws: Sequence[bytes], content_type: str = "", queue: bool = True
) -> list[InboundEnvelope]:
    """Store several inputs of one endpoint in one multi-row INSERT (in the caller's
    transaction, or its own), e.g. a batch fetched from a mailbox.

    `queue=False` is for a caller that processes them right away (`process_envelopes`) and
    writes no task row per envelope: if it dies first, the envelopes stay `received` and
    are processed by its next run or by the worker's sweep (see `envelopes_requeue_
    unprocessed`). Nothing is lost either way.
    """
    from lagniappe.channels.tasks import process_envelope_task

    now = clock.now()
    envelopes = [
        InboundEnvelope(
            endpoint=endpoint,
            kind=endpoint.kind,
            raw=raw,
            content_type=content_type[:127],
            received_at=now,
        )
        for raw in raws
    ]
    if not envelopes:
        return []
    with transaction.atomic():
        # One statement per batch, written once (the ORM's bulk_create compiled the batch's
        # 700 values each time: ≈ 0.2 ms of the poller's CPU a mail); both databases return
        # the new ids in order, as bulk_create relies on too.
        models_insert(envelopes, returning_ids=True)
        if queue:
            for envelope in envelopes:
                process_envelope_task.enqueue(envelope.pk)
    return envelopes


def accept_and_process(
    *,
    endpoint: Endpoint,
    raw: bytes,
    content_type: str = "",
    remote_addr: str = "",
    then: Callable[[InboundEnvelope, list[Message]], None] | None = None,
) -> tuple[InboundEnvelope, list[Message]]:
    """Store what arrived (committed), then process it in the caller's request.

    For entry points that answer with the result (the API). If the process dies between the
    two steps the envelope stays `received`, and the worker's sweep of unprocessed envelopes
    processes it later: nothing is lost, and processing twice is harmless. Call it outside
    any transaction, or the envelope is not committed before it is processed.

    `then` runs inside the processing transaction, after the messages are received: what the
    caller adds to them (an API call's tags and assignee) commits with them or not at all.
    """
    envelope = _envelope_store(endpoint, raw, content_type, remote_addr)
    try:
        messages = _process_guarded(envelope.pk, lambda: _process_stored(envelope, then))
    except _ProcessedElsewhere:
        # The sweep took it between our commit and our processing: theirs stands.
        messages = process_envelope(envelope.pk)
    if messages:
        envelope.status = EnvelopeStatus.PROCESSED
        envelope.message_ids = [message.pk for message in messages]
    else:
        envelope.refresh_from_db(fields=["status", "error", "message_ids", "processed_at"])
    return envelope, messages


def stored_by(envelope: InboundEnvelope, message: Message) -> bool:
    """Whether processing `envelope` stored `message`, rather than finding it stored by an
    earlier delivery (idempotency hands back the first one): nothing stored before the
    envelope arrived can be its doing."""
    return message.created_at >= envelope.received_at


def _envelope_store(
    endpoint: Endpoint, raw: bytes, content_type: str, remote_addr: str
) -> InboundEnvelope:
    envelope = InboundEnvelope(
        endpoint=endpoint,
        kind=endpoint.kind,
        raw=raw,
        content_type=content_type[:127],
        remote_addr=remote_addr[:64],
        received_at=clock.now(),
    )
    model_insert(envelope)  # every input of every channel passes here
    return envelope


def process_envelope(envelope_id: int) -> list[Message]:
    """Parse one envelope and thread its messages. Safe to run any number of times, at once."""
    return _process_guarded(envelope_id, lambda: _process_locked(envelope_id))


class _ProcessedElsewhere(Exception):
    """Another process marked the envelope processed while we worked on it (rolls ours back)."""


def _process_guarded(envelope_id: int, work: Callable[[], list[Message]]) -> list[Message]:
    """Run `work`; a failure marks the envelope failed with the reason instead of raising."""
    try:
        return work()
    except (InboundEnvelope.DoesNotExist, _ProcessedElsewhere):
        raise
    except (ParseError, DomainError, registry.UnknownChannel, UnicodeError, ValueError) as error:
        _envelope_fail(envelope_id, _describe(error))
        return []
    except Exception as error:
        logger.exception("envelope %s failed unexpectedly", envelope_id)
        _envelope_fail(envelope_id, _describe(error))
        return []


def process_envelopes(
    envelope_ids: Sequence[int], raws: Mapping[int, bytes] | None = None
) -> dict[int, list[Message]]:
    """Process several stored envelopes in ONE transaction: each envelope's messages by id.

    For a poller that has just stored a batch. The envelopes are locked and read in one
    query, their endpoints once; each envelope's writes still roll back on their own (a
    savepoint), so a bad one is marked failed alone (an empty list) and the others commit.
    What every envelope writes the same way is written once, at the batch's end and in its
    transaction: the search documents, the audit rows, the envelopes marked processed. Keep
    batches small: the transaction holds SQLite's write lock. `raws`: the envelopes' raw
    input by id, when the caller has just stored it (a poller, an import), so that the
    lock does not read it back (the server would decompress and send every mail again).
    """
    results: dict[int, list[Message]] = {}
    done: dict[int, tuple[InboundEnvelope, list[Message]]] = {}
    with transaction.atomic(), search_documents.documents_batched(), audit_batch():
        locking = InboundEnvelope.objects.select_for_update().filter(pk__in=list(envelope_ids))
        envelopes = list(locking.defer("raw") if raws else locking)
        for envelope in envelopes:
            if raws and envelope.pk in raws:  # a stored envelope's raw input never changes
                envelope.raw = raws[envelope.pk]
        endpoints = Endpoint.objects.select_related("brand").in_bulk(
            {envelope.endpoint_id for envelope in envelopes}
        )
        infos = {pk: endpoint_info(endpoint) for pk, endpoint in endpoints.items()}
        acknowledgers: dict[tuple[int, str], Acknowledge | None] = {}
        by_id = {envelope.pk: envelope for envelope in envelopes}
        batch = [by_id[envelope_id] for envelope_id in envelope_ids if envelope_id in by_id]
        with identities_read_ahead() as senders:
            covered = 0  # the envelopes before it had their senders read ahead
            for index, envelope in enumerate(batch):
                if index >= covered:
                    covered = senders_read_ahead(senders, batch, index, infos)
                envelope.endpoint = endpoints[envelope.endpoint_id]
                results[envelope.pk] = _process_guarded(
                    envelope.pk,
                    partial(
                        _process_in_batch,
                        envelope,
                        infos[envelope.endpoint_id],
                        acknowledgers,
                        done,
                    ),
                )
        _envelopes_mark_processed(done.values())
    return results


def _process_in_batch(
    envelope: InboundEnvelope,
    endpoint: EndpointInfo,
    acknowledgers: dict[tuple[int, str], Acknowledge | None],
    done: dict[int, tuple[InboundEnvelope, list[Message]]],
) -> list[Message]:
    """One envelope of a batch, added to `done` when it worked. It gets a savepoint of its
    own unless its only write is (at most) one message, which has a savepoint already."""
    if envelope.status == EnvelopeStatus.PROCESSED:
        return list(Message.objects.filter(pk__in=envelope.message_ids).order_by("pk"))
    key = (endpoint.id, envelope.kind)
    if key not in acknowledgers:  # asked once per endpoint and kind of the batch
        with transaction.atomic():  # here, so an unknown kind fails its envelopes alone
            acknowledgers[key] = acknowledger_for(envelope.kind, endpoint)
    acknowledge = acknowledgers[key]
    data, reports, parsed = envelope_parse(envelope, endpoint)
    mark = search_documents.documents_batch_mark()
    try:
        if reports or acknowledge or len(parsed) > 1:
            with transaction.atomic(), audit_batch():
                messages = envelope_messages_store(envelope, data, reports, parsed, acknowledge)
        else:
            envelope.error = ""
            messages = [parsed_message_receive(data, item, 0) for item in parsed]
    except BaseException:
        search_documents.documents_batch_rollback(mark)  # the savepoint was rolled back
        raise
    done[envelope.pk] = (envelope, messages)
    return messages


def _process_locked(envelope_id: int) -> list[Message]:
    """The worker's way: lock the envelope row, then process it unless someone already did."""
    with transaction.atomic(), audit_batch():
        envelope = (
            InboundEnvelope.objects.select_for_update()
            .select_related("endpoint__brand")
            .get(pk=envelope_id)
        )
        return _process_unless_done(envelope)


def _process_unless_done(envelope: InboundEnvelope) -> list[Message]:
    """Process a locked envelope (inside the caller's transaction) unless someone already
    did."""
    if envelope.status == EnvelopeStatus.PROCESSED:
        return list(Message.objects.filter(pk__in=envelope.message_ids).order_by("pk"))
    messages = _messages_from(envelope)
    _envelope_mark_processed(envelope, messages, only_if_waiting=False)
    return messages


def _process_stored(
    envelope: InboundEnvelope, then: Callable[[InboundEnvelope, list[Message]], None] | None
) -> list[Message]:
    """The request's way, for the envelope it has just stored: no read back. The final update
    only counts if the envelope is still waiting; otherwise everything here rolls back."""
    with transaction.atomic(), audit_batch():
        messages = _messages_from(envelope)
        if then is not None:
            then(envelope, messages)
        if not _envelope_mark_processed(envelope, messages, only_if_waiting=True):
            raise _ProcessedElsewhere
    return messages


def _envelope_mark_processed(
    envelope: InboundEnvelope, messages: list[Message], *, only_if_waiting: bool
) -> bool:
    """The final UPDATE of both ways of processing; False if `only_if_waiting` and the
    envelope was no longer `received` (someone else processed it)."""
    where: dict[str, object] = {"id": envelope.pk}
    if only_if_waiting:
        where["status"] = EnvelopeStatus.RECEIVED
    updated = rows_update(
        InboundEnvelope,
        where,
        {
            "status": EnvelopeStatus.PROCESSED,
            "processed_at": clock.now(),
            "error": envelope.error,
            "attempts": envelope.attempts + 1,
            "message_ids": [m.pk for m in messages],
        },
    )
    return updated > 0


def _envelopes_mark_processed(done: Iterable[tuple[InboundEnvelope, list[Message]]]) -> None:
    """A batch's envelopes marked processed in one UPDATE, each with its messages and note
    (what `_envelope_mark_processed` writes for one)."""
    rows_update_each(
        InboundEnvelope,
        {e.pk: {"error": e.error, "message_ids": [m.pk for m in ms]} for e, ms in done},
        {"status": EnvelopeStatus.PROCESSED, "processed_at": clock.now()},
        increments=("attempts",),
    )


def _messages_from(envelope: InboundEnvelope) -> list[Message]:
    """Parse the envelope and thread its messages (inside the caller's transaction)."""
    data, reports, parsed = envelope_parse(envelope, None)
    acknowledge = acknowledger_for(envelope.kind, data.endpoint) if parsed else None
    return envelope_messages_store(envelope, data, reports, parsed, acknowledge)


def _describe(error: BaseException) -> str:
    if isinstance(error, DomainError) and error.details:
        return f"{type(error).__name__}: {error.message} {error.details}"
    return f"{type(error).__name__}: {error}"


def _envelope_fail(envelope_id: int, error: str) -> None:
    with transaction.atomic():
        envelope = InboundEnvelope.objects.select_for_update().get(pk=envelope_id)
        envelope.status = EnvelopeStatus.FAILED
        envelope.error = error[:10_000]
        envelope.attempts += 1
        envelope.processed_at = clock.now()
        envelope.save(update_fields=["status", "error", "attempts", "processed_at"])
        publish(
            events.EnvelopeFailed(
                envelope_id=envelope.pk, endpoint_id=envelope.endpoint_id, error=error[:500]
            )
        )


@transaction.atomic
def envelope_replay(*, actor: Actor, envelope: InboundEnvelope) -> InboundEnvelope:
    """Queue a failed (or stuck) envelope for processing again, keeping its raw input."""
    from lagniappe.channels.tasks import process_envelope_task
    from lagniappe.core.services import audit_record

    InboundEnvelope.objects.filter(pk=envelope.pk).update(status=EnvelopeStatus.RECEIVED)
    process_envelope_task.enqueue(envelope.pk)
    audit_record(
        actor=actor,
        action="envelope.replay",
        object_type="envelope",
        object_id=envelope.pk,
        brand_id=envelope.endpoint.brand_id,
        before={"status": envelope.status, "error": envelope.error[:500]},
    )
    envelope.refresh_from_db()
    return envelope


def envelopes_requeue_unprocessed(*, older_than: timedelta = timedelta(0)) -> int:
    """Queue every envelope still waiting (received before `older_than` ago), e.g. after a
    worker or a server died mid-way. Idempotent: processing an envelope twice is harmless."""
    from lagniappe.channels.tasks import process_envelope_task

    ids = list(
        InboundEnvelope.objects.filter(
            status=EnvelopeStatus.RECEIVED, received_at__lte=clock.now() - older_than
        ).values_list("pk", flat=True)
    )
    for envelope_id in ids:
        process_envelope_task.enqueue(envelope_id)
    return len(ids)
