"""The composer fits the conversation's channel: email (subject, cc, attachments), chat
(quick send), the rest text only; cc and attachments reach the mail that leaves by SMTP."""

from __future__ import annotations

import email
import json
from email import policy

from django.core.files.uploadedfile import SimpleUploadedFile

from lagniappe.channels import inbound
from lagniappe.channels.chat.adapter import envelope_raw
from lagniappe.channels.models import DeliveryStatus, OutboundDelivery
from lagniappe.channels.services import endpoint_create
from lagniappe.conversations.models import Attachment, Conversation, Message
from lagniappe.core.actors import SYSTEM
from tests.channels.email.smtp_capture import smtp_capture
from tests.workspace.conftest import assert_every_field_labelled

HX = {"HTTP_HX_REQUEST": "true"}

MAIL = """From: =?utf-8?b?5rSq5aWz5aOr?= <hung@example.tw>
To: support@insurer.test
Subject: =?utf-8?b?55CG6LOg6YCy5bqm?=
Message-ID: <claim-1@example.tw>
Date: Wed, 25 Nov 2026 09:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

請問我的理賠進度？
"""


def _email_conversation(world, run_tasks, port: int = 0) -> Conversation:
    settings: dict[str, object] = {"address": "support@insurer.test"}
    if port:
        settings["smtp"] = {"host": "127.0.0.1", "port": port, "username": "", "password": ""}
    mailbox = endpoint_create(
        actor=SYSTEM, brand=world.insurer, kind="email", name="Support", settings=settings
    )
    envelope = inbound.accept(endpoint=mailbox, raw=MAIL.replace("\n", "\r\n").encode())
    run_tasks()
    envelope.refresh_from_db()
    assert envelope.message_ids, envelope.error
    return Message.objects.get(pk=envelope.message_ids[0]).conversation


def _chat_conversation(world, run_tasks) -> Conversation:
    widget = endpoint_create(actor=SYSTEM, brand=world.insurer, kind="chat", name="Widget")
    frame = json.dumps({"type": "message", "client_id": "c1", "text": "在嗎？"})
    envelope = inbound.accept(endpoint=widget, raw=envelope_raw(visitor="v" * 24, frame=frame))
    run_tasks()
    envelope.refresh_from_db()
    assert envelope.message_ids, envelope.error
    return Message.objects.get(pk=envelope.message_ids[0]).conversation


def _sent(conversation: Conversation) -> list[Message]:
    return list(Message.objects.filter(conversation=conversation, direction="out"))


def test_email_composer_has_subject_cc_and_attachments(world, signed_in, run_tasks):
    conversation = _email_conversation(world, run_tasks)
    assert conversation.subject == "理賠進度"
    html = signed_in(world.insurer_agent).get(f"/conversations/{conversation.pk}").content.decode()
    assert 'name="subject"' in html and 'value="Re: 理賠進度"' in html
    assert 'name="cc"' in html
    assert 'type="file" name="attachments"' in html and "multiple" in html
    assert 'enctype="multipart/form-data"' in html
    assert "quick-send" not in html
    assert assert_every_field_labelled(html) >= 8


def test_other_channels_have_no_email_fields(world, signed_in, inbound_conversation):
    conversation = inbound_conversation(world.insurer_api, subject="理賠")  # the API channel
    html = signed_in(world.insurer_agent).get(f"/conversations/{conversation.pk}").content.decode()
    assert 'id="reply-text"' in html
    for absent in ('name="subject"', 'name="cc"', 'name="attachments"', "quick-send", "enctype"):
        assert absent not in html


def test_chat_composer_is_a_quick_send_line(world, signed_in, run_tasks):
    conversation = _chat_conversation(world, run_tasks)
    client = signed_in(world.insurer_agent)
    html = client.get(f"/conversations/{conversation.pk}").content.decode()
    for absent in ('name="subject"', 'name="cc"'):
        assert absent not in html
    # Files, as the visitor's widget downloads them (tests/channels/chat/test_agent_files.py).
    assert 'type="file" name="attachments"' in html and 'enctype="multipart/form-data"' in html
    assert 'class="quick-send"' in html and 'rows="1"' in html
    assert "event.key === &#x27;Enter&#x27; &amp;&amp; !event.shiftKey" in html
    assert "!event.isComposing" in html  # Enter confirming a CJK candidate does not send
    # cc smuggled into a chat reply is not a field there: ignored, the text is sent.
    answer = client.post(
        f"/conversations/{conversation.pk}/reply", {"text": "在的，請說。", "cc": "x@y.test"}, **HX
    )
    assert answer.status_code == 200
    [reply] = _sent(conversation)
    assert reply.text == "在的，請說。" and reply.cc == []


