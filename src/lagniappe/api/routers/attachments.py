"""/api/v1/attachments/{id}: metadata, and the bytes as a download that can never render
(core/downloads.py says how)."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext
from ninja import Router

from lagniappe.api.auth import viewer_of
from lagniappe.api.schemas.common import ObjectId
from lagniappe.api.schemas.messages import AttachmentOut
from lagniappe.conversations.access import access_attachment_by_id
from lagniappe.conversations.models import Attachment
from lagniappe.core.downloads import file_download_response
from lagniappe.core.errors import NotFound

router = Router(tags=["attachments"])


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
    return file_download_response(
        handle, filename=attachment.filename, content_type=attachment.content_type
    )
