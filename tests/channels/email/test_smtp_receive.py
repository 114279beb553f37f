"""The aiosmtpd inbound endpoint: stored per recipient mailbox, 550 and 552 refusals."""

from __future__ import annotations

import asyncio
import smtplib

import pytest
from asgiref.sync import sync_to_async
from django.db import connections

from lagniappe.channels.email.smtp_receive import smtpd_controller
from lagniappe.channels.models import EnvelopeStatus, InboundEnvelope
from lagniappe.conversations.models import Message

from .conftest import eml
from .smtp_capture import free_port


@pytest.fixture
def smtpd(transactional_db):
    port = free_port()
    controller = smtpd_controller(host="127.0.0.1", port=port, size_limit=64 * 1024)
    controller.start()
    yield port
    # The handler reached the database from asgiref's thread-sensitive worker thread: close
    # that thread's connection there, or PostgreSQL cannot drop the test database at the end.
    asyncio.run_coroutine_threadsafe(
        sync_to_async(connections.close_all, thread_sensitive=True)(), controller.loop
    ).result(timeout=30)
    controller.stop()


@pytest.mark.django_db(transaction=True)
def test_mail_to_a_mailbox_is_stored_and_processed(world, mailbox, smtpd, run_tasks):
    with smtplib.SMTP("127.0.0.1", smtpd) as client:
        refused = client.sendmail(
            "wang.zhe@example.cn", ["Support@Insurer.test"], eml("zh_hans_gb2312_new.eml")
        )
    assert refused == {}
    envelope = InboundEnvelope.objects.get()
    assert envelope.endpoint_id == mailbox.pk and envelope.remote_addr == "127.0.0.1"
    run_tasks()
    envelope.refresh_from_db()
    assert envelope.status == EnvelopeStatus.PROCESSED
    assert Message.objects.get().external_id == "<zh-hans-1@mail.example.cn>"


@pytest.mark.django_db(transaction=True)
def test_unknown_recipient_gets_550_and_oversized_mail_552(world, mailbox, smtpd):
    with smtplib.SMTP("127.0.0.1", smtpd) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            client.sendmail("a@example.com", ["nobody@insurer.test"], eml("ja_iso2022jp.eml"))
        assert refused.value.recipients["nobody@insurer.test"][0] == 550
    big = eml("ja_iso2022jp.eml") + b"x" * (100 * 1024) + b"\r\n"
    with smtplib.SMTP("127.0.0.1", smtpd) as client:
        # Refused at MAIL FROM (SIZE=) already, or at the end of DATA: 552 either way.
        with pytest.raises(smtplib.SMTPResponseException) as too_big:
            client.sendmail("a@example.com", ["support@insurer.test"], big)
        assert too_big.value.smtp_code == 552
    assert InboundEnvelope.objects.count() == 0
