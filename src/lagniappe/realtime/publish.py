"""Announce a change on the channel layer: one small message per event, to the brand group.

Handlers run synchronously after every commit, in the writer's thread (a web request, the API,
the task worker): they must cost next to nothing when nobody listens. So nothing here reads
the database or renders a template. The message says only what changed (ids); each connected
socket (consumers.AgentConsumer) decides whether it cares, loads the object through its own
agent's scope and renders the workspace partial in that agent's language and time zone.

Sending never blocks the writer: the message is handed to an event loop and sent there, in
order. Inside an ASGI server's worker thread (asgiref's SyncToAsync) that is the server's own
loop, where the in-memory layer's queues live; elsewhere (WSGI, the task worker, a shell) one
background loop per process, so a Redis layer keeps its connection pool instead of opening a
new loop and connection per event, as `async_to_sync` would.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import threading
import weakref
from dataclasses import dataclass
from typing import Any

from asgiref.sync import SyncToAsync
from channels.layers import BaseChannelLayer, get_channel_layer

from lagniappe.realtime.groups import agent_group, brand_group

logger = logging.getLogger("lagniappe.realtime")

# The `type` of the layer message: Channels calls AgentConsumer.conversation_event.
EVENT = "conversation.event"

# What changed (the `event` field). The consumer turns each into frames (consumers.FRAMES).
MESSAGE = "message"  # a message was added: timeline, controls, inbox row
NOTE = "note"  # a note was added: timeline, controls
CHANGED = "changed"  # status, assignee, tags…: controls, inbox row
CREATED = "created"  # a new conversation: inbox row
DELIVERY = "delivery"  # an outbound message's delivery status: that message again
MERGED = "merged"  # another conversation was merged into this one: timeline, controls, row
MERGED_AWAY = "merged_away"  # this one was merged into another: the "merged into" banner
EVENTS = frozenset({MESSAGE, NOTE, CHANGED, CREATED, DELIVERY, MERGED, MERGED_AWAY})

_FLUSH_SECONDS = 2.0


@dataclass(frozen=True)
class Change:
    event: str
    brand_id: int
    conversation_id: int | None  # None when the event does not carry it (delivery reports)
    object_id: int

    def message(self) -> dict[str, Any]:
        return {
            "type": EVENT,
            "event": self.event,
            "brand_id": self.brand_id,
            "conversation_id": self.conversation_id,
            "object_id": self.object_id,
        }


# The `type` of a message to one agent's sockets: AgentConsumer.agent_notification.
NOTIFICATION = "agent.notification"


def announce(change: Change) -> None:
    """Queue one group_send to the change's brand group; returns at once."""
    _queue(brand_group(change.brand_id), change.message())


def announce_notification(recipient_id: int, notification_id: int) -> None:
    """Tell one agent's sockets that a notification of theirs was written (ids only: each
    socket loads it as its own agent and renders it in their language)."""
    _queue(
        agent_group(recipient_id),
        {"type": NOTIFICATION, "notification_id": notification_id},
    )


def _queue(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    item = (layer, group, message)
    loop = _server_loop()
    if loop is None:
        loop = _background.loop()
    try:
        loop.call_soon_threadsafe(_enqueue, loop, item)
    except RuntimeError:  # the server's loop closed under us (shutdown): nobody to tell
        logger.debug("realtime: event loop closed, message dropped: %r", message)


# -- the loops ----------------------------------------------------------------------------

_Item = tuple[BaseChannelLayer, str, dict[str, Any]]
_queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Queue[_Item]] = (
    weakref.WeakKeyDictionary()
)


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The ASGI server's loop when this thread is one of its sync workers (asgiref records it
    in a thread-local, and uses the same check to run `async_to_sync` there)."""
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    loop: asyncio.AbstractEventLoop | None = getattr(
        SyncToAsync.threadlocal, "main_event_loop", None
    )
    if loop is None or loop.is_closed() or not loop.is_running():
        return None
    return loop


def _enqueue(loop: asyncio.AbstractEventLoop, item: _Item) -> None:
    # Runs in `loop`: one queue and one sending task per loop keep the events in order.
    queue = _queues.get(loop)
    if queue is None:
        queue = _queues[loop] = asyncio.Queue()
        loop.create_task(_pump(queue))
    queue.put_nowait(item)


async def _pump(queue: asyncio.Queue[_Item]) -> None:
    while True:
        layer, group, message = await queue.get()
        try:
            await layer.group_send(group, message)
        except Exception:
            # A lost push only leaves a page stale until its next reload or push.
            logger.exception("realtime: group_send to %s failed", group)
        finally:
            queue.task_done()


class _BackgroundLoop:
    """One daemon thread running an event loop, started on first use (again after a fork)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0

    def loop(self) -> asyncio.AbstractEventLoop:
        loop = self._loop
        if loop is not None and self._pid == os.getpid():
            return loop
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                self._loop = asyncio.new_event_loop()
                self._pid = os.getpid()
                threading.Thread(
                    target=self._loop.run_forever, name="realtime-publish", daemon=True
                ).start()
            return self._loop

    def flush(self, timeout: float = _FLUSH_SECONDS) -> None:
        """Wait until what was queued here has been sent (tests, benchmarks, process exit)."""
        loop = self._loop
        if loop is None or self._pid != os.getpid() or loop.is_closed():
            return

        async def drained() -> None:
            queue = _queues.get(loop)
            if queue is not None:
                await queue.join()

        try:
            asyncio.run_coroutine_threadsafe(drained(), loop).result(timeout)
        except Exception:
            logger.warning("realtime: pending pushes not sent before exit")


_background = _BackgroundLoop()
flush = _background.flush
# A worker that exits right after a write still delivers its last pushes.
atexit.register(flush)
