"""The inbound funnel: accept (store, commit) -> process_envelope (parse, resolve, receive).

Every wire entry point calls `accept`. Nothing is parsed before the raw input is committed,
processing is idempotent, and a failure marks only its own envelope.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction

from lagniappe.channels import events, registry
from lagniappe.channels.contracts import DeliveryReport, EnvelopeData, InboundMessage, ParseError
from lagniappe.channels.endpoints import endpoint_info
from lagniappe.channels.models import Endpoint, EnvelopeStatus, InboundEnvelope
from lagniappe.channels.outbound import delivery_bounce_record
from lagniappe.conversations.contracts import ReceivedMessage
from lagniappe.conversations.models import Message
from lagniappe.conversations.services import message_receive
from lagniappe.core import clock
from lagniappe.core.actors import Actor
from lagniappe.core.errors import DomainError
from lagniappe.core.events import publish
from lagniappe.core.languages import language_normalise
from lagniappe.core.services import audit_batch
from lagniappe.customers.identities import IdentityClaim, claim_brand_scoped
from lagniappe.customers.services import identity_resolve

logger = logging.getLogger("lagniappe.channels.inbound")


def accept(
    *, endpoint: Endpoint, raw: bytes, content_type: str = "", remote_addr: str = ""
) -> InboundEnvelope:
    """Store what arrived and queue its processing, in one committed transaction."""
    from lagniappe.channels.tasks import process_envelope_task

    with transaction.atomic():
        envelope = _envelope_store(endpoint, raw, content_type, remote_addr)
        process_envelope_task.enqueue(envelope.pk)
    return envelope


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
    return InboundEnvelope.objects.create(
        endpoint=endpoint,
        kind=endpoint.kind,
        raw=raw,
        content_type=content_type[:127],
        remote_addr=remote_addr[:64],
        received_at=clock.now(),
    )


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


def _process_locked(envelope_id: int) -> list[Message]:
    """The worker's way: lock the envelope row, then process it unless someone already did."""
    with transaction.atomic(), audit_batch():
        envelope = (
            InboundEnvelope.objects.select_for_update()
            .select_related("endpoint__brand")
            .get(pk=envelope_id)
        )
        if envelope.status == EnvelopeStatus.PROCESSED:
            return list(Message.objects.filter(pk__in=envelope.message_ids).order_by("pk"))
        messages = _messages_from(envelope)
        InboundEnvelope.objects.filter(pk=envelope.pk).update(
            status=EnvelopeStatus.PROCESSED,
            processed_at=clock.now(),
            error=envelope.error,
            attempts=envelope.attempts + 1,
            message_ids=[m.pk for m in messages],
        )
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
        updated = InboundEnvelope.objects.filter(
            pk=envelope.pk, status=EnvelopeStatus.RECEIVED
        ).update(
            status=EnvelopeStatus.PROCESSED,
            processed_at=clock.now(),
            error=envelope.error,
            attempts=envelope.attempts + 1,
            message_ids=[m.pk for m in messages],
        )
        if updated == 0:
            raise _ProcessedElsewhere
    return messages


def _messages_from(envelope: InboundEnvelope) -> list[Message]:
    """Parse the envelope and thread its messages (inside the caller's transaction). Sets
    `envelope.error` to the note about delivery reports that matched nothing, if any."""
    data = EnvelopeData(
        id=envelope.pk,
        endpoint=endpoint_info(envelope.endpoint),
        raw=bytes(envelope.raw),
        content_type=envelope.content_type,
        received_at=envelope.received_at,
    )
    adapter = registry.inbound_adapter(envelope.kind)
    envelope.error = _reports_record(envelope.kind, getattr(adapter, "reports", None), data)
    parsed = adapter.parse(data)
    acknowledge = getattr(adapter, "acknowledge", None)
    messages = []
    for index, item in enumerate(parsed):
        message = _receive_one(data, item, index)
        if acknowledge is not None:  # e.g. email's automatic acknowledgement of a new thread
            acknowledge(data, item, message)
        messages.append(message)
    return messages


def _reports_record(
    kind: str, reports: Callable[[EnvelopeData], list[DeliveryReport]] | None, data: EnvelopeData
) -> str:
    """Record the delivery reports (bounces) an adapter found; a note for those matching none."""
    if reports is None:
        return ""
    unmatched = [
        report.original_message_id or "(no original Message-ID)"
        for report in reports(data)
        if delivery_bounce_record(kind=kind, report=report) is None
    ]
    if not unmatched:
        return ""
    return f"delivery report for no message of ours: {', '.join(unmatched)}"[:10_000]


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


def _receive_one(envelope: EnvelopeData, item: InboundMessage, index: int) -> Message:
    """Store one parsed message, or hand back the one an earlier delivery stored.

    A repeat changes nothing: a customer or identity resolved for it is rolled back with the
    savepoint, so reusing an external id with other customer details leaves no stray record.
    """
    try:
        with transaction.atomic(), audit_batch():
            message = _resolve_and_receive(envelope, item, index)
            if message.created_at < envelope.received_at:
                raise _Repeat(message)
            return message
    except _Repeat as repeat:
        return repeat.message


class _Repeat(Exception):
    def __init__(self, message: Message) -> None:
        super().__init__(message.pk)
        self.message = message


def _resolve_and_receive(envelope: EnvelopeData, item: InboundMessage, index: int) -> Message:
    endpoint = envelope.endpoint
    # Channels send BCP 47 tags as they please ("zh-TW", "en_US"); we store our five codes.
    language = language_normalise(item.language)
    # Without an id from the wire, the envelope's own id keeps a replay from doubling it.
    external_id = item.external_id or f"envelope:{envelope.id}:{index}"
    actor = Actor.customer(
        item.sender_name or (item.identities[0].value if item.identities else "")
    )
    customer = identity_resolve(
        actor=actor,
        organisation_id=endpoint.organisation_id,
        brand_id=endpoint.brand_id,
        claims=[
            IdentityClaim(i.kind, i.value, claim_brand_scoped(i.kind)) for i in item.identities
        ],
        name=item.sender_name,
        language=language,
    )
    return message_receive(
        actor=actor,
        received=ReceivedMessage(
            brand_id=endpoint.brand_id,
            endpoint_id=endpoint.id,
            channel_kind=endpoint.kind,
            customer_id=customer.pk,
            external_id=external_id,
            text=item.text,
            html=item.html,
            subject=item.subject,
            language=language or endpoint.default_language,
            received_at=item.sent_at,
            thread_conversation_id=item.thread_conversation_id,
            attachments=item.attachments,
            metadata=item.metadata,
            thread_keys=item.thread_keys,
            thread_subject=item.thread_subject,
            thread_subject_scope=item.thread_subject_scope,
            external_id_brand_wide=item.external_id_brand_wide,
        ),
        customer=customer,
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
