"""A mailbox's configuration, read from its email Endpoint's `settings` JSON.

```
{"address": "support@brand.example", "from_name": "Brand support",
 "imap": {"host", "port", "ssl", "username", "password", "folder", "processed_folder"},
 "smtp": {"host", "port", "starttls", "ssl", "username", "password"}}
```

Passwords are kept out of every repr, log line and error message: `repr=False` on the
fields, and `settings_masked` for anything that shows the JSON to a person.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lagniappe.core.redaction import MASK, SECRET_KEYS, secrets_masked

__all__ = ["MASK", "SECRET_KEYS", "settings_masked"]


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    ssl: bool
    username: str
    password: str = field(repr=False)
    folder: str = "INBOX"
    processed_folder: str = ""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    starttls: bool
    ssl: bool
    username: str
    password: str = field(repr=False)


def _as_bool(value: object) -> bool:
    return value is True or str(value).lower() in ("1", "true", "yes")


def imap_settings(settings: Mapping[str, Any]) -> ImapSettings | None:
    raw = settings.get("imap")
    if not isinstance(raw, Mapping) or not raw.get("host"):
        return None
    ssl = _as_bool(raw.get("ssl", False))
    return ImapSettings(
        host=str(raw["host"]),
        port=int(raw.get("port") or (993 if ssl else 143)),
        ssl=ssl,
        username=str(raw.get("username", "")),
        password=str(raw.get("password", "")),
        folder=str(raw.get("folder") or "INBOX"),
        processed_folder=str(raw.get("processed_folder") or ""),
    )


def smtp_settings(settings: Mapping[str, Any]) -> SmtpSettings | None:
    raw = settings.get("smtp")
    if not isinstance(raw, Mapping) or not raw.get("host"):
        return None
    ssl = _as_bool(raw.get("ssl", False))
    return SmtpSettings(
        host=str(raw["host"]),
        port=int(raw.get("port") or (465 if ssl else 25)),
        starttls=_as_bool(raw.get("starttls", False)),
        ssl=ssl,
        username=str(raw.get("username", "")),
        password=str(raw.get("password", "")),
    )


def settings_masked(value: Any) -> Any:
    """The settings JSON with every password-like value replaced, for display."""
    return secrets_masked(value)
