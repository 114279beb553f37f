"""The per-brand vocabulary that misspelt query words are corrected against.

Written by services.translation_save (same transaction as the index): the Latin-script words
of a translation's title and text, counted per brand and analyzer family. Read by
query_expansion through `spelling_indexes`, which keeps each vocabulary's deletion index in
memory and reloads it when the vocabulary's version stamp has changed (one small query per
search).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable

from django.db.models import F

from lagniappe.engines.textsearch import word_term
from lagniappe.engines.textsearch.expansion import SpellingIndex, latin_words
from lagniappe.knowledge.models import SearchVocabulary, SearchWord

_cache: dict[int, tuple[int, SpellingIndex]] = {}
_lock = threading.Lock()
MAX_CACHED = 256  # vocabularies kept in memory per process


def words_of(language: str, *texts: str) -> dict[str, str]:
    """The Latin words of the texts, each with its index term in `language`."""
    found: set[str] = set()
    for text in texts:
        found |= latin_words(text)
    return {word: word_term(word, language)[:64] for word in found}


def vocabulary_change(brand_id: int, family: str, old: dict[str, str], new: dict[str, str]) -> None:
    """Count a translation's `old` words out and its `new` ones in; call inside its save."""
    removed, added = set(old) - set(new), set(new) - set(old)
    if not removed and not added:
        return
    vocabulary, _ = SearchVocabulary.objects.select_for_update().get_or_create(
        brand_id=brand_id, family=family
    )
    if removed:
        words = SearchWord.objects.filter(vocabulary=vocabulary, word__in=removed)
        words.update(documents=F("documents") - 1)
        words.filter(documents__lte=0).delete()
    if added:
        existing = set(
            SearchWord.objects.filter(vocabulary=vocabulary, word__in=added).values_list(
                "word", flat=True
            )
        )
        SearchWord.objects.filter(vocabulary=vocabulary, word__in=existing).update(
            documents=F("documents") + 1
        )
        SearchWord.objects.bulk_create(
            [
                SearchWord(vocabulary=vocabulary, word=word, term=new[word], documents=1)
                for word in sorted(added - existing)
            ]
        )
    # A random stamp, not a counter: a rolled-back transaction or a restored database can
    # repeat a counter's value for other words, never (in practice) a 62-bit random one.
    SearchVocabulary.objects.filter(pk=vocabulary.pk).update(version=secrets.randbits(62))


def spelling_indexes(brand_ids: Iterable[int], family: str) -> list[SpellingIndex]:
    """The deletion index of each brand's vocabulary of `family` (cached per process)."""
    indexes: list[SpellingIndex] = []
    for pk, version in SearchVocabulary.objects.filter(
        brand_id__in=list(brand_ids), family=family
    ).values_list("pk", "version"):
        with _lock:
            cached = _cache.get(pk)
        if cached is not None and cached[0] == version:
            indexes.append(cached[1])
            continue
        counts: dict[str, int] = {}
        terms: set[str] = set()
        for word, term, documents in SearchWord.objects.filter(vocabulary_id=pk).values_list(
            "word", "term", "documents"
        ):
            counts[word] = documents
            terms.add(term)
        index = SpellingIndex(counts, frozenset(terms))
        with _lock:
            if len(_cache) >= MAX_CACHED:
                _cache.clear()
            _cache[pk] = (version, index)
        indexes.append(index)
    return indexes
