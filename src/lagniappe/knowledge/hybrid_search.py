"""The knowledge base's ranking: words (BM25 over our analyzers) and meaning (sentence
vectors) together. See docs/subsystems/search.md, "Meaning matching".

1. The word ranking's best LEXICAL_CANDIDATES translations (synonyms and corrections
   included, query_expansion.expanded_search). When its best clearly leads the second
   (`words_decided`), that is the answer: meaning would not change it, and the encoder's
   ≈ 1 ms of CPU per query token is spared (half of kb/'s questions).
2. The query's vector against every vector of the brands, in the allowed languages: the best
   SEMANTIC_CANDIDATES, kept only if the database says they may be shown.
3. Both sets fused (engines/textsearch/semantic.fuse).

When no word of the query is in any article, meaning answers alone, with at most
MEANING_ONLY_LIMIT articles: a customer's paraphrase often shares no word with the article
("钱包丢在地铁上卡也在里面" and 「银行卡丢失或被盗」 share no analyzer term). No threshold tells
such a paraphrase from noise: e5's cosines are compressed, and noise ("qwxz vbnm") scores
0.77–0.83 against real articles, as high as many true matches, so a query of letters that
means nothing gets a few weak suggestions, as it would on any search engine; the
help centre's "no click" content gaps still show it. A query without a letter or a digit
finds nothing.

With meaning matching switched off (LAGNIAPPE_SEARCH_MEANING=0) or the encoder unavailable,
this is the word ranking alone.
"""

from __future__ import annotations

from django.conf import settings

from lagniappe.engines.textsearch import query_terms
from lagniappe.engines.textsearch.semantic import (
    EMBEDDER,
    LEXICAL_CANDIDATES,
    SEMANTIC_CANDIDATES,
    fuse,
    nearest,
    words_decided,
)
from lagniappe.knowledge.query_expansion import expanded_search
from lagniappe.knowledge.search_index import IndexFilter
from lagniappe.knowledge.vector_index import brand_vectors, visible_translation_ids

# Articles found by meaning alone, when no word of the query matched (see above).
MEANING_ONLY_LIMIT = 3


def meaning_enabled() -> bool:
    return bool(getattr(settings, "LAGNIAPPE_SEARCH_MEANING", True))


def ranked_search(
    where: IndexFilter, language: str, query: str, limit: int
) -> list[tuple[int, float]]:
    """(translation id, score) of the best translations for `query`, best first."""
    if limit <= 0 or not query_terms(query, language):
        return []
    if not meaning_enabled():
        return expanded_search(where, language, query, limit)
    lexical = expanded_search(where, language, query, max(limit, LEXICAL_CANDIDATES))
    if words_decided(lexical):
        return lexical[:limit]
    query_vector = EMBEDDER.query_vector(query)
    if query_vector is None:
        return lexical[:limit]
    vectors = brand_vectors(where.brand_ids)
    keys, matrix = vectors.rows_in(where.languages)
    near = nearest(query_vector, keys, matrix, SEMANTIC_CANDIDATES)
    lexical_ids = {translation_id for translation_id, _ in lexical}
    allowed = visible_translation_ids(where, near.keys() - lexical_ids) | lexical_ids
    similarity = {key: cosine for key, cosine in near.items() if key in allowed}
    similarity.update(vectors.similarities(query_vector, lexical_ids - similarity.keys()))
    if not lexical:
        limit = min(limit, MEANING_ONLY_LIMIT)
    return [(item.key, item.score) for item in fuse(lexical, similarity)[:limit]]
