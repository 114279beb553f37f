"""What a signed-in customer may read on a brand's help centre: their own conversations of
that brand, their messages (never internal notes, which are another model) and the files of
those messages; and the files of published public articles. Everything else is simply not
found."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from lagniappe.conversations.models import Attachment, Conversation, Message
from lagniappe.customers.portal_sign_in import SignedIn
from lagniappe.knowledge.models import Article, ArticleAttachment

CONVERSATIONS_SHOWN = 100


def customer_conversation_list(signed_in: SignedIn) -> list[Conversation]:
    """The customer's conversations with this brand, latest activity first: one query."""
    return list(
        Conversation.objects.filter(
            brand_id=signed_in.brand_id, customer_id=signed_in.customer_id
        ).order_by("-last_message_at", "-id")[:CONVERSATIONS_SHOWN]
    )


def customer_conversation_get(signed_in: SignedIn, conversation_id: int) -> Conversation | None:
    return Conversation.objects.filter(
        pk=conversation_id, brand_id=signed_in.brand_id, customer_id=signed_in.customer_id
    ).first()


def customer_message_list(conversation: Conversation) -> QuerySet[Message]:
    """The conversation's messages in order, with their files: two queries."""
    return (
        Message.objects.filter(conversation=conversation)
        .select_related("author_agent")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("created_at", "id")
    )


def customer_attachment_get(signed_in: SignedIn, attachment_id: int) -> Attachment | None:
    """A file of one of the customer's messages with this brand (not a draft's upload)."""
    return Attachment.objects.filter(
        pk=attachment_id,
        message__isnull=False,
        conversation__brand_id=signed_in.brand_id,
        conversation__customer_id=signed_in.customer_id,
    ).first()


def article_public_files(article: Article) -> list[ArticleAttachment]:
    """The files of an article the caller already found published and public, oldest first."""
    return list(ArticleAttachment.objects.filter(article=article).order_by("created_at", "id"))


def article_public_file(article: Article, file_id: int) -> ArticleAttachment | None:
    """A file of that article; a file of any other article (drafts included) is not found."""
    return ArticleAttachment.objects.filter(pk=file_id, article=article).first()
