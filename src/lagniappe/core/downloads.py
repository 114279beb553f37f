"""Files people sent us, served back as downloads that can never render on our origin.

Files come from customers, so a download must not let one run script here: the browser is
told to save it (Content-Disposition: attachment), not to guess its type (nosniff), to treat
it as a sandboxed opaque origin if it renders anyway (CSP sandbox), and any type a browser
could execute as a document is sent as application/octet-stream. The API and the workspace
both answer through `file_download_response`.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from typing import Any
from urllib.parse import quote

from django.http import FileResponse, Http404
from django.utils.translation import gettext

DOWNLOAD_FALLBACK_TYPE = "application/octet-stream"

# Types a browser shows without running anything of the file's own; everything else (HTML,
# SVG, XML, XHTML, JavaScript, containers we do not know…) becomes a plain download.
_INERT_TYPES = frozenset(
    {
        "application/pdf",
        "application/zip",
        "application/gzip",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "text/plain",
        "text/csv",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/avif",
        "image/bmp",
        "image/heic",
        "image/tiff",
    }
)
_INERT_PREFIXES = ("audio/", "video/")
_NOT_QUOTABLE = re.compile(r'[^\x20-\x7e]|["\\%;]')


def _inert(media_type: str) -> bool:
    return media_type in _INERT_TYPES or media_type.startswith(_INERT_PREFIXES)


def download_content_type(content_type: str, filename: str = "") -> str:
    """The declared type if it is inert — and the file name does not say otherwise: a
    "text/plain" file named page.html is sent as a plain download too."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    named_type = mimetypes.guess_type(filename)[0] if filename else None
    if _inert(media_type) and (named_type is None or _inert(named_type.lower())):
        return media_type
    return DOWNLOAD_FALLBACK_TYPE


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266, 5987)."""
    folded = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = _NOT_QUOTABLE.sub("_", folded).strip() or "attachment"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_download_response(handle: Any, *, filename: str, content_type: str) -> FileResponse:
    """The open file `handle` as a download under the rules above."""
    response = FileResponse(handle, content_type=download_content_type(content_type, filename))
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def stored_file_download(stored: Any, *, filename: str, content_type: str) -> FileResponse:
    """A stored file (a FieldFile) as a download; 404 when its bytes are gone from storage."""
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404(gettext("The file of this attachment is missing.")) from None
    return file_download_response(handle, filename=filename, content_type=content_type)
