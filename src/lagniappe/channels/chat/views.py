"""Public HTTP of the chat channel: the widget script, the visitor session, and the polling
fallback for visitors whose network blocks websockets (`send` and `poll`: the same signed
token, the same store-first funnel and idempotency as the socket, see services.py)."""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from lagniappe.channels.chat import outbound, services
from lagniappe.channels.chat.articles import articles_for_visitor
from lagniappe.channels.chat.consumers import MAX_FRAME_BYTES, endpoint_for_key, origin_allowed
from lagniappe.channels.chat.limits import frame_allowance
from lagniappe.channels.chat.models import VisitorState
from lagniappe.channels.chat.outbound import PUSH, conversation_group
from lagniappe.channels.chat.selectors import visitor_attachment
from lagniappe.channels.chat.services import FrameRefused, visitor_profile_set
from lagniappe.channels.chat.tokens import (
    host_user_verified,
    visitor_from_token,
    visitor_token_issue,
)
from lagniappe.channels.chat.transcript import TranscriptRefused, transcript_request
from lagniappe.channels.chat.visits import visitor_page_record
from lagniappe.channels.models import Endpoint
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
    answer = {
        "token": token,
        "prechat": bool(endpoint.settings.get("prechat")),
        "max_file_bytes": settings.LAGNIAPPE_MAX_ATTACHMENT_BYTES,
    }
    return JsonResponse(answer, headers=cors)


def _is_seq(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _cors_preamble(
    request: HttpRequest, public_key: str
) -> tuple[Endpoint | None, dict[str, str], HttpResponse | None]:
    """The widget and the CORS answer of a visitor call; a response when it ends there."""
    endpoint = endpoint_for_key(public_key)
    origin = request.headers.get("Origin", "")
    if endpoint is None:
        return None, {}, JsonResponse({"error": "not_found"}, status=404)
    if not origin_allowed(endpoint.settings.get("allowed_origins"), origin):
        return None, {}, JsonResponse({"error": "origin_refused"}, status=403)
    cors = {"Access-Control-Allow-Origin": origin or "*", "Vary": "Origin"}
    if request.method == "OPTIONS":
        cors["Access-Control-Allow-Methods"] = "POST"
        cors["Access-Control-Allow-Headers"] = "Content-Type"
        return None, cors, HttpResponse(status=204, headers=cors)
    if request.method != "POST":
        return None, cors, JsonResponse({"error": "method_not_allowed"}, status=405, headers=cors)
    return endpoint, cors, None


def _visitor_call(
    request: HttpRequest, public_key: str, *, form: bool = False
) -> tuple[services.Visitor | None, dict[str, object], dict[str, str], HttpResponse | None]:
    """Checks shared by `send`, `poll`, `upload` and `file`: widget, origin, size, token,
    rate limit. The body is JSON, or a multipart form for `upload` (`form`)."""
    endpoint, cors, early = _cors_preamble(request, public_key)
    if early is not None or endpoint is None:
        return None, {}, cors, early
    limit = settings.LAGNIAPPE_MAX_ATTACHMENT_BYTES + MAX_FRAME_BYTES if form else MAX_FRAME_BYTES
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit or (
        not form and len(request.body) > MAX_FRAME_BYTES
    ):
        error = {"type": "error", "code": "too_large"}
        return None, {}, cors, JsonResponse(error, status=413, headers=cors)
    body: object
    if form:
        body = {name: request.POST.get(name) for name in request.POST}
    else:
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            body = None
    if not isinstance(body, dict):
        error = {"type": "error", "code": "malformed"}
        return None, {}, cors, JsonResponse(error, status=400, headers=cors)
    token = body.get("token")
    visitor = visitor_from_token(public_key, token) if isinstance(token, str) else None
    if visitor is None:
        error = {"type": "error", "code": "bad_token"}
        return None, {}, cors, JsonResponse(error, status=401, headers=cors)
    remote_addr = str(request.META.get("REMOTE_ADDR") or "")[:64]
    wait = frame_allowance(endpoint_id=endpoint.pk, visitor=visitor, remote_addr=remote_addr)
    if wait:
        limited: dict[str, object] = {
            "type": "error",
            "code": "rate_limited",
            "retry_after": round(wait, 1),
        }
        if isinstance(body.get("client_id"), str):
            limited["client_id"] = str(body["client_id"])[:64]
        headers = {**cors, "Retry-After": str(max(1, round(wait)))}
        return None, {}, cors, JsonResponse(limited, status=429, headers=headers)

    def text(name: str, limit: int) -> str:
        value = body.get(name)
        return value[:limit] if isinstance(value, str) else ""

    caller = services.Visitor(
        endpoint=endpoint,
        visitor=visitor,
        user_id=host_user_verified(endpoint.settings, text("user_id", 400), text("user_hash", 200))
        or "",
        language=text("lang", 16),
        page=text("page", 2000),
        remote_addr=remote_addr,
    )
    return caller, body, cors, None


def _error(refused: FrameRefused, cors: dict[str, str]) -> HttpResponse:
    error: dict[str, object] = {"type": "error", "code": refused.code}
    if refused.client_id:
        error["client_id"] = refused.client_id
    status = {"rejected": 422, "file_too_large": 413, "file_refused": 415}.get(refused.code, 400)
    return JsonResponse(error, status=status, headers=cors)


@csrf_exempt
def send(request: HttpRequest, public_key: str) -> HttpResponse:
    """POST {token, client_id, text}: one message, answered like the socket's ack (only after
    commit) or error frame. A repeat with the same client id answers the same seq."""
    visitor, body, cors, early = _visitor_call(request, public_key)
    if early is not None or visitor is None:
        return early or HttpResponse(status=400)
    frame = {"type": "message", "client_id": body.get("client_id"), "text": body.get("text")}
    try:
        stored = services.visitor_message_store(
            visitor=visitor, text_data=json.dumps(frame, ensure_ascii=False), frame=frame
        )
    except FrameRefused as refused:
        return _error(refused, cors)
    ack = {"type": "ack", "client_id": stored.client_id, "seq": stored.seq}
    return JsonResponse(ack, headers=cors)


@csrf_exempt
def upload(request: HttpRequest, public_key: str) -> HttpResponse:
    """POST multipart {token, client_id[, text], file}: one message with an attachment,
    stored like `send` (the file travels base64 inside the stored frame: store first),
    answered with the ack, which the widget also receives as the echoed message frame."""
    visitor, body, cors, early = _visitor_call(request, public_key, form=True)
    if early is not None or visitor is None:
        return early or HttpResponse(status=400)
    upload_file = request.FILES.get("file")
    if upload_file is None:
        return _error(FrameRefused("invalid_message", body.get("client_id")), cors)
    if upload_file.size is not None and upload_file.size > settings.LAGNIAPPE_MAX_ATTACHMENT_BYTES:
        return _error(FrameRefused("file_too_large", body.get("client_id")), cors)
    frame = {
        "type": "message",
        "client_id": body.get("client_id"),
        "text": body.get("text") or "",
        "file": {
            "name": upload_file.name or "attachment",
            "type": upload_file.content_type or "",
            "data": base64.b64encode(upload_file.read()).decode("ascii"),
        },
    }
    try:
        stored = services.visitor_message_store(
            visitor=visitor, text_data=json.dumps(frame, ensure_ascii=False), frame=frame
        )
    except FrameRefused as refused:
        return _error(refused, cors)
    outbound.group_push(
        conversation_group(stored.conversation_id), {"type": PUSH, "frame": stored.frame}
    )
    answer = {"type": "ack", "client_id": stored.client_id, "seq": stored.seq}
    return JsonResponse({**answer, "message": stored.frame}, headers=cors)


@csrf_exempt
def attachment_download(
    request: HttpRequest, public_key: str, attachment_id: int
) -> HttpResponseBase:
    """POST {token}: the bytes of an attachment the visitor may see (theirs, or an agent's
    reply in their conversations), as a download; 404 for anything else."""
    visitor, _body, cors, early = _visitor_call(request, public_key)
    if early is not None or visitor is None:
        return early or HttpResponse(status=400)
    attachment = visitor_attachment(visitor.endpoint.pk, visitor.visitor, attachment_id)
    if attachment is None:
        return JsonResponse({"type": "error", "code": "not_found"}, status=404, headers=cors)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type="application/octet-stream",
    )
    for name, value in cors.items():
        response[name] = value
    response["X-Content-Type-Options"] = "nosniff"
    return response


