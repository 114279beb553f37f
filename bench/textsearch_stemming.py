"""CPU cost of stemming a word the analyzers have not seen yet (cold caches).

The conversation search document stems every new word with both Latin stemmers (Snowball
and Sastrawi), so this is most of the analyzer's share of email ingest. Reads the words of
the given text files (default: the fedora mailing-list mbox and the Indonesian kb articles),
then times, per distinct word and with every cache empty:

- `sastrawi_library`: Sastrawi's own CachedStemmer.stem (what the analyzer called before);
- `indonesian_term`: the Indonesian analyzer's `term` (same stems, faster path);
- `english_term`: the English analyzer's `term` (Snowball);
- `document_terms`: engines.textsearch.filtering's terms of the word (both stems + surface).

    .venv/bin/python bench/textsearch_stemming.py [--text FILE ...] [--runs 3]

Prints one JSON line per figure and text: microseconds per word, the best of --runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

DEFAULT_TEXTS = (
    Path("/work/shared/eval/email/fedora-2010-01.mbox"),
    Path("/work/shared/eval/kb/id/articles.jsonl"),
)


def _words(path: Path) -> list[str]:
    from lagniappe.engines.textsearch.folding import WORD, fold

    text = path.read_text(encoding="utf-8", errors="replace")
    return sorted({word for word in WORD.findall(fold(text)) if word.isalpha()})


def _cold_cost(words: list[str], make: Callable[[], Callable[[str], object]], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        function = make()  # a fresh function: no word has been seen
        started = time.perf_counter()
        for word in words:
            function(word)
        best = min(best, time.perf_counter() - started)
    return best / max(len(words), 1) * 1e6


def _sastrawi_library() -> Callable[[str], object]:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer().stem


def _cold_stemmers() -> None:
    """Empty every word cache, Sastrawi's own included; load the dictionaries untimed."""
    from lagniappe.engines.textsearch.latin import _indonesian_stemmer, _stem

    _stem.cache_clear()
    _indonesian_stemmer.cache_clear()
    _indonesian_stemmer()


def _indonesian_term() -> Callable[[str], object]:
    from lagniappe.engines.textsearch import word_term

    _cold_stemmers()
    return lambda word: word_term(word, "id")


def _english_term() -> Callable[[str], object]:
    from lagniappe.engines.textsearch import word_term

    _cold_stemmers()
    return lambda word: word_term(word, "en")


def _document_terms() -> Callable[[str], object]:
    from lagniappe.engines.textsearch.filtering import _BOTH, _word_memos, _word_terms_of

    _cold_stemmers()
    _word_memos.clear()
    return lambda word: _word_terms_of(word, _BOTH)  # English and Indonesian: the costliest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", type=Path, action="append", default=[])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    for path in args.text or DEFAULT_TEXTS:
        words = _words(path)
        _indonesian_term()("warmup")  # load the dictionaries outside the timings
        _english_term()("warmup")
        _sastrawi_library()("warmup")
        for figure, make in (
            ("sastrawi_library", _sastrawi_library),
            ("indonesian_term", _indonesian_term),
            ("english_term", _english_term),
            ("document_terms", _document_terms),
        ):
            cost = _cold_cost(words, make, args.runs)
            print(
                json.dumps(
                    {
                        "figure": f"stem_{figure}_per_new_word",
                        "value": round(cost, 2),
                        "unit": "us",
                        "text": path.name,
                        "words": len(words),
                    }
                ),
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
