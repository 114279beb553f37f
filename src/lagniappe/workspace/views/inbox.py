"""The inbox: named views with counts, filters, a cursor-paginated list, bulk actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_POST

from lagniappe.conversations.selectors import (
    conversation_counts_for_viewer,
    conversation_list_by_ids_for_viewer,
    conversation_page_for_viewer,
    tag_list_for_viewer,
)
from lagniappe.conversations.updates import ConversationChanges, conversation_update
from lagniappe.core.errors import DomainError, NotFound
from lagniappe.realtime.agent_status import unread_mark
from lagniappe.staff.selectors import agent_list_visible, brand_list_visible, team_list_for_agent
from lagniappe.workspace.errors import refusal_message
from lagniappe.workspace.forms import BulkAction, InboxFilterForm
from lagniappe.workspace.inbox import DEFAULT_VIEW, filters_narrowed, inbox_views
from lagniappe.workspace.viewer import viewer_of

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    teams = list(team_list_for_agent(viewer.agent).values_list("pk", "name"))
    views = inbox_views(viewer.agent.pk, teams)
    view = views.get(request.GET.get("view", ""), views[DEFAULT_VIEW])
    counts = conversation_counts_for_viewer(
        viewer.scope, {key: v.filters for key, v in views.items()}
    )
    filter_form = InboxFilterForm(
        request.GET,
        brands=brand_list_visible(viewer.scope).values_list("pk", "name"),
        tags=tag_list_for_viewer(viewer.scope).values_list("name", flat=True),
        agents=agent_list_visible(viewer.scope).values_list("pk", "display_name"),
    )
    cleaned = filter_form.cleaned_data if filter_form.is_valid() else {}
    size = min(max(_int_param(request, "size") or PAGE_SIZE, 1), MAX_PAGE_SIZE)
    page = conversation_page_for_viewer(
        viewer.scope,
        filters_narrowed(view.filters, cleaned),
        before_id=_int_param(request, "before"),
        size=size,
    )
    unread_mark(page.rows, viewer.agent.pk)
    next_query = None
    if page.next_cursor is not None:
        query = request.GET.copy()
        query["before"] = str(page.next_cursor)
        next_query = query.urlencode()
    return render(
        request,
        "workspace/inbox.html",
        {
            "views": [(v, counts[v.key]) for v in views.values()],
            "current_view": view,
            "filter_form": filter_form,
            "page": page,
            "next_query": next_query,
            "bulk_form": BulkAction(auto_id="bulk-%s"),
        },
    )


@login_required
@require_POST
def inbox_bulk(request: HttpRequest) -> HttpResponse:
    """Apply one change to each chosen conversation; each row succeeds or is refused alone."""
    viewer = viewer_of(request)
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("workspace:inbox")
    form = BulkAction(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    action = form.cleaned_data["action"]
    ids: list[int] = form.cleaned_data["ids"]
    conversations = conversation_list_by_ids_for_viewer(viewer.scope, ids)
    done = 0
    for conversation_id in ids:
        conversation = conversations.get(conversation_id)
        try:
            if conversation is None:
                raise NotFound("No such conversation.", details={"id": conversation_id})
            if action == BulkAction.ASSIGN_TO_ME:
                changes = ConversationChanges(assign=True, assignee_id=viewer.agent.pk)
            elif action == BulkAction.SET_STATUS:
                changes = ConversationChanges(status=form.cleaned_data["status"])
            else:
                current = tuple(t.name for t in conversation.tags.all())
                changes = ConversationChanges(tags=(*current, form.cleaned_data["tag"].strip()))
            conversation_update(actor=viewer.actor, conversation=conversation, changes=changes)
        except DomainError as error:
            messages.error(
                request,
                gettext("Conversation #%(id)s: %(reason)s")
                % {"id": conversation_id, "reason": refusal_message(error)},
            )
        else:
            done += 1
    if done:
        messages.success(
            request,
            ngettext("%(count)d conversation changed.", "%(count)d conversations changed.", done)
            % {"count": done},
        )
    return redirect(back)
