"""Writes to the audit trail. Every service that changes a record calls audit_record."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from lagniappe.core import clock
from lagniappe.core.actors import Actor
from lagniappe.core.models import AuditEvent
from lagniappe.core.raw_rows import models_insert

# The audit rows of the unit of work in progress, while one is batching them (see audit_batch).
_pending: ContextVar[list[AuditEvent] | None] = ContextVar("lagniappe_audit_pending", default=None)


def audit_record(
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: int | str,
    brand_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit row, or, inside `audit_batch`, queue it for the batch's single insert."""
    event = AuditEvent(
        occurred_at=clock.now(),
        actor_kind=actor.kind,
        actor_agent_id=actor.agent_id,
        actor_label=actor.label[:200],
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        brand_id=brand_id,
        before=_json_safe(before),
        after=_json_safe(after),
    )
    pending = _pending.get()
    if pending is not None:
        pending.append(event)
        return event
    event.save(force_insert=True)
    return event


@contextmanager
def audit_batch() -> Iterator[None]:
    """Write the audit rows recorded inside the block in one INSERT when it ends normally.

    Use it *inside* the transaction (or savepoint) that makes the changes, as
    `with transaction.atomic(), audit_batch():`, so the rows commit or roll back with them: a
    unit of work that writes a customer, a conversation and a message costs one audit
    statement instead of three. If the block raises, its rows are dropped, as the rollback
    drops the changes they describe; a nested batch hands its rows to the outer one only
    when it ends normally, so a savepoint rolled back and retried leaves no false row.
    """
    outer = _pending.get()
    pending: list[AuditEvent] = []
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    if outer is not None:
        outer.extend(pending)
    elif pending:
        models_insert(pending)


def _json_safe(values: dict[str, Any] | None) -> dict[str, Any]:
    # The JSON columns have no encoder for times (e.g. a change of resolved_at): ISO 8601.
    if not values:
        return {}
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in values.items()
    }
