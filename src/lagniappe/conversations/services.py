"""Every write to conversations, messages and notes. Only these functions emit their events."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F

from lagniappe.conversations import events, outbox, search_documents, states
from lagniappe.conversations.attachments import attachment_create
from lagniappe.conversations.bodies import (
    MAX_SUBJECT_CHARACTERS,
    MAX_TEXT_CHARACTERS,
    inbound_body,
)
from lagniappe.conversations.changes import conversation_locked, version_check
from lagniappe.conversations.contracts import AttachmentUpload, ReceivedMessage
from lagniappe.conversations.errors import ConversationMerged
from lagniappe.conversations.merging import thread_conversations_join
from lagniappe.conversations.models import (
    Attachment,
    Conversation,
    Direction,
    Message,
    Note,
    Priority,
)
from lagniappe.conversations.recipients import cc_addresses_clean
from lagniappe.conversations.selectors import (
    message_by_endpoint_external_id,
)
from lagniappe.conversations.threads import (
    ThreadEvidence,
    thread_evidence_read,
    thread_find,
    thread_key_add,
    thread_keys_statement,
)
from lagniappe.core import clock
from lagniappe.core.actors import Actor
from lagniappe.core.channel_kinds import ChannelKind
from lagniappe.core.errors import InvalidInput, InvalidTransition
from lagniappe.core.events import publish
from lagniappe.core.raw_rows import model_insert, prefetched_set, rows_update_statement
from lagniappe.core.sanitising import html_sanitise, html_to_text, text_to_html
from lagniappe.core.services import audit_batch, audit_record
from lagniappe.customers.models import Customer
from lagniappe.staff.models import Agent

# Who merges conversations that one message's Message-IDs show to be one thread.
_THREADING = Actor.system("threading")


# No savepoint of its own: nothing here is caught and retried, and savepoints cost a round trip
# on the busiest path (every inbound message that opens a conversation).
@transaction.atomic(savepoint=False)
def conversation_create(
    *,
    actor: Actor,
    brand_id: int,
    customer: Customer,
    channel_kind: str,
    endpoint_id: int | None = None,
    subject: str = "",
    language: str = "",
    priority: int = Priority.NORMAL,
    team_id: int | None = None,
    assignee_id: int | None = None,
    follow_up_of_id: int | None = None,
    first_inbound_at: datetime | None = None,
) -> Conversation:
    """A new conversation. `first_inbound_at` says the customer's first message arrives with
    it (message_receive), so its counters are written with the row, not updated after."""
    if priority not in Priority.values:
        raise InvalidInput("Unknown priority.", details={"priority": priority})
    counters: dict[str, object] = {}
    if first_inbound_at is not None:
        counters = {
            "last_message_at": first_inbound_at,
            "last_inbound_at": first_inbound_at,
            "message_count": 1,
        }
    conversation = Conversation(
        brand_id=brand_id,
        customer=customer,
        endpoint_id=endpoint_id,
        channel_kind=channel_kind,
        subject=subject[:300],
        language=language,
        priority=priority,
        team_id=team_id,
        assignee_id=assignee_id,
        follow_up_of_id=follow_up_of_id,
        **counters,
    )
    model_insert(conversation)
    if first_inbound_at is None:  # message_receive writes the document with its message
        search_documents.document_create(conversation, customer)
    # A new row has no tags: say so, so whoever shows it next does not ask the database.
    prefetched_set(conversation, "tags", [])
    audit_record(
        actor=actor,
        action="conversation.create",
        object_type="conversation",
        object_id=conversation.pk,
        brand_id=brand_id,
        after={"customer": customer.pk, "channel": channel_kind, "subject": conversation.subject},
    )
    publish(
        events.ConversationCreated(
            conversation_id=conversation.pk,
            brand_id=brand_id,
            channel_kind=channel_kind,
            assignee_id=assignee_id,
        )
    )
    return conversation


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


@transaction.atomic
def message_send(
    *,
    actor: Actor,
    conversation: Conversation,
    author_id: int | None,
    text: str,
    html: str = "",
    subject: str = "",
    attachments: Sequence[AttachmentUpload] = (),
    expected_version: int | None = None,
    attachment_ids: Sequence[int] = (),
    cc: Sequence[str] = (),
    automatic: bool = False,
) -> Message:
    """Write an agent's reply and its delivery record in one transaction.

    `attachment_ids` names files uploaded earlier to this conversation and not yet sent;
    `cc` are addresses an email reply is copied to (other channels cannot carry them).
    `automatic` is mail no person wrote (an email acknowledgement): it is not a first
    response and does not open a new conversation.
    """
    conversation = conversation_locked(conversation)
    version_check(conversation, expected_version)
    if conversation.status == states.Status.CLOSED:
        raise InvalidTransition(
            "A closed conversation cannot be replied to.", details={"status": conversation.status}
        )
    if not text.strip() and not html.strip():
        raise InvalidInput("A reply needs text.", details={"text": ""})
    clean_html = html_sanitise(html) if html else text_to_html(text)
    copied = cc_addresses_clean(cc)
    if copied and conversation.channel_kind != ChannelKind.EMAIL:
        raise InvalidInput("Only an email reply can be copied.", details={"cc": copied})
    now = clock.now()
    message = Message.objects.create(
        conversation=conversation,
        brand_id=conversation.brand_id,
        direction=Direction.OUTBOUND,
        channel_kind=conversation.channel_kind,
        endpoint_id=conversation.endpoint_id,
        subject=(subject or conversation.subject)[:300],
        text=(text or html_to_text(clean_html))[:MAX_TEXT_CHARACTERS],
        html=clean_html,
        cc=copied,
        language=conversation.language,
        author_agent_id=author_id,
        created_at=now,
    )
    for upload in attachments:
        attachment_create(
            conversation=conversation, upload=upload, uploaded_by_id=author_id, message=message
        )
    if attachment_ids:
        wanted = set(attachment_ids)
        linked = Attachment.objects.filter(
            pk__in=wanted, conversation=conversation, message__isnull=True
        ).update(message=message)
        if linked != len(wanted):
            raise InvalidInput(
                "An attachment is unknown, belongs elsewhere or was sent already.",
                details={"attachment_ids": sorted(wanted)},
            )
    search_documents.document_message_add(message, conversation_language=conversation.language)
    conversation.last_message_at = now
    conversation.message_count += 1
    conversation.version += 1
    fields = ["last_message_at", "message_count", "version", "updated_at"]
    if conversation.first_response_at is None and not automatic:
        conversation.first_response_at = now
        fields.append("first_response_at")
    if conversation.status == states.Status.NEW and not automatic:
        conversation.status = states.Status.OPEN
        fields.append("status")
    conversation.save(update_fields=fields)
    outbox.outbox_write(
        message_id=message.pk,
        brand_id=conversation.brand_id,
        channel_kind=conversation.channel_kind,
        endpoint_id=conversation.endpoint_id,
    )
    audit_record(
        actor=actor,
        action="message.send_automatic" if automatic else "message.send",
        object_type="conversation",
        object_id=conversation.pk,
        brand_id=conversation.brand_id,
        after={"message": message.pk},
    )
    publish(
        events.MessageSent(
            message_id=message.pk,
            conversation_id=conversation.pk,
            brand_id=conversation.brand_id,
        )
    )
    return message


@transaction.atomic
def note_add(
    *,
    actor: Actor,
    conversation: Conversation,
    author_id: int | None,
    text: str,
    mention_ids: Iterable[int] = (),
) -> Note:
    if not text.strip():
        raise InvalidInput("A note needs text.", details={"text": ""})
    # Checked on the row, not on the caller's copy: a page opened before a merge still posts
    # here, and the note would stay behind on the closed, empty source. The UPDATE also waits
    # for a merge in progress, which then moves this note with the rest.
    if not Conversation.objects.filter(pk=conversation.pk, merged_into__isnull=True).update(
        version=F("version") + 1
    ):
        merged_into_id = (
            Conversation.objects.filter(pk=conversation.pk)
            .values_list("merged_into_id", flat=True)
            .first()
        )
        raise ConversationMerged(
            "This conversation was merged into another already.",
            details={"conversation_id": conversation.pk, "merged_into_id": merged_into_id},
        )
    mentioned = list(
        Agent.objects.filter(pk__in=list(mention_ids), brands=conversation.brand_id).values_list(
            "pk", flat=True
        )
    )
    note = Note.objects.create(
        conversation=conversation, author_id=author_id, text=text[:MAX_TEXT_CHARACTERS]
    )
    note.mentions.set(mentioned)
    audit_record(
        actor=actor,
        action="note.add",
        object_type="conversation",
        object_id=conversation.pk,
        brand_id=conversation.brand_id,
        after={"note": note.pk, "mentions": mentioned},
    )
    publish(
        events.NoteAdded(
            note_id=note.pk,
            conversation_id=conversation.pk,
            brand_id=conversation.brand_id,
            mentioned_agent_ids=tuple(mentioned),
        )
    )
    return note


def message_thread_key_record(*, message_id: int, key: str) -> None:
    """Let later inbound messages that name `key` (e.g. the Message-ID our reply was sent
    with, in a customer's In-Reply-To) thread into the message's conversation. Bookkeeping
    like message_receive's own keys, so not audited; the first conversation keeps a key."""
    if not key:
        return
    message = Message.objects.only("brand_id", "conversation_id").get(pk=message_id)
    thread_key_add(
        brand_id=message.brand_id,
        conversation_id=message.conversation_id,
        key=key,
        seen_at=clock.now(),
    )
