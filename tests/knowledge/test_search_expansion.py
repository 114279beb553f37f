"""Typo tolerance and synonyms on the real database (SQLite or PostgreSQL, same results)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from lagniappe.core.actors import SYSTEM
from lagniappe.core.errors import InvalidInput
from lagniappe.core.models import AuditEvent
from lagniappe.knowledge.models import SearchVocabulary, SearchWord, SynonymGroup
from lagniappe.knowledge.query_expansion import search_terms
from lagniappe.knowledge.selectors import article_search, article_suggest
from lagniappe.knowledge.services import (
    article_create,
    article_publish,
    synonym_group_save,
    translation_save,
)
from lagniappe.tenancy.scoping import ViewerScope


def _article(brand, slug, language, title, body, *, visibility="public"):
    article = article_create(actor=SYSTEM, brand=brand, slug=slug, visibility=visibility)
    translation_save(actor=SYSTEM, article=article, language=language, title=title, body_html=body)
    article_publish(actor=SYSTEM, article=article)
    return article


def _slugs(hits):
    return [hit.slug for hit in hits]


@pytest.fixture
def kb(world):
    _article(world.bank, "refund", "en", "Refund of a card payment", "<p>Ask for a refund.</p>")
    _article(world.bank, "address", "en", "Change your address", "<p>Update the address.</p>")
    _article(
        world.bank,
        "pengembalian",
        "id",
        "Pengembalian dana",
        "<p>Dana akan dikembalikan dalam tujuh hari kerja.</p>",
    )
    _article(world.bank, "premi", "id", "Pembayaran premi", "<p>Bayar premi bulanan.</p>")
    _article(world.insurer, "claim", "zh-Hant", "理賠申請", "<p>如何提出理賠申請。</p>")
    _article(world.insurer, "beneficiary", "en", "Beneficiary", "<p>Name a beneficiary.</p>")


@pytest.mark.parametrize(
    ("query", "language", "slug"),
    [
        ("refnud", "en", "refund"),  # two letters swapped
        ("how do I get a refnd", "en", "refund"),  # one letter missing
        ("adress change", "en", "address"),
        ("pengembalain dana", "id", "pengembalian"),
        ("pengmbalan", "id", "pengembalian"),  # long word: two letters missing
        ("premmi", "id", "premi"),
    ],
)
def test_a_misspelt_word_finds_the_article(world, kb, query, language, slug):
    assert _slugs(article_search(world.bank, query, language=language))[:1] == [slug]
    assert [found for found, _ in article_suggest(world.bank, query, language=language)][:1] == [
        slug
    ]


def test_a_correctly_spelt_query_is_not_changed(world, kb):
    found = search_terms({world.bank.pk}, "en", "refund address")
    assert (found.terms, found.corrections) == (["refund", "address"], [])


def test_a_long_question_with_results_keeps_its_words(world, kb):
    for number in range(3):
        _article(world.bank, f"pin{number}", "en", f"Change PIN {number}", "<p>Change it.</p>")
    # Four terms, and "change" finds four articles: "refnud" is taken as written...
    hits = _slugs(article_search(world.bank, "please change refnud method", language="en"))
    assert "refund" not in hits
    assert len(hits) == 4
    # ...while a question whose words find too little is corrected.
    hits = _slugs(article_search(world.bank, "please refnud my lousy method", language="en"))
    assert hits == ["refund"]


def test_short_words_are_not_guessed(world, kb):
    assert article_search(world.bank, "rfd", language="en") == []


def test_the_vocabulary_is_per_brand(world, kb):
    # "beneficiary" is only written in the insurer's articles: the bank knows no such word.
    assert search_terms({world.bank.pk}, "en", "benificiary").corrections == []
    assert search_terms({world.insurer.pk}, "en", "benificiary").corrections == ["beneficiari"]
    assert article_search(world.bank, "benificiary", language="en") == []


def test_the_vocabulary_follows_edits(world, kb):
    article = _article(world.bank, "wire", "en", "Wire transfers", "<p>Send a wire.</p>")
    vocabulary = SearchVocabulary.objects.get(brand=world.bank, family="en")
    assert SearchWord.objects.filter(vocabulary=vocabulary, word="wire").get().documents == 1
    translation_save(
        actor=SYSTEM, article=article, language="en", title="Transfers", body_html="<p>Send.</p>"
    )
    assert not SearchWord.objects.filter(vocabulary=vocabulary, word="wire").exists()
    assert search_terms({world.bank.pk}, "en", "wirre").corrections == []


def test_a_private_article_is_never_reached_through_a_correction(world, kb):
    _article(world.bank, "secret", "en", "Overdraft exceptions", "<p>x</p>", visibility="internal")
    assert article_search(world.bank, "overdraftt", language="en") == []
    agent = ViewerScope(
        organisation_id=world.organisation.pk,
        brand_ids=frozenset({world.bank.pk}),
        agent_id=world.bank_agent.pk,
        role=world.bank_agent.role,
    )
    assert _slugs(article_search(agent, "overdraftt", language="en")) == ["secret"]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?!…。、",
        '"refnud" OR "',
        "NEAR(refnud adress) title:x * ^ ( -crad",
        "refnud " * 2_000,
        "x" * 10_000,
        "adress" * 2_000,
        "'; DROP TABLE knowledge_searchword; --",
    ],
)
def test_bad_queries_never_raise(world, kb, query):
    for language in (None, "en", "id", "zh-Hant", "ja"):
        article_search(world.bank, query, language=language)
        article_suggest(world.bank, query, language=language)
    assert _slugs(article_search(world.bank, "refnud", language="en"))[:1] == ["refund"]


def test_synonyms_expand_a_query_of_their_brand(world, kb):
    assert article_search(world.bank, "reimbursement", language="en") == []
    synonym_group_save(actor=SYSTEM, brand=world.bank, language="en", terms="refund\nreimbursement")
    assert _slugs(article_search(world.bank, "reimbursement", language="en")) == ["refund"]
    assert _slugs(article_search(world.bank, "reimbursements", language="en")) == ["refund"]
    # Another brand's group changes nothing here.
    assert article_search(world.insurer, "reimbursement", language="en") == []


def test_chinese_synonyms_across_scripts(world, kb):
    assert article_search(world.insurer, "赔付", language="zh-Hans") == []
    synonym_group_save(actor=SYSTEM, brand=world.insurer, language="zh-Hant", terms="理賠, 賠付")
    assert _slugs(article_search(world.insurer, "赔付", language="zh-Hans")) == ["claim"]
    assert _slugs(article_search(world.insurer, "如何賠付", language="zh-Hant")) == ["claim"]


def test_a_phrase_synonym(world, kb):
    synonym_group_save(
        actor=SYSTEM, brand=world.bank, language="en", terms="home address\nresidence"
    )
    assert _slugs(article_search(world.bank, "residence", language="en")) == ["address"]


def test_synonym_groups_are_cleaned_checked_and_audited(world):
    group = synonym_group_save(
        actor=SYSTEM, brand=world.bank, language="en", terms=" refund ,Refund\n\nreimbursement "
    )
    assert group.terms == "refund\nreimbursement"
    assert AuditEvent.objects.filter(action="knowledge.synonyms_save", object_id=group.pk).exists()
    with pytest.raises(InvalidInput):
        synonym_group_save(actor=SYSTEM, brand=world.bank, language="en", terms="refund")
    with pytest.raises(InvalidInput):
        synonym_group_save(actor=SYSTEM, brand=world.bank, language="xx", terms="a\nb")
    with pytest.raises(InvalidInput):
        synonym_group_save(
            actor=SYSTEM, brand=world.insurer, language="en", terms="a\nb", group=group
        )


def test_an_administrator_edits_synonyms_in_the_admin(world, kb):
    client = Client()
    client.force_login(world.admin)
    url = reverse("admin:knowledge_synonymgroup_add")
    refused = client.post(url, {"brand": world.bank.pk, "language": "en", "terms": "refund"})
    assert refused.status_code == 200
    assert not SynonymGroup.objects.exists()
    response = client.post(
        url, {"brand": world.bank.pk, "language": "en", "terms": "refund\nreimbursement"}
    )
    assert response.status_code == 302
    group = SynonymGroup.objects.get()
    assert group.terms == "refund\nreimbursement"
    assert _slugs(article_search(world.bank, "reimbursement", language="en")) == ["refund"]
    change = reverse("admin:knowledge_synonymgroup_change", args=[group.pk])
    client.post(change, {"brand": world.bank.pk, "language": "en", "terms": "refund\npayback"})
    assert article_search(world.bank, "reimbursement", language="en") == []
    assert _slugs(article_search(world.bank, "payback", language="en")) == ["refund"]
