"""Mailbox passwords never reach a log line, an error we store, or an admin page."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from lagniappe.channels.email.imap import ImapError, mailbox_poll, mailbox_poll_forever
from lagniappe.core.redaction import MASK

from .dovecot import DOVECOT, dovecot_server

IMAP_PASSWORD = "Imap-Secret-7731"
SMTP_PASSWORD = "Smtp-Secret-9045"


def _with_passwords(mailbox, imap_settings: dict[str, object]) -> None:
    mailbox.settings = {
        **mailbox.settings,
        "imap": {**imap_settings, "password": IMAP_PASSWORD},
        "smtp": {"host": "127.0.0.1", "port": 1, "username": "u", "password": SMTP_PASSWORD},
    }
    mailbox.save(update_fields=["settings"])


def test_admin_list_and_form_show_no_password(world, mailbox):
    _with_passwords(mailbox, {"host": "imap.example.org", "port": 993, "username": "support"})
    client = Client()
    client.force_login(world.admin)
    pages = [
        client.get("/admin/lagniappe_channels/endpoint/"),
        client.get(f"/admin/lagniappe_channels/endpoint/{mailbox.pk}/change/"),
    ]
    for page in pages:
        assert page.status_code == 200
        body = page.content.decode()
        assert IMAP_PASSWORD not in body and SMTP_PASSWORD not in body
    form = pages[1].content.decode()
    assert "support" in form and MASK in form  # the settings, their secrets masked


@pytest.mark.skipif(not DOVECOT, reason="dovecot-imapd is not installed")
def test_a_refused_login_logs_no_password(world, mailbox, caplog):
    caplog.set_level(logging.DEBUG)
    with dovecot_server() as server:
        _with_passwords(mailbox, server.imap_settings())
        with pytest.raises(ImapError) as caught:
            mailbox_poll(mailbox)
        calls = iter((False, True))
        mailbox_poll_forever(mailbox, interval=0, should_stop=lambda: next(calls, True))
    assert "as " in str(caught.value)  # it says who could not log in, not with what
    assert any("mailbox" in record.getMessage() for record in caplog.records)
    everything = str(caught.value) + "\n".join(
        record.getMessage() + str(record.exc_info or "") for record in caplog.records
    )
    assert IMAP_PASSWORD not in everything and SMTP_PASSWORD not in everything
