"""Replies leave by SMTP: headers, alternatives, encodings, retries, permanent failures."""

from __future__ import annotations

import email
from email import policy

import pytest

from lagniappe.channels import inbound, outbound
from lagniappe.channels.models import DeliveryStatus, OutboundDelivery
from lagniappe.conversations.contracts import AttachmentUpload
from lagniappe.conversations.models import Message
from lagniappe.conversations.services import message_send
from lagniappe.core.actors import SYSTEM

from .conftest import eml
from .smtp_capture import free_port, smtp_capture

PASSWORD = "s3cret-Pa55"


def _configure(mailbox, port: int) -> None:
    mailbox.settings = {
        **mailbox.settings,
        "from_name": "海港保險 客服",
        "smtp": {"host": "127.0.0.1", "port": port, "username": "", "password": PASSWORD},
    }
    mailbox.save(update_fields=["settings"])


def _thread(mailbox, run_tasks) -> Message:
    """A customer's mail and its reply in one conversation: two inbound Message-IDs."""
    for name in ("zh_hans_gb2312_new.eml", "zh_hans_reply_in_reply_to.eml"):
        inbound.accept(endpoint=mailbox, raw=eml(name))
    run_tasks()
    latest = Message.objects.order_by("-id").first()
    assert latest is not None
    assert Message.objects.filter(conversation=latest.conversation).count() == 2
    return latest


def _reply(world, message: Message, **extra) -> Message:
    return message_send(
        actor=SYSTEM,
        conversation=message.conversation,
        author_id=world.insurer_agent.pk,
        text=extra.pop("text", "您好，已收到。"),
        **extra,
    )


def test_reply_is_sent_with_threading_headers_alternatives_and_encodings(world, mailbox, run_tasks):
    customer_mail = _thread(mailbox, run_tasks)
    with smtp_capture() as (capture, port):
        _configure(mailbox, port)
        reply = _reply(
            world,
            customer_mail,
            html="<p>您好，<b>已收到</b>。</p>",
            subject="理赔进度：已受理",
            attachments=[
                AttachmentUpload("理赔单据 2024.pdf", "application/pdf", b"%PDF-1.4 data")
            ],
        )
        run_tasks()
    delivery = OutboundDelivery.objects.get(message=reply)
    assert delivery.status == DeliveryStatus.SENT and delivery.adapter == "smtp"
    [envelope] = capture.received
    assert envelope.rcpt_tos == ["wang.zhe@example.cn"]
    assert envelope.mail_from == "support@insurer.test"
    raw = envelope.original_content
    assert raw.isascii()  # every non-ASCII header and parameter is encoded
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n", 1)[0].lower()  # RFC 2047 subject and name
    assert b"filename*=utf-8''" in raw.lower()  # RFC 2231 file name
    sent = email.message_from_bytes(raw, policy=policy.default)
    assert sent["Message-ID"] == delivery.external_id
    assert sent["Message-ID"].endswith("@insurer.test>")
    assert sent["In-Reply-To"] == "<zh-hans-2@mail.example.cn>"
    assert sent["References"] == "<zh-hans-1@mail.example.cn> <zh-hans-2@mail.example.cn>"
    assert sent["From"].addresses[0].display_name == "海港保險 客服"
    assert sent["To"].addresses[0].addr_spec == "wang.zhe@example.cn"
    assert sent["Subject"] == f"理赔进度：已受理 [#{reply.conversation_id}]"
    assert sent["Auto-Submitted"] is None  # an agent wrote it
    text = sent.get_body(("plain",)).get_content()
    # The agent's words first, then the brand's signature (the built-in reply template).
    assert text.startswith("您好，已收到。") and f"#{reply.conversation_id}" in text
    assert "\n-- \n" in text.replace("\r\n", "\n")
    assert world.insurer_agent.display_name in text
    assert "<b>已收到</b>" in sent.get_body(("html",)).get_content()
    reply_to = sent["Reply-To"].addresses[0].addr_spec
    assert reply_to.startswith(f"support+c{reply.conversation_id}-")
    assert reply_to.endswith("@insurer.test")
    [attachment] = list(sent.iter_attachments())
    assert attachment.get_filename() == "理赔单据 2024.pdf"
    assert attachment.get_content() == b"%PDF-1.4 data"
    assert PASSWORD not in raw.decode()


