"""The visitor's websocket, ws/chat/<endpoint public key>?token=…

Frames (JSON), visitor → server: `{"type": "message", "client_id", "text"}`,
`{"type": "resume", "last_seq"}`, `{"type": "typing"[, "active": false]}`,
`{"type": "read", "seq"}`, `{"type": "page", "url", "title"}` (the host page, on navigation).
Server → visitor: `{"type": "status", "online"[, "reason"]}` on
connect (and `online: true` when an agent answers), `{"type": "ack", "client_id", "seq"}`
only once the message is committed (= delivered); `{"type": "typing", "from": "agent"}`,
`{"type": "read", "seq"}` (agents saw the visitor's messages up to seq);
`{"type": "message", "from": "agent"|"visitor", "seq", "text", "sent_at"[, "client_id"]}`;
`{"type": "resumed", "last_seq"}`;
`{"type": "error", "code"[, "client_id"][, "retry_after"]}` — after which the socket stays
usable.

Asynchronous consumer: pushes, acks and checks run on the server's event loop; only the
database work (the store-first funnel, resume, read marks) runs in a small pool of threads
that keep their connections (`_db`). A synchronous consumer would run every visitor's every
frame on the one thread Channels gives all synchronous consumers of a process.
"""

from __future__ import annotations

import asyncio
import json
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

from channels.db import DatabaseSyncToAsync
from django.utils.translation import gettext_lazy as _

from lagniappe.channels.chat import outbound, selectors, services, visits
from lagniappe.channels.chat.limits import frame_allowance_async
from lagniappe.channels.chat.loop_consumer import LoopWebsocketConsumer
from lagniappe.channels.chat.models import VisitorState
from lagniappe.channels.chat.outbound import PUSH, conversation_group
from lagniappe.channels.chat.services import FrameRefused, Visitor
from lagniappe.channels.chat.status import (
    AGENT_BRAND_GROUP,
    AGENT_CONVERSATION_GROUP,
    VISITOR_PEER_ID,
    within_hours,
)
from lagniappe.channels.chat.tokens import host_user_verified, visitor_from_token
from lagniappe.channels.models import Endpoint
from lagniappe.core import clock
from lagniappe.core.channel_kinds import ChannelKind

CLOSE_UNKNOWN_WIDGET = 4404
CLOSE_ORIGIN_REFUSED = 4403
CLOSE_BAD_TOKEN = 4401
MAX_FRAME_BYTES = 16 * 1024
OFFLINE_TAG = services.OFFLINE_TAG

_DB_THREADS = int(os.environ.get("LAGNIAPPE_CHAT_DB_THREADS", "4"))
_pool = ThreadPoolExecutor(max_workers=_DB_THREADS, thread_name_prefix="lagniappe-chat")


def _db(func: Any) -> Any:
    """Run `func` on the chat pool (connections kept, closed when broken or too old)."""
    return DatabaseSyncToAsync(func, thread_sensitive=False, executor=_pool)


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


