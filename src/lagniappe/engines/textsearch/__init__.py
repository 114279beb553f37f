"""Text analysis for search in our five languages: normalise -> tokenize -> query terms.

The database never sees raw text: articles are indexed as the space-joined output of
`Analyzer.tokenize`, and a query becomes `query_terms`, each of which the caller quotes.
Pure Python: no Django, no other lagniappe package.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

from lagniappe.engines.textsearch.chinese import (
    ChineseAnalyzer,
    char_fold_chinese,
    phrasing_variants,
)
from lagniappe.engines.textsearch.detection import language_detect
from lagniappe.engines.textsearch.japanese import JapaneseAnalyzer
from lagniappe.engines.textsearch.latin import (
    ENGLISH_STOPWORDS,
    INDONESIAN_STOPWORDS,
    LatinAnalyzer,
)
from lagniappe.engines.textsearch.snippets import Segment, match_spans, snippet

LANGUAGES = ("en", "zh-Hant", "zh-Hans", "ja", "id")
# A query is cut to this many characters and this many distinct terms: a pasted
# 10,000-character email must cost no more than a long question.
MAX_QUERY_CHARS = 1000
MAX_QUERY_TERMS = 48


class Analyzer(Protocol):
    language: str

    def normalise(self, text: str) -> str: ...

    def tokenize(self, text: str) -> list[str]: ...


@lru_cache(maxsize=8)
def analyzer_for(language: str) -> Analyzer:
    """The analyzer of one of our languages; unknown codes get English's."""
    if language in ("zh-Hant", "zh-Hans"):
        return ChineseAnalyzer("zh-Hans")  # one analyzer (and one family) for both scripts
    if language == "ja":
        return JapaneseAnalyzer()
    if language == "id":
        return LatinAnalyzer("id", INDONESIAN_STOPWORDS)
    return LatinAnalyzer("en", ENGLISH_STOPWORDS)


def analyzer_family(language: str) -> str:
    """Languages that share an index vocabulary: zh-Hant and zh-Hans are one family."""
    return analyzer_for(language).language


def index_text(text: str, language: str) -> str:
    """What the database stores for `text`: analyzer tokens joined by spaces."""
    return " ".join(analyzer_for(language).tokenize(text))


def query_terms(query: str, language: str) -> list[str]:
    """Distinct plain terms of a query, in order; never raises on odd input."""
    tokens = analyzer_for(language).tokenize(query[:MAX_QUERY_CHARS])
    return list(dict.fromkeys(tokens))[:MAX_QUERY_TERMS]


def stopwords(language: str) -> frozenset[str]:
    """The words a Latin analyzer drops (never corrected as typos); empty for CJK ones."""
    analyzer = analyzer_for(language)
    return analyzer.stopwords if isinstance(analyzer, LatinAnalyzer) else frozenset()


def word_term(word: str, language: str) -> str:
    """The index term of one folded Latin word in `language` (its stem in en and id)."""
    analyzer = analyzer_for(language)
    return analyzer.term(word) if isinstance(analyzer, LatinAnalyzer) else word


def highlight(text: str, query: str, language: str, width: int = 160) -> list[Segment]:
    """A `width`-character passage of `text` around the query's matches, matches marked."""
    text = " ".join(text.split())
    analyzer = analyzer_for(language)
    if isinstance(analyzer, LatinAnalyzer):
        latin = analyzer

        def term(word: str) -> str:
            return "" if latin.is_stopword(word) else latin.term(word)

        spans = match_spans(text, query[:MAX_QUERY_CHARS], term)
    elif isinstance(analyzer, ChineseAnalyzer):
        short = query[:MAX_QUERY_CHARS]
        spans = match_spans(
            text, short, lambda word: word, char_fold_chinese, phrasing_variants(short)
        )
    else:
        spans = match_spans(text, query[:MAX_QUERY_CHARS], lambda word: word)
    return snippet(text, spans, width)


__all__ = [
    "LANGUAGES",
    "Analyzer",
    "Segment",
    "analyzer_family",
    "analyzer_for",
    "highlight",
    "index_text",
    "language_detect",
    "query_terms",
    "stopwords",
    "word_term",
]
