"""Reads of the translations' sentence vectors: one brand set's vectors as a matrix, kept
in memory per process and reloaded when they change.

A search compares the query's vector with every vector of its brands (a matrix product: ≈ 1
ms for 10,000 articles), so the vectors cannot be read from the database on every search.
Each process keeps the matrices of its last few brand sets; one indexed statement (count and
latest computation of the brands' vectors) tells whether a kept matrix is still current.
What the matrix holds only proposes candidates: whether a candidate may be shown (brand,
status, visibility, language) is always asked of the database (`visible_translation_ids`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.db.models import Count, Max

from lagniappe.engines.textsearch.semantic import MODEL_ID, vectors_from_bytes
from lagniappe.knowledge.models import ArticleTranslation, TranslationVector
from lagniappe.knowledge.search_index import IndexFilter

# Brand sets whose matrices a process keeps (an agent of three brands is one more set).
KEPT_BRAND_SETS = 16


@dataclass(frozen=True)
class BrandVectors:
    stamp: tuple[int, datetime | None]
    keys: np.ndarray  # translation ids
    languages: np.ndarray  # their language codes
    matrix: np.ndarray  # one unit vector per row
    positions: dict[int, int]  # translation id -> row

    def rows_in(self, languages: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """(keys, matrix) of the given languages (every language when empty)."""
        if not languages:
            return self.keys, self.matrix
        mask = np.isin(self.languages, languages)
        return self.keys[mask], self.matrix[mask]

    def similarities(self, query: np.ndarray, keys: Iterable[int]) -> dict[int, float]:
        """Cosines of `query` with the vectors of `keys` that have one."""
        found = [(key, self.positions[key]) for key in keys if key in self.positions]
        if not found:
            return {}
        cosines = self.matrix[[index for _, index in found]] @ query
        return {key: float(cosine) for (key, _), cosine in zip(found, cosines, strict=True)}


_kept: OrderedDict[frozenset[int], BrandVectors] = OrderedDict()
_lock = threading.Lock()


def brand_vectors(brand_ids: frozenset[int]) -> BrandVectors:
    """The current vectors of the brands' translations (every status and language)."""
    rows = TranslationVector.objects.filter(brand_id__in=sorted(brand_ids), model=MODEL_ID)
    totals = rows.aggregate(count=Count("pk"), last=Max("computed_at"))
    stamp = (int(totals["count"]), totals["last"])
    with _lock:
        kept = _kept.get(brand_ids)
        if kept is not None and kept.stamp == stamp:
            _kept.move_to_end(brand_ids)
            return kept
    keys, languages, blobs = [], [], []
    for key, language, blob in rows.values_list("translation_id", "language", "vector"):
        keys.append(key)
        languages.append(language)
        blobs.append(bytes(blob))
    loaded = BrandVectors(
        stamp=stamp,
        keys=np.asarray(keys, dtype=np.int64),
        languages=np.asarray(languages, dtype=object),
        matrix=vectors_from_bytes(blobs),
        positions={key: index for index, key in enumerate(keys)},
    )
    with _lock:
        _kept[brand_ids] = loaded
        _kept.move_to_end(brand_ids)
        while len(_kept) > KEPT_BRAND_SETS:
            _kept.popitem(last=False)
    return loaded


def visible_translation_ids(where: IndexFilter, translation_ids: Iterable[int]) -> set[int]:
    """The given translations that `where` allows (brand, status, visibility, language)."""
    wanted = list(translation_ids)
    if not wanted:
        return set()
    found = ArticleTranslation.objects.filter(
        pk__in=wanted,
        article__brand_id__in=sorted(where.brand_ids),
        article__status__in=where.statuses,
        article__visibility__in=where.visibilities,
    )
    if where.languages:
        found = found.filter(language__in=where.languages)
    return set(found.values_list("pk", flat=True))
