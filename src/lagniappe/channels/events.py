from __future__ import annotations

from dataclasses import dataclass

from lagniappe.core.events import DomainEvent


@dataclass(frozen=True)
class EnvelopeFailed(DomainEvent):
    envelope_id: int
    endpoint_id: int
    error: str


@dataclass(frozen=True)
class MessageDelivered(DomainEvent):
    message_id: int
    delivery_id: int
    brand_id: int


@dataclass(frozen=True)
class MessageFailed(DomainEvent):
    message_id: int
    delivery_id: int
    brand_id: int
    error: str
