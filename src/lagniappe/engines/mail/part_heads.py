"""A MIME part's content headers, read once.

Under `policy.default` every header lookup builds a new header object, and the stdlib's
`get_content_type()`, `get_content_charset()`, `get_content_disposition()`, `get_filename()`
and `get_param()` each look the header up again: about eight Content-Type/-Disposition
parses per body part, most of email parsing's time. Here each part's two content headers
are parsed once and everything the walk asks is read off those objects, with the stdlib's
own rules (default type, invalid types read as text/plain, non-ASCII charsets ignored).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message


@dataclass(frozen=True)
class PartHead:
    content_type: str  # "maintype/subtype", lower case, as Message.get_content_type()
    charset: str | None  # as Message.get_content_charset()
    disposition: str  # "attachment", "inline" or ""
    named: bool  # a filename= or name= parameter: a file, not a body


def _params(header: object) -> Mapping[str, str]:
    params = getattr(header, "params", None)
    return params if isinstance(params, Mapping) else {}


def _content_type(part: Message, header: object | None) -> str:
    if header is None:
        return part.get_default_type()
    value = str(header).partition(";")[0].strip().lower()
    return value if value.count("/") == 1 else "text/plain"


def _charset(params: Mapping[str, str]) -> str | None:
    value = params.get("charset")
    if not value or not value.isascii():
        return None
    return value.lower()


def part_head(part: Message) -> PartHead:
    """What the part's Content-Type and Content-Disposition say (each header parsed once)."""
    try:
        type_header = part.get("content-type")
        disposition_header = part.get("content-disposition")
    except Exception:  # a header the stdlib cannot build: the slow, per-call way decides
        return _part_head_slowly(part)
    type_params = _params(type_header)
    disposition_params = _params(disposition_header)
    disposition = "" if disposition_header is None else str(disposition_header).partition(";")[0]
    return PartHead(
        content_type=_content_type(part, type_header),
        charset=_charset(type_params),
        disposition=disposition.strip().lower(),
        named=bool(
            (disposition_params.get("filename") or "").strip()
            or (type_params.get("name") or "").strip()
        ),
    )


def _part_head_slowly(part: Message) -> PartHead:
    try:
        content_type = part.get_content_type()
    except Exception:
        content_type = "application/octet-stream"
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    try:
        disposition = (part.get_content_disposition() or "").lower()
    except Exception:
        disposition = ""
    try:
        named = bool(part.get_filename() or part.get_param("name"))
    except Exception:
        named = False
    return PartHead(content_type, charset, disposition, named)
