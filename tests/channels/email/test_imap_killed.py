"""`lagniappe email poll` killed for real (SIGKILL) in the middle of a batch, then started
again: every mail is stored and processed exactly once. A subprocess against a temporary
install (SQLite) and a real dovecot; nothing simulated."""

from __future__ import annotations

import imaplib
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from lagniappe.channels.models import EnvelopeStatus
from tests.test_cli import lagniappe_env, run_cli, run_python, wait_for

from .dovecot import DOVECOT, dovecot_server

pytestmark = pytest.mark.skipif(not DOVECOT, reason="dovecot-imapd is not installed")

MAILS = 400  # four fetch batches: the kill lands while the poller is well inside them


def _mail(number: int) -> bytes:
    parent = f"In-Reply-To: <kill-{number - 1}@example.org>\r\n" if number % 4 else ""
    return (
        f"From: Customer {number % 7} <c{number % 7}@example.org>\r\n"
        "To: support@insurer.test\r\n"
        f"Subject: Order {number // 4}\r\n"
        f"Message-ID: <kill-{number}@example.org>\r\n{parent}"
        "Date: Tue, 02 Jan 2024 10:00:00 +0000\r\n\r\n"
        f"Where is my order number {number // 4}? Message {number}.\r\n"
    ).encode()


def _counts(home: Path) -> tuple[int, int, int]:
    """(envelopes, processed envelopes, messages) in the install's database."""
    with sqlite3.connect(home / "lagniappe.sqlite3", timeout=30) as db:
        envelopes, processed = db.execute(
            "SELECT COUNT(*), COALESCE(SUM(status = ?), 0) FROM lagniappe_channels_inboundenvelope",
            (EnvelopeStatus.PROCESSED,),
        ).fetchone()
        (messages,) = db.execute("SELECT COUNT(*) FROM conversations_message").fetchone()
    return int(envelopes), int(processed), int(messages)


def test_sigkill_mid_batch_then_restart_loses_and_duplicates_nothing(tmp_path):
    home = tmp_path / "home"
    assert run_cli(home, "migrate").returncode == 0
    with dovecot_server() as server:
        client = imaplib.IMAP4(server.host, server.port)
        client.login(server.username, server.password)
        for number in range(MAILS):
            client.append("INBOX", None, None, _mail(number))
        client.logout()
        run_python(
            home,
            f"""
            from lagniappe.channels.services import endpoint_create
            from lagniappe.core.actors import SYSTEM
            from lagniappe.tenancy.services import brand_create, organisation_create
            organisation = organisation_create(actor=SYSTEM, name="Harbour", slug="harbour")
            brand = brand_create(actor=SYSTEM, organisation=organisation, name="Bank",
                                 slug="bank")
            endpoint_create(actor=SYSTEM, brand=brand, kind="email", name="Support",
                            settings={{"address": "support@insurer.test",
                                       "imap": {server.imap_settings()!r}}})
            """,
        )
        poll = ["email", "poll", "--endpoint", "support@insurer.test"]
        poller = subprocess.Popen(
            [sys.executable, "-m", "lagniappe", *poll],
            env=lagniappe_env(home),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            # Some mail stored and some processed, but not all: the middle of the work.
            wait_for(lambda: _counts(home)[1] > 0 or poller.poll() is not None, 120, "work")
            poller.send_signal(signal.SIGKILL)
            poller.wait(timeout=30)
        finally:
            if poller.poll() is None:
                poller.kill()
        _stored, processed, _ = _counts(home)
        assert 0 < processed < MAILS, "the poller was not killed in the middle of its work"

        again = run_cli(home, *poll)
        assert again.returncode == 0, again.stderr
        # Envelopes stored before the kill but never processed: their queued tasks.
        worker = run_cli(home, "worker", "--batch")
        assert worker.returncode == 0, worker.stderr

        client = imaplib.IMAP4(server.host, server.port)
        client.login(server.username, server.password)
        client.select("INBOX", readonly=True)
        _, flags = client.uid("FETCH", "1:*", "(FLAGS)")
        client.logout()
    assert _counts(home) == (MAILS, MAILS, MAILS)
    with sqlite3.connect(home / "lagniappe.sqlite3") as db:
        ids = [row[0] for row in db.execute("SELECT external_id FROM conversations_message")]
        (last_uid,) = db.execute("SELECT last_uid FROM channel_email_mailboxstate").fetchone()
    assert sorted(ids) == sorted(f"<kill-{n}@example.org>" for n in range(MAILS))
    assert last_uid == MAILS
    assert sum(b"\\Seen" in line for line in flags if line) == MAILS
