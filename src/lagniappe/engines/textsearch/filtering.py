"""Terms for FILTERING rather than ranking: the inbox's conversation search.

A conversation's search document is the set of distinct terms of its text, and a query
matches a document holding every term of one of the query's alternatives. The knowledge
base ranks articles (segmenter words, BM25); an inbox filters, so what matters here is that
a query is found whatever the segmenter would have made of it:

- Han and kana are indexed as single characters plus character bigrams over whole CJK runs
  (Han and kana together: 払い戻し gives 払い, い戻, 戻し). A CJK query of n characters needs
  its n-1 bigrams (one character: that character), so it matches the text that contains it,
  as the substring search this replaces did, without word segmentation. Chinese is folded
  with OpenCC (tw2sp: Taiwan characters and phrasing to mainland ones) so either script
  finds the other; elsewhere Han is folded character by character (t2s).
- Latin words are indexed as written (NFKC, case-folded) and by their English and their
  Indonesian stem (Snowball, Sastrawi: the analyzers' own `term`), so "refunds" finds
  "refund" and "pengembalian" finds "dikembalikan". Text said to be English gets the
  Indonesian stems only when it holds Indonesian function words (`_stemmers_for`): Sastrawi
  is the costliest step of indexing mail, and changes almost no English word.
- A query is tried in several families (as written, English stems, Indonesian stems,
  Chinese phrasing): the query's language does not have to be known. The last Latin word
  of a query is a prefix (typing "tana" finds "tanaka").
- An email address (in a handle or a message) is also one term, its letters and digits
  joined; a query with "@" and no space is that one term as a prefix.
- Phone numbers are indexed with every digit suffix of 4 or more digits; a phone-like
  query (digits and separators) becomes its digits without leading zeros, as a prefix, so
  "0912 345 678" finds "+886912345678".

Every term holds letters and digits only. Pure Python: no Django, no lagniappe app.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from lagniappe.engines.textsearch import analyzer_for
from lagniappe.engines.textsearch.chinese import char_fold_chinese, to_folded_chinese
from lagniappe.engines.textsearch.folding import HAN, KANA, WORD, cjk_bigrams, fold, script_of
from lagniappe.engines.textsearch.latin import LatinAnalyzer

MAX_QUERY_CHARS = 200
MAX_QUERY_TERMS = 32
MIN_PREFIX_CHARS = 3
MIN_PHONE_DIGITS = 4
_PHONE_QUERY = re.compile(r"[+\d\s().\-/]+")
# An address starts where a run of its characters starts (the look-behind): without it the
# engine tried every position inside every word and ran to the word's end each time, which
# cost more than the rest of a mail's analysis. Same matches (findall resumes after a match,
# and a match ends where its run ends).
_ADDRESS_CHARS = r"[^\s@<>()\[\],;:\"']"
_ADDRESS = re.compile(rf"(?<!{_ADDRESS_CHARS}){_ADDRESS_CHARS}+@{_ADDRESS_CHARS}+")
FAMILIES = ("fold", "en", "id", "zh")


@dataclass(frozen=True)
class QueryTerm:
    text: str
    prefix: bool = False


def family_of(language: str) -> str:
    """How text of `language` is indexed: zh (both scripts), en, id, or fold (everything
    else: Japanese, undeclared, names and handles)."""
    if language in ("zh-Hant", "zh-Hans"):
        return "zh"
    if language in ("en", "id"):
        return language
    return "fold"


def _normalise(text: str, family: str) -> str:
    folded = fold(text)
    if folded.isascii():
        return folded
    if family == "zh":
        return to_folded_chinese(folded)
    return char_fold_chinese(folded)


def _runs(word: str) -> Iterator[tuple[bool, str]]:
    """(is CJK, run) pieces of one word; Han and kana belong to the same run."""
    start = 0
    current = script_of(word[0]) in (HAN, KANA) if word else False
    for position in range(1, len(word)):
        cjk = script_of(word[position]) in (HAN, KANA)
        if cjk != current:
            yield current, word[start:position]
            start, current = position, cjk
    if word:
        yield current, word[start:]


def _stemmer(family: str) -> LatinAnalyzer | None:
    if family in ("en", "id"):
        analyzer = analyzer_for(family)
        return analyzer if isinstance(analyzer, LatinAnalyzer) else None
    return None


# Words of Indonesian text that English text does not use (names such as Dan, Yang or Anda
# aside). Indonesian prose is dense with them: two in a text said to be English (one in a
# short text) add Indonesian stems. A false alarm ("kita" is also a program's name) costs
# the Indonesian stemmer's time, never a match.
_INDONESIAN_MARKERS = frozenset([
    "yang", "dengan", "untuk", "tidak", "adalah", "saya", "kami", "kita", "mereka", "akan",
    "juga", "sudah", "belum", "bisa", "dalam", "pada", "atau", "kepada", "karena", "bagaimana",
    "apakah", "terima", "kasih", "mohon", "tolong", "sebuah", "oleh", "itu", "ingin", "harus",
    "sedang", "telah", "masih", "agar", "jika", "kalau", "tetapi", "tapi", "bukan",
])  # fmt: skip


_SHORT_TEXT_WORDS = 24


def _stemmers_for(family: str, words: Collection[str]) -> tuple[LatinAnalyzer, ...]:
    """The Latin stemmers a text's words go through. English text (mail detects its
    language; a declared one is usually right) skips Sastrawi, the costliest step of
    indexing, unless it holds Indonesian function words (quoted Indonesian, a visitor
    writing Indonesian on an English page). Every other family gets both: Indonesian, names
    and handles (undeclared), Latin words inside Chinese or Japanese text."""
    if family != "en":
        return _BOTH
    markers = len(_INDONESIAN_MARKERS.intersection(words))
    indonesian = markers >= 2 or (markers == 1 and len(words) <= _SHORT_TEXT_WORDS)
    return _BOTH if indonesian else _ENGLISH_ONLY


def _latin(*languages: str) -> tuple[LatinAnalyzer, ...]:
    found = [analyzer_for(language) for language in languages]
    return tuple(analyzer for analyzer in found if isinstance(analyzer, LatinAnalyzer))


_ENGLISH_ONLY = _latin("en")
_BOTH = _latin("en", "id")


# Each distinct word's terms, per set of stemmers, memoised per process: a word is analysed
# the first time it is seen, whichever text or message it comes from, so a mail quoting the
# thread before it costs one look-up per word it repeats. Kept as {term: None}, merged into
# a text's terms by one dict.update (a mail has ~140 distinct words: the per-word Python
# work was a third of its analysis). Bounded: a full memo starts again.
_WORD_MEMO_SIZE = 200_000
_word_memos: dict[tuple[LatinAnalyzer, ...], dict[str, dict[str, None]]] = {}


def _word_terms_memo(stemmers: tuple[LatinAnalyzer, ...]) -> dict[str, dict[str, None]]:
    memo = _word_memos.get(stemmers)
    if memo is None or len(memo) >= _WORD_MEMO_SIZE:
        memo = _word_memos[stemmers] = {}
    return memo


def _word_terms_of(word: str, stemmers: tuple[LatinAnalyzer, ...]) -> tuple[str, ...]:
    if word.isascii():
        terms = dict.fromkeys([word, *(stemmer.term(word) for stemmer in stemmers)])
        return tuple(filter(None, terms))
    found: dict[str, None] = {}
    for cjk, run in _runs(word):
        if cjk:
            found.update(dict.fromkeys(run))
            found.update(dict.fromkeys(cjk_bigrams(run)))
            continue
        found[run] = None
        for stemmer in stemmers:
            stem = stemmer.term(run)
            if stem:
                found[stem] = None
    return tuple(found)


def _address_term(address: str) -> str:
    """An email address as one term: its letters and digits joined (mei.lin@example.tw ->
    meilinexampletw), so a query for it reads one short list, not those of "example"."""
    return "".join(WORD.findall(fold(address)))


# Every ASCII character that is not a letter or digit, as a space: on ASCII text, splitting
# what this leaves gives WORD's matches at a fifth of the regular expression's cost.
_ASCII_SEPARATORS = bytes(code if chr(code).isalnum() else 32 for code in range(256))


def _words(folded: str) -> list[str]:
    if folded.isascii():
        return folded.encode("ascii").translate(_ASCII_SEPARATORS).decode("ascii").split()
    return WORD.findall(folded)


def document_terms(text: str, language: str) -> list[str]:
    """The distinct terms `text` (in `language`, "" if unknown) adds to a search document.

    The text's distinct words are found first (regular expression and dictionary, in C):
    a reply quoting the thread repeats most of its words, and each distinct word then costs
    one memo look-up (`_word_terms`)."""
    family = family_of(language)
    words = dict.fromkeys(_words(_normalise(text, family)))
    stemmers = _stemmers_for(family, words)
    memo = _word_terms_memo(stemmers)
    known = memo.get
    terms: dict[str, None] = {}
    for word in words:
        found = known(word)
        if found is None:
            found = dict.fromkeys(_word_terms_of(word, stemmers))
            # Long runs (encoded blobs, URLs' innards) are rarely seen twice: no memo slot.
            if len(word) <= 64:
                memo[word] = found
        terms.update(found)
    if "@" in text:
        terms.update(dict.fromkeys(filter(None, map(_address_term, _ADDRESS.findall(text)))))
    return list(terms)


def phone_terms(value: str) -> list[str]:
    """A phone number's digits and each of their suffixes of MIN_PHONE_DIGITS or more."""
    digits = "".join(char for char in value if char.isdigit())
    return [digits[start:] for start in range(len(digits) - MIN_PHONE_DIGITS + 1)]


