"""Email in: the envelope's raw bytes are the RFC 5322 message exactly as delivered."""

from __future__ import annotations

from collections.abc import Callable

from lagniappe.channels.contracts import (
    DeliveryReport,
    EndpointInfo,
    EnvelopeData,
    InboundMessage,
    ParseError,
    SenderIdentity,
)
from lagniappe.channels.email.autoreply import auto_reply_consider, auto_reply_limit
from lagniappe.channels.email.reply_address import conversation_by_reply_token
from lagniappe.conversations.attachments import attachment_validate
from lagniappe.conversations.contracts import AttachmentUpload
from lagniappe.conversations.models import Message
from lagniappe.core.errors import DomainError
from lagniappe.engines.mail import (
    MailParseError,
    ParsedEmail,
    bounce_read,
    email_parse,
    mail_language,
    subject_key,
)


def _attachments(parsed: ParsedEmail) -> tuple[tuple[AttachmentUpload, ...], list[str]]:
    """The files we may keep, and the names of those refused (blocked type, too large): a
    refused file must not cost the customer their message."""
    kept: list[AttachmentUpload] = []
    refused: list[str] = []
    for item in parsed.attachments:
        if not item.content:
            continue
        upload = AttachmentUpload(item.filename, item.content_type, item.content)
        try:
            attachment_validate(upload)
        except DomainError:
            refused.append(item.filename)
            continue
        kept.append(upload)
    return tuple(kept), refused


def _metadata(parsed: ParsedEmail, refused: list[str]) -> dict[str, str]:
    metadata: dict[str, str] = {}
    if parsed.auto_submitted:
        metadata["auto_submitted"] = "1"
    if parsed.list_mail:
        metadata["list_mail"] = "1"
    if parsed.bulk:
        metadata["bulk"] = "1"
    if parsed.message_id_generated:
        metadata["message_id_generated"] = "1"
    if refused:
        metadata["attachments_refused"] = ", ".join(refused)[:2000]
    if parsed.defects:
        metadata["mime_defects"] = ", ".join(parsed.defects)[:2000]
    return metadata


class EmailAdapter:
    # parse() and reports() read only the raw bytes, the endpoint's settings and the secret
    # key (reply tokens are HMACs): a poller may run them in its reading worker.
    parses_without_database = True

    def acknowledge(self, envelope: EnvelopeData, item: InboundMessage, message: Message) -> None:
        """After a customer's message is stored (same transaction): the automatic
        acknowledgement of a new conversation, when the brand wants one and no loop rule
        forbids it."""
        auto_reply_consider(envelope=envelope, item=item, message=message)

    def acknowledger(
        self, endpoint: EndpointInfo
    ) -> Callable[[EnvelopeData, InboundMessage, Message], None] | None:
        """`acknowledge` for a batch of this endpoint's mail, the brand's setting read once:
        None (no look-up per message) when the brand sends no automatic replies."""
        max_per_hour = auto_reply_limit(endpoint.brand_id)
        if max_per_hour is None:
            return None

        def acknowledge(envelope: EnvelopeData, item: InboundMessage, message: Message) -> None:
            auto_reply_consider(
                envelope=envelope, item=item, message=message, max_per_hour=max_per_hour
            )

        return acknowledge

    def reports(self, envelope: EnvelopeData) -> list[DeliveryReport]:
        """A bounce (RFC 3464 DSN) about one of our messages; parse() ignores such mail."""
        bounce = bounce_read(envelope.raw)
        if bounce is None:
            return []
        return [DeliveryReport(bounce.original_message_id, bounce.status, bounce.diagnostic)]

    def parse(self, envelope: EnvelopeData) -> list[InboundMessage]:
        if bounce_read(envelope.raw) is not None:
            return []  # the mailer-daemon is not a customer: reports() carries the facts
        try:
            parsed = email_parse(envelope.raw)
        except MailParseError as error:
            raise ParseError(f"unreadable email: {error.reason}") from error
        if parsed.sender is None:
            raise ParseError("the email has no sender address (From)")
        attachments, refused = _attachments(parsed)
        text = parsed.text
        key = subject_key(parsed.subject)
        if not text.strip() and not parsed.html.strip() and not attachments:
            # A subject-only mail ("Call me back") is still a message.
            text = parsed.subject
        conversation_id = conversation_by_reply_token(
            [a.address for a in (*parsed.to, *parsed.cc)], brand_id=envelope.endpoint.brand_id
        )
        return [
            InboundMessage(
                external_id=parsed.message_id,
                identities=(SenderIdentity("email", parsed.sender.address),),
                text=text,
                html=parsed.html,
                sender_name=parsed.sender.name[:200],
                # The conversation's language (routing, templates, search) is the customer's,
                # not the mailbox's: a Japanese mail to an English mailbox is answered in ja.
                language=mail_language(
                    subject=parsed.subject,
                    text=parsed.text,
                    html_body=parsed.html,
                    default=envelope.endpoint.default_language,
                ),
                subject=parsed.subject[:300],
                sent_at=parsed.date,
                attachments=attachments,
                metadata=_metadata(parsed, refused),
                thread_conversation_id=conversation_id,
                thread_keys=parsed.thread_keys,
                thread_subject=key.normalised,
                # List replies thread by subject across senders, as list archives do; a
                # list's first message leaves its subject for replies without References.
                thread_subject_scope=f"list:{parsed.list_id}" if parsed.list_id else "",
                thread_subject_scope_joins=key.is_reply,
                external_id_brand_wide=True,
            )
        ]
