"""The agents' websocket: pushes fragments of the brands and conversation the agent may see,
relays presence, and feeds the supervisor board.

Frames to the browser are JSON: `{"kind", "element_id", "conversation_id", "html"}` (see
fragments.Fragment), plus `{"kind": "refused", "conversation_id"}`. Frames from the browser:
`{"type": "subscribe", "conversation_id"}`, `{"type": "typing"}`, `{"type": "viewing"}`,
`{"type": "read"}`, `{"type": "heartbeat"}`. `/ws/workspace?rows=0` says the page lists no
inbox rows: rows are then rendered only when they move the agent's header.

Asynchronous consumer: layer messages, presence and frames are handled on the server's event
loop; database work and rendering run on a bounded pool of `LAGNIAPPE_REALTIME_DB_THREADS`
(2) threads that keep their connections (`_db`). Announced changes are queued per socket and
rendered in batches (batches.py): while one batch renders, the next collects, so a burst
costs one pool call and a few queries, not a render per event. A synchronous consumer would
run every agent socket's every render on the one thread Channels gives all synchronous
consumers of a process (the chat visitors' frames included).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from typing import Any
from urllib.parse import parse_qs

from channels.db import DatabaseSyncToAsync
from channels.exceptions import ChannelFull

from lagniappe.channels.chat import outbound as chat
from lagniappe.channels.chat.loop_consumer import LoopWebsocketConsumer
from lagniappe.conversations.access import access_conversation_by_id
from lagniappe.conversations.models import Conversation
from lagniappe.conversations.states import ACTIVE
from lagniappe.core.errors import NotFound
from lagniappe.realtime import fragments, groups, publish
from lagniappe.realtime.batches import FRAMES, Result, Viewer, Work, render_batch
from lagniappe.realtime.presence import LEFT, STATES, TYPING, VIEWING, Peer, presence_html
from lagniappe.realtime.supervision import SUPERVISING_ROLES, board_html
from lagniappe.routing.chat_offers import chat_offer_waiting
from lagniappe.staff.models import Agent
from lagniappe.staff.presence import presence_connect, presence_disconnect, presence_touch
from lagniappe.staff.selectors import agent_scope
from lagniappe.tenancy.scoping import ViewerScope

logger = logging.getLogger("lagniappe.realtime")

CLOSE_UNAUTHENTICATED = 4401

_DB_THREADS = int(os.environ.get("LAGNIAPPE_REALTIME_DB_THREADS", "2"))
# How long an idle socket waits for the rest of a burst before rendering: one commit announces
# several changes (a new chat: created, received, then assigned), each a row of the same
# conversation; rendered together they cost one batch instead of one each.
_GATHER_SECONDS = float(os.environ.get("LAGNIAPPE_REALTIME_GATHER_MS", "5")) / 1000
_CLOSE_WAIT_SECONDS = 5.0
_pool = ThreadPoolExecutor(max_workers=_DB_THREADS, thread_name_prefix="lagniappe-realtime")


def _db(func: Any) -> Any:
    """Run `func` on the realtime pool (connections kept, closed when broken or too old)."""
    return DatabaseSyncToAsync(func, thread_sensitive=False, executor=_pool)


def _signed_in_agent(user: Any) -> Agent | None:
    if (
        user is not None
        and user.is_authenticated
        and isinstance(user, Agent)
        and user.is_active
        and user.organisation_id is not None
    ):
        return user
    return None


def _connect_load(agent: Agent, channel_name: str) -> tuple[ViewerScope, set[int]]:
    """The agent's scope and active conversations (they move the header), presence noted."""
    scope = agent_scope(agent)
    mine = set(
        Conversation.objects.filter(
            assignee_id=agent.pk, status__in=ACTIVE, brand_id__in=scope.brand_ids
        ).values_list("pk", flat=True)
    )
    presence_connect(agent_id=agent.pk, channel_name=channel_name)
    return scope, mine


