# ruff: noqa: F811  (the workspace fixtures are imported, then named as arguments)
"""The workspace side panel: articles for the open conversation, of its brand only."""

from __future__ import annotations

from django.urls import reverse

from tests.portal.conftest import article_make
from tests.workspace.conftest import inbound_conversation, signed_in  # noqa: F401 (fixtures)


def test_panel_lists_matching_articles_of_the_brand_marks_internal_and_links(
    world,
    inbound_conversation,
    signed_in,
):
    article_make(
        world.insurer, "claim-status", {"zh-Hant": ("理賠進度查詢", "<p>查詢理賠進度</p>")}
    )
    article_make(
        world.insurer,
        "claim-desk",
        {"zh-Hant": ("理賠內部作業", "<p>理賠進度內部處理</p>")},
        visibility="internal",
    )
    article_make(world.bank, "bank-claim", {"zh-Hant": ("銀行理賠進度", "<p>理賠進度</p>")})
    conversation = inbound_conversation(world.insurer_api, text="我的理賠進度如何？")
    client = signed_in(world.insurer_agent)
    page = client.get(reverse("workspace:conversation-detail", args=[conversation.pk]))
    url = reverse("workspace:conversation-suggested-articles", args=[conversation.pk])
    assert url in page.content.decode()  # the page loads the panel
    body = client.get(url).content.decode()
    link = reverse("portal:article", args=[world.insurer.slug, "claim-status"])
    assert "理賠進度查詢" in body and f'data-insert-link="http://testserver{link}' in body
    assert "理賠內部作業" in body and "Internal" in body
    assert "銀行理賠進度" not in body


def test_another_brands_agent_gets_not_found(world, inbound_conversation, signed_in):
    conversation = inbound_conversation(world.insurer_api)
    url = reverse("workspace:conversation-suggested-articles", args=[conversation.pk])
    assert signed_in(world.bank_agent).get(url).status_code == 404
