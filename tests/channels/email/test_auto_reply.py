"""The automatic acknowledgement of new email conversations, and RFC 3834 loop safety.

Real wire: customer mail goes in through the inbound funnel, our mail comes out through SMTP
to an aiosmtpd capture, and what we sent is fed back in as the other side would.
"""

from __future__ import annotations

import email
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage

import pytest

from lagniappe.channels import inbound
from lagniappe.channels.email.models import EmailBrandSettings, EmailTemplate, TemplateKind
from lagniappe.channels.models import DeliveryStatus, OutboundDelivery
from lagniappe.channels.services import endpoint_create
from lagniappe.conversations.models import Conversation, Direction, Message
from lagniappe.core.actors import SYSTEM
from lagniappe.core.models import AuditEvent
from lagniappe.tenancy.services import brand_create, organisation_create

from .smtp_capture import smtp_capture


def _customer_mail(
    number: int,
    *,
    sender: str = "wang.zhe@example.cn",
    to: str = "support@insurer.test",
    subject: str = "理赔进度查询",
    extra: dict[str, str] | None = None,
    name: str = "Wang Zhe",
    body: str = "请问我的理赔进度如何？",
) -> bytes:
    mail = EmailMessage(policy=policy.SMTP)
    mail["From"] = Address(display_name=name, addr_spec=sender)
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = f"<customer-{number}@{sender.split('@')[1]}>"
    mail["Date"] = "Tue, 02 Jan 2024 10:00:00 +0800"
    for name, value in (extra or {}).items():
        mail[name] = value
    mail.set_content(f"{body}({number})")
    return mail.as_bytes()


def _enable(brand, max_per_hour: int = 3) -> None:
    EmailBrandSettings.objects.update_or_create(
        brand=brand,
        defaults={"auto_reply_enabled": True, "auto_reply_max_per_hour": max_per_hour},
    )


def _smtp(mailbox, port: int) -> None:
    mailbox.settings = {
        **mailbox.settings,
        "from_name": "Harbour Insurance",
        "smtp": {"host": "127.0.0.1", "port": port},
    }
    mailbox.save(update_fields=["settings"])


def _sent(capture) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(e.original_content, policy=policy.default)
        for e in capture.received
    ]


def _refusals() -> list[str]:
    return [
        event.after["reason"]
        for event in AuditEvent.objects.filter(action="email.auto_reply_refused").order_by("pk")
    ]


def test_a_new_conversation_is_acknowledged_once_with_rfc3834_headers(world, mailbox, run_tasks):
    _enable(world.insurer)
    with smtp_capture() as (capture, port):
        _smtp(mailbox, port)
        inbound.accept(endpoint=mailbox, raw=_customer_mail(1))
        run_tasks()
        # The same mail again (another delivery) and a reply in the thread: no new ack.
        inbound.accept(endpoint=mailbox, raw=_customer_mail(1))
        inbound.accept(
            endpoint=mailbox,
            raw=_customer_mail(2, subject="Re: 理赔进度查询",
                               extra={"In-Reply-To": "<customer-1@example.cn>"}),
        )  # fmt: skip
        run_tasks()
    [ack] = _sent(capture)
    assert capture.received[0].rcpt_tos == ["wang.zhe@example.cn"]
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["X-Auto-Response-Suppress"] == "All"
    conversation = Conversation.objects.get()
    assert ack["Subject"].endswith(f"[#{conversation.pk}]")
    assert ack["In-Reply-To"] == "<customer-1@example.cn>"
    # The customer wrote Simplified Chinese (the mailbox's language is zh-Hant): the built-in
    # template of the customer's language answers.
    assert conversation.language == "zh-Hans"
    text = ack.get_body(("plain",)).get_content()
    assert "我们已收到您的来信" in text and f"#{conversation.pk}" in text
    assert ack.get_body(("html",)) is not None
    # Agents see it in the conversation; it is neither a first response nor an opening.
    automatic = Message.objects.get(direction=Direction.OUTBOUND)
    assert automatic.author_agent_id is None and automatic.conversation_id == conversation.pk
    delivery = OutboundDelivery.objects.get(message=automatic)
    assert delivery.automatic and delivery.recipient == "wang.zhe@example.cn"
    assert delivery.status == DeliveryStatus.SENT
    assert conversation.first_response_at is None and conversation.status == "new"
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 2


def test_no_acknowledgement_when_the_brand_has_not_asked_for_one(world, mailbox, run_tasks):
    inbound.accept(endpoint=mailbox, raw=_customer_mail(1))
    run_tasks()
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()
    assert _refusals() == []  # nothing to explain: the feature is off


