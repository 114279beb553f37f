"""Character folding and script runs shared by every analyzer.

Folding is NFKC (full-/half-width forms, compatibility characters, half-width katakana)
plus case folding. It is done one character at a time so that a highlighted match can be
mapped back to the characters the author wrote.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

# A token is a run of letters, digits and combining marks; everything else separates tokens.
# The database tokenizers (FTS5 "ascii", PostgreSQL "simple") then see nothing to re-split,
# and a query term can never carry search syntax (quotes, stars, colons, minus signs).
WORD = re.compile(r"[^\W_]+")

HAN = "han"
KANA = "kana"
OTHER = "other"


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@lru_cache(maxsize=65536)
def _fold_char(char: str) -> str:
    return unicodedata.normalize("NFKC", char).casefold()


@dataclass(frozen=True)
class Folded:
    """Folded text and, for each of its characters, the index of the source character."""

    text: str
    source_index: tuple[int, ...]


def fold_with_offsets(text: str, char_map: Callable[[str], str] | None = None) -> Folded:
    if unicodedata.is_normalized("NFKC", text) and len(folded := text.casefold()) == len(text):
        # Fast path (most text): nothing to normalise and case folding keeps every character
        # in place, so the whole text folds at once and offsets are the identity.
        result = folded
        index: tuple[int, ...] = tuple(range(len(text)))
    else:
        pieces: list[str] = []
        positions: list[int] = []
        for position, char in enumerate(text):
            one = _fold_char(char)
            pieces.append(one)
            positions.extend([position] * len(one))
        result = "".join(pieces)
        index = tuple(positions)
    if char_map is not None:
        # `char_map` runs over the whole text at once (one OpenCC call, not one per character)
        # and is used only when it keeps every character in place.
        mapped = char_map(result)
        result = mapped if len(mapped) == len(result) else result
    return Folded(result, index)


def script_of(char: str) -> str:
    code = ord(char)
    if (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x3134F
        or code == 0x3005  # 々, the ideographic iteration mark
    ):
        return HAN
    if 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF:
        return KANA
    return OTHER


def script_runs(word: str) -> Iterator[tuple[str, str]]:
    """Split one word into (script, run) pieces: "iphone手機" -> other "iphone", han "手機"."""
    if word.isascii():
        if word:
            yield OTHER, word
        return
    start = 0
    current = script_of(word[0]) if word else OTHER
    for position in range(1, len(word)):
        script = script_of(word[position])
        if script != current:
            yield current, word[start:position]
            start, current = position, script
    if word:
        yield current, word[start:]


def cjk_bigrams(run: str) -> list[str]:
    """Overlapping character pairs: a fallback stream that matches whatever the segmenter did."""
    if len(run) < 2:
        return [run] if run else []
    return [run[i : i + 2] for i in range(len(run) - 1)]


def clean_tokens(tokens: list[str]) -> list[str]:
    """Keep only word characters: a token with punctuation in it is split, an empty one dropped."""
    cleaned: list[str] = []
    for token in tokens:
        cleaned.extend(WORD.findall(token))
    return cleaned
