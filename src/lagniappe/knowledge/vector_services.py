"""Writes of the translations' sentence vectors (models.TranslationVector).

A vector is computed outside any transaction (≈ 0.1 s of CPU each) and written only if the
translation still has the version it was computed from: a save in between queues its own
refresh, so a slow refresh never overwrites a newer text's vector with an older one.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence

from django.db import transaction
from django.db.models import F, Q, QuerySet

from lagniappe.core import clock
from lagniappe.engines.textsearch.semantic import (
    EMBEDDER,
    MODEL_ID,
    passage_text,
    vector_bytes,
)
from lagniappe.knowledge.models import ArticleTranslation, TranslationVector, VectorSetVersion

# Translations embedded per encoder call and per write transaction.
BATCH = 16


def translations_without_current_vector() -> QuerySet[ArticleTranslation]:
    """Translations whose vector is missing, older than their text, or from another model."""
    return ArticleTranslation.objects.filter(
        Q(vector__isnull=True) | ~Q(vector__version=F("version")) | ~Q(vector__model=MODEL_ID)
    )


def translation_vectors_refresh(
    *,
    translation_ids: Sequence[int] | None = None,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Compute the vectors of these translations (None: of every translation without a
    current one, at most `limit`). Idempotent; returns how many vectors were written."""
    if not EMBEDDER.available:
        return 0
    pending = translations_without_current_vector().order_by("pk")
    if translation_ids is not None:
        pending = pending.filter(pk__in=list(translation_ids))
    ids = list(pending.values_list("pk", flat=True))[:limit]
    written = 0
    for start in range(0, len(ids), BATCH):
        written += _refresh_batch(ids[start : start + BATCH])
        if progress is not None:
            progress(min(start + BATCH, len(ids)), len(ids))
    return written


def _refresh_batch(ids: list[int]) -> int:
    rows = list(
        ArticleTranslation.objects.filter(pk__in=ids).values_list(
            "pk", "article__brand_id", "language", "version", "title", "body_text"
        )
    )
    vectors = EMBEDDER.passage_vectors([passage_text(title, body) for *_, title, body in rows])
    if vectors is None:
        return 0
    now = clock.now()
    written = 0
    with transaction.atomic():
        current = dict(ArticleTranslation.objects.filter(pk__in=ids).values_list("pk", "version"))
        for (pk, brand_id, language, version, _title, _body), vector in zip(
            rows, vectors, strict=True
        ):
            if current.get(pk) != version:
                continue  # changed or deleted while we computed: its own refresh follows
            TranslationVector.objects.update_or_create(
                translation_id=pk,
                defaults={
                    "brand_id": brand_id,
                    "language": language,
                    "version": version,
                    "model": MODEL_ID,
                    "vector": vector_bytes(vector),
                    "computed_at": now,
                },
            )
            written += 1
        for brand_id in {brand_id for _pk, brand_id, *_rest in rows}:
            VectorSetVersion.objects.update_or_create(
                brand_id=brand_id, defaults={"version": secrets.randbits(62)}
            )
    return written


# Translations a sweep queues at most (the next sweep takes the next ones).
SWEEP_LIMIT = 500


def translation_vectors_queue_stale() -> int:
    """Queue a refresh of the translations without a current vector: those whose task was
    lost, written before vectors existed, or embedded by another model. Returns how many."""
    from lagniappe.knowledge.tasks import translation_vectors_refresh_task

    if not EMBEDDER.available:
        return 0
    stale = list(
        translations_without_current_vector()
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    if stale:
        translation_vectors_refresh_task.enqueue(stale)
    return len(stale)