def _query_family_terms(text: str, family: str) -> tuple[QueryTerm, ...]:
    stemmer = _stemmer(family)
    terms: list[QueryTerm] = []
    for word in WORD.findall(_normalise(text, family)):
        for cjk, run in _runs(word):
            if cjk:
                terms.extend(QueryTerm(t) for t in (cjk_bigrams(run) if len(run) > 1 else [run]))
            else:
                terms.append(QueryTerm(stemmer.term(run) if stemmer is not None else run))
    unique = list(dict.fromkeys(terms))[:MAX_QUERY_TERMS]
    if unique and not any(script_of(char) in (HAN, KANA) for char in unique[-1].text):
        last = unique[-1]
        if len(last.text) >= MIN_PREFIX_CHARS:
            unique[-1] = QueryTerm(last.text, prefix=True)
    return tuple(unique)


def query_alternatives(query: str) -> tuple[tuple[QueryTerm, ...], ...]:
    """The ways `query` may match: a document matches when it holds every term of one
    alternative. Empty for a query with no letters or digits."""
    text = " ".join(query.split())[:MAX_QUERY_CHARS]
    if not text:
        return ()
    if "@" in text and " " not in text:
        # An email address, or its beginning: one prefix term ("mei.lin@exa" finds it).
        address = _address_term(text)
        return ((QueryTerm(address, prefix=len(address) >= MIN_PREFIX_CHARS),),) if address else ()
    alternatives: list[tuple[QueryTerm, ...]] = []
    if _PHONE_QUERY.fullmatch(text):
        digits = "".join(char for char in text if char.isdigit()).lstrip("0")
        if len(digits) >= MIN_PHONE_DIGITS:
            alternatives.append((QueryTerm(digits, prefix=True),))
    has_latin = any(char.isalpha() and script_of(char) not in (HAN, KANA) for char in text)
    has_han = any(script_of(char) == HAN for char in text)
    for family in FAMILIES:
        if (family in ("en", "id") and not has_latin) or (family == "zh" and not has_han):
            continue
        terms = _query_family_terms(text, family)
        if terms:
            alternatives.append(terms)
    return tuple(dict.fromkeys(alternatives))


def terms_join(terms: Iterable[str]) -> str:
    """A document as stored: distinct terms separated by spaces."""
    return " ".join(dict.fromkeys(terms))
