"""English (Snowball) and Indonesian (Sastrawi) analyzers; CJK text inside them becomes bigrams."""

from __future__ import annotations

import re
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

    # No cache of its own (maxCacheSize 0): _stem's is the one, and PyStemmer's own costs
    # more than the stemming (≈ 1.9 against 0.6 µs a new word).
    stemmer = Stemmer.Stemmer("english", 0)

    def stem(word: str) -> str:
        with _lock:  # a PyStemmer object is not safe to share between threads
            return str(stemmer.stemWord(word))

    return stem


# Sastrawi changes a word only when one of its rules matches: every prefix rule is anchored
# at the start (di-, ke-, se-, ku-, kau-, ber-, me[lrwy]V-, mem-, men-, pe+consonant, ter-,
# the be/te-CerC confixes, the -el-/-em-/-er-/-in- infixes after a first consonant) and every
# suffix rule at the end. A lower-case ASCII word that none of them can touch, or that is
# in Sastrawi's dictionary, is returned as it is without running ~40 rules up to three
# times (about 90 % of the words of English mail; ~100 us a word saved). The shapes are a
# superset of Sastrawi's own patterns, so the result is identical (a test compares them).
_C = "[b-df-hj-np-tv-z]"
_MAY_HAVE_AFFIX = re.compile(
    rf"(?:di|ke|se|ku|kau|be(?:r|{_C}er{_C})|me(?:[lrwy][aiueo]|m|n)|pe{_C}|te(?:r|{_C}er{_C})"
    rf"|{_C}(?:el|em|er|in)[aiueo])"
    r"|.*(?:i|is|isme|an|lah|kah|tah|pun|ku|mu|nya)$"
)
_LOWER_ASCII = re.compile(r"[a-z]+")


@lru_cache(maxsize=1)
def _indonesian_stemmer() -> Callable[[str], str]:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    cached = StemmerFactory().create_stemmer()
    # The stemmer behind Sastrawi's CachedStemmer: its cache is a dict that never forgets a
    # word (a leak in a long-running ingest); _stem's lru_cache is the bounded one.
    stemmer = cached.delegatedStemmer
    dictionary = stemmer.get_dictionary()

    def stem(word: str) -> str:
        if not _LOWER_ASCII.fullmatch(word):
            # Sastrawi's own text normalisation (it drops letters outside a-z) decides.
            return str(stemmer.stem(word)) or word
        if not _MAY_HAVE_AFFIX.match(word) or dictionary.contains(word):
            return word
        return str(stemmer.stem_word(word)) or word

    return stem


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
