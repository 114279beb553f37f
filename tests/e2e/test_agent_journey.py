"""An agent signs in, switches to Japanese, opens an unassigned conversation, replies and
resolves it, in a real browser against a live server.

With LAGNIAPPE_SCREENSHOTS=<dir> it also saves the inbox and the conversation as PNGs (the
README's screenshots: `LAGNIAPPE_SCREENSHOTS=docs/screenshots pytest tests/e2e`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from lagniappe.channels import inbound
from lagniappe.conversations.models import Conversation, Message
from lagniappe.conversations.states import Status

pytestmark = pytest.mark.e2e

CUSTOMERS = (
    (
        "山本花子",
        "hanako@example.jp",
        "カードの再発行",
        "キャッシュカードを紛失しました。再発行の手続きを教えてください。",
    ),
    (
        "佐藤健",
        "ken@example.jp",
        "振込の確認",
        "昨日の振込がまだ反映されていません。確認をお願いします。",
    ),
    ("鈴木一郎", "ichiro@example.jp", "住所変更", "引っ越したので登録住所を変更したいです。"),
)


def _inbound(world, run_tasks) -> list[Conversation]:
    for index, (name, email, subject, text) in enumerate(CUSTOMERS):
        body = {
            "customer": {"email": email, "name": name},
            "subject": subject,
            "text": text,
            "language": "ja",
            "external_id": f"e2e-{index}",
        }
        inbound.accept(endpoint=world.bank_api, raw=json.dumps(body, ensure_ascii=False).encode())
    run_tasks()
    return list(Conversation.objects.order_by("id"))


def _screenshot(page: Page, name: str) -> None:
    directory = os.environ.get("LAGNIAPPE_SCREENSHOTS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / name), full_page=False)


def test_agent_replies_and_resolves_in_japanese(live_server, world, run_tasks, page: Page):
    conversations = _inbound(world, run_tasks)
    target = conversations[-1]  # the newest: the first row
    page.set_viewport_size({"width": 1400, "height": 860})
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email").fill("taro@bank.test")
    page.get_by_label("Password").fill("pw-bank")
    page.locator("form[action='/login'] button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")

    page.locator("#header-ui-language").select_option("ja")
    page.locator("form.language-picker button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")

    page.goto(f"{live_server.url}/?view=unassigned")
    expect(page.locator("[data-row]")).to_have_count(len(CUSTOMERS))
    _screenshot(page, "inbox-ja.png")

    # Keyboard: j selects the newest row, k moves back to it, Enter opens it.
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    page.keyboard.press("k")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/conversations/{target.pk}")
    expect(page.locator("#timeline")).to_contain_text("登録住所を変更したい")

    page.keyboard.press("r")
    expect(page.locator("#reply-text")).to_be_focused()
    page.keyboard.type("ご連絡ありがとうございます。住所変更の手続きをご案内します。")
    page.locator(".composer form").first.locator("button[type=submit]").click()
    expect(page.locator("#timeline .message-out")).to_contain_text("住所変更の手続きをご案内します")
    _screenshot(page, "conversation-ja.png")

    page.keyboard.press("e")
    expect(page.locator("#controls .status-resolved")).to_be_visible()
    target.refresh_from_db()
    assert target.status == Status.RESOLVED
    reply = Message.objects.get(conversation=target, direction="out")
    assert reply.author_agent_id == world.bank_agent.pk
