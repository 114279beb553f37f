"""RFC 3834 loop safety: table-driven, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lagniappe.engines.mail import (
    auto_reply_allowed,
    auto_reply_blocked_reason,
    auto_reply_rate_allowed,
    headers_read,
)

FROM = ("From", "Ana <ana@example.com>")
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ([FROM], ""),
        ([FROM, ("Auto-Submitted", "no")], ""),
        ([FROM, ("Auto-Submitted", "No; comment")], ""),
        ([FROM, ("Auto-Submitted", "auto-replied")], "auto_submitted"),
        ([FROM, ("Auto-Submitted", "auto-generated")], "auto_submitted"),
        ([FROM, ("auto-submitted", "auto-notified; owner-email=x@y")], "auto_submitted"),
        ([FROM, ("X-Autoreply", "yes")], "auto_submitted"),
        ([FROM, ("Precedence", "bulk")], "bulk"),
        ([FROM, ("Precedence", "List")], "bulk"),
        ([FROM, ("Precedence", "junk")], "bulk"),
        ([FROM, ("Precedence", "first-class")], ""),
        ([FROM, ("List-Id", "<devel.lists.fedoraproject.org>")], "list"),
        ([FROM, ("List-Unsubscribe", "<mailto:u@lists.example>")], "list"),
        ([FROM, ("X-Auto-Response-Suppress", "All")], "auto_response_suppressed"),
        ([FROM, ("Return-Path", "<>")], "empty_return_path"),
        ([FROM, ("Return-Path", "<ana@example.com>")], ""),
        ([("From", "MAILER-DAEMON@mx.example.com")], "machine_sender"),
        ([("From", "Mail Delivery <mailer-daemon@example.com>")], "machine_sender"),
        ([("From", "postmaster@example.com")], "machine_sender"),
        ([("From", "noreply@shop.example")], "machine_sender"),
        ([("From", "No-Reply@shop.example")], "machine_sender"),
        ([("From", "noreply+abc@shop.example")], "machine_sender"),
        ([("From", "bounces-123@lists.example")], "machine_sender"),
        ([FROM, ("Return-Path", "<bounce@esp.example>")], "machine_sender"),
        ([("From", "norelly@example.com")], ""),  # a person, not a robot
        ([("Subject", "no sender at all")], "no_sender"),
    ],
)
def test_blocked_reason(headers, reason):
    assert auto_reply_blocked_reason(headers) == reason


def test_the_sender_given_by_the_caller_is_used():
    assert auto_reply_blocked_reason([], sender="noreply@x.example") == "machine_sender"
    assert auto_reply_blocked_reason([], sender="ana@x.example") == ""


@pytest.mark.parametrize(
    ("minutes_ago", "limit", "allowed"),
    [
        ((), 3, True),
        ((5, 10), 3, True),
        ((5, 10, 20), 3, False),
        ((5, 10, 61, 120), 3, True),  # older than an hour does not count
        ((5,), 1, False),
        ((-5, -10, -20), 3, True),  # the future (clock skew) does not count
    ],
)
def test_rate_limit(minutes_ago, limit, allowed):
    recent = [NOW - timedelta(minutes=m) for m in minutes_ago]
    assert auto_reply_rate_allowed(recent, now=NOW, max_per_hour=limit) is allowed


def test_auto_reply_allowed_checks_headers_before_the_rate():
    three = [NOW - timedelta(minutes=m) for m in (1, 2, 3)]
    assert auto_reply_allowed([FROM], now=NOW).allowed
    assert auto_reply_allowed([FROM], recent=three, now=NOW).reason == "rate_limit"
    bulk = [FROM, ("Precedence", "bulk")]
    assert auto_reply_allowed(bulk, recent=three, now=NOW).reason == "bulk"


def test_headers_read_from_raw_bytes():
    raw = b"From: a@b.example\r\nAuto-Submitted: auto-replied\r\nSubject: x\r\n\r\nbody\r\n"
    assert auto_reply_blocked_reason(headers_read(raw)) == "auto_submitted"
