"""The chat widget in a real browser: embedded on another origin, against `lagniappe serve`
(websockets need the real ASGI server), talking Traditional Chinese with nobody online."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.served import server_running, site_serving
from tests.test_cli import run_python, wait_for

pytestmark = pytest.mark.e2e

TIMEOUT = 10_000  # ms, for every expect: a cold server and a cold browser
TEXT = "請問我的保單什麼時候到期?"

SEED_CHAT = """
from lagniappe.channels.services import endpoint_create
from lagniappe.core.actors import SYSTEM
from lagniappe.tenancy.services import brand_create, organisation_create
organisation = organisation_create(actor=SYSTEM, name="Harbour", slug="harbour")
brand = brand_create(actor=SYSTEM, organisation=organisation, name="Insurer", slug="insurer")
endpoint = endpoint_create(actor=SYSTEM, brand=brand, kind="chat", name="Website chat")
print(endpoint.public_key)
"""

COUNT_CHAT = f"""
from lagniappe.conversations.models import Message
found = Message.objects.filter(text={TEXT!r}, channel_kind="chat", direction="in")
print(found.count(), found.values("conversation").distinct().count())
"""


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # The widget picks its language from navigator.language.
    return {**browser_context_args, "locale": "zh-TW"}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Path, str, str]]:
    """A fresh install with one chat widget, served by `lagniappe serve --no-worker`."""
    with server_running(tmp_path / "home", SEED_CHAT, "--no-worker") as (served, key):
        yield served.home, served.base, key


@pytest.fixture
def host_page(tmp_path: Path, server: tuple[Path, str, str]) -> Iterator[str]:
    """A customer's site on another origin (another port) embedding the widget."""
    _home, base, key = server
    with site_serving(
        tmp_path / "site",
        '<!doctype html><html lang="zh-Hant"><head><meta charset="utf-8">'
        "<title>保險公司</title></head><body><h1>歡迎光臨</h1>"
        f'<script src="{base}/widget.js" data-endpoint="{key}" async></script>'
        "</body></html>",
    ) as url:
        yield url


def test_visitor_chats_in_traditional_chinese_from_another_site(
    server: tuple[Path, str, str], host_page: str, page: Page, tmp_path: Path
) -> None:
    home, _base, key = server
    page.goto(host_page)
    page.get_by_role("button", name="與我們對話").click()
    panel = page.get_by_role("dialog", name="與我們對話")
    expect(panel).to_be_visible(timeout=TIMEOUT)

    # Nobody is online: after the status frame the widget asks for an email first.
    expect(panel.get_by_role("status")).to_contain_text("目前沒有客服人員在線", timeout=TIMEOUT)
    panel.get_by_role("textbox", name="電子郵件").fill("mei@example.com")
    panel.get_by_role("button", name="開始對話").click()

    message_box = panel.get_by_role("textbox", name="輸入訊息…")
    expect(message_box).to_be_visible(timeout=TIMEOUT)
    message_box.fill(TEXT)
    panel.get_by_role("button", name="傳送").click()
    sent = panel.get_by_role("log").get_by_role("listitem").filter(has_text=TEXT)
    expect(sent).to_have_count(1, timeout=TIMEOUT)
    expect(sent).to_contain_text("已送達", timeout=TIMEOUT)  # acked = committed
    expect(sent).not_to_contain_text("傳送中…")

    # Stored once, in one chat conversation.
    assert run_python(home, COUNT_CHAT).split() == ["1", "1"]

    store = f"lagniappe-chat:{key}"
    token = page.evaluate(f"JSON.parse(localStorage.getItem({store!r})).token")
    assert token

    # Back on the page later: same visitor, the conversation is still there, shown once.
    page.reload()
    page.get_by_role("button", name="與我們對話").click()
    expect(panel).to_be_visible(timeout=TIMEOUT)
    expect(sent).to_have_count(1, timeout=TIMEOUT)
    expect(sent).to_contain_text("已送達", timeout=TIMEOUT)
    expect(message_box).to_be_visible(timeout=TIMEOUT)
    assert page.evaluate(f"JSON.parse(localStorage.getItem({store!r})).token") == token
    # The socket is up again (the "connecting" line cleared) and nothing was resent.
    expect(panel.locator(".lgc-status")).to_have_text("", timeout=TIMEOUT)
    assert run_python(home, COUNT_CHAT).split() == ["1", "1"]

    page.screenshot(path=str(tmp_path / "chat-widget.png"))


