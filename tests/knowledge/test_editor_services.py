"""The knowledge editor's writes: one atomic save, unpublishing, restoring a version, files."""

from __future__ import annotations

import pytest
from django.test import override_settings

from lagniappe.conversations.contracts import AttachmentUpload
from lagniappe.core.actors import SYSTEM, Actor
from lagniappe.core.errors import InvalidInput, NotFound, PayloadTooLarge
from lagniappe.core.events import _handlers as handlers
from lagniappe.core.events import subscribe
from lagniappe.core.models import AuditEvent
from lagniappe.knowledge.editor_selectors import EditorFilters, editor_article_list
from lagniappe.knowledge.editor_services import (
    ArticleDraft,
    article_attachment_add,
    article_attachment_remove,
    article_draft_create,
    article_edit_save,
)
from lagniappe.knowledge.events import ArticlePublished, ArticleUnpublished
from lagniappe.knowledge.models import (
    Article,
    ArticleAttachment,
    BrandOwned,
    PortalVisit,
    SearchLog,
    SearchVocabulary,
    SynonymGroup,
)
from lagniappe.knowledge.selectors import article_search
from lagniappe.knowledge.services import article_unpublish, translation_restore
from lagniappe.staff.selectors import agent_scope


def _draft(title: str = "如何申請理賠", **changes: object) -> ArticleDraft:
    fields: dict[str, object] = {
        "language": "zh-Hant",
        "title": title,
        "body_html": "<p>請準備收據。</p>",
        "category": "理賠",
        "internal": False,
    }
    fields.update(changes)
    return ArticleDraft(**fields)  # type: ignore[arg-type]


def test_a_draft_gets_a_slug_from_its_title_and_a_suffix_on_a_clash(world):
    first = article_draft_create(actor=SYSTEM, brand=world.insurer, draft=_draft())
    second = article_draft_create(actor=SYSTEM, brand=world.insurer, draft=_draft())
    assert first.article.slug == "如何申請理賠"
    assert second.article.slug.startswith("如何申請理賠-") and second.article_id != first.article_id
    with pytest.raises(InvalidInput):
        article_draft_create(actor=SYSTEM, brand=world.insurer, draft=_draft(title="   "))
    assert Article.objects.count() == 2  # the refused one left nothing behind


def test_publish_and_unpublish_emit_events_and_change_what_customers_find(
    world, django_capture_on_commit_callbacks
):
    seen: list[object] = []
    subscribe(ArticlePublished, seen.append)
    subscribe(ArticleUnpublished, seen.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            translation = article_draft_create(
                actor=SYSTEM, brand=world.insurer, draft=_draft(), publish=True
            )
        article = translation.article
        assert [hit.article_id for hit in article_search(world.insurer, "理賠")] == [article.pk]
        with django_capture_on_commit_callbacks(execute=True):
            article_unpublish(actor=SYSTEM, article=article)
        assert not article_search(world.insurer, "理賠")
        assert [type(event) for event in seen] == [ArticlePublished, ArticleUnpublished]
        article_unpublish(actor=SYSTEM, article=article)  # already a draft: nothing happens
        assert AuditEvent.objects.filter(action="article.unpublish").count() == 1
    finally:
        for event_type in (ArticlePublished, ArticleUnpublished):
            handlers[event_type].remove(seen.append)


def test_an_edit_saves_words_filing_and_related_in_one_go(world):
    editor = Actor.agent(world.admin.pk, "Admin")
    other = article_draft_create(actor=SYSTEM, brand=world.insurer, draft=_draft("退款"))
    foreign = article_draft_create(actor=SYSTEM, brand=world.bank, draft=_draft("口座"))
    translation = article_draft_create(actor=SYSTEM, brand=world.insurer, draft=_draft())
    article = translation.article
    article_edit_save(
        actor=editor,
        article=article,
        draft=_draft(
            "理賠（新）",
            internal=True,
            category="內部",
            related_ids=(other.article_id, foreign.article_id),
        ),
    )
    article.refresh_from_db()
    assert article.visibility == Article.Visibility.INTERNAL and article.category == "內部"
    assert list(article.related.values_list("pk", flat=True)) == [other.article_id]
    assert article.translations.get().version == 2
    with pytest.raises(InvalidInput):  # an empty title refuses the whole save
        article_edit_save(actor=editor, article=article, draft=_draft(" ", category="x"))
    article.refresh_from_db()
    assert article.category == "內部"


def test_restoring_a_version_adds_a_new_one(world):
    translation = article_draft_create(actor=SYSTEM, brand=world.insurer, draft=_draft())
    article_edit_save(
        actor=SYSTEM, article=translation.article, draft=_draft(body_html="<p>第二版</p>")
    )
    restored = translation_restore(actor=SYSTEM, translation=translation, version=1)
    assert restored.version == 3 and restored.body_html == "<p>請準備收據。</p>"
    assert AuditEvent.objects.filter(action="article.version_restore").exists()
    with pytest.raises(NotFound):
        translation_restore(actor=SYSTEM, translation=translation, version=7)


def test_files_follow_the_upload_rules(world):
    article = article_draft_create(actor=SYSTEM, brand=world.insurer, draft=_draft()).article
    stored = article_attachment_add(
        actor=SYSTEM,
        article=article,
        upload=AttachmentUpload("../../etc/收據.png", "image/png", b"\x89PNG"),
    )
    assert stored.filename == "收據.png" and stored.size == 4 and len(stored.sha256) == 64
    assert ".." not in stored.file.name and stored.file.name.startswith("knowledge/")
    with pytest.raises(InvalidInput):
        article_attachment_add(
            actor=SYSTEM, article=article, upload=AttachmentUpload("x.html", "text/html", b"<")
        )
    with (
        override_settings(LAGNIAPPE_MAX_ATTACHMENT_BYTES=3),
        pytest.raises(PayloadTooLarge),
    ):
        article_attachment_add(
            actor=SYSTEM, article=article, upload=AttachmentUpload("y.png", "image/png", b"1234")
        )
    article_attachment_remove(actor=SYSTEM, attachment=stored)
    assert not ArticleAttachment.objects.exists()
    assert AuditEvent.objects.filter(action="article.attachment_remove").exists()


def test_the_list_is_empty_for_a_brand_outside_the_scope(world):
    article_draft_create(actor=SYSTEM, brand=world.bank, draft=_draft("口座"))
    scope = agent_scope(world.insurer_agent)
    assert editor_article_list(scope, world.bank, EditorFilters()) == []


def test_help_centre_records_share_one_brand_field():
    for model in (SearchLog, PortalVisit, SynonymGroup, SearchVocabulary):
        assert issubclass(model, BrandOwned)
        assert model._meta.get_field("brand").remote_field.related_name == "+"
