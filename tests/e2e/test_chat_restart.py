"""A chat survives the server dying mid-conversation: the widget on a customer's site in one
browser context, the agent's workspace in another, messages both ways; `lagniappe serve` is
killed (SIGKILL, no goodbye) and started again on the same address and data; both sides
reconnect by themselves, and every message is there exactly once on both sides and in the
database."""

from __future__ import annotations

import functools
import http.server
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.test_cli import free_port, lagniappe_env, run_cli, run_python, wait_for

pytestmark = pytest.mark.e2e

TIMEOUT = 15_000  # ms: a restarted server and two reconnecting pages

SEED = """
from lagniappe.channels.services import endpoint_create
from lagniappe.core.actors import SYSTEM
from lagniappe.staff.services import agent_create
from lagniappe.tenancy.services import brand_create, organisation_create
organisation = organisation_create(actor=SYSTEM, name="Harbour", slug="harbour")
brand = brand_create(actor=SYSTEM, organisation=organisation, name="Insurer", slug="insurer")
agent_create(
    actor=SYSTEM, organisation=organisation, email="amy@insurer.test", display_name="Amy",
    password="pw-amy-chat", brands=[brand],
)
endpoint = endpoint_create(actor=SYSTEM, brand=brand, kind="chat", name="Website chat")
print(endpoint.public_key)
"""

STORED = """
import json
from lagniappe.conversations.models import Message
rows = Message.objects.filter(channel_kind="chat").order_by("pk")
print(json.dumps([[m.direction, m.text, m.conversation_id] for m in rows], ensure_ascii=False))
"""

VISITOR_1 = "Hello, has my claim 4471 been approved?"
AGENT_1 = "Let me look it up for you."
VISITOR_2 = "Are you still there?"  # written while the server is dead
AGENT_2 = "Yes: claim 4471 was approved this morning."
ACKED = re.compile("Delivered|Read")


class Server:
    """`lagniappe serve` on a fixed port and data directory, killable and restartable."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lagniappe", "serve", "--port", str(self.port)],
            env=lagniappe_env(self.home),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        process = self.process

        def healthy() -> bool:
            try:
                return httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200
            except httpx.TransportError:
                return process.poll() is not None

        wait_for(healthy, timeout=30, what="/healthz")
        assert process.poll() is None, "lagniappe serve died while starting"

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
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Server, str]]:
    home = tmp_path / "home"
    result = run_cli(home, "migrate")
    assert result.returncode == 0, result.stderr
    key = run_python(home, SEED).strip()
    served = Server(home)
    served.start()
    try:
        yield served, key
    finally:
        served.stop()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def host_page(tmp_path: Path, server: tuple[Server, str]) -> Iterator[str]:
    """The insurer's own site, on another origin, with the one-tag widget."""
    served, key = server
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Insurer</title>'
        "</head><body><h1>Claims</h1>"
        f'<script src="{served.base}/widget.js" data-endpoint="{key}" async></script>'
        "</body></html>",
        encoding="utf-8",
    )
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/index.html"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _agent_signed_in(browser: Browser, base: str) -> Page:
    context = browser.new_context(locale="en-GB", viewport={"width": 1300, "height": 860})
    page = context.new_page()
    page.goto(f"{base}/login")
    page.locator("input[name=username]").fill("amy@insurer.test")
    page.locator("input[name=password]").fill("pw-amy-chat")
    page.locator("form[action='/login'] button[type=submit]").click()
    expect(page).to_have_url(f"{base}/", timeout=TIMEOUT)
    expect(page.locator("html")).to_have_attribute("data-live", "connected", timeout=TIMEOUT)
    return page


def _agent_reply(page: Page, text: str) -> None:
    page.locator("#reply-text").fill(text)
    page.locator(".composer form").first.locator("button[type=submit]").click()
    expect(page.locator("#timeline .message-out").filter(has_text=text)).to_have_count(
        1, timeout=TIMEOUT
    )


