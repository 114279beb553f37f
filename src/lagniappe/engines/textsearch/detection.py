"""Which of our five languages undeclared text is in.

Script decides first (kana means Japanese; Han without kana means Chinese), because the
statistical model is weak on short CJK strings. Traditional vs Simplified is decided by
which characters OpenCC would change. Latin-script text goes to py3langid, restricted to
English and Indonesian.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from lagniappe.engines.textsearch.chinese import _converter
from lagniappe.engines.textsearch.folding import HAN, KANA, fold, script_of

_SAMPLE = 2000  # characters looked at: enough to decide, cheap on a 10,000-character query
DEFAULT_LANGUAGE = "en"
_ASCII_LETTER = re.compile(r"[A-Za-z]")


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(["en", "id"])
    return identifier


def chinese_script(text: str) -> str:
    """ "zh-Hant" when more characters are Traditional-only than Simplified-only."""
    han = "".join(c for c in text if script_of(c) == HAN)
    traditional = sum(a != b for a, b in zip(han, _converter("t2s")(han), strict=False))
    simplified = sum(a != b for a, b in zip(han, _converter("s2t")(han), strict=False))
    return "zh-Hant" if traditional > simplified else "zh-Hans"


def language_detect(text: str, default: str = DEFAULT_LANGUAGE) -> str:
    sample = fold(text[:_SAMPLE])
    if sample.isascii():
        # No Han, no kana (most mail): the character loop below would only count letters.
        if not _ASCII_LETTER.search(sample):
            return default
        return str(_identifier().classify(sample)[0])
    han = kana = letters = 0
    for char in sample:
        script = script_of(char)
        if script == HAN:
            han += 1
        elif script == KANA:
            kana += 1
        elif char.isalpha():
            letters += 1
    if kana:
        return "ja"
    if han and han >= letters / 4:
        return chinese_script(sample)
    if not letters:
        return default
    language, _probability = _identifier().classify(sample)
    return str(language)
