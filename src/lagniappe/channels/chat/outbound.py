"""Agent replies to a chat visitor: pushed to the conversation's group on the channel layer.

Accepted as soon as the layer took it: a visitor who is offline (or whose push was lost with a
process) gets the reply from the database when their widget reconnects and sends `resume`.

The push runs on the server's event loop when this process has one (the visitor sockets'
loop, remembered on their first connect): the in-memory layer's queues belong to that loop,
and a Redis layer keeps its connections there instead of opening a loop per reply.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from lagniappe.channels.contracts import DeliveryReceipt, OutboundMessage
from lagniappe.conversations.models import Attachment
from lagniappe.core import clock

logger = logging.getLogger("lagniappe.channels.chat")

# The layer message's `type`: Channels calls VisitorConsumer.chat_message.
PUSH = "chat.message"
# Sent by realtime's AgentConsumer when an agent has the conversation on screen:
# VisitorConsumer.chat_seen answers the visitor with a read mark.
SEEN = "chat.seen"
TYPING_FRAME = {"type": "typing", "from": "agent"}
# Sent to realtime's conversation group when the visitor's delivered/read marks moved:
# AgentConsumer.chat_receipt re-renders the conversation page's receipt line.
RECEIPT = "chat.receipt"
# realtime.groups.conversation_group (chat sits below realtime; status.py repeats it too).
_AGENT_CONVERSATION_GROUP = "conversation.{}"


_PUSH_TIMEOUT = 5.0
_server_loop: asyncio.AbstractEventLoop | None = None


def server_loop_remember(loop: asyncio.AbstractEventLoop) -> None:
    """Called by the visitor consumer (on the server's loop)."""
    global _server_loop
    _server_loop = loop


def group_push(group: str, message: dict[str, Any]) -> None:
    """group_send from synchronous code: on the server's loop when there is one."""
    layer = get_channel_layer()
    if layer is None:
        return
    loop = _server_loop
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if loop is not None and loop.is_running() and not loop.is_closed() and running is not loop:
        future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop)
        future.result(_PUSH_TIMEOUT)
    else:
        async_to_sync(layer.group_send)(group, message)


def receipts_announce(conversation_ids: Iterable[int]) -> None:
    """Tell the agents who have these conversations open that the visitor's marks moved."""
    for conversation_id in conversation_ids:
        try:
            group_push(
                _AGENT_CONVERSATION_GROUP.format(conversation_id),
                {"type": RECEIPT, "conversation_id": conversation_id},
            )
        except Exception:
            # A lost receipt leaves the agent's line stale until the next one or a reload.
            logger.exception("chat: announcing a receipt failed")


def conversation_group(conversation_id: int) -> str:
    return f"chat-conversation.{conversation_id}"


def message_frame(
    *,
    seq: int,
    sender: str,
    text: str,
    sent_at: datetime,
    client_id: str = "",
    files: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """`files`: [{"id", "name", "size", "type"}], downloaded by the widget with its token
    (views.attachment_download)."""
    frame: dict[str, Any] = {
        "type": "message",
        "from": sender,
        "seq": seq,
        "text": text,
        "sent_at": sent_at.isoformat(),
    }
    if client_id:
        frame["client_id"] = client_id
    if files:
        frame["files"] = files
    return frame


def files_of(attachments: Iterable[Attachment]) -> list[dict[str, Any]]:
    return [
        {"id": item.pk, "name": item.filename, "size": item.size, "type": item.content_type}
        for item in attachments
    ]


class ChatOutboundAdapter:
    name = "chat"

    def send(self, message: OutboundMessage) -> DeliveryReceipt:
        files = files_of(Attachment.objects.filter(message_id=message.message_id).order_by("pk"))
        frame = message_frame(
            seq=message.message_id,
            sender="agent",
            text=message.text,
            sent_at=clock.now(),
            files=files,
        )
        try:
            group_push(conversation_group(message.conversation_id), {"type": PUSH, "frame": frame})
        except Exception:
            # The reply is stored; the widget's resume fetches it. Nothing to retry.
            logger.exception("chat: push of message %s failed", message.message_id)
        return DeliveryReceipt(accepted=True, external_id=f"chat-{message.message_id}")
