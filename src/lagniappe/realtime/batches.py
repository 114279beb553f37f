"""One socket's pending pushes, rendered together (synchronous: runs on the realtime pool).

consumers.AgentConsumer queues what the layer announced (ids only) and, whenever its previous
batch is done, hands everything queued since to `render_batch` in one pool call. A burst of
changes therefore costs one query per kind of object for the whole batch, and a conversation
changed several times in it gets one row. Everything is loaded through the agent's own
ViewerScope and rendered from the pages' own partials in the agent's language and time zone
(fragments.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from lagniappe.conversations.models import Conversation
from lagniappe.conversations.selectors import conversation_base_for_viewer
from lagniappe.conversations.states import ACTIVE
from lagniappe.core.channel_kinds import ChannelKind
from lagniappe.realtime import fragments, publish
from lagniappe.realtime.agent_status import unread_mark
from lagniappe.realtime.supervision import board_html
from lagniappe.staff.models import Agent
from lagniappe.staff.notifications import conversation_seen_mark
from lagniappe.tenancy.scoping import ViewerScope

# The frames each announced change may produce, in the order the page applies them. Timeline
# and controls frames go only to a socket with that conversation open; rows to every socket
# of the brand whose page lists rows (and, for the header, of the agent who owns it).
FRAMES: dict[str, tuple[str, ...]] = {
    publish.MESSAGE: ("message", "controls", "row"),
    publish.NOTE: ("note", "controls"),
    publish.CHANGED: ("controls", "row"),
    publish.CREATED: ("row",),
    publish.DELIVERY: ("message",),
    publish.MERGED: ("timeline", "controls", "row"),
    publish.MERGED_AWAY: ("merged",),
}


@dataclass(frozen=True)
class Work:
    """One announced change for this socket (publish.Change without the brand)."""

    event: str
    conversation_id: int | None  # None: a delivery report, looked up in the batch
    object_id: int


@dataclass(frozen=True)
class Viewer:
    """What the batch needs of the socket, read on the event loop when the batch starts."""

    agent: Agent
    scope: ViewerScope
    open_id: int | None  # the conversation on screen
    rows: bool  # the page lists inbox rows
    mine: frozenset[int]  # active conversations the agent owned at the last look
    supervising: bool
    online: frozenset[int]  # agents online (supervisor board)


@dataclass
class Result:
    frames: list[dict[str, Any]] = field(default_factory=list)
    seen: list[int] = field(default_factory=list)  # conversations a chat visitor sees read
    mine: dict[int, bool] = field(default_factory=dict)  # ownership changes


def render_batch(viewer: Viewer, items: Sequence[Work]) -> Result:
    result = Result()
    scope = viewer.scope
    work: list[Work] = []
    for item in items:
        if item.conversation_id is None:  # delivery report: only for the open conversation
            if viewer.open_id is None:
                continue
            found = fragments.message_conversation_id(scope, item.object_id)
            if found != viewer.open_id:
                continue
            item = Work(item.event, found, item.object_id)
        work.append(item)
    row_ids: list[int] = []
    for item in work:
        if "row" in FRAMES[item.event] and item.conversation_id not in row_ids:
            assert item.conversation_id is not None
            row_ids.append(item.conversation_id)
    wanted = {item.conversation_id for item in work if item.conversation_id == viewer.open_id}
    wanted.update(row_ids)
    conversations = _conversations(scope, wanted)
    # Timeline and controls of the open conversation, in order.
    receipt: int | None = None
    for item in work:
        conversation = conversations.get(item.conversation_id or 0)
        if conversation is None or item.conversation_id != viewer.open_id:
            continue
        for kind in FRAMES[item.event]:
            if kind == "message":
                _add(result, fragments.message_fragment(viewer.agent, conversation, item.object_id))
                if item.event == publish.MESSAGE:
                    result.seen.append(conversation.pk)
                    # On screen, so read: the row and header that follow count it so.
                    conversation_seen_mark(
                        agent_id=viewer.agent.pk,
                        conversation_id=conversation.pk,
                        message_id=item.object_id,
                    )
            elif kind == "note":
                _add(result, fragments.note_fragment(viewer.agent, conversation, item.object_id))
            elif kind in ("controls", "timeline"):
                _add(result, fragments.stale_signal(kind, conversation.pk))
            elif kind == "merged":
                _add(result, fragments.merged_fragment(viewer.agent, scope, conversation))
        if item.event == publish.MESSAGE and conversation.channel_kind == ChannelKind.CHAT:
            receipt = conversation.pk
    if receipt is not None:
        # A new reply is not on the visitor's screen yet: the receipt line says so (once).
        _add(result, fragments.receipt_fragment(viewer.agent, scope, receipt))
    rows = [conversations[pk] for pk in row_ids if pk in conversations]
    if not rows:
        return result
    if viewer.rows:
        unread_mark(rows, viewer.agent.pk)  # one query: each row shows the agent's unread
        for conversation in rows:
            _add(result, fragments.row_fragment(viewer.agent, conversation, counted=True))
    header = False
    for conversation in rows:
        is_mine = conversation.assignee_id == viewer.agent.pk and conversation.status in ACTIVE
        was_mine = conversation.pk in viewer.mine
        if is_mine != was_mine:
            result.mine[conversation.pk] = is_mine
        header = header or is_mine or was_mine
    if header:
        _add(result, fragments.status_fragment(viewer.agent, scope))
    if viewer.supervising:
        html = board_html(scope, viewer.online, viewer.agent.ui_language)
        result.frames.append({"kind": "board", "element_id": "supervisor-board", "html": html})
    return result


def _conversations(scope: ViewerScope, ids: set[int | None]) -> dict[int, Conversation]:
    """The conversations the agent may see among `ids` (another brand's: absent)."""
    wanted = [pk for pk in ids if pk is not None]
    if not wanted:
        return {}
    found = conversation_base_for_viewer(scope).select_related("brand").filter(pk__in=wanted)
    return {conversation.pk: conversation for conversation in found}


def _add(result: Result, fragment: fragments.Fragment | None) -> None:
    if fragment is not None:
        result.frames.append(asdict(fragment))
