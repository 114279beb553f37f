"""The visitor's websocket, ws/chat/<endpoint public key>?token=…

Frames (JSON), visitor → server: `{"type": "message", "client_id", "text"}`,
`{"type": "resume", "last_seq"}`, `{"type": "typing"[, "active": false]}`,
`{"type": "read", "seq"}`. Server → visitor: `{"type": "status", "online"[, "reason"]}` on
connect (and `online: true` when an agent answers), `{"type": "ack", "client_id", "seq"}`
only once the message is committed (= delivered); `{"type": "typing", "from": "agent"}`,
`{"type": "read", "seq"}` (agents saw the visitor's messages up to seq);
`{"type": "message", "from": "agent"|"visitor", "seq", "text", "sent_at"[, "client_id"]}`;
`{"type": "resumed", "last_seq"}`;
`{"type": "error", "code"[, "client_id"]}` — after which the socket stays usable.

Synchronous consumer: each handler runs in a worker thread and uses the ORM directly.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from asgiref.sync import async_to_sync
from channels.generic.websocket import WebsocketConsumer
from django.utils.translation import gettext_lazy as _

from lagniappe.channels import inbound
from lagniappe.channels.chat import selectors, services
from lagniappe.channels.chat.adapter import (
    CONTENT_TYPE,
    MAX_TEXT_CHARACTERS,
    envelope_raw,
    message_frame_read,
)
from lagniappe.channels.chat.models import VisitorState
from lagniappe.channels.chat.outbound import PUSH, conversation_group, message_frame
from lagniappe.channels.chat.status import (
    AGENT_BRAND_GROUP,
    AGENT_CONVERSATION_GROUP,
    VISITOR_PEER_ID,
    within_hours,
)
from lagniappe.channels.chat.tokens import host_user_verified, visitor_from_token
from lagniappe.channels.contracts import ParseError
from lagniappe.channels.models import Endpoint
from lagniappe.conversations.changes import conversation_set_tags
from lagniappe.conversations.models import Conversation, Direction, Message
from lagniappe.core import clock
from lagniappe.core.actors import Actor
from lagniappe.core.channel_kinds import ChannelKind

CLOSE_UNKNOWN_WIDGET = 4404
CLOSE_ORIGIN_REFUSED = 4403
CLOSE_BAD_TOKEN = 4401
MAX_FRAME_BYTES = 16 * 1024
OFFLINE_TAG = "offline"


def origin_allowed(allowed: object, origin: str) -> bool:
    """An empty allow-list admits every origin (embedded mode); otherwise scheme://host[:port]
    must be listed exactly."""
    if not allowed:
        return True
    if not isinstance(allowed, list):
        return False
    wanted = {str(item).rstrip("/").lower() for item in allowed}
    parts = urlsplit(origin)
    return bool(parts.scheme and parts.netloc) and (
        f"{parts.scheme}://{parts.netloc}".lower() in wanted
    )


def endpoint_for_key(key: str) -> Endpoint | None:
    return (
        Endpoint.objects.select_related("brand")
        .filter(public_key=key, kind=ChannelKind.CHAT, is_active=True)
        .first()
    )


class VisitorConsumer(WebsocketConsumer):
    def connect(self) -> None:
        key = str(self.scope["url_route"]["kwargs"].get("public_key", ""))
        endpoint = endpoint_for_key(key)
        if endpoint is None:
            self.close(code=CLOSE_UNKNOWN_WIDGET)
            return
        headers = dict(self.scope.get("headers", []))
        origin = headers.get(b"origin", b"").decode("latin-1")
        if not origin_allowed(endpoint.settings.get("allowed_origins"), origin):
            self.close(code=CLOSE_ORIGIN_REFUSED)
            return
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))

        def first(name: str) -> str:
            return query.get(name, [""])[0]

        visitor = visitor_from_token(key, first("token"))
        if visitor is None:
            self.close(code=CLOSE_BAD_TOKEN)
            return
        self.endpoint = endpoint
        self.visitor = visitor
        # Unsigned or wrongly signed host-site claims are ignored, not refused.
        self.user_id = host_user_verified(endpoint.settings, first("user_id"), first("user_hash"))
        self.language = first("lang")[:16]
        self.page = first("page")[:2000]
        self.joined: set[str] = set()
        self.conversation_ids: set[int] = set()
        for conversation_id in selectors.visitor_conversation_ids(endpoint.pk, visitor):
            self._join(conversation_id)
        self.accept()
        self._status_announce()

    def _status_announce(self) -> None:
        """Offline until an agent of the brand answers the ping (AgentConsumer.online_ping
        replies with `online.update` to this socket); outside business hours, offline and
        nobody is asked. Online-ness is never stored: live sockets answer for themselves."""
        hours = self.endpoint.settings.get("hours")
        self.closed_hours = not within_hours(hours, self.endpoint.brand.time_zone, clock.now())
        self.offline = True
        frame: dict[str, Any] = {"type": "status", "online": False}
        if self.closed_hours:
            frame["reason"] = "hours"
        else:
            async_to_sync(self.channel_layer.group_send)(
                AGENT_BRAND_GROUP.format(self.endpoint.brand_id),
                {"type": "online.ping", "reply_to": self.channel_name},
            )
        self._send_json(frame)

    def online_update(self, event: dict[str, Any]) -> None:
        if event.get("online") and self.offline and not self.closed_hours:
            self.offline = False
            self._send_json({"type": "status", "online": True})

    def disconnect(self, code: int) -> None:
        for group in getattr(self, "joined", set()):
            async_to_sync(self.channel_layer.group_discard)(group, self.channel_name)

    def _join(self, conversation_id: int) -> None:
        self.conversation_ids.add(conversation_id)
        group = conversation_group(conversation_id)
        if group not in self.joined:
            async_to_sync(self.channel_layer.group_add)(group, self.channel_name)
            self.joined.add(group)

    def _send_json(self, frame: dict[str, Any]) -> None:
        self.send(text_data=json.dumps(frame, ensure_ascii=False))

    def _error(self, code: str, client_id: object = None) -> None:
        frame: dict[str, Any] = {"type": "error", "code": code}
        if isinstance(client_id, str):
            frame["client_id"] = client_id[:64]
        self._send_json(frame)

    def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            self._error("binary_not_supported")
            return
        if len(text_data.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
            self._error("too_large")
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            self._error("malformed")
            return
        kind = frame.get("type") if isinstance(frame, dict) else None
        if kind == "message":
            self._message(text_data, frame)
        elif kind == "resume":
            self._resume(frame)
        elif kind == "typing":
            self._typing(frame)
        elif kind == "read":
            self._read(frame)
        else:
            self._error("unknown_type")

    def _message(self, text_data: str, frame: dict[str, Any]) -> None:
        text = frame.get("text")
        if isinstance(text, str) and len(text) > MAX_TEXT_CHARACTERS:
            self._error("too_long", frame.get("client_id"))
            return
        try:
            checked = message_frame_read(frame)
        except ParseError:
            self._error("invalid_message", frame.get("client_id"))
            return
        # Store first (committed), then process: an ack always names a committed message.
        profile = VisitorState.objects.filter(endpoint=self.endpoint, visitor=self.visitor).first()
        raw = envelope_raw(
            visitor=self.visitor,
            frame=text_data,
            user_id=self.user_id or "",
            language=self.language,
            page=self.page,
            name=profile.name if profile else "",
            email=profile.email if profile else "",
        )
        client = self.scope.get("client") or ["", 0]
        _, messages = inbound.accept_and_process(
            endpoint=self.endpoint, raw=raw, content_type=CONTENT_TYPE, remote_addr=str(client[0])
        )
        if not messages:
            # Stored and kept for an administrator to replay; resending will not help.
            self._error("rejected", checked.client_id)
            return
        message = messages[0]
        self._join(message.conversation_id)
        if self.offline:
            self._mark_offline(message.conversation_id)
        self._send_json({"type": "ack", "client_id": checked.client_id, "seq": message.pk})
        # The visitor's other tabs show it too (each side ignores a seq it already has).
        async_to_sync(self.channel_layer.group_send)(
            conversation_group(message.conversation_id),
            {"type": PUSH, "frame": self._frame(message)},
        )

    def _resume(self, frame: dict[str, Any]) -> None:
        last_seq = frame.get("last_seq", 0)
        if not isinstance(last_seq, int) or isinstance(last_seq, bool) or last_seq < 0:
            self._error("invalid_resume")
            return
        newest = last_seq
        for message in selectors.visitor_messages_after(self.endpoint.pk, self.visitor, last_seq):
            self._join(message.conversation_id)
            self._send_json(self._frame(message))
            newest = max(newest, message.pk)
        self._send_json({"type": "resumed", "last_seq": newest})
        if newest:
            services.visitor_marks_advance(
                endpoint=self.endpoint, visitor=self.visitor, delivered_seq=newest
            )

    def _mark_offline(self, conversation_id: int) -> None:
        """Nobody was there: the tag puts it on the email follow-up list (the customer's
        email came with the offline form). The channel stays chat, so a reply still reaches
        the widget if the visitor comes back."""
        conversation = Conversation.objects.select_related("brand").get(pk=conversation_id)
        tags = set(conversation.tags.values_list("name", flat=True))
        if OFFLINE_TAG not in tags:
            conversation_set_tags(
                actor=Actor.system("chat: offline message"),
                conversation=conversation,
                tags=tags | {OFFLINE_TAG},
            )

    def _typing(self, frame: dict[str, Any]) -> None:
        """Shown in the agents' presence banner as a viewer named after the visitor; only
        the visitor's latest conversation (where their next message goes)."""
        if not self.conversation_ids:
            return  # no conversation yet: no agent is looking
        name = (
            VisitorState.objects.filter(endpoint=self.endpoint, visitor=self.visitor)
            .values_list("name", flat=True)
            .first()
        )
        conversation_id = max(self.conversation_ids)
        async_to_sync(self.channel_layer.group_send)(
            AGENT_CONVERSATION_GROUP.format(conversation_id),
            {
                "type": "presence.update",
                "conversation_id": conversation_id,
                "agent_id": VISITOR_PEER_ID,
                "name": name or str(_("Visitor")),
                "state": "left" if frame.get("active") is False else "typing",
                "reply": False,
                "channel": self.channel_name,
            },
        )

    def _read(self, frame: dict[str, Any]) -> None:
        seq = frame.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            self._error("invalid_read")
            return
        # Never past what the visitor can see: a made-up seq does not mark later replies.
        seq = min(seq, selectors.visitor_last_seq(self.endpoint.pk, self.visitor))
        if seq:
            services.visitor_marks_advance(
                endpoint=self.endpoint, visitor=self.visitor, read_seq=seq
            )

    def chat_seen(self, event: dict[str, Any]) -> None:
        """An agent has the conversation on screen: the visitor's messages in it are read."""
        conversation_id = event.get("conversation_id")
        if conversation_id not in self.conversation_ids:
            return
        seq = selectors.visitor_last_inbound_seq(conversation_id, self.visitor)
        if seq:
            self._send_json({"type": "read", "seq": seq})

    def _frame(self, message: Message) -> dict[str, Any]:
        prefix = f"{self.visitor}:"
        mine = message.direction == Direction.INBOUND and message.external_id.startswith(prefix)
        return message_frame(
            seq=message.pk,
            sender="visitor" if message.direction == Direction.INBOUND else "agent",
            text=message.text,
            sent_at=message.sent_at or message.created_at,
            client_id=message.external_id[len(prefix) :] if mine else "",
        )

    def chat_message(self, event: dict[str, Any]) -> None:
        self._send_json(event["frame"])
