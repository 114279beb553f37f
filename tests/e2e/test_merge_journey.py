"""Merging two conversations in the browser, against `lagniappe serve`: an agent finds the
target by its number, previews it, cancels, previews again and merges; meanwhile another
agent's page of the target shows the moved message and a page of the merged conversation
shows where it went — both without a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.served import TIMEOUT, Served, live_socket_open, served, signed_in_page
from tests.e2e.test_accessibility import _blocking_violations
from tests.test_cli import wait_for

pytestmark = pytest.mark.e2e
__all__ = ["served"]  # the fixture, imported for the tests below


def test_an_agent_previews_and_merges_and_open_pages_follow_live(
    served: Served, browser: Browser
) -> None:
    served.post_inbound(
        "カードを紛失しました。", "hanako@example.jp", name="山本花子", subject="カード紛失"
    )
    served.post_inbound(
        "再発行の手続きを教えてください。",
        "hana.y@example.jp",
        name="<b>山本</b>",
        subject="再発行",
    )
    wait_for(lambda: served.inbound_count() == 2, what="both messages processed")
    target, source = served.conversation_ids()

    on_target = signed_in_page(browser, served, "hana@bank.test", "pw-hana")
    on_target.goto(f"{served.base}/conversations/{target}")
    on_source = signed_in_page(browser, served, "hana@bank.test", "pw-hana")
    on_source.goto(f"{served.base}/conversations/{source}")
    for page in (on_target, on_source):
        live_socket_open(page)
        page.evaluate("window.__notReloaded = true")
    expect(on_target.locator("#timeline")).not_to_contain_text("再発行の手続き")

    merger = signed_in_page(browser, served, "taro@bank.test", "pw-taro")
    merger.goto(f"{served.base}/conversations/{source}")

    def preview() -> None:
        merger.locator("details.merge summary").click()
        merger.locator("#merge-q").fill(f"#{target}")
        merger.locator("details.merge form[role=search] button[type=submit]").click()
        expect(merger).to_have_url(f"{served.base}/conversations/{source}/merge?q=%23{target}")
        sides = merger.locator("table.merge-sides")
        expect(sides.locator(".merge-target-subject")).to_have_text(f"#{target} カード紛失")
        expect(sides.locator(".merge-target-customer")).to_have_text("山本花子")
        expect(merger.locator("[data-count=messages]")).to_have_text("1")

    # Preview, then cancel: back on the conversation, nothing merged.
    preview()
    assert _blocking_violations(merger) == []
    # The other customer's name is shown as text, never as markup.
    expect(merger.locator("table.merge-sides")).to_contain_text("<b>山本</b>")
    merger.locator(".merge-confirm a").click()
    expect(merger).to_have_url(f"{served.base}/conversations/{source}")
    expect(merger.locator("#merged-banner")).to_have_count(0)
    expect(merger.locator("#timeline")).to_contain_text("再発行の手続き")

    # Preview again and merge: the agent lands on the conversation that remains.
    preview()
    merger.locator(".merge-confirm button[type=submit]").click()
    expect(merger).to_have_url(f"{served.base}/conversations/{target}", timeout=TIMEOUT)
    expect(merger.locator("#timeline")).to_contain_text("再発行の手続き")
    expect(merger.locator("#timeline")).to_contain_text("カードを紛失しました")

    # The other agent's target page shows the moved message, in place.
    expect(on_target.locator("#timeline")).to_contain_text("再発行の手続き", timeout=TIMEOUT)
    expect(on_target.locator("#timeline .message-in")).to_have_count(2, timeout=TIMEOUT)
    # The merged conversation's open page says where it went and takes no more writing.
    banner = on_source.locator("#merged-banner")
    expect(banner).to_be_visible(timeout=TIMEOUT)
    expect(banner.locator(f"a[href='/conversations/{target}']")).to_have_text("カード紛失")
    expect(on_source.locator(".composer")).to_have_count(0)
    expect(on_source.locator("#controls")).to_have_count(0)
    for page in (on_target, on_source):
        assert page.evaluate("window.__notReloaded === true")
    assert _blocking_violations(on_source) == []

    # The banner's link leads to the conversation that remains.
    banner.locator("a").click()
    expect(on_source).to_have_url(f"{served.base}/conversations/{target}")
    expect(on_source.locator("#timeline .message-in")).to_have_count(2)
