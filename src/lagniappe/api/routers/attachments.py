"""/api/v1/attachments/{id}: metadata, and the bytes as a download that can never render.

Files come from customers, so the download must not let one run script on our origin:
the browser is told to save it (Content-Disposition: attachment), not to guess its type
(nosniff), to treat it as a sandboxed opaque origin if it renders anyway (CSP sandbox), and
any type a browser could execute as a document is sent as application/octet-stream.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext
from ninja import Router

from lagniappe.api.auth import viewer_of
from lagniappe.api.schemas.common import ObjectId
from lagniappe.api.schemas.messages import AttachmentOut
from lagniappe.conversations.access import access_attachment_by_id
from lagniappe.conversations.models import Attachment
from lagniappe.core.errors import NotFound

router = Router(tags=["attachments"])

DOWNLOAD_FALLBACK_TYPE = "application/octet-stream"

# Types a browser shows without running anything of the file's own; everything else (HTML,
# SVG, XML, XHTML, JavaScript, PDF-like containers we do not know…) becomes a plain download.
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


def download_content_type(content_type: str) -> str:
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type in _INERT_TYPES or media_type.startswith(_INERT_PREFIXES):
        return media_type
    return DOWNLOAD_FALLBACK_TYPE


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266, 5987)."""
    folded = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = _NOT_QUOTABLE.sub("_", folded).strip() or "attachment"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get(
    "/{attachment_id}",
    response=AttachmentOut,
    url_name="attachment-detail",
    summary="An attachment's metadata",
)
def attachment_detail(request: HttpRequest, attachment_id: ObjectId) -> Attachment:
    return access_attachment_by_id(viewer_of(request).scope, attachment_id)


@router.get(
    "/{attachment_id}/download",
    url_name="attachment-download",
    summary="An attachment's bytes, always as a download",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file.",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        }
    },
)
def attachment_download(request: HttpRequest, attachment_id: ObjectId) -> FileResponse:
    attachment = access_attachment_by_id(viewer_of(request).scope, attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise NotFound(
            gettext("The file of this attachment is missing."),
            details={"attachment_id": attachment_id},
        ) from None
    response = FileResponse(handle, content_type=download_content_type(attachment.content_type))
    response["Content-Disposition"] = content_disposition(attachment.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
