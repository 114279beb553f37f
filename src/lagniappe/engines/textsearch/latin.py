"""English (Snowball) and Indonesian (Sastrawi) analyzers; CJK text inside them becomes bigrams."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache

from lagniappe.engines.textsearch.folding import (
    OTHER,
    WORD,
    cjk_bigrams,
    fold,
    script_runs,
)

# Small and explicit: words that carry no topic in a help-centre question. BM25 already
# discounts common words; dropping these keeps them out of snippets and query terms.
ENGLISH_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "i",
        "in",
        "is",
        "it",
        "its",
        "my",
        "of",
        "on",
        "or",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "you",
        "your",
    ]
)
INDONESIAN_STOPWORDS = frozenset(
    [
        "yang",
        "dan",
        "di",
        "ke",
        "dari",
        "ini",
        "itu",
        "dengan",
        "untuk",
        "pada",
        "adalah",
        "atau",
        "juga",
        "akan",
        "dalam",
        "tidak",
        "apa",
        "apakah",
        "siapa",
        "kapan",
        "dimana",
        "mana",
        "berapa",
        "bagaimana",
        "mengapa",
        "kenapa",
        "saya",
        "kami",
        "kita",
        "anda",
        "ia",
        "dia",
        "mereka",
        "sebuah",
        "seorang",
        "para",
        "oleh",
        "nya",
        "pun",
        "lah",
        "kah",
    ]
)

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _english_stemmer() -> Callable[[str], str]:
    import Stemmer

    stemmer = Stemmer.Stemmer("english")

    def stem(word: str) -> str:
        with _lock:  # a PyStemmer object is not safe to share between threads
            return str(stemmer.stemWord(word))

    return stem


@lru_cache(maxsize=1)
def _indonesian_stemmer() -> Callable[[str], str]:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    stemmer = StemmerFactory().create_stemmer()
    return lambda word: str(stemmer.stem(word)) or word


@lru_cache(maxsize=200_000)
def _stem(language: str, word: str) -> str:
    if not word.isalpha():
        return word  # numbers and codes ("gA181", "2024") are kept as written
    if language == "en":
        return _english_stemmer()(word)
    return _indonesian_stemmer()(word)


class LatinAnalyzer:
    """Words are folded, stop words dropped and the rest stemmed."""

    def __init__(
        self, language: str, stopwords: frozenset[str], keep_surface: bool = False
    ) -> None:
        self.language = language
        self._stopwords = stopwords
        self._keep_surface = keep_surface

    def normalise(self, text: str) -> str:
        return fold(text)

    def tokenize(self, text: str) -> list[str]:
        tokens: list[str] = []
        for word in WORD.findall(self.normalise(text)):
            for script, run in script_runs(word):
                if script != OTHER:
                    tokens.extend(cjk_bigrams(run))
                elif run not in self._stopwords:
                    stem = self.term(run)
                    if stem in self._stopwords:
                        continue  # "berapakah" -> "berapa", "dimanakah" -> "mana"
                    tokens.append(stem)
                    if self._keep_surface and stem != run:
                        # The word as written as well: an exact form then outranks a
                        # shared stem, and a compound the stemmer mangles still matches.
                        tokens.append(run)
        return tokens

    def term(self, word: str) -> str:
        """The index term of one folded word (used to highlight matches too)."""
        return _stem(self.language, word)

    def is_stopword(self, word: str) -> bool:
        return word in self._stopwords

    @property
    def stopwords(self) -> frozenset[str]:
        return self._stopwords
