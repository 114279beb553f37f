"""Subjects reduced to what stays the same across a thread, in every language."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Reply and forward prefixes as mail programs write them (after NFKC, so full-width "ＲＥ："
# is "RE:" here): English and Latin-script locales, Chinese (Simplified and Traditional),
# Japanese, Indonesian, German, Nordic, French, Dutch, Spanish, Italian, Polish, Turkish.
_PREFIX_WORDS = (
    "re",
    "r",
    "fw",
    "fwd",
    "aw",
    "wg",
    "sv",
    "vs",
    "vl",
    "antw",
    "doorst",
    "tr",
    "trs",
    "ref",
    "rv",
    "enc",
    "res",
    "rif",
    "i",
    "odp",
    "pd",
    "ynt",
    "ilt",
    "balas",
    "bls",
    "teruskan",
    "回复",
    "回覆",
    "答复",
    "答覆",
    "回信",
    "转发",
    "轉發",
    "转寄",
    "轉寄",
    "返信",
    "返",
    "転送",
    "轉送",
)
_PREFIX = re.compile(
    r"^\s*(?:" + "|".join(re.escape(w) for w in _PREFIX_WORDS) + r")"
    r"\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*[:：]\s*",
    re.IGNORECASE,
)
# A mailing-list or system tag at the very start, e.g. "[fedora-devel] ". Not ticket tags.
_LEADING_LIST_TAG = re.compile(r"^\s*\[(?!#)[^\]\[]{1,40}\]\s*")
_TICKET_TAG = re.compile(r"\[\s*#\s*(\d{1,18})\s*\]")
_TRAILING_FWD = re.compile(r"\s*\((?:fwd|fw)\)\s*$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class SubjectKey:
    normalised: str
    ticket_ids: tuple[int, ...]
    is_reply: bool


def subject_ticket_ids(subject: str) -> tuple[int, ...]:
    """Conversation numbers named by `[#123]` tags, in order of appearance."""
    text = unicodedata.normalize("NFKC", subject or "")
    return tuple(int(m.group(1)) for m in _TICKET_TAG.finditer(text))


def subject_key(subject: str) -> SubjectKey:
    """The subject without reply/forward prefixes, list tags, ticket tags or case and spacing."""
    text = unicodedata.normalize("NFKC", subject or "")
    tickets = subject_ticket_ids(text)
    text = _TICKET_TAG.sub(" ", text)
    is_reply = False
    while True:
        before = text
        text = _LEADING_LIST_TAG.sub("", text, count=1)
        stripped = _PREFIX.sub("", text, count=1)
        if stripped != text:
            is_reply = True
            text = stripped
        text = _TRAILING_FWD.sub("", text)
        if text == before:
            break
    normalised = _SPACES.sub(" ", text).strip().casefold()
    return SubjectKey(normalised=normalised, ticket_ids=tickets, is_reply=is_reply)
