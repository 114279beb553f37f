"""Issue #6, point 1, in a real browser: a department champion writes an article in
Traditional Chinese in the workspace, previews it, publishes it, and a customer finds it with
the help centre's search; the editor's pages have no serious accessibility violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from lagniappe.core.actors import SYSTEM
from lagniappe.knowledge.models import Article
from lagniappe.staff.models import Role
from lagniappe.staff.services import agent_create
from tests.e2e.test_accessibility import _blocking_violations

pytestmark = pytest.mark.e2e

TIMEOUT = 10_000  # ms: a cold server and a cold browser
TITLE = "如何申請旅遊保險理賠"
BODY = "<p>請在回國後三十天內上傳<b>機票</b>與收據。</p>"


def test_an_editor_publishes_an_article_that_customers_then_find(
    live_server, world, browser: Browser
):
    agent_create(
        actor=SYSTEM,
        organisation=world.organisation,
        email="chen@insurer.test",
        display_name="陳冠宇",
        password="pw-champion",
        brands=[world.insurer],
        role=Role.CHAMPION,
        ui_language="zh-Hant",
    )
    desk = browser.new_context(locale="zh-TW")
    page = desk.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{live_server.url}/login")
    page.locator("input[name=username], input[name=email]").first.fill("chen@insurer.test")
    page.locator("input[type=password]").fill("pw-champion")
    page.locator("form[action='/login'] button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")

    page.locator("header nav a[href='/knowledge/']").click()
    expect(page.locator("table.kb-articles")).to_be_visible()
    assert _blocking_violations(page) == []
    page.locator(".kb-head a.button").click()

    page.locator("select[name=language]").select_option("zh-Hant")
    page.locator("input[name=title]").fill(TITLE)
    body = page.locator("textarea[name=body_html]")
    body.fill("急件")
    body.evaluate("area => area.setSelectionRange(0, 2)")
    page.locator(".kb-toolbar button[data-wrap='<strong>']").click()  # the toolbar wraps it
    expect(body).to_have_value("<strong>急件</strong>")
    body.fill(BODY + "<script>alert(1)</script>")
    page.locator("input[name=category]").fill("旅遊保險")
    page.locator("button[hx-post='/knowledge/preview']").click()
    expect(page.locator("#kb-preview b")).to_have_text("機票")
    expect(page.locator("#kb-preview script")).to_have_count(0)
    assert _blocking_violations(page) == []
    page.locator("button[name=action][value=save]").click()

    expect(page.locator("h1")).to_have_text(TITLE)
    article = Article.objects.get(brand=world.insurer)
    assert article.status == Article.Status.DRAFT
    assert _blocking_violations(page) == []
    page.locator(f"form[action='/knowledge/{article.pk}/publish'] button[type=submit]").click()
    expect(page.locator("#kb-status")).to_have_class("status status-resolved")
    desk.close()

    customer = browser.new_context(locale="zh-TW")
    portal = customer.new_page()
    portal.set_default_timeout(TIMEOUT)
    portal.goto(f"{live_server.url}/help/insurance/")
    portal.locator("#portal-q").fill("旅遊理賠")
    portal.locator("form.search button[type=submit]").click()
    result = portal.locator(".result a").first
    expect(result).to_have_text(TITLE)
    result.click()
    expect(portal.locator("article.body")).to_contain_text("機票")
    customer.close()
