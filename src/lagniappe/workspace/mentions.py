"""@mentions in an internal note: which colleagues a note names."""

from __future__ import annotations

import re
from collections.abc import Iterable

_MENTION = re.compile(r"(?<![\w@])@([\w.\-]+)", re.UNICODE)


def mention_handles(text: str) -> set[str]:
    """The handles written as @handle, lower-cased, trailing punctuation dropped."""
    return {m.group(1).rstrip(".-").casefold() for m in _MENTION.finditer(text)}


def mentioned_agent_ids(text: str, candidates: Iterable[tuple[int, str, str]]) -> list[int]:
    """The candidates (id, email, display name) a note mentions: @ followed by the local part
    of their email, or by their display name written without spaces (@林美惠, @TaroYamada)."""
    handles = mention_handles(text)
    if not handles:
        return []
    found = []
    for pk, email, display_name in candidates:
        names = {email.split("@", 1)[0].casefold(), "".join(display_name.split()).casefold()}
        if names & handles:
            found.append(pk)
    return found
