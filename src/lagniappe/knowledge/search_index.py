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

from lagniappe.engines.textsearch.ranking import BODY_WEIGHT, K1, MIN_IDF, TITLE_WEIGHT, B
from lagniappe.knowledge.models import Article, ArticleTranslation


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
                "INSERT INTO knowledge_search (translation_id, document, length) VALUES (%s, "
                "setweight(to_tsvector('simple', %s), 'A') || "
                "setweight(to_tsvector('simple', %s), 'D'), %s) "
                "ON CONFLICT (translation_id) DO UPDATE "
                "SET document = EXCLUDED.document, length = EXCLUDED.length",
                [
                    translation_id,
                    title_tokens,
                    body_tokens,
                    # BM25's |D|, counted as FTS5 counts it: tokens of title and body.
                    len(title_tokens.split()) + len(body_tokens.split()),
                ],
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


# PostgreSQL BM25, the formula of engines/textsearch/ranking.py (FTS5's bm25()) in SQL.
# Candidates come from the GIN index (@@); N, the mean length and each query term's document
# count are taken over the whole index, as FTS5 does, so both backends rank alike. A term's
# frequency per field is the number of its positions weighted A (title) or D (body).
_POSTGRES_BM25 = """
WITH stats AS MATERIALIZED (
    SELECT count(*)::float8 AS n, coalesce(avg(length), 0)::float8 AS avgdl
    FROM knowledge_search
), terms(term, df) AS MATERIALIZED (
    VALUES {term_rows}
), candidates AS (
    SELECT s.translation_id, s.document, s.length
    FROM knowledge_search s
    JOIN {translation} t ON t.id = s.translation_id
    JOIN {article} a ON a.id = t.article_id
    WHERE s.document @@ to_tsquery('simple', %s) AND {filter_sql}
), frequencies AS (
    SELECT c.translation_id, c.length, terms.df,
        %s * cardinality(array_positions(u.weights, 'A'))
        + %s * cardinality(array_positions(u.weights, 'D')) AS f
    FROM candidates c
    CROSS JOIN LATERAL unnest(c.document) AS u(lexeme, positions, weights)
    JOIN terms ON terms.term = u.lexeme
)
SELECT fr.translation_id, sum(
    CASE WHEN stats.n - fr.df + 0.5 > fr.df + 0.5
        THEN ln((stats.n - fr.df + 0.5) / (fr.df + 0.5)) ELSE %s END
    * fr.f * (%s + 1)
    / (fr.f + %s * (1 - %s + %s * fr.length / greatest(stats.avgdl, 1e-9)))
) AS score
FROM frequencies fr CROSS JOIN stats
GROUP BY fr.translation_id
ORDER BY score DESC, fr.translation_id
LIMIT %s
"""


def index_search(terms: Sequence[str], where: IndexFilter, limit: int) -> list[tuple[int, float]]:
    """(translation id, score) of the best matches of any term, best first."""
    if not terms or limit <= 0:
        return []
    article = Article._meta.db_table
    translation = ArticleTranslation._meta.db_table
    filter_sql, filter_params = _filter_sql(where)
    if connection.vendor == "postgresql":
        clean = [term.replace("'", "") for term in terms]
        # Formatted: table names and placeholder lists only; every value is a parameter.
        # One row per term; its tsquery is a separate value so that each count is a GIN lookup.
        term_rows = ", ".join(
            ["(%s::text, (SELECT count(*) FROM knowledge_search WHERE document @@ %s::tsquery))"]
            * len(clean)
        )
        sql = _POSTGRES_BM25.format(
            translation=translation, article=article, filter_sql=filter_sql, term_rows=term_rows
        )
        params: list[Any] = [
            *(value for term in clean for value in (term, f"'{term}'")),
            " | ".join(f"'{term}'" for term in clean),
            *filter_params,
            TITLE_WEIGHT,
            BODY_WEIGHT,
            MIN_IDF,
            K1,
            K1,
            B,
            B,
            limit,
        ]
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
