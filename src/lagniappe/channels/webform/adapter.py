"""Contact-form submissions: the raw input is the multipart body exactly as the browser sent it."""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import HTTP

from lagniappe.channels.contracts import EnvelopeData, InboundMessage, ParseError, SenderIdentity
from lagniappe.conversations.contracts import AttachmentUpload

MAX_FIELD_CHARACTERS = 200_000


def _form_parts(raw: bytes, content_type: str) -> tuple[dict[str, str], list[AttachmentUpload]]:
    if not content_type.lower().startswith("multipart/form-data"):
        raise ParseError(f"expected multipart/form-data, got {content_type[:80]!r}")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + raw)
    if not message.is_multipart():
        raise ParseError("the form body has no parts")
    fields: dict[str, str] = {}
    files: list[AttachmentUpload] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        decoded = part.get_payload(decode=True)
        payload = decoded if isinstance(decoded, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            if payload:
                files.append(
                    AttachmentUpload(
                        filename=filename,
                        content_type=part.get_content_type() or "application/octet-stream",
                        content=payload,
                    )
                )
            continue
        try:
            fields[str(name)] = payload.decode("utf-8")[:MAX_FIELD_CHARACTERS]
        except UnicodeDecodeError as error:
            raise ParseError(f"field {name!r} is not UTF-8") from error
    return fields, files


def _with_context(text: str, fields: dict[str, str]) -> str:
    """The help-centre context appended as a labelled block, so the agent reads it in the message
    (messages keep no metadata). Neutral labels: the customer's language is not the agent's."""
    lines = []
    for name in ("searches", "articles"):
        items = [item.strip() for item in fields.get(name, "")[:2000].splitlines() if item.strip()]
        if items:
            lines.append(f"[help centre] {name}: " + " | ".join(items))
    if not lines:
        return text
    return "\n\n".join(part for part in (text, "\n".join(["--", *lines])) if part)


class WebformAdapter:
    def parse(self, envelope: EnvelopeData) -> list[InboundMessage]:
        fields, files = _form_parts(envelope.raw, envelope.content_type)
        email = fields.get("email", "").strip()
        phone = fields.get("phone", "").strip()
        identities = tuple(
            SenderIdentity(kind, value)
            for kind, value in (("email", email), ("phone", phone))
            if value
        )
        if not identities:
            raise ParseError("the form has neither an email nor a phone number")
        text = fields.get("message", "").strip()
        if not text and not files:
            raise ParseError("the form has no message")
        text = _with_context(text, fields)
        return [
            InboundMessage(
                external_id="",
                identities=identities,
                text=text,
                sender_name=fields.get("name", "").strip()[:200],
                subject=fields.get("subject", "").strip()[:300],
                language=fields.get("language", "").strip()[:16],
                attachments=tuple(files),
                metadata={
                    k: v[:2000] for k, v in fields.items() if k in ("page", "searches", "articles")
                },
            )
        ]
