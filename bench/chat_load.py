"""Chat under load: N visitor websockets sending at a steady rate, agents watching and answering.

    python bench/chat_load.py --prepare            # in an install's environment (LAGNIAPPE_HOME,
                                                   # LAGNIAPPE_DATABASE_URL): prints key & logins
    python bench/chat_load.py --url http://127.0.0.1:8000 [--url http://127.0.0.1:8001] \
        --key KEY --agent-email E --agent-password P --token T \
        --visitors 1000 --seconds 60 --rate 20 [--agents 2] [--reconnect-rate 0.02]

Visitors are spread round-robin over the --url servers (each gets its session, token and
socket there); agents sign in on --agent-url (default: the last --url), so with two
processes on one Redis most visitors' messages must cross processes to reach them.

What is measured (client clock, one process, monotonic):
- customer→agent delivery: from the visitor's `send` of a message to the first push on its
  responsible agent's workspace socket (`/ws/workspace`, the inbox `row` fragment) that shows
  the conversation at or after that message (the row's last-message time ≥ the message's
  stored time, which the visitor learns from its own message echoed back by the server);
- ack: send → `ack` (the server acks only after commit);
- agent→visitor: the agent's reply `POST /api/v1/conversations/{id}/messages` → the reply on
  the visitor's socket (includes the background worker's pick-up of the delivery task).
Lost = sent but never delivered to the agent by the end of --drain; duplicated = a message
stored more than once (each conversation's messages are listed through the API afterwards)
or one client id acked with two sequence numbers. With --reconnect-rate, that share of sends
drops the socket right after sending (before the ack) and resends from the outbox with the
same client id after reconnecting, as the widget does.

Prints one JSON line per figure; exits 1 if anything was lost or duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx
import websockets

TEXTS = [
    "Hello, my parcel has not arrived yet, can you check where it is?",
    "請問我的保單什麼時候到期?",
    "我想修改收货地址,可以吗?",
    "注文した商品の配送状況を教えてください。",
    "Halo, saya ingin mengubah alamat pengiriman pesanan saya.",
]
ROW_TIME = re.compile(r'<time datetime="([^"]+)"')


def emit(figure: str, value: float, unit: str, **extra: Any) -> None:
    print(json.dumps({"figure": figure, "value": value, "unit": unit, **extra}), flush=True)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


@dataclass
class Sent:
    visitor: int
    client_id: str
    text: str
    sent: float
    seq: int = 0
    acked: float = 0.0
    stored_at: datetime | None = None
    delivered: float = 0.0


@dataclass
class Visitor:
    index: int
    url: str
    token: str = ""
    socket: Any = None
    outbox: dict[str, Sent] = field(default_factory=dict)
    conversation_id: int = 0
    rows: list[tuple[float, datetime]] = field(default_factory=list)
    last_seq: int = 0
    undelivered: dict[str, Sent] = field(default_factory=dict)
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    resumed: asyncio.Event = field(default_factory=asyncio.Event)


class Run:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.tag = f"lgbench{uuid.uuid4().hex[:6]}"
        self.visitors: list[Visitor] = []
        self.sent: dict[str, Sent] = {}
        self.seqs: dict[str, set[int]] = {}
        self.replies: dict[str, float] = {}  # reply text -> POST time
        self.reply_latencies: list[float] = []
        self.errors: dict[str, int] = {}
        self.stop = False
        self.http: httpx.AsyncClient | None = None

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    # -- visitors ----------------------------------------------------------------------------

    async def visitor_connect(self, visitor: Visitor) -> None:
        assert self.http is not None
        key = self.args.key
        for attempt in range(5):
            if visitor.token:
                break
            try:
                answer = await self.http.post(
                    f"{visitor.url}/chat/{key}/session", content=json.dumps({"token": ""})
                )
                visitor.token = answer.json()["token"]
            except httpx.TransportError:  # a kept-alive connection the server just closed
                self.error("session_retried")
                await asyncio.sleep(0.2 * (attempt + 1))
        ws_url = visitor.url.replace("http", "ws", 1)
        page = quote(f"https://shop.example/{self.tag}/{visitor.index}")
        visitor.socket = await websockets.connect(
            f"{ws_url}/ws/chat/{key}?token={visitor.token}&lang=en&page={page}",
            max_queue=None,
            ping_interval=None,
            open_timeout=60,
        )
        await visitor.socket.send(json.dumps({"type": "resume", "last_seq": visitor.last_seq}))
        for item in list(visitor.outbox.values()):
            await self.transmit(visitor, item)
        visitor.connected.set()

    async def transmit(self, visitor: Visitor, item: Sent) -> None:
        frame = {"type": "message", "client_id": item.client_id, "text": item.text}
        await visitor.socket.send(json.dumps(frame, ensure_ascii=False))

    async def visitor_listen(self, visitor: Visitor) -> None:
        while not self.stop:
            await visitor.connected.wait()
            socket = visitor.socket
            try:
                async for raw in socket:
                    self.visitor_frame(visitor, json.loads(raw))
            except websockets.ConnectionClosed:
                pass
            if socket is visitor.socket and not self.stop:  # dropped by the server
                self.error("visitor_socket_closed")
                visitor.connected.clear()
                await asyncio.sleep(1)
                await self.reconnect(visitor)

    async def reconnect(self, visitor: Visitor) -> None:
        visitor.connected.clear()
        try:
            await self.visitor_connect(visitor)
        except Exception:
            self.error("visitor_reconnect_failed")
            await asyncio.sleep(1)
            asyncio.get_running_loop().create_task(self.reconnect(visitor))

    def visitor_frame(self, visitor: Visitor, frame: dict[str, Any]) -> None:
        now = time.perf_counter()
        kind = frame.get("type")
        if kind == "ack":
            item = self.sent.get(frame["client_id"])
            self.seqs.setdefault(frame["client_id"], set()).add(frame["seq"])
            if item is not None and not item.acked:
                item.acked, item.seq = now, frame["seq"]
                visitor.outbox.pop(item.client_id, None)
        elif kind == "message":
            visitor.last_seq = max(visitor.last_seq, frame["seq"])
            item = self.sent.get(frame.get("client_id") or "")
            if item is not None and item.stored_at is None:
                item.stored_at = datetime.fromisoformat(frame["sent_at"])
                self.delivery_check(visitor, item)
            posted = self.replies.pop(frame["text"], None) if frame["from"] == "agent" else None
            if posted is not None:
                self.reply_latencies.append((now - posted) * 1000)
        elif kind == "resumed":
            visitor.resumed.set()
        elif kind == "error":
            self.error(f"visitor_error_{frame.get('code')}")

    async def visitor_send(self, visitor: Visitor, number: int) -> None:
        client_id = uuid.uuid4().hex
        text = f"{self.tag}-{visitor.index} #{number} {TEXTS[number % len(TEXTS)]}"
        item = Sent(visitor.index, client_id, text, time.perf_counter())
        self.sent[client_id] = item
        visitor.outbox[client_id] = item
        visitor.undelivered[client_id] = item
        if not visitor.connected.is_set():
            return  # resent from the outbox on reconnect
        try:
            await self.transmit(visitor, item)
        except websockets.ConnectionClosed:
            return
        if random.random() < self.args.reconnect_rate:
            # The socket drops before the ack: the widget resends from its outbox.
            visitor.connected.clear()
            old = visitor.socket
            await old.close()
            await self.reconnect(visitor)

    # -- agents ------------------------------------------------------------------------------

    async def agent_login(self, url: str) -> str:
        async with httpx.AsyncClient(timeout=30) as client:
            page = await client.get(f"{url}/login")
            csrf = client.cookies.get("csrftoken") or ""
            answer = await client.post(
                f"{url}/login",
                data={
                    "username": self.args.agent_email,
                    "password": self.args.agent_password,
                    "csrfmiddlewaretoken": csrf,
                },
                headers={"Referer": f"{url}/login"},
            )
            session = client.cookies.get("sessionid")
            if not session:
                raise SystemExit(f"agent sign-in failed: {answer.status_code} {page.status_code}")
            return f"sessionid={session}; csrftoken={csrf}"

    async def agent_run(self, number: int, url: str, cookie: str, ready: asyncio.Event) -> None:
        ws_url = url.replace("http", "ws", 1) + "/ws/workspace"
        async with websockets.connect(
            ws_url,
            additional_headers={"Cookie": cookie, "Origin": url},
            max_queue=None,
            ping_interval=None,
        ) as socket:
            ready.set()
            async for raw in socket:
                frame = json.loads(raw)
                if frame.get("kind") == "row":
                    self.agent_row(number, frame, time.perf_counter())

    def agent_row(self, agent: int, frame: dict[str, Any], now: float) -> None:
        html = frame.get("html") or ""
        found = re.search(rf"{self.tag}-(\d+)", html)
        moment = ROW_TIME.search(html)
        if found is None or moment is None:
            return
        visitor = self.visitors[int(found.group(1))]
        if visitor.index % self.args.agents != agent:
            return  # another agent's chat (each agent socket still gets every row)
        visitor.conversation_id = int(frame["conversation_id"])
        visitor.rows.append((now, datetime.fromisoformat(moment.group(1))))
        for item in list(visitor.undelivered.values()):
            self.delivery_check(visitor, item)

    def delivery_check(self, visitor: Visitor, item: Sent) -> None:
        if item.delivered or item.stored_at is None:
            return
        for arrived, shown in visitor.rows:
            if shown >= item.stored_at and arrived >= item.sent:
                item.delivered = arrived
                visitor.undelivered.pop(item.client_id, None)
                if random.random() < self.args.answer:
                    asyncio.get_running_loop().create_task(self.answer(visitor, item))
                return

    async def answer(self, visitor: Visitor, item: Sent) -> None:
        assert self.http is not None
        text = f"re {item.client_id}"
        self.replies[text] = time.perf_counter()
        try:
            answer = await self.http.post(
                f"{self.args.agent_url}/api/v1/conversations/{visitor.conversation_id}/messages",
                json={"text": text},
                headers={"Authorization": f"Bearer {self.args.token}"},
            )
            if answer.status_code != 201:
                self.error(f"reply_http_{answer.status_code}")
        except httpx.HTTPError:
            self.error("reply_failed")

    # -- the run -----------------------------------------------------------------------------

    async def main(self) -> int:
        args = self.args
        limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
        self.http = httpx.AsyncClient(timeout=60, limits=limits)
        cookie = await self.agent_login(args.agent_url)
        ready = [asyncio.Event() for _ in range(args.agents)]
        agents = [
            asyncio.create_task(self.agent_run(n, args.agent_url, cookie, ready[n]))
            for n in range(args.agents)
        ]
        await asyncio.gather(*(event.wait() for event in ready))
        started = time.perf_counter()
        self.visitors = [Visitor(i, args.url[i % len(args.url)]) for i in range(args.visitors)]
        gate = asyncio.Semaphore(args.connect_concurrency)

        async def connect(visitor: Visitor) -> None:
            async with gate:
                await self.visitor_connect(visitor)

        await asyncio.gather(*(connect(v) for v in self.visitors))
        emit(
            "chat_visitors_connected",
            len(self.visitors),
            "sockets",
            seconds=round(time.perf_counter() - started, 2),
            servers=len(args.url),
        )
        listeners = [asyncio.create_task(self.visitor_listen(v)) for v in self.visitors]
        # Steady state: every socket has had its resume answered before messages start
        # (otherwise the connect backlog, not delivery, is measured).
        settle = time.perf_counter()
        try:
            await asyncio.wait_for(
                asyncio.gather(*(v.resumed.wait() for v in self.visitors)), args.settle
            )
        except TimeoutError:
            self.error("visitors_not_resumed")
        emit(
            "chat_visitors_resumed",
            sum(1 for v in self.visitors if v.resumed.is_set()),
            "sockets",
            seconds=round(time.perf_counter() - settle, 2),
        )
        await asyncio.sleep(1)  # status frames settle
        # Steady rate: one message every 1/rate s, visitors in a shuffled round-robin.
        order = list(self.visitors)
        random.shuffle(order)
        counts = [0] * len(order)
        interval = 1.0 / args.rate
        begin = time.perf_counter()
        number = 0
        while time.perf_counter() - begin < args.seconds:
            visitor = order[number % len(order)]
            counts[visitor.index] += 1
            asyncio.get_running_loop().create_task(
                self.visitor_send(visitor, counts[visitor.index])
            )
            number += 1
            delay = begin + number * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        sending = time.perf_counter() - begin
        deadline = time.perf_counter() + args.drain
        while time.perf_counter() < deadline:
            waiting = [s for s in self.sent.values() if not s.delivered]
            if not waiting and not self.replies:
                break
            await asyncio.sleep(0.2)
        self.stop = True
        duplicated = await self.stored_duplicates()
        for task in [*agents, *listeners]:
            task.cancel()
        for visitor in self.visitors:
            if visitor.socket is not None:
                await visitor.socket.close()
        await self.http.aclose()
        return self.report(sending, duplicated)

    async def stored_duplicates(self) -> int:
        """Messages stored more than once (by text), over every conversation we saw."""
        assert self.http is not None
        gate = asyncio.Semaphore(8)
        texts: dict[str, int] = {}

        async def one(conversation_id: int) -> None:
            url = f"{self.args.agent_url}/api/v1/conversations/{conversation_id}/messages"
            cursor = ""
            async with gate:
                while True:
                    answer = await self.http.get(  # type: ignore[union-attr]
                        url,
                        params={"limit": 100, **({"cursor": cursor} if cursor else {})},
                        headers={"Authorization": f"Bearer {self.args.token}"},
                    )
                    if answer.status_code == 429:
                        await asyncio.sleep(1)
                        continue
                    body = answer.json()
                    if answer.status_code != 200:
                        self.error(f"check_http_{answer.status_code}")
                        print(body, file=sys.stderr)
                        return
                    for message in body["items"]:
                        if message.get("direction") == "in":
                            texts[message["text"]] = texts.get(message["text"], 0) + 1
                    cursor = body.get("next") or ""
                    if not cursor:
                        return

        ids = {v.conversation_id for v in self.visitors if v.conversation_id}
        await asyncio.gather(*(one(i) for i in ids))
        self.stored_texts = texts
        return sum(count - 1 for count in texts.values() if count > 1)

    def report(self, sending: float, stored_duplicates: int) -> int:
        args = self.args
        sent = list(self.sent.values())
        delivered = [s for s in sent if s.delivered]
        acked = [s for s in sent if s.acked]
        latencies = [(s.delivered - s.sent) * 1000 for s in delivered]
        acks = [(s.acked - s.sent) * 1000 for s in acked]
        double_acked = sum(1 for seqs in self.seqs.values() if len(seqs) > 1)
        not_stored = sum(1 for s in sent if s.text not in self.stored_texts)
        lost = len(sent) - len(delivered)
        duplicated = stored_duplicates + double_acked
        common = {"visitors": args.visitors, "agents": args.agents, "servers": len(args.url)}
        emit("chat_messages_sent", len(sent), "messages", rate=args.rate,
             seconds=round(sending, 1), **common)  # fmt: skip
        emit("chat_messages_acked", len(acked), "messages", **common)
        emit("chat_messages_delivered", len(delivered), "messages", **common)
        emit("chat_messages_lost", lost, "messages", not_stored=not_stored, **common)
        emit("chat_messages_duplicated", duplicated, "messages",
             stored_twice=stored_duplicates, acked_twice=double_acked, **common)  # fmt: skip
        for name, values in (("delivery", latencies), ("ack", acks)):
            for label, fraction in (("p50", 0.5), ("p99", 0.99)):
                extra = {"target": args.target_p99} if (name, label) == ("delivery", "p99") else {}
                emit(f"chat_{name}_latency_{label}", round(percentile(values, fraction), 1), "ms",
                     **extra, **common)  # fmt: skip
        for label, fraction in (("p50", 0.5), ("p99", 0.99)):
            emit(f"chat_reply_latency_{label}", round(percentile(self.reply_latencies, fraction),
                 1), "ms", replies=len(self.reply_latencies), **common)  # fmt: skip
        if self.errors:
            emit("chat_errors", sum(self.errors.values()), "count", kinds=self.errors)
        return 1 if lost or duplicated else 0


def prepare() -> None:
    """Create (or reuse) the bench's brand, agent, chat widget and API token in the install
    named by the environment; print what chat_load.py needs."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lagniappe.config.settings.embedded")
    import django

    django.setup()
    from lagniappe.channels.models import Endpoint
    from lagniappe.channels.services import endpoint_create
    from lagniappe.core.actors import SYSTEM
    from lagniappe.staff.models import Agent
    from lagniappe.staff.services import agent_create, token_create
    from lagniappe.tenancy.models import Brand
    from lagniappe.tenancy.services import brand_create, organisation_create

    email, password = "chat-bench@example.org", "chat-bench-password"
    agent = Agent.objects.filter(email=email).first()
    if agent is None:
        organisation = organisation_create(actor=SYSTEM, name="Chat bench", slug="chat-bench")
        brand = brand_create(
            actor=SYSTEM, organisation=organisation, name="Chat bench", slug="chat-bench"
        )
        agent = agent_create(
            actor=SYSTEM,
            organisation=organisation,
            email=email,
            display_name="Bench agent",
            password=password,
            brands=[brand],
        )
        endpoint_create(actor=SYSTEM, brand=brand, kind="chat", name="Bench chat")
    brand = Brand.objects.get(slug="chat-bench")
    endpoint = Endpoint.objects.get(brand=brand, kind="chat")
    _token, secret = token_create(actor=SYSTEM, agent=agent, name=f"bench-{uuid.uuid4().hex[:6]}")
    print(
        json.dumps(
            {"key": endpoint.public_key, "email": email, "password": password, "token": secret}
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prepare", action="store_true", help="seed the install, print JSON")
    parser.add_argument("--url", action="append", default=[], help="a server (repeatable)")
    parser.add_argument("--agent-url", default="", help="where agents sign in (last --url)")
    parser.add_argument("--key", default="", help="the chat widget's public key")
    parser.add_argument("--agent-email", default="chat-bench@example.org")
    parser.add_argument("--agent-password", default="chat-bench-password")
    parser.add_argument("--token", default="", help="the agent's API token (answers, checks)")
    parser.add_argument("--visitors", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rate", type=float, default=20, help="visitor messages per second")
    parser.add_argument("--agents", type=int, default=2, help="agent sockets")
    parser.add_argument("--answer", type=float, default=1.0, help="share of messages answered")
    parser.add_argument("--reconnect-rate", type=float, default=0.0)
    parser.add_argument("--connect-concurrency", type=int, default=50)
    parser.add_argument("--drain", type=float, default=20, help="seconds to wait at the end")
    parser.add_argument("--settle", type=float, default=120, help="seconds to wait for resumes")
    parser.add_argument("--target-p99", type=float, default=100.0)
    args = parser.parse_args(argv)
    if args.prepare:
        prepare()
        return 0
    if not args.url or not args.key or not args.token:
        parser.error("--url, --key and --token are needed (see --prepare)")
    args.url = [u.rstrip("/") for u in args.url]
    args.agent_url = (args.agent_url or args.url[-1]).rstrip("/")
    return asyncio.run(Run(args).main())


if __name__ == "__main__":
    sys.exit(main())