@pytest.mark.parametrize(
    ("sender", "headers", "reason"),
    [
        ("robot@example.cn", {"Auto-Submitted": "auto-replied"}, "auto_submitted"),
        ("robot@example.cn", {"Auto-Submitted": "auto-generated"}, "auto_submitted"),
        ("news@example.cn", {"Precedence": "bulk"}, "bulk"),
        ("news@example.cn", {"Precedence": "junk"}, "bulk"),
        ("list@example.cn", {"Precedence": "list"}, "bulk"),
        ("list@example.cn", {"List-Id": "<claims.example.cn>"}, "list"),
        ("list@example.cn", {"List-Unsubscribe": "<mailto:u@example.cn>"}, "list"),
        ("ex@example.cn", {"X-Auto-Response-Suppress": "All"}, "auto_response_suppressed"),
        ("noreply@example.cn", {}, "machine_sender"),
        ("no-reply@example.cn", {}, "machine_sender"),
        ("MAILER-DAEMON@example.cn", {}, "machine_sender"),
        ("postmaster@example.cn", {}, "machine_sender"),
        ("support@insurer.test", {}, "own_address"),
    ],
)
def test_loop_rules_refuse_and_say_why(world, mailbox, run_tasks, sender, headers, reason):
    _enable(world.insurer)
    inbound.accept(endpoint=mailbox, raw=_customer_mail(1, sender=sender, extra=headers))
    run_tasks()
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 1  # kept
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()
    assert _refusals() == [reason]


def test_auto_submitted_no_is_a_person(world, mailbox, run_tasks):
    _enable(world.insurer)
    inbound.accept(endpoint=mailbox, raw=_customer_mail(1, extra={"Auto-Submitted": "no"}))
    run_tasks()
    assert OutboundDelivery.objects.filter(automatic=True).count() == 1


def test_a_robot_that_ignores_our_headers_is_stopped_by_the_rate_limit(world, mailbox, run_tasks):
    """Ping-pong: a responder that answers everything (no Auto-Submitted of its own, a new
    subject and no references each time, so every mail opens a new conversation)."""
    _enable(world.insurer, max_per_hour=3)
    with smtp_capture() as (capture, port):
        _smtp(mailbox, port)
        inbound.accept(endpoint=mailbox, raw=_customer_mail(0, sender="robot@helpdesk.example"))
        run_tasks()
        for round_number in range(1, 10):
            if len(capture.received) < round_number:
                break  # we stopped answering: the robot has nothing to answer
            inbound.accept(
                endpoint=mailbox,
                raw=_customer_mail(
                    round_number,
                    sender="robot@helpdesk.example",
                    subject=f"Ticket {round_number} received",
                ),
            )
            run_tasks()
    assert len(capture.received) == 3
    assert OutboundDelivery.objects.filter(automatic=True).count() == 3
    assert _refusals() == ["rate_limit"]
    # Every robot mail is still a message, each in its own conversation.
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 4


def test_two_of_our_responders_do_not_answer_each_other(world, mailbox, run_tasks):
    """Brand A's acknowledgement reaches brand B's mailbox (another organisation): B sees
    Auto-Submitted and stays quiet, so the loop never starts."""
    _enable(world.insurer)
    other_org = organisation_create(actor=SYSTEM, name="Other", slug="other")
    other_brand = brand_create(
        actor=SYSTEM, organisation=other_org, name="Other", slug="other", default_language="en"
    )
    other_mailbox = endpoint_create(
        actor=SYSTEM, brand=other_brand, kind="email", name="Other",
        settings={"address": "help@other.test"},
    )  # fmt: skip
    _enable(other_brand)
    with smtp_capture() as (capture, port):
        _smtp(mailbox, port)
        _smtp(other_mailbox, port)
        inbound.accept(
            endpoint=mailbox, raw=_customer_mail(1, sender="help@other.test")
        )  # B wrote to A (a person at B)
        run_tasks()
        [ack] = capture.received
        inbound.accept(endpoint=other_mailbox, raw=ack.original_content)
        run_tasks()
    assert len(capture.received) == 1
    assert _refusals() == ["auto_submitted"]


def test_brand_template_per_language_is_used_and_escaped(world, mailbox, run_tasks):
    _enable(world.insurer)
    mailbox.default_language = "ja"
    mailbox.save(update_fields=["default_language"])
    EmailTemplate.objects.create(
        brand=world.insurer,
        kind=TemplateKind.AUTO_REPLY,
        language="ja",
        subject="受付：{subject}",
        text="{customer_name} 様\n\n{brand_name} です。受付番号 {conversation_id}。",
        html="<p>{customer_name} 様</p><script>alert(1)</script><p>{brand_name}</p>",
    )
    with smtp_capture() as (capture, port):
        _smtp(mailbox, port)
        inbound.accept(
            endpoint=mailbox,
            raw=_customer_mail(
                1, name="<b>Wang</b>", subject="口座振替", body="口座振替の手続きを教えてください。"
            ),
        )
        run_tasks()
    [ack] = _sent(capture)
    assert ack["Subject"].startswith("受付：口座振替")
    assert "Harbour Insurance です。" in ack.get_body(("plain",)).get_content()
    html = ack.get_body(("html",)).get_content()
    assert "<script" not in html and "&lt;b&gt;Wang&lt;/b&gt;" in html


