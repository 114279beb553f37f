"""HTTP through Django's WSGI handler on a pool of long-lived threads, inside the ASGI server.

Django's own ASGI handler runs every sync middleware's request and response halves through
`sync_to_async` (two thread hops each) and every request in a fresh thread (so a fresh
database connection); measured here, that cost 4.7 ms for an empty view and doubled the
price of creating a conversation (docs/benchmarks.md). Our pages, API and forms are all
synchronous, so HTTP runs in one hop on a fixed pool of threads that keep their database
connections; websockets stay on Channels' ASGI consumers (config/asgi.py).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import SyncToAsync
from asgiref.wsgi import WsgiToAsgi, WsgiToAsgiInstance

HTTP_THREADS = int(os.environ.get("LAGNIAPPE_HTTP_THREADS", "8"))
_pool = ThreadPoolExecutor(max_workers=HTTP_THREADS, thread_name_prefix="lagniappe-http")


class _PooledInstance(WsgiToAsgiInstance):
    run_wsgi_app = SyncToAsync(
        WsgiToAsgiInstance.__dict__["run_wsgi_app"].func, thread_sensitive=False, executor=_pool
    )


class PooledWsgiToAsgi(WsgiToAsgi):
    """asgiref's WSGI-to-ASGI adapter, with the WSGI app run on our thread pool."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await _PooledInstance(self.wsgi_application, self.duplicate_header_limit)(
            scope, receive, send
        )
