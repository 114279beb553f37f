from __future__ import annotations

from dataclasses import dataclass

from lagniappe.core.events import DomainEvent


@dataclass(frozen=True)
class NotificationCreated(DomainEvent):
    """A notification was written (or its kind changed): the recipient's sockets show it."""

    notification_id: int
    recipient_id: int
    kind: str
