"""Our Reply-To carries a signed token; a customer's answer to it threads, a forged one not."""

from __future__ import annotations

import email
from email import policy

from lagniappe.channels import inbound
from lagniappe.channels.email.reply_address import conversation_reply_address
from lagniappe.channels.services import endpoint_create
from lagniappe.conversations.models import Conversation, Message
from lagniappe.conversations.services import message_send
from lagniappe.core.actors import SYSTEM

from .conftest import eml
from .smtp_capture import smtp_capture


def _answer(to: str, number: int = 1) -> bytes:
    """A customer's answer that lost every other clue: no In-Reply-To, no [#id], new subject."""
    return (
        "From: Wang Zhe <wang.zhe@example.cn>\r\n"
        f"To: {to}\r\n"
        f"Subject: another question {number}\r\n"
        f"Message-ID: <token-answer-{number}@mail.example.cn>\r\n"
        "Date: Tue, 02 Jan 2024 10:00:00 +0800\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "one more thing\r\n"
    ).encode()


def _conversation(mailbox, run_tasks) -> Conversation:
    inbound.accept(endpoint=mailbox, raw=eml("zh_hans_gb2312_new.eml"))
    run_tasks()
    return Conversation.objects.get()


def test_an_answer_to_our_reply_to_address_threads_by_its_token(
    world, mailbox, run_tasks, no_subject_threading
):
    conversation = _conversation(mailbox, run_tasks)
    with smtp_capture() as (capture, port):
        mailbox.settings = {**mailbox.settings, "smtp": {"host": "127.0.0.1", "port": port}}
        mailbox.save(update_fields=["settings"])
        message_send(
            actor=SYSTEM, conversation=conversation, author_id=world.insurer_agent.pk,
            text="已收到。",
        )  # fmt: skip
        run_tasks()
    sent = email.message_from_bytes(capture.received[0].original_content, policy=policy.default)
    reply_to = sent["Reply-To"].addresses[0].addr_spec
    inbound.accept(endpoint=mailbox, raw=_answer(reply_to.upper()))  # case folded on the way
    run_tasks()
    answer = Message.objects.get(external_id="<token-answer-1@mail.example.cn>")
    assert answer.conversation_id == conversation.pk


def test_forged_or_tampered_tokens_are_ignored(world, mailbox, run_tasks, no_subject_threading):
    conversation = _conversation(mailbox, run_tasks)
    good = conversation_reply_address(
        "support@insurer.test", brand_id=world.insurer.pk, conversation_id=conversation.pk
    )
    local, domain = good.split("@")
    signature = local.rsplit("-", 1)[1]
    tampered = local[:-1] + ("a" if local[-1] != "a" else "b")
    forged = [
        f"{tampered}@{domain}",  # signature changed
        f"support+c{conversation.pk + 1}-{signature}@{domain}",  # number changed
        f"support+c{conversation.pk}@{domain}",  # no signature
        "support+anything@insurer.test",
    ]
    for number, address in enumerate(forged, start=1):
        inbound.accept(endpoint=mailbox, raw=_answer(address, number))
    run_tasks()
    answers = Message.objects.filter(external_id__startswith="<token-answer-")
    assert answers.count() == len(forged)
    assert not answers.filter(conversation=conversation).exists()


def test_a_token_of_another_brand_does_not_thread(world, mailbox, run_tasks, no_subject_threading):
    conversation = _conversation(mailbox, run_tasks)
    bank_mailbox = endpoint_create(
        actor=SYSTEM, brand=world.bank, kind="email", name="Bank",
        settings={"address": "help@bank.test"},
    )  # fmt: skip
    insurer_token_address = conversation_reply_address(
        "help@bank.test", brand_id=world.insurer.pk, conversation_id=conversation.pk
    )
    inbound.accept(endpoint=bank_mailbox, raw=_answer(insurer_token_address))
    run_tasks()
    answer = Message.objects.get(external_id="<token-answer-1@mail.example.cn>")
    assert answer.conversation_id != conversation.pk
    assert answer.conversation.brand_id == world.bank.pk
