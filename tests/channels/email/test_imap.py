"""The IMAP poller against a real dovecot the test starts itself."""

from __future__ import annotations

import imaplib
import threading
from email.message import EmailMessage

import pytest

from lagniappe.channels.email.imap import ImapError, idle_wait, imap_connect, mailbox_poll
from lagniappe.channels.email.mailbox_settings import imap_settings
from lagniappe.channels.email.models import MailboxState
from lagniappe.channels.models import EnvelopeStatus, InboundEnvelope
from lagniappe.conversations.models import Message

from .conftest import eml
from .dovecot import DOVECOT, dovecot_server

pytestmark = pytest.mark.skipif(not DOVECOT, reason="dovecot-imapd is not installed")

CORPUS_ORDER = [
    "zh_hans_gb2312_new.eml",
    "zh_hant_big5_hkscs.eml",
    "garbage.eml",
    "zh_hans_reply_in_reply_to.eml",
    "ja_iso2022jp.eml",
    "zh_hant_reply_references_only.eml",
    "ooo_child.eml",
    "ooo_parent.eml",
    "id_subject_1.eml",
    "id_subject_2.eml",
]


@pytest.fixture
def imap():
    with dovecot_server() as server:
        yield server


def _append(server, *names: str, folder: str = "INBOX") -> None:
    client = imaplib.IMAP4(server.host, server.port)
    client.login(server.username, server.password)
    for name in names:
        status, _ = client.append(folder, None, None, eml(name))
        assert status == "OK"
    client.logout()


def _configure(mailbox, server, **extra) -> None:
    mailbox.settings = {**mailbox.settings, "imap": server.imap_settings(**extra)}
    mailbox.save(update_fields=["settings"])


def _flags(server) -> list[bytes]:
    client = imaplib.IMAP4(server.host, server.port)
    client.login(server.username, server.password)
    client.select("INBOX", readonly=True)
    _, data = client.uid("FETCH", "1:*", "(FLAGS)")
    client.logout()
    return [item for item in data if item]


def test_poll_stores_threads_and_flags_and_a_second_poll_imports_nothing(
    world, mailbox, imap, run_tasks
):
    _append(imap, *CORPUS_ORDER)
    _configure(mailbox, imap)
    summary = mailbox_poll(mailbox)
    assert summary.stored == len(CORPUS_ORDER) and summary.last_uid == len(CORPUS_ORDER)
    # Stored, not yet parsed: the worker does that.
    assert InboundEnvelope.objects.filter(status=EnvelopeStatus.RECEIVED).count() == 10
    assert all(b"\\Seen" in line for line in _flags(imap))
    run_tasks()
    failed = InboundEnvelope.objects.get(status=EnvelopeStatus.FAILED)
    # The garbage fails alone, kept as the server gave it (dovecot turns NUL into 0x80 and
    # bare LF into CRLF, so compare its tail).
    assert bytes(failed.raw).endswith(eml("garbage.eml")[-64:])
    assert "unreadable email" in failed.error
    assert InboundEnvelope.objects.filter(status=EnvelopeStatus.PROCESSED).count() == 9
    assert Message.objects.count() == 9

    def conversation(external_id: str) -> int:
        return Message.objects.get(external_id=external_id).conversation_id

    assert conversation("<zh-hans-1@mail.example.cn>") == conversation(
        "<zh-hans-2@mail.example.cn>"
    )
    assert conversation("<ooo-child@example.com>") == conversation("<ooo-parent@example.com>")
    assert conversation("<id-1@example.co.id>") == conversation("<id-2@example.co.id>")
    assert conversation("<zh-hans-1@mail.example.cn>") != conversation("<ja-1@example.jp>")

    again = mailbox_poll(mailbox, process=True)
    assert again.stored == 0
    assert InboundEnvelope.objects.count() == 10 and Message.objects.count() == 9


