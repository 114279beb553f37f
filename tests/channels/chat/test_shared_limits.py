"""Rate limits shared across processes through Redis (LAGNIAPPE_REDIS_URL), on the real Redis
at 127.0.0.1:6379 (db 13, only this module's keys touched)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
import redis
from asgiref.sync import async_to_sync
from django.test import Client, override_settings

from lagniappe.channels.chat import shared_buckets
from lagniappe.channels.chat.limits import frame_allowance, limits_reset
from lagniappe.channels.models import Endpoint
from lagniappe.config.asgi import application
from lagniappe.conversations.models import Message
from tests.channels.chat.conftest import session_token, visitor_socket
from tests.conftest import World

REDIS_URL = "redis://127.0.0.1:6379/13"


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379"),
]


@pytest.fixture(autouse=True)
def fresh_counts() -> Iterator[None]:
    limits_reset()
    shared_buckets.shared_reset(REDIS_URL)
    yield
    limits_reset()
    shared_buckets.shared_reset(REDIS_URL)


def _spend_in_another_process(key: str, capacity: int) -> float:
    """What a second server process would do: spend from the same bucket in Redis."""
    code = (
        "import sys; from lagniappe.channels.chat import shared_buckets; "
        f"print(shared_buckets.spend({REDIS_URL!r}, [({key!r}, {capacity})], 600.0))"
    )
    answer = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    return float(answer.stdout.strip())


@override_settings(
    REDIS_URL=REDIS_URL,
    LAGNIAPPE_CHAT_VISITOR_FRAMES=3,
    LAGNIAPPE_CHAT_IP_FRAMES=100,
    LAGNIAPPE_CHAT_RATE_WINDOW=600,
)
def test_processes_spend_from_one_allowance_in_redis() -> None:
    assert frame_allowance(endpoint_id=7, visitor="v1", remote_addr="10.0.0.1") == 0
    assert frame_allowance(endpoint_id=7, visitor="v1", remote_addr="10.0.0.1") == 0
    # Another process spends the third frame; the fourth is refused there...
    assert _spend_in_another_process("visitor:7:v1", 3) == 0
    assert _spend_in_another_process("visitor:7:v1", 3) > 0
    # ...and here, even with this process' own counts forgotten: the count is in Redis.
    limits_reset()
    wait = frame_allowance(endpoint_id=7, visitor="v1", remote_addr="10.0.0.1")
    assert 0 < wait <= 200  # one frame back every 600 / 3 s
    # Another visitor from the same address is counted apart (its own bucket).
    assert frame_allowance(endpoint_id=7, visitor="v2", remote_addr="10.0.0.1") == 0
    keys = redis.Redis.from_url(REDIS_URL).keys(shared_buckets.KEY_PREFIX + "*")
    assert {key.decode() for key in keys} == {
        shared_buckets.KEY_PREFIX + "visitor:7:v1",
        shared_buckets.KEY_PREFIX + "visitor:7:v2",
        shared_buckets.KEY_PREFIX + "ip:10.0.0.1",
    }


@override_settings(
    REDIS_URL=REDIS_URL,
    LAGNIAPPE_CHAT_VISITOR_FRAMES=100,
    LAGNIAPPE_CHAT_IP_FRAMES=2,
    LAGNIAPPE_CHAT_RATE_WINDOW=600,
)
def test_a_refused_frame_spends_nothing_from_either_bucket() -> None:
    assert frame_allowance(endpoint_id=1, visitor="a", remote_addr="10.0.0.9") == 0
    assert frame_allowance(endpoint_id=1, visitor="a", remote_addr="10.0.0.9") == 0
    assert frame_allowance(endpoint_id=1, visitor="a", remote_addr="10.0.0.9") > 0
    tokens = redis.Redis.from_url(REDIS_URL).hget(
        shared_buckets.KEY_PREFIX + "visitor:1:a", "tokens"
    )
    assert tokens is not None and 98 <= float(tokens) < 99  # not 97: the refusal spent none


@override_settings(
    REDIS_URL=REDIS_URL,
    LAGNIAPPE_CHAT_VISITOR_FRAMES=2,
    LAGNIAPPE_CHAT_IP_FRAMES=100,
    LAGNIAPPE_CHAT_RATE_WINDOW=600,
)
def test_socket_and_polling_share_the_visitors_allowance_in_redis(
    world: World, chat: Endpoint
) -> None:
    key = chat.public_key
    token = session_token(key)
    limits_reset()
    shared_buckets.shared_reset(REDIS_URL)

    async def scenario() -> None:
        socket = visitor_socket(application, key, token)
        assert (await socket.connect())[0]
        await socket.send_json({"type": "message", "client_id": "s-1", "text": "一"})
        assert (await socket.until("ack"))["client_id"] == "s-1"
        await socket.send_json({"type": "message", "client_id": "s-2", "text": "二"})
        assert (await socket.until("ack"))["client_id"] == "s-2"
        limits_reset()  # this process forgets; Redis does not
        await socket.send_json({"type": "message", "client_id": "s-3", "text": "三"})
        error = await socket.until("error")
        assert error["code"] == "rate_limited" and error["client_id"] == "s-3"
        await socket.disconnect()

    async_to_sync(scenario)()
    refused = Client().post(
        f"/chat/{key}/send",
        data=json.dumps({"token": token, "client_id": "s-4", "text": "四"}),
        content_type="text/plain",
        headers={"origin": "http://testserver"},
    )
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert Message.objects.filter(endpoint=chat).count() == 2


@override_settings(
    REDIS_URL="redis://127.0.0.1:1/0",  # nothing listens there
    LAGNIAPPE_CHAT_VISITOR_FRAMES=1,
    LAGNIAPPE_CHAT_IP_FRAMES=100,
    LAGNIAPPE_CHAT_RATE_WINDOW=600,
)
def test_without_an_answer_from_redis_this_process_counts() -> None:
    assert frame_allowance(endpoint_id=2, visitor="x", remote_addr="") == 0
    assert frame_allowance(endpoint_id=2, visitor="x", remote_addr="") > 0
