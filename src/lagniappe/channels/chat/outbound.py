"""Agent replies to a chat visitor: pushed to the conversation's group on the channel layer.

Accepted as soon as the layer took it: a visitor who is offline (or whose push was lost with a
process) gets the reply from the database when their widget reconnects and sends `resume`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from lagniappe.channels.contracts import DeliveryReceipt, OutboundMessage
from lagniappe.core import clock

logger = logging.getLogger("lagniappe.channels.chat")

# The layer message's `type`: Channels calls VisitorConsumer.chat_message.
PUSH = "chat.message"
# Sent by realtime's AgentConsumer when an agent has the conversation on screen:
# VisitorConsumer.chat_seen answers the visitor with a read mark.
SEEN = "chat.seen"
TYPING_FRAME = {"type": "typing", "from": "agent"}


def conversation_group(conversation_id: int) -> str:
    return f"chat-conversation.{conversation_id}"


def message_frame(
    *, seq: int, sender: str, text: str, sent_at: datetime, client_id: str = ""
) -> dict[str, Any]:
    frame: dict[str, Any] = {
        "type": "message",
        "from": sender,
        "seq": seq,
        "text": text,
        "sent_at": sent_at.isoformat(),
    }
    if client_id:
        frame["client_id"] = client_id
    return frame


class ChatOutboundAdapter:
    name = "chat"

    def send(self, message: OutboundMessage) -> DeliveryReceipt:
        layer = get_channel_layer()
        frame = message_frame(
            seq=message.message_id, sender="agent", text=message.text, sent_at=clock.now()
        )
        if layer is not None:
            try:
                async_to_sync(layer.group_send)(
                    conversation_group(message.conversation_id), {"type": PUSH, "frame": frame}
                )
            except Exception:
                # The reply is stored; the widget's resume fetches it. Nothing to retry.
                logger.exception("chat: push of message %s failed", message.message_id)
        return DeliveryReceipt(accepted=True, external_id=f"chat-{message.message_id}")
