"""Notifications arrive live: an administrator mentions an agent in a note, and the agent's
open inbox, in another browser context, shows the badge, the notification in the menu and a
desktop notification, without a reload. Against `lagniappe serve` (websockets need the real
ASGI server)."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.test_cli import free_port, lagniappe_env, run_cli, run_python, wait_for

pytestmark = pytest.mark.e2e

TIMEOUT = 10_000  # ms: a cold server and a cold browser

SEED = """
from lagniappe.conversations.services import conversation_create
from lagniappe.core.actors import SYSTEM
from lagniappe.customers.models import Customer
from lagniappe.staff.models import Role
from lagniappe.staff.services import agent_create
from lagniappe.tenancy.services import brand_create, organisation_create
organisation = organisation_create(actor=SYSTEM, name="Harbour", slug="harbour")
brand = brand_create(actor=SYSTEM, organisation=organisation, name="Insurer", slug="insurer")
agent_create(actor=SYSTEM, organisation=organisation, email="mei@insurer.test",
             display_name="mei", password="pw-mei", brands=[brand])
agent_create(actor=SYSTEM, organisation=organisation, email="admin@insurer.test",
             display_name="Admin", password="pw-admin", role=Role.ADMIN)
customer = Customer.objects.create(organisation=organisation, name="陳小姐")
print(conversation_create(actor=SYSTEM, brand_id=brand.pk, customer=customer,
                          channel_kind="api", subject="理賠進度").pk)
"""

# Observe (not replace) the browser's Notification API: the page's calls are recorded.
RECORD_NOTIFICATIONS = """
(() => {
  const Original = window.Notification;
  window.__shown = [];
  function Recorded(title, options) {
    window.__shown.push(title);
    return new Original(title, options);
  }
  Recorded.requestPermission = Original.requestPermission.bind(Original);
  Object.defineProperty(Recorded, "permission", { get: () => Original.permission });
  window.Notification = Recorded;
})();
"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, int]]:
    home = tmp_path / "home"
    result = run_cli(home, "migrate")
    assert result.returncode == 0, result.stderr
    conversation_id = int(run_python(home, SEED).strip())
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "lagniappe", "serve", "--port", str(port), "--no-worker"],
        env=lagniappe_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    def healthy() -> bool:
        try:
            return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return process.poll() is not None

    try:
        wait_for(healthy, timeout=30, what="/healthz")
        assert process.poll() is None, process.communicate()[0]
        yield base, conversation_id
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()


def _sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("form[action='/login'] button[type=submit]").click()
    expect(page).to_have_url(f"{base}/", timeout=TIMEOUT)


def test_a_mention_arrives_live_with_badge_menu_and_desktop_notification(
    server: tuple[str, int], browser: Browser
) -> None:
    base, conversation_id = server
    agent_context = browser.new_context(locale="en-US")
    agent_context.grant_permissions(["notifications"], origin=base)
    agent_context.add_init_script(RECORD_NOTIFICATIONS)
    admin_context = browser.new_context(locale="en-US")
    try:
        mei = agent_context.new_page()
        _sign_in(mei, base, "mei@insurer.test", "pw-mei")
        expect(mei.locator("html")).to_have_attribute("data-live", "connected", timeout=TIMEOUT)
        expect(mei.locator("#agent-status .badge")).to_have_text("0")
        mei.locator("body").click()  # a touch of the page: the sound may play from now on

        admin = admin_context.new_page()
        _sign_in(admin, base, "admin@insurer.test", "pw-admin")
        admin.goto(f"{base}/conversations/{conversation_id}")
        admin.locator("#note-text").fill("@mei 請看一下這位客戶 <b>urgent</b>")
        admin.locator(".note-form button[type=submit]").click()
        expect(admin.locator("#timeline .note")).to_contain_text("請看一下", timeout=TIMEOUT)

        # Mei's page, never reloaded: the badge, the menu's item, the desktop notification.
        expect(mei.locator("#agent-status .badge")).to_have_text("1", timeout=TIMEOUT)
        item = mei.locator("#notification-list li.notification").first
        expect(item).to_contain_text("Mentioned you")
        expect(item).to_contain_text("Admin")
        assert mei.evaluate("window.__shown") == ["Mentioned you"]
        # Mark it read from the menu (htmx): the badge goes back to 0.
        mei.locator("#notifications-menu summary").click()
        item.get_by_role("button", name="Mark read").click()
        expect(mei.locator("#agent-status .badge")).to_have_text("0", timeout=TIMEOUT)
        expect(mei.locator("#notification-list li.notification").first).not_to_have_class(
            "notification unread"
        )
        # The link leads to the conversation.
        mei.locator("#notification-list li.notification a").first.click()
        expect(mei).to_have_url(f"{base}/conversations/{conversation_id}", timeout=TIMEOUT)
    finally:
        agent_context.close()
        admin_context.close()
