"""A query's search terms: the analyzer's terms, plus corrections of misspelt words and the
brand's synonyms. Both only add terms (see engines/textsearch/expansion.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from lagniappe.engines.textsearch import (
    LANGUAGES,
    MAX_QUERY_CHARS,
    analyzer_family,
    query_terms,
    stopwords,
    word_term,
)
from lagniappe.engines.textsearch.expansion import misspelt_words, synonym_terms
from lagniappe.knowledge.models import SynonymGroup
from lagniappe.knowledge.search_index import IndexFilter, index_search
from lagniappe.knowledge.vocabulary import spelling_indexes

# Room for the added terms beside the query's own (at most MAX_QUERY_TERMS of them).
MAX_EXPANDED_TERMS = 64
MAX_SYNONYM_GROUPS = 500  # per brand and family read for one query
SHORT_QUERY_TERMS = 3  # a query of at most this many terms is corrected at once
FEW_RESULTS = 3  # a longer one only when it finds fewer translations than this


@lru_cache(maxsize=4096)
def _group_members(terms: str, language: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(query_terms(line, language)) for line in terms.splitlines())


def synonym_groups(brand_ids: Iterable[int], language: str) -> list[tuple[tuple[str, ...], ...]]:
    """The analysed members of the brands' synonym groups of `language`'s family."""
    family = analyzer_family(language)
    languages = [code for code in LANGUAGES if analyzer_family(code) == family]
    rows = SynonymGroup.objects.filter(
        brand_id__in=list(brand_ids), language__in=languages
    ).values_list("terms", flat=True)[:MAX_SYNONYM_GROUPS]
    return [_group_members(terms, language) for terms in rows]


@dataclass(frozen=True)
class SearchTerms:
    terms: list[str]  # the query's own terms and their synonyms
    corrections: list[str]  # terms of corrected misspelt words (and their synonyms)


def search_terms(brand_ids: Iterable[int], language: str, query: str) -> SearchTerms:
    """The terms to search for `query` analysed as `language` in the brands' articles."""
    brands = list(brand_ids)
    terms = query_terms(query, language)
    if not brands or not terms:
        return SearchTerms(terms, [])
    groups = synonym_groups(brands, language)
    terms = list(dict.fromkeys([*terms, *synonym_terms(terms, groups)]))[:MAX_EXPANDED_TERMS]
    corrected = misspelt_words(
        query[:MAX_QUERY_CHARS],
        spelling_indexes(brands, analyzer_family(language)),
        stopwords(language),
        lambda word: word_term(word, language),
    )
    if not corrected:
        return SearchTerms(terms, [])
    extra = query_terms(" ".join(corrected), language)
    extra = [*extra, *synonym_terms(extra, groups)]
    return SearchTerms(terms, [term for term in dict.fromkeys(extra) if term not in terms])


def expanded_search(
    where: IndexFilter, language: str, query: str, limit: int
) -> list[tuple[int, float]]:
    """(translation id, score) of the best matches of `query`, synonyms included.

    Corrections of misspelt words join the search when the query is short (a few words, as
    typed in a search box) or when it found fewer than FEW_RESULTS translations as written: a
    long question keeps its meaning, and a word that is merely absent from the articles (a
    name, a rare word) does not pull in look-alikes ("kind" -> "king").
    """
    found = search_terms(where.brand_ids, language, query)
    short = len(query_terms(query, language)) <= SHORT_QUERY_TERMS
    if found.corrections and short:
        return index_search([*found.terms, *found.corrections][:MAX_EXPANDED_TERMS], where, limit)
    rows = index_search(found.terms, where, limit)
    if found.corrections and len(rows) < FEW_RESULTS:
        rows = index_search([*found.terms, *found.corrections][:MAX_EXPANDED_TERMS], where, limit)
    return rows
