"""The workspace's knowledge editor: who may write, brand scoping, the list and its filters,
writing, translating, versions, files, publishing, and the content gaps page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lagniappe.core.actors import SYSTEM
from lagniappe.core.models import AuditEvent
from lagniappe.knowledge.models import (
    Article,
    ArticleAttachment,
    ArticleTranslation,
    ArticleVersion,
)
from lagniappe.knowledge.selectors import article_search
from lagniappe.knowledge.services import search_log_record
from lagniappe.staff.models import Role
from lagniappe.staff.services import agent_create
from tests.portal.conftest import article_make
from tests.workspace.conftest import assert_every_field_labelled


@pytest.fixture
def champion(world):
    return agent_create(
        actor=SYSTEM,
        organisation=world.organisation,
        email="chen@insurer.test",
        display_name="陳冠宇",
        password="pw-champion",
        brands=[world.insurer],
        role=Role.CHAMPION,
    )


@pytest.fixture
def editor(champion, signed_in):
    return signed_in(champion)


def _article_url(article_id, language="zh-Hant"):
    return reverse("workspace:kb-article", args=[article_id, language])


def test_an_editor_writes_a_draft_then_publishes_it(world, editor):
    page = editor.get(reverse("workspace:kb-new") + f"?brand={world.insurer.pk}")
    assert page.status_code == 200
    assert assert_every_field_labelled(page.content.decode()) >= 5
    response = editor.post(
        reverse("workspace:kb-new") + f"?brand={world.insurer.pk}",
        {
            "language": "zh-Hant",
            "title": "如何申請理賠",
            "body_html": "<p>請準備<b>收據</b>。</p><script>alert(1)</script>",
            "category": "理賠",
            "action": "save",
        },
    )
    assert response.status_code == 302
    article = Article.objects.get(brand=world.insurer)
    assert article.status == Article.Status.DRAFT and article.category == "理賠"
    translation = article.translations.get()
    assert "<script>" not in translation.body_html and "<b>收據</b>" in translation.body_html
    assert response["Location"] == _article_url(article.pk)
    assert not article_search(world.insurer, "理賠")  # a draft: customers do not find it

    published = editor.post(
        reverse("workspace:kb-publish", args=[article.pk]), {"language": "zh-Hant"}
    )
    assert published.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert [hit.article_id for hit in article_search(world.insurer, "理賠")] == [article.pk]
    assert AuditEvent.objects.filter(action="article.publish", object_id=str(article.pk)).exists()

    editor.post(
        reverse("workspace:kb-publish", args=[article.pk]),
        {"language": "zh-Hant", "action": "unpublish"},
    )
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert not article_search(world.insurer, "理賠")
    assert AuditEvent.objects.filter(action="article.unpublish").exists()


def test_each_save_is_a_version_that_can_be_viewed_and_restored(world, editor, champion):
    article = article_make(world.insurer, "claims", {"zh-Hant": ("理賠", "<p>第一版</p>")})
    for body in ("<p>第二版</p>", "<p>第三版</p>"):
        response = editor.post(
            _article_url(article.pk), {"title": "理賠", "body_html": body, "action": "save"}
        )
        assert response.status_code == 302
    translation = ArticleTranslation.objects.get(article=article)
    assert translation.version == 3 and translation.author_id == champion.pk
    history = editor.get(reverse("workspace:kb-history", args=[article.pk, "zh-Hant"]))
    assert history.status_code == 200
    assert history.content.decode().count("kb-version-restore") == 0  # the url name is not shown
    assert "陳冠宇" in history.content.decode()  # the author of version 2
    old = editor.get(reverse("workspace:kb-version", args=[article.pk, "zh-Hant", 1]))
    assert "第一版" in old.content.decode()
    restored = editor.post(reverse("workspace:kb-version-restore", args=[article.pk, "zh-Hant", 1]))
    assert restored.status_code == 302
    translation.refresh_from_db()
    assert translation.version == 4 and translation.body_html == "<p>第一版</p>"
    assert ArticleVersion.objects.filter(translation=translation).count() == 3
    missing = editor.post(reverse("workspace:kb-version-restore", args=[article.pk, "zh-Hant", 9]))
    assert missing.status_code == 404


def test_a_translation_is_added_from_the_article_and_linked_to_it(world, editor):
    article = article_make(world.insurer, "claims", {"zh-Hant": ("理賠", "<p>準備收據</p>")})
    page = editor.get(_article_url(article.pk))
    assert "?from=zh-Hant" in page.content.decode()
    start = editor.get(_article_url(article.pk, "ja") + "?from=zh-Hant")
    assert start.status_code == 200 and "準備收據" in start.content.decode()  # words to translate
    editor.post(
        _article_url(article.pk, "ja"),
        {"title": "保険金の請求", "body_html": "<p>領収書を用意</p>", "action": "save"},
    )
    assert sorted(article.translations.values_list("language", flat=True)) == ["ja", "zh-Hant"]
    page = editor.get(_article_url(article.pk))
    assert "保険金の請求" in page.content.decode()


def test_the_list_filters_and_searches_one_brand(world, editor):
    refund = article_make(
        world.insurer,
        "refund",
        {"zh-Hant": ("退款申請", "<p>退款流程</p>"), "en": ("Refunds", "<p>How to</p>")},
        category="理賠",
    )
    internal = article_make(
        world.insurer, "internal", {"en": ("Agent notes", "<p>x</p>")}, visibility="internal"
    )
    draft = article_make(world.insurer, "draft", {"ja": ("下書き", "<p>y</p>")}, publish=False)
    foreign = article_make(world.bank, "bank", {"ja": ("口座", "<p>z</p>")})
    url = reverse("workspace:kb-list")

    def listed(**filters):
        body = editor.get(url, filters).content.decode()
        return {
            article.slug
            for article in (refund, internal, draft, foreign)
            if f'data-article="{article.pk}"' in body
        }

    with CaptureQueriesContext(connection) as queries:
        assert listed() == {"refund", "internal", "draft"}  # never another brand's
    assert len(queries) <= 12
    page = editor.get(url).content.decode()
    assert "Refunds" in page  # the title in the reader's language (English here)
    assert "退款申請" in editor.get(url, HTTP_ACCEPT_LANGUAGE="zh-TW").content.decode()
    assert listed(status="published") == {"refund", "internal"}
    assert listed(internal="yes") == {"internal"}
    assert listed(internal="no") == {"refund", "draft"}
    assert listed(language="ja") == {"draft"}
    assert listed(category="理賠") == {"refund"}
    assert listed(q="退款") == {"refund"}
    assert listed(q="notes") == {"internal"}  # agents' search finds internal articles
    assert editor.get(url, {"brand": world.bank.pk}).status_code == 404


def test_another_brands_article_is_not_found(world, editor):
    foreign = article_make(world.bank, "bank", {"ja": ("口座", "<p>z</p>")})
    assert editor.get(_article_url(foreign.pk, "ja")).status_code == 404
    assert editor.post(reverse("workspace:kb-publish", args=[foreign.pk])).status_code == 404
    assert (
        editor.post(_article_url(foreign.pk, "ja"), {"title": "x", "action": "save"}).status_code
        == 404
    )
    assert editor.get(reverse("workspace:kb-history", args=[foreign.pk, "ja"])).status_code == 404
    mine = article_make(world.insurer, "mine", {"en": ("Mine", "<p>m</p>")})
    editor.post(
        _article_url(mine.pk, "en"),
        {"title": "Mine", "body_html": "", "related": [foreign.pk], "action": "save"},
    )
    assert not mine.related.exists()  # not a choice: refused by the form


def test_a_plain_agent_reads_but_does_not_write(world, signed_in):
    article = article_make(world.insurer, "claims", {"zh-Hant": ("理賠", "<p>內容</p>")})
    agent = signed_in(world.insurer_agent)
    assert agent.get(reverse("workspace:kb-list")).status_code == 200
    page = agent.get(_article_url(article.pk))
    assert page.status_code == 200 and "內容" in page.content.decode()
    assert "<textarea" not in page.content.decode()
    assert agent.get(_article_url(article.pk, "ja")).status_code == 404  # nothing to read
    assert agent.get(reverse("workspace:kb-new")).status_code == 403
    assert agent.get(reverse("workspace:kb-gaps")).status_code == 403
    refused = agent.post(_article_url(article.pk), {"title": "改", "action": "save"})
    assert refused.status_code == 403
    assert agent.post(reverse("workspace:kb-publish", args=[article.pk])).status_code == 403


def test_files_are_attached_escaped_downloaded_and_removed(world, editor, signed_in):
    article = article_make(world.insurer, "claims", {"zh-Hant": ("理賠", "<p>內容</p>")})
    upload = SimpleUploadedFile("R&D's 收據.png", b"\x89PNG fake", content_type="image/png")
    response = editor.post(
        reverse("workspace:kb-file-upload", args=[article.pk]),
        {"file": upload, "language": "zh-Hant"},
    )
    assert response.status_code == 302
    attachment = ArticleAttachment.objects.get(article=article)
    page = editor.get(_article_url(article.pk)).content.decode()
    assert "R&amp;D&#x27;s 收據.png" in page and "R&D's" not in page
    download = signed_in(world.insurer_agent).get(
        reverse("workspace:kb-file", args=[attachment.pk])
    )
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert (
        signed_in(world.bank_agent)
        .get(reverse("workspace:kb-file", args=[attachment.pk]))
        .status_code
        == 404
    )
    blocked = SimpleUploadedFile("x.html", b"<script>", content_type="text/html")
    editor.post(reverse("workspace:kb-file-upload", args=[article.pk]), {"file": blocked})
    assert ArticleAttachment.objects.filter(article=article).count() == 1
    editor.post(reverse("workspace:kb-file-remove", args=[attachment.pk]))
    assert not ArticleAttachment.objects.exists()


def test_the_preview_is_sanitised(world, editor):
    response = editor.post(
        reverse("workspace:kb-preview"), {"body_html": "<p onclick='x()'>好</p><script>1</script>"}
    )
    body = response.content.decode()
    assert "<p>好</p>" in body and "script" not in body and "onclick" not in body


def test_content_gaps_show_unanswered_searches_of_the_brand(world, editor):
    for _ in range(3):
        search_log_record(brand=world.insurer, query="退貨運費", language="zh-Hant", result_count=0)
    search_log_record(brand=world.bank, query="振込手数料", language="ja", result_count=0)
    page = editor.get(reverse("workspace:kb-gaps"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "退貨運費" in body and "振込手数料" not in body
    japanese_only = editor.get(reverse("workspace:kb-gaps"), {"language": "ja"}).content.decode()
    assert "退貨運費" not in japanese_only


def test_titles_are_escaped_in_the_list_and_the_editor(world, editor):
    article = article_make(world.insurer, "x", {"en": ("<img src=x onerror=alert(1)>", "")})
    for url in (reverse("workspace:kb-list"), _article_url(article.pk, "en")):
        body = editor.get(url).content.decode()
        assert "<img src=x onerror" not in body
