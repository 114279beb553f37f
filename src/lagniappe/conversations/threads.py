"""Which conversation an inbound message threads into, and the keys later messages find it by.

Private to message_receive (the only caller): these read and write ThreadKey rows inside its
transaction. Email is the main user; any channel may send thread keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from hashlib import sha256
from typing import Any

from django.conf import settings
from django.db import connection

from lagniappe.conversations.contracts import ReceivedMessage
from lagniappe.conversations.models import Conversation, Message, ThreadKey
from lagniappe.core.raw_rows import model_column_count, model_columns, model_from_row
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


class _ParentUnknown:
    """Not looked up yet (thread_find asks itself)."""


PARENT_UNKNOWN = _ParentUnknown()
# The conversation of the message a new one answers: found, none, or not looked up yet.
ThreadParent = Conversation | None | _ParentUnknown


def thread_find(
    received: ReceivedMessage,
    customer: Customer,
    now: datetime,
    *,
    parent: ThreadParent = PARENT_UNKNOWN,
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
        if isinstance(parent, _ParentUnknown):
            parent = thread_messages_read(brand_id, "", received.thread_keys)[1]
        if parent is not None:
            return parent
    # Keys stored by earlier messages: a reply that came before this message (it named this
    # message's id) or a sibling that answers the same missing parent; and subject keys.
    # One look-up for both kinds; the order of evidence is applied below.
    id_keys = (
        [*received.thread_keys, received.external_id]
        if received.thread_keys or received.external_id_brand_wide
        else []
    )
    subject_keys = _subject_thread_keys(received)
    rows = _thread_keys_read(brand_id, [*id_keys, *subject_keys])
    for key in id_keys:
        if key in rows:
            return rows[key][1]
    for ticket_id in subject_ticket_ids(received.subject):
        tagged = Conversation.objects.filter(
            pk=ticket_id, brand_id=brand_id, customer_id=customer.pk
        ).first()
        if tagged is not None:
            return tagged
    if subject_keys:
        window = timedelta(days=settings.LAGNIAPPE_EMAIL_SUBJECT_THREAD_DAYS)
        when = received.received_at or now
        for key in subject_keys:
            row = rows.get(key)
            if row is not None and abs(when - row[0]) <= window:
                return row[1]
    return None


def thread_messages_read(
    brand_id: int, external_id: str, thread_keys: Sequence[str]
) -> tuple[int | None, Conversation | None]:
    """The brand's message already stored under `external_id` (a duplicate; "" asks
    nothing), and the conversation of the message whose external id comes first in
    `thread_keys` (the parent), in one statement.

    Hand-written (every email asks it): the (brand, external_id) index finds the messages
    and the conversation comes in the same statement. No ORDER BY (see
    selectors.message_by_brand_external_ids): the oldest of duplicates is picked here.
    """
    keys = [key for key in thread_keys if key][:100]
    wanted = list(dict.fromkeys([external_id, *keys] if external_id else keys))
    if not wanted:
        return None, None
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(wanted))
    sql = (
        f"SELECT m.external_id, m.id, {model_columns(Conversation, 'c')} "  # noqa: S608
        f"FROM {quote(Message._meta.db_table)} m "
        f"JOIN {quote(Conversation._meta.db_table)} c ON c.id = m.conversation_id "
        f"WHERE m.brand_id = %s AND m.external_id IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [brand_id, *wanted])
        found: dict[str, tuple[int, tuple[object, ...]]] = {}
        for row_key, pk, *conversation in cursor.fetchall():
            if row_key not in found or pk < found[row_key][0]:
                found[row_key] = (pk, tuple(conversation))
    duplicate = found[external_id][0] if external_id and external_id in found else None
    for key in keys:
        if key in found:
            return duplicate, model_from_row(Conversation, found[key][1])
    return duplicate, None


def _thread_keys_read(
    brand_id: int, keys: Sequence[str]
) -> dict[str, tuple[datetime, Conversation]]:
    """The brand's ThreadKey rows for `keys`: when each was seen and its conversation."""
    wanted = list(dict.fromkeys(key[:255] for key in keys if key))
    if not wanted:
        return {}
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(wanted))
    sql = (
        f"SELECT {model_columns(ThreadKey, 't')}, {model_columns(Conversation, 'c')} "  # noqa: S608
        f"FROM {quote(ThreadKey._meta.db_table)} t "
        f"JOIN {quote(Conversation._meta.db_table)} c ON c.id = t.conversation_id "
        f"WHERE t.brand_id = %s AND t.key IN ({marks})"
    )
    width = model_column_count(ThreadKey)
    rows: dict[str, tuple[datetime, Conversation]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [brand_id, *wanted])
        for row in cursor.fetchall():
            thread_key = model_from_row(ThreadKey, row[:width])
            rows[thread_key.key] = (thread_key.seen_at, model_from_row(Conversation, row[width:]))
    return rows


def thread_keys_record(
    received: ReceivedMessage, conversation: Conversation, now: datetime
) -> None:
    """Remember what later messages may thread by. The first conversation a Message-ID led to
    keeps it; a subject leads to the latest conversation with that subject."""
    subject_keys = _subject_thread_keys(received)
    _thread_keys_insert(
        received.brand_id,
        [*received.thread_keys[:100], *subject_keys],
        conversation.pk,
        received.received_at or now,
        replace=subject_keys,
    )


def thread_key_add(*, brand_id: int, conversation_id: int, key: str, seen_at: datetime) -> None:
    """One key leading to a conversation; an existing key keeps its first conversation."""
    _thread_keys_insert(brand_id, [key], conversation_id, seen_at, replace=())


def _thread_keys_insert(
    brand_id: int,
    keys: Sequence[str],
    conversation_id: int,
    seen_at: datetime,
    *,
    replace: Sequence[str],
) -> None:
    """Insert keys leading to a conversation in one statement (every email writes some). An
    existing key keeps its row, except the keys of `replace` (among `keys`), pointed here."""
    unique = list(dict.fromkeys(key[:255] for key in keys if key))
    if not unique:
        return
    replaced = [key for key in dict.fromkeys(key[:255] for key in replace) if key]
    quote = connection.ops.quote_name
    on_conflict = (
        "DO UPDATE SET conversation_id = excluded.conversation_id, seen_at = excluded.seen_at "
        f"WHERE excluded.{quote('key')} IN ({', '.join(['%s'] * len(replaced))})"
        if replaced
        else "DO NOTHING"
    )
    sql = (
        f"INSERT INTO {quote(ThreadKey._meta.db_table)} (brand_id, {quote('key')}, "  # noqa: S608
        f"conversation_id, seen_at) VALUES {', '.join(['(%s, %s, %s, %s)'] * len(unique))} "
        f"ON CONFLICT (brand_id, {quote('key')}) {on_conflict}"
    )
    when = ThreadKey._meta.get_field("seen_at").get_db_prep_save(seen_at, connection)
    params: list[Any] = []
    for key in unique:
        params += [brand_id, key, conversation_id, when]
    params += replaced
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
