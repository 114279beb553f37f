"""Collision detection in two browsers: two agents open the same conversation, each sees the
other viewing it, then typing, and the line goes when the other leaves."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.served import TIMEOUT, Served, live_socket_open, served, signed_in_page
from tests.test_cli import wait_for

pytestmark = pytest.mark.e2e
__all__ = ["served"]  # the fixture, imported for the test below


def test_two_agents_see_each_other_view_and_type(served: Served, browser: Browser) -> None:
    served.post_inbound("住所を変更したいです。", "ichiro@example.jp", name="鈴木一郎")
    wait_for(lambda: served.inbound_count() == 1, what="the message processed")
    url = f"{served.base}/conversations/{served.conversation_ids()[0]}"

    taro = signed_in_page(browser, served, "taro@bank.test", "pw-taro")
    taro.goto(url)
    live_socket_open(taro)
    hana = signed_in_page(browser, served, "hana@bank.test", "pw-hana")
    hana.goto(url)
    live_socket_open(hana)

    # Each sees the other viewing (the interface is in Japanese: the browsers ask for ja).
    expect(taro.locator("#presence")).to_contain_text("佐藤花子", timeout=TIMEOUT)
    expect(hana.locator("#presence")).to_contain_text("山田太郎", timeout=TIMEOUT)
    expect(taro.locator("#presence .presence-viewing")).to_have_count(1, timeout=TIMEOUT)

    # Hana types a reply: Taro sees her typing.
    hana.locator("#reply-text").click()
    hana.keyboard.type("ご連絡ありがとうございます")
    expect(taro.locator("#presence .presence-typing")).to_contain_text("佐藤花子", timeout=TIMEOUT)
    # Neither sees themself.
    expect(taro.locator("#presence")).not_to_contain_text("山田太郎")
    expect(hana.locator("#presence")).not_to_contain_text("佐藤花子")

    # Hana leaves: Taro's line about her goes.
    hana.context.close()
    expect(taro.locator("#presence")).not_to_contain_text("佐藤花子", timeout=TIMEOUT)
