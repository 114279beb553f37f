"""The one module that speaks SQL to the conversation search index (migration 0005).

One row per conversation: `customer` (the customer's name and handles) and `content` (the
subject and every message's text), each the set of distinct filtering terms of
`engines.textsearch.filtering` (letters and digits only). Matching is exact set membership:
SQLite FTS5 (`ascii` tokenizer, which leaves our non-ASCII terms whole) and PostgreSQL
stripped tsvectors built with `array_to_tsvector` and queried as `::tsquery` literals, so no
database parser ever re-splits a term. Every term is still quoted, so nothing a user types
becomes FTS5 or tsquery syntax.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models.expressions import RawSQL

from lagniappe.engines.textsearch.filtering import QueryTerm

TABLE = "conversation_search"
# A document stops growing at this many distinct terms (a conversation of thousands of
# messages); later words of it are then found by subject and customer only.
MAX_DOCUMENT_TERMS = 60_000


def _postgres() -> bool:
    return connection.vendor == "postgresql"


# PostgreSQL: terms travel as one text, space-separated as SQLite stores them (terms are
# letters and digits), and the database splits them: quoting a list parameter element by
# element cost the poller ~0.15 ms per 400 terms, the text ~0.006 ms.
_TSVECTOR = "array_to_tsvector(string_to_array(%s, ' '))"


def document_put(rows: Sequence[tuple[int, list[str], list[str]]]) -> None:
    """Write whole documents: (conversation id, customer terms, content terms) each."""
    if not rows:
        return
    with connection.cursor() as cursor:
        if _postgres():
            cursor.executemany(
                f"INSERT INTO {TABLE} (conversation_id, customer, content) "  # noqa: S608
                f"VALUES (%s, {_TSVECTOR}, {_TSVECTOR}) "
                "ON CONFLICT (conversation_id) DO UPDATE "
                "SET customer = EXCLUDED.customer, content = EXCLUDED.content",
                [
                    (pk, " ".join(customer), " ".join(content[:MAX_DOCUMENT_TERMS]))
                    for pk, customer, content in rows
                ],
            )
        else:
            # FTS5 honours OR REPLACE on the rowid: the old row's terms leave the index with it.
            sql = f"INSERT OR REPLACE INTO {TABLE} (rowid, customer, content) VALUES (%s, %s, %s)"  # noqa: S608
            values = [
                (pk, " ".join(customer), " ".join(content[:MAX_DOCUMENT_TERMS]))
                for pk, customer, content in rows
            ]
            if len(values) == 1:  # every new conversation: no executemany machinery
                cursor.execute(sql, values[0])
            else:
                cursor.executemany(sql, values)


def content_add(conversation_id: int, terms: Sequence[str]) -> bool:
    """Add terms to a conversation's content; False when it has no document yet."""
    with connection.cursor() as cursor:
        if _postgres():
            # Computed in the UPDATE, so two messages landing at once both get in.
            cursor.execute(
                f"UPDATE {TABLE} SET content = CASE WHEN length(content) < %s "  # noqa: S608
                f"THEN content || {_TSVECTOR} ELSE content END "
                "WHERE conversation_id = %s",
                [MAX_DOCUMENT_TERMS, " ".join(terms), conversation_id],
            )
            return bool(cursor.rowcount)
        # SQLite has one writer at a time and the caller's transaction holds it already.
        cursor.execute(f"SELECT content FROM {TABLE} WHERE rowid = %s", [conversation_id])  # noqa: S608
        row = cursor.fetchone()
        if row is None:
            return False
        known = row[0].split()
        seen = set(known)
        new = [term for term in dict.fromkeys(terms) if term not in seen]
        room = MAX_DOCUMENT_TERMS - len(known)
        if new and room > 0:
            cursor.execute(
                f"UPDATE {TABLE} SET content = %s WHERE rowid = %s",  # noqa: S608
                [" ".join([*known, *new[:room]]), conversation_id],
            )
        return True


def contents_add(rows: Sequence[tuple[int, Sequence[str]]]) -> list[int]:
    """`content_add` for several conversations (distinct ids): the ids that have no document
    yet. One statement on PostgreSQL (a batch of mail touches a dozen conversations or so)."""
    if not rows:
        return []
    if not _postgres():
        return [pk for pk, terms in rows if not content_add(pk, terms)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} s SET content = CASE WHEN length(s.content) < %s "  # noqa: S608
            "THEN s.content || array_to_tsvector(string_to_array(v.terms, ' ')) "
            "ELSE s.content END "
            "FROM unnest(%s::bigint[], %s::text[]) AS v(conversation_id, terms) "
            "WHERE s.conversation_id = v.conversation_id RETURNING s.conversation_id",
            [MAX_DOCUMENT_TERMS, [pk for pk, _ in rows], [" ".join(t) for _, t in rows]],
        )
        found = {row[0] for row in cursor.fetchall()}
    return [pk for pk, _ in rows if pk not in found]


def customer_set(conversation_ids: Sequence[int], terms: Sequence[str]) -> None:
    """Replace the customer part of these conversations' documents (rows that exist)."""
    if not conversation_ids:
        return
    marks = ", ".join(["%s"] * len(conversation_ids))
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute(
                f"UPDATE {TABLE} SET customer = {_TSVECTOR} "  # noqa: S608
                f"WHERE conversation_id IN ({marks})",
                [" ".join(terms), *conversation_ids],
            )
        else:
            cursor.execute(
                f"UPDATE {TABLE} SET customer = %s WHERE rowid IN ({marks})",  # noqa: S608
                [" ".join(terms), *conversation_ids],
            )


def document_delete(conversation_ids: Sequence[int]) -> None:
    """Drop these conversations' documents (rows that exist)."""
    if not conversation_ids:
        return
    marks = ", ".join(["%s"] * len(conversation_ids))
    key = "conversation_id" if _postgres() else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE {key} IN ({marks})",  # noqa: S608
            list(conversation_ids),
        )


def document_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608
        return int(cursor.fetchone()[0])


def _clean(term: QueryTerm) -> str:
    return term.text.replace('"', "").replace("'", "").replace("\\", "")


def matching_ids(alternatives: Sequence[Sequence[QueryTerm]]) -> RawSQL | None:
    """A subquery of the ids of conversations matching any alternative (every term of it),
    for `pk__in`; None when there is nothing to look for."""
    usable = [[term for term in terms if _clean(term)] for terms in alternatives]
    usable = [terms for terms in usable if terms]
    if not usable:
        return None
    if _postgres():
        query = " | ".join(
            "(" + " & ".join(f"'{_clean(t)}'" + (":*" if t.prefix else "") for t in terms) + ")"
            for terms in usable
        )
        # The table name is a constant; the query is a parameter.
        return RawSQL(  # noqa: S611
            f"SELECT conversation_id FROM {TABLE} "  # noqa: S608
            "WHERE (customer || content) @@ %s::tsquery",
            [query],
        )
    query = " OR ".join(
        "(" + " AND ".join(f'"{_clean(t)}"' + ("*" if t.prefix else "") for t in terms) + ")"
        for terms in usable
    )
    sql = f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s"  # noqa: S608
    return RawSQL(sql, [query])  # noqa: S611
