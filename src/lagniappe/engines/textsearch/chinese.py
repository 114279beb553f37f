"""One analyzer for Traditional and Simplified Chinese.

Both scripts are folded to one form with OpenCC's "tw2sp" conversion (Taiwan characters AND
phrases to mainland ones: 搜尋 -> 搜索, 軟體 -> 软件), so a Traditional query finds a
Simplified article and the reverse. Simplified text passes through it unchanged, so the fold
is applied to everything. Segmentation is jieba's search mode (whole words plus their
dictionary sub-words); character bigrams are added as a second stream so that a word the
segmenter split differently in the query and the article still matches.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from lagniappe.engines.textsearch.folding import (
    HAN,
    KANA,
    WORD,
    cjk_bigrams,
    clean_tokens,
    fold,
    script_runs,
)

# Function words and question words: frequent, topic-free, common in questions.
CHINESE_STOPWORDS = frozenset(
    [
        "的",
        "了",
        "是",
        "在",
        "和",
        "与",
        "及",
        "或",
        "也",
        "都",
        "就",
        "而",
        "着",
        "之",
        "吗",
        "呢",
        "吧",
        "啊",
        "么",
        "什么",
        "哪",
        "哪个",
        "哪些",
        "哪里",
        "谁",
        "怎么",
        "怎样",
        "如何",
        "为什么",
        "为何",
        "多少",
        "几",
        "我",
        "你",
        "他",
        "她",
        "它",
        "我们",
        "你们",
        "他们",
        "这",
        "那",
        "这个",
        "那个",
        "有",
        "被",
        "把",
    ]
)


@lru_cache(maxsize=4)
def _converter(config: str) -> Callable[[str], str]:
    import opencc

    return opencc.OpenCC(config).convert


def to_folded_chinese(text: str) -> str:
    """Both scripts in one form: mainland characters and mainland phrasing."""
    return _converter("tw2sp")(text)


def char_fold_chinese(text: str) -> str:
    """Traditional -> Simplified characters (for highlighting; callers check the length)."""
    return _converter("t2s")(text)


def phrasing_variants(text: str) -> tuple[str, ...]:
    """The text in Taiwan and in mainland phrasing (for marking matches in either script)."""
    return (_converter("s2twp")(text), _converter("tw2sp")(text))


def _segment(text: str) -> list[str]:
    import rjieba

    return list(rjieba.cut_for_search(text))


class ChineseAnalyzer:
    def __init__(self, language: str = "zh-Hans") -> None:
        self.language = language

    def normalise(self, text: str) -> str:
        return to_folded_chinese(fold(text))

    def tokenize(self, text: str) -> list[str]:
        normalised = self.normalise(text)
        words = [t for t in clean_tokens(_segment(normalised)) if t not in CHINESE_STOPWORDS]
        bigrams: list[str] = []
        for word in WORD.findall(normalised):
            for script, run in script_runs(word):
                if script in (HAN, KANA) and len(run) > 2:
                    bigrams.extend(cjk_bigrams(run))
        return words + bigrams