def _is_seq(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


class VisitorConsumer(LoopWebsocketConsumer):
    async def connect(self) -> None:
        outbound.server_loop_remember(asyncio.get_running_loop())
        key = str(self.scope["url_route"]["kwargs"].get("public_key", ""))
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))

        def first(name: str) -> str:
            return query.get(name, [""])[0]

        refusal, endpoint, conversation_ids = await _db(self._lookup)(key, first("token"))
        if refusal or endpoint is None:
            await self.close(code=refusal or CLOSE_UNKNOWN_WIDGET)
            return
        client = self.scope.get("client") or ["", 0]
        self.endpoint: Endpoint = endpoint
        self.visitor = Visitor(
            endpoint=endpoint,
            visitor=self.visitor_id,
            # Unsigned or wrongly signed host-site claims are ignored, not refused.
            user_id=host_user_verified(endpoint.settings, first("user_id"), first("user_hash"))
            or "",
            language=first("lang")[:16],
            page=first("page")[:2000],
            remote_addr=str(client[0] or "")[:64],
        )
        self.joined: set[str] = set()
        self.conversation_ids: set[int] = set()
        self.marking: set[asyncio.Task[None]] = set()
        for conversation_id in conversation_ids:
            await self._join(conversation_id)
        await self.accept()
        await self._status_announce()
        if self.visitor.page:
            await _db(visits.visitor_page_record)(
                endpoint=endpoint,
                visitor=self.visitor_id,
                url=self.visitor.page,
                title=first("title"),
            )

    def _lookup(self, key: str, token: str) -> tuple[int, Endpoint | None, list[int]]:
        """The widget, origin and token checks: (close code or 0, endpoint, conversations)."""
        endpoint = endpoint_for_key(key)
        if endpoint is None:
            return CLOSE_UNKNOWN_WIDGET, None, []
        headers = dict(self.scope.get("headers", []))
        origin = headers.get(b"origin", b"").decode("latin-1")
        if not origin_allowed(endpoint.settings.get("allowed_origins"), origin):
            return CLOSE_ORIGIN_REFUSED, endpoint, []
        visitor = visitor_from_token(key, token)
        if visitor is None:
            return CLOSE_BAD_TOKEN, endpoint, []
        self.visitor_id = visitor
        return 0, endpoint, selectors.visitor_conversation_ids(endpoint.pk, visitor)

    async def _status_announce(self) -> None:
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
            await self.channel_layer.group_send(
                AGENT_BRAND_GROUP.format(self.endpoint.brand_id),
                {"type": "online.ping", "reply_to": self.channel_name},
            )
        await self._send_json(frame)

    async def online_update(self, event: dict[str, Any]) -> None:
        if event.get("online") and self.offline and not self.closed_hours:
            self.offline = False
            await self._send_json({"type": "status", "online": True})

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "joined", set()):
            await self.channel_layer.group_discard(group, self.channel_name)
        # Delivered marks still being written finish first: no database work of this socket
        # outlives it.
        marking = list(getattr(self, "marking", ()))
        if marking:
            await asyncio.wait(marking, timeout=5)

    async def _join(self, conversation_id: int) -> None:
        self.conversation_ids.add(conversation_id)
        group = conversation_group(conversation_id)
        if group not in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
            self.joined.add(group)

    async def _send_json(self, frame: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(frame, ensure_ascii=False))

    async def _error(self, code: str, client_id: object = None, **extra: Any) -> None:
        frame: dict[str, Any] = {"type": "error", "code": code}
        if isinstance(client_id, str):
            frame["client_id"] = client_id[:64]
        await self._send_json({**frame, **extra})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        wait = await frame_allowance_async(
            endpoint_id=self.endpoint.pk,
            visitor=self.visitor.visitor,
            remote_addr=self.visitor.remote_addr,
        )
        if text_data is None:
            await self._error("binary_not_supported")
            return
        if len(text_data.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
            await self._error("too_large")
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            await self._error("malformed")
            return
        kind = frame.get("type") if isinstance(frame, dict) else None
        if wait:
            # Nothing is stored; the widget keeps the message in its outbox and retries.
            client_id = frame.get("client_id") if kind == "message" else None
            await self._error("rate_limited", client_id, retry_after=round(wait, 1))
            return
        if kind == "message":
            await self._message(text_data, frame)
        elif kind == "resume":
            await self._resume(frame)
        elif kind == "typing":
            await self._typing(frame)
        elif kind == "read":
            await self._read(frame)
        elif kind == "page":
            recorded = await _db(visits.visitor_page_record)(
                endpoint=self.endpoint,
                visitor=self.visitor.visitor,
                url=frame.get("url"),
                title=frame.get("title"),
            )
            if not recorded:
                await self._error("invalid_page")
        else:
            await self._error("unknown_type")

    async def _message(self, text_data: str, frame: dict[str, Any]) -> None:
        try:
            stored = await _db(services.visitor_message_store)(
                visitor=self.visitor, text_data=text_data, frame=frame, offline=self.offline
            )
        except FrameRefused as refused:
            await self._error(refused.code, refused.client_id)
            return
        await self._join(stored.conversation_id)
        # Store first (committed), then ack: an ack always names a committed message.
        await self._send_json({"type": "ack", "client_id": stored.client_id, "seq": stored.seq})
        # The visitor's other tabs show it too (each side ignores a seq it already has).
        await self.channel_layer.group_send(
            conversation_group(stored.conversation_id), {"type": PUSH, "frame": stored.frame}
        )

    async def _resume(self, frame: dict[str, Any]) -> None:
        last_seq = frame.get("last_seq", 0)
        if not _is_seq(last_seq):
            await self._error("invalid_resume")
            return
        ids, frames = await _db(self._missed)(last_seq)
        for conversation_id in ids:
            await self._join(conversation_id)
        newest = last_seq
        for item in frames:
            await self._send_json(item)
            newest = max(newest, item["seq"])
        await self._send_json({"type": "resumed", "last_seq": newest})

    def _missed(self, last_seq: int) -> tuple[list[int], list[dict[str, Any]]]:
        ids, frames = selectors.visitor_frames_after(
            self.endpoint.pk, self.visitor.visitor, last_seq
        )
        newest = max([last_seq, *(item["seq"] for item in frames)])
        if newest:
            services.visitor_marks_advance(
                endpoint=self.endpoint, visitor=self.visitor.visitor, delivered_seq=newest
            )
        return ids, frames

    async def _typing(self, frame: dict[str, Any]) -> None:
        """Shown in the agents' presence banner as a viewer named after the visitor; only
        the visitor's latest conversation (where their next message goes)."""
        if not self.conversation_ids:
            return  # no conversation yet: no agent is looking
        name = await _db(self._name)()
        conversation_id = max(self.conversation_ids)
        await self.channel_layer.group_send(
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

    def _name(self) -> str:
        return (
            VisitorState.objects.filter(endpoint=self.endpoint, visitor=self.visitor.visitor)
            .values_list("name", flat=True)
            .first()
        ) or ""

    async def _read(self, frame: dict[str, Any]) -> None:
        seq = frame.get("seq")
        if not _is_seq(seq):
            await self._error("invalid_read")
            return
        await _db(self._read_mark)(seq)

    def _read_mark(self, seq: int) -> None:
        # Never past what the visitor can see: a made-up seq does not mark later replies.
        seq = min(seq, selectors.visitor_last_seq(self.endpoint.pk, self.visitor.visitor))
        if seq:
            services.visitor_marks_advance(
                endpoint=self.endpoint, visitor=self.visitor.visitor, read_seq=seq
            )

    async def chat_seen(self, event: dict[str, Any]) -> None:
        """An agent has the conversation on screen: the visitor's messages in it are read."""
        conversation_id = event.get("conversation_id")
        if conversation_id not in self.conversation_ids:
            return
        seq = await _db(selectors.visitor_last_inbound_seq)(conversation_id, self.visitor.visitor)
        if seq:
            await self._send_json({"type": "read", "seq": seq})

    async def chat_message(self, event: dict[str, Any]) -> None:
        frame = event["frame"]
        await self._send_json(frame)
        if frame.get("from") == "agent" and _is_seq(frame.get("seq")):
            # Handed to the visitor's widget: "delivered" on the agents' receipt line. In the
            # background, so this socket's next frames do not wait for the database.
            task = asyncio.get_running_loop().create_task(_db(self._delivered_mark)(frame["seq"]))
            self.marking.add(task)
            task.add_done_callback(self.marking.discard)

    def _delivered_mark(self, seq: int) -> None:
        services.visitor_marks_advance(
            endpoint=self.endpoint, visitor=self.visitor.visitor, delivered_seq=seq
        )
