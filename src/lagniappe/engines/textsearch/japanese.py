"""Japanese: SudachiPy with the core dictionary, split mode C (the longest units).

Each content morpheme is indexed by its normalised form (表記揺れ folded: 片仮名/カタカナ,
申込み/申し込み) and, when it differs, its folded surface. Particles, auxiliaries and
symbols are dropped. Character bigrams of kanji/kana runs are a second stream so that a
compound split differently in the query and the article still matches.
"""

from __future__ import annotations

import threading
from typing import Any

from lagniappe.engines.textsearch.folding import (
    HAN,
    KANA,
    WORD,
    cjk_bigrams,
    clean_tokens,
    fold,
    script_runs,
)

_SKIPPED_POS = frozenset({"助詞", "助動詞", "補助記号", "空白", "記号"})
# Sudachi refuses inputs past ~49 KB; analyse long texts in pieces cut at sentence ends.
_CHUNK = 4000
_local = threading.local()


def _tokenizer() -> Any:
    # A Sudachi tokenizer is not safe to share between threads: one per thread.
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        from sudachipy import Dictionary, SplitMode

        tokenizer = Dictionary(dict="core").tokenizer(mode=SplitMode.C)
        _local.tokenizer = tokenizer
    return tokenizer


def _chunks(text: str) -> list[str]:
    chunks: list[str] = []
    while len(text) > _CHUNK:
        cut = max(text.rfind("。", 0, _CHUNK), text.rfind("\n", 0, _CHUNK))
        cut = cut + 1 if cut > 0 else _CHUNK
        chunks.append(text[:cut])
        text = text[cut:]
    chunks.append(text)
    return chunks


class JapaneseAnalyzer:
    language = "ja"

    def normalise(self, text: str) -> str:
        return fold(text)

    def tokenize(self, text: str) -> list[str]:
        normalised = self.normalise(text)
        words: list[str] = []
        tokenizer = _tokenizer()
        for chunk in _chunks(normalised):
            for morpheme in tokenizer.tokenize(chunk):
                if morpheme.part_of_speech()[0] in _SKIPPED_POS:
                    continue
                surface = morpheme.surface()
                normal = fold(morpheme.normalized_form())
                words.append(normal)
                if surface != normal:
                    words.append(surface)
        bigrams: list[str] = []
        for word in WORD.findall(normalised):
            for script, run in script_runs(word):
                if script in (HAN, KANA) and len(run) > 2:
                    bigrams.extend(cjk_bigrams(run))
        return clean_tokens(words) + bigrams
