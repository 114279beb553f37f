"""A fresh install served by the real `lagniappe serve` (websockets need the ASGI server, and
the in-memory channel layer reaches only the server's own process): one bank, two agents,
an integration API key; inbound messages are posted to the API like a CRM would."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.test_cli import free_port, lagniappe_env, run_cli, run_python, wait_for

TIMEOUT = 10_000  # ms, for every expect: a cold server and a cold browser

SEED = """
from lagniappe.channels.services import api_key_create
from lagniappe.core.actors import SYSTEM
from lagniappe.staff.services import agent_create
from lagniappe.tenancy.services import brand_create, organisation_create
organisation = organisation_create(actor=SYSTEM, name="Harbour", slug="harbour")
brand = brand_create(
    actor=SYSTEM, organisation=organisation, name="Bank", slug="bank", default_language="ja"
)
for email, name in (("taro@bank.test", "山田太郎"), ("hana@bank.test", "佐藤花子")):
    agent_create(
        actor=SYSTEM, organisation=organisation, email=email, display_name=name,
        password="pw-" + email.split("@")[0], brands=[brand],
    )
endpoint, key = api_key_create(actor=SYSTEM, brand=brand, name="CRM")
print(key)
"""

MESSAGES = """
from lagniappe.conversations.models import Message
print(Message.objects.filter(direction="in").count())
"""


@dataclass(frozen=True)
class Served:
    home: Path
    base: str
    api_key: str

    def post_inbound(self, text: str, email: str, **extra: object) -> None:
        body = {"customer": {"email": email, "name": extra.pop("name", "")}, "text": text}
        response = httpx.post(
            f"{self.base}/api/v1/inbound",
            content=json.dumps({**body, "language": "ja", **extra}, ensure_ascii=False),
            headers={
                "Authorization": f"Bearer {self.api_key}",
                "Content-Type": "application/json",
            },
            timeout=10,
        )
        assert response.status_code < 300, response.text

    def inbound_count(self) -> int:
        return int(run_python(self.home, MESSAGES).strip())

    def conversation_ids(self) -> list[int]:
        code = (
            "from lagniappe.conversations.models import Conversation\n"
            "print(*Conversation.objects.order_by('id').values_list('id', flat=True))"
        )
        return [int(i) for i in run_python(self.home, code).split()]


class ServerProcess:
    """`lagniappe serve` on a fixed port and data directory: started, killed (SIGKILL, no
    goodbye) and started again on the same address; stopped politely at the end."""

    def __init__(self, home: Path, *extra_args: str) -> None:
        self.home = home
        self.extra_args = extra_args
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[str] | None = None
        self.log = home / "serve.log"

    def start(self) -> None:
        command = [sys.executable, "-m", "lagniappe", "serve", "--port", str(self.port)]
        # A file, not a pipe: nobody reads a pipe while the test runs, and a full one would
        # stop the server in the middle of a log line.
        with self.log.open("a", encoding="utf-8") as log:
            self.process = process = subprocess.Popen(
                [*command, *self.extra_args],
                env=lagniappe_env(self.home),
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
            )

        def healthy() -> bool:
            try:
                return httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200
            except httpx.TransportError:
                return process.poll() is not None  # died: stop waiting, the assert says why

        wait_for(healthy, timeout=30, what="/healthz")
        assert process.poll() is None, self.log.read_text(encoding="utf-8")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        finally:
            if self.process.poll() is None:
                self.process.kill()


@contextlib.contextmanager
def server_running(home: Path, seed: str, *extra_args: str) -> Iterator[tuple[ServerProcess, str]]:
    """A fresh install in `home`, seeded by the Python code `seed` (whose last printed line
    is returned), served until the block ends."""
    result = run_cli(home, "migrate")
    assert result.returncode == 0, result.stderr
    seeded = run_python(home, seed).strip().splitlines()[-1]
    server = ServerProcess(home, *extra_args)
    server.start()
    try:
        yield server, seeded
    finally:
        server.stop()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
        pass


@contextlib.contextmanager
def site_serving(folder: Path, html: str) -> Iterator[str]:
    """A customer's own site on another origin (another port): `html` as its index page."""
    folder.mkdir()
    (folder / "index.html").write_text(html, encoding="utf-8")
    handler = functools.partial(_QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/index.html"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with server_running(tmp_path / "home", SEED) as (server, key):
        yield Served(server.home, server.base, key)


def signed_in_page(browser: Browser, served: Served, email: str, password: str) -> Page:
    """A new browser context (its own cookies) with `email` signed in, on the inbox."""
    context: BrowserContext = browser.new_context(
        locale="ja-JP", viewport={"width": 1300, "height": 860}
    )
    page = context.new_page()
    page.goto(f"{served.base}/login")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form[action='/login'] button[type=submit]").click()
    expect(page).to_have_url(f"{served.base}/", timeout=TIMEOUT)
    return page


def live_socket_open(page: Page) -> None:
    """Wait until live.js has its socket open (a frame pushed before would be missed)."""
    expect(page.locator("html")).to_have_attribute("data-live", "connected", timeout=TIMEOUT)