def _wants_rows(query_string: bytes) -> bool:
    query = parse_qs(query_string.decode("latin-1"))
    return query.get("rows", ["1"])[0] != "0"


class AgentConsumer(LoopWebsocketConsumer):
    async def connect(self) -> None:
        agent = _signed_in_agent(self.scope.get("user"))
        if agent is None:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.agent: Agent = agent
        self.organisation_id: int = int(agent.organisation_id or 0)
        self.supervising = agent.role in SUPERVISING_ROLES
        self.rows = _wants_rows(self.scope.get("query_string", b""))
        self.joined: list[str] = []
        self.conversation_id: int | None = None
        self.peers: dict[int, Peer] = {}
        self.online: dict[str, int] = {}  # socket (channel name) -> agent id
        self.pending: list[Work] = []
        self.closing = False
        self.renderer: asyncio.Task[None] | None = None
        self.board_wanted = False
        self.board_task: asyncio.Task[None] | None = None
        self.viewer_scope, self.mine = await _db(_connect_load)(agent, self.channel_name)
        for brand_id in sorted(self.viewer_scope.brand_ids):
            await self._join(groups.brand_group(brand_id))
        await self._join(groups.agent_group(agent.pk))
        await self._join(groups.organisation_agents_group(self.organisation_id))
        if self.supervising:
            await self._join(groups.supervisors_group(self.organisation_id))
        await self.accept()
        # An agent coming online may take chats that waited for a free place.
        await _db(chat_offer_waiting)(brand_ids=self.viewer_scope.brand_ids)
        await self._group_send(groups.supervisors_group(self.organisation_id), self._online(True))
        if self.supervising:
            # Ask every connected agent's socket to report; the answers rebuild the board.
            await self._group_send(
                groups.organisation_agents_group(self.organisation_id),
                {"type": "online.ping", "reply_to": self.channel_name},
            )
            await self._push_board()

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "joined"):
            return
        # Nothing more is queued or sent; a render already on the pool is waited for (it is
        # milliseconds), so no database work of this socket outlives it.
        self.closing = True
        self.pending = []
        self.board_wanted = False
        for task in (self.renderer, self.board_task):
            if task is not None and not task.done():
                try:
                    await asyncio.wait_for(task, timeout=_CLOSE_WAIT_SECONDS)
                except Exception:
                    logger.warning("realtime: a render did not finish before the socket closed")
        await _db(presence_disconnect)(channel_name=self.channel_name)
        await self._leave_conversation()
        await self._group_send(groups.supervisors_group(self.organisation_id), self._online(False))
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = []

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            frame = json.loads(text_data or "")
        except ValueError:
            return
        if not isinstance(frame, dict):
            return
        kind = frame.get("type")
        if kind == "subscribe":
            await self._subscribe(frame.get("conversation_id"))
        elif kind in STATES and self.conversation_id is not None:
            await self._announce(str(kind), reply=False)
            if kind == TYPING:  # a chat visitor sees it too (no one listens on other channels)
                await self._group_send(
                    chat.conversation_group(self.conversation_id),
                    {"type": chat.PUSH, "frame": chat.TYPING_FRAME},
                )
        elif kind == "read" and self.conversation_id is not None:
            await self._chat_seen(self.conversation_id)
        elif kind == "heartbeat":
            await _db(presence_touch)(channel_name=self.channel_name)

    async def _chat_seen(self, conversation_id: int) -> None:
        """The conversation is on this agent's screen: a chat visitor gets read marks."""
        await self._group_send(
            chat.conversation_group(conversation_id),
            {"type": chat.SEEN, "conversation_id": conversation_id},
        )

    # -- conversation subscription and presence ------------------------------------------

    async def _subscribe(self, raw_id: Any) -> None:
        if not isinstance(raw_id, int) or isinstance(raw_id, bool):
            await self._send({"kind": "refused", "conversation_id": None})
            return
        try:
            # The agent's own scope decides: another brand's conversation is "not found".
            await _db(access_conversation_by_id)(self.viewer_scope, raw_id)
        except NotFound:
            await self._send({"kind": "refused", "conversation_id": raw_id})
            return
        await self._leave_conversation()
        self.conversation_id = raw_id
        self.peers = {}
        await self._join(groups.conversation_group(raw_id))
        await self._announce(VIEWING, reply=True)
        await self._chat_seen(raw_id)

    async def _leave_conversation(self) -> None:
        if self.conversation_id is None:
            return
        group = groups.conversation_group(self.conversation_id)
        await self._announce(LEFT, reply=False)
        await self.channel_layer.group_discard(group, self.channel_name)
        if group in self.joined:
            self.joined.remove(group)
        self.conversation_id = None

    def _presence_message(self, state: str, reply: bool) -> dict[str, Any]:
        return {
            "type": "presence.update",
            "conversation_id": self.conversation_id,
            "agent_id": self.agent.pk,
            "name": self.agent.display_name or self.agent.email,
            "state": state,
            "reply": reply,
            "channel": self.channel_name,
        }

    async def _announce(self, state: str, *, reply: bool) -> None:
        assert self.conversation_id is not None
        await self._group_send(
            groups.conversation_group(self.conversation_id), self._presence_message(state, reply)
        )

    async def presence_update(self, event: dict[str, Any]) -> None:
        if event["channel"] == self.channel_name or event["conversation_id"] != (
            self.conversation_id
        ):
            return
        if event["reply"]:
            await self._reply(event["channel"], self._presence_message(VIEWING, reply=False))
        if event["agent_id"] == self.agent.pk:
            return  # the same agent in another tab is no collision
        if event["state"] == LEFT:
            self.peers.pop(event["agent_id"], None)
        else:
            self.peers[event["agent_id"]] = Peer(event["agent_id"], event["name"], event["state"])
        # No query: a small template, rendered on the loop.
        html = presence_html(list(self.peers.values()), self.agent.ui_language)
        await self._send(
            {
                "kind": "presence",
                "element_id": "presence",
                "conversation_id": self.conversation_id,
                "html": html,
            }
        )

    # -- pushed fragments -------------------------------------------------------------------

    async def conversation_event(self, event: dict[str, Any]) -> None:
        """A change announced by realtime.handlers (ids only). Decided here without a query
        whether this socket may need it; if so it is queued for the next batch, which loads
        it through the agent's own scope and renders it in their language and time zone."""
        kind = event.get("event", "")
        frames = FRAMES.get(kind, ())
        if event.get("brand_id") not in self.viewer_scope.brand_ids or not frames:
            return
        conversation_id = event.get("conversation_id")
        if kind == publish.DELIVERY:
            if self.conversation_id is None:
                return  # a delivery badge shows only in an open conversation
            conversation_id = None  # the batch looks the message's conversation up
        elif conversation_id != self.conversation_id:
            if "row" not in frames:
                return  # a timeline change of a conversation this page does not show
            if not self.rows and kind == publish.MESSAGE and conversation_id not in self.mine:
                return  # no inbox on this page, and a message moves no one else's header
        self.pending.append(Work(kind, conversation_id, int(event["object_id"])))
        if self.renderer is None or self.renderer.done():
            self.renderer = asyncio.get_running_loop().create_task(self._render_pending())

    async def _render_pending(self) -> None:
        if _GATHER_SECONDS > 0:
            await asyncio.sleep(_GATHER_SECONDS)
        while self.pending:
            items, self.pending = self.pending, []
            viewer = Viewer(
                agent=self.agent,
                scope=self.viewer_scope,
                open_id=self.conversation_id,
                rows=self.rows,
                mine=frozenset(self.mine),
                supervising=self.supervising,
                online=frozenset(self.online.values()),
            )
            try:
                result: Result = await _db(render_batch)(viewer, items)
            except asyncio.CancelledError:
                raise
            except Exception:
                # A lost push leaves the page stale until its next push or reload.
                logger.exception("realtime: rendering a batch failed")
                continue
            for conversation_id, is_mine in result.mine.items():
                if is_mine:
                    self.mine.add(conversation_id)
                else:
                    self.mine.discard(conversation_id)
            for frame in result.frames:
                await self._send(frame)
            for conversation_id in dict.fromkeys(result.seen):
                await self._chat_seen(conversation_id)

    async def chat_receipt(self, event: dict[str, Any]) -> None:
        """The chat visitor's delivered/read marks moved (channels.chat.services): the open
        conversation's receipt line, re-rendered through this agent's scope."""
        conversation_id = event.get("conversation_id")
        if conversation_id is None or conversation_id != self.conversation_id:
            return
        try:
            fragment = await _db(fragments.receipt_fragment)(
                self.agent, self.viewer_scope, conversation_id
            )
        except Exception:
            logger.exception("realtime: rendering a chat receipt failed")  # the line stays stale
            return
        await self._send(asdict(fragment))

    # -- notifications ----------------------------------------------------------------------

    async def agent_notification(self, event: dict[str, Any]) -> None:
        """A notification of this agent's (publish.announce_notification): its partial for
        the menu, what a desktop notification says, and the header's new counts."""
        frames = await _db(self._notification_frames)(event.get("notification_id", 0))
        for frame in frames:
            await self._send(frame)

    def _notification_frames(self, notification_id: int) -> list[dict[str, Any]]:
        frame = fragments.notification_frame(self.agent, notification_id)
        if frame is None:
            return []
        status = fragments.status_fragment(self.agent, self.viewer_scope)
        return [frame, asdict(status)]

    # -- who is online (supervisor board) ---------------------------------------------------

    def _online(self, online: bool) -> dict[str, Any]:
        return {
            "type": "online.update",
            "agent_id": self.agent.pk,
            "online": online,
            "channel": self.channel_name,
        }

    async def online_ping(self, event: dict[str, Any]) -> None:
        await self._reply(event["reply_to"], self._online(True))

    async def online_update(self, event: dict[str, Any]) -> None:
        if not self.supervising:
            return
        if event["online"]:
            if self.online.get(event["channel"]) == event["agent_id"]:
                return
            self.online[event["channel"]] = event["agent_id"]
        elif self.online.pop(event["channel"], None) is None:
            return
        await self._push_board()

    async def _push_board(self) -> None:
        """Re-render the board in the background (it replaces itself, so order does not
        matter): the socket's own frames, a subscription above all, do not wait for it.
        Requests while one renders are folded into one more render after it."""
        self.board_wanted = True
        if self.board_task is None or self.board_task.done():
            self.board_task = asyncio.get_running_loop().create_task(self._render_board())

    async def _render_board(self) -> None:
        while self.board_wanted:
            self.board_wanted = False
            try:
                html = await _db(board_html)(
                    self.viewer_scope, frozenset(self.online.values()), self.agent.ui_language
                )
            except Exception:
                logger.exception("realtime: rendering the board failed")
                return
            await self._send({"kind": "board", "element_id": "supervisor-board", "html": html})

    # -- plumbing ---------------------------------------------------------------------------

    async def _join(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        self.joined.append(group)

    async def _reply(self, channel: str, message: dict[str, Any]) -> None:
        """Answer one peer's socket. A peer whose queue is full (a thousand widgets asking
        "anyone online?" at once, over Redis) misses the answer; this socket stays up."""
        try:
            await self.channel_layer.send(channel, message)
        except ChannelFull:
            logger.warning("realtime: %s is full, answer dropped", channel)

    async def _group_send(self, group: str, message: dict[str, Any]) -> None:
        await self.channel_layer.group_send(group, message)

    async def _send(self, frame: dict[str, Any]) -> None:
        if self.closing:
            return
        await self.send(text_data=json.dumps(frame, ensure_ascii=False))