REPLY_FIRST_CHAT = """
from lagniappe.conversations.models import Conversation
from lagniappe.conversations.services import message_send
from lagniappe.core.actors import SYSTEM
from lagniappe.staff.models import Agent
from lagniappe.staff.services import agent_create
conversation = Conversation.objects.get(channel_kind="chat")
agent = Agent.objects.filter(email="mei@insurer.test").first() or agent_create(
    actor=SYSTEM, organisation=conversation.brand.organisation, email="mei@insurer.test",
    display_name="Mei", brands=[conversation.brand])
message_send(actor=SYSTEM, conversation=conversation, author_id=agent.pk, text="您好,輪詢也收得到")
"""


def test_widget_falls_back_to_polling_when_websockets_are_blocked(
    server: tuple[Path, str, str], host_page: str, page: Page
) -> None:
    home, _base, _key = server
    # A network that blocks websockets: every socket fails before it opens.
    page.add_init_script(
        "window.WebSocket = function () { var s = {readyState: 3, send: function () {},"
        " close: function () {}}; setTimeout(function () { s.onclose && s.onclose({code: 1006});"
        " }, 10); return s; };"
    )
    page.goto(host_page)
    page.get_by_role("button", name="與我們對話").click()
    panel = page.get_by_role("dialog", name="與我們對話")
    message_box = panel.get_by_role("textbox", name="輸入訊息…")
    expect(message_box).to_be_visible(timeout=TIMEOUT)
    message_box.fill(TEXT)
    panel.get_by_role("button", name="傳送").click()
    sent = panel.get_by_role("log").get_by_role("listitem").filter(has_text=TEXT)
    expect(sent).to_contain_text("已送達", timeout=TIMEOUT * 3)  # acked over POST /send
    assert run_python(home, COUNT_CHAT).split() == ["1", "1"]

    run_python(home, REPLY_FIRST_CHAT)
    reply = panel.get_by_role("log").get_by_role("listitem").filter(has_text="輪詢也收得到")
    expect(reply).to_have_count(1, timeout=TIMEOUT * 3)  # fetched by POST /poll
    assert run_python(home, COUNT_CHAT).split() == ["1", "1"]


PAGES_AND_FILES = """
from lagniappe.channels.chat.models import VisitorState
from lagniappe.conversations.models import Attachment
state = VisitorState.objects.get()
print("|".join(page["url"].rsplit("/", 1)[-1] for page in state.pages))
print("|".join(page["title"] for page in state.pages))
print("|".join(Attachment.objects.values_list("filename", flat=True)))
"""


