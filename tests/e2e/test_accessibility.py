"""axe-core (vendored, tests/e2e/vendor) finds no serious or critical violation on the inbox
and conversation pages, in English and in Japanese; the keyboard alone reaches the composer
and the controls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from lagniappe.channels import inbound
from lagniappe.conversations.models import Conversation

pytestmark = pytest.mark.e2e

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
BLOCKING = {"serious", "critical"}


def _conversation(world, run_tasks) -> Conversation:
    body = {
        "customer": {"email": "hanako@example.jp", "name": "山本花子"},
        "subject": "カードの再発行",
        "text": "キャッシュカードを紛失しました。再発行の手続きを教えてください。",
        "language": "ja",
        "external_id": "a11y-1",
    }
    inbound.accept(endpoint=world.bank_api, raw=json.dumps(body, ensure_ascii=False).encode())
    run_tasks()
    return Conversation.objects.get()


def _sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Email").fill("taro@bank.test")
    page.get_by_label("Password").fill("pw-bank")
    page.locator("form[action='/login'] button[type=submit]").click()
    expect(page).to_have_url(f"{url}/")


def _blocking_violations(page: Page) -> list[str]:
    # Evaluated through the DevTools protocol, so the page's own CSP does not apply to it.
    page.evaluate(AXE)
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def test_axe_finds_no_serious_violation(live_server, world, run_tasks, page: Page):
    conversation = _conversation(world, run_tasks)
    page.set_viewport_size({"width": 1400, "height": 860})
    _sign_in(page, live_server.url)
    for language in ("en", "ja"):
        if language == "ja":
            page.locator("#header-ui-language").select_option("ja")
            page.locator("form.language-picker button[type=submit]").click()
            expect(page.locator("html")).to_have_attribute("lang", "ja")
        for path in ("/?view=unassigned", f"/conversations/{conversation.pk}"):
            page.goto(f"{live_server.url}{path}")
            assert _blocking_violations(page) == [], (language, path)


def test_keyboard_alone_reaches_the_composer_and_controls(
    live_server, world, run_tasks, page: Page
):
    conversation = _conversation(world, run_tasks)
    _sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/conversations/{conversation.pk}")
    wanted = {"reply-text", "note-text", "controls-status", "transfer-target", "transfer-note"}
    reached: set[str] = set()
    for _ in range(120):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("() => document.activeElement && document.activeElement.id"))
        if wanted <= reached:
            break
    assert wanted <= reached, wanted - reached
    # And a focused control is visibly marked (not only by colour the browser may drop).
    page.locator("#reply-text").focus()
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
