"""The text a reading worker analyses ahead is the text message_receive stores."""

from __future__ import annotations

import pytest

from lagniappe.conversations.bodies import MAX_TEXT_CHARACTERS, inbound_body, inbound_text


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Plain only", ""),
        ("", "<p>只有 <b>HTML</b></p><script>alert(1)</script>"),
        ("Both", "<p>Both, as HTML</p>"),
        ("", ""),
        ("", "<script>nothing shown</script>"),
        ("x" * (MAX_TEXT_CHARACTERS + 10), "<p>ignored</p>"),
    ],
)
def test_inbound_text_is_the_stored_text(text, html):
    assert inbound_text(text, html) == inbound_body(text, html)[0]