def test_killed_mid_batch_then_restarted_loses_and_duplicates_nothing(
    world, mailbox, imap, monkeypatch
):
    from lagniappe.channels.email import imap as poller

    monkeypatch.setattr(poller, "FETCH_BATCH", 3)

    _append(imap, *CORPUS_ORDER)
    _configure(mailbox, imap)
    config = imap_settings(mailbox.settings)
    assert config is not None

    class Killed(BaseException):
        pass

    def kill_after_four(stored: int) -> None:
        if stored == 4:
            raise Killed

    client = imap_connect(config)
    with pytest.raises(Killed):
        poller.mailbox_poll_client(client, mailbox, config, process=True, on_stored=kill_after_four)
    client.logout()
    # The first batch (UIDs 1-3) was committed and flagged; the second died with its
    # transaction, so neither its envelopes nor its UIDs were recorded.
    assert InboundEnvelope.objects.count() == 3
    assert MailboxState.objects.get(endpoint=mailbox).last_uid == 3
    assert sum(b"\\Seen" in line for line in _flags(imap)) == 3

    summary = mailbox_poll(mailbox, process=True)
    assert summary.stored == 7
    assert InboundEnvelope.objects.count() == 10
    from lagniappe.channels.inbound import envelopes_requeue_unprocessed, process_envelope

    for envelope in InboundEnvelope.objects.filter(status=EnvelopeStatus.RECEIVED):
        process_envelope(envelope.pk)  # what the worker's sweep does after a crash
    assert envelopes_requeue_unprocessed() == 0
    assert Message.objects.count() == 9
    assert Message.objects.values("external_id").distinct().count() == 9


def test_new_uidvalidity_reads_the_folder_again_without_duplicates(world, mailbox, imap):
    _append(imap, "ja_iso2022jp.eml", "id_subject_1.eml")
    _configure(mailbox, imap)
    mailbox_poll(mailbox, process=True)
    MailboxState.objects.filter(endpoint=mailbox).update(uidvalidity=1)  # the server renumbered
    summary = mailbox_poll(mailbox, process=True)
    assert summary.stored == 2
    assert Message.objects.count() == 2  # the Message-ID check made them duplicates


def test_processed_folder_receives_the_stored_mail(world, mailbox, imap):
    client = imaplib.IMAP4(imap.host, imap.port)
    client.login(imap.username, imap.password)
    client.create("Processed")
    client.logout()
    _append(imap, "ja_iso2022jp.eml", "id_subject_1.eml")
    _configure(mailbox, imap, processed_folder="Processed")
    assert mailbox_poll(mailbox, process=True).processed == 2
    client = imaplib.IMAP4(imap.host, imap.port)
    client.login(imap.username, imap.password)
    assert client.select("INBOX")[1] == [b"0"]
    assert client.select("Processed")[1] == [b"2"]
    client.logout()


def test_wrong_password_is_a_clear_error_without_the_password(world, mailbox, imap):
    _configure(mailbox, imap, password="wrong-Secret-42")
    with pytest.raises(ImapError) as caught:
        mailbox_poll(mailbox)
    assert "wrong-Secret-42" not in str(caught.value)
    assert "imap-Pa55word" not in str(caught.value)


def test_idle_wakes_up_when_mail_arrives(world, mailbox, imap):
    _configure(mailbox, imap)
    config = imap_settings(mailbox.settings)
    assert config is not None
    client = imap_connect(config)
    assert "IDLE" in client.capabilities
    client.select("INBOX")
    timer = threading.Timer(0.5, _append, args=(imap, "ja_iso2022jp.eml"))
    timer.start()
    # True only when the server announced the new mail (a timeout gives False).
    assert idle_wait(client, 60) is True
    timer.join()
    assert idle_wait(client, 0.3) is False  # nothing more: the wait times out
    client.logout()


