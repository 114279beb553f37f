"""How a message's words are shown: an email's quoted history and signature folded away.

Customers' mail clients repeat the whole thread under every reply; the agent reads what is
new and opens the rest on demand. Only email is split: in chat or a web form a '>' or a
"wrote:" line is something the customer typed on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from lagniappe.engines.mail.quotes import quote_split

register = template.Library()

EMAIL_KIND = "email"


@dataclass(frozen=True)
class ShownWords:
    new_text: str  # empty: show the message as it is
    folded: bool  # there is quoted history or a signature behind a "show" toggle


@register.filter
def shown_words(message: object) -> ShownWords:
    if getattr(message, "channel_kind", "") != EMAIL_KIND:
        return ShownWords("", folded=False)
    new_text, quoted = quote_split(str(getattr(message, "text", "") or ""))
    if not quoted:
        return ShownWords("", folded=False)
    return ShownWords(new_text, folded=True)
