"""Load ahead of the first message what analysing mail loads lazily.

The language detector's model (py3langid, ≈ 0.7 s of CPU), the Indonesian stemmer's
dictionary, OpenCC's and Sudachi's dictionaries and the charset detector are each loaded by
the first message that needs them. A worker or a poller calls this once when it starts, so
the first customer's mail after a restart is not the one that waits.
"""

from __future__ import annotations

from lagniappe.engines.mail.charsets import bytes_decode
from lagniappe.engines.mail.language import mail_language
from lagniappe.engines.textsearch.filtering import document_terms

# A word or two of each language, in the script the analyzers fold and segment.
_SAMPLES = (
    ("en", "refunds of the premium"),
    ("id", "pengembalian premi dikembalikan"),
    ("zh-Hant", "保費退款 搜尋"),
    ("zh-Hans", "保费退款 搜索"),
    ("ja", "保険料の返金 カタカナ"),
)


def mail_analysis_preload() -> None:
    mail_language(subject="", text="the detector's model is loaded once", default="en")
    for language, text in _SAMPLES:
        document_terms(text, language)
    # Undeclared 8-bit text goes to the charset detector.
    bytes_decode("保費退款".encode("big5"))
