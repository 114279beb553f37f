"""Parsing raw messages: headers, bodies, attachments, flags, and garbage that must not crash."""

import base64

import pytest

from lagniappe.engines.mail import MailParseError, email_parse


def _mail(headers: str, body: bytes = b"Hello\r\n") -> bytes:
    return headers.replace("\n", "\r\n").encode("ascii") + b"\r\n" + body


BASIC = "From: =?utf-8?B?6Zmz5aSn5paH?= <Chan@Example.HK>\nTo: a@x.test, B <b@x.test>\n"


def test_headers_decode():
    parsed = email_parse(
        _mail(
            BASIC + "Cc: c@x.test\nSubject: =?gb2312?B?wO3F4r340LLy0a+1?=\n"
            "Date: Fri, 01 Mar 2024 09:15:00 +0800\nMessage-ID:  <abc@x.test> \n"
            "In-Reply-To: <p@x.test> (from someone)\nReferences: <r1@x.test>\n <p@x.test>\n"
        )
    )
    assert parsed.sender is not None
    assert (parsed.sender.name, parsed.sender.address) == ("陳大文", "chan@example.hk")
    assert [a.address for a in parsed.to] == ["a@x.test", "b@x.test"]
    assert [a.address for a in parsed.cc] == ["c@x.test"]
    assert parsed.subject.startswith("理赔")
    assert parsed.date is not None and parsed.date.utcoffset() is not None
    assert parsed.message_id == "<abc@x.test>" and not parsed.message_id_generated
    assert parsed.in_reply_to == ("<p@x.test>",)
    assert parsed.thread_keys == ("<p@x.test>", "<r1@x.test>")


@pytest.mark.parametrize(
    ("date", "aware"),
    [
        ("Fri, 01 Mar 2024 09:15:00 -0000", True),  # "unknown zone": read as UTC
        ("not a date", None),
        ("", None),
    ],
)
def test_dates_are_aware_or_absent(date, aware):
    parsed = email_parse(_mail(BASIC + f"Date: {date}\n"))
    if aware:
        assert parsed.date is not None and parsed.date.tzinfo is not None
    else:
        assert parsed.date is None


def test_missing_message_id_gets_a_stable_content_hash():
    one = _mail(BASIC + "Received: by mx1\nSubject: hi\n")
    two = _mail(BASIC + "Received: by mx2 (another mailbox)\nSubject: hi\n")
    first, second = email_parse(one), email_parse(two)
    assert first.message_id.startswith("sha256:") and first.message_id_generated
    assert first.message_id == second.message_id
    assert email_parse(_mail(BASIC + "Subject: other\n")).message_id != first.message_id


def test_bare_message_ids_without_brackets_are_kept():
    parsed = email_parse(_mail(BASIC + "Message-ID: abc@x.test\nIn-Reply-To: p@x.test\n"))
    assert parsed.message_id == "<abc@x.test>"
    assert parsed.in_reply_to == ("<p@x.test>",)


@pytest.mark.parametrize(
    ("disposition", "filename"),
    [
        ("attachment; filename*=utf-8''%E7%90%86%E8%B3%A0.pdf", "理賠.pdf"),
        ("attachment;\n filename*0*=gb2312''%D6%D0%CE%C4;\n filename*1*=%2Epdf", "中文.pdf"),
        ('attachment; filename="=?UTF-8?B?5pel5pys6KqeLnBkZg==?="', "日本語.pdf"),
        ('attachment; filename="=?shift_jis?B?k/qWe4zqLnBkZg==?="', "日本語.pdf"),
        ('attachment; filename="C:\\\\Users\\\\ana\\\\report.pdf"', "report.pdf"),
        ('attachment; filename="../../etc/passwd"', "passwd"),
        ("attachment", "attachment-1.pdf"),
    ],
)
def test_attachment_names(disposition, filename):
    body = (
        b"--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        b"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: "
        + disposition.replace("\n", "\r\n").encode()
        + b"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(b"%PDF-1.4")
        + b"--b--\r\n"
    )
    parsed = email_parse(_mail(BASIC + 'Content-Type: multipart/mixed; boundary="b"\n', body))
    assert parsed.text == "see attached"
    assert [a.filename for a in parsed.attachments] == [filename]
    assert parsed.attachments[0].content == b"%PDF-1.4"