def _stored(server: Server) -> list[list[Any]]:
    import json

    return list(json.loads(run_python(server.home, STORED)))


def test_both_sides_recover_from_a_killed_server_with_nothing_lost_or_doubled(
    server: tuple[Server, str], host_page: str, browser: Browser
) -> None:
    served, _key = server
    # The agent is online (their workspace socket is open), so chats are taken live.
    agent = _agent_signed_in(browser, served.base)

    visitor = browser.new_context(locale="en-GB").new_page()
    visitor.goto(host_page)
    visitor.get_by_role("button", name="Chat with us").click()
    panel = visitor.get_by_role("dialog", name="Chat with us")
    expect(panel).to_be_visible(timeout=TIMEOUT)
    start = panel.get_by_role("button", name="Start chat")
    if start.is_visible():  # the optional pre-chat form
        start.click()
    box = panel.get_by_role("textbox", name="Write a message…")
    expect(box).to_be_visible(timeout=TIMEOUT)
    log = panel.get_by_role("log")

    box.fill(VISITOR_1)
    panel.get_by_role("button", name="Send").click()
    first = log.get_by_role("listitem").filter(has_text=VISITOR_1)
    expect(first).to_contain_text(ACKED, timeout=TIMEOUT)

    # The agent opens the chat and answers; the visitor sees the answer.
    wait_for(lambda: len(_stored(served)) == 1, what="the first chat message stored")
    conversation_id = _stored(served)[0][2]
    agent.goto(f"{served.base}/conversations/{conversation_id}")
    expect(agent.locator("#timeline")).to_contain_text(VISITOR_1, timeout=TIMEOUT)
    expect(agent.locator("html")).to_have_attribute("data-live", "connected", timeout=TIMEOUT)
    _agent_reply(agent, AGENT_1)
    expect(log.get_by_role("listitem").filter(has_text=AGENT_1)).to_have_count(1, timeout=TIMEOUT)

    # The server dies without a word; the visitor writes meanwhile (it waits in the outbox).
    served.kill()
    expect(agent.locator("html")).to_have_attribute("data-live", "closed", timeout=TIMEOUT)
    box.fill(VISITOR_2)
    panel.get_by_role("button", name="Send").click()
    pending = log.get_by_role("listitem").filter(has_text=VISITOR_2)
    expect(pending).to_have_count(1, timeout=TIMEOUT)
    expect(pending).not_to_contain_text(ACKED)

    served.start()

    # Both reconnect by themselves: the visitor's message is resent, stored once, and reaches
    # the agent's open conversation without a reload.
    agent.evaluate("window.__notReloaded = true")
    # Delivered, or already Read: the agent's open conversation marks it read at once.
    expect(pending).to_contain_text(ACKED, timeout=TIMEOUT)
    expect(agent.locator("html")).to_have_attribute("data-live", "connected", timeout=TIMEOUT)
    expect(agent.locator("#timeline .message-in").filter(has_text=VISITOR_2)).to_have_count(
        1, timeout=TIMEOUT
    )
    assert agent.evaluate("window.__notReloaded === true")

    _agent_reply(agent, AGENT_2)
    expect(log.get_by_role("listitem").filter(has_text=AGENT_2)).to_have_count(1, timeout=TIMEOUT)

    # Exactly once everywhere: the widget, the agent's timeline, the database.
    for text in (VISITOR_1, AGENT_1, VISITOR_2, AGENT_2):
        expect(log.get_by_role("listitem").filter(has_text=text)).to_have_count(1)
        timeline = agent.locator("#timeline .message-in, #timeline .message-out")
        expect(timeline.filter(has_text=text)).to_have_count(1)
    stored = _stored(served)
    assert [(direction, text) for direction, text, _ in stored] == [
        ("in", VISITOR_1),
        ("out", AGENT_1),
        ("in", VISITOR_2),
        ("out", AGENT_2),
    ]
    assert {conversation for _, _, conversation in stored} == {conversation_id}
