"""The inbox's filtering terms: a query matches a document holding every term of one of its
alternatives. Table-driven, no database."""

from __future__ import annotations

import pytest

from lagniappe.engines.textsearch.filtering import (
    QueryTerm,
    document_terms,
    phone_terms,
    query_alternatives,
)


def matches(query: str, document: set[str]) -> bool:
    def has(term: QueryTerm) -> bool:
        if term.prefix:
            return any(t.startswith(term.text) for t in document)
        return term.text in document

    return any(all(has(t) for t in terms) for terms in query_alternatives(query))


FOUND = [
    # (query, text, text's language): the query must find the text
    ("理賠", "請問我的理賠申請何時會核准？", "zh-Hant"),
    ("理赔", "請問我的理賠申請何時會核准？", "zh-Hant"),  # Simplified finds Traditional
    ("軟體", "我的软件坏了", "zh-Hans"),  # Taiwan phrasing finds the mainland word
    ("申請何時", "請問我的理賠申請何時會核准？", "zh-Hant"),  # across jieba's word cuts
    ("核", "請問我的理賠申請何時會核准？", "zh-Hant"),  # one character
    ("払い戻し", "保険料の払い戻しについて教えてください", "ja"),
    ("戻し", "保険料の払い戻しについて教えてください", "ja"),  # part of a word
    ("ﾊﾗｲﾓﾄﾞｼ", "ハライモドシ", "ja"),  # half-width kana
    ("pengembalian", "Dana akan dikembalikan dalam 7 hari", "id"),
    ("PENGEMBALIAN", "Saya ingin pengembalian dana", "id"),
    ("refunds", "How do I get a refund?", "en"),
    ("damage", "My order arrived damaged", "en"),  # the last word is a prefix
    ("order damaged", "My order arrived damaged", "en"),
    ("ＡＢＣ１２３", "Order abc123 was shipped", "en"),
    ("refund", "退款 refund please", "zh-Hans"),  # a Latin word in Chinese text
    # Indonesian in a text said to be English (a visitor's English page, a quoted reply):
    # its function words bring the Indonesian stems back.
    ("pengembalian", "Dana saya akan dikembalikan", "en"),
    ("pengembalian", "> Mohon maaf, dana dikembalikan\nThanks, received it", "en"),
    ("pengembalian", "Dana dikembalikan", ""),  # undeclared: both stemmers
    ("払い戻し", "払い戻し please", ""),  # undeclared language
]

NOT_FOUND = [
    ("理赔进度", "請問我的理賠申請何時會核准？", "zh-Hant"),  # 进度 is not there
    ("order cancelled", "My order arrived damaged", "en"),  # every word must be there
    ("保険", "お支払いについて", "ja"),
    ("xyz", "", "en"),
]


@pytest.mark.parametrize(("query", "text", "language"), FOUND)
def test_query_finds_text(query, text, language):
    assert matches(query, set(document_terms(text, language))), (
        query_alternatives(query),
        document_terms(text, language),
    )


@pytest.mark.parametrize(("query", "text", "language"), NOT_FOUND)
def test_query_does_not_find_text(query, text, language):
    assert not matches(query, set(document_terms(text, language)))


def test_phone_numbers_are_found_in_any_common_spelling():
    document = set(phone_terms("+886912345678")) | set(document_terms("+886912345678", ""))
    for query in ("+886 912 345 678", "0912-345-678", "912345678", "(0912) 345678", "+8869"):
        assert matches(query, document), query
    assert not matches("0912-999-678", document)


def test_terms_are_letters_and_digits_only_whatever_is_typed():
    hostile = '"*) OR (x NEAR y) AND title:z - \' \\ 払い"戻し %_'
    for terms in query_alternatives(hostile):
        for term in terms:
            assert term.text.isalnum(), term
    for term in document_terms(hostile, "ja") + document_terms(hostile, "en"):
        assert term.isalnum(), term


def test_blank_and_symbol_queries_have_no_terms():
    assert query_alternatives("") == ()
    assert query_alternatives("   ") == ()
    assert query_alternatives("!!! ... ---") == ()


def test_documents_are_sets_and_queries_are_bounded():
    assert document_terms("refund refund refund", "en") == ["refund"]
    long = " ".join(f"w{i}" for i in range(500))
    assert all(len(terms) <= 32 for terms in query_alternatives(long))


def test_an_email_address_is_one_term_and_its_beginning_finds_it():
    document = set(document_terms("Mei.Lin@Example.tw", "")) | set(
        document_terms("write to mei.lin@example.tw please", "en")
    )
    assert "meilinexampletw" in document
    for query in ("mei.lin@example.tw", "MEI.LIN@example", "mei.lin@"):
        assert matches(query, document), query
    assert not matches("mei.lin@example.jp", document)


def test_english_text_skips_the_indonesian_stemmer_and_indonesian_text_keeps_it():
    # Sastrawi reads "berlin" as ber- + lin: only text that may be Indonesian pays for it.
    assert "lin" not in document_terms("Flights from Berlin were cancelled", "en")
    assert "lin" in document_terms("Penerbangan dari Berlin", "id")
    assert "lin" in document_terms("Saya tidak bisa terbang dari Berlin", "en")
    # The English stems are there whatever the declared language.
    assert "cancel" in document_terms("Penerbangan cancelled", "id")


def test_terms_do_not_depend_on_how_the_text_is_split_into_calls():
    # A word's terms are remembered per process: the same word in a later text (a quote)
    # gives the same terms, and a message's terms are the union of its lines' terms.
    lines = ["Where is my refund?", "> Your refunds were sent on Monday.", "Thanks, mei@x.tw"]
    whole = set(document_terms("\n".join(lines), "en"))
    assert whole == set().union(*(document_terms(line, "en") for line in lines))
