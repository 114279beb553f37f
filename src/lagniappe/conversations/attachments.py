"""Checks on files people send us, before a byte is stored."""

from __future__ import annotations

import hashlib
import mimetypes
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile

from lagniappe.conversations.contracts import AttachmentUpload
from lagniappe.conversations.models import Attachment, Conversation, Message
from lagniappe.core.errors import InvalidInput, PayloadTooLarge
from lagniappe.core.raw_rows import model_insert

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


@dataclass(frozen=True)
class UploadFacts:
    """What is stored about an accepted upload besides its bytes."""

    filename: str
    content_type: str
    size: int
    sha256: str


def upload_accept(upload: AttachmentUpload) -> UploadFacts:
    """The upload's facts once it passes the size and type rules (else InvalidInput or
    PayloadTooLarge): a cleaned file name, and a type guessed from it when none was given."""
    attachment_validate(upload)
    filename = attachment_filename_clean(upload.filename)
    content_type = (upload.content_type or "").split(";", 1)[0].strip().lower()
    if not content_type or content_type == "application/octet-stream":
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return UploadFacts(
        filename=filename,
        content_type=content_type,
        size=len(upload.content),
        sha256=hashlib.sha256(upload.content).hexdigest(),
    )


def attachment_create(
    *,
    conversation: Conversation,
    upload: AttachmentUpload,
    uploaded_by_id: int | None = None,
    message: Message | None = None,
) -> Attachment:
    """Store an uploaded file of `conversation`, on `message` when it is written already."""
    facts = upload_accept(upload)
    attachment = Attachment(
        conversation=conversation,
        message=message,
        filename=facts.filename,
        content_type=facts.content_type,
        size=facts.size,
        sha256=facts.sha256,
        uploaded_by_id=uploaded_by_id,
    )
    attachment.file.save(facts.filename, ContentFile(upload.content), save=False)
    # Every attachment of every inbound mail passes here: the row's statement written once
    # (core/raw_rows.py), not compiled by the ORM for each file.
    model_insert(attachment)
    return attachment
