"""Per-brand, per-language reply templates: header, footer, signature, in text and HTML."""

from __future__ import annotations

import email
from email import policy

import pytest
from django.test import Client
from django.urls import reverse

from lagniappe.channels import inbound
from lagniappe.channels.email.models import EmailTemplate, TemplateKind
from lagniappe.channels.email.template_defaults import AUTO_REPLY, REPLY
from lagniappe.channels.email.templates import auto_reply_render, reply_render
from lagniappe.conversations.models import Conversation
from lagniappe.conversations.services import message_send
from lagniappe.core.actors import SYSTEM
from lagniappe.core.languages import Language

from .conftest import eml
from .smtp_capture import smtp_capture

VALUES = {
    "customer_name": "<i>Wang</i>",
    "brand_name": "Harbour & Co",
    "agent_name": "林美惠",
    "conversation_id": "7",
    "subject": "理赔",
    "mailbox_address": "support@insurer.test",
}


def test_built_in_templates_exist_in_all_five_languages():
    for code in Language.values:
        assert "{reply}" in REPLY[code].text
        assert "{conversation_id}" in AUTO_REPLY[code].text and AUTO_REPLY[code].subject


@pytest.mark.parametrize("language", Language.values)
def test_every_language_renders_with_values_escaped(world, language):
    reply = reply_render(
        brand_id=world.insurer.pk, language=language, fallback_language="", values=VALUES,
        reply_text="Hello\n\nsecond", reply_html="<p>Hello</p><script>x</script>",
    )  # fmt: skip
    assert reply.text.startswith("Hello\n\nsecond") and "林美惠" in reply.text
    assert "<p>Hello</p>" in reply.html and "<script" not in reply.html
    assert "Harbour &amp; Co" in reply.html
    ack = auto_reply_render(
        brand_id=world.insurer.pk, language=language, fallback_language="", values=VALUES
    )
    assert "#7" in ack.text and "&lt;i&gt;Wang&lt;/i&gt;" in ack.html and "<i>" not in ack.html


def test_brand_template_for_the_language_wins_then_the_default(world):
    EmailTemplate.objects.create(
        brand=world.insurer, kind=TemplateKind.REPLY, language="ja",
        text="いつもお世話になっております。\n\n{reply}\n\n{agent_name}（{brand_name}）",
        html="<p>いつも</p>{reply}<footer>{agent_name}</footer>",
    )  # fmt: skip
    own = reply_render(
        brand_id=world.insurer.pk, language="ja", fallback_language="en", values=VALUES,
        reply_text="確認しました。", reply_html="",
    )  # fmt: skip
    assert own.text == "いつもお世話になっております。\n\n確認しました。\n\n林美惠（Harbour & Co）"
    assert own.html.startswith("<p>いつも</p><p>確認しました。</p>")
    # Another brand, or another language, is not served by it.
    other = reply_render(
        brand_id=world.bank.pk, language="ja", fallback_language="", values=VALUES,
        reply_text="確認しました。", reply_html="",
    )  # fmt: skip
    assert "いつも" not in other.text and "受付番号 #7" in other.text
    # An unknown language falls back to the mailbox's, then English.
    fallback = reply_render(
        brand_id=world.insurer.pk, language="", fallback_language="ja", values=VALUES,
        reply_text="ok", reply_html="",
    )  # fmt: skip
    assert fallback.text.startswith("いつも")


def test_reply_is_sent_in_the_brands_template(world, mailbox, run_tasks):
    EmailTemplate.objects.create(
        brand=world.insurer, kind=TemplateKind.REPLY, language="zh-Hant",
        text="{customer_name} 您好：\n\n{reply}\n\n{agent_name}\n{brand_name}",
    )  # fmt: skip
    # A Traditional Chinese mail: the conversation speaks zh-Hant, the template's language.
    inbound.accept(endpoint=mailbox, raw=eml("zh_hant_big5_hkscs.eml"))
    run_tasks()
    conversation = Conversation.objects.get()
    assert conversation.language == "zh-Hant"
    with smtp_capture() as (capture, port):
        mailbox.settings = {**mailbox.settings, "smtp": {"host": "127.0.0.1", "port": port}}
        mailbox.save(update_fields=["settings"])
        message_send(
            actor=SYSTEM, conversation=conversation, author_id=world.insurer_agent.pk,
            text="已受理。",
        )  # fmt: skip
        run_tasks()
    sent = email.message_from_bytes(capture.received[0].original_content, policy=policy.default)
    text = sent.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.strip().endswith("已受理。\n\n林美惠\nHarbour Insurance")
    html = sent.get_body(("html",)).get_content()
    assert "<p>已受理。</p>" in html and "林美惠" in html


def test_admin_refuses_unknown_placeholders_and_saves_good_ones(world):
    client = Client()
    client.force_login(world.admin)
    url = reverse("admin:channel_email_emailtemplate_add")
    assert "{reply}" in client.get(url).content.decode()  # starts from the built-in template
    form = {"brand": world.insurer.pk, "kind": "reply", "language": "en", "subject": "",
            "text": "{reply}\n{agnet_name}", "html": ""}  # fmt: skip
    refused = client.post(url, form)
    assert refused.status_code == 200 and "{agnet_name}" in refused.content.decode()
    assert not EmailTemplate.objects.exists()
    form["text"] = "{reply}\n{agent_name}"
    assert client.post(url, form).status_code == 302
    assert EmailTemplate.objects.get().text.splitlines() == ["{reply}", "{agent_name}"]
