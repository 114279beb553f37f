"""BM25 with field weights, exactly as SQLite FTS5's bm25() computes it.

This is the reference both database backends must agree with: SQLite calls FTS5's built-in
bm25(); PostgreSQL runs the same formula in SQL (knowledge/search_index.py). Tests index a
small corpus and compare the database's order with `bm25_rank`.

For each query term t present in document D (title and body):
    idf(t) = ln((N - n(t) + 0.5) / (n(t) + 0.5)), or 1e-6 when that is <= 0
    f(t, D) = TITLE_WEIGHT * tf(t, title) + BODY_WEIGHT * tf(t, body)
    score  += idf(t) * f * (K1 + 1) / (f + K1 * (1 - B + B * |D| / avgdl))
where N counts every indexed document, n(t) those containing t, |D| is the number of tokens
of title + body (unweighted) and avgdl their mean over the whole index. K1 and B are FTS5's
fixed values: SQLite's bm25() cannot be given others.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

K1 = 1.2
B = 0.75
# How much more a term in the title counts than one in the body.
TITLE_WEIGHT = 3.0
BODY_WEIGHT = 1.0
MIN_IDF = 1e-6


def bm25_idf(documents: int, containing: int) -> float:
    idf = math.log((documents - containing + 0.5) / (containing + 0.5))
    return idf if idf > 0 else MIN_IDF


def bm25_term(idf: float, frequency: float, length: float, average_length: float) -> float:
    norm = K1 * (1 - B + B * length / average_length) if average_length > 0 else K1
    return idf * frequency * (K1 + 1) / (frequency + norm)


@dataclass(frozen=True)
class IndexedDocument:
    title: Sequence[str]
    body: Sequence[str]


def bm25_rank(
    documents: Mapping[int, IndexedDocument], terms: Sequence[str]
) -> list[tuple[int, float]]:
    """(document id, score) of documents holding any term, best first, ties by id."""
    total = len(documents)
    if not total or not terms:
        return []
    wanted = list(dict.fromkeys(terms))
    average = sum(len(d.title) + len(d.body) for d in documents.values()) / total
    counts = {key: (Counter(d.title), Counter(d.body)) for key, d in documents.items()}
    containing = {
        term: sum(1 for title, body in counts.values() if term in title or term in body)
        for term in wanted
    }
    scores: list[tuple[int, float]] = []
    for key, (title, body) in counts.items():
        document = documents[key]
        length = len(document.title) + len(document.body)
        score = 0.0
        matched = False
        for term in wanted:
            frequency = TITLE_WEIGHT * title[term] + BODY_WEIGHT * body[term]
            if frequency:
                matched = True
                idf = bm25_idf(total, containing[term])
                score += bm25_term(idf, frequency, length, average)
        if matched:
            scores.append((key, score))
    scores.sort(key=lambda pair: (-pair[1], pair[0]))
    return scores