@csrf_exempt
def poll(request: HttpRequest, public_key: str) -> HttpResponse:
    """POST {token, last_seq[, read_seq]}: the frames of every message after last_seq (the
    socket's `resume`), and the visitor's read mark moved forward."""
    visitor, body, cors, early = _visitor_call(request, public_key)
    if early is not None or visitor is None:
        return early or HttpResponse(status=400)
    last_seq, read_seq = body.get("last_seq", 0), body.get("read_seq", 0)
    if not (_is_seq(last_seq) and _is_seq(read_seq)):
        return JsonResponse({"type": "error", "code": "invalid_resume"}, status=400, headers=cors)
    assert isinstance(last_seq, int) and isinstance(read_seq, int)
    if isinstance(body.get("page"), str):
        visitor_page_record(
            endpoint=visitor.endpoint,
            visitor=visitor.visitor,
            url=body["page"],
            title=body.get("title"),
        )
    frames = services.visitor_catch_up(
        endpoint=visitor.endpoint, visitor=visitor.visitor, last_seq=last_seq, read_seq=read_seq
    )
    newest = max([last_seq, *(int(frame["seq"]) for frame in frames)])
    return JsonResponse({"frames": frames, "last_seq": newest}, headers=cors)


@csrf_exempt
def transcript(request: HttpRequest, public_key: str) -> HttpResponse:
    """POST {token[, email]}: email the visitor their chat (to `email`, else the pre-chat or
    offline form's address). 202 when queued; 400 no_email / nothing_to_send, 409
    no_mailbox, 429 rate_limited."""
    visitor, body, cors, early = _visitor_call(request, public_key)
    if early is not None or visitor is None:
        return early or HttpResponse(status=400)
    address = services.email_checked(body.get("email")) or (
        VisitorState.objects.filter(endpoint=visitor.endpoint, visitor=visitor.visitor)
        .values_list("email", flat=True)
        .first()
        or ""
    )
    try:
        transcript_request(
            endpoint=visitor.endpoint,
            visitor=visitor.visitor,
            address=address,
            language=visitor.language,
        )
    except TranscriptRefused as refused:
        status = {"no_mailbox": 409, "rate_limited": 429}.get(refused.code, 400)
        error = {"type": "error", "code": refused.code}
        return JsonResponse(error, status=status, headers=cors)
    return JsonResponse({"type": "transcript", "status": "queued"}, status=202, headers=cors)


@csrf_exempt
def articles(request: HttpRequest, public_key: str) -> HttpResponse:
    """POST {token, q[, lang]}: help-centre articles matching what the visitor is typing
    (read only; rate-limited like every visitor call)."""
    visitor, body, cors, early = _visitor_call(request, public_key)
    if early is not None or visitor is None:
        return early or HttpResponse(status=400)
    query = body.get("q")
    found = articles_for_visitor(
        visitor.endpoint.brand, query if isinstance(query, str) else "", visitor.language
    )
    return JsonResponse({"articles": found}, headers=cors)
