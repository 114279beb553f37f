"""Each request speaks the signed-in agent's language and shows times in their time zone.

Runs after AuthenticationMiddleware (it needs request.user) and after Django's
LocaleMiddleware, which has already chosen a language from the cookie or the browser's
Accept-Language: that choice stands until the agent picks one, then theirs wins everywhere.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from lagniappe.staff.models import Agent


class AgentPreferencesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if not isinstance(user, Agent):
            return self.get_response(request)
        if user.ui_language:
            translation.activate(user.ui_language)
            request.LANGUAGE_CODE = translation.get_language()
        try:
            timezone.activate(zoneinfo.ZoneInfo(user.time_zone or "UTC"))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo("UTC"))
        try:
            return self.get_response(request)
        finally:
            # The thread serves other requests next: never leak one agent's zone to them.
            timezone.deactivate()
