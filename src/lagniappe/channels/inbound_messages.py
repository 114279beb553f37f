"""A stored envelope into the domain, for the inbound funnel (`channels.inbound`): the
adapter's reading of it (delivery reports, messages), the reports recorded, each message's
customer (identity_resolve) and message (message_receive), the adapter's acknowledgement."""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction

from lagniappe.channels import registry
from lagniappe.channels.contracts import DeliveryReport, EndpointInfo, EnvelopeData, InboundMessage
from lagniappe.channels.endpoints import endpoint_info
from lagniappe.channels.models import InboundEnvelope
from lagniappe.channels.outbound import delivery_bounce_record
from lagniappe.channels.reading_ahead import Reading, reading_taken
from lagniappe.conversations import search_documents
from lagniappe.conversations.contracts import ReceivedMessage
from lagniappe.conversations.models import Message
from lagniappe.conversations.receiving import message_receive
from lagniappe.conversations.search_documents import inbound_terms_foreseen
from lagniappe.conversations.selectors import message_by_endpoint_external_id
from lagniappe.core.actors import Actor
from lagniappe.core.languages import language_normalise
from lagniappe.core.services import audit_batch
from lagniappe.customers.identities import IdentityClaim, claim_brand_scoped
from lagniappe.customers.services import identity_resolve

Acknowledge = Callable[[EnvelopeData, InboundMessage, Message], None]


def acknowledger_for(kind: str, endpoint: EndpointInfo) -> Acknowledge | None:
    """The adapter's acknowledgement for this endpoint's messages, asked once per batch (an
    adapter may say "none" with one look-up, e.g. a brand without automatic replies)."""
    adapter = registry.inbound_adapter(kind)
    prepare = getattr(adapter, "acknowledger", None)
    if prepare is not None:
        acknowledge: Acknowledge | None = prepare(endpoint)
        return acknowledge
    return getattr(adapter, "acknowledge", None)


def envelope_parse(
    envelope: InboundEnvelope, endpoint: EndpointInfo | None
) -> tuple[EnvelopeData, list[DeliveryReport], list[InboundMessage]]:
    """What the adapter reads in the envelope (nothing written yet): its delivery reports
    (bounces) and its messages."""
    data = envelope_data(envelope, endpoint)
    # Read already by the poller's reading worker, or now (the same function either way).
    reading = reading_taken(envelope.pk) or envelope_read(envelope.kind, data)
    return data, reading.reports, reading.messages


def envelope_read(kind: str, data: EnvelopeData) -> Reading:
    """The adapter's reading of one envelope: its delivery reports and messages."""
    adapter = registry.inbound_adapter(kind)
    reports = getattr(adapter, "reports", None)
    return Reading(reports(data) if reports is not None else [], adapter.parse(data))


def envelope_read_ahead(kind: str, data: EnvelopeData) -> Reading:
    """`envelope_read` in a reading worker: also the search terms each message will index,
    analysed there rather than by the process writing the messages."""
    reading = envelope_read(kind, data)
    terms = tuple(
        foreseen
        for item in reading.messages
        for foreseen in inbound_terms_foreseen(
            item.subject,
            item.text,
            item.html,
            received_language(item, data.endpoint),
            handles=(item.sender_name, *(identity.value for identity in item.identities)),
        )
    )
    return Reading(reading.reports, reading.messages, terms)


def received_language(item: InboundMessage, endpoint: EndpointInfo) -> str:
    """The language a message is stored in: the one the channel says (as one of our five
    codes; channels send BCP 47 tags as they please, "zh-TW", "en_US"), else the endpoint's."""
    return language_normalise(item.language) or endpoint.default_language


def envelope_data(envelope: InboundEnvelope, endpoint: EndpointInfo | None) -> EnvelopeData:
    """The pure shape of a stored envelope that adapters read."""
    return EnvelopeData(
        id=envelope.pk,
        endpoint=endpoint or endpoint_info(envelope.endpoint),
        raw=bytes(envelope.raw),
        content_type=envelope.content_type,
        received_at=envelope.received_at,
    )


