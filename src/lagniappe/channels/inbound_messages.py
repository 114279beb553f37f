"""One parsed inbound message into the domain: its customer (identity_resolve) and its
message (message_receive), for the inbound funnel (`channels.inbound`)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from lagniappe.channels.contracts import EnvelopeData, InboundMessage
from lagniappe.conversations import search_documents
from lagniappe.conversations.contracts import ReceivedMessage
from lagniappe.conversations.models import Message
from lagniappe.conversations.selectors import message_by_endpoint_external_id
from lagniappe.conversations.services import message_receive
from lagniappe.core.actors import Actor
from lagniappe.core.languages import language_normalise
from lagniappe.core.services import audit_batch
from lagniappe.customers.identities import IdentityClaim, claim_brand_scoped
from lagniappe.customers.services import identity_resolve


def parsed_message_receive(envelope: EnvelopeData, item: InboundMessage, index: int) -> Message:
    """Store one parsed message, or hand back the one an earlier delivery stored.

    A repeat changes nothing: a customer or identity resolved for it is rolled back with the
    savepoint, so reusing an external id with other customer details leaves no stray record.
    """
    # Without an id from the wire, the envelope's own id keeps a replay from doubling it.
    external_id = item.external_id or f"envelope:{envelope.id}:{index}"
    mark = search_documents.documents_batch_mark()
    try:
        with transaction.atomic(), audit_batch():
            message = _resolve_and_receive(envelope, item, external_id)
            if message.created_at < envelope.received_at:
                raise _Repeat(message)
            return message
    except _Repeat as repeat:
        # The savepoint was rolled back, and with it any search-document write gathered in
        # it (other errors reach the envelope's savepoint, which forgets its own).
        search_documents.documents_batch_rollback(mark)
        return repeat.message
    except IntegrityError:
        search_documents.documents_batch_rollback(mark)
        # A concurrent delivery of the same message won the unique constraint (message_receive
        # runs in this savepoint, not one of its own): theirs stands, ours rolled back.
        existing = message_by_endpoint_external_id(envelope.endpoint.id, external_id[:255])
        if existing is None:
            raise
        return existing


class _Repeat(Exception):
    def __init__(self, message: Message) -> None:
        super().__init__(message.pk)
        self.message = message


def _resolve_and_receive(envelope: EnvelopeData, item: InboundMessage, external_id: str) -> Message:
    endpoint = envelope.endpoint
    # Channels send BCP 47 tags as they please ("zh-TW", "en_US"); we store our five codes.
    language = language_normalise(item.language)
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
            thread_subject_scope_joins=item.thread_subject_scope_joins,
            external_id_brand_wide=item.external_id_brand_wide,
        ),
        customer=customer,
        savepoint=False,
    )
