from __future__ import annotations

from dataclasses import dataclass

from lagniappe.core.events import DomainEvent


@dataclass(frozen=True)
class CustomerChanged(DomainEvent):
    """What a customer is found by changed: name, identities, or a merge into this one."""

    customer_id: int