def test_invalid_cc_is_a_form_error_and_nothing_is_sent(world, signed_in, run_tasks):
    conversation = _email_conversation(world, run_tasks)
    client = signed_in(world.insurer_agent)
    for cc in ("boss@example.tw, not-an-address", "a@b.test\r\nBcc: evil@x.test"):
        answer = client.post(
            f"/conversations/{conversation.pk}/reply", {"text": "您好", "cc": cc}, **HX
        )
        assert answer.status_code == 422
        assert "Not a valid email address" in answer.content.decode()
    too_many = ", ".join(f"p{i}@example.tw" for i in range(21))
    answer = client.post(
        f"/conversations/{conversation.pk}/reply", {"text": "您好", "cc": too_many}, **HX
    )
    assert answer.status_code == 422 and "At most 20 cc addresses" in answer.content.decode()
    assert _sent(conversation) == []
    assert not OutboundDelivery.objects.exists()


def test_oversized_attachment_is_refused_and_nothing_is_stored(
    world, signed_in, run_tasks, settings
):
    settings.LAGNIAPPE_MAX_ATTACHMENT_BYTES = 100
    conversation = _email_conversation(world, run_tasks)
    before = Attachment.objects.count()
    answer = signed_in(world.insurer_agent).post(
        f"/conversations/{conversation.pk}/reply",
        {"text": "附件如下", "attachments": [SimpleUploadedFile("大.pdf", b"x" * 101)]},
        **HX,
    )
    assert answer.status_code == 422
    assert "大.pdf is larger than allowed" in answer.content.decode()
    assert Attachment.objects.count() == before and _sent(conversation) == []


def test_blocked_attachment_type_is_refused(world, signed_in, run_tasks):
    conversation = _email_conversation(world, run_tasks)
    answer = signed_in(world.insurer_agent).post(
        f"/conversations/{conversation.pk}/reply",
        {
            "text": "附件",
            "attachments": [
                SimpleUploadedFile("run.exe", b"MZ", content_type="application/x-msdownload")
            ],
        },
        **HX,
    )
    assert answer.status_code == 422 and "not accepted" in answer.content.decode()
    assert _sent(conversation) == []


def test_email_reply_stores_cc_subject_attachments_and_queues_the_delivery(
    world, signed_in, run_tasks
):
    conversation = _email_conversation(world, run_tasks)
    answer = signed_in(world.insurer_agent).post(
        f"/conversations/{conversation.pk}/reply",
        {
            "text": "您好，附上文件。",
            "subject": "Re: 理賠進度（補件）",
            "cc": " boss@example.tw, Boss@example.tw ,agent2@insurer.test,",
            "attachments": [
                SimpleUploadedFile("..\\理賠單據<1>.pdf", b"%PDF-1.4", "application/pdf"),
                SimpleUploadedFile("照片.jpg", b"\xff\xd8\xff", "image/jpeg"),
            ],
        },
        **HX,
    )
    assert answer.status_code == 200
    [reply] = _sent(conversation)
    assert reply.subject == "Re: 理賠進度（補件）"
    assert reply.cc == ["boss@example.tw", "agent2@insurer.test"]
    names = {a.filename for a in reply.attachments.all()}
    assert names == {"理賠單據_1_.pdf", "照片.jpg"}  # path and unsafe characters cleaned
    delivery = OutboundDelivery.objects.get(message=reply)
    assert delivery.status == DeliveryStatus.PENDING and delivery.kind == "email"
    assert "理賠單據_1_.pdf" in answer.content.decode()  # the partial shows the attachment


def test_reply_arrives_by_smtp_with_cc_subject_and_cjk_named_attachment(
    world, signed_in, run_tasks
):
    with smtp_capture() as (capture, port):
        conversation = _email_conversation(world, run_tasks, port)
        answer = signed_in(world.insurer_agent).post(
            f"/conversations/{conversation.pk}/reply",
            {
                "text": "您好，附上文件。",
                "subject": "Re: 理賠進度",  # as the composer prefilled it
                "cc": "boss@example.tw, agent2@insurer.test",
                "attachments": [
                    SimpleUploadedFile("理賠單據 2026.pdf", b"%PDF-1.4 data", "application/pdf")
                ],
            },
            **HX,
        )
        assert answer.status_code == 200
        run_tasks()
    [reply] = _sent(conversation)
    assert OutboundDelivery.objects.get(message=reply).status == DeliveryStatus.SENT
    [envelope] = capture.received
    assert envelope.rcpt_tos == ["hung@example.tw", "boss@example.tw", "agent2@insurer.test"]
    raw = envelope.original_content
    assert raw.isascii()
    assert b"filename*=utf-8''" in raw.lower()  # RFC 2231 file name
    sent = email.message_from_bytes(raw, policy=policy.default)
    assert sent["To"] == "hung@example.tw"
    assert sent["Cc"] == "boss@example.tw, agent2@insurer.test"
    assert sent["Subject"] == f"Re: 理賠進度 [#{conversation.pk}]"
    assert sent["In-Reply-To"] == "<claim-1@example.tw>"
    [part] = list(sent.iter_attachments())
    assert part.get_filename() == "理賠單據 2026.pdf"
    assert part.get_content() == b"%PDF-1.4 data"
