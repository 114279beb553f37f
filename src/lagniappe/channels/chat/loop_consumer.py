"""A websocket consumer whose handlers run on the event loop only.

Channels' `AsyncConsumer.dispatch` awaits `aclose_old_connections()` before every handler:
a `sync_to_async(close_old_connections)` hop to the one thread-sensitive executor thread of
the process, for every frame and every layer message of every socket. With 1,000 chat
visitors and the agents' sockets that single thread becomes a queue every push waits in
(bench/chat_load.py). Our consumers never touch the database on the loop: their database
work runs on their own pools through `DatabaseSyncToAsync`, which closes broken or too old
connections of the pool thread itself, before and after each call. So the hop is skipped.
"""

from __future__ import annotations

from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer


class LoopWebsocketConsumer(AsyncWebsocketConsumer):
    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)
