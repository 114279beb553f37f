"""Knowledge-base articles that may answer the open conversation, for its side panel.

Loaded by htmx after the page, so a slow search never delays the conversation itself.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from lagniappe.conversations.access import access_conversation_by_id
from lagniappe.conversations.models import Direction
from lagniappe.conversations.selectors import message_list_for_conversation
from lagniappe.knowledge.selectors import article_suggestions_for_brand
from lagniappe.workspace.errors import not_found_as_404
from lagniappe.workspace.viewer import viewer_of

SUGGESTED = 5
MESSAGE_CHARS = 500


@login_required
@require_GET
@not_found_as_404
def conversation_suggested_articles(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    conversation = access_conversation_by_id(viewer.scope, conversation_id)
    last = (
        message_list_for_conversation(conversation)
        .filter(direction=Direction.INBOUND)
        .order_by("-id")
        .first()
    )
    query = f"{conversation.subject} {last.text[:MESSAGE_CHARS] if last else ''}"
    found = article_suggestions_for_brand(
        viewer.scope, conversation.brand_id, query, limit=SUGGESTED
    )
    brand_slug = conversation.brand.slug
    suggestions = [
        (
            item,
            request.build_absolute_uri(
                reverse("portal:article", args=[brand_slug, item.hit.slug])
                + f"?language={item.hit.language}"
            ),
        )
        for item in found
    ]
    context = {"conversation": conversation, "suggestions": suggestions, "loaded": True}
    return render(request, "workspace/_suggested_articles.html", context)
