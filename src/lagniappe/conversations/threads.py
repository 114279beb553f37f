"""Which conversation an inbound message threads into, and the keys later messages find it by.

Private to message_receive (the only caller): these read and write ThreadKey rows inside its
transaction. Email is the main user; any channel may send thread keys.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from hashlib import sha256

from django.conf import settings

from lagniappe.conversations.contracts import ReceivedMessage
from lagniappe.conversations.models import Conversation, ThreadKey
from lagniappe.conversations.selectors import message_by_brand_external_ids
from lagniappe.customers.models import Customer
from lagniappe.engines.mail.subjects import subject_ticket_ids


def _subject_thread_keys(received: ReceivedMessage) -> list[str]:
    """The customer's own subject key, then the shared discussion's (a list's), if any."""
    if not received.thread_subject:
        return []
    digest = sha256(received.thread_subject.encode("utf-8")).hexdigest()[:40]
    keys = [f"subject:{received.channel_kind}:{received.customer_id}:{digest}"]
    if received.thread_subject_scope:
        scope = sha256(received.thread_subject_scope.encode("utf-8")).hexdigest()[:16]
        keys.append(f"subject:{received.channel_kind}:{scope}:{digest}")
    return keys


def thread_find(
    received: ReceivedMessage, customer: Customer, now: datetime
) -> Conversation | None:
    """Where a message threads, strongest evidence first: the conversation the channel named;
    a message it answers (by id, in any endpoint of the brand); a reply to it that arrived
    first; a `[#id]` tag of the same customer's conversation; the same customer's same
    subject within LAGNIAPPE_EMAIL_SUBJECT_THREAD_DAYS."""
    brand_id = received.brand_id
    if received.thread_conversation_id is not None:
        named = Conversation.objects.filter(
            pk=received.thread_conversation_id, brand_id=brand_id
        ).first()
        if named is not None:
            return named
    if received.thread_keys:
        parent = message_by_brand_external_ids(brand_id, received.thread_keys)
        if parent is not None:
            return parent.conversation
    if received.thread_keys or received.external_id_brand_wide:
        # Keys stored by earlier messages: a reply that came before this message (it named
        # this message's id) or a sibling that answers the same missing parent.
        keys = [*received.thread_keys, received.external_id]
        rows = {
            row.key: row
            for row in ThreadKey.objects.filter(brand_id=brand_id, key__in=keys).select_related(
                "conversation"
            )
        }
        for key in keys:
            if key in rows:
                return rows[key].conversation
    for ticket_id in subject_ticket_ids(received.subject):
        tagged = Conversation.objects.filter(
            pk=ticket_id, brand_id=brand_id, customer_id=customer.pk
        ).first()
        if tagged is not None:
            return tagged
    subject_keys = _subject_thread_keys(received)
    if subject_keys:
        window = timedelta(days=settings.LAGNIAPPE_EMAIL_SUBJECT_THREAD_DAYS)
        when = received.received_at or now
        subject_rows = {
            row.key: row
            for row in ThreadKey.objects.filter(
                brand_id=brand_id, key__in=subject_keys
            ).select_related("conversation")
        }
        for key in subject_keys:
            row = subject_rows.get(key)
            if row is not None and abs(when - row.seen_at) <= window:
                return row.conversation
    return None


def thread_keys_record(
    received: ReceivedMessage, conversation: Conversation, now: datetime
) -> None:
    """Remember what later messages may thread by. The first conversation a Message-ID led to
    keeps it; a subject leads to the latest conversation with that subject."""
    when = received.received_at or now
    if received.thread_keys:
        ThreadKey.objects.bulk_create(
            [
                ThreadKey(
                    brand_id=received.brand_id,
                    key=key[:255],
                    conversation=conversation,
                    seen_at=when,
                )
                for key in received.thread_keys[:100]
            ],
            ignore_conflicts=True,
        )
    subject_keys = _subject_thread_keys(received)
    if subject_keys:
        ThreadKey.objects.bulk_create(
            [
                ThreadKey(
                    brand_id=received.brand_id, key=key, conversation=conversation, seen_at=when
                )
                for key in subject_keys
            ],
            update_conflicts=True,
            unique_fields=["brand", "key"],
            update_fields=["conversation", "seen_at"],
        )


def thread_key_add(*, brand_id: int, conversation_id: int, key: str, seen_at: datetime) -> None:
    """One key leading to a conversation; an existing key keeps its first conversation."""
    ThreadKey.objects.bulk_create(
        [ThreadKey(brand_id=brand_id, key=key[:255], conversation_id=conversation_id,
                   seen_at=seen_at)],
        ignore_conflicts=True,
    )  # fmt: skip
