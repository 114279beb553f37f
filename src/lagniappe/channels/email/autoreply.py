"""The automatic acknowledgement of a new email conversation, safe against mail loops.

Runs inside the inbound funnel's transaction, right after the customer's message is stored
(EmailAdapter.acknowledge): snapshot (the brand's settings, the mail's headers, our recent
automatic mail to the sender) → decide (engines.mail.auto_reply_allowed, RFC 3834) → apply
(an outbound message through message_send and the outbound funnel, marked automatic so the
SMTP adapter adds `Auto-Submitted: auto-replied`). The decision and its reason are audited.

At most one acknowledgement per conversation; none to our own mailboxes, to automatic, list
or bulk mail, to machine addresses; at most N per sender per hour (the brand's setting), so
two robots that ignore each other's headers still stop after N rounds.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction

from lagniappe.channels.contracts import EnvelopeData, InboundMessage
from lagniappe.channels.email.models import EmailBrandSettings
from lagniappe.channels.email.templates import auto_reply_render
from lagniappe.channels.models import Endpoint, OutboundDelivery
from lagniappe.conversations.models import Conversation, Direction, Message
from lagniappe.conversations.services import message_send
from lagniappe.core import clock
from lagniappe.core.actors import Actor
from lagniappe.core.channel_kinds import ChannelKind
from lagniappe.core.errors import DomainError
from lagniappe.core.services import audit_record
from lagniappe.engines.mail import auto_reply_allowed, headers_read

logger = logging.getLogger("lagniappe.channels.email")

AUTO_REPLY_ACTOR = Actor.system("email auto-reply")


@dataclass(frozen=True)
class AutoReplyOutcome:
    sent: bool
    reason: str  # "" when sent; else why not ("disabled", "not_new", "rate_limit", "list" …)
    message_id: int | None = None


def _own_addresses(organisation_id: int) -> set[str]:
    """Every address our email endpoints of the organisation send from or take replies at."""
    addresses: set[str] = set()
    for settings in Endpoint.objects.filter(
        brand__organisation_id=organisation_id, kind=ChannelKind.EMAIL
    ).values_list("settings", flat=True):
        if isinstance(settings, dict):
            for name in ("address", "reply_to"):
                value = str(settings.get(name, "")).strip().lower()
                if value:
                    addresses.add(value)
    return addresses


def _is_own(sender: str, own: set[str]) -> bool:
    local, _, domain = sender.rpartition("@")
    return sender in own or f"{local.split('+', 1)[0]}@{domain}" in own


def auto_reply_limit(brand_id: int) -> int | None:
    """The brand's automatic replies per sender and hour; None when it sends none."""
    return (
        EmailBrandSettings.objects.filter(brand_id=brand_id, auto_reply_enabled=True)
        .values_list("auto_reply_max_per_hour", flat=True)
        .first()
    )


def auto_reply_consider(
    *,
    envelope: EnvelopeData,
    item: InboundMessage,
    message: Message,
    max_per_hour: int | bool | None = True,
) -> AutoReplyOutcome:
    """Acknowledge `message` if it opened its conversation and every loop rule allows it.
    `max_per_hour`: the brand's `auto_reply_limit` when the caller read it already."""
    brand_id = envelope.endpoint.brand_id
    if max_per_hour is True:
        max_per_hour = auto_reply_limit(brand_id)
    if max_per_hour is None or max_per_hour is False:
        return AutoReplyOutcome(False, "disabled")
    if message.direction != Direction.INBOUND or message.channel_kind != ChannelKind.EMAIL:
        return AutoReplyOutcome(False, "not_email")
    if message.created_at < envelope.received_at:  # a copy of a message stored before
        return AutoReplyOutcome(False, "duplicate")
    first_id = (
        Message.objects.filter(conversation_id=message.conversation_id)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    if first_id != message.pk:
        return AutoReplyOutcome(False, "not_new")
    if OutboundDelivery.objects.filter(
        automatic=True, message__conversation_id=message.conversation_id
    ).exists():
        return AutoReplyOutcome(False, "already_acknowledged")
    sender = next((i.value for i in item.identities if i.kind == "email"), "").strip().lower()
    now = clock.now()
    if sender and _is_own(sender, _own_addresses(envelope.endpoint.organisation_id)):
        decision_reason = "own_address"
    else:
        recent = list(
            OutboundDelivery.objects.filter(
                automatic=True, recipient=sender, created_at__gt=now - timedelta(hours=1)
            ).values_list("created_at", flat=True)
        )
        decision = auto_reply_allowed(
            headers_read(envelope.raw),
            sender=sender,
            recent=recent,
            now=now,
            max_per_hour=max_per_hour,
        )
        decision_reason = decision.reason
    if decision_reason:
        audit_record(
            actor=AUTO_REPLY_ACTOR,
            action="email.auto_reply_refused",
            object_type="conversation",
            object_id=message.conversation_id,
            brand_id=brand_id,
            after={"reason": decision_reason, "sender": sender, "message": message.pk},
        )
        return AutoReplyOutcome(False, decision_reason)
    return _acknowledge(envelope, message, sender)


def _acknowledge(envelope: EnvelopeData, message: Message, sender: str) -> AutoReplyOutcome:
    conversation = Conversation.objects.select_related("brand", "customer").get(
        pk=message.conversation_id
    )
    rendered = auto_reply_render(
        brand_id=conversation.brand_id,
        language=conversation.language,
        fallback_language=envelope.endpoint.default_language,
        brand_language=conversation.brand.default_language,
        values={
            "customer_name": conversation.customer.name or sender,
            "brand_name": conversation.brand.name,
            "conversation_id": str(conversation.pk),
            "subject": conversation.subject,
            "mailbox_address": str(envelope.endpoint.settings.get("address", "")),
        },
    )
    try:
        with transaction.atomic():
            reply = message_send(
                actor=AUTO_REPLY_ACTOR,
                conversation=conversation,
                author_id=None,
                text=rendered.text,
                html=rendered.html,
                subject=rendered.subject,
                automatic=True,
            )
            OutboundDelivery.objects.filter(message_id=reply.pk).update(
                automatic=True, recipient=sender[:254]
            )
    except DomainError as error:  # never cost the customer their message
        logger.warning("no acknowledgement for message %s: %s", message.pk, error)
        return AutoReplyOutcome(False, "refused_by_conversation")
    return AutoReplyOutcome(True, "", reply.pk)
