"""Editors' tools: versions of every save, related articles of one brand, and the admin."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from lagniappe.core.actors import SYSTEM, Actor
from lagniappe.core.errors import InvalidInput
from lagniappe.knowledge.models import Article, ArticleTranslation, ArticleVersion
from lagniappe.knowledge.selectors import article_search
from lagniappe.knowledge.services import (
    article_create,
    article_relate,
    translation_save,
)


def test_each_save_keeps_the_previous_words_with_author_and_date(world):
    editor = Actor.agent(world.insurer_agent.pk, "editor")
    article = article_create(actor=SYSTEM, brand=world.insurer, slug="claims")
    first = translation_save(
        actor=editor, article=article, language="en", title="Claims", body_html="<p>one</p>"
    )
    assert not ArticleVersion.objects.exists() and first.author_id == world.insurer_agent.pk
    translation_save(
        actor=SYSTEM, article=article, language="en", title="Claims 2", body_html="<p>two</p>"
    )
    translation_save(
        actor=SYSTEM, article=article, language="en", title="Claims 3", body_html="<p>three</p>"
    )
    versions = list(ArticleVersion.objects.filter(translation=first).order_by("version"))
    assert [(v.version, v.title) for v in versions] == [(1, "Claims"), (2, "Claims 2")]
    assert versions[0].author_id == world.insurer_agent.pk and versions[1].author_id is None
    assert versions[0].body_html == "<p>one</p>" and versions[0].created_at is not None
    current = ArticleTranslation.objects.get(pk=first.pk)
    assert (current.version, current.title) == (3, "Claims 3")


def test_related_articles_are_of_the_same_brand_only(world):
    a = article_create(actor=SYSTEM, brand=world.insurer, slug="a")
    b = article_create(actor=SYSTEM, brand=world.insurer, slug="b")
    foreign = article_create(actor=SYSTEM, brand=world.bank, slug="c")
    article_relate(actor=SYSTEM, article=a, related=[b, a])
    assert list(a.related.all()) == [b] and list(b.related.all()) == [a]
    with pytest.raises(InvalidInput):
        article_relate(actor=SYSTEM, article=a, related=[foreign])
    assert list(a.related.all()) == [b]


@pytest.fixture
def admin_client(world):
    client = Client()
    client.force_login(world.admin)
    return client


def test_admin_translation_save_goes_through_the_service(world, admin_client):
    article = article_create(actor=SYSTEM, brand=world.insurer, slug="admin-edit")
    translation = translation_save(
        actor=SYSTEM, article=article, language="en", title="Old", body_html="<p>old words</p>"
    )
    url = reverse("admin:knowledge_article_change", args=[article.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    data = {
        "brand": world.insurer.pk,
        "slug": "admin-edit",
        "category": "",
        "status": "draft",
        "visibility": "public",
        "translations-TOTAL_FORMS": "1",
        "translations-INITIAL_FORMS": "1",
        "translations-MIN_NUM_FORMS": "0",
        "translations-MAX_NUM_FORMS": "1000",
        "translations-0-id": translation.pk,
        "translations-0-article": article.pk,
        "translations-0-language": "en",
        "translations-0-title": "New",
        "translations-0-body_html": "<p>fresh zebra <script>x</script></p>",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = ArticleTranslation.objects.get(pk=translation.pk)
    assert (saved.title, saved.version) == ("New", 2)
    assert "<script" not in saved.body_html and saved.body_text.strip() == "fresh zebra"
    assert ArticleVersion.objects.get(translation=saved).title == "Old"
    agent_scope_hits = article_search(
        _scope(world), "zebra", language="en"
    )  # the index follows the admin's edit
    assert [hit.slug for hit in agent_scope_hits] == ["admin-edit"]


def test_admin_lists_only_the_staff_members_organisation(world, admin_client):
    article_create(actor=SYSTEM, brand=world.insurer, slug="listed")
    page = admin_client.get(reverse("admin:knowledge_article_changelist"))
    assert page.status_code == 200 and b"listed" in page.content
    for name in ("articleversion", "articlefeedback", "searchlog", "articletranslation"):
        assert admin_client.get(reverse(f"admin:knowledge_{name}_changelist")).status_code == 200
    assert Article.objects.count() == 1


def _scope(world):
    from lagniappe.staff.selectors import agent_scope

    return agent_scope(world.admin)
