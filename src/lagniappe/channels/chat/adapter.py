"""Chat frames: the raw input is one visitor frame as the socket received it, wrapped with
what the server verified about the sender (visitor id from the signed token, host-site user
id when its HMAC was right). See consumers.py for the wrapping, docs/subsystems/chat.md."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from lagniappe.channels.contracts import EnvelopeData, InboundMessage, ParseError, SenderIdentity
from lagniappe.conversations.contracts import AttachmentUpload

MAX_TEXT_CHARACTERS = 4000
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
CONTENT_TYPE = "application/vnd.lagniappe.chat+json"


@dataclass(frozen=True)
class VisitorMessage:
    """A visitor's `message` frame, checked; `file` when it carries an upload."""

    client_id: str
    text: str
    file: AttachmentUpload | None = None


def _file_read(value: Any) -> AttachmentUpload | None:
    """`{"name", "type", "data": base64}` (the upload view writes it), or ParseError."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ParseError("file must be an object")
    name, content_type, data = value.get("name"), value.get("type", ""), value.get("data")
    if not isinstance(name, str) or not name.strip() or not isinstance(data, str):
        raise ParseError("file needs a name and base64 data")
    try:
        content = base64.b64decode(data, validate=True)
    except (ValueError, binascii.Error) as error:
        raise ParseError("file data is not base64") from error
    if not content:
        raise ParseError("file is empty")
    return AttachmentUpload(
        filename=name[:255],
        content_type=content_type[:127] if isinstance(content_type, str) else "",
        content=content,
    )


def message_frame_read(frame: Any) -> VisitorMessage:
    """Check one decoded `{"type": "message", "client_id", "text"}` frame (ParseError if not)."""
    if not isinstance(frame, dict) or frame.get("type") != "message":
        raise ParseError("not a message frame")
    client_id = frame.get("client_id")
    text = frame.get("text")
    if not isinstance(client_id, str) or not _CLIENT_ID.match(client_id):
        raise ParseError("client_id must be 1 to 64 letters, digits, '-' or '_'")
    upload = _file_read(frame.get("file"))
    if text is None and upload is not None:
        text = ""
    if not isinstance(text, str) or not (text.strip() or upload):
        raise ParseError("text must be a non-empty string")
    if len(text) > MAX_TEXT_CHARACTERS:
        raise ParseError(f"text longer than {MAX_TEXT_CHARACTERS} characters")
    return VisitorMessage(client_id=client_id, text=text.strip(), file=upload)


def envelope_raw(
    *,
    visitor: str,
    frame: str,
    user_id: str = "",
    language: str = "",
    page: str = "",
    name: str = "",
    email: str = "",
) -> bytes:
    """What the consumer stores: the frame exactly as received, with the verified sender."""
    wrapped = {
        "visitor": visitor,
        "user_id": user_id,
        "language": language,
        "page": page,
        "frame": frame,
    }
    # The pre-chat form's answers (services.visitor_profile_set), only when given.
    if name:
        wrapped["name"] = name
    if email:
        wrapped["email"] = email
    return json.dumps(wrapped, ensure_ascii=False).encode()


def external_id_for(visitor: str, client_id: str) -> str:
    # The visitor id has no ':' (tokens.py), so the prefix names one visitor's messages.
    return f"{visitor}:{client_id}"


class ChatAdapter:
    def parse(self, envelope: EnvelopeData) -> list[InboundMessage]:
        try:
            wrapped = json.loads(envelope.raw.decode("utf-8"))
            frame = json.loads(wrapped["frame"])
            visitor = wrapped["visitor"]
        except (ValueError, KeyError, TypeError) as error:
            raise ParseError(f"not a stored chat frame: {error}") from error
        if not isinstance(visitor, str) or not visitor or ":" in visitor:
            raise ParseError("the stored frame has no visitor")
        message = message_frame_read(frame)
        identities = [SenderIdentity("chat_visitor", visitor)]
        user_id = wrapped.get("user_id")
        if isinstance(user_id, str) and user_id:
            # Verified by the consumer (tokens.host_user_verified): links the customer's timeline.
            identities.append(SenderIdentity("external_id", user_id))
        email = wrapped.get("email")
        if isinstance(email, str) and email.strip():
            identities.append(SenderIdentity("email", email.strip()))
        language = wrapped.get("language")
        name = wrapped.get("name")
        page = wrapped.get("page")
        return [
            InboundMessage(
                external_id=external_id_for(visitor, message.client_id),
                identities=tuple(identities),
                text=message.text,
                sender_name=name.strip()[:200] if isinstance(name, str) else "",
                language=language[:16] if isinstance(language, str) else "",
                metadata={"page": page[:2000]} if isinstance(page, str) and page else {},
                # One visitor's messages thread into their latest conversation (a closed one
                # gets a follow-up); the key is the customer's, per visitor.
                thread_subject=f"chat-visitor:{visitor}",
                attachments=(message.file,) if message.file else (),
            )
        ]
