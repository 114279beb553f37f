"""A message left while nobody is online becomes an EMAIL conversation.

When the widget is offline (no agent answered, or outside hours), the visitor gave an email
(the widget requires one) and the brand has an active email endpoint, the visitor's words are
written as an RFC 5322 message from the visitor to that mailbox and stored through the
inbound funnel of the EMAIL endpoint (store first: the envelope is the .eml). The email
adapter parses it like any mail, so the conversation is an email conversation: agents'
replies (and the brand's automatic acknowledgement) go to the visitor's address.

Idempotent: the Message-ID is made from the visitor id and the widget's client id, and email
message ids are unique per brand, so a resend after a lost ack answers the same message.
With no email or no email endpoint the message stays a chat conversation tagged `offline`
(services.conversation_offline_tag).
"""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate

from django.utils import translation
from django.utils.translation import gettext as _

from lagniappe.channels import inbound
from lagniappe.channels.models import Endpoint
from lagniappe.conversations.models import Message
from lagniappe.core.channel_kinds import ChannelKind

OFFLINE_DOMAIN = "chat.lagniappe.invalid"


def offline_email_endpoint(chat: Endpoint) -> Endpoint | None:
    """The mailbox offline messages go to: `settings["offline_email_endpoint"]` (an email
    endpoint id of the same brand), else the brand's first active email endpoint with an
    address."""
    mailboxes = Endpoint.objects.filter(
        brand_id=chat.brand_id, kind=ChannelKind.EMAIL, is_active=True
    ).order_by("pk")
    chosen = chat.settings.get("offline_email_endpoint")
    if isinstance(chosen, int):
        mailboxes = mailboxes.filter(pk=chosen)
    for mailbox in mailboxes:
        if "@" in str(mailbox.settings.get("address", "")):
            return mailbox
    return None


def offline_mail_build(
    *,
    mailbox_address: str,
    visitor: str,
    client_id: str,
    name: str,
    email: str,
    text: str,
    page: str,
    language: str,
) -> bytes:
    mail = EmailMessage(policy=SMTP)
    mail["From"] = Address(display_name=name, addr_spec=email)
    mail["To"] = mailbox_address
    with translation.override(language or None):
        mail["Subject"] = _("Message left in the website chat")
        body = text
        if page:
            body += "\n\n" + _("Page: %(url)s") % {"url": page}
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail["Message-ID"] = f"<{visitor}.{client_id}@{OFFLINE_DOMAIN}>"
    mail["X-Lagniappe-Chat-Visitor"] = visitor
    if language:
        mail["Content-Language"] = language
    mail.set_content(body, subtype="plain", charset="utf-8")
    return mail.as_bytes()


def offline_message_store(
    *,
    mailbox: Endpoint,
    visitor: str,
    client_id: str,
    name: str,
    email: str,
    text: str,
    page: str,
    language: str,
    remote_addr: str,
) -> Message | None:
    """Store and process the visitor's message as mail to `mailbox`; the stored Message, or
    None when processing failed (the envelope is kept, failed and replayable)."""
    raw = offline_mail_build(
        mailbox_address=str(mailbox.settings["address"]),
        visitor=visitor,
        client_id=client_id,
        name=name,
        email=email,
        text=text,
        page=page,
        language=language,
    )
    _envelope, messages = inbound.accept_and_process(
        endpoint=mailbox, raw=raw, content_type="message/rfc822", remote_addr=remote_addr
    )
    return messages[0] if messages else None
