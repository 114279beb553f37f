"""A bounced or automatic reply shows as such in the workspace and the API; cc via the API."""

from __future__ import annotations

import email
import json
from email import policy

from django.test import Client
from django.urls import reverse

from lagniappe.channels import inbound
from lagniappe.channels.email.models import EmailBrandSettings
from lagniappe.channels.models import DeliveryStatus, OutboundDelivery
from lagniappe.conversations.models import Conversation, Message
from lagniappe.conversations.services import message_send
from lagniappe.core.actors import SYSTEM

from .conftest import eml
from .smtp_capture import smtp_capture


def _smtp(mailbox, port: int) -> None:
    mailbox.settings = {**mailbox.settings, "smtp": {"host": "127.0.0.1", "port": port}}
    mailbox.save(update_fields=["settings"])


def _conversation(mailbox, run_tasks) -> Conversation:
    inbound.accept(endpoint=mailbox, raw=eml("zh_hans_gb2312_new.eml"))
    run_tasks()
    return Conversation.objects.get()


def _api(token: str, method: str, path: str, body: object = None):
    client = Client()
    headers = {"Authorization": f"Bearer {token}"}
    if method == "GET":
        return client.get(f"/api/v1{path}", headers=headers)
    return client.post(
        f"/api/v1{path}",
        data=json.dumps(body, ensure_ascii=False).encode(),
        content_type="application/json",
        headers=headers,
    )


def test_a_bounce_shows_on_the_message_in_the_workspace_and_the_api(world, mailbox, run_tasks):
    conversation = _conversation(mailbox, run_tasks)
    with smtp_capture() as (_capture, port):
        _smtp(mailbox, port)
        reply = message_send(
            actor=SYSTEM, conversation=conversation, author_id=world.insurer_agent.pk,
            text="您好，已收到。",
        )  # fmt: skip
        run_tasks()
    delivery = OutboundDelivery.objects.get(message=reply)
    raw = eml("dsn_postfix_user_unknown.eml").replace(
        b"{MESSAGE_ID}", delivery.external_id.encode("ascii")
    )
    inbound.accept_and_process(endpoint=mailbox, raw=raw)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED

    client = Client()
    client.force_login(world.insurer_agent)
    page = client.get(reverse("workspace:conversation-detail", args=[conversation.pk]))
    html = page.content.decode()
    article = html[html.index(f'id="message-{reply.pk}"') :]
    article = article[: article.index("</article>")]
    assert "delivery-error" in article and "5.1.1" in article

    listed = _api(world.insurer_token, "GET", f"/conversations/{conversation.pk}/messages")
    assert listed.status_code == 200
    [out] = [m for m in listed.json()["items"] if m["id"] == reply.pk]
    assert out["delivery"]["status"] == "failed"
    assert out["delivery"]["last_error"].startswith("bounce: ")
    assert out["delivery"]["automatic"] is False


def test_an_acknowledgement_is_marked_automatic(world, mailbox, run_tasks):
    EmailBrandSettings.objects.create(brand=world.insurer, auto_reply_enabled=True)
    conversation = _conversation(mailbox, run_tasks)
    automatic = Message.objects.get(direction="out")
    client = Client()
    client.force_login(world.insurer_agent)
    html = client.get(reverse("workspace:conversation-detail", args=[conversation.pk]))
    article = html.content.decode().split(f'id="message-{automatic.pk}"', 1)[1]
    assert "Automatic acknowledgement" in article.split("</header>", 1)[0]
    listed = _api(world.insurer_token, "GET", f"/conversations/{conversation.pk}/messages")
    [out] = [m for m in listed.json()["items"] if m["id"] == automatic.pk]
    assert out["delivery"]["automatic"] is True and out["author"] is None


def test_api_reply_with_cc_is_validated_stored_and_sent(world, mailbox, run_tasks):
    conversation = _conversation(mailbox, run_tasks)
    path = f"/conversations/{conversation.pk}/messages"
    bad = _api(world.insurer_token, "POST", path, {"text": "x", "cc": ["not an address"]})
    assert bad.status_code == 422
    injected = _api(
        world.insurer_token, "POST", path, {"text": "x", "cc": ["a@x.test\r\nBcc: e@vil.test"]}
    )
    assert injected.status_code in (400, 422)
    too_many = _api(
        world.insurer_token, "POST", path,
        {"text": "x", "cc": [f"p{i}@x.test" for i in range(21)]},
    )  # fmt: skip
    assert too_many.status_code in (400, 422)
    assert not Message.objects.filter(direction="out").exists()
    with smtp_capture() as (capture, port):
        _smtp(mailbox, port)
        created = _api(
            world.insurer_token, "POST", path,
            {"text": "已抄送。", "cc": ["Agent.Two@Partner.test", "agent.two@partner.test",
                                         "法务 <legal@partner.test>"]},
        )  # fmt: skip
        assert created.status_code == 422  # "name <address>" is not an address
        created = _api(
            world.insurer_token, "POST", path,
            {"text": "已抄送。", "cc": ["Agent.Two@Partner.test", "agent.two@partner.test",
                                         "legal@partner.test"]},
        )  # fmt: skip
        assert created.status_code == 201, created.content
        run_tasks()
    body = created.json()
    assert body["cc"] == ["Agent.Two@Partner.test", "legal@partner.test"]
    [envelope] = capture.received
    assert envelope.rcpt_tos == ["wang.zhe@example.cn", "Agent.Two@Partner.test",
                                 "legal@partner.test"]  # fmt: skip
    sent = email.message_from_bytes(envelope.original_content, policy=policy.default)
    assert [a.addr_spec for a in sent["Cc"].addresses] == [
        "Agent.Two@Partner.test", "legal@partner.test"]  # fmt: skip


def test_api_cc_on_a_conversation_of_another_channel_is_refused(world, run_tasks):
    body = {"customer": {"email": "chen@example.tw", "name": "陳"}, "text": "你好"}
    inbound.accept(endpoint=world.insurer_api, raw=json.dumps(body).encode())
    run_tasks()
    conversation = Conversation.objects.get()
    refused = _api(
        world.insurer_token, "POST", f"/conversations/{conversation.pk}/messages",
        {"text": "x", "cc": ["a@x.test"]},
    )  # fmt: skip
    assert refused.status_code == 422
    # Another brand's conversation is not found, cc or not.
    other = _api(
        world.bank_token, "POST", f"/conversations/{conversation.pk}/messages",
        {"text": "x", "cc": ["a@x.test"]},
    )  # fmt: skip
    assert other.status_code == 404
