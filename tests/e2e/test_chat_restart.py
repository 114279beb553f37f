"""A chat survives the server dying mid-conversation: the widget on a customer's site in one
browser context, the agent's workspace in another, messages both ways; `lagniappe serve` is
killed (SIGKILL, no goodbye) and started again on the same address and data; both sides
reconnect by themselves, and every message is there exactly once on both sides and in the
database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.served import ServerProcess, server_running, site_serving
from tests.test_cli import run_python, wait_for

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


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[ServerProcess, str]]:
    with server_running(tmp_path / "home", SEED) as (served, key):
        yield served, key


@pytest.fixture
def host_page(tmp_path: Path, server: tuple[ServerProcess, str]) -> Iterator[str]:
    """The insurer's own site, on another origin, with the one-tag widget."""
    served, key = server
    with site_serving(
        tmp_path / "site",
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Insurer</title>'
        "</head><body><h1>Claims</h1>"
        f'<script src="{served.base}/widget.js" data-endpoint="{key}" async></script>'
        "</body></html>",
    ) as url:
        yield url


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


def _stored(server: ServerProcess) -> list[list[Any]]:
    import json

    return list(json.loads(run_python(server.home, STORED)))


def test_both_sides_recover_from_a_killed_server_with_nothing_lost_or_doubled(
    server: tuple[ServerProcess, str], host_page: str, browser: Browser
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
    # The widget is open, so the visitor has read it: the agent's page says so, live.
    expect(agent.locator("#chat-receipt")).to_contain_text("Read by the visitor", timeout=TIMEOUT)

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

    # A file from the composer: the widget lists it and downloads it with the visitor's token.
    agent.locator("#reply-attachments").set_input_files(
        files=[{"name": "報價單.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 e2e"}]
    )
    _agent_reply(agent, AGENT_2)
    reply = log.get_by_role("listitem").filter(has_text=AGENT_2)
    expect(reply).to_have_count(1, timeout=TIMEOUT)
    expect(reply.locator(".lgc-file")).to_contain_text("報價單.pdf", timeout=TIMEOUT)
    with visitor.expect_download() as download:
        reply.locator(".lgc-file").click()
    assert download.value.suggested_filename == "報價單.pdf"

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
