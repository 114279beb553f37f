"""Issue #6's journeys in a real browser.

A customer searches the help centre in Traditional Chinese, opens the (Simplified Chinese)
article found, answers "no", asks for a person and writes through the web form; the agent then
sees the searches and the article read in the new conversation, and the visit is not counted as
deflected. A customer signs in with the link mailed to them, reads and answers their
conversation; axe-core finds no serious violation on those pages.
"""

from __future__ import annotations

import json
import re
from email import message_from_bytes
from email.policy import default as default_policy
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from lagniappe.channels import inbound
from lagniappe.channels.services import endpoint_create
from lagniappe.conversations.models import Conversation
from lagniappe.core.actors import SYSTEM
from lagniappe.knowledge.models import ArticleFeedback, PortalVisit
from tests.channels.email.smtp_capture import smtp_capture
from tests.e2e.test_accessibility import _blocking_violations
from tests.portal.conftest import article_make

pytestmark = pytest.mark.e2e

TIMEOUT = 10_000  # ms: a cold server and a cold browser
QUERY = "搜尋退款"


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-TW"}


def test_customer_asks_for_a_person_and_the_agent_sees_what_they_tried(
    live_server, world, run_tasks, browser: Browser
):
    article_make(
        world.insurer,
        "refund",
        {"zh-Hans": ("退款申请", "<p>如何使用搜索功能申请退款。</p>")},
        category="理赔",
    )
    customer = browser.new_context(locale="zh-TW")
    page = customer.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{live_server.url}/help/insurance/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")

    page.locator("#portal-q").fill(QUERY)
    page.locator("form.search button[type=submit]").click()
    result = page.locator(".result a").first
    expect(result).to_have_text("退款申请")
    result.click()
    expect(page.locator("article.body h1")).to_have_text("退款申请")

    page.locator("#feedback textarea").fill("我想知道進度")
    page.locator("#feedback button[name=helpful][value=no]").click()
    expect(page.locator("#feedback form")).to_have_count(0)  # the thank-you partial replaced it

    page.locator(".contact a.button").click()
    expect(page.locator("input[name=searches]")).to_have_value(QUERY)
    page.locator("#id_email").fill("chen@example.tw")
    page.locator("#id_subject").fill("退款進度")
    page.locator("#id_message").fill("我申請退款兩週了，還沒有消息。")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("[role=status]")).to_be_visible()
    page.wait_for_load_state("networkidle")  # the thank-you page's beacon to the help centre
    customer.close()

    run_tasks()
    conversation = Conversation.objects.get(brand=world.insurer)
    feedback = ArticleFeedback.objects.get()
    assert feedback.helpful is False and feedback.reason == "我想知道進度"
    visit = PortalVisit.objects.get(brand=world.insurer)
    assert visit.article_views >= 1 and visit.contacted

    agent = browser.new_context(locale="en-GB")
    desk = agent.new_page()
    desk.set_default_timeout(TIMEOUT)
    desk.goto(f"{live_server.url}/login")
    desk.get_by_label("Email").fill("mei@insurer.test")
    desk.get_by_label("Password").fill("pw-insurer")
    desk.locator("form[action='/login'] button[type=submit]").click()
    desk.goto(f"{live_server.url}/conversations/{conversation.pk}")
    timeline = desk.locator("#timeline")
    expect(timeline).to_contain_text("我申請退款兩週了")
    expect(timeline).to_contain_text(f"[help centre] searches: {QUERY}")
    expect(timeline).to_contain_text("[help centre] articles: 退款申请")
    agent.close()


def test_customer_signs_in_with_the_mailed_link_and_answers(
    live_server, world, run_tasks, browser: Browser
):
    body = {"customer": {"email": "chen@example.tw"}, "text": "保單何時到期？", "external_id": "1"}
    inbound.accept(endpoint=world.insurer_api, raw=json.dumps(body).encode())
    run_tasks()
    conversation = Conversation.objects.get()
    context = browser.new_context(locale="zh-TW")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    with smtp_capture() as (capture, port):
        endpoint_create(
            actor=SYSTEM,
            brand=world.insurer,
            kind="email",
            name="Help mailbox",
            settings={"address": "help@insurer.test", "smtp": {"host": "127.0.0.1", "port": port}},
        )
        page.goto(f"{live_server.url}/help/insurance/sign-in")
        assert _blocking_violations(page) == []
        page.locator("section.panel input[type=email]").fill("chen@example.tw")
        page.locator("section.panel form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/help/insurance/sign-in/sent"))
        run_tasks()
        mail = message_from_bytes(capture.received[0].content, policy=default_policy)
    link = re.search(r"http\S+/sign-in/\S+", mail.get_body(("plain",)).get_content())
    assert link is not None
    page.goto(link.group(0))
    page.locator("section.panel form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/help/insurance/conversations/")
    assert _blocking_violations(page) == []
    page.locator(f"a[href='/help/insurance/conversations/{conversation.pk}/']").click()
    expect(page.locator("ol.messages")).to_contain_text("保單何時到期？")
    assert _blocking_violations(page) == []
    page.locator("form.reply textarea").fill("我補充一下保單號碼：A-123")
    page.locator("form.reply button[type=submit]").click()
    expect(page.locator(".notice")).to_be_visible()
    run_tasks()
    page.reload()
    expect(page.locator("ol.messages")).to_contain_text("A-123")
    context.close()
