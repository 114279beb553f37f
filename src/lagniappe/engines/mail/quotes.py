"""Split what a sender wrote from the history they quoted and their signature (for display)."""

from __future__ import annotations

import re

# Attribution lines, tried on one line and on a line joined with the next (clients wrap them).
_ATTRIBUTIONS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^\s*On\b.{0,400}\bwrote\s*:\s*$",  # en (Gmail, Thunderbird, Apple Mail)
        r"^.{0,400}\bwrote\s*:\s*$",  # en, shorter clients ("John Doe wrote:")
        r"^\s*在.{0,400}[写寫]道\s*[:：]\s*$",  # zh-Hans / zh-Hant with 在
        r"^.{0,400}[写寫]道\s*[:：]\s*$",  # zh-Hant ("… 寫道：") and bare zh-Hans
        r"^.{0,400}書きました\s*[:：]?\s*$",  # ja ("…さんは書きました：")
        r"^.{0,400}wrote\s*[:：]\s*$",
        r"^\s*Pada\b.{0,400}\bmenulis\s*[:：]?\s*$",  # id
        r"^.{0,400}\bmenulis\s*[:：]\s*$",
        r"^\s*-{2,}\s*(?:Original Message|Pesan Asli|原始邮件|原始郵件|元のメッセージ)\s*-{2,}\s*$",
    )
)
# A text every attribution pattern above needs (same flags): one scan of a line that has
# none of them saves trying the nine patterns on it and on it joined with the next line.
_ATTRIBUTION_WORD = re.compile(r"wrote|[写寫]道|書きました|menulis|--", re.IGNORECASE)
# Outlook's header block: a From line followed shortly by a Sent/Date line, in any language.
_OUTLOOK_FROM = re.compile(r"^\s*\*?(?:From|发件人|寄件者|差出人|Dari|Von|De)\*?\s*[:：]", re.I)
_OUTLOOK_SENT = re.compile(
    r"^\s*\*?(?:Sent|Date|发送时间|日期|傳送時間|寄件日期|送信日時|日時|Dikirim|Tanggal|Gesendet|Envoyé)"
    r"\*?\s*[:：]",
    re.I,
)
_SIGNATURE = re.compile(r"^-- ?$")


def _is_attribution(lines: list[str], index: int) -> bool:
    line = lines[index]
    if not line.strip():
        return False
    candidates = [line]
    if index + 1 < len(lines):
        candidates.append(line.rstrip() + " " + lines[index + 1].strip())
    candidates = [c for c in candidates if _ATTRIBUTION_WORD.search(c)]
    return any(p.match(c) for p in _ATTRIBUTIONS for c in candidates)


def _is_outlook_block(lines: list[str], index: int) -> bool:
    if not _OUTLOOK_FROM.match(lines[index]):
        return False
    return any(_OUTLOOK_SENT.match(line) for line in lines[index + 1 : index + 4])


def _quote_tail_starts(lines: list[str], index: int) -> bool:
    """A '>' line after which every non-blank line is quoted too (a bottom quote)."""
    if not lines[index].lstrip().startswith(">"):
        return False
    rest = [line for line in lines[index:] if line.strip()]
    return all(line.lstrip().startswith(">") for line in rest)


def _quoted_after(lines: list[str], index: int) -> bool:
    """A '>' quote follows within three lines (an attribution may wrap onto the next one)."""
    return any(line.lstrip().startswith(">") for line in lines[index + 1 : index + 4])


def _separator(line: str) -> bool:
    return bool(_ATTRIBUTIONS[-1].match(line))


def _cut_here(lines: list[str], index: int) -> bool:
    line = lines[index]
    if _SIGNATURE.match(line) or _separator(line):
        return True
    if _is_attribution(lines, index) and _quoted_after(lines, index):
        return True
    return _is_outlook_block(lines, index) or _quote_tail_starts(lines, index)


def quote_split(text: str) -> tuple[str, str]:
    """(what is new, the quoted history and signature). Inline replies between quotes stay new."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for index in range(len(lines)):
        if not _cut_here(lines, index):
            continue
        new = "\n".join(lines[:index]).rstrip()
        if not new.strip():
            # Nothing new above it (a bare forward or quote): show everything.
            return (text or "").strip(), ""
        return new, "\n".join(lines[index:]).strip()
    return (text or "").strip(), ""
