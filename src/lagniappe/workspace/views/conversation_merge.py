"""Merge the conversation on screen into another of the agent's brands (conversations.merging).

GET is the preview, and changes nothing: the agent finds the conversation that remains by
its number or by search words (only conversations they may see, of the same brand, not
closed), and sees its subject, customer, channel and status beside this one's, and how many
messages, notes and attachments would move. POST, from the preview's confirm button, merges
and redirects to the conversation that remains, where the moved messages and notes show in
its timeline. Cancel is a link back: nothing was written.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from lagniappe.conversations.access import access_conversation_by_id
from lagniappe.conversations.merging import conversation_merge, conversation_merge_check
from lagniappe.conversations.models import Conversation
from lagniappe.conversations.selectors import (
    conversation_merge_candidates,
    conversation_merge_counts,
)
from lagniappe.core.errors import DomainError
from lagniappe.workspace.errors import not_found_as_404, refusal_message
from lagniappe.workspace.forms import ConversationMergeFindForm, ConversationMergeForm
from lagniappe.workspace.viewer import Viewer, viewer_of


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def conversation_merge_view(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    source = access_conversation_by_id(viewer.scope, conversation_id)
    if request.method == "POST":
        return _merge(request, viewer, source)
    if source.merged_into_id is not None:  # its page says where it went
        return redirect("workspace:conversation-detail", conversation_id=source.pk)
    return _preview(request, viewer, source)


def _preview(request: HttpRequest, viewer: Viewer, source: Conversation) -> HttpResponse:
    find = ConversationMergeFindForm(request.GET, auto_id="merge-%s")
    cleaned = find.cleaned_data if find.is_valid() else {}
    query = (cleaned.get("q") or "").strip()
    into = cleaned.get("into")
    candidates = conversation_merge_candidates(viewer.scope, source, query)
    number = query.removeprefix("#")
    if into is None and number.isdigit() and len(number) <= 18:
        # A number typed: straight to its preview, or to why it cannot be merged into
        # (closed, merged, not found: another brand's is "not found" like any other).
        into = int(number)
    target: Conversation | None = None
    refusal = ""
    if into is not None:
        try:
            target = access_conversation_by_id(viewer.scope, into)
            conversation_merge_check(source=source, target=target)
        except DomainError as error:  # another brand's is "not found", like any other
            target, refusal = None, refusal_message(error)
    return render(
        request,
        "workspace/conversation_merge.html",
        {
            "source": source,
            "find_form": find,
            "query": query,
            "candidates": candidates,
            "target": target,
            "refusal": refusal,
            "source_counts": conversation_merge_counts(source),
            "merge_form": ConversationMergeForm(
                initial={"into": target.pk if target else None}, auto_id="merge-%s"
            ),
        },
    )


def _merge(request: HttpRequest, viewer: Viewer, source: Conversation) -> HttpResponse:
    form = ConversationMergeForm(request.POST, auto_id="merge-%s")
    back = redirect("workspace:conversation-detail", conversation_id=source.pk)
    if not form.is_valid():
        messages.error(request, str(next(iter(form.errors.values()))[0]))
        return back
    try:
        # Another brand's conversation is "not found" here too, but the agent stays on the
        # page they merge from (the source is theirs) and reads why.
        target = access_conversation_by_id(viewer.scope, form.cleaned_data["into"])
        remaining = conversation_merge(actor=viewer.actor, source=source, target=target)
    except DomainError as error:
        messages.error(request, refusal_message(error))
        return back
    messages.success(
        request,
        gettext("Conversation #%(source)d was merged into this one.") % {"source": source.pk},
    )
    return redirect("workspace:conversation-detail", conversation_id=remaining.pk)
