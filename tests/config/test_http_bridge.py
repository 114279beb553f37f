"""config/http.py: a WSGI app served over ASGI in one thread hop per request."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from asgiref.sync import async_to_sync

from lagniappe.config.http import DUPLICATE_HEADER_LIMIT, PooledWsgiToAsgi

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


def served(app: Any, request: Any) -> httpx.Response:
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="bridge-test")
    try:

        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=PooledWsgiToAsgi(app, executor=pool))
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
