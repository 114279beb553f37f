"""What an inbox search box query becomes: the substring variants a conversation may contain.

Stored text is kept as written, so the query is tried as typed and folded (NFKC and case:
full-width "ＡＢＣ" finds "abc"), and Chinese in both scripts and both phrasings (a
Traditional query finds a Simplified message and the reverse), using the search engine's own
folding. No segmentation is needed: the database compares substrings.
"""

from __future__ import annotations

from lagniappe.engines.textsearch import char_fold_chinese, phrasing_variants
from lagniappe.engines.textsearch.folding import HAN, fold, script_of

MAX_QUERY_CHARS = 200
MAX_VARIANTS = 4


def search_variants(query: str) -> tuple[str, ...]:
    """Up to MAX_VARIANTS distinct non-empty forms of `query` (empty for a blank query)."""
    text = " ".join(query.split())[:MAX_QUERY_CHARS]
    if not text:
        return ()
    variants = [text, fold(text)]
    if any(script_of(char) == HAN for char in text):
        variants += [char_fold_chinese(text), *phrasing_variants(text)]
    return tuple(dict.fromkeys(v for v in variants if v))[:MAX_VARIANTS]
