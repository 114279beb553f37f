"""Coaching for the composer: the seeds' email rules, judged without a database.

Seed 000: an agent's reply opens by restating the customer's question, so the customer sees
at once that they were understood. Seed 004: after two written back-and-forths without a
resolution, a phone call settles it faster than a third email.
Pure Python: only engines.textsearch, for each language's analyzer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from lagniappe.engines.textsearch import analyzer_for

# Share of the customer's distinct terms the opening paragraph must echo. Low on purpose:
# a restatement paraphrases, and CJK analyzers add overlapping bigrams to both sides.
RESTATE_MIN_SCORE = 0.25
# A long customer message is not restated whole: this many shared terms are enough.
RESTATE_ENOUGH_TERMS = 2
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Hint:
    ok: bool
    score: float


def _first_paragraph(text: str) -> str:
    for paragraph in _PARAGRAPH_BREAK.split(text.strip()):
        if paragraph.strip():
            return paragraph
    return ""


def reply_restates_question(customer_text: str, reply_text: str, language: str) -> Hint:
    """Does the reply's first paragraph echo the customer's last message, term by term?"""
    analyzer = analyzer_for(language)
    asked = set(analyzer.tokenize(customer_text))
    if not asked:  # nothing to restate (a photo, "hello"): never nag
        return Hint(ok=True, score=1.0)
    opening = set(analyzer.tokenize(_first_paragraph(reply_text)))
    shared = asked & opening
    score = round(len(shared) / len(asked), 3)
    return Hint(ok=score >= RESTATE_MIN_SCORE or len(shared) >= RESTATE_ENOUGH_TERMS, score=score)


@dataclass(frozen=True)
class Turn:
    """One message of a conversation, oldest first; notes and system messages left out."""

    author: Literal["customer", "agent"]
    written: bool  # email, web form, chat…; a phone call is not written


def phone_call_suggested(turns: list[Turn] | tuple[Turn, ...]) -> bool:
    """True when the conversation ends customer→agent→customer→agent→customer, all written.

    Consecutive messages of one side count as one turn. The caller passes the turns since the
    conversation was last resolved; a call (a turn that is not written) starts over.
    """
    sides: list[str] = []
    for turn in turns:
        if not turn.written:
            sides = []
            continue
        if not sides or sides[-1] != turn.author:
            sides.append(turn.author)
    return len(sides) >= 5 and sides[-1] == "customer"
