"""Reply tokens: signed, verified, and nothing else passes for one."""

from __future__ import annotations

import pytest

from lagniappe.engines.mail import (
    reply_address,
    reply_token_make,
    reply_token_read,
    reply_tokens_in,
)

KEY = b"k" * 32


def test_a_token_names_its_conversation_for_its_brand_only():
    token = reply_token_make(KEY, brand_id=3, conversation_id=42)
    assert token.startswith("c42-") and token == token.lower()
    assert reply_token_read(KEY, brand_id=3, token=token) == 42
    assert reply_token_read(KEY, brand_id=3, token=token.upper()) == 42  # case folded by MTAs
    assert reply_token_read(KEY, brand_id=4, token=token) is None  # another brand
    assert reply_token_read(b"x" * 32, brand_id=3, token=token) is None  # another server


@pytest.mark.parametrize(
    "forged",
    [
        "c43-" + "a" * 16,  # made up
        "",
        "c42",
        "c42-",
        "reply",
        "c42-" + "a" * 15,
        "c42-" + "1" * 16,  # not base32
        "c" + "9" * 13 + "-" + "a" * 16,
    ],
)
def test_forged_and_malformed_tokens_are_ignored(forged):
    assert reply_token_read(KEY, brand_id=3, token=forged) is None


def test_tampering_with_the_number_or_the_signature_breaks_it():
    token = reply_token_make(KEY, brand_id=3, conversation_id=42)
    number, signature = token[1:].split("-")
    assert reply_token_read(KEY, brand_id=3, token=f"c43-{signature}") is None
    flipped = ("b" if signature[0] == "a" else "a") + signature[1:]
    assert reply_token_read(KEY, brand_id=3, token=f"c{number}-{flipped}") is None


def test_reply_address_and_reading_tokens_back():
    assert reply_address("support@x.test", "c1-abc") == "support+c1-abc@x.test"
    assert reply_address("support+old@x.test", "c1-abc") == "support+c1-abc@x.test"
    assert reply_address("", "c1-abc") == ""
    assert reply_tokens_in(
        ["Support+C1-ABC@x.test", "<other+tag@y.test>", "plain@z.test", "support+c1-abc@x.test"]
    ) == ["c1-abc", "tag"]
