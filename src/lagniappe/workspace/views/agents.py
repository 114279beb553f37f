"""An agent's work settings as a supervisor or administrator sets them (chat capacity)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from lagniappe.core.errors import DomainError
from lagniappe.routing.capacity import chat_load_for_agent
from lagniappe.staff.selectors import agent_list_visible
from lagniappe.staff.services import CAPACITY_SETTERS, agent_capacity_set
from lagniappe.workspace.errors import refusal_message
from lagniappe.workspace.settings_forms import CapacityForm
from lagniappe.workspace.viewer import viewer_of


@login_required
@require_http_methods(["GET", "POST"])
def agent_settings(request: HttpRequest, agent_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    if viewer.agent.role not in CAPACITY_SETTERS:
        raise PermissionDenied
    # Only agents serving a brand the supervisor sees exist here.
    agent = agent_list_visible(viewer.scope).filter(pk=agent_id).first()
    if agent is None:
        raise Http404
    form = CapacityForm(request.POST or None, initial={"chat_capacity": agent.chat_capacity})
    if request.method == "POST" and form.is_valid():
        try:
            agent_capacity_set(
                actor=viewer.actor,
                by=viewer.agent,
                agent=agent,
                chat_capacity=form.cleaned_data["chat_capacity"],
            )
        except DomainError as error:
            messages.error(request, refusal_message(error))
        else:
            messages.success(request, gettext("The agent's settings are saved."))
            return redirect("workspace:agent-settings", agent_id=agent.pk)
    return render(
        request,
        "workspace/agent_settings.html",
        {"subject": agent, "form": form, "chat": chat_load_for_agent(agent)},
    )
