"""Who else has a conversation open, and whether they are typing (collision detection).

Nothing is stored: each socket keeps what it heard on the conversation's group. A newcomer
announces itself asking for replies, the others answer it directly, so every socket learns
the current viewers through the channel layer — across processes with Redis.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

VIEWING = "viewing"
TYPING = "typing"
LEFT = "left"
STATES = frozenset({VIEWING, TYPING})


@dataclass(frozen=True)
class Peer:
    agent_id: int
    name: str
    state: str


def presence_html(peers: list[Peer], language: str) -> str:
    """The banner partial, in the receiving agent's language."""
    ordered = sorted(peers, key=lambda peer: (peer.name, peer.agent_id))
    with translation.override((language or settings.LANGUAGE_CODE).lower()):
        return render_to_string("realtime/_presence.html", {"peers": ordered})
