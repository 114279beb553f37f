"""A customer's message into its conversation: the only creator of inbound messages.

Threading finds the conversation (conversations.threads), the message goes in with its
thread keys and the conversation's counters in one statement, its words into the search
document, and `MessageReceived` is published. Idempotent on (endpoint, external_id).
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from lagniappe.conversations import events, search_documents, states
from lagniappe.conversations.attachments import attachment_create
from lagniappe.conversations.bodies import MAX_SUBJECT_CHARACTERS, inbound_body
from lagniappe.conversations.contracts import ReceivedMessage
from lagniappe.conversations.merging import thread_conversations_join
from lagniappe.conversations.models import Conversation, Direction, Message
from lagniappe.conversations.selectors import message_by_endpoint_external_id
from lagniappe.conversations.services import conversation_create
from lagniappe.conversations.threads import (
    ThreadEvidence,
    thread_evidence_read,
    thread_find,
    thread_keys_statement,
)
from lagniappe.core import clock
from lagniappe.core.actors import Actor
from lagniappe.core.errors import InvalidInput
from lagniappe.core.events import publish
from lagniappe.core.raw_rows import model_insert
from lagniappe.core.raw_updates import rows_update_statement
from lagniappe.core.services import audit_batch
from lagniappe.customers.models import Customer

# Who merges conversations that one message's Message-IDs show to be one thread.
_THREADING = Actor.system("threading")


def message_receive(
    *,
    actor: Actor,
    received: ReceivedMessage,
    customer: Customer | None = None,
    savepoint: bool = True,
) -> Message:
    """Thread a customer's message into a conversation. The only creator of inbound messages.

    Idempotent on (endpoint, external_id): the same message delivered again returns the
    message stored the first time, even when both deliveries race. The unique constraint
    decides, so a new message costs no look-up first. `customer`, when the caller has it
    loaded already, saves reading it again. `savepoint=False`: the caller runs this in a
    savepoint of its own and, on IntegrityError, rolls it back and asks
    `message_by_endpoint_external_id` (the inbound funnel: one savepoint less per message).
    """
    evidence: ThreadEvidence | None = None
    if received.external_id_brand_wide and received.external_id:
        # The duplicate check and the threading look-ups in one statement (every email asks).
        evidence = thread_evidence_read(received)
        if evidence.duplicate_id is not None:
            return Message.objects.select_related("conversation").get(pk=evidence.duplicate_id)
    if customer is None or customer.pk != received.customer_id:
        customer = Customer.objects.get(pk=received.customer_id)
    if not savepoint:
        return _message_receive_new(actor, received, customer, evidence)
    try:
        with transaction.atomic(), audit_batch():
            return _message_receive_new(actor, received, customer, evidence)
    except IntegrityError:
        existing = message_by_endpoint_external_id(received.endpoint_id, received.external_id)
        if existing is None:
            raise
        return existing


def _message_receive_new(
    actor: Actor, received: ReceivedMessage, customer: Customer, evidence: ThreadEvidence | None
) -> Message:
    text, clean_html = inbound_body(received.text, received.html)
    if not text.strip() and not received.attachments:
        raise InvalidInput("A message needs text or an attachment.", details={"text": ""})
    now = clock.now()
    conversation, created = _conversation_for_inbound(actor, received, customer, now, evidence)
    message = Message(
        conversation=conversation,
        brand_id=conversation.brand_id,
        direction=Direction.INBOUND,
        channel_kind=received.channel_kind,
        endpoint_id=received.endpoint_id,
        external_id=received.external_id[:255],
        subject=received.subject[:MAX_SUBJECT_CHARACTERS],
        text=text,
        html=clean_html,
        language=received.language,
        author_customer=customer,
        created_at=now,
        sent_at=received.received_at,
    )
    # The thread keys and the conversation's counters go with the message's insert (one
    # round trip on PostgreSQL); the counters move in the database (another message may
    # land at the same moment).
    along = [thread_keys_statement(received, conversation, now)]
    if not created:
        updates: dict[str, object] = {
            "last_message_at": now,
            "last_inbound_at": now,
            "updated_at": now,
        }
        if conversation.status in states.REOPENED_BY_CUSTOMER:
            updates["status"] = states.Status.OPEN
        along.append(
            rows_update_statement(
                Conversation,
                {"id": conversation.pk},
                updates,
                increments=("message_count", "version"),
            )
        )
    model_insert(message, along=[write for write in along if write is not None])
    for upload in received.attachments:
        attachment_create(conversation=conversation, upload=upload, message=message)
    if created:
        search_documents.document_create(conversation, customer, message)
    else:
        search_documents.document_message_add(message, conversation_language=conversation.language)
    publish(
        events.MessageReceived(
            message_id=message.pk,
            conversation_id=conversation.pk,
            brand_id=conversation.brand_id,
            channel_kind=conversation.channel_kind,
            assignee_id=conversation.assignee_id,
            opened=created,
        )
    )
    return message


def _conversation_for_inbound(
    actor: Actor,
    received: ReceivedMessage,
    customer: Customer,
    now: datetime,
    evidence: ThreadEvidence | None,
) -> tuple[Conversation, bool]:
    """The conversation the message belongs to, and whether this message opened it. When
    its Message-IDs link conversations that are one thread, they are merged first."""
    follow_up_of_id = None
    choice = thread_find(received, customer, now, evidence=evidence)
    thread = choice.conversation
    if thread is not None and choice.linked:
        thread = thread_conversations_join(actor=_THREADING, conversations=(thread, *choice.linked))
    if thread is not None and thread.status != states.Status.CLOSED:
        return thread, False
    if thread is not None:
        follow_up_of_id = thread.pk
    conversation = conversation_create(
        actor=actor,
        brand_id=received.brand_id,
        customer=customer,
        channel_kind=received.channel_kind,
        endpoint_id=received.endpoint_id,
        subject=received.subject or received.text[:80],
        language=received.language,
        follow_up_of_id=follow_up_of_id,
        first_inbound_at=now,
    )
    return conversation, True
