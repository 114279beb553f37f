"""Every write to conversations, messages and notes. Only these functions emit their events."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import F

from lagniappe.conversations import events, outbox, search_documents, states
from lagniappe.conversations.attachments import attachment_create
from lagniappe.conversations.bodies import (
    MAX_TEXT_CHARACTERS,
)
from lagniappe.conversations.changes import conversation_locked, version_check
from lagniappe.conversations.contracts import AttachmentUpload
from lagniappe.conversations.errors import ConversationMerged
from lagniappe.conversations.models import (
    Attachment,
    Conversation,
    Direction,
    Message,
    Note,
    Priority,
)
from lagniappe.conversations.recipients import cc_addresses_clean
from lagniappe.conversations.threads import (
    thread_key_add,
)
from lagniappe.core import clock
from lagniappe.core.actors import Actor
from lagniappe.core.channel_kinds import ChannelKind
from lagniappe.core.errors import InvalidInput, InvalidTransition
from lagniappe.core.events import publish
from lagniappe.core.raw_rows import model_insert, prefetched_set
from lagniappe.core.sanitising import html_sanitise, html_to_text, text_to_html
from lagniappe.core.services import audit_record
from lagniappe.customers.models import Customer
from lagniappe.staff.models import Agent


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
