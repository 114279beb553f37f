"""RFC 3834 loop safety: may we answer this mail automatically, and may we again so soon?

Pure decisions over the headers and the sender's recent automatic replies (passed in), so a
future auto-reply rule asks once and stores the reason. Agent replies are not automatic and
never ask.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from email.utils import getaddresses

# Local parts that are machines or role accounts nobody reads (RFC 3834 §2, and practice).
_MACHINE_LOCAL_PARTS = frozenset(
    {
        "noreply",
        "no-reply",
        "no_reply",
        "donotreply",
        "do-not-reply",
        "do_not_reply",
        "mailer-daemon",
        "postmaster",
        "bounce",
        "bounces",
    }
)
_BULK_PRECEDENCE = frozenset({"bulk", "list", "junk"})
_LIST_HEADERS = ("list-id", "list-unsubscribe", "list-post", "list-help")

DEFAULT_MAX_PER_HOUR = 3


@dataclass(frozen=True)
class AutoReplyDecision:
    allowed: bool
    # A stable code a service stores and a supervisor reads ("auto_submitted", "rate_limit" …).
    reason: str


def headers_read(raw: bytes) -> list[tuple[str, str]]:
    """The header fields of a raw message, without parsing its body."""
    message = BytesHeaderParser(policy=default_policy).parsebytes(raw)
    return [(name, str(value)) for name, value in message.items()]


def _values(headers: Iterable[tuple[str, str]], name: str) -> list[str]:
    return [value.strip() for key, value in headers if key.lower() == name]


def _is_machine_address(address: str) -> bool:
    local = address.strip().strip("<>").rsplit("@", 1)[0].lower()
    # "noreply+abc@…", "bounces-123@…": the part before a sub-address or counter decides.
    base = local.split("+", 1)[0]
    return base in _MACHINE_LOCAL_PARTS or any(
        base.startswith(f"{name}-") or base.startswith(f"{name}.")
        for name in ("bounce", "bounces", "noreply", "no-reply", "mailer-daemon")
    )


def auto_reply_blocked_reason(headers: Sequence[tuple[str, str]], sender: str = "") -> str:
    """Why this mail must not be answered automatically, or "" when it may be.

    `sender` is the From address when the caller already has it; otherwise From is read.
    """
    for value in _values(headers, "auto-submitted"):
        if value.split(";", 1)[0].strip().lower() != "no":
            return "auto_submitted"
    if _values(headers, "x-autoreply") or _values(headers, "x-autorespond"):
        return "auto_submitted"
    if any(v.lower() in _BULK_PRECEDENCE for v in _values(headers, "precedence")):
        return "bulk"
    if any(_values(headers, name) for name in _LIST_HEADERS):
        return "list"
    if _values(headers, "x-auto-response-suppress"):
        return "auto_response_suppressed"
    return_paths = _values(headers, "return-path")
    # An empty Return-Path (<>) is a bounce or another automatic notice (RFC 5321 §4.5.5).
    if return_paths and all(v.strip("<> \t") == "" for v in return_paths):
        return "empty_return_path"
    addresses = [sender] if sender else [a for _, a in getaddresses(_values(headers, "from"))]
    addresses += [v.strip("<> \t") for v in return_paths if v.strip("<> \t")]
    if not any(a.strip() for a in addresses):
        return "no_sender"
    if any(_is_machine_address(a) for a in addresses if a.strip()):
        return "machine_sender"
    return ""


def auto_reply_rate_allowed(
    recent: Sequence[datetime],
    *,
    now: datetime,
    max_per_hour: int = DEFAULT_MAX_PER_HOUR,
) -> bool:
    """At most `max_per_hour` automatic replies to one sender in any hour: stops ping-pong with
    another robot that passes every header test. `recent` are our earlier automatic replies
    to this sender (any order, older ones are ignored)."""
    since = now - timedelta(hours=1)
    return sum(1 for sent in recent if since < sent <= now) < max_per_hour


def auto_reply_allowed(
    headers: Sequence[tuple[str, str]],
    *,
    sender: str = "",
    recent: Sequence[datetime] = (),
    now: datetime,
    max_per_hour: int = DEFAULT_MAX_PER_HOUR,
) -> AutoReplyDecision:
    """The one question a future auto-reply rule asks: headers first, then the rate limit."""
    reason = auto_reply_blocked_reason(headers, sender)
    if reason:
        return AutoReplyDecision(False, reason)
    if not auto_reply_rate_allowed(recent, now=now, max_per_hour=max_per_hour):
        return AutoReplyDecision(False, "rate_limit")
    return AutoReplyDecision(True, "")
