"""The polling fallback (POST /chat/KEY/send and /poll) and the rate and size limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.test import Client, override_settings

from lagniappe.channels.chat.limits import RateLimiter, limits_reset
from lagniappe.channels.models import Endpoint
from lagniappe.config.asgi import application
from lagniappe.conversations.models import Conversation, Message
from lagniappe.conversations.services import message_send
from lagniappe.core.actors import Actor
from tests.channels.chat.conftest import session_token, visitor_socket
from tests.conftest import World

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_limits() -> Iterator[None]:
    limits_reset()
    yield
    limits_reset()


def _post(key: str, path: str, body: dict[str, Any], origin: str = "http://testserver") -> Any:
    return Client().post(
        f"/chat/{key}/{path}",
        data=json.dumps(body, ensure_ascii=False),
        content_type="text/plain",
        headers={"origin": origin},
    )


def test_polling_sends_once_per_client_id_and_catches_up_both_ways(
    world: World, chat: Endpoint
) -> None:
    key = chat.public_key
    token = session_token(key)
    first = _post(key, "send", {"token": token, "client_id": "p-1", "text": "輪詢 <b>你好</b> 🙂"})
    assert first.status_code == 200, first.content
    ack = first.json()
    assert ack["type"] == "ack" and ack["client_id"] == "p-1"
    assert first["Access-Control-Allow-Origin"] == "http://testserver"
    # The same client id again (the answer was lost): the same stored message.
    again = _post(key, "send", {"token": token, "client_id": "p-1", "text": "輪詢 <b>你好</b> 🙂"})
    assert again.json()["seq"] == ack["seq"]
    message = Message.objects.get(pk=ack["seq"])
    assert Message.objects.filter(endpoint=chat).count() == 1
    assert message.text == "輪詢 <b>你好</b> 🙂" and message.channel_kind == "chat"

    reply = message_send(
        actor=Actor.agent(world.insurer_agent.pk, "Mei"),
        conversation=Conversation.objects.get(pk=message.conversation_id),
        author_id=world.insurer_agent.pk,
        text="收到",
    )
    caught_up = _post(key, "poll", {"token": token, "last_seq": 0, "read_seq": reply.pk}).json()
    frames = caught_up["frames"]
    assert [(f["from"], f["text"]) for f in frames] == [
        ("visitor", "輪詢 <b>你好</b> 🙂"),
        ("agent", "收到"),
    ]
    assert frames[0]["client_id"] == "p-1" and "client_id" not in frames[1]
    assert caught_up["last_seq"] == reply.pk
    # Only what came after the last seen seq.
    later = _post(key, "poll", {"token": token, "last_seq": reply.pk}).json()
    assert later == {"frames": [], "last_seq": reply.pk}


def test_polling_refuses_tampered_tokens_foreign_origins_and_bad_input(
    world: World, chat: Endpoint
) -> None:
    key = chat.public_key
    token = session_token(key)
    sent = _post(key, "send", {"token": token, "client_id": "p-1", "text": "私密"})
    assert sent.status_code == 200
    # Another visitor (own valid token) sees nothing of the first one's conversation.
    other = session_token(key)
    assert _post(key, "poll", {"token": other, "last_seq": 0}).json()["frames"] == []
    visitor, _, signature = token.partition(".")

    def other_char(char: str) -> str:  # a replacement that really changes the token
        return "B" if char == "A" else "A"

    # The next-to-last character of the signature: the last one's low bits are padding.
    tampered = f"{visitor}.{signature[:-2]}{other_char(signature[-2])}{signature[-1]}"
    changed_visitor = f"{visitor[:-1]}{other_char(visitor[-1])}.{signature}"
    for bad in (tampered, changed_visitor, visitor, ""):
        answer = _post(key, "poll", {"token": bad, "last_seq": 0})
        assert answer.status_code == 401 and answer.json()["code"] == "bad_token"
    chat.settings = {"allowed_origins": ["https://shop.example"]}
    chat.save(update_fields=["settings"])
    assert _post(key, "poll", {"token": token}, origin="https://evil.example").status_code == 403
    assert _post(key, "poll", {"token": token}, origin="https://shop.example").status_code == 200
    origin = "https://shop.example"
    too_long = _post(key, "send", {"token": token, "client_id": "p-2", "text": "字" * 4001}, origin)
    assert too_long.status_code == 400
    assert too_long.json() == {"type": "error", "code": "too_long", "client_id": "p-2"}
    huge = _post(key, "send", {"token": token, "client_id": "p-3", "text": "x" * 17000}, origin)
    assert huge.status_code == 413 and huge.json()["code"] == "too_large"
    bad_id = _post(key, "send", {"token": token, "client_id": "a b", "text": "hi"}, origin)
    assert bad_id.json()["code"] == "invalid_message"
    assert _post(key, "poll", {"token": token, "last_seq": -1}, origin).status_code == 400
    assert Message.objects.filter(endpoint=chat).count() == 1
    assert _post("no-such-widget", "poll", {"token": token}).status_code == 404


@override_settings(LAGNIAPPE_CHAT_VISITOR_FRAMES=100, LAGNIAPPE_CHAT_IP_FRAMES=3)
def test_polling_calls_are_limited_per_ip_address(world: World, chat: Endpoint) -> None:
    key = chat.public_key
    tokens = [session_token(key) for _ in range(2)]
    for n, token in enumerate([tokens[0], tokens[1], tokens[1]]):
        answer = _post(key, "send", {"token": token, "client_id": f"ip-{n}", "text": "hello"})
        assert answer.status_code == 200
    refused = _post(key, "send", {"token": tokens[0], "client_id": "ip-9", "text": "hello"})
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited" and refused.json()["client_id"] == "ip-9"
    assert int(refused["Retry-After"]) >= 1
    assert not Message.objects.filter(external_id__endswith=":ip-9").exists()


@override_settings(
    LAGNIAPPE_CHAT_VISITOR_FRAMES=2, LAGNIAPPE_CHAT_IP_FRAMES=100, LAGNIAPPE_CHAT_RATE_WINDOW=600
)
def test_socket_rate_limit_answers_an_error_frame_and_the_socket_stays_usable(
    world: World, chat: Endpoint
) -> None:
    token = session_token(chat.public_key)

    async def scenario() -> None:
        socket = visitor_socket(application, chat.public_key, token)
        assert (await socket.connect())[0]
        for n in range(2):
            await socket.send_json({"type": "message", "client_id": f"r-{n}", "text": "快"})
            assert (await socket.until("ack"))["client_id"] == f"r-{n}"
        await socket.send_json({"type": "message", "client_id": "r-2", "text": "太快"})
        error = await socket.until("error")
        assert error["code"] == "rate_limited" and error["client_id"] == "r-2"
        assert error["retry_after"] > 0
        # Still answering (not closed); once the allowance is back (here: the counts are
        # forgotten), the widget's resend of the same message is stored, once.
        await socket.send_text("{not json")
        assert (await socket.until("error"))["code"] == "malformed"
        limits_reset()
        await socket.send_json({"type": "message", "client_id": "r-2", "text": "太快"})
        assert (await socket.until("ack"))["client_id"] == "r-2"
        await socket.disconnect()

    async_to_sync(scenario)()
    assert Message.objects.filter(endpoint=chat).count() == 3


def test_token_buckets_refill_with_time() -> None:
    limiter = RateLimiter(2, window=10)
    assert limiter.take("a", now=0) == 0 and limiter.take("a", now=0) == 0
    assert limiter.take("a", now=0) == pytest.approx(5.0)
    assert limiter.take("b", now=0) == 0  # keys are separate
    assert limiter.take("a", now=5) == 0  # one token back after half the window
    assert limiter.take("a", now=5) > 0
