"""A short passage of an article around the query's matches, with the matches marked.

Pure: returns plain-text segments; the caller escapes them and wraps the marked ones.
Latin words match when their index terms match (so "refunds" marks "refund"); CJK text
matches on the query's character bigrams after folding both sides the same way, which
needs no word segmentation and so works across segmenters and scripts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lagniappe.engines.textsearch.folding import (
    KANA,
    OTHER,
    WORD,
    fold_with_offsets,
    script_runs,
)


@dataclass(frozen=True)
class Segment:
    text: str
    marked: bool


def _cjk_keys(folded_query: str) -> set[str]:
    keys: set[str] = set()
    for word in WORD.findall(folded_query):
        for script, run in script_runs(word):
            if script == OTHER:
                continue
            # A lone kana between kanji is a particle (を, に, は): marking it everywhere
            # would highlight grammar, not the query. A lone kanji (卡, 車) is a word.
            if len(run) == 1 and script != KANA:
                keys.add(run)
            keys.update(run[i : i + 2] for i in range(len(run) - 1))
    return keys


def match_spans(
    text: str,
    query: str,
    term: Callable[[str], str],
    char_map: Callable[[str], str] | None = None,
    query_variants: tuple[str, ...] = (),
) -> list[tuple[int, int]]:
    """Spans (start, end) of `text` that match `query`, merged and sorted.

    `query_variants` are other spellings of the query whose CJK text also counts (the other
    Chinese script's phrasing: 搜索软件 also marks 搜尋軟體).
    """
    folded_text = fold_with_offsets(text, char_map)
    folded_query = fold_with_offsets(query, char_map).text
    latin_terms = {
        term(run)
        for word in WORD.findall(folded_query)
        for script, run in script_runs(word)
        if script == OTHER
    }
    cjk_keys = _cjk_keys(folded_query)
    for variant in query_variants:
        cjk_keys |= _cjk_keys(fold_with_offsets(variant, char_map).text)
    spans: list[tuple[int, int]] = []
    for found in WORD.finditer(folded_text.text):
        offset = found.start()
        for script, run in script_runs(found.group()):
            if script == OTHER:
                if term(run) in latin_terms:
                    spans.append((offset, offset + len(run)))
            elif cjk_keys:
                for i in range(len(run)):
                    if run[i : i + 2] in cjk_keys and i + 2 <= len(run):
                        spans.append((offset + i, offset + i + 2))
                    elif run[i] in cjk_keys:
                        spans.append((offset + i, offset + i + 1))
            offset += len(run)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    index = folded_text.source_index
    return [(index[start], index[end - 1] + 1) for start, end in merged]


def snippet(text: str, spans: list[tuple[int, int]], width: int = 160) -> list[Segment]:
    """The `width`-character window holding the most matches, cut into marked/unmarked parts."""
    if not spans:
        return [Segment(text[:width] + ("…" if len(text) > width else ""), False)]
    # Spans are sorted and disjoint: slide a window over them (linear, not quadratic).
    best_start, best_count = spans[0][0], 0
    last = 0
    for first, (start, _end) in enumerate(spans):
        last = max(last, first)
        while last < len(spans) and spans[last][1] <= start + width:
            last += 1
        if last - first > best_count:
            best_start, best_count = start, last - first
    # A little context before the first match, then the window.
    begin = max(0, best_start - width // 4)
    end = min(len(text), begin + width)
    segments: list[Segment] = []
    if begin > 0:
        segments.append(Segment("…", False))
    cursor = begin
    for start, stop in spans:
        if stop <= begin or start >= end:
            continue
        start, stop = max(start, begin), min(stop, end)
        if start > cursor:
            segments.append(Segment(text[cursor:start], False))
        segments.append(Segment(text[start:stop], True))
        cursor = stop
    if cursor < end:
        segments.append(Segment(text[cursor:end], False))
    if end < len(text):
        segments.append(Segment("…", False))
    return segments
