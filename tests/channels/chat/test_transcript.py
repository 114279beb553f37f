"""The transcript by email: only the visitor's own chat, to the address they give (or the
pre-chat one), through the email outbound adapter of the brand's mailbox, rate-limited."""

from __future__ import annotations

import email
import json
from collections.abc import Callable
from email import policy
from typing import Any

import pytest
from django.test import Client, override_settings

from lagniappe.channels.chat.limits import limits_reset
from lagniappe.channels.models import Endpoint
from lagniappe.channels.services import endpoint_create
from lagniappe.conversations.models import Conversation, Message
from lagniappe.conversations.services import message_send
from lagniappe.core.actors import SYSTEM
from tests.channels.chat.conftest import session_token
from tests.channels.email.smtp_capture import smtp_capture
from tests.conftest import World

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_limits() -> None:
    limits_reset()


def _post(key: str, path: str, body: dict[str, Any]) -> Any:
    return Client().post(
        f"/chat/{key}/{path}",
        data=json.dumps(body, ensure_ascii=False),
        content_type="text/plain",
        headers={"origin": "http://testserver"},
    )


@override_settings(LAGNIAPPE_CHAT_TRANSCRIPTS_PER_DAY=2)
def test_transcript_is_mailed_automatic_and_only_the_visitors_own(
    world: World, chat: Endpoint, run_tasks: Callable[[], int]
) -> None:
    key = chat.public_key
    token, stranger = session_token(key), session_token(key)
    assert _post(key, "transcript", {"token": token, "email": "a@b.test"}).status_code == 409
    with smtp_capture() as (capture, port):
        endpoint_create(
            actor=SYSTEM,
            brand=world.insurer,
            kind="email",
            name="Support",
            settings={
                "address": "support@insurer.test",
                "smtp": {"host": "127.0.0.1", "port": port, "username": "", "password": ""},
            },
        )
        # Nothing said yet: nothing to send.
        assert _post(key, "transcript", {"token": token, "email": "a@b.test"}).json()["code"] == (
            "nothing_to_send"
        )
        seq = _post(key, "send", {"token": token, "client_id": "t-1", "text": "保單 <b>到期</b>?"})
        _post(key, "send", {"token": stranger, "client_id": "s-1", "text": "someone else's secret"})
        conversation = Conversation.objects.get(messages__pk=seq.json()["seq"])
        message_send(
            actor=SYSTEM,
            conversation=conversation,
            author_id=world.insurer_agent.pk,
            text="明年三月到期。",
        )
        run_tasks()
        # No address given and none on file.
        assert _post(key, "transcript", {"token": token}).json()["code"] == "no_email"
        _post(key, "session", {"token": token, "name": "Mei", "email": "mei@example.tw"})
        answer = _post(key, "transcript", {"token": token, "lang": "zh-Hant"})
        assert answer.status_code == 202, answer.content
        run_tasks()
        [sent] = capture.received
        assert sent.rcpt_tos == ["mei@example.tw"]
        mail = email.message_from_bytes(sent.original_content, policy=policy.default)
        assert mail["Auto-Submitted"] == "auto-generated"  # RFC 3834: sent on request, not a reply
        text = mail.get_body(("plain",)).get_content()
        assert "保單 <b>到期</b>?" in text and "明年三月到期。" in text and "Mei:" in text
        assert "someone else's secret" not in text
        # Another address, then the limit.
        assert _post(key, "transcript", {"token": token, "email": "x@y.test"}).status_code == 202
        limited = _post(key, "transcript", {"token": token, "email": "x@y.test"})
        assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
        run_tasks()
        assert [item.rcpt_tos for item in capture.received][1:] == [["x@y.test"]]
    # A forged token gets nothing.
    assert _post(key, "transcript", {"token": token + "x"}).status_code == 401
    assert Message.objects.filter(conversation=conversation).count() == 2  # not a message
