"""Which of our five languages a customer's mail is written in.

Only what the sender wrote counts: quoted history and signatures are cut off first (an
Indonesian answer above a quoted English acknowledgement is Indonesian), and the subject's
reply prefixes and list tags are gone (`subject_key`). The detector itself is the search
engine's (`engines.textsearch.detection`): script first for Chinese and Japanese, py3langid
restricted to English and Indonesian for Latin script.
"""

from __future__ import annotations

import html
import re

from lagniappe.engines.mail.quotes import quote_split
from lagniappe.engines.mail.subjects import subject_key
from lagniappe.engines.textsearch.detection import language_detect

# quote_split works on lines: cutting a long mail short keeps it cheap, and what the sender
# wrote comes first.
_TEXT_SAMPLE = 4000
# What the detector reads: 600 characters tell en from id as well as two thousand
# (the detector's own cap), at half the cost on every inbound mail.
_DETECT_SAMPLE = 600
# Shorter Latin-script text ("Thanks!", "ok") says nothing reliable about en vs id.
_MIN_LATIN_SAMPLE = 16
_TAG = re.compile(r"<[^>]*>")
_INVISIBLE = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def _html_text(source: str) -> str:
    """A rough text of an HTML-only mail, for detection only (never shown)."""
    return html.unescape(_TAG.sub(" ", _INVISIBLE.sub(" ", source[: _TEXT_SAMPLE * 4])))


def mail_language(*, subject: str, text: str, html_body: str = "", default: str) -> str:
    """The language code of the mail (en, id, ja, zh-Hans, zh-Hant), or `default` when the
    mail says too little to tell."""
    body = text if text.strip() else _html_text(html_body)
    new, _quoted = quote_split(body[:_TEXT_SAMPLE])
    # Inline replies keep their quotes in the new text; the quoted lines are not theirs.
    own = "\n".join(line for line in new.split("\n") if not line.lstrip().startswith(">"))
    sample = f"{subject_key(subject).normalised}\n{own}".strip()[:_DETECT_SAMPLE]
    if len(sample) < _MIN_LATIN_SAMPLE and sample.isascii():
        return default
    return language_detect(sample, default=default)
