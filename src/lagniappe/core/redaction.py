"""Secrets inside configuration JSON (mailbox passwords, webhook tokens): shown masked to
people, kept out of the audit trail, and kept as they were when a masked form comes back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SECRET_KEYS = frozenset({"password", "secret", "token", "api_key", "client_secret"})
MASK = "********"


def _secret(key: object) -> bool:
    return str(key).lower() in SECRET_KEYS


def secrets_masked(value: Any) -> Any:
    """`value` with every non-empty secret replaced by MASK, at any depth."""
    if isinstance(value, Mapping):
        return {
            key: (MASK if _secret(key) and item else secrets_masked(item))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [secrets_masked(item) for item in value]
    return value


def secrets_restored(edited: Any, stored: Any) -> Any:
    """`edited` (a masked form sent back) with each MASK replaced by the stored secret, so
    editing a mailbox's host does not wipe its password."""
    if isinstance(edited, Mapping):
        previous = stored if isinstance(stored, Mapping) else {}
        return {
            key: (
                previous.get(key)
                if _secret(key) and item == MASK
                else secrets_restored(item, previous.get(key))
            )
            for key, item in edited.items()
        }
    if isinstance(edited, list):
        earlier = stored if isinstance(stored, list) else []
        return [
            secrets_restored(item, earlier[i] if i < len(earlier) else None)
            for i, item in enumerate(edited)
        ]
    return edited
