"""Help-centre articles offered while the visitor types their first message (read only,
published public articles of the widget's brand, links to the portal)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from lagniappe.channels.chat.limits import limits_reset
from lagniappe.channels.models import Endpoint
from lagniappe.core.actors import SYSTEM
from lagniappe.knowledge.services import article_create, article_publish, translation_save
from tests.channels.chat.conftest import session_token
from tests.conftest import World

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_limits() -> None:
    limits_reset()


def _article(brand: Any, slug: str, title: str, body: str, visibility: str = "public") -> None:
    article = article_create(actor=SYSTEM, brand=brand, slug=slug, visibility=visibility)
    translation_save(actor=SYSTEM, article=article, language="zh-Hant", title=title, body_html=body)
    article_publish(actor=SYSTEM, article=article)


def _ask(key: str, token: str, query: str) -> Any:
    return Client().post(
        f"/chat/{key}/articles",
        data=json.dumps({"token": token, "q": query, "lang": "zh-Hant"}, ensure_ascii=False),
        content_type="text/plain",
        headers={"origin": "http://testserver"},
    )


def test_articles_of_the_brand_match_what_the_visitor_types(world: World, chat: Endpoint) -> None:
    _article(world.insurer, "renew-policy", "如何續保 <保單>", "<p>保單到期前可以線上續保。</p>")
    _article(world.insurer, "staff-only", "續保 內部流程", "<p>保單續保內部。</p>", "internal")
    _article(world.bank, "bank-renew", "信用卡續保", "<p>保單續保。</p>")
    token = session_token(chat.public_key)
    answer = _ask(chat.public_key, token, "我的保單要續保")
    assert answer.status_code == 200
    found = answer.json()["articles"]
    assert [item["title"] for item in found] == ["如何續保 <保單>"]  # JSON; the widget escapes
    assert found[0]["path"] == "/help/insurance/articles/renew-policy/"
    assert _ask(chat.public_key, token, "保").json()["articles"] == []  # too short
    assert _ask(chat.public_key, token + "x", "我的保單要續保").status_code == 401
