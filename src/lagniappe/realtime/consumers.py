"""The agents' websocket: pushes fragments of the brands and conversation the agent may see,
relays presence, and feeds the supervisor board.

Frames to the browser are JSON: `{"kind", "element_id", "conversation_id", "html"}` (see
fragments.Fragment), plus `{"kind": "refused", "conversation_id"}`. Frames from the browser:
`{"type": "subscribe", "conversation_id"}`, `{"type": "typing"}`, `{"type": "viewing"}`.
Synchronous consumer: each handler runs in a worker thread and may use the ORM directly.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from asgiref.sync import async_to_sync
from channels.generic.websocket import WebsocketConsumer

from lagniappe.channels.chat import outbound as chat
from lagniappe.conversations.access import access_conversation_by_id
from lagniappe.core.errors import NotFound
from lagniappe.realtime import fragments, groups, publish
from lagniappe.realtime.presence import LEFT, STATES, TYPING, VIEWING, Peer, presence_html
from lagniappe.realtime.supervision import SUPERVISING_ROLES, board_html
from lagniappe.staff.models import Agent
from lagniappe.staff.selectors import agent_scope

CLOSE_UNAUTHENTICATED = 4401

# The frames each announced change may produce, in the order the page applies them. Timeline
# and controls frames go only to a socket with that conversation open; rows to every socket
# of the brand.
FRAMES: dict[str, tuple[str, ...]] = {
    publish.MESSAGE: ("message", "controls", "row"),
    publish.NOTE: ("note", "controls"),
    publish.CHANGED: ("controls", "row"),
    publish.CREATED: ("row",),
    publish.DELIVERY: ("message",),
}


class AgentConsumer(WebsocketConsumer):
    def connect(self) -> None:
        user = self.scope.get("user")
        if not (
            user is not None
            and user.is_authenticated
            and isinstance(user, Agent)
            and user.is_active
            and user.organisation_id is not None
        ):
            self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.agent: Agent = user
        self.viewer_scope = agent_scope(user)
        self.organisation_id: int = user.organisation_id
        self.supervising = user.role in SUPERVISING_ROLES
        self.joined: list[str] = []
        self.conversation_id: int | None = None
        self.peers: dict[int, Peer] = {}
        self.online: dict[str, int] = {}  # socket (channel name) -> agent id
        for brand_id in sorted(self.viewer_scope.brand_ids):
            self._join(groups.brand_group(brand_id))
        self._join(groups.agent_group(user.pk))
        self._join(groups.organisation_agents_group(self.organisation_id))
        if self.supervising:
            self._join(groups.supervisors_group(self.organisation_id))
        self.accept()
        self._group_send(groups.supervisors_group(self.organisation_id), self._online(True))
        if self.supervising:
            # Ask every connected agent's socket to report; the answers rebuild the board.
            self._group_send(
                groups.organisation_agents_group(self.organisation_id),
                {"type": "online.ping", "reply_to": self.channel_name},
            )
            self._push_board()

    def disconnect(self, code: int) -> None:
        if not hasattr(self, "joined"):
            return
        self._leave_conversation()
        self._group_send(groups.supervisors_group(self.organisation_id), self._online(False))
        for group in self.joined:
            async_to_sync(self.channel_layer.group_discard)(group, self.channel_name)
        self.joined = []

    def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            frame = json.loads(text_data or "")
        except ValueError:
            return
        if not isinstance(frame, dict):
            return
        kind = frame.get("type")
        if kind == "subscribe":
            self._subscribe(frame.get("conversation_id"))
        elif kind in STATES and self.conversation_id is not None:
            self._announce(str(kind), reply=False)
            if kind == TYPING:  # a chat visitor sees it too (no one listens on other channels)
                self._group_send(
                    chat.conversation_group(self.conversation_id),
                    {"type": chat.PUSH, "frame": chat.TYPING_FRAME},
                )
        elif kind == "read" and self.conversation_id is not None:
            self._chat_seen(self.conversation_id)

    def _chat_seen(self, conversation_id: int) -> None:
        """The conversation is on this agent's screen: a chat visitor gets read marks."""
        self._group_send(
            chat.conversation_group(conversation_id),
            {"type": chat.SEEN, "conversation_id": conversation_id},
        )

    # -- conversation subscription and presence ------------------------------------------

    def _subscribe(self, raw_id: Any) -> None:
        if not isinstance(raw_id, int) or isinstance(raw_id, bool):
            self._send({"kind": "refused", "conversation_id": None})
            return
        try:
            # The agent's own scope decides: another brand's conversation is "not found".
            access_conversation_by_id(self.viewer_scope, raw_id)
        except NotFound:
            self._send({"kind": "refused", "conversation_id": raw_id})
            return
        self._leave_conversation()
        self.conversation_id = raw_id
        self.peers = {}
        self._join(groups.conversation_group(raw_id))
        self._announce(VIEWING, reply=True)
        self._chat_seen(raw_id)

    def _leave_conversation(self) -> None:
        if self.conversation_id is None:
            return
        group = groups.conversation_group(self.conversation_id)
        self._announce(LEFT, reply=False)
        async_to_sync(self.channel_layer.group_discard)(group, self.channel_name)
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

    def _announce(self, state: str, *, reply: bool) -> None:
        assert self.conversation_id is not None
        self._group_send(
            groups.conversation_group(self.conversation_id), self._presence_message(state, reply)
        )

    def presence_update(self, event: dict[str, Any]) -> None:
        if event["channel"] == self.channel_name or event["conversation_id"] != (
            self.conversation_id
        ):
            return
        if event["reply"]:
            async_to_sync(self.channel_layer.send)(
                event["channel"], self._presence_message(VIEWING, reply=False)
            )
        if event["agent_id"] == self.agent.pk:
            return  # the same agent in another tab is no collision
        if event["state"] == LEFT:
            self.peers.pop(event["agent_id"], None)
        else:
            self.peers[event["agent_id"]] = Peer(event["agent_id"], event["name"], event["state"])
        self._send(
            {
                "kind": "presence",
                "element_id": "presence",
                "conversation_id": self.conversation_id,
                "html": presence_html(list(self.peers.values()), self.agent.ui_language),
            }
        )

    # -- pushed fragments -------------------------------------------------------------------

    def conversation_event(self, event: dict[str, Any]) -> None:
        """A change announced by realtime.handlers (ids only): render what concerns this
        agent, through the agent's own scope, in the agent's language and time zone."""
        frames = FRAMES.get(event.get("event", ""), ())
        if event.get("brand_id") not in self.viewer_scope.brand_ids or not frames:
            return
        conversation_id = event.get("conversation_id")
        object_id = event["object_id"]
        if event["event"] == publish.DELIVERY and self.conversation_id is not None:
            conversation_id = fragments.message_conversation_id(self.viewer_scope, object_id)
        is_open = conversation_id is not None and conversation_id == self.conversation_id
        if not is_open and "row" not in frames:
            return  # a timeline change of a conversation this page does not show
        assert conversation_id is not None
        conversation = fragments.conversation_for(self.viewer_scope, conversation_id)
        if conversation is None:
            return  # not in this agent's scope (or gone): the event alone proves nothing
        for kind in frames:
            if kind == "row":
                self._push(fragments.row_fragment(self.agent, conversation))
                if self.supervising:
                    self._push_board()
            elif not is_open:
                continue
            elif kind == "message":
                self._push(fragments.message_fragment(self.agent, conversation, object_id))
                self._chat_seen(conversation.pk)
            elif kind == "note":
                self._push(fragments.note_fragment(self.agent, conversation, object_id))
            elif kind == "controls":
                self._push(fragments.stale_signal("controls", conversation.pk))

    def _push(self, fragment: fragments.Fragment | None) -> None:
        if fragment is not None:
            self._send(asdict(fragment))

    # -- who is online (supervisor board) ---------------------------------------------------

    def _online(self, online: bool) -> dict[str, Any]:
        return {
            "type": "online.update",
            "agent_id": self.agent.pk,
            "online": online,
            "channel": self.channel_name,
        }

    def online_ping(self, event: dict[str, Any]) -> None:
        async_to_sync(self.channel_layer.send)(event["reply_to"], self._online(True))

    def online_update(self, event: dict[str, Any]) -> None:
        if not self.supervising:
            return
        if event["online"]:
            if self.online.get(event["channel"]) == event["agent_id"]:
                return
            self.online[event["channel"]] = event["agent_id"]
        elif self.online.pop(event["channel"], None) is None:
            return
        self._push_board()

    def _push_board(self) -> None:
        html = board_html(
            self.viewer_scope, frozenset(self.online.values()), self.agent.ui_language
        )
        self._send({"kind": "board", "element_id": "supervisor-board", "html": html})

    # -- plumbing ---------------------------------------------------------------------------

    def _join(self, group: str) -> None:
        async_to_sync(self.channel_layer.group_add)(group, self.channel_name)
        self.joined.append(group)

    def _group_send(self, group: str, message: dict[str, Any]) -> None:
        async_to_sync(self.channel_layer.group_send)(group, message)

    def _send(self, frame: dict[str, Any]) -> None:
        self.send(text_data=json.dumps(frame, ensure_ascii=False))
