"""A new inbound message arrives live: in the conversation open in one browser context, and
in another context's inbox list and view counts, without a reload (against `lagniappe
serve`, the API as the customer's channel)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.served import TIMEOUT, Served, live_socket_open, served, signed_in_page
from tests.test_cli import wait_for

pytestmark = pytest.mark.e2e
__all__ = ["served"]  # the fixture, imported for the tests below


def test_new_messages_appear_live_in_the_conversation_the_list_and_the_counts(
    served: Served, browser: Browser
) -> None:
    served.post_inbound("カードを紛失しました。", "hanako@example.jp", name="山本花子")
    wait_for(lambda: served.inbound_count() == 1, what="the first message processed")
    conversation_id = served.conversation_ids()[0]

    reader = signed_in_page(browser, served, "taro@bank.test", "pw-taro")
    reader.goto(f"{served.base}/conversations/{conversation_id}")
    expect(reader.locator("#timeline")).to_contain_text("カードを紛失しました", timeout=TIMEOUT)
    live_socket_open(reader)

    inbox = signed_in_page(browser, served, "hana@bank.test", "pw-hana")
    inbox.goto(f"{served.base}/?view=unassigned")
    expect(inbox.locator("[data-row]")).to_have_count(1, timeout=TIMEOUT)
    unassigned = inbox.locator("nav.views a[href='?view=unassigned'] .count")
    expect(unassigned).to_have_text("1")
    live_socket_open(inbox)
    # A reload would drop these marks: they prove the pages were updated in place.
    for page in (reader, inbox):
        page.evaluate("window.__notReloaded = true")

    # The same customer writes again, into the open conversation.
    served.post_inbound(
        "再発行の手続きを教えてください。", "hanako@example.jp", conversation_id=conversation_id
    )
    expect(reader.locator("#timeline")).to_contain_text("再発行の手続き", timeout=TIMEOUT)
    expect(reader.locator("#timeline .message-in")).to_have_count(2, timeout=TIMEOUT)

    # Another customer opens a new conversation: a new row and a new count in the inbox.
    served.post_inbound("振込が反映されていません。", "ken@example.jp", name="佐藤健")
    expect(inbox.locator("[data-row]")).to_have_count(2, timeout=TIMEOUT)
    expect(inbox.locator("#inbox-rows")).to_contain_text(
        "振込が反映されていません", timeout=TIMEOUT
    )
    expect(unassigned).to_have_text("2", timeout=TIMEOUT)

    for page in (reader, inbox):
        assert page.evaluate("window.__notReloaded === true")
    # Only the new conversation's row arrived in the reader's conversation: nothing else.
    expect(reader.locator("#timeline")).not_to_contain_text("振込が反映されていません")