@pytest.mark.parametrize(
    ("subject", "body", "language", "greeting"),
    [
        ("口座振替について", "先月から口座振替ができません。手続きを教えてください。", "ja",
         "お問い合わせありがとうございます"),
        ("Kartu kredit terblokir", "Selamat siang, kartu kredit saya terblokir sejak kemarin. "
         "Mohon bantuan untuk membukanya kembali.", "id", "Pesan Anda sudah kami terima"),
    ],
)  # fmt: skip
def test_the_acknowledgement_speaks_the_language_the_customer_wrote_in(
    world, mailbox, run_tasks, subject, body, language, greeting
):
    """The mailbox speaks zh-Hant (the brand's default); the customer's mail decides."""
    _enable(world.insurer)
    with smtp_capture() as (capture, port):
        _smtp(mailbox, port)
        inbound.accept(
            endpoint=mailbox,
            raw=_customer_mail(1, sender="kenji@example.jp", subject=subject, body=body),
        )
        run_tasks()
    [ack] = _sent(capture)
    conversation = Conversation.objects.get()
    assert conversation.language == language
    assert ack["Content-Language"] == language
    assert greeting in ack.get_body(("plain",)).get_content()
    assert subject in ack["Subject"]


def test_a_quoted_english_history_does_not_make_an_indonesian_reply_english(
    world, mailbox, run_tasks
):
    _enable(world.insurer)
    body = (
        "Terima kasih, tetapi kartu saya masih belum bisa dipakai untuk pembayaran.\n\n"
        "On Tue, 2 Jan 2024 at 10:00, Harbour Insurance <support@insurer.test> wrote:\n"
        "> Hello, thank you for writing to Harbour Insurance. We have received your message\n"
        "> and will answer as soon as we can. Your reference is #12. To add anything, simply\n"
        "> reply to this email. This is an automatic message from our support team.\n"
    )
    with smtp_capture() as (capture, port):
        _smtp(mailbox, port)
        inbound.accept(
            endpoint=mailbox, raw=_customer_mail(1, sender="budi@example.co.id", body=body,
                                                 subject="Re: Kartu kredit")
        )  # fmt: skip
        run_tasks()
    assert Conversation.objects.get().language == "id"
    [ack] = _sent(capture)
    assert "Pesan Anda sudah kami terima" in ack.get_body(("plain",)).get_content()


def test_brand_template_of_the_detected_language_wins_and_too_little_text_falls_back(
    world, mailbox, run_tasks
):
    _enable(world.insurer)
    EmailTemplate.objects.create(
        brand=world.insurer,
        kind=TemplateKind.AUTO_REPLY,
        language="id",
        subject="Diterima: {subject}",
        text="Halo {customer_name}, pesan untuk {brand_name} diterima.",
    )
    with smtp_capture() as (capture, port):
        _smtp(mailbox, port)
        inbound.accept(
            endpoint=mailbox,
            raw=_customer_mail(
                1, sender="budi@example.co.id", name="Budi", subject="Tagihan",
                body="Mohon bantuan, tagihan bulan ini dua kali dibayar dari rekening saya.",
            ),
        )  # fmt: skip
        # "ok" says nothing about its language: the brand's default (zh-Hant) answers.
        inbound.accept(
            endpoint=mailbox,
            raw=_customer_mail(2, sender="ana@example.org", name="Ana", subject="", body="ok"),
        )
        run_tasks()
    indonesian, fallback = _sent(capture)
    assert indonesian["Subject"].startswith("Diterima: Tagihan")
    assert "Halo Budi, pesan untuk Harbour Insurance diterima." in (
        indonesian.get_body(("plain",)).get_content()
    )
    assert "我們已收到您的來信" in fallback.get_body(("plain",)).get_content()


def test_acknowledgements_leave_with_a_null_envelope_sender_and_agent_replies_do_not(
    world, mailbox, run_tasks
):
    """RFC 3834 §3.3: MAIL FROM:<> on automatic replies, so a bounce of one cannot loop."""
    from lagniappe.conversations.services import message_send

    _enable(world.insurer)
    with smtp_capture() as (capture, port):
        _smtp(mailbox, port)
        inbound.accept(endpoint=mailbox, raw=_customer_mail(1))
        run_tasks()
        conversation = Conversation.objects.get()
        message_send(
            actor=SYSTEM, conversation=conversation, author_id=world.insurer_agent.pk,
            text="您好，已经收到。",
        )  # fmt: skip
        run_tasks()
    acknowledgement, agent_reply = capture.received
    assert acknowledgement.mail_from == "<>"  # MAIL FROM:<> on the wire
    assert _sent(capture)[0]["Auto-Submitted"] == "auto-replied"
    assert agent_reply.mail_from == "support@insurer.test"
    assert _sent(capture)[1]["Auto-Submitted"] is None
    assert acknowledgement.rcpt_tos == agent_reply.rcpt_tos == ["wang.zhe@example.cn"]
