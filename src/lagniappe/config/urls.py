from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path, re_path

from lagniappe.api.app import api
from lagniappe.api.errors import json_errors_for_routing, route_not_found
from lagniappe.api.limits import declared_length_guard


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def api_docs(request: HttpRequest) -> HttpResponse:
    return api.docs.render_page(request, api)


api_patterns, api_app_name, api_namespace = api.urls
guarded_api_patterns = [
    type(pattern)(
        pattern.pattern,
        declared_length_guard(json_errors_for_routing(pattern.callback)),
        pattern.default_args,
        pattern.name,
    )
    for pattern in api_patterns
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/docs", api_docs, name="api-docs"),
    path("api/v1/", include((guarded_api_patterns, api_app_name), namespace=api_namespace)),
    re_path(r"^api/", route_not_found),
]
