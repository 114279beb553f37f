"""Suggested articles on the web form while the customer types (deflection)."""

from __future__ import annotations

from django.urls import reverse

from lagniappe.knowledge.models import PortalVisit
from tests.portal.conftest import article_make


def _fragment(client, brand, **params):
    return client.get(reverse("portal:deflect", args=[brand.slug]), params)


def test_relevant_public_article_is_suggested_and_internal_ones_never(client, world, kb):
    response = _fragment(
        client, world.insurer, subject="退款", message="请问如何申请退款", language="zh-Hans"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert reverse("portal:article", args=[world.insurer.slug, "refund"]) in body
    assert "退款内部流程" not in body and "internal" not in body
    assert "退款草稿" not in body  # drafts neither
    assert "银行退款" not in body  # nor another brand's


def test_titles_are_escaped(client, world, kb):
    body = _fragment(client, world.insurer, subject="refund markup", language="en").content
    assert b"<script>" not in body and b"&lt;" in body


def test_nothing_typed_nothing_shown(client, world, kb):
    assert _fragment(client, world.insurer).content.strip() == b""


def test_opening_a_suggestion_counts_a_portal_visit(client, world, kb):
    body = _fragment(client, world.insurer, subject="refund", language="en").content.decode()
    link = reverse("portal:article", args=[world.insurer.slug, "refund"])
    assert link in body
    assert client.get(f"{link}?language=en").status_code == 200
    visit = PortalVisit.objects.get(brand=world.insurer)
    assert (visit.article_views, visit.contacted) == (1, False)


def test_the_web_form_asks_for_suggestions(client, world):
    page = client.get(reverse("channel_webform:form-show", args=[world.insurer_form.public_key]))
    body = page.content.decode()
    assert reverse("portal:deflect", args=[world.insurer.slug]) in body
    assert 'hx-trigger="input changed delay:400ms' in body


def test_a_query_of_syntax_characters_is_harmless(client, world):
    article_make(world.insurer, "near", {"en": ("NEAR quotes", "<p>near</p>")})
    response = _fragment(client, world.insurer, subject='"* NEAR: (', message="🙂" * 2000)
    assert response.status_code == 200


def test_sending_the_web_form_after_reading_a_suggestion_is_not_deflection(client, world, kb):
    link = reverse("portal:article", args=[world.insurer.slug, "refund"])
    assert client.get(f"{link}?language=en").status_code == 200
    form_url = reverse("channel_webform:form-show", args=[world.insurer_form.public_key])
    sent = client.post(
        form_url, {"email": "chen@example.tw", "message": "Still no refund", "language": "en"}
    )
    assert sent.status_code == 303
    thanks = client.get(sent["Location"]).content.decode()
    beacon = reverse("portal:form-sent", args=[world.insurer.slug])
    assert f'hx-post="{beacon}" hx-trigger="load"' in thanks
    assert client.post(beacon).status_code == 204
    visit = PortalVisit.objects.get(brand=world.insurer)
    assert (visit.article_views, visit.contacted) == (1, True)


def test_a_form_sent_without_a_help_centre_visit_counts_nothing(client, world):
    beacon = reverse("portal:form-sent", args=[world.insurer.slug])
    assert client.post(beacon).status_code == 204
    assert client.get(beacon).status_code == 405
    assert not PortalVisit.objects.exists()
