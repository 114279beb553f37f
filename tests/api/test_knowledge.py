"""/api/v1/knowledge: articles, search and gaps, scoped to the caller's brands."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lagniappe.core.actors import SYSTEM
from lagniappe.knowledge.services import (
    article_create,
    article_publish,
    feedback_record,
    search_log_record,
    translation_save,
)


def _article(brand, slug, title, *, visibility="public", publish=True):
    article = article_create(actor=SYSTEM, brand=brand, slug=slug, visibility=visibility)
    translation_save(
        actor=SYSTEM, article=article, language="en", title=title, body_html=f"<p>{title}</p>"
    )
    if publish:
        article_publish(actor=SYSTEM, article=article)
    return article


@pytest.fixture
def kb(world):
    refund = _article(world.insurer, "refund", "Refund <b>policy</b>")
    _article(world.insurer, "refund-internal", "Refund internal", visibility="internal")
    _article(world.insurer, "refund-draft", "Refund draft", publish=False)
    card = _article(world.bank, "card", "Refund of card fees")
    feedback_record(
        article=refund,
        translation=None,
        helpful=False,
        reason="vague",
        language="en",
        session_hash="x",
    )
    search_log_record(brand=world.insurer, query="claim form", language="en", result_count=0)
    search_log_record(brand=world.bank, query="wire transfer", language="en", result_count=0)
    return {"refund": refund, "card": card}


def _slugs(response):
    assert response.status_code == 200, response.content
    return sorted(item["slug"] for item in response.json()["items"])


def test_articles_list_is_scoped_with_feedback_counts(world, kb, api_as):
    insurer = api_as("insurer").get("/knowledge/articles")
    assert _slugs(insurer) == ["refund", "refund-draft", "refund-internal"]
    refund = next(item for item in insurer.json()["items"] if item["slug"] == "refund")
    assert (refund["helpful_count"], refund["unhelpful_count"]) == (0, 1)
    assert refund["translations"][0]["title"] == "Refund <b>policy</b>"
    assert _slugs(api_as("insurer_key").get("/knowledge/articles")) == ["refund"]
    assert _slugs(api_as("bank").get("/knowledge/articles")) == ["card"]
    assert _slugs(api_as("bank_key").get("/knowledge/articles")) == ["card"]
    assert api_as("anonymous").get("/knowledge/articles").status_code == 401


def test_articles_list_costs_constant_queries(world, kb, api_as):
    client = api_as("insurer")
    client.get("/knowledge/articles")  # the token's first use of the minute writes last_used_at
    with CaptureQueriesContext(connection) as few:
        client.get("/knowledge/articles")
    for index in range(10):
        _article(world.insurer, f"more-{index}", f"More {index}")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/knowledge/articles").json()["items"]) == 13
    assert len(many) == len(few)


def test_search_is_scoped(world, kb, api_as):
    assert _slugs(api_as("insurer").get("/knowledge/search", {"q": "refund"})) == [
        "refund",
        "refund-draft",
        "refund-internal",
    ]
    assert _slugs(api_as("insurer_key").get("/knowledge/search", {"q": "refund"})) == ["refund"]
    assert _slugs(api_as("bank").get("/knowledge/search", {"q": "refund", "language": "en"})) == [
        "card"
    ]
    assert _slugs(api_as("bank_key").get("/knowledge/search", {"q": "refund"})) == ["card"]
    hit = api_as("insurer_key").get("/knowledge/search", {"q": "refund"}).json()["items"][0]
    assert "<b>" not in hit["snippet_html"] and "<mark>" in hit["snippet_html"]


@pytest.mark.parametrize("query", ['"', "*", "NEAR", "😀", "<script>alert(1)</script>", "x" * 1000])
def test_search_odd_queries(world, kb, api_as, query):
    response = api_as("bank").get("/knowledge/search", {"q": query})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_search_refuses_bad_input(world, kb, api_as):
    client = api_as("bank")
    assert client.get("/knowledge/search", {"q": ""}).status_code == 422
    assert client.get("/knowledge/search", {"q": "a", "language": "klingon"}).status_code == 422
    assert client.get("/knowledge/search", {"q": "x" * 1001}).status_code == 422


def test_gaps_are_scoped(world, kb, api_as):
    insurer = api_as("insurer").get("/knowledge/gaps").json()
    assert [gap["example_query"] for gap in insurer["searches"]] == ["claim form"]
    assert insurer["feedback"][0]["slug"] == "refund"
    assert insurer["feedback"][0]["reasons"] == ["vague"]
    for who in ("bank", "bank_key"):
        bank = api_as(who).get("/knowledge/gaps").json()
        assert [gap["example_query"] for gap in bank["searches"]] == ["wire transfer"]
        assert bank["feedback"] == []
    assert api_as("insurer").get("/knowledge/gaps", {"language": "ja"}).json()["searches"] == []
