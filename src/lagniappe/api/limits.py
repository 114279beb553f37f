"""Request body limits and the JSON parser: 413 above the limits, 400 for bytes that are not
UTF-8 JSON, and never a string the database would refuse (NUL, unpaired surrogates)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext
from ninja.parser import Parser

from lagniappe.api.errors import InvalidBody, domain_error_response
from lagniappe.core.errors import DomainError, PayloadTooLarge

# Room for multipart boundaries and part headers around an attachment of the maximum size.
MULTIPART_OVERHEAD_BYTES = 64 * 1024
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_PARSED_ATTRIBUTE = "_lagniappe_json"
_NOT_PARSED = object()
_SUSPICIOUS_ESCAPE = re.compile(rb"\\u(?:[dD][89abcdefABCDEF]|0000)")


def _too_large(limit: int, size: int | None = None) -> PayloadTooLarge:
    details: dict[str, Any] = {"limit": limit}
    if size is not None:
        details["size"] = size
    return PayloadTooLarge(gettext("The request body is larger than allowed."), details=details)


def body_limit_for(request: HttpRequest) -> int:
    if request.content_type == "multipart/form-data":
        return int(settings.LAGNIAPPE_MAX_ATTACHMENT_BYTES) + MULTIPART_OVERHEAD_BYTES
    return int(settings.LAGNIAPPE_MAX_JSON_BYTES)


def declared_length_check(request: HttpRequest) -> None:
    """Refuse a body by its Content-Length before a byte of it is read."""
    if request.method not in BODY_METHODS:
        return
    raw = request.META.get("CONTENT_LENGTH") or ""
    if not raw:
        return
    try:
        declared = int(raw)
    except ValueError:
        raise InvalidBody(
            gettext("The Content-Length header is not a number."), details={}
        ) from None
    limit = body_limit_for(request)
    if declared > limit:
        raise _too_large(limit, declared)


def _strings_check(value: Any) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidBody(gettext("Text may not contain NUL characters."), details={})
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidBody(
                gettext("Text may not contain unpaired surrogates."), details={}
            ) from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _strings_check(key)
            _strings_check(item)
    elif isinstance(value, list):
        for item in value:
            _strings_check(item)


def json_body_parse(request: HttpRequest) -> Any:
    """The request's JSON body, after checking its real size and encoding."""
    limit = int(settings.LAGNIAPPE_MAX_JSON_BYTES)
    try:
        body = request.body
    except RequestDataTooBig:
        raise _too_large(limit) from None
    if len(body) > limit:
        raise _too_large(limit, len(body))
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidBody(
            gettext("The request body is not valid UTF-8."), details={"position": error.start}
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidBody(
            gettext("The request body is not valid JSON."),
            details={"line": error.lineno, "column": error.colno},
        ) from None
    except RecursionError:
        raise InvalidBody(gettext("The request body is nested too deeply."), details={}) from None
    if _SUSPICIOUS_ESCAPE.search(body):
        _strings_check(data)
    return data


class JsonBodyParser(Parser):
    """ninja's parser with our limits. ninja wraps what we raise in an HttpError(400);
    api.errors unwraps it so the answer keeps our code and status."""

    def parse_body(self, request: HttpRequest) -> Any:
        parsed = getattr(request, _PARSED_ATTRIBUTE, _NOT_PARSED)
        if parsed is _NOT_PARSED:
            parsed = json_body_parse(request)
            setattr(request, _PARSED_ATTRIBUTE, parsed)
        return parsed


def declared_length_guard(view: Callable[..., HttpResponseBase]) -> Callable[..., Any]:
    """Wrap a view so an oversized body is refused from its headers alone."""

    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            declared_length_check(request)
        except DomainError as error:
            return domain_error_response(error)
        return view(request, *args, **kwargs)

    guarded.csrf_exempt = True  # type: ignore[attr-defined]
    return guarded
