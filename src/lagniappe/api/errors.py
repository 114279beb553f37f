"""Every failure the API answers is JSON {"code", "message", "details"} with a stable code.

Domain errors carry their own code and status; framework errors (validation, parsing,
authentication, unknown routes and methods) are mapped here. Anything unexpected is logged
and answered 500 "server_error" without leaking internals.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.http.multipartparser import MultiPartParserError
from django.http.request import UnreadablePostError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from lagniappe.core.errors import DomainError, PayloadTooLarge

logger = logging.getLogger("lagniappe.api")

JSON_CONTENT_TYPE = "application/json; charset=utf-8"

# Body parameters are all named "payload" so their name never shows in a field path.
BODY_PARAMETER = "payload"

_CODES_BY_STATUS = {
    400: "bad_request",
    401: "unauthenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "throttled",
}

_MESSAGES_BY_STATUS = {
    400: _("The request cannot be understood."),
    401: _("A valid bearer token is required."),
    403: _("You may not do this."),
    404: _("Not found."),
    405: _("This method is not allowed here."),
    413: _("The request body is larger than allowed."),
    422: _("The request is not valid."),
    429: _("Too many requests."),
}


class ErrorOut(Schema):
    """The body of every error answer."""

    code: str
    message: str
    details: dict[str, Any]


class InvalidBody(DomainError):
    """The body is not UTF-8 JSON (or multipart that can be read)."""

    code = "invalid_body"
    http_status = 400


class FieldInvalid(DomainError):
    """A field failed a check the schema cannot express; shaped like a validation error."""

    code = "validation_error"
    http_status = 422

    def __init__(self, field: str, message: str, *, kind: str = "invalid") -> None:
        super().__init__(
            str(_MESSAGES_BY_STATUS[422]),
            details={"errors": [{"field": field, "type": kind, "message": message}]},
        )


class InboundFailed(DomainError):
    """The funnel stored the input but could not turn it into a message."""

    code = "inbound_failed"
    http_status = 422


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> bytes:
    return json.dumps(
        {"code": code, "message": message, "details": details or {}},
        ensure_ascii=False,
        default=str,
    ).encode("utf-8")


def error_response(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> HttpResponse:
    response = HttpResponse(
        error_body(code, message, details), status=status, content_type=JSON_CONTENT_TYPE
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="lagniappe"'
    return response


def domain_error_response(error: DomainError) -> HttpResponse:
    # Services raise English messages; a catalogue entry translates them when there is one.
    return error_response(error.http_status, error.code, gettext(error.message), error.details)


def status_error_response(status: int, details: dict[str, Any] | None = None) -> HttpResponse:
    message = _MESSAGES_BY_STATUS.get(status, _MESSAGES_BY_STATUS[400])
    return error_response(status, _CODES_BY_STATUS.get(status, "error"), str(message), details)


def field_path(location: Sequence[Any]) -> str:
    """("body", "payload", "customer", "email") -> "body.customer.email"."""
    parts = [str(part) for part in location]
    if len(parts) > 1 and parts[0] == "body" and parts[1] == BODY_PARAMETER:
        parts = [parts[0], *parts[2:]]
    elif parts and parts[0] in ("file", "form"):
        parts = ["body", *parts[1:]]
    return ".".join(parts)


def validation_details(errors: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {
        "errors": [
            {
                "field": field_path(error.get("loc", ())),
                "type": str(error.get("type", "invalid")),
                "message": str(error.get("msg", "")),
            }
            for error in errors
        ]
    }


def _on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return domain_error_response(exc)


def _on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return status_error_response(422, validation_details(exc.errors))


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, DomainError):
        # The body parser's own errors arrive wrapped by ninja; answer with the original.
        return domain_error_response(cause)
    if isinstance(exc, AuthenticationError) or exc.status_code == 401:
        return status_error_response(401)
    if exc.status_code == 400:
        return error_response(400, InvalidBody.code, gettext("The request body is not valid JSON."))
    return status_error_response(exc.status_code)


def _on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return status_error_response(404)


def _on_unreadable_body(request: HttpRequest, exc: Exception) -> HttpResponse:
    if isinstance(exc, RequestDataTooBig):
        return domain_error_response(PayloadTooLarge(str(_MESSAGES_BY_STATUS[413])))
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return error_response(400, InvalidBody.code, gettext("The form has too many fields."))
    return error_response(400, InvalidBody.code, gettext("The request body cannot be read."))


def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API request %s %s failed", request.method, request.path)
    return error_response(500, "server_error", gettext("Something went wrong on our side."))


def exception_handlers_install(api: NinjaAPI) -> None:
    handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
        (Exception, _on_unexpected),
        (DomainError, _on_domain_error),
        (ValidationError, _on_validation_error),
        (HttpError, _on_http_error),
        (Http404, _on_not_found),
        (SuspiciousOperation, _on_unreadable_body),
        (MultiPartParserError, _on_unreadable_body),
        (UnreadablePostError, _on_unreadable_body),
    ]
    for exception_type, handler in handlers:
        api.add_exception_handler(exception_type, handler)


def json_errors_for_routing(view: Callable[..., HttpResponseBase]) -> Callable[..., Any]:
    """Turn ninja's plain-text 405 into our JSON error, keeping the Allow header."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            answer = status_error_response(405, {"allowed": sorted(allowed.split(", "))})
            answer["Allow"] = allowed
            return answer
        return response

    wrapped.csrf_exempt = True  # type: ignore[attr-defined]
    return wrapped


def route_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return status_error_response(404, {"path": request.path[:200]})


route_not_found.csrf_exempt = True  # type: ignore[attr-defined]
