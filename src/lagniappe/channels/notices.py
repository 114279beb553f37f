"""Mail a brand sends that is no conversation's message (a help-centre sign-in link).

It leaves from the brand's oldest active mailbox over that mailbox's SMTP settings, with the
email channel's connection and failure handling, or is recorded only (like the log adapter)
when the mailbox has no SMTP settings. It never becomes a Message: an agent must not see a
customer's sign-in link, and nothing logs its text.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate

from lagniappe.channels.contracts import DeliveryReceipt
from lagniappe.channels.email.mailbox_settings import smtp_settings
from lagniappe.channels.email.smtp_send import _failure, _smtp_open, message_id_new
from lagniappe.channels.models import Endpoint
from lagniappe.core.channel_kinds import ChannelKind

logger = logging.getLogger("lagniappe.channels.notices")

_POLICY = SMTP.clone(cte_type="7bit")


def notice_email_build(
    *, settings: dict[str, object], to: str, subject: str, text: str, language: str = ""
) -> EmailMessage:
    address = str(settings.get("address", "")).strip()
    from_name = str(settings.get("from_name", "")).strip()
    mail = EmailMessage(policy=_POLICY)
    mail["From"] = Address(display_name=from_name, addr_spec=address) if address else ""
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail["Message-ID"] = message_id_new(address)
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: robots must not answer this
    mail["X-Auto-Response-Suppress"] = "All"
    if language:
        mail["Content-Language"] = language
    mail.set_content(text, subtype="plain", charset="utf-8")
    return mail


def notice_email_send(
    *, brand_id: int, to: str, subject: str, text: str, language: str = ""
) -> DeliveryReceipt:
    mailbox = (
        Endpoint.objects.filter(brand_id=brand_id, kind=ChannelKind.EMAIL, is_active=True)
        .order_by("pk")
        .first()
    )
    if mailbox is None:
        return DeliveryReceipt(accepted=False, detail="the brand has no mailbox", permanent=True)
    settings = dict(mailbox.settings)
    config = smtp_settings(settings)
    if config is None:
        logger.debug("notice of brand %s: no SMTP settings, recorded only", brand_id)
        return DeliveryReceipt(accepted=True, external_id=f"log-{secrets.token_hex(8)}")
    mail = notice_email_build(
        settings=settings, to=to, subject=subject, text=text, language=language
    )
    sender = str(settings.get("address", "")).strip()
    try:
        with _smtp_open(config) as client:
            if config.username:
                client.login(config.username, config.password)
            client.send_message(mail, from_addr=sender, to_addrs=[to])
    except (smtplib.SMTPException, OSError) as error:
        return _failure(error, config.password)
    return DeliveryReceipt(accepted=True, external_id=str(mail["Message-ID"]))
