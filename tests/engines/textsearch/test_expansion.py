"""Spelling correction and synonyms as pure functions: no database."""

from __future__ import annotations

import pytest

from lagniappe.engines.textsearch import query_terms
from lagniappe.engines.textsearch.expansion import (
    SpellingIndex,
    latin_words,
    max_edits,
    misspelt_words,
    osa_distance,
    synonym_terms,
)

VOCABULARY = SpellingIndex(
    {
        "refund": 5,
        "refunds": 2,
        "reimbursement": 1,
        "pengembalian": 3,
        "dikembalikan": 2,
        "address": 4,
        "card": 7,
        "cart": 1,
        "premium": 2,
    }
)


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("refund", "refund", 0),
        ("refnd", "refund", 1),  # deletion
        ("reffund", "refund", 1),  # insertion
        ("refind", "refund", 1),  # substitution
        ("refnud", "refund", 1),  # neighbours swapped
        ("rfnud", "refund", 2),
        ("xyz", "refund", 3),  # above the limit: limit + 1
    ],
)
def test_osa_distance(a, b, distance):
    assert osa_distance(a, b, 2) == distance


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("refnud", ["refund"]),  # 1 edit; "refunds" is 2 away, too many for 6 letters
        ("adress", ["address"]),
        ("crad", ["card"]),
        ("reimbursment", ["reimbursement"]),  # long word: 1 letter missing
        ("reimbrsment", ["reimbursement"]),  # long word: 2 letters missing
        ("pengembalain", ["pengembalian"]),
        ("premiun", ["premium"]),
    ],
)
def test_a_word_one_or_two_edits_away_is_corrected(word, expected):
    assert VOCABULARY.corrections(word)[:1] == expected[:1]


def test_the_nearest_then_the_most_used_word_comes_first():
    assert VOCABULARY.corrections("carx") == ["card", "cart"]


@pytest.mark.parametrize("word", ["car", "crd", "refund", "xxxxxxxx", "rfnud", "a" * 500])
def test_short_known_far_or_junk_words_are_not_corrected(word):
    assert VOCABULARY.corrections(word) == []


def test_max_edits_by_length():
    assert [max_edits("abc"), max_edits("abcd"), max_edits("abcdefg"), max_edits("abcdefgh")] == [
        0,
        1,
        1,
        2,
    ]


def test_only_unknown_words_of_a_query_are_corrected():
    found = misspelt_words("how do I get a refnud for my crad?", [VOCABULARY], frozenset())
    assert found == ["refund", "card"]
    assert misspelt_words("refund card", [VOCABULARY], frozenset()) == []
    assert misspelt_words("refnud", [], frozenset()) == []


def test_stop_words_numbers_and_cjk_are_never_corrected():
    assert misspelt_words("thee 12345 退款申請 カード", [VOCABULARY], frozenset({"thee"})) == []


@pytest.mark.parametrize(
    "query",
    ["", "?!…", '"refnud" AND -card NEAR(a b) title:x * ^ (', "refnud " * 2000, "x" * 10_000],
)
def test_odd_queries_never_raise(query):
    found = misspelt_words(query, [VOCABULARY], frozenset())
    assert len(found) <= 16


def test_latin_words_are_folded_and_skip_cjk_and_digits():
    assert latin_words("Ｒｅｆｕｎｄ the CARD 退款 a1b2 ok") == {"refund", "the", "card"}


def test_a_synonym_adds_the_other_members():
    groups = [[["refund"], ["reimburs"]], [["lost"], ["stolen"]]]
    assert synonym_terms(["refund", "polici"], groups) == ["reimburs"]
    assert synonym_terms(["card"], groups) == []


def test_a_phrase_synonym_needs_all_its_words():
    groups = [[["credit", "card"], ["visa"]]]
    assert synonym_terms(["credit"], groups) == []
    assert synonym_terms(["credit", "card", "lost"], groups) == ["visa"]
    assert synonym_terms(["visa"], groups) == ["credit", "card"]


def test_chinese_synonyms_work_on_analyzer_terms_across_scripts():
    groups = [[query_terms("理賠", "zh-Hant"), query_terms("賠付", "zh-Hant")]]
    added = synonym_terms(query_terms("如何申请理赔", "zh-Hans"), groups)
    assert set(query_terms("賠付", "zh-Hant")) <= set(added)
