"""Two real `lagniappe serve` processes on one Redis (db 12 at 127.0.0.1:6379, flushed first):
a visitor on process A reaches an agent on process B and the agent's reply comes back,
nothing lost or doubled. A serves no background worker, so the reply's delivery task runs
in B and its push crosses back through Redis."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from tests.test_cli import free_port, lagniappe_env, run_cli, run_python, wait_for

REDIS_URL = "redis://127.0.0.1:6379/12"
TEXTS = ["第一則:請問保單何時到期?", "第二則:我想改地址", "third: thanks 🙏"]

SEED = """
import json
from lagniappe.channels.services import endpoint_create
from lagniappe.core.actors import SYSTEM
from lagniappe.staff.services import agent_create, token_create
from lagniappe.tenancy.services import brand_create, organisation_create
organisation = organisation_create(actor=SYSTEM, name="Harbour", slug="harbour")
brand = brand_create(actor=SYSTEM, organisation=organisation, name="Insurer", slug="insurer")
agent = agent_create(actor=SYSTEM, organisation=organisation, email="mei@insurer.test",
                     display_name="Mei", password="pw-insurer-1", brands=[brand])
endpoint = endpoint_create(actor=SYSTEM, brand=brand, kind="chat", name="Website chat")
_token, secret = token_create(actor=SYSTEM, agent=agent, name="test")
print(json.dumps({"key": endpoint.public_key, "token": secret}))
"""

COUNT = """
from lagniappe.conversations.models import Message
rows = Message.objects.filter(channel_kind="chat").values_list("direction", "text")
print(sorted(f"{d}:{t}" for d, t in rows))
"""


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.3).close()
    except OSError:
        return False
    return True


pytestmark = pytest.mark.skipif(not _redis_up(), reason="no Redis at 127.0.0.1:6379")


def _redis_flush() -> None:
    with socket.create_connection(("127.0.0.1", 6379), timeout=2) as conn:
        conn.sendall(b"*2\r\n$6\r\nSELECT\r\n$2\r\n12\r\n*1\r\n$7\r\nFLUSHDB\r\n")
        answer = b""
        while answer.count(b"\r\n") < 2:
            answer += conn.recv(100)
        assert answer == b"+OK\r\n+OK\r\n", answer


def _serve(home: Path, port: int, *extra: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "lagniappe", "serve", "--port", str(port), *extra],
        env=lagniappe_env(home, LAGNIAPPE_REDIS_URL=REDIS_URL),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    def healthy() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return process.poll() is not None

    wait_for(healthy, timeout=30, what="/healthz")
    assert process.poll() is None, process.communicate()[0]
    return process


def _stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[Path, str, str, dict[str, str]]]:
    home = tmp_path / "home"
    result = run_cli(home, "migrate")
    assert result.returncode == 0, result.stderr
    seed = json.loads(run_python(home, SEED).strip().splitlines()[-1])
    _redis_flush()
    port_a, port_b = free_port(), free_port()
    server_a = _serve(home, port_a, "--no-worker")
    try:
        server_b = _serve(home, port_b)
        try:
            yield home, f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}", seed
        finally:
            _stop(server_b)
    finally:
        _stop(server_a)
        _redis_flush()


def _agent_cookie(base: str) -> str:
    with httpx.Client(base_url=base, timeout=10) as client:
        client.get("/login")
        csrf = client.cookies.get("csrftoken") or ""
        client.post(
            "/login",
            data={
                "username": "mei@insurer.test",
                "password": "pw-insurer-1",
                "csrfmiddlewaretoken": csrf,
            },
            headers={"Referer": f"{base}/login"},
        )
        session = client.cookies.get("sessionid")
        assert session, "the agent could not sign in"
        return f"sessionid={session}; csrftoken={csrf}"


def _until(sock: ClientConnection, match: Any, what: str) -> dict[str, Any]:
    """Frames up to the first one `match` accepts (others skipped); 15 s at most each."""
    while True:
        try:
            frame = json.loads(sock.recv(timeout=15))
        except TimeoutError:
            raise AssertionError(f"no {what} frame arrived") from None
        if match(frame):
            return dict(frame)


def test_visitor_on_one_process_reaches_an_agent_on_another_and_back(
    two_servers: tuple[Path, str, str, dict[str, str]],
) -> None:
    home, base_a, base_b, seed = two_servers
    key = seed["key"]
    token = httpx.post(f"{base_a}/chat/{key}/session", content=b"{}", timeout=10).json()["token"]
    cookie = _agent_cookie(base_b)
    ws_a, ws_b = base_a.replace("http", "ws"), base_b.replace("http", "ws")
    with (
        connect(
            f"{ws_b}/ws/workspace", additional_headers={"Cookie": cookie, "Origin": base_b}
        ) as agent,
        connect(f"{ws_a}/ws/chat/{key}?token={token}&lang=zh-TW") as visitor,
    ):
        # The agent (on B) answers the status ping of a visitor on A: online, through Redis.
        _until(visitor, lambda f: f.get("type") == "status" and f["online"], "online status")

        visitor.send(json.dumps({"type": "message", "client_id": "m-1", "text": TEXTS[0]}))
        ack = _until(visitor, lambda f: f.get("type") == "ack", "ack")
        row = _until(agent, lambda f: f.get("kind") == "row", "inbox row")
        conversation_id = row["conversation_id"]

        # With the conversation open on B, A's next messages arrive in full.
        agent.send(json.dumps({"type": "subscribe", "conversation_id": conversation_id}))
        seqs = {ack["seq"]}
        for number, text in enumerate(TEXTS[1:], start=2):
            visitor.send(json.dumps({"type": "message", "client_id": f"m-{number}", "text": text}))
            seqs.add(_until(visitor, lambda f: f.get("type") == "ack", "ack")["seq"])
            _until(
                agent,
                lambda f, tail=text[-4:]: f.get("kind") == "message" and tail in f["html"],
                f"message fragment {number}",
            )
        # A resend after a "lost" ack (same client id) is the same message.
        visitor.send(json.dumps({"type": "message", "client_id": "m-1", "text": TEXTS[0]}))
        assert _until(visitor, lambda f: f.get("type") == "ack", "ack")["seq"] == ack["seq"]

        # The agent replies on B; B's worker delivers; the push crosses to the visitor on A.
        answer = httpx.post(
            f"{base_b}/api/v1/conversations/{conversation_id}/messages",
            json={"text": "您好,已收到 <b>三則</b>"},
            headers={"Authorization": f"Bearer {seed['token']}"},
            timeout=10,
        )
        assert answer.status_code == 201, answer.text
        reply = _until(
            visitor, lambda f: f.get("type") == "message" and f["from"] == "agent", "reply"
        )
        assert reply["text"] == "您好,已收到 <b>三則</b>"
        assert reply["seq"] == answer.json()["id"]

    # Stored once each, nothing more: three visitor messages and one reply.
    stored = run_python(home, COUNT).strip()
    assert stored == str(sorted([*(f"in:{t}" for t in TEXTS), "out:您好,已收到 <b>三則</b>"]))
    assert len(seqs) == 3