def test_visitor_pages_are_reported_and_their_file_is_stored_and_downloadable(
    server: tuple[Path, str, str], host_page: str, page: Page
) -> None:
    home, _base, _key = server
    page.goto(host_page)
    page.get_by_role("button", name="與我們對話").click()
    panel = page.get_by_role("dialog", name="與我們對話")
    panel.get_by_role("textbox", name="電子郵件").fill("mei@example.com")
    panel.get_by_role("button", name="開始對話").click()
    expect(panel.get_by_role("textbox", name="輸入訊息…")).to_be_visible(timeout=TIMEOUT)
    expect(panel.locator(".lgc-status")).to_have_text("", timeout=TIMEOUT)  # socket open

    # A single-page site navigates: pushState (title set just after) and a hash change.
    page.evaluate("history.pushState({}, '', 'plans.html'); document.title = '旅遊方案'")
    page.wait_for_function("document.title === '旅遊方案'")
    page.wait_for_timeout(600)  # the widget reports 300 ms after a navigation
    page.evaluate("location.hash = 'asia'")

    panel.locator("input[type=file]").set_input_files(
        files=[{"name": "保單.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 e2e"}]
    )
    item = panel.get_by_role("log").get_by_role("listitem").filter(has_text="保單.pdf")
    expect(item).to_have_count(1, timeout=TIMEOUT)
    expect(item).to_contain_text("已送達", timeout=TIMEOUT)
    with page.expect_download(timeout=TIMEOUT) as download:
        item.get_by_role("button", name="📎 保單.pdf (1 KB)").click()
    assert Path(download.value.path()).read_bytes() == b"%PDF-1.4 e2e"
    assert download.value.suggested_filename == "保單.pdf"

    def reported() -> bool:
        return run_python(home, PAGES_AND_FILES).splitlines()[0].endswith("plans.html#asia")

    wait_for(reported, timeout=10, what="the hash change reported")
    urls, titles, files = run_python(home, PAGES_AND_FILES).splitlines()
    assert urls == "index.html|plans.html|plans.html#asia"
    assert titles.split("|") == ["保險公司", "旅遊方案", "旅遊方案"]
    assert files == "保單.pdf"


SEED_ARTICLE = """
from lagniappe.core.actors import SYSTEM
from lagniappe.knowledge.services import article_create, article_publish, translation_save
from lagniappe.tenancy.models import Brand
article = article_create(actor=SYSTEM, brand=Brand.objects.get(), slug="renew")
translation_save(actor=SYSTEM, article=article, language="zh-Hant", title="如何續保",
                 body_html="<p>保單到期前可以線上續保。</p>")
article_publish(actor=SYSTEM, article=article)
"""


def test_articles_are_offered_and_emoji_are_picked_by_keyboard(
    server: tuple[Path, str, str], host_page: str, page: Page
) -> None:
    home, base, _key = server
    run_python(home, SEED_ARTICLE)
    page.goto(host_page)
    page.get_by_role("button", name="與我們對話").click()
    panel = page.get_by_role("dialog", name="與我們對話")
    panel.get_by_role("textbox", name="電子郵件").fill("mei@example.com")
    panel.get_by_role("button", name="開始對話").click()
    message_box = panel.get_by_role("textbox", name="輸入訊息…")
    expect(message_box).to_be_visible(timeout=TIMEOUT)

    message_box.press_sequentially("我的保單要續保")
    link = panel.get_by_role("link", name="如何續保")
    expect(link).to_be_visible(timeout=TIMEOUT)
    assert link.get_attribute("href") == f"{base}/help/insurer/articles/renew/"
    assert link.get_attribute("target") == "_blank"
    assert "noopener" in (link.get_attribute("rel") or "")

    # The emoji picker by keyboard: focus its button, Enter opens, Tab to the 2nd, Enter.
    picker = panel.get_by_role("button", name="表情符號")
    picker.focus()
    page.keyboard.press("Enter")
    expect(panel.get_by_role("group", name="表情符號")).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(message_box).to_have_value("我的保單要續保😂")
    expect(panel.get_by_role("group", name="表情符號")).to_be_hidden()
    picker.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")  # closes the picker, not the chat
    expect(panel.get_by_role("group", name="表情符號")).to_be_hidden()
    expect(panel).to_be_visible()

    panel.get_by_role("button", name="傳送").click()
    sent = panel.get_by_role("log").get_by_role("listitem").filter(has_text="續保😂")
    expect(sent).to_contain_text("已送達", timeout=TIMEOUT)
    expect(link).to_be_hidden()  # only while the first message is typed

    # The transcript: this install has no mailbox, so the widget says it could not be sent.
    panel.get_by_role("button", name="以電子郵件寄送對話紀錄").click()
    expect(panel.get_by_role("textbox", name="電子郵件")).to_have_value("mei@example.com")
    panel.get_by_role("button", name="寄送對話紀錄", exact=True).click()
    expect(panel.locator(".lgc-status")).to_have_text("無法寄送對話紀錄。", timeout=TIMEOUT)