def envelope_messages_store(
    envelope: InboundEnvelope,
    data: EnvelopeData,
    reports: list[DeliveryReport],
    parsed: list[InboundMessage],
    acknowledge: Acknowledge | None,
) -> list[Message]:
    """Record the reports and receive the messages. Sets `envelope.error` to the note about
    delivery reports that matched nothing, if any."""
    envelope.error = _reports_record(envelope.kind, reports)
    messages = []
    for index, item in enumerate(parsed):
        message = parsed_message_receive(data, item, index)
        if acknowledge:  # e.g. email's automatic acknowledgement of a new thread
            acknowledge(data, item, message)
        messages.append(message)
    return messages


def _reports_record(kind: str, reports: list[DeliveryReport]) -> str:
    """Record the delivery reports (bounces) an adapter found; a note for those matching none."""
    unmatched = [
        report.original_message_id or "(no original Message-ID)"
        for report in reports
        if delivery_bounce_record(kind=kind, report=report) is None
    ]
    if not unmatched:
        return ""
    return f"delivery report for no message of ours: {', '.join(unmatched)}"[:10_000]


def parsed_message_receive(envelope: EnvelopeData, item: InboundMessage, index: int) -> Message:
    """Store one parsed message, or hand back the one an earlier delivery stored.

    A repeat changes nothing: a customer or identity resolved for it is rolled back with the
    savepoint, so reusing an external id with other customer details leaves no stray record.
    """
    # Without an id from the wire, the envelope's own id keeps a replay from doubling it.
    external_id = item.external_id or f"envelope:{envelope.id}:{index}"
    for attempt in range(_ATTEMPTS):
        mark = search_documents.documents_batch_mark()
        try:
            with transaction.atomic(), audit_batch():
                message = _resolve_and_receive(envelope, item, external_id)
                if message.created_at < envelope.received_at:
                    raise _Repeat(message)
                return message
        except _Repeat as repeat:
            # The savepoint was rolled back, and with it any search-document write gathered
            # in it (other errors reach the funnel, which forgets the whole envelope's).
            search_documents.documents_batch_rollback(mark)
            return repeat.message
        except IntegrityError:
            search_documents.documents_batch_rollback(mark)
            # Lost a race on a unique constraint (identity_resolve and message_receive run in
            # this savepoint, not ones of their own): a concurrent delivery of the same
            # message stands, or a concurrent first mail of the same customer created them
            # and the next attempt finds them.
            existing = message_by_endpoint_external_id(envelope.endpoint.id, external_id[:255])
            if existing is not None:
                return existing
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


_ATTEMPTS = 3


class _Repeat(Exception):
    def __init__(self, message: Message) -> None:
        super().__init__(message.pk)
        self.message = message


def message_claims(item: InboundMessage) -> list[IdentityClaim]:
    """The handles a message's sender presented, as identity_resolve takes them."""
    return [IdentityClaim(i.kind, i.value, claim_brand_scoped(i.kind)) for i in item.identities]


def _resolve_and_receive(envelope: EnvelopeData, item: InboundMessage, external_id: str) -> Message:
    endpoint = envelope.endpoint
    # The customer gets a language only when the message names one.
    language = language_normalise(item.language)
    actor = Actor.customer(
        item.sender_name or (item.identities[0].value if item.identities else "")
    )
    customer = identity_resolve(
        actor=actor,
        organisation_id=endpoint.organisation_id,
        brand_id=endpoint.brand_id,
        claims=message_claims(item),
        name=item.sender_name,
        language=language,
        savepoint=False,
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
            language=received_language(item, endpoint),
            received_at=item.sent_at,
            thread_conversation_id=item.thread_conversation_id,
            attachments=item.attachments,
            metadata=item.metadata,
            thread_keys=item.thread_keys,
            thread_subject=item.thread_subject,
            thread_subject_scope=item.thread_subject_scope,
            thread_subject_scope_joins=item.thread_subject_scope_joins,
            external_id_brand_wide=item.external_id_brand_wide,
        ),
        customer=customer,
        savepoint=False,
    )
