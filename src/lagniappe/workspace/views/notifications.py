"""The agent's notifications: the page, mark one read, mark all read, and the choices of
desktop notifications and sound. An agent only ever reaches their own."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from lagniappe.realtime.agent_status import agent_status
from lagniappe.staff.notifications import notification_mark_all_read, notification_mark_read
from lagniappe.staff.selectors import notification_for_agent, notification_list_for_agent
from lagniappe.staff.services import agent_preferences_set
from lagniappe.workspace.settings_forms import NotificationPreferencesForm
from lagniappe.workspace.viewer import viewer_of

PAGE_SIZE = 100


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next") or request.headers.get("Referer") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("workspace:notifications")


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    items = notification_list_for_agent(viewer.agent, limit=PAGE_SIZE)
    return render(
        request,
        "workspace/notifications.html",
        {"items": items, "hide_notifications_menu": True},
    )


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    if notification_for_agent(viewer.agent, notification_id) is None:
        raise Http404  # another agent's notification does not exist for this one
    notification_mark_read(agent_id=viewer.agent.pk, notification_ids=[notification_id])
    if not request.htmx:  # type: ignore[attr-defined]
        return _back(request)
    # The item, read now, and the header's counts swapped out of band.
    item = notification_for_agent(viewer.agent, notification_id)
    html = render_to_string("workspace/_notification.html", {"item": item}, request=request)
    html += render_to_string(
        "workspace/_agent_status.html",
        {"agent_status": agent_status(viewer.agent, viewer.scope), "oob": True},
        request=request,
    )
    return HttpResponse(html)


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    notification_mark_all_read(agent_id=viewer.agent.pk)
    return _back(request)


@login_required
@require_POST
def notification_preferences(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    form = NotificationPreferencesForm(request.POST)
    if form.is_valid():
        agent_preferences_set(
            actor=viewer.actor,
            agent=viewer.agent,
            notify_desktop=form.cleaned_data["notify_desktop"],
            notify_sound=form.cleaned_data["notify_sound"],
        )
        messages.success(request, gettext("Your preferences are saved."))
    return redirect("workspace:preferences")
