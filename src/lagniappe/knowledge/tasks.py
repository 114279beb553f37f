"""Background work of the knowledge base (django-tasks; the worker runs them)."""

from __future__ import annotations

from django_tasks import task

from lagniappe.knowledge.vector_services import translation_vectors_refresh


@task()
def translation_vectors_refresh_task(translation_ids: list[int]) -> int:
    return translation_vectors_refresh(translation_ids=translation_ids)