def test_reply_without_a_subject_answers_the_conversations_subject(world, mailbox, run_tasks):
    customer_mail = _thread(mailbox, run_tasks)
    with smtp_capture() as (capture, port):
        _configure(mailbox, port)
        reply = _reply(world, customer_mail)
        run_tasks()
    sent = email.message_from_bytes(capture.received[0].original_content, policy=policy.default)
    subject = sent["Subject"]
    assert subject.endswith(f"[#{reply.conversation_id}]")
    assert "理赔进度查询" in subject


def test_4xx_is_retried_and_5xx_fails_for_good(world, mailbox, run_tasks):
    customer_mail = _thread(mailbox, run_tasks)
    with smtp_capture() as (capture, port):
        _configure(mailbox, port)
        capture.rcpt_answer = "451 4.3.0 try again later"
        reply = _reply(world, customer_mail)
        run_tasks()
        delivery = OutboundDelivery.objects.get(message=reply)
        assert delivery.status == DeliveryStatus.PENDING
        assert delivery.attempts == 1 and delivery.next_attempt_at is not None
        assert "451" in delivery.last_error
        # The retry, once the server is willing again.
        capture.rcpt_answer = ""
        outbound.deliver(delivery.pk)
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.SENT and len(capture.received) == 1

        capture.rcpt_answer = "550 5.1.1 no such user"
        second = _reply(world, customer_mail, text="還有一件事。")
        run_tasks()
    failed = OutboundDelivery.objects.get(message=second)
    assert failed.status == DeliveryStatus.FAILED and failed.attempts == 1
    assert "550" in failed.last_error and PASSWORD not in failed.last_error


def test_connection_refused_is_transient(world, mailbox, run_tasks):
    customer_mail = _thread(mailbox, run_tasks)
    _configure(mailbox, free_port())  # nobody listens there
    reply = _reply(world, customer_mail)
    run_tasks()
    delivery = OutboundDelivery.objects.get(message=reply)
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert "Connection refused" in delivery.last_error or "ConnectionRefused" in (
        delivery.last_error
    )


def test_mailbox_without_smtp_settings_records_the_reply(world, mailbox, run_tasks):
    customer_mail = _thread(mailbox, run_tasks)
    reply = _reply(world, customer_mail)
    run_tasks()
    delivery = OutboundDelivery.objects.get(message=reply)
    assert delivery.status == DeliveryStatus.SENT and delivery.external_id.startswith("log-")


@pytest.mark.parametrize("automatic", [True, False])
def test_auto_submitted_only_on_automatic_mail(world, mailbox, run_tasks, automatic):
    from lagniappe.channels.email.smtp_send import email_build
    from lagniappe.channels.outbound import _outbound_message

    customer_mail = _thread(mailbox, run_tasks)
    reply = _reply(world, customer_mail)
    built, _ = email_build(_outbound_message(reply.delivery), automatic=automatic)
    assert (built["Auto-Submitted"] == "auto-replied") is automatic


def test_customer_reply_naming_our_message_id_threads_without_subject_tag(
    world, mailbox, run_tasks, no_subject_threading, django_capture_on_commit_callbacks
):
    customer_mail = _thread(mailbox, run_tasks)
    with smtp_capture() as (capture, port):
        _configure(mailbox, port)
        reply = _reply(world, customer_mail)
        # The delivery's MessageDelivered handlers run on commit (the test's transaction
        # never commits), as they do after the worker's commit.
        with django_capture_on_commit_callbacks(execute=True):
            run_tasks()
    our_id = OutboundDelivery.objects.get(message=reply).external_id
    assert our_id and capture.received
    answer = (
        "From: Wang Zhe <wang.zhe@example.cn>\r\n"
        "To: support@insurer.test\r\n"
        "Subject: =?utf-8?b?5Y+m5LiA5Liq6Zeu6aKY?=\r\n"  # "另一个问题": no [#id], new subject
        "Message-ID: <zh-hans-answer@mail.example.cn>\r\n"
        f"In-Reply-To: {our_id}\r\n"
        "Date: Tue, 02 Jan 2024 10:00:00 +0800\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "谢谢，还有一个问题。\r\n"
    ).encode()
    inbound.accept(endpoint=mailbox, raw=answer)
    run_tasks()
    threaded = Message.objects.get(external_id="<zh-hans-answer@mail.example.cn>")
    assert threaded.conversation_id == reply.conversation_id
