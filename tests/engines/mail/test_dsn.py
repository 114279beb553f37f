"""Reading delivery status notifications without a database."""

from pathlib import Path

import pytest

from lagniappe.engines.mail import bounce_read

CORPUS = Path(__file__).parents[2] / "channels" / "email" / "corpus"


def test_postfix_bounce_with_returned_headers():
    raw = (CORPUS / "dsn_postfix_user_unknown.eml").read_bytes()
    bounce = bounce_read(raw.replace(b"{MESSAGE_ID}", b"<r-1@insurer.test>"))
    assert bounce is not None
    assert bounce.original_message_id == "<r-1@insurer.test>"
    assert bounce.status == "5.1.1"
    assert bounce.diagnostic == (
        "smtp; 550 5.1.1 <wang.zhe@example.cn>: Recipient address rejected: "
        "User unknown in virtual mailbox table"
    )


def test_returned_full_message():
    bounce = bounce_read((CORPUS / "dsn_unknown_message.eml").read_bytes())
    assert bounce is not None
    assert bounce.original_message_id == "<never-sent-by-us@insurer.test>"
    assert (bounce.status, bounce.diagnostic) == ("5.2.2", "smtp; 552 5.2.2 Mailbox full")


def test_original_message_id_field_wins_without_returned_content():
    raw = (
        b"From: MAILER-DAEMON@x.test\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; x.test\r\nOriginal-Message-ID: <ours-7@insurer.test>\r\n\r\n"
        b"Final-Recipient: rfc822; a@x.test\r\nAction: failed\r\nStatus: 4.4.7\r\n\r\n"
        b"--b--\r\n"
    )
    bounce = bounce_read(raw)
    assert bounce is not None
    assert bounce.original_message_id == "<ours-7@insurer.test>"
    assert (bounce.status, bounce.diagnostic) == ("4.4.7", "status 4.4.7")


@pytest.mark.parametrize(
    "name", ["zh_hans_gb2312_new.eml", "ooo_child.eml", "garbage.eml", "no_message_id.eml"]
)
def test_ordinary_mail_is_not_a_bounce(name):
    assert bounce_read((CORPUS / name).read_bytes()) is None


def test_other_reports_are_not_bounces():
    raw = (
        b"From: a@x.test\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=disposition-notification; boundary="b"'
        b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nread\r\n--b--\r\n"
    )
    assert bounce_read(raw) is None
