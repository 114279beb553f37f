"""Sign in, sign out and the agent's own preferences (interface language, time zone)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from lagniappe.core.errors import DomainError
from lagniappe.staff.services import agent_preferences_set
from lagniappe.workspace.errors import refusal_message
from lagniappe.workspace.forms import PreferencesForm
from lagniappe.workspace.settings_forms import NotificationPreferencesForm
from lagniappe.workspace.viewer import viewer_of

login = auth_views.LoginView.as_view(
    template_name="workspace/login.html", redirect_authenticated_user=True
)
logout = auth_views.LogoutView.as_view(next_page="workspace:login")


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    agent = viewer.agent
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                agent_preferences_set(
                    actor=viewer.actor,
                    agent=agent,
                    ui_language=form.cleaned_data["ui_language"],
                    time_zone=form.cleaned_data["time_zone"] or None,
                )
            except DomainError as error:
                messages.error(request, refusal_message(error))
            else:
                # This very response already speaks the new language.
                translation.activate(agent.ui_language)
                request.LANGUAGE_CODE = translation.get_language()
                messages.success(request, gettext("Your preferences are saved."))
                return redirect(_back(request, "workspace:preferences"))
    else:
        form = PreferencesForm(
            initial={
                "ui_language": (agent.ui_language or translation.get_language()).lower(),
                "time_zone": agent.time_zone,
            }
        )
    notify_form = NotificationPreferencesForm(
        initial={"notify_desktop": agent.notify_desktop, "notify_sound": agent.notify_sound},
        auto_id="notify-%s",
    )
    return render(
        request,
        "workspace/preferences.html",
        {"form": form, "notify_form": notify_form},
    )
