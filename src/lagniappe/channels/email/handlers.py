"""Reactions of the email channel to other apps' events (listed in config/wiring.py)."""

from __future__ import annotations

from lagniappe.channels.events import MessageDelivered
from lagniappe.channels.models import OutboundDelivery
from lagniappe.conversations.services import message_thread_key_record
from lagniappe.core.channel_kinds import ChannelKind


def on_message_delivered(event: MessageDelivered) -> None:
    """The Message-ID our SMTP adapter gave a reply becomes a thread key of its conversation:
    a customer's answer naming it in In-Reply-To/References threads there even when the
    `[#id]` subject tag was removed."""
    delivery = (
        OutboundDelivery.objects.filter(pk=event.delivery_id, kind=ChannelKind.EMAIL)
        .only("message_id", "external_id")
        .first()
    )
    if delivery is not None and delivery.external_id:
        message_thread_key_record(message_id=delivery.message_id, key=delivery.external_id)
