"""Which conversation an inbound message threads into, and the keys later messages find it by.

Private to message_receive (the only caller): these read and write ThreadKey rows inside its
transaction. Email is the main user; any channel may send thread keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from hashlib import sha256
from typing import Any

from django.conf import settings
from django.db import connection

from lagniappe.conversations.contracts import ReceivedMessage
from lagniappe.conversations.merging import conversation_merge_follow
from lagniappe.conversations.models import Conversation, Message, ThreadKey
from lagniappe.core.raw_rows import model_column_count, model_columns, model_from_row
from lagniappe.customers.models import Customer
from lagniappe.engines.mail.subjects import subject_ticket_ids


def _subject_thread_keys(received: ReceivedMessage, *, joining: bool = False) -> list[str]:
    """The customer's own subject key, then the shared discussion's (a list's), if any;
    `joining`: only those the message may join by (a list's key for replies only)."""
    if not received.thread_subject:
        return []
    digest = sha256(received.thread_subject.encode("utf-8")).hexdigest()[:40]
    keys = [f"subject:{received.channel_kind}:{received.customer_id}:{digest}"]
    if received.thread_subject_scope and (received.thread_subject_scope_joins or not joining):
        scope = sha256(received.thread_subject_scope.encode("utf-8")).hexdigest()[:16]
        keys.append(f"subject:{received.channel_kind}:{scope}:{digest}")
    return keys


@dataclass(frozen=True)
class ThreadEvidence:
    """What the stored rows say about one inbound message, read in one statement."""

    # The brand's message stored under this message's own id already (a duplicate).
    duplicate_id: int | None = None
    # Message-ID -> the conversation of the (oldest) message with that id, for the ids the
    # message answers.
    messages: dict[str, Conversation] = field(default_factory=dict)
    # ThreadKey rows by key: when seen, and the conversation the key leads to.
    keys: dict[str, tuple[datetime, Conversation]] = field(default_factory=dict)


@dataclass(frozen=True)
class ThreadChoice:
    """Where a message threads, and the other conversations its Message-ID evidence links
    it to (strongest first): more than one conversation means they are one thread."""

    conversation: Conversation | None
    linked: tuple[Conversation, ...] = ()


def _id_keys(received: ReceivedMessage) -> list[str]:
    """Keys by Message-ID: the ids it answers, and its own (a reply that came before it
    recorded it)."""
    if received.thread_keys or received.external_id_brand_wide:
        return [*received.thread_keys, received.external_id]
    return []


def thread_find(
    received: ReceivedMessage,
    customer: Customer,
    now: datetime,
    *,
    evidence: ThreadEvidence | None = None,
) -> ThreadChoice:
    """Where a message threads, strongest evidence first: the conversation the channel named;
    a message it answers (by id, in any endpoint of the brand); a reply to it that arrived
    first; a `[#id]` tag of the same customer's conversation; the same customer's same
    subject within LAGNIAPPE_EMAIL_SUBJECT_THREAD_DAYS. A conversation merged into another
    leads to that one.

    Every conversation the Message-ID evidence (the first three) names is in the choice:
    when a reply arrived before the message that links it to its thread, they are two, and
    the caller merges them (conversations.merging.thread_conversations_join). The subject and
    the tag never link: they only choose when no Message-ID does.
    """
    brand_id = received.brand_id
    if evidence is None:
        evidence = thread_evidence_read(received)
    found: dict[int, Conversation] = {}
    if received.thread_conversation_id is not None:
        named = Conversation.objects.filter(
            pk=received.thread_conversation_id, brand_id=brand_id
        ).first()
        if named is not None:
            named = conversation_merge_follow(named)
            found[named.pk] = named
    for key in received.thread_keys:
        parent = evidence.messages.get(key)
        if parent is not None:
            found.setdefault(parent.pk, parent)
    # Keys stored by earlier messages: a reply that came before this message (it named this
    # message's id) or a sibling that answers the same missing parent.
    for key in _id_keys(received):
        row = evidence.keys.get(key[:255])
        if row is not None:
            found.setdefault(row[1].pk, row[1])
    if found:
        first, *others = found.values()
        return ThreadChoice(first, tuple(others))
    for ticket_id in subject_ticket_ids(received.subject):
        tagged = Conversation.objects.filter(
            pk=ticket_id, brand_id=brand_id, customer_id=customer.pk
        ).first()
        if tagged is not None:
            return ThreadChoice(conversation_merge_follow(tagged))
    subject_keys = _subject_thread_keys(received, joining=True)
    if subject_keys:
        window = timedelta(days=settings.LAGNIAPPE_EMAIL_SUBJECT_THREAD_DAYS)
        when = received.received_at or now
        for key in subject_keys:
            subject_row = evidence.keys.get(key)
            if subject_row is not None and abs(when - subject_row[0]) <= window:
                return ThreadChoice(subject_row[1])
    return ThreadChoice(None)


def thread_evidence_read(received: ReceivedMessage) -> ThreadEvidence:
    """Everything threading asks the tables, in one statement (every email asks it): the
    brand's messages whose external id is this message's own (a duplicate; asked only for a
    brand-wide id) or one it answers, and the ThreadKey rows of its Message-ID and subject
    keys, each with its conversation.

    Hand-written: the (brand, external_id) index finds the messages, the (brand, key) unique
    index the keys, and the conversations come in the same statement. No ORDER BY (see
    selectors.message_by_brand_external_ids): the oldest of duplicates is picked here.
    """
    answered = [key for key in received.thread_keys if key][:100]
    own = received.external_id if received.external_id_brand_wide else ""
    by_id = list(dict.fromkeys([own, *answered] if own else answered))
    by_key = list(
        dict.fromkeys(
            key[:255] for key in [*_id_keys(received), *_subject_thread_keys(received)] if key
        )
    )
    if not by_id and not by_key:
        return ThreadEvidence()
    postgres = connection.vendor == "postgresql"
    sql = _evidence_sql(postgres, len(by_id), len(by_key))
    params: list[Any] = []
    for values in (by_id, by_key):
        if values:  # PostgreSQL: the values first (see _evidence_sql)
            params += [*values, received.brand_id] if postgres else [received.brand_id, *values]
    width = model_column_count(ThreadKey)
    found: dict[str, tuple[int, tuple[object, ...]]] = {}
    keys: dict[str, tuple[datetime, Conversation]] = {}
    # Most rows name the same one or two conversations: each is built once.
    built: dict[object, Conversation] = {}

    def conversation_of(values: Sequence[object]) -> Conversation:
        known = built.get(values[0])
        if known is None:
            known = built[values[0]] = model_from_row(Conversation, values)
        return known

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for external_id, pk, *rest in cursor.fetchall():
            if pk is not None:
                if external_id not in found or pk < found[external_id][0]:
                    found[external_id] = (pk, tuple(rest[width:]))
                continue
            thread_key = model_from_row(ThreadKey, rest[:width])
            keys[thread_key.key] = (thread_key.seen_at, conversation_of(rest[width:]))
    duplicate = found[own][0] if own and own in found else None
    messages = {key: conversation_of(found[key][1]) for key in answered if key in found}
    return ThreadEvidence(duplicate, messages, keys)


@lru_cache(maxsize=256)
def _evidence_sql(postgres: bool, ids: int, keys: int) -> str:
    """`thread_evidence_read`'s statement for `ids` Message-IDs and `keys` thread keys.

    On PostgreSQL each value is one index probe whatever the tables' statistics: with
    `IN (...)` on tables not analysed yet (a new install, the first minutes of an import)
    the planner expects one row for the brand, reads every message and key of the brand
    and filters them by value, so each mail stored made the next ones cost the server
    more. Each value gets a subquery of its own (`LATERAL`; OFFSET 0 keeps the planner
    from merging it back into the join). The values come as a VALUES list, not an array:
    its row count is known to the generic plan too, so PostgreSQL keeps one prepared plan
    per shape instead of planning each time. SQLite probes the index per value of `IN`.
    """
    quote = connection.ops.quote_name
    conversation_columns = model_columns(Conversation, "c")
    message_nulls = _nulls([Message._meta.get_field("external_id"), Message._meta.pk], postgres)
    key_nulls = _nulls(ThreadKey._meta.concrete_fields, postgres)
    by_id = (
        f"SELECT m.external_id, m.id, {key_nulls}, {conversation_columns} "  # noqa: S608
        f"FROM {quote(Message._meta.db_table)} m "
        f"JOIN {quote(Conversation._meta.db_table)} c ON c.id = m.conversation_id "
        "WHERE m.brand_id = %s AND m.external_id"
    )
    by_key = (
        f"SELECT {message_nulls}, {model_columns(ThreadKey, 't')}, "  # noqa: S608
        f"{conversation_columns} FROM {quote(ThreadKey._meta.db_table)} t "
        f"JOIN {quote(Conversation._meta.db_table)} c ON c.id = t.conversation_id "
        f"WHERE t.brand_id = %s AND t.{quote('key')}"
    )
    parts = []
    for select, count in ((by_id, ids), (by_key, keys)):
        if not count:
            continue
        if postgres:
            parts.append(
                f"SELECT x.* FROM (VALUES {', '.join(['(%s)'] * count)}) AS v(value) "  # noqa: S608
                f"CROSS JOIN LATERAL ({select} = v.value OFFSET 0) x"
            )
        else:
            parts.append(f"{select} IN ({', '.join(['%s'] * count)})")
    return " UNION ALL ".join(parts)


def _nulls(fields: Sequence[Any], typed: bool) -> str:
    """NULLs standing for these columns in the other half of a UNION; typed on PostgreSQL,
    where an untyped NULL inside a subquery becomes text and no longer unites with bigint."""
    if not typed:
        return ", ".join(["NULL"] * len(fields))
    return ", ".join(f"NULL::{field.db_type(connection)}" for field in fields)


def thread_keys_statement(
    received: ReceivedMessage, conversation: Conversation, now: datetime
) -> tuple[str, list[Any]] | None:
    """The write that remembers what later messages may thread by (None: nothing to
    remember), for message_receive to send along with the message's insert. The first
    conversation a Message-ID led to keeps it; a subject leads to the latest conversation
    with that subject."""
    subject_keys = _subject_thread_keys(received)
    return _thread_keys_sql(
        received.brand_id,
        [*received.thread_keys[:100], *subject_keys],
        conversation.pk,
        received.received_at or now,
        replace=subject_keys,
    )


def thread_key_add(*, brand_id: int, conversation_id: int, key: str, seen_at: datetime) -> None:
    """One key leading to a conversation; an existing key keeps its first conversation."""
    write = _thread_keys_sql(brand_id, [key], conversation_id, seen_at, replace=())
    if write is not None:
        with connection.cursor() as cursor:
            cursor.execute(*write)


def _thread_keys_sql(
    brand_id: int,
    keys: Sequence[str],
    conversation_id: int,
    seen_at: datetime,
    *,
    replace: Sequence[str],
) -> tuple[str, list[Any]] | None:
    """One statement inserting keys leading to a conversation (every email writes some). An
    existing key keeps its row, except the keys of `replace` (among `keys`), pointed here.

    On PostgreSQL the keys come as arrays, so the statement has one text whatever their
    number (a reply in a long thread names dozens of Message-IDs): the message's insert it
    goes with (message_receive) stays one prepared statement, and under psycopg's limit
    of 50 parameters for reusing the query's parsed form. SQLite takes a VALUES list.
    """
    unique = list(dict.fromkeys(key[:255] for key in keys if key))
    if not unique:
        return None
    replaced = [key for key in dict.fromkeys(key[:255] for key in replace) if key]
    when = ThreadKey._meta.get_field("seen_at").get_db_prep_save(seen_at, connection)
    quote = connection.ops.quote_name
    postgres = connection.vendor == "postgresql"
    key = quote("key")
    update = "DO UPDATE SET conversation_id = excluded.conversation_id, seen_at = excluded.seen_at"
    params: list[Any]
    replaced_params: list[Any]
    if postgres:
        rows = "SELECT %s::bigint, k, %s::bigint, %s::timestamptz FROM unnest(%s::text[]) AS k"
        params = [brand_id, conversation_id, when, unique]
        replaced_match, replaced_params = "= ANY(%s::text[])", [replaced]
    else:
        rows = f"VALUES {', '.join(['(%s, %s, %s, %s)'] * len(unique))}"
        params = [value for k in unique for value in (brand_id, k, conversation_id, when)]
        replaced_match, replaced_params = f"IN ({', '.join(['%s'] * len(replaced))})", replaced
    on_conflict = "DO NOTHING"
    if replaced:
        on_conflict = f"{update} WHERE excluded.{key} {replaced_match}"
        params += replaced_params
    sql = (
        f"INSERT INTO {quote(ThreadKey._meta.db_table)} (brand_id, {key}, "
        f"conversation_id, seen_at) {rows} "
        f"ON CONFLICT (brand_id, {key}) {on_conflict}"
    )
    return sql, params
