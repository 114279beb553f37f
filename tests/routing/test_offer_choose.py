"""The pure decision: which online agent gets a new chat, table-driven, no database."""

from __future__ import annotations

import pytest

from lagniappe.routing.chat_offers import Candidate, offer_choose


def c(agent_id: int, load: int, capacity: int = 3, *languages: str) -> Candidate:
    return Candidate(agent_id, capacity, load, frozenset(languages))


@pytest.mark.parametrize(
    ("candidates", "language", "chosen"),
    [
        ([], "ja", None),  # nobody online
        ([c(1, 3), c(2, 5, 5)], "", None),  # everyone at capacity
        ([c(1, 2), c(2, 0)], "", 2),  # most free places
        ([c(1, 1, 4), c(2, 0, 2)], "", 1),  # free places, not load, decide first (3 > 2)
        ([c(1, 1), c(2, 1)], "", 1),  # tie: lowest id
        ([c(1, 0, 3, "en"), c(2, 2, 3, "ja")], "ja", 2),  # speaks the language, though busier
        ([c(1, 0, 3, "en"), c(2, 3, 3, "ja")], "ja", 1),  # the speaker is full: anyone free
        ([c(1, 0, 0)], "", None),  # capacity 0: never offered
    ],
)
def test_offer_choose(candidates: list[Candidate], language: str, chosen: int | None) -> None:
    decision = offer_choose(candidates, language)
    assert decision.agent_id == chosen
    assert decision.reason


def test_the_reason_names_the_load_and_the_language() -> None:
    decision = offer_choose([c(7, 1, 3, "zh-Hant")], "zh-Hant")
    assert decision.reason == "1/3 chats, speaks zh-Hant"
    assert offer_choose([c(7, 1)], "id").reason == "1/3 chats, nobody free speaks id"
