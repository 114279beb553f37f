"""The one module that speaks SQL to the search index (see migrations/0002_search_index.py).

It stores and matches analyzer output only. A query arrives as a list of terms that the
analyzer produced (letters and digits only); each is still quoted, so nothing a user types can
become FTS5 or tsquery syntax.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from lagniappe.knowledge.models import Article, ArticleTranslation

# How much more a term in the title counts than one in the body.
TITLE_WEIGHT = 3.0
BODY_WEIGHT = 1.0


@dataclass(frozen=True)
class IndexFilter:
    """Which translations a search may return."""

    brand_ids: frozenset[int]
    statuses: tuple[str, ...]
    visibilities: tuple[str, ...]
    languages: tuple[str, ...] = ()  # empty: every language


def index_put(translation_id: int, title_tokens: str, body_tokens: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "INSERT INTO knowledge_search (translation_id, document) VALUES (%s, "
                "setweight(to_tsvector('simple', %s), 'A') || "
                "setweight(to_tsvector('simple', %s), 'D')) "
                "ON CONFLICT (translation_id) DO UPDATE SET document = EXCLUDED.document",
                [translation_id, title_tokens, body_tokens],
            )
        else:
            cursor.execute("DELETE FROM knowledge_search WHERE rowid = %s", [translation_id])
            cursor.execute(
                "INSERT INTO knowledge_search (rowid, title, body) VALUES (%s, %s, %s)",
                [translation_id, title_tokens, body_tokens],
            )


def index_remove(translation_ids: Sequence[int]) -> None:
    if not translation_ids:
        return
    marks = ", ".join(["%s"] * len(translation_ids))
    column = "translation_id" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM knowledge_search WHERE {column} IN ({marks})",  # noqa: S608
            list(translation_ids),
        )


def _filter_sql(where: IndexFilter) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for column, values in (
        ("a.brand_id", sorted(where.brand_ids)),
        ("a.status", list(where.statuses)),
        ("a.visibility", list(where.visibilities)),
        ("t.language", list(where.languages)),
    ):
        if column == "t.language" and not values:
            continue
        if not values:
            return "1 = 0", []
        clauses.append(f"{column} IN ({', '.join(['%s'] * len(values))})")
        params.extend(values)
    return " AND ".join(clauses), params


def index_search(terms: Sequence[str], where: IndexFilter, limit: int) -> list[tuple[int, float]]:
    """(translation id, score) of the best matches of any term, best first."""
    if not terms or limit <= 0:
        return []
    article = Article._meta.db_table
    translation = ArticleTranslation._meta.db_table
    filter_sql, filter_params = _filter_sql(where)
    if connection.vendor == "postgresql":
        # ts_rank's weights are {D, C, B, A}: the body is D, the title A.
        query = " | ".join("'" + term.replace("'", "") + "'" for term in terms)
        sql = (
            # Formatted: table names and placeholder lists only; every value is a parameter.
            "SELECT s.translation_id, ts_rank(%s::float4[], s.document, q.query) AS score "  # noqa: S608
            "FROM knowledge_search s, to_tsquery('simple', %s) AS q(query), "
            f"{translation} t, {article} a "
            "WHERE s.document @@ q.query AND t.id = s.translation_id AND a.id = t.article_id "
            f"AND {filter_sql} ORDER BY score DESC, s.translation_id LIMIT %s"
        )
        weights = [BODY_WEIGHT / TITLE_WEIGHT, 0.0, 0.0, 1.0]
        params: list[Any] = [weights, query, *filter_params, limit]
    else:
        query = " OR ".join('"' + term.replace('"', "") + '"' for term in terms)
        sql = (
            "SELECT s.rowid, -bm25(knowledge_search, %s, %s) AS score "  # noqa: S608
            f"FROM knowledge_search s JOIN {translation} t ON t.id = s.rowid "
            f"JOIN {article} a ON a.id = t.article_id "
            f"WHERE knowledge_search MATCH %s AND {filter_sql} "
            "ORDER BY score DESC, s.rowid LIMIT %s"
        )
        params = [TITLE_WEIGHT, BODY_WEIGHT, query, *filter_params, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(row[0]), float(row[1])) for row in cursor.fetchall()]
