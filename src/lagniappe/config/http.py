"""HTTP through Django's WSGI handler on a pool of long-lived threads, inside the ASGI server.

Django's own ASGI handler runs every sync middleware's request and response halves through
`sync_to_async` (two thread hops each) and every request in a fresh thread (so a fresh
database connection); measured here, that cost 4.7 ms for an empty view and doubled the
price of creating a conversation (docs/benchmarks.md). Our pages, API and forms are all
synchronous, so HTTP runs in one hop on a fixed pool of threads that keep their database
connections; websockets stay on Channels' ASGI consumers (config/asgi.py).

asgiref's `WsgiToAsgi` does the same with three more hops per request: the response start, the
body and the end are each sent from the thread through `AsyncToSync`, which wakes the event
loop and parks the thread every time. Here a response whose body is already in memory (every
page and API answer) comes back from the thread in one piece and the event loop sends it;
only a streaming response (files, exports) is sent chunk by chunk from its thread, so that a
large download never sits in memory whole.

The pool has several threads so that slow work (a download to a slow client, a page waiting
on the database) never holds up the rest; but Python runs one thread at a time, so requests
that are all computing gain nothing from running at once and lose to the switching between
them. `Admission` therefore lets a few requests run at once (one on SQLite) and queues the
others on the event loop, not on a thread; a request that has run for longer than
`ADMISSION_PATIENCE_SECONDS`, or that starts streaming its body, stops counting, so slow work
delays the queue by at most that long and never blocks it.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import sys
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from tempfile import SpooledTemporaryFile
from typing import Any

from asgiref.sync import SyncToAsync

HTTP_THREADS = int(os.environ.get("LAGNIAPPE_HTTP_THREADS", "8"))
_pool = ThreadPoolExecutor(max_workers=HTTP_THREADS, thread_name_prefix="lagniappe-http")

# A request running longer than this stops counting against the admission limit.
ADMISSION_PATIENCE_SECONDS = 0.025

# A request body up to this size stays in memory; a larger one is spooled to a temporary file.
BODY_IN_MEMORY_BYTES = 65536
DUPLICATE_HEADER_LIMIT = 100

Send = Callable[[dict[str, Any]], Coroutine[Any, Any, None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class TooManyHeaders(ValueError):
    pass


def wsgi_environ(scope: dict[str, Any], body: Any) -> dict[str, Any]:
    """The WSGI environ of an ASGI HTTP scope (PEP 3333), as asgiref builds it."""
    script_name = scope.get("root_path", "").encode("utf8").decode("latin1")
    path_info = scope["path"].encode("utf8").decode("latin1")
    if path_info.startswith(script_name):
        path_info = path_info[len(script_name) :]
    server = scope.get("server")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path_info,
        "QUERY_STRING": scope["query_string"].decode("ascii"),
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "SERVER_NAME": server[0] if server else "localhost",
        "SERVER_PORT": str(server[1] if server and server[1] is not None else 80),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if scope.get("client") is not None:
        environ["REMOTE_ADDR"] = scope["client"][0]
    headers: defaultdict[str, list[str]] = defaultdict(list)
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin1")
        if name == "content-length":
            key = "CONTENT_LENGTH"
        elif name == "content-type":
            key = "CONTENT_TYPE"
        else:
            key = "HTTP_" + name.upper().replace("-", "_")
        values = headers[key]
        if len(values) >= DUPLICATE_HEADER_LIMIT:
            raise TooManyHeaders(key)
        values.append(raw_value.decode("latin1"))
    for key, values in headers.items():
        environ[key] = ",".join(values)
    return environ


class Admission:
    """At most `limit` requests running at once; the others wait their turn on the event loop.

    A running request holds a slot until its view has returned, it starts streaming its
    body, or it has run for `patience` seconds, whichever comes first: a request that is
    still running after that is waiting on something or is slow, and the next one goes in
    beside it (the pool's size stays the hard limit). `limit=None` admits every request.
    """

    def __init__(self, limit: int | None, patience: float = ADMISSION_PATIENCE_SECONDS) -> None:
        if limit is not None and limit < 1:
            raise ValueError("the admission limit must be at least 1")
        self.limit = limit
        self.patience = patience
        self.running = 0
        self._waiting: deque[asyncio.Future[None]] = deque()

    async def enter(self) -> Slot:
        if self.limit is None:
            return Slot(None)
        if self.running < self.limit:
            self.running += 1
        else:
            turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiting.append(turn)
            try:
                await turn  # a leaving request handed its slot over: `running` is unchanged
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():
                    self.slot_free()  # the slot came as we were cancelled: pass it on
                raise
        slot = Slot(self)
        slot.timer = asyncio.get_running_loop().call_later(self.patience, slot.release)
        return slot

    def slot_free(self) -> None:
        """One slot is free: the first request still waiting takes it, or it is counted off."""
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():  # not cancelled (its client went away)
                turn.set_result(None)
                return
        self.running -= 1


class Slot:
    """One admitted request's place, given back once, on the event loop's thread."""

    def __init__(self, admission: Admission | None) -> None:
        self.admission = admission  # None: nothing to give back
        self.timer: asyncio.TimerHandle | None = None

    def release(self) -> None:
        admission, self.admission = self.admission, None
        if admission is None:
            return
        if self.timer is not None:
            self.timer.cancel()
        admission.slot_free()


def admission_for(database_engine: str) -> Admission:
    """`LAGNIAPPE_HTTP_CONCURRENCY` requests at once; by default one on SQLite, where a
    request hardly ever waits (no network, no flush at commit, one writer at a time anyway),
    and no limit but the pool's on PostgreSQL, whose round trips and commit flushes leave
    the processor to the other requests (one at a time there ran at a third of the speed)."""
    configured = os.environ.get("LAGNIAPPE_HTTP_CONCURRENCY", "")
    if configured:
        limit = int(configured)
        return Admission(limit if limit > 0 else None)
    return Admission(1 if "sqlite" in database_engine else None)


@dataclass
class _Exchange:
    """One request's response, filled in by the WSGI app on its thread."""

    loop: asyncio.AbstractEventLoop
    send: Send
    slot: Slot
    status: int = 0
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    content_length: int | None = None

    def start_response(self, status: str, response_headers: list[tuple[str, str]], *_: Any) -> None:
        self.status = int(status.split(" ", 1)[0])
        self.headers = [
            (name.lower().encode("ascii"), value.encode("ascii"))
            for name, value in response_headers
        ]
        self.content_length = None
        for name, value in response_headers:
            if name.lower() == "content-length":
                self.content_length = int(value)

    def start_message(self) -> dict[str, Any]:
        return {"type": "http.response.start", "status": self.status, "headers": self.headers}

    def send_from_thread(self, message: dict[str, Any]) -> None:
        asyncio.run_coroutine_threadsafe(self.send(message), self.loop).result()

    def run(self, app: WsgiApp, environ: dict[str, Any]) -> bytes | None:
        """Run the app; return the whole body, or None when it was streamed from here."""
        # Where asgiref's `async_to_sync` and realtime.publish look for the server's loop, as
        # `sync_to_async` would have recorded it: their coroutines then run on this loop.
        SyncToAsync.threadlocal.main_event_loop = self.loop
        SyncToAsync.threadlocal.main_event_loop_pid = os.getpid()
        result = app(environ, self.start_response)
        try:
            if isinstance(result, list | tuple) or getattr(result, "streaming", True) is False:
                return self._clipped(b"".join(result))
            self._stream(result)
            return None
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()  # PEP 3333: fires Django's request_finished, closes streamed files

    def _clipped(self, body: bytes) -> bytes:
        if self.content_length is not None and len(body) > self.content_length:
            return body[: self.content_length]
        return body

    async def _stream_start(self) -> None:
        self.slot.release()  # a download may take long: the next request need not wait for it
        await self.send(self.start_message())

    def _stream(self, chunks: Iterable[bytes]) -> None:
        asyncio.run_coroutine_threadsafe(self._stream_start(), self.loop).result()
        sent = 0
        for chunk in chunks:
            if self.content_length is not None:
                chunk = chunk[: self.content_length - sent]
            if chunk:
                self.send_from_thread(
                    {"type": "http.response.body", "body": chunk, "more_body": True}
                )
                sent += len(chunk)
            if sent == self.content_length:
                break
        self.send_from_thread({"type": "http.response.body", "body": b""})


class PooledWsgiToAsgi:
    """An ASGI app running a WSGI app on a fixed thread pool, one hop per request."""

    def __init__(
        self,
        wsgi_application: WsgiApp,
        executor: ThreadPoolExecutor = _pool,
        admission: Admission | None = None,
    ) -> None:
        self.wsgi_application = wsgi_application
        self.executor = executor
        self.admission = admission or Admission(None)

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            raise ValueError("PooledWsgiToAsgi serves HTTP scopes only")
        with SpooledTemporaryFile(max_size=BODY_IN_MEMORY_BYTES) as body:
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return  # the client went away before its body arrived
                body.write(message.get("body", b""))
                if not message.get("more_body"):
                    break
            body.seek(0)
            try:
                environ = wsgi_environ(scope, body)
            except TooManyHeaders:
                await _bad_request(send, b"Bad Request: too many duplicate headers")
                return
            loop = asyncio.get_running_loop()
            slot = await self.admission.enter()
            exchange = _Exchange(loop, send, slot)
            try:
                # A fresh context per request: what one request activates (its language,
                # say) never leaks into the next request the same thread serves.
                whole_body = await loop.run_in_executor(
                    self.executor,
                    contextvars.Context().run,
                    exchange.run,
                    self.wsgi_application,
                    environ,
                )
            finally:
                slot.release()
        if whole_body is not None:
            await send(exchange.start_message())
            await send({"type": "http.response.body", "body": whole_body})


async def _bad_request(send: Send, text: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [(b"content-type", b"text/plain")],
        }
    )
    await send({"type": "http.response.body", "body": text})
