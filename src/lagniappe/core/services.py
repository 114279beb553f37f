"""Writes to the audit trail. Every service that changes a record calls audit_record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lagniappe.core import clock
from lagniappe.core.actors import Actor
from lagniappe.core.models import AuditEvent


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
    return AuditEvent.objects.create(
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


def _json_safe(values: dict[str, Any] | None) -> dict[str, Any]:
    # The JSON columns have no encoder for times (e.g. a change of resolved_at): ISO 8601.
    if not values:
        return {}
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in values.items()
    }
