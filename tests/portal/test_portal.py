"""The help centre through the real URL conf, session and database."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from lagniappe.channels.models import EnvelopeStatus, InboundEnvelope
from lagniappe.conversations.models import Conversation
from lagniappe.knowledge.models import ArticleFeedback, PortalVisit, SearchLog

pytestmark = pytest.mark.django_db


def _main(response) -> str:
    return response.content.decode().split("<main>", 1)[1].split("</main>", 1)[0]


def test_home_shows_brand_search_categories_and_published_public_articles_only(world, kb, client):
    response = client.get("/help/insurance/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Harbour Insurance" in html and "--brand: #1f6feb;" in html
    assert html.index('role="search"') < html.index("<h2>Claims</h2>")
    assert "/help/insurance/articles/refund/" in html
    for hidden in ("draft", "internal", "bank-refund", "card"):
        assert f"/articles/{hidden}/" not in html
    assert "/static/workspace/htmx.min.js" in html


def test_unknown_brand_is_404(world, client):
    assert client.get("/help/nobody/").status_code == 404


def test_traditional_chinese_search_finds_the_simplified_article(world, kb, client):
    response = client.get(
        "/help/insurance/search", {"q": "搜尋退款"}, headers={"Accept-Language": "zh-TW"}
    )
    assert response.status_code == 200
    main = _main(response)
    assert "/help/insurance/articles/refund/?from_search=" in main
    assert "<mark>搜索</mark>" in main or "<mark>退款</mark>" in main
    for hidden in ("draft", "internal", "bank-refund"):
        assert f"/articles/{hidden}/" not in main
    log = SearchLog.objects.get()
    assert log.brand == world.insurer and log.language == "zh-Hant"
    assert log.query == "搜尋退款" and log.result_count == 1 and log.normalised_query


def test_drafts_and_internal_articles_404_and_never_suggested(world, kb, client):
    for slug in ("draft", "internal", "bank-refund", "nope"):
        assert client.get(f"/help/insurance/articles/{slug}/").status_code == 404
    assert client.get("/help/bank/articles/refund/").status_code == 404
    suggestions = client.get("/help/insurance/suggest", {"q": "退款"}).content.decode()
    assert "/articles/refund/" in suggestions
    for hidden in ("draft", "internal", "bank-refund"):
        assert f"/articles/{hidden}/" not in suggestions
    assert client.get("/help/insurance/suggest", {"q": ""}).content.decode().strip() == ""


def test_article_language_follows_request_then_brand_default(world, kb, client):
    english = client.get("/help/insurance/articles/refund/", headers={"Accept-Language": "en"})
    assert "Refund requests" in _main(english)
    assert english["Content-Language"] == "en"
    assert 'href="?language=zh-Hans"' in _main(english)
    assert "Last updated" in _main(english)
    chosen = client.get(
        "/help/insurance/articles/refund/",
        {"language": "zh-Hans"},
        headers={"Accept-Language": "en"},
    )
    assert "退款申请" in _main(chosen)
    # No header: the brand's default (zh-Hant) is missing, so its family (zh-Hans) is shown.
    default = client.get("/help/insurance/articles/refund/")
    assert "退款申请" in _main(default)


def test_feedback_is_stored_without_personal_data(world, kb, client):
    client.get("/help/insurance/articles/refund/", headers={"Accept-Language": "en"})
    response = client.post(
        "/help/insurance/articles/refund/feedback",
        {"helpful": "no", "reason": "Did not say how long it takes", "language": "en"},
    )
    assert response.status_code == 303
    feedback = ArticleFeedback.objects.get()
    assert feedback.article == kb["refund"] and feedback.helpful is False
    assert feedback.translation.language == "en" and feedback.language == "en"
    assert feedback.reason == "Did not say how long it takes"
    assert len(feedback.session_hash) == 64 and client.session.session_key not in (
        feedback.session_hash
    )
    thanks = client.get(response["Location"])
    assert "feedback-thanks" in thanks.content.decode()
    url = "/help/insurance/articles/refund/feedback"
    too_long = client.post(url, {"helpful": "no", "language": "en", "reason": "x" * 1001})
    assert too_long.status_code == 400
    assert client.post(url, {"helpful": "maybe"}).status_code == 400
    partial = client.post(url, {"helpful": "yes", "language": "en"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "feedback-thanks" in partial.content.decode()
    assert "<html" not in partial.content.decode()
    assert ArticleFeedback.objects.count() == 2


def test_feedback_needs_csrf_and_a_visible_article(world, kb):
    strict = Client(enforce_csrf_checks=True)
    url = "/help/insurance/articles/refund/feedback"
    assert strict.post(url, {"helpful": "yes"}).status_code == 403
    client = Client()
    assert (
        client.post("/help/insurance/articles/internal/feedback", {"helpful": "no"}).status_code
        == 404
    )
    assert ArticleFeedback.objects.count() == 0


def test_click_is_recorded_only_for_the_sessions_own_search(world, kb, client):
    client.get("/help/insurance/search", {"q": "refund"}, headers={"Accept-Language": "en"})
    own = SearchLog.objects.get()
    other = Client()
    other.get("/help/insurance/search", {"q": "refund request"})
    theirs = SearchLog.objects.exclude(pk=own.pk).get()

    client.get(f"/help/insurance/articles/refund/?from_search={theirs.pk}")
    theirs.refresh_from_db()
    assert theirs.clicked_article is None

    client.get(f"/help/insurance/articles/refund/?from_search={own.pk}")
    own.refresh_from_db()
    assert own.clicked_article == kb["refund"]
    for bad in ("abc", "-1", "9" * 40, ""):
        assert client.get(f"/help/insurance/articles/refund/?from_search={bad}").status_code == 200


def test_talk_to_a_person_carries_the_session_and_reaches_the_agent(world, kb, client, run_tasks):
    client.get("/help/insurance/search", {"q": "refund"}, headers={"Accept-Language": "en"})
    client.get("/help/insurance/search", {"q": "claim status"}, headers={"Accept-Language": "en"})
    client.get("/help/insurance/articles/refund/", headers={"Accept-Language": "en"})
    page = client.get("/help/insurance/articles/refund/", headers={"Accept-Language": "en"})
    link = re.search(r'href="(/help/insurance/contact\?[^"]+)"', page.content.decode())
    assert link and "Talk to a person" in page.content.decode()

    response = client.get(link.group(1).replace("&amp;", "&"), headers={"Accept-Language": "en"})
    assert response.status_code == 303
    target = urlsplit(response["Location"])
    assert target.path == f"/forms/{world.insurer_form.public_key}/"
    params = parse_qs(target.query)
    assert params["searches"] == ["refund\nclaim status"]
    assert params["articles"] == ["Refund requests </help/insurance/articles/refund/>"]
    assert params["page"] == ["/help/insurance/articles/refund/"]
    visit = PortalVisit.objects.get()
    assert visit.contacted and visit.article_views == 2

    form = client.get(response["Location"]).content.decode()
    assert 'name="searches" value="refund\nclaim status"' in form
    assert (
        'name="articles" value="Refund requests &lt;/help/insurance/articles/refund/&gt;"' in form
    )

    posted = client.post(
        response["Location"],
        {
            "name": "Chen",
            "email": "chen@example.tw",
            "message": "My refund has not arrived.",
            "language": "en",
            "searches": params["searches"][0],
            "articles": params["articles"][0],
            "page": params["page"][0],
        },
    )
    assert posted.status_code == 303
    run_tasks()
    assert InboundEnvelope.objects.get().status == EnvelopeStatus.PROCESSED
    text = Conversation.objects.get(brand=world.insurer).messages.get().text
    assert text.startswith("My refund has not arrived.")
    assert "[help centre] searches: refund | claim status" in text
    assert "[help centre] articles: Refund requests </help/insurance/articles/refund/>" in text


def test_support_phone_and_no_contact_button_without_a_webform(world, kb, client):
    world.bank.support_phone = "+81 3-1234-5678"
    world.bank.save(update_fields=["support_phone"])
    html = client.get("/help/bank/").content.decode()
    assert "+81 3-1234-5678" in html
    assert "Talk to a person" not in html  # the bank has no web form
    assert client.get("/help/bank/contact").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "<script>alert(1)</script>",
        "x" * 10_000,
        "?!.,;:-()[]{}",
        "😀🙏",
        '"',
        "*",
        "refund NEAR card",
        'refund" OR "1',
        "\u200b",
    ],
)
def test_odd_queries_never_error_and_are_escaped(world, kb, client, query):
    for path in ("/help/insurance/search", "/help/insurance/suggest"):
        response = client.get(path, {"q": query})
        assert response.status_code == 200, path
        assert "<script>alert(1)</script>" not in response.content.decode()


def test_markup_in_titles_and_queries_is_escaped_everywhere(world, kb, client):
    pages = [
        client.get("/help/insurance/"),
        client.get("/help/insurance/search", {"q": "<script>alert(1)</script> refund"}),
        client.get("/help/insurance/suggest", {"q": "refund"}),
        client.get("/help/insurance/articles/markup/"),
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert" not in html and "<b>Bold</b>" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt;" in pages[2].content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[1].content.decode()


def test_brand_colour_is_used_only_when_it_is_a_colour(world, kb, client):
    world.insurer.primary_colour = "0;}</st"  # the column holds seven characters
    world.insurer.save(update_fields=["primary_colour"])
    html = client.get("/help/insurance/").content.decode()
    assert "--brand: #1f6feb;" in html and "0;}</st" not in html
    world.insurer.primary_colour = "#A1b2C3"
    world.insurer.save(update_fields=["primary_colour"])
    assert "--brand: #A1b2C3;" in client.get("/help/insurance/").content.decode()