def test_raw_8bit_filename_is_detected():
    name = "保险单.pdf".encode("gbk")
    body = (
        b"--b\r\nContent-Type: text/plain; charset=gbk\r\n\r\n\xc4\xfa\xba\xc3\r\n--b\r\n"
        b'Content-Type: application/pdf\r\nContent-Disposition: attachment; filename="'
        + name
        + b'"\r\n\r\nx\r\n--b--\r\n'
    )
    parsed = email_parse(_mail(BASIC + 'Content-Type: multipart/mixed; boundary="b"\n', body))
    assert parsed.attachments[0].filename == "保险单.pdf"


@pytest.mark.parametrize(
    ("headers", "auto", "listed", "bulk"),
    [
        ("", False, False, False),
        ("Auto-Submitted: auto-replied\n", True, False, False),
        ("Auto-Submitted: no\n", False, False, False),
        ("Precedence: bulk\n", False, False, True),
        ("Precedence: junk\n", False, False, True),
        ("List-Id: Devel <devel.lists.example.org>\n", False, True, False),
        ("List-Unsubscribe: <mailto:u@x.test>\n", False, True, False),
        ("X-Auto-Response-Suppress: All\n", False, False, True),
        ("X-Autoreply: yes\n", True, False, False),
    ],
)
def test_loop_flags(headers, auto, listed, bulk):
    parsed = email_parse(_mail(BASIC + headers))
    assert (parsed.auto_submitted, parsed.list_mail, parsed.bulk) == (auto, listed, bulk)
    assert parsed.auto_reply_forbidden == (auto or listed or bulk)


def test_list_id_is_extracted():
    parsed = email_parse(_mail(BASIC + "List-Id: Devel list <Devel.Lists.Example.org>\n"))
    assert parsed.list_id == "devel.lists.example.org"


def test_html_only_and_inline_images():
    body = (
        b'--r\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>hi <img src="cid:i1@x"></p>'
        b"\r\n--r\r\nContent-Type: image/png\r\nContent-ID: <i1@x>\r\n\r\npng\r\n--r--\r\n"
    )
    parsed = email_parse(_mail(BASIC + 'Content-Type: multipart/related; boundary="r"\n', body))
    assert parsed.text == "" and "cid:i1@x" in parsed.html
    assert [(a.content_id, a.inline) for a in parsed.inline_images] == [("i1@x", True)]


GARBAGE = [
    ("binary junk", bytes(range(256)) * 16, "no header fields"),
    ("empty", b"", "empty"),
    ("whitespace", b"\r\n\r\n  ", "empty"),
    (
        "nesting bomb",
        b"From: a@x.test\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
        + b"".join(
            b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (i, i + 1)
            for i in range(5000)
        ),
        "boundaries",
    ),
]


@pytest.mark.parametrize(("name", "raw", "reason"), GARBAGE, ids=[g[0] for g in GARBAGE])
def test_hopeless_input_raises_a_clear_error(name, raw, reason):
    with pytest.raises(MailParseError) as caught:
        email_parse(raw)
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    ("name", "content_type", "body"),
    [
        ("missing boundary", "multipart/mixed", b"--x\r\nContent-Type: text/plain\r\n\r\nhi"),
        ("wrong boundary", 'multipart/mixed; boundary="b"', b"--c\r\n\r\nhi\r\n--c--"),
        ("truncated", 'multipart/mixed; boundary="b"', b"--b\r\nContent-Type: text/pl"),
        ("bad base64", "text/plain", b"@@@not base64@@@"),
        ("8bit in headers only", "text/plain", b"\xff\xfe\xfd"),
    ],
)
def test_broken_mime_gives_a_best_effort_parse(name, content_type, body):
    headers = BASIC + f"Content-Type: {content_type}\n"
    if name == "bad base64":
        headers += "Content-Transfer-Encoding: base64\n"
    parsed = email_parse(_mail(headers + "Subject: broken\n", body))
    assert parsed.sender is not None and parsed.subject == "broken"


def test_moderately_nested_multiparts_parse():
    depth = 30
    head = b"".join(
        b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (i, i + 1)
        for i in range(depth)
    )
    tail = b"".join(b"--b%d--\r\n" % i for i in reversed(range(depth + 1)))
    raw = (
        b"From: a@x.test\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
        + head
        + b"--b%d\r\nContent-Type: text/plain\r\n\r\ndeep\r\n" % depth
        + tail
    )
    assert email_parse(raw).text == "deep"


def test_many_recipients():
    to = ", ".join(f"r{i}@x.test" for i in range(10_000))
    parsed = email_parse(_mail(f"From: a@x.test\nTo: {to}\n"))
    assert len(parsed.to) == 1000  # capped; the message itself is kept
