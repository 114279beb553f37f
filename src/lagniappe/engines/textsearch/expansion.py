"""Query expansion: misspelt Latin-script words corrected against a vocabulary, and synonyms.

Both only ADD terms to a query, so a query that already matches keeps its matches. Pure
Python: the vocabulary and the synonym groups are passed in.

Spelling: a query word that no article of the brand contains (a typo, "refnud") is corrected
to the vocabulary words within 1 edit (words of 4-7 letters) or 2 edits (8 letters or more);
an edit is an insertion, deletion, substitution or swap of two neighbouring letters. Words of
3 letters or fewer, numbers and codes are never corrected. Candidates come from a deletion
index (each word and its 1-letter deletions), looked up with the query word's deletions, and
are checked with the optimal-string-alignment distance. A long word missing two letters is
found by scanning the words of its first letter 1-2 letters longer; two substitutions far
apart are not found (that would need every word's 2-letter deletions: too much memory).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from lagniappe.engines.textsearch.folding import OTHER, WORD, fold, script_of

MIN_CORRECTED = 4  # shorter words have too many neighbours to guess from
LONG_WORD = 8  # from this length on, 2 edits are forgiven
MAX_WORD = 40  # longer "words" are pasted codes or junk: never corrected
MAX_CORRECTIONS = 2  # per misspelt word
MAX_MISSPELT = 8  # unknown words looked at per query: a pasted page costs no more than this


def max_edits(word: str) -> int:
    if len(word) < MIN_CORRECTED or len(word) > MAX_WORD:
        return 0
    return 2 if len(word) >= LONG_WORD else 1


def latin_words(text: str) -> set[str]:
    """The folded Latin-script words of `text` that spelling correction may use or correct."""
    return {
        word
        for word in WORD.findall(fold(text))
        if 3 <= len(word) <= 64 and word.isalpha() and all(script_of(c) == OTHER for c in word)
    }


def osa_distance(a: str, b: str, limit: int) -> int:
    """Edit distance with neighbour swaps (optimal string alignment); limit+1 when above."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@dataclass
class SpellingIndex:
    """Words (with how many documents hold them), their index terms (stems: a word whose stem
    is indexed is no typo, "discover" when only "discovered" is written) and their 1-letter
    deletions."""

    counts: Mapping[str, int]
    terms: frozenset[str] = frozenset()
    _keys: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _by_start: dict[tuple[str, int], list[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for word in self.counts:
            if len(word) >= LONG_WORD:
                self._by_start.setdefault((word[0], len(word)), []).append(word)
            if len(word) < MIN_CORRECTED - 1:
                continue
            for key in {word} | _deletions(word):
                self._keys.setdefault(key, []).append(word)

    def __contains__(self, word: object) -> bool:
        return word in self.counts

    def corrections(self, word: str) -> list[str]:
        """Vocabulary words close to `word`, nearest first, then the most widely used."""
        limit = max_edits(word)
        if not limit or word in self.counts:
            return []
        keys = {word} | _deletions(word)
        if limit > 1:
            keys |= {smaller for key in list(keys) for smaller in _deletions(key)}
        candidates = {found for key in keys for found in self._keys.get(key, ())}
        if limit > 1 and not candidates:
            # Two letters left out: the deletion keys cannot see it; scan the few words of the
            # same first letter that are 1-2 letters longer.
            for extra in (1, 2):
                candidates.update(self._by_start.get((word[0], len(word) + extra), ()))
        scored = []
        for candidate in candidates:
            distance = osa_distance(word, candidate, limit)
            if distance <= limit:
                scored.append((distance, -self.counts[candidate], candidate))
        scored.sort()
        return [candidate for _, _, candidate in scored[:MAX_CORRECTIONS]]


def misspelt_words(
    query: str,
    known: Iterable[SpellingIndex],
    stopwords: frozenset[str],
    term: Callable[[str], str] = lambda word: word,
) -> list[str]:
    """Corrections of the query's Latin words that no vocabulary holds, as written or as an
    index term (`term` is the analyzer's: its stem), in query order."""
    indexes = list(known)
    if not indexes:
        return []
    found: list[str] = []
    unknown = 0
    for word in dict.fromkeys(WORD.findall(fold(query))):
        if word in stopwords or not max_edits(word) or not word.isalpha():
            continue
        if any(script_of(c) != OTHER for c in word) or any(word in i for i in indexes):
            continue
        stem = term(word)
        if any(stem in index.terms for index in indexes):
            continue
        unknown += 1
        if unknown > MAX_MISSPELT:
            break
        limit = max_edits(word)
        merged: dict[str, tuple[int, int]] = {}
        for index in indexes:  # one per brand searched: the nearest, most used words win
            for candidate in index.corrections(word):
                key = (osa_distance(word, candidate, limit), -index.counts[candidate])
                merged[candidate] = min(merged.get(candidate, key), key)
        found.extend(sorted(merged, key=lambda c: (*merged[c], c))[:MAX_CORRECTIONS])
    return found


def synonym_terms(terms: Sequence[str], groups: Iterable[Sequence[Sequence[str]]]) -> list[str]:
    """Terms to add for the synonym groups the query uses.

    A group is a list of members, each the analyzer terms of one word or phrase. A member is
    used when all its terms are among the query's terms; then every other member's terms are
    added (once, in group order).
    """
    present = set(terms)
    added: list[str] = []
    for group in groups:
        members = [tuple(member) for member in group if member]
        if not any(set(member) <= present for member in members):
            continue
        for member in members:
            added.extend(term for term in member if term not in present)
    return list(dict.fromkeys(added))
