"""The domain event bus. Services publish; handlers listed in config/wiring.py react after commit.

A handler that raises is logged and does not stop the others: the write that produced the
event has already committed, and every handler must be safe to run again.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction

logger = logging.getLogger("lagniappe.events")


@dataclass(frozen=True)
class DomainEvent:
    """Base of every event: frozen, past tense, ids only (never model instances)."""


E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[Any], None]

_handlers: dict[type[DomainEvent], list[Handler]] = defaultdict(list)


def subscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def unsubscribe_all() -> None:
    _handlers.clear()


def handlers_for(event_type: type[DomainEvent]) -> list[Handler]:
    return list(_handlers.get(event_type, ()))


def publish(event: DomainEvent) -> None:
    """Deliver `event` to its handlers once the current transaction commits."""
    transaction.on_commit(lambda: dispatch(event), robust=True)


def dispatch(event: DomainEvent) -> None:
    for handler in handlers_for(type(event)):
        try:
            handler(event)
        except Exception:
            logger.exception("handler %s failed for %r", handler, event)
