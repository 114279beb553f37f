"""Public HTTP of the chat channel: the widget script and the visitor session."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from lagniappe.channels.chat.consumers import endpoint_for_key, origin_allowed
from lagniappe.channels.chat.services import visitor_profile_set
from lagniappe.channels.chat.tokens import visitor_from_token, visitor_token_issue
from lagniappe.core.actors import Actor

_WIDGET = Path(__file__).parent / "static" / "channel_chat" / "widget.js"
MAX_SESSION_BODY = 4096


@cache
def _widget() -> tuple[bytes, str]:
    body = _WIDGET.read_bytes()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


@require_GET
def widget_js(request: HttpRequest) -> HttpResponse:
    body, etag = _widget()
    # Short max-age: a fix reaches every site within minutes; the ETag makes revalidation cheap.
    headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
    if request.headers.get("If-None-Match") == etag:
        return HttpResponse(status=304, headers=headers)
    return HttpResponse(body, content_type="application/javascript; charset=utf-8", headers=headers)


@csrf_exempt  # a cross-site call without cookies: the token, not a session, is the credential
def session(request: HttpRequest, public_key: str) -> HttpResponse:
    """POST {token[, name, email]}: keep the visitor's token when it is still valid, or issue
    a new one; store the pre-chat (or offline) form's answers when given. The answer says
    whether the widget asks for them before the first message (settings["prechat"])."""
    endpoint = endpoint_for_key(public_key)
    origin = request.headers.get("Origin", "")
    if endpoint is None:
        return JsonResponse({"error": "not_found"}, status=404)
    if not origin_allowed(endpoint.settings.get("allowed_origins"), origin):
        return JsonResponse({"error": "origin_refused"}, status=403)
    cors = {"Access-Control-Allow-Origin": origin or "*", "Vary": "Origin"}
    if request.method == "OPTIONS":
        cors["Access-Control-Allow-Methods"] = "POST"
        cors["Access-Control-Allow-Headers"] = "Content-Type"
        return HttpResponse(status=204, headers=cors)
    if request.method != "POST":
        return JsonResponse({"error": "method_not_allowed"}, status=405, headers=cors)
    try:
        body = json.loads(request.body[:MAX_SESSION_BODY] or b"{}")
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    token = body.get("token")
    visitor = visitor_from_token(public_key, token) if isinstance(token, str) else None
    if visitor is None:
        visitor, token = visitor_token_issue(public_key)
    if body.get("name") or body.get("email"):
        visitor_profile_set(
            actor=Actor.customer(f"chat visitor {visitor}"),
            endpoint=endpoint,
            visitor=visitor,
            name=body.get("name"),
            email=body.get("email"),
        )
    answer = {"token": token, "prechat": bool(endpoint.settings.get("prechat"))}
    return JsonResponse(answer, headers=cors)
