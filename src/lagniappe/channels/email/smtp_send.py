"""Email out: an OutboundMessage becomes an RFC 5322 message sent with smtplib.

The registry maps the email kind to this adapter for every mailbox, so a mailbox without
SMTP settings records the reply as the log adapter does (a development install, an
import-only mailbox). Transient failures (4xx, connection refused, timeouts) come back
`accepted=False` and the outbound funnel retries with back-off; 5xx answers are permanent.
"""

from __future__ import annotations

import logging
import mimetypes
import secrets
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate

from django.core.files.storage import default_storage

from lagniappe.channels.contracts import DeliveryReceipt, OutboundMessage
from lagniappe.channels.email.mailbox_settings import SmtpSettings, smtp_settings
from lagniappe.channels.email.reply_address import conversation_reply_address
from lagniappe.channels.email.templates import RenderedMail, reply_render
from lagniappe.conversations.selectors import conversation_reply_context
from lagniappe.core.tokens import public_id_generate
from lagniappe.engines.mail import subject_key, subject_ticket_ids

logger = logging.getLogger("lagniappe.channels.email")

SMTP_TIMEOUT_SECONDS = 30
# 7-bit on the wire: text parts in quoted-printable or base64, whichever is shorter, so no
# relay without 8BITMIME can mangle a Chinese or Japanese reply.
_POLICY = SMTP.clone(cte_type="7bit")


def message_id_new(address: str) -> str:
    """Random, so it says nothing about our numbering; the domain is the mailbox's own."""
    domain = address.rsplit("@", 1)[-1].strip().lower() if "@" in address else "lagniappe.invalid"
    return f"<{public_id_generate(18)}@{domain}>"


def reply_subject(message: OutboundMessage, conversation_subject: str) -> str:
    """The reply's own subject, else "Re: <the conversation's>", tagged `[#id]` once: the
    threading engine finds the conversation by that tag when headers are lost."""
    subject = message.subject.strip()
    if not subject:
        base = conversation_subject.strip()
        subject = base if not base or subject_key(base).is_reply else f"Re: {base}"
    if message.conversation_id not in subject_ticket_ids(subject):
        subject = f"{subject} [#{message.conversation_id}]".strip()
    return subject


def _body(message: OutboundMessage, automatic: bool) -> RenderedMail:
    """What the mail says: an acknowledgement as it was written (it is a template's output
    already); an agent's reply inside the brand's reply template for its language."""
    if automatic:
        return RenderedMail(subject="", text=message.text or "", html=message.html)
    endpoint = message.endpoint
    return reply_render(
        brand_id=message.brand_id,
        language=message.language,
        fallback_language=endpoint.default_language if endpoint else "",
        values={
            "customer_name": message.customer_name,
            "brand_name": message.brand_name,
            "agent_name": message.author_name,
            "conversation_id": str(message.conversation_id),
            "subject": message.subject,
            "mailbox_address": str(endpoint.settings.get("address", "")) if endpoint else "",
        },
        reply_text=message.text or "",
        reply_html=message.html,
    )


