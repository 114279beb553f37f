"""Merge the conversation on screen into another of the agent's brands (conversations.merging).

A plain form post answered with a redirect to the conversation that remains, where the moved
messages and notes show in its timeline.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from lagniappe.conversations.access import access_conversation_by_id
from lagniappe.conversations.merging import conversation_merge
from lagniappe.core.errors import DomainError
from lagniappe.workspace.errors import not_found_as_404, refusal_message
from lagniappe.workspace.forms import ConversationMergeForm
from lagniappe.workspace.viewer import viewer_of


@login_required
@require_POST
@not_found_as_404
def conversation_merge_view(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    source = access_conversation_by_id(viewer.scope, conversation_id)
    form = ConversationMergeForm(request.POST, auto_id="merge-%s")
    back = redirect("workspace:conversation-detail", conversation_id=conversation_id)
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
