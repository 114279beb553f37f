"""The chat adapter on a stored frame: no database."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from lagniappe.channels.chat.adapter import ChatAdapter, envelope_raw
from lagniappe.channels.chat.tokens import host_user_verified
from lagniappe.channels.contracts import EndpointInfo, EnvelopeData, ParseError, SenderIdentity

ENDPOINT = EndpointInfo(
    id=3, brand_id=1, organisation_id=1, kind="chat", default_language="en", settings={}
)


def _envelope(raw: bytes) -> EnvelopeData:
    return EnvelopeData(
        id=9, endpoint=ENDPOINT, raw=raw, content_type="", received_at=datetime.now(UTC)
    )


def test_a_stored_frame_becomes_one_message_of_the_visitor() -> None:
    frame = json.dumps({"type": "message", "client_id": "c-1", "text": " 你好 "})
    raw = envelope_raw(visitor="v" * 24, frame=frame, user_id="u-42", language="zh-TW")
    [message] = ChatAdapter().parse(_envelope(raw))
    assert message.external_id == f"{'v' * 24}:c-1"
    assert message.text == "你好"
    assert message.language == "zh-TW"
    assert message.identities == (
        SenderIdentity("chat_visitor", "v" * 24),
        SenderIdentity("external_id", "u-42"),
    )
    assert message.thread_subject == f"chat-visitor:{'v' * 24}"


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        envelope_raw(visitor="v" * 24, frame="[]"),
        envelope_raw(visitor="a:b", frame='{"type":"message","client_id":"x","text":"t"}'),
        envelope_raw(visitor="v" * 24, frame='{"type":"message","client_id":"x y","text":"t"}'),
        envelope_raw(visitor="v" * 24, frame='{"type":"message","client_id":"x","text":"  "}'),
    ],
)
def test_what_is_not_a_visitor_message_fails_to_parse(raw: bytes) -> None:
    with pytest.raises(ParseError):
        ChatAdapter().parse(_envelope(raw))


def test_host_identity_needs_the_right_hmac() -> None:
    import hashlib
    import hmac

    good = hmac.new(b"s3cret", b"user-7", hashlib.sha256).hexdigest()
    settings: dict[str, object] = {"identity_secret": "s3cret"}
    assert host_user_verified(settings, "user-7", good) == "user-7"
    assert host_user_verified(settings, "user-8", good) is None
    assert host_user_verified(settings, "user-7", "") is None
    assert host_user_verified({}, "user-7", good) is None
