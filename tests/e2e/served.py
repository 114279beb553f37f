"""A fresh install served by the real `lagniappe serve` (websockets need the ASGI server, and
the in-memory channel layer reaches only the server's own process): one bank, two agents,
an integration API key; inbound messages are posted to the API like a CRM would."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    home = tmp_path / "home"
    result = run_cli(home, "migrate")
    assert result.returncode == 0, result.stderr
    key = run_python(home, SEED).strip()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "lagniappe", "serve", "--port", str(port)],
        env=lagniappe_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    def healthy() -> bool:
        try:
            return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return process.poll() is not None  # died: stop waiting, the assert says why

    try:
        wait_for(healthy, timeout=30, what="/healthz")
        assert process.poll() is None, process.communicate()[0]
        yield Served(home, base, key)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()


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