def email_build(
    message: OutboundMessage, *, automatic: bool | None = None
) -> tuple[EmailMessage, list[str]]:
    """(the message, its envelope recipients). Automatic mail (an acknowledgement; by
    default `message.automatic`) carries the RFC 3834 headers; agent replies are not automatic."""
    automatic = message.automatic if automatic is None else automatic
    settings = message.endpoint.settings if message.endpoint else {}
    address = str(settings.get("address", "")).strip()
    recipients = [r.value for r in message.recipients if r.kind == "email" and "@" in r.value]
    conversation_subject, parent_ids = conversation_reply_context(message.conversation_id)
    mail = EmailMessage(policy=_POLICY)
    from_name = str(settings.get("from_name", "")).strip()
    mail["From"] = Address(display_name=from_name, addr_spec=address) if address else ""
    mail["To"] = ", ".join(recipients[:1])
    cc = [address for address in message.cc if "@" in address]
    if cc:
        mail["Cc"] = ", ".join(cc)
    mail["Subject"] = reply_subject(message, conversation_subject)
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail["Message-ID"] = message_id_new(address)
    reply_to = conversation_reply_address(
        str(settings.get("reply_to", "")).strip() or address,
        brand_id=message.brand_id,
        conversation_id=message.conversation_id,
    )
    if reply_to:  # answers to it thread by a verified token, whatever the headers say
        mail["Reply-To"] = Address(display_name=from_name, addr_spec=reply_to)
    if parent_ids:
        mail["In-Reply-To"] = parent_ids[-1]
        mail["References"] = " ".join(parent_ids)
    if automatic:
        mail["Auto-Submitted"] = message.auto_submitted  # RFC 3834: robots must not answer
        mail["X-Auto-Response-Suppress"] = "All"  # Exchange: no out-of-office reply to it
    body = _body(message, automatic)
    mail.set_content(body.text, subtype="plain", charset="utf-8")
    if body.html:
        mail.add_alternative(body.html, subtype="html", charset="utf-8")
    if message.language:
        # After the body: making the mail multipart moves every Content-* header set before
        # into the first part, where a client no longer sees it as the message's language.
        mail["Content-Language"] = message.language
    for attachment in message.attachments:
        with default_storage.open(attachment.path, "rb") as handle:
            content = handle.read()
        content_type = (
            attachment.content_type
            or mimetypes.guess_type(attachment.filename)[0]
            or "application/octet-stream"
        )
        maintype, _, subtype = content_type.partition("/")
        mail.add_attachment(
            content,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=attachment.filename,  # non-ASCII names: RFC 2231 by policy SMTP
        )
    return mail, recipients[:1] + cc if recipients else []


def _smtp_open(config: SmtpSettings) -> smtplib.SMTP:
    if config.ssl:
        context = ssl.create_default_context()
        return smtplib.SMTP_SSL(
            config.host, config.port, timeout=SMTP_TIMEOUT_SECONDS, context=context
        )
    client = smtplib.SMTP(config.host, config.port, timeout=SMTP_TIMEOUT_SECONDS)
    if config.starttls:
        client.starttls(context=ssl.create_default_context())
    return client


def _failure(error: Exception, password: str) -> DeliveryReceipt:
    """A receipt for a failed send: 5xx is permanent, the rest is worth another try."""
    permanent = False
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        permanent = bool(codes) and all(code >= 500 for code in codes)
        detail = "; ".join(
            f"{rcpt}: {code} {text.decode('utf-8', 'replace')}"
            for rcpt, (code, text) in error.recipients.items()
        )
    elif isinstance(error, smtplib.SMTPResponseException):
        permanent = error.smtp_code >= 500
        message = error.smtp_error
        text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
        detail = f"{error.smtp_code} {text}"
    else:
        detail = str(error)
    detail = f"{type(error).__name__}: {detail}"
    if password:  # never let a server's echo put the password in our records
        detail = detail.replace(password, "********")
    return DeliveryReceipt(accepted=False, detail=detail[:2000], permanent=permanent)


def envelope_sender(message: OutboundMessage) -> str:
    """MAIL FROM: the mailbox's address, or the null sender `<>` ("") for an automatic reply.

    RFC 3834 §3.3: a response sent by a robot goes out with a null return path, so if it
    bounces the bounce goes nowhere and cannot start a loop of robots answering each other.
    Agents' replies (and mail a customer asked for, such as a transcript) keep the brand's
    address, so their bounces come back and mark the delivery failed.
    """
    if message.automatic and message.auto_submitted == "auto-replied":
        return ""
    return str(message.endpoint.settings.get("address", "")) if message.endpoint else ""


class SmtpAdapter:
    name = "smtp"

    def send(self, message: OutboundMessage) -> DeliveryReceipt:
        config = smtp_settings(message.endpoint.settings) if message.endpoint else None
        if config is None:
            logger.debug("delivery %s: no SMTP settings, recorded only", message.delivery_id)
            return DeliveryReceipt(accepted=True, external_id=f"log-{secrets.token_hex(8)}")
        mail, recipients = email_build(message)
        if not recipients:
            return DeliveryReceipt(
                accepted=False, detail="the customer has no email address", permanent=True
            )
        sender = envelope_sender(message)
        try:
            with _smtp_open(config) as client:
                if config.username:
                    client.login(config.username, config.password)
                client.send_message(mail, from_addr=sender, to_addrs=recipients)
        except (smtplib.SMTPException, OSError) as error:
            return _failure(error, config.password)
        return DeliveryReceipt(accepted=True, external_id=str(mail["Message-ID"]))
