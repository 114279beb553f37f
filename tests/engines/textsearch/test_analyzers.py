"""Golden cases of the analyzers: what must match what, and what must never raise."""

from __future__ import annotations

import re

import pytest

from lagniappe.engines.textsearch import (
    analyzer_family,
    highlight,
    index_text,
    language_detect,
    query_terms,
)

SHARED_TERM_CASES = [
    # (query, query language, article text, article language): the query must share a term
    ("搜尋", "zh-Hant", "如何使用搜索功能", "zh-Hans"),
    ("搜索", "zh-Hans", "如何使用搜尋功能", "zh-Hant"),
    ("軟體更新", "zh-Hant", "软件更新说明", "zh-Hans"),
    ("退款怎麼申請", "zh-Hant", "申请退款的步骤", "zh-Hans"),
    ("ｶﾀｶﾅ", "ja", "カタカナで入力してください", "ja"),
    ("申し込み", "ja", "申込みの方法", "ja"),
    ("総選挙", "ja", "第45回衆議院議員総選挙が行われた", "ja"),  # a part of a compound
    ("pengembalian", "id", "Dana akan dikembalikan dalam 7 hari", "id"),
    ("refunds", "en", "How to request a refund", "en"),
    ("ＡＢＣ１２３", "en", "Order abc123 was shipped", "en"),
]


@pytest.mark.parametrize(("query", "qlang", "text", "tlang"), SHARED_TERM_CASES)
def test_query_shares_a_term_with_the_article(query, qlang, text, tlang):
    terms = set(query_terms(query, qlang))
    assert terms & set(index_text(text, tlang).split()), (terms, index_text(text, tlang))


def test_traditional_and_simplified_fold_to_the_same_tokens():
    assert index_text("搜尋軟體", "zh-Hant") == index_text("搜索软件", "zh-Hans")
    assert analyzer_family("zh-Hant") == analyzer_family("zh-Hans")


NO_MATCH_CASES = [
    ("refund", "en", "Change your address", "en"),
    ("退款", "zh-Hant", "修改地址", "zh-Hans"),
    ("カタカナ", "ja", "住所の変更", "ja"),
]


@pytest.mark.parametrize(("query", "qlang", "text", "tlang"), NO_MATCH_CASES)
def test_unrelated_text_shares_no_term(query, qlang, text, tlang):
    assert not set(query_terms(query, qlang)) & set(index_text(text, tlang).split())


def test_japanese_function_words_make_no_terms():
    # Character bigrams across particles ("のは", "はい") once matched nearly every article.
    assert query_terms("選挙が行われたのはいつか", "ja") == ["選挙", "行う", "いつ"]


def test_english_stop_words_are_not_query_terms():
    assert query_terms("what is the refund policy", "en") == ["refund", "polici"]


ODD_QUERIES = [
    "",
    "   ",
    "?!…。、「」",
    "🙂🙃🔥",
    '"refund" AND -card NEAR(a b) title:x * ^ (',
    "退款 refund 払い戻し pengembalian",
    "x" * 10_000,
    "退款" * 5_000,
    "カタカナ" * 2_500,
    "a\x00b\u200bc\ud7ff",
]
WORD_ONLY = re.compile(r"^[^\W_]+$")


@pytest.mark.parametrize("language", ["en", "zh-Hant", "zh-Hans", "ja", "id"])
@pytest.mark.parametrize("query", ODD_QUERIES, ids=range(len(ODD_QUERIES)))
def test_odd_queries_never_raise_and_yield_plain_terms(query, language):
    terms = query_terms(query, language)
    assert len(terms) <= 48
    for term in terms:
        assert WORD_ONLY.match(term), term
    highlight("some article text 退款 カタカナ", query, language)


def test_fts_operator_words_become_lower_case_plain_terms():
    assert query_terms('NEAR AND "card"*', "id") == ["near", "and", "card"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How do I get a refund for my order?", "en"),
        ("Bagaimana cara mengembalikan uang saya?", "id"),
        ("払い戻しの方法を教えてください", "ja"),
        ("ｶﾀｶﾅ", "ja"),
        ("退款怎么申请", "zh-Hans"),
        ("退款怎麼申請", "zh-Hant"),
        ("", "en"),
        ("!!!", "en"),
    ],
)
def test_language_detection(text, expected):
    assert language_detect(text) == expected


def _marked(segments):
    return [segment.text for segment in segments if segment.marked]


def test_highlight_marks_words_by_their_stem():
    assert _marked(highlight("How to request a refund.", "refunds", "en")) == ["refund"]


def test_highlight_marks_chinese_across_scripts():
    assert _marked(highlight("我們的搜尋軟體很好用", "搜索软件", "zh-Hans")) == ["搜尋軟體"]


def test_highlight_marks_half_width_katakana_as_written():
    assert _marked(highlight("ｶﾀｶﾅで書く", "カタカナ", "ja")) == ["ｶﾀｶﾅ"]


def test_highlight_leaves_a_lone_particle_of_the_query_unmarked():
    text = "アプリの「カード停止」から今すぐ利用を止められます。"
    assert _marked(highlight(text, "財布を電車に忘れた", "ja")) == []
    assert _marked(highlight(text, "カードを止めたい", "ja")) == ["カード", "止", "止"]


def test_highlight_window_is_bounded_and_centred_on_the_match():
    text = "filler words " * 100 + "the refund policy" + " more filler" * 100
    segments = highlight(text, "refund", "en", width=80)
    joined = "".join(segment.text for segment in segments)
    assert "refund" in _marked(segments)
    assert len(joined) <= 80 + 2
