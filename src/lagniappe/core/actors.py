"""Who is acting: passed into every service so the audit trail can name them."""

from __future__ import annotations

from dataclasses import dataclass

from lagniappe.core.models import AuditEvent


@dataclass(frozen=True)
class Actor:
    kind: str
    label: str
    agent_id: int | None = None

    @classmethod
    def agent(cls, agent_id: int, label: str) -> Actor:
        return cls(kind=AuditEvent.ActorKind.AGENT, label=label, agent_id=agent_id)

    @classmethod
    def integration(cls, label: str) -> Actor:
        return cls(kind=AuditEvent.ActorKind.INTEGRATION, label=label)

    @classmethod
    def customer(cls, label: str) -> Actor:
        return cls(kind=AuditEvent.ActorKind.CUSTOMER, label=label)

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(kind=AuditEvent.ActorKind.SYSTEM, label=label)


SYSTEM = Actor.system()
