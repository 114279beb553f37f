"""Writes of the workspace's knowledge editor: one atomic save of everything its form holds,
and the files attached to an article. Built on services.py, which versions, indexes and
audits every change of words."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify

from lagniappe.conversations.attachments import upload_accept
from lagniappe.conversations.contracts import AttachmentUpload
from lagniappe.core import clock
from lagniappe.core.actors import Actor
from lagniappe.core.errors import InvalidInput
from lagniappe.core.services import audit_record
from lagniappe.knowledge.models import Article, ArticleAttachment, ArticleTranslation
from lagniappe.knowledge.services import (
    article_create,
    article_publish,
    article_relate,
    article_update,
    translation_save,
)
from lagniappe.tenancy.models import Brand

MAX_ATTACHMENTS_PER_ARTICLE = 50


@dataclass(frozen=True)
class ArticleDraft:
    """What the editor's form holds for one language of an article."""

    language: str
    title: str
    body_html: str
    category: str
    internal: bool
    related_ids: tuple[int, ...] = ()


def _free_slug(brand: Brand, title: str) -> str:
    # From the title (Chinese and Japanese titles keep their letters); a clash gets a suffix.
    base = slugify(title, allow_unicode=True)[:100] or "article"
    if not Article.objects.filter(brand=brand, slug=base).exists():
        return base
    return f"{base}-{secrets.token_hex(3)}"


def _visibility(internal: bool) -> str:
    return Article.Visibility.INTERNAL if internal else Article.Visibility.PUBLIC


@transaction.atomic
def article_draft_create(
    *, actor: Actor, brand: Brand, draft: ArticleDraft, publish: bool = False
) -> ArticleTranslation:
    """A new article of `brand` with its first language, as a draft unless `publish`."""
    if not " ".join(draft.title.split()):
        raise InvalidInput("An article needs a title.")
    article = article_create(
        actor=actor,
        brand=brand,
        slug=_free_slug(brand, draft.title),
        category=draft.category,
        visibility=_visibility(draft.internal),
    )
    translation = translation_save(
        actor=actor,
        article=article,
        language=draft.language,
        title=draft.title,
        body_html=draft.body_html,
    )
    _related_set(actor, article, draft.related_ids)
    if publish:
        article_publish(actor=actor, article=article)
    return translation


@transaction.atomic
def article_edit_save(
    *, actor: Actor, article: Article, draft: ArticleDraft, publish: bool = False
) -> ArticleTranslation:
    """Save one language of an article (a new version when it existed), its filing and its
    related articles; publish it too when asked. A published article stays published."""
    translation = translation_save(
        actor=actor,
        article=article,
        language=draft.language,
        title=draft.title,
        body_html=draft.body_html,
    )
    article_update(
        actor=actor,
        article=article,
        category=draft.category,
        visibility=_visibility(draft.internal),
    )
    current = sorted(article.related.values_list("pk", flat=True))
    if sorted(set(draft.related_ids) - {article.pk}) != current:
        _related_set(actor, article, draft.related_ids)
    if publish:
        article_publish(actor=actor, article=article)
    return translation


def _related_set(actor: Actor, article: Article, related_ids: tuple[int, ...]) -> None:
    # Ids of another brand are simply not found here; article_relate refuses them anyway.
    related = list(Article.objects.filter(brand_id=article.brand_id, pk__in=related_ids))
    article_relate(actor=actor, article=article, related=related)


@transaction.atomic
def article_attachment_add(
    *, actor: Actor, article: Article, upload: AttachmentUpload
) -> ArticleAttachment:
    """Store an image or file for the article: the conversations' size and type rules."""
    facts = upload_accept(upload)
    if ArticleAttachment.objects.filter(article=article).count() >= MAX_ATTACHMENTS_PER_ARTICLE:
        raise InvalidInput(
            "This article has too many files.", details={"max": MAX_ATTACHMENTS_PER_ARTICLE}
        )
    filename = facts.filename
    attachment = ArticleAttachment(
        article=article,
        filename=filename,
        content_type=facts.content_type,
        size=facts.size,
        sha256=facts.sha256,
        uploaded_by_id=actor.agent_id,
        created_at=clock.now(),
    )
    attachment.file.save(filename, ContentFile(upload.content), save=False)
    attachment.save()
    audit_record(
        actor=actor,
        action="article.attachment_add",
        object_type="knowledge.article",
        object_id=article.pk,
        brand_id=article.brand_id,
        after={"attachment": attachment.pk, "filename": filename, "size": attachment.size},
    )
    return attachment


@transaction.atomic
def article_attachment_remove(*, actor: Actor, attachment: ArticleAttachment) -> None:
    """Forget a file: the row now, the bytes once the transaction has committed."""
    article = attachment.article
    before = {"attachment": attachment.pk, "filename": attachment.filename}
    stored = attachment.file
    attachment.delete()
    transaction.on_commit(lambda: stored.delete(save=False))
    audit_record(
        actor=actor,
        action="article.attachment_remove",
        object_type="knowledge.article",
        object_id=article.pk,
        brand_id=article.brand_id,
        before=before,
    )
