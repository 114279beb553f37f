"""Checks on files people send us, before a byte is stored."""

from __future__ import annotations

import hashlib
import mimetypes
import re
import unicodedata

from django.conf import settings
from django.core.files.base import ContentFile

from lagniappe.conversations.contracts import AttachmentUpload
from lagniappe.conversations.models import Attachment, Conversation
from lagniappe.core.errors import InvalidInput, PayloadTooLarge

_UNSAFE_NAME_CHARACTERS = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')


def attachment_filename_clean(filename: str) -> str:
    """The last path component of a (possibly Windows) path, without control characters."""
    name = unicodedata.normalize("NFC", filename).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME_CHARACTERS.sub("_", name).strip(" .")
    return name[:255] or "attachment"


def attachment_validate(upload: AttachmentUpload) -> None:
    limit = settings.LAGNIAPPE_MAX_ATTACHMENT_BYTES
    if len(upload.content) > limit:
        raise PayloadTooLarge(
            "The attachment is larger than allowed.",
            details={"filename": upload.filename, "size": len(upload.content), "limit": limit},
        )
    content_type = (upload.content_type or "").split(";", 1)[0].strip().lower()
    if content_type in settings.LAGNIAPPE_ATTACHMENT_CONTENT_TYPES_BLOCKED:
        raise InvalidInput(
            "This type of file is not accepted.",
            details={"filename": upload.filename, "content_type": content_type},
        )


def attachment_create(
    *, conversation: Conversation, upload: AttachmentUpload, uploaded_by_id: int | None = None
) -> Attachment:
    attachment_validate(upload)
    filename = attachment_filename_clean(upload.filename)
    content_type = (upload.content_type or "").split(";", 1)[0].strip().lower()
    if not content_type or content_type == "application/octet-stream":
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    attachment = Attachment(
        conversation=conversation,
        filename=filename,
        content_type=content_type,
        size=len(upload.content),
        sha256=hashlib.sha256(upload.content).hexdigest(),
        uploaded_by_id=uploaded_by_id,
    )
    attachment.file.save(filename, ContentFile(upload.content), save=False)
    attachment.save()
    return attachment
