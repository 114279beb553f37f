from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, include, path, re_path

from lagniappe.api.app import api
from lagniappe.api.errors import json_errors_for_routing, route_not_found
from lagniappe.api.limits import declared_length_guard


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def api_docs(request: HttpRequest) -> HttpResponse:
    return api.docs.render_page(request, api)


api_patterns, api_app_name, api_namespace = api.urls


def _guarded(pattern: URLPattern | URLResolver) -> URLPattern:
    """Every API route refuses oversized bodies from their headers and answers 405 in JSON."""
    assert isinstance(pattern, URLPattern)
    view = declared_length_guard(json_errors_for_routing(pattern.callback))
    return URLPattern(pattern.pattern, view, pattern.default_args, pattern.name)


guarded_api_patterns = [_guarded(pattern) for pattern in api_patterns]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("forms/", include("lagniappe.channels.webform.urls")),
    path("api/docs", api_docs, name="api-docs"),
    path("api/v1/", include((guarded_api_patterns, api_app_name), namespace=api_namespace)),
    re_path(r"^api/", route_not_found),
    path("help/", include("lagniappe.portal.urls")),
    path("", include("lagniappe.channels.chat.urls")),  # /widget.js, /chat/<key>/…
    path("", include("lagniappe.workspace.urls")),
]