def _hostile_mails() -> dict[str, bytes]:
    """What the issue lists as bad input, each as one mail in the same mailbox."""
    big = EmailMessage()
    big["From"] = "Budi <budi@example.co.id>"
    big["To"] = "support@insurer.test"
    big["Subject"] = "Scan polis 20 MB"
    big["Message-ID"] = "<big-attachment@example.co.id>"
    big.set_content("Terlampir hasil pindaian polis saya.")
    big.add_attachment(
        bytes(range(256)) * (20 * 1024 * 1024 // 256),
        maintype="application", subtype="pdf", filename="polis lengkap.pdf",
    )  # fmt: skip
    recipients = ", ".join(f"r{i}@example.org" for i in range(10_000))
    crowd = (
        "From: Ana <ana@example.org>\r\n"
        f"To: support@insurer.test, {recipients}\r\n"
        "Subject: Everyone\r\nMessage-ID: <crowd@example.org>\r\n\r\nHello all.\r\n"
    ).encode()
    bomb = (
        b"From: a@example.org\r\nMessage-ID: <bomb@example.org>\r\n"
        b"Content-Type: multipart/mixed; boundary=b0\r\n\r\n"
        + b"".join(
            b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (i, i + 1)
            for i in range(5000)
        )
    )
    truncated = (
        b"From: kenji@example.jp\r\nMessage-ID: <truncated@example.jp>\r\nSubject: cut\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/pl'
    )
    return {
        "big": big.as_bytes(),
        "crowd": crowd,
        "bomb": bomb,
        "garbage": bytes(range(256)) * 64,
        "truncated": truncated,
        "after": eml("ja_iso2022jp.eml"),
    }


@pytest.mark.parametrize("reading_worker", [False, True], ids=["at-home", "reading-worker"])
def test_hostile_mail_ends_in_a_clear_state_and_the_poll_goes_on(
    world, mailbox, imap, settings, readings_from_worker, reading_worker
):
    """20 MB attachment, 10,000 recipients, a 5,000-level nested multipart, binary garbage and
    truncated MIME in one poll: each stored, processed or failed with a reason; the mail
    behind them is processed; nothing crashes the poller. Parsed by the poller itself, and
    by its reading worker (channels/reading_ahead.py) as a big batch would be."""
    settings.LAGNIAPPE_PARSE_WORKERS = 1 if reading_worker else 0
    from_worker = readings_from_worker
    mails = _hostile_mails()
    client = imaplib.IMAP4(imap.host, imap.port)
    client.login(imap.username, imap.password)
    for raw in mails.values():
        assert client.append("INBOX", None, None, raw)[0] == "OK"
    client.logout()
    _configure(mailbox, imap)

    summary = mailbox_poll(mailbox, process=True)

    assert summary.stored == len(mails) and summary.failed == 2
    envelopes = list(InboundEnvelope.objects.order_by("pk"))
    states = {name: e for name, e in zip(mails, envelopes, strict=True)}
    for name, raw in mails.items():
        if name != "garbage":  # the server rewrites the line ends of binary junk its way
            # Kept as the server delivered it (IMAP hands out CRLF line ends).
            stored = bytes(states[name].raw).replace(b"\r\n", b"\n")
            assert stored == raw.replace(b"\r\n", b"\n"), name
    assert states["bomb"].status == EnvelopeStatus.FAILED
    assert "boundaries" in states["bomb"].error
    assert states["garbage"].status == EnvelopeStatus.FAILED
    assert "no header" in states["garbage"].error
    for name in ("big", "crowd", "truncated", "after"):
        assert states[name].status == EnvelopeStatus.PROCESSED, (name, states[name].error)
    big = Message.objects.get(external_id="<big-attachment@example.co.id>")
    [attachment] = big.attachments.all()
    assert attachment.filename == "polis lengkap.pdf" and attachment.size == 20 * 1024 * 1024
    assert Message.objects.filter(external_id="<crowd@example.org>").exists()
    assert Message.objects.filter(external_id="<ja-1@example.jp>").exists()
    # The four readable mails came from the worker (the other two failed there too, and
    # were parsed again here to record their errors).
    assert from_worker[0] == (4 if reading_worker else 0)
    assert mailbox_poll(mailbox, process=True).stored == 0


def test_poll_forever_waits_with_idle_and_stores_what_arrives(world, mailbox, imap, monkeypatch):
    """`lagniappe email poll --forever`: poll, IDLE, woken by the server when mail arrives,
    poll again. The interval is long: only IDLE can bring the second poll."""
    from lagniappe.channels.email import imap as poller

    _append(imap, "zh_hans_gb2312_new.eml")
    _configure(mailbox, imap)
    wakes: list[bool] = []
    summaries: list[int] = []

    def idle_recorded(client: imaplib.IMAP4, seconds: float) -> bool:
        if len(summaries) >= 2:
            return False  # the loop stops next: no need to wait
        timer = threading.Timer(0.5, _append, args=(imap, "ja_iso2022jp.eml"))
        timer.start()
        woken = idle_wait(client, seconds)
        timer.join()
        wakes.append(woken)
        return woken

    monkeypatch.setattr(poller, "idle_wait", idle_recorded)
    poller.mailbox_poll_forever(
        mailbox,
        interval=600,
        on_poll=lambda summary: summaries.append(summary.stored),
        should_stop=lambda: len(summaries) >= 2,
    )
    assert summaries == [1, 1] and wakes == [True]
    assert Message.objects.filter(external_id="<ja-1@example.jp>").exists()
