"""/api/v1/conversations/{id}/messages, /notes and /attachments.

Every route looks the conversation up through the viewer's scope first, so a conversation of
another brand is not found whoever asks and whatever they send; only then does a write check
that the caller is an agent (an integration's API key cannot speak as a person).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from lagniappe.api.auth import agent_of, viewer_of
from lagniappe.api.pagination import PageQuery, page_by_id
from lagniappe.api.schemas.common import ObjectId
from lagniappe.api.schemas.messages import (
    AttachmentOut,
    MessageIn,
    MessageOut,
    MessagePageOut,
    NoteIn,
    NoteOut,
    NotePageOut,
)
from lagniappe.conversations.access import access_conversation_by_id
from lagniappe.conversations.attachments import attachment_create
from lagniappe.conversations.contracts import AttachmentUpload
from lagniappe.conversations.models import Attachment, Message, Note
from lagniappe.conversations.selectors import (
    message_list_for_conversation,
    note_list_for_conversation,
)
from lagniappe.conversations.services import message_send, note_add

router = Router(tags=["messages"])


@router.get(
    "/{conversation_id}/messages",
    response=MessagePageOut,
    url_name="message-list",
    summary="Messages of a conversation, oldest first",
)
def message_list(
    request: HttpRequest, conversation_id: ObjectId, query: Query[PageQuery]
) -> dict[str, Any]:
    viewer = viewer_of(request)
    conversation = access_conversation_by_id(viewer.scope, conversation_id)
    rows, next_cursor = page_by_id(
        message_list_for_conversation(conversation), query, descending=False
    )
    return {"items": rows, "next": next_cursor}


@router.post(
    "/{conversation_id}/messages",
    response={201: MessageOut},
    url_name="message-send",
    summary="Reply to the customer (agents only)",
)
def message_create(
    request: HttpRequest, conversation_id: ObjectId, payload: MessageIn
) -> Status[Message]:
    viewer = viewer_of(request)
    conversation = access_conversation_by_id(viewer.scope, conversation_id)
    agent = agent_of(viewer)
    message = message_send(
        actor=viewer.actor,
        conversation=conversation,
        author_id=agent.pk,
        text=payload.text,
        html=payload.html,
        subject=payload.subject,
        attachment_ids=payload.attachment_ids,
        expected_version=payload.version,
        cc=payload.cc,
    )
    return Status(201, message_list_for_conversation(conversation).get(pk=message.pk))


@router.get(
    "/{conversation_id}/notes",
    response=NotePageOut,
    url_name="note-list",
    summary="Internal notes of a conversation, oldest first (agents only)",
)
def note_list(
    request: HttpRequest, conversation_id: ObjectId, query: Query[PageQuery]
) -> dict[str, Any]:
    viewer = viewer_of(request)
    conversation = access_conversation_by_id(viewer.scope, conversation_id)
    agent_of(viewer)
    rows, next_cursor = page_by_id(
        note_list_for_conversation(conversation), query, descending=False
    )
    return {"items": rows, "next": next_cursor}


@router.post(
    "/{conversation_id}/notes",
    response={201: NoteOut},
    url_name="note-add",
    summary="Add an internal note; never sent to the customer (agents only)",
)
def note_create(request: HttpRequest, conversation_id: ObjectId, payload: NoteIn) -> Status[Note]:
    viewer = viewer_of(request)
    conversation = access_conversation_by_id(viewer.scope, conversation_id)
    agent = agent_of(viewer)
    note = note_add(
        actor=viewer.actor,
        conversation=conversation,
        author_id=agent.pk,
        text=payload.text,
        mention_ids=payload.mention_ids,
    )
    return Status(201, note_list_for_conversation(conversation).get(pk=note.pk))


@router.post(
    "/{conversation_id}/attachments",
    response={201: AttachmentOut},
    url_name="attachment-upload",
    summary="Upload a file to send with a later reply (agents only)",
)
def attachment_upload(
    request: HttpRequest, conversation_id: ObjectId, file: File[UploadedFile]
) -> Status[Attachment]:
    viewer = viewer_of(request)
    conversation = access_conversation_by_id(viewer.scope, conversation_id)
    agent = agent_of(viewer)
    # Never hold more than one byte past the limit in memory; the size check then refuses it.
    content = file.read(int(settings.LAGNIAPPE_MAX_ATTACHMENT_BYTES) + 1)
    upload = AttachmentUpload(
        filename=file.name or "", content_type=file.content_type or "", content=content
    )
    attachment = attachment_create(
        conversation=conversation, upload=upload, uploaded_by_id=agent.pk
    )
    return Status(201, attachment)
