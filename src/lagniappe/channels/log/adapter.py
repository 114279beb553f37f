"""Records outbound messages instead of sending them: the development and fallback channel.

The delivery row says what was "sent"; each send is logged at DEBUG (LAGNIAPPE_LOG_LEVEL=DEBUG)
so that a busy demo does not bury the console.
"""

from __future__ import annotations

import logging
import secrets

from lagniappe.channels.contracts import DeliveryReceipt, OutboundMessage

logger = logging.getLogger("lagniappe.channels.log")


class LogAdapter:
    name = "log"

    def send(self, message: OutboundMessage) -> DeliveryReceipt:
        recipients = ", ".join(f"{r.kind}:{r.value}" for r in message.recipients)
        logger.debug(
            "delivery %s: message %s of conversation %s to %s (%d characters, %d attachments)",
            message.delivery_id,
            message.message_id,
            message.conversation_id,
            recipients,
            len(message.text),
            len(message.attachments),
        )
        return DeliveryReceipt(accepted=True, external_id=f"log-{secrets.token_hex(8)}")
