"""A corpus of script-injection payloads, put by customers where they control text (name,
subject, message text and HTML, attachment file name) and by an agent in a note, rendered in
chromium on every workspace page that shows them: no payload ever runs.

Each payload, if it ran, would call `window.__xss(...)` or open a dialog; the page records
both, and the test fails on either."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import encode_multipart
from playwright.sync_api import Page, expect

from lagniappe.channels import inbound
from lagniappe.conversations.models import Attachment, Conversation
from lagniappe.conversations.services import note_add
from lagniappe.core.actors import Actor

pytestmark = pytest.mark.e2e

PAYLOADS = (
    "<script>__xss('script')</script>",
    "<img src=x onerror=__xss('img')>",
    "<svg/onload=__xss('svg')>",
    '"><script>__xss("attr-break")</script>',
    "'><img src=x onerror=__xss('single-quote')>",
    "</textarea><script>__xss('textarea')</script>",
    "</title><script>__xss('title')</script>",
    "<iframe srcdoc=\"<script>parent.__xss('srcdoc')</script>\"></iframe>",
    "<a href=\"javascript:__xss('href')\">click</a>",
    "<details open ontoggle=__xss('details')>",
    "<body onload=__xss('body')>",
    "{{ 7*7 }}<style>@import 'javascript:__xss(1)';</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=__xss('mxss')>",
    "<div hx-get=/logout hx-trigger=load>htmx</div>",
    "`${__xss('template')}`",
)

BOUNDARY = "----lagniappe-xss"

CATCHER = """
window.__xssHits = [];
window.__xss = function (where) { window.__xssHits.push(String(where)); };
window.alert = window.confirm = window.prompt = function (m) { window.__xss('dialog:' + m); };
"""


def _seed(world, run_tasks) -> list[Conversation]:  # type: ignore[no-untyped-def]
    for index, payload in enumerate(PAYLOADS):
        body = {
            "customer": {"email": f"x{index}@example.tw", "name": payload},
            "subject": payload,
            "text": payload,
            "html": f"<p>{payload}</p>",
            "external_id": f"xss-{index}",
        }
        inbound.accept(
            endpoint=world.insurer_api, raw=json.dumps(body, ensure_ascii=False).encode()
        )
        # The same customer again through the web form, with the payload as a file name.
        form = encode_multipart(
            BOUNDARY,
            {
                "email": f"x{index}@example.tw",
                "name": payload,
                "message": payload,
                "attachments": SimpleUploadedFile(
                    f"{payload}.txt", b"hello", content_type="text/plain"
                ),
            },
        )
        inbound.accept(
            endpoint=world.insurer_form,
            raw=form,
            content_type=f"multipart/form-data; boundary={BOUNDARY}",
        )
    run_tasks()
    conversations = list(Conversation.objects.order_by("id"))
    agent = world.insurer_agent
    for conversation, payload in zip(conversations, PAYLOADS, strict=False):
        note_add(
            actor=Actor.agent(agent.pk, agent.email),
            conversation=conversation,
            author_id=agent.pk,
            text=payload,
        )
    return conversations


def test_no_payload_runs_on_any_workspace_page(  # type: ignore[no-untyped-def]
    live_server, world, run_tasks, page: Page
):
    conversations = _seed(world, run_tasks)
    assert Attachment.objects.count() == len(PAYLOADS)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.add_init_script(CATCHER)

    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email").fill(world.insurer_agent.email)
    page.get_by_label("Password").fill("pw-insurer")
    page.locator("form[action='/login'] button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")

    pages = [
        "/?view=all_open",
        "/?view=unassigned",
        "/?q=script",
        "/notifications",
        *(f"/conversations/{c.pk}" for c in conversations),
        *(f"/customers/{c.customer_id}" for c in conversations[:3]),
    ]
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        hits = page.evaluate("window.__xssHits")
        assert hits == [], f"{path}: {hits}"
    assert dialogs == []

    # The payloads are shown as text, not swallowed: the agent can read what was sent.
    page.goto(f"{live_server.url}/conversations/{conversations[1].pk}")
    expect(page.locator("#timeline")).to_contain_text("<img src=x onerror=__xss('img')>")

    # The catcher itself works: markup that does run is caught (so the checks above can fail).
    page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', \"<img src=x onerror=__xss('probe')>\")"
    )
    page.wait_for_function("window.__xssHits.length > 0")
    assert page.evaluate("window.__xssHits") == ["probe"]
