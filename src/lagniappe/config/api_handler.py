"""Bearer-token API calls through a shorter middleware chain than pages.

A call to /api/v1/ proves who it is with its bearer token (api/auth.py) and is exempt from
CSRF (urls.py); sessions, the CSRF check, the session's user, the signed-in agent's display
preferences, flash messages and htmx do nothing for it, yet cost ≈ 0.15 ms per call, about
5 % of an API create. So `lagniappe serve` hands /api/v1/ to a Django handler whose chain is
settings.MIDDLEWARE without `PAGE_ONLY_MIDDLEWARE`: the security headers, the host check,
the caller's language (Accept-Language) and every middleware added later still apply.
Pages, the admin, /api/docs and everything else keep the full chain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.utils.module_loading import import_string

API_PATH_PREFIX = "/api/v1/"

# What a bearer-token call cannot use: keep this list to middleware of that kind only.
PAGE_ONLY_MIDDLEWARE = frozenset(
    {
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "lagniappe.workspace.middleware.AgentPreferencesMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django_htmx.middleware.HtmxMiddleware",
    }
)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def api_middleware() -> list[str]:
    return [path for path in settings.MIDDLEWARE if path not in PAGE_ONLY_MIDDLEWARE]


class ApiMiddlewareMixin(BaseHandler):
    """A synchronous Django handler whose chain is `api_middleware()`."""

    def load_middleware(self, is_async: bool = False) -> None:
        # Django's BaseHandler.load_middleware for another list, synchronous only (every
        # middleware of ours is): no adapters between sync and async.
        if is_async:
            raise ValueError("the API chain is synchronous")
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        handler = convert_exception_to_response(self._get_response)  # type: ignore[attr-defined]
        for path in reversed(api_middleware()):
            middleware = import_string(path)(handler)
            if hasattr(middleware, "process_view"):
                self._view_middleware.insert(0, middleware.process_view)
            if hasattr(middleware, "process_template_response"):
                self._template_response_middleware.append(middleware.process_template_response)
            if hasattr(middleware, "process_exception"):
                self._exception_middleware.append(middleware.process_exception)
            handler = convert_exception_to_response(middleware)
        self._middleware_chain = handler


class ApiWSGIHandler(ApiMiddlewareMixin, WSGIHandler):
    """Django's WSGI handler with the API's chain."""


class ApiOrPages:
    """WSGI: /api/v1/… to the API's handler, everything else to the full one."""

    def __init__(self, pages: WsgiApp, api: WsgiApp) -> None:
        self.pages = pages
        self.api = api

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO", "").startswith(API_PATH_PREFIX):
            return self.api(environ, start_response)
        return self.pages(environ, start_response)
