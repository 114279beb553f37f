"""What a received message's stored text and HTML are, from what its channel read.

Pure (no database): `message_receive` stores exactly this, and a poller's reading worker
computes the same ahead to analyse the text for search (`search_documents.
inbound_terms_foreseen`) while the poller writes earlier messages.
"""

from __future__ import annotations

from lagniappe.core.sanitising import html_sanitise, html_to_text

MAX_TEXT_CHARACTERS = 200_000
MAX_SUBJECT_CHARACTERS = 300


def inbound_body(text: str, html: str) -> tuple[str, str]:
    """(text, sanitised HTML): the text cut to MAX_TEXT_CHARACTERS, or, when the channel
    gave only HTML, the text of the sanitised HTML."""
    text = text[:MAX_TEXT_CHARACTERS]
    clean_html = html_sanitise(html) if html else ""
    if not text and clean_html:
        text = html_to_text(clean_html)
    return text, clean_html


def inbound_text(text: str, html: str) -> str:
    """`inbound_body`'s text alone: the HTML is cleaned only when the text comes from it."""
    text = text[:MAX_TEXT_CHARACTERS]
    if text or not html:
        return text
    return html_to_text(html_sanitise(html))
