"""config/http.py: a WSGI app served over ASGI in one thread hop per request."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from asgiref.sync import async_to_sync

from lagniappe.config.http import (
    DUPLICATE_HEADER_LIMIT,
    Admission,
    PooledWsgiToAsgi,
    admission_for,
)

Environ = dict[str, Any]


class Body:
    """A response body that records whether the server closed it (PEP 3333)."""

    def __init__(self, chunks: list[bytes], *, streaming: bool) -> None:
        self.chunks = chunks
        self.streaming = streaming
        self.closed_on: str | None = None

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.chunks)

    def close(self) -> None:
        self.closed_on = threading.current_thread().name


def served(app: Any, request: Any, admission: Admission | None = None) -> Any:
    pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="bridge-test")
    try:

        async def call() -> Any:
            bridge = PooledWsgiToAsgi(app, executor=pool, admission=admission)
            transport = httpx.ASGITransport(app=bridge)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                return await request(c)

        return asyncio.run(call())
    finally:
        pool.shutdown()


def test_a_buffered_response_comes_back_whole_with_its_headers_and_is_closed_on_the_pool() -> None:
    seen: dict[str, Any] = {}
    body = Body([b"hello ", b"world"], streaming=False)

    def app(environ: Environ, start_response: Any) -> Body:
        seen.update(environ)
        seen["input"] = environ["wsgi.input"].read()
        seen["thread"] = threading.current_thread().name
        start_response("201 Created", [("Content-Type", "text/plain"), ("X-Extra", "1")])
        return body

    response = served(
        app,
        lambda c: c.post(
            "/a%20b/path?x=1&y=%E4%B8%AD",
            content=b"payload",
            headers=[("X-Twice", "one"), ("X-Twice", "two")],
        ),
    )
    assert response.status_code == 201
    assert response.content == b"hello world"
    assert response.headers["x-extra"] == "1"
    assert seen["REQUEST_METHOD"] == "POST"
    assert seen["PATH_INFO"] == "/a b/path"
    assert seen["QUERY_STRING"] == "x=1&y=%E4%B8%AD"
    assert seen["CONTENT_LENGTH"] == "7" and seen["input"] == b"payload"
    assert seen["HTTP_X_TWICE"] == "one,two"
    assert seen["thread"].startswith("bridge-test")
    assert body.closed_on is not None and body.closed_on.startswith("bridge-test")


def test_a_body_is_clipped_to_its_content_length() -> None:
    def app(environ: Environ, start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Length", "4")])
        return [b"abcdefgh"]

    assert served(app, lambda c: c.get("/")).content == b"abcd"


def test_a_streaming_response_is_sent_chunk_by_chunk_and_closed() -> None:
    chunks = [bytes([65 + n]) * 70_000 for n in range(5)]
    body = Body(chunks, streaming=True)

    def app(environ: Environ, start_response: Any) -> Body:
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return body

    response = served(app, lambda c: c.get("/file"))
    assert response.status_code == 200
    assert response.content == b"".join(chunks)
    assert body.closed_on is not None


def test_a_large_request_body_is_spooled_and_read_whole() -> None:
    payload = b"x" * 300_000

    def app(environ: Environ, start_response: Any) -> list[bytes]:
        start_response("200 OK", [])
        return [str(len(environ["wsgi.input"].read())).encode()]

    assert served(app, lambda c: c.post("/", content=payload)).content == b"300000"


def test_too_many_duplicate_headers_get_400_without_running_the_app() -> None:
    calls: list[int] = []

    def app(environ: Environ, start_response: Any) -> list[bytes]:
        calls.append(1)
        start_response("200 OK", [])
        return [b""]

    headers = [("X-Many", str(n)) for n in range(DUPLICATE_HEADER_LIMIT + 1)]
    response = served(app, lambda c: c.get("/", headers=headers))
    assert response.status_code == 400 and calls == []


def test_async_to_sync_inside_the_app_runs_on_the_servers_loop() -> None:
    loops: dict[str, Any] = {}

    async def where() -> None:
        loops["coroutine"] = asyncio.get_running_loop()

    async def request(client: httpx.AsyncClient) -> httpx.Response:
        loops["server"] = asyncio.get_running_loop()
        return await client.get("/")

    def app(environ: Environ, start_response: Any) -> list[bytes]:
        async_to_sync(where)()
        start_response("200 OK", [])
        return [b"ok"]

    assert served(app, request).content == b"ok"
    assert loops["coroutine"] is loops["server"]


def test_what_a_request_activates_does_not_leak_into_the_next_one() -> None:
    from django.utils import translation

    languages: list[str | None] = []

    def app(environ: Environ, start_response: Any) -> list[bytes]:
        languages.append(translation.get_language())
        translation.activate("ja")
        start_response("200 OK", [])
        return [b""]

    async def twice(client: httpx.AsyncClient) -> httpx.Response:
        await client.get("/")
        return await client.get("/")

    served(app, twice)
    assert languages[0] == languages[1] != "ja"


@pytest.mark.django_db(transaction=True)
def test_a_django_file_download_streams_through_the_bridge() -> None:
    from lagniappe.config.asgi import application

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.get("/static/ninja/swagger-ui-bundle.js")

    response = asyncio.run(call())
    assert response.status_code == 200
    assert len(response.content) == int(response.headers["content-length"]) > 100_000


# -- admission: how many requests run at once ---------------------------------------------


def test_admission_defaults_to_one_request_at_a_time_on_sqlite_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LAGNIAPPE_HTTP_CONCURRENCY", raising=False)
    assert admission_for("lagniappe.core.sqlite").limit == 1
    assert admission_for("django.db.backends.postgresql").limit is None
    monkeypatch.setenv("LAGNIAPPE_HTTP_CONCURRENCY", "3")
    assert admission_for("lagniappe.core.sqlite").limit == 3
    monkeypatch.setenv("LAGNIAPPE_HTTP_CONCURRENCY", "0")
    assert admission_for("lagniappe.core.sqlite").limit is None


def test_admitted_requests_run_one_at_a_time_and_all_get_their_answer() -> None:
    lock = threading.Lock()
    running = {"now": 0, "most": 0}

    def app(environ: Environ, start_response: Any) -> list[bytes]:
        with lock:
            running["now"] += 1
            running["most"] = max(running["most"], running["now"])
        time.sleep(0.01)
        with lock:
            running["now"] -= 1
        start_response("200 OK", [])
        return [environ["PATH_INFO"].encode()]

    async def many(client: httpx.AsyncClient) -> list[httpx.Response]:
        return await asyncio.gather(*(client.get(f"/{n}") for n in range(6)))

    admission = Admission(1, patience=10)
    responses = served(app, many, admission)
    assert [r.content for r in responses] == [f"/{n}".encode() for n in range(6)]
    assert running["most"] == 1
    assert admission.running == 0


def test_a_slow_request_stops_holding_its_place_after_the_patience() -> None:
    """A page waiting on something slow delays the next request by the patience, no more."""
    fast_done = threading.Event()
    order: list[str] = []

    def app(environ: Environ, start_response: Any) -> list[bytes]:
        if environ["PATH_INFO"] == "/slow":
            fast_done.wait(timeout=5)
            order.append("slow")
        else:
            order.append("fast")
            fast_done.set()
        start_response("200 OK", [])
        return [b""]

    async def slow_then_fast(client: httpx.AsyncClient) -> list[httpx.Response]:
        slow = asyncio.create_task(client.get("/slow"))
        await asyncio.sleep(0.01)  # the slow request is admitted first
        return [await client.get("/fast"), await slow]

    admission = Admission(1, patience=0.05)
    started = time.monotonic()
    served(app, slow_then_fast, admission)
    assert order == ["fast", "slow"]
    assert time.monotonic() - started < 2
    assert admission.running == 0


def test_a_streaming_response_gives_its_place_back_before_its_body_is_sent() -> None:
    """A download to a slow client holds a thread, never the admission."""
    other_done = threading.Event()
    order: list[str] = []

    def waiting_chunks() -> Iterator[bytes]:
        yield b"first "
        other_done.wait(timeout=5)
        order.append("download")
        yield b"last"

    def app(environ: Environ, start_response: Any) -> Any:
        start_response("200 OK", [])
        if environ["PATH_INFO"] == "/download":
            return waiting_chunks()  # a generator: streamed from its thread
        order.append("page")
        other_done.set()
        return [b"page"]

    async def download_then_page(client: httpx.AsyncClient) -> list[httpx.Response]:
        download = asyncio.create_task(client.get("/download"))
        await asyncio.sleep(0.01)
        return [await client.get("/page"), await download]

    admission = Admission(1, patience=10)  # only the streaming can free the place here
    started = time.monotonic()
    page, download = served(app, download_then_page, admission)
    assert page.content == b"page" and download.content == b"first last"
    assert order == ["page", "download"]
    assert time.monotonic() - started < 2
    assert admission.running == 0


def test_a_request_that_gives_up_waiting_passes_its_turn_on() -> None:
    async def scenario() -> list[str]:
        admission = Admission(1, patience=10)
        first = await admission.enter()
        gone = asyncio.create_task(admission.enter())
        later = asyncio.create_task(admission.enter())
        await asyncio.sleep(0)
        gone.cancel()
        first.release()
        third = await asyncio.wait_for(later, timeout=1)
        states = [str(admission.running), "cancelled" if gone.cancelled() else "not cancelled"]
        third.release()
        third.release()  # a second release gives nothing back twice
        states.append(str(admission.running))
        return states

    assert asyncio.run(scenario()) == ["1", "cancelled", "0"]


def test_without_a_limit_every_request_runs_at_once() -> None:
    barrier = threading.Barrier(3, timeout=5)

    def app(environ: Environ, start_response: Any) -> list[bytes]:
        barrier.wait()  # only returns once three requests run at the same time
        start_response("200 OK", [])
        return [b"ok"]

    async def three(client: httpx.AsyncClient) -> list[httpx.Response]:
        return await asyncio.gather(*(client.get("/") for _ in range(3)))

    assert [r.content for r in served(app, three, Admission(None))] == [b"ok"] * 3
