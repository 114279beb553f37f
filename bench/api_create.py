"""Conversations created per second through `POST /api/v1/conversations`.

    python bench/api_create.py --url http://127.0.0.1:8000 --token TOKEN \
        [--requests 2000] [--clients 4] [--warmup 20] [--brand-id N]

Each client is a thread with its own keep-alive httpx.Client. Bodies rotate through text in
en, zh-Hant, zh-Hans, ja and id; emails and external ids are unique per run. Prints one JSON
line per figure (throughput, p50/p95/p99 latency, and a persistence check that pages through
`GET /api/v1/conversations`); exits 1 if any request failed or the check fails.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

SAMPLES: list[dict[str, str]] = [
    {
        "language": "en",
        "name": "Margaret Thibodeaux",
        "subject": "Order #{n} arrived damaged",
        "text": (
            "Hello, my order arrived this morning but the box was crushed and two of the "
            "glasses inside are broken. Could you send replacements or a refund? Photos "
            "available on request. Thank you."
        ),
    },
    {
        "language": "zh-Hant",
        "name": "陳怡君",
        "subject": "訂單 #{n} 尚未送達",
        "text": (
            "您好，我上週五下的訂單到現在還沒有收到，物流頁面一直顯示「處理中」。"
            "請問可以幫我查詢一下目前的配送狀態嗎？謝謝。"
        ),
    },
    {
        "language": "zh-Hans",
        "name": "王建国",
        "subject": "关于订单 #{n} 的退款问题",
        "text": (
            "你好，我在三天前申请了退款，但是到现在还没有收到任何回复。"
            "请问退款一般需要多长时间到账？麻烦尽快处理，谢谢！"
        ),
    },
    {
        "language": "ja",
        "name": "佐藤 花子",
        "subject": "注文番号 #{n} のサイズ交換について",
        "text": (
            "お世話になっております。先日購入したシャツのサイズが合わなかったため、"
            "Mサイズへの交換をお願いしたいです。返送方法を教えていただけますでしょうか。"
        ),
    },
    {
        "language": "id",
        "name": "Siti Rahmawati",
        "subject": "Pembayaran pesanan #{n} belum terkonfirmasi",
        "text": (
            "Selamat siang, saya sudah melakukan transfer untuk pesanan saya kemarin sore, "
            "tetapi statusnya masih menunggu pembayaran. Mohon dibantu pengecekannya. "
            "Terima kasih."
        ),
    },
]

MAX_ERROR_BODIES = 5


@dataclass
class Results:
    latencies_ms: list[float] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)
    errors: int = 0
    error_bodies: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, response: httpx.Response | None, elapsed_ms: float, detail: str) -> None:
        created_id = _created_id(response)
        with self.lock:
            self.latencies_ms.append(elapsed_ms)
            if created_id is not None:
                self.created_ids.append(created_id)
                return
            self.errors += 1
            if self.error_bodies < MAX_ERROR_BODIES:
                self.error_bodies += 1
                print(f"api_create: error: {detail}", file=sys.stderr)


def _created_id(response: httpx.Response | None) -> int | None:
    if response is None or response.status_code != 201:
        return None
    try:
        value = response.json().get("id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None


def body_for(index: int, run: str, brand_id: int | None) -> dict[str, Any]:
    sample = SAMPLES[index % len(SAMPLES)]
    body: dict[str, Any] = {
        "customer": {"name": sample["name"], "email": f"bench-{run}-{index}@example.org"},
        "subject": sample["subject"].format(n=100000 + index),
        "text": sample["text"],
        "language": sample["language"],
        "external_id": f"bench-{run}-{index}",
    }
    if brand_id is not None:
        body["brand_id"] = brand_id
    return body


def client_for(url: str, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=60.0,
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
    )


def create_one(client: httpx.Client, body: dict[str, Any], results: Results) -> None:
    started = time.perf_counter()
    response: httpx.Response | None
    try:
        response = client.post("/api/v1/conversations", json=body)
        detail = f"HTTP {response.status_code}: {response.text[:500]}"
    except httpx.HTTPError as exc:
        response, detail = None, f"{type(exc).__name__}: {exc}"
    results.record(response, (time.perf_counter() - started) * 1000, detail)


def run_clients(
    url: str, token: str, bodies: list[dict[str, Any]], clients: int, results: Results
) -> float:
    """Send every body from `clients` threads; the wall time in seconds."""
    queue: Iterator[dict[str, Any]] = iter(bodies)
    queue_lock = threading.Lock()
    http_clients = [client_for(url, token) for _ in range(clients)]
    # Open each keep-alive connection before the clock starts.
    for client in http_clients:
        client.get("/healthz")
    start_gate = threading.Barrier(clients + 1)

    def worker(client: httpx.Client) -> None:
        start_gate.wait()
        while True:
            with queue_lock:
                body = next(queue, None)
            if body is None:
                return
            create_one(client, body, results)

    threads = [threading.Thread(target=worker, args=(c,), daemon=True) for c in http_clients]
    for thread in threads:
        thread.start()
    start_gate.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for client in http_clients:
        client.close()
    return elapsed


def listed_ids(list_url: str, token: str) -> list[int]:
    """Every conversation id the token can see, following `next` cursors."""
    ids: list[int] = []
    cursor: str | None = None
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60.0) as client:
        for _ in itertools.count():
            params: dict[str, str | int] = {"limit": 100}
            if cursor:
                params["cursor"] = cursor
            response = client.get(list_url, params=params)
            response.raise_for_status()
            page = response.json()
            ids.extend(int(item["id"]) for item in page["items"])
            cursor = page.get("next")
            if not cursor:
                return ids
    return ids


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), round(fraction * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def emit(figure: str, value: float, unit: str, **extra: Any) -> None:
    print(json.dumps({"figure": figure, "value": value, "unit": unit, **extra}), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True, help="base URL, e.g. http://127.0.0.1:8000")
    parser.add_argument("--token", required=True, help="bearer token")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=20, help="untimed creates before the run")
    parser.add_argument("--brand-id", type=int, default=None)
    parser.add_argument(
        "--check-url", default=None, help="list URL for the check (default URL/api/v1/...)"
    )
    args = parser.parse_args(argv)
    url = args.url.rstrip("/")
    list_url = args.check_url or f"{url}/api/v1/conversations"
    run = uuid.uuid4().hex[:10]

    visible_before = len(listed_ids(list_url, args.token))

    bodies = [body_for(i, run, args.brand_id) for i in range(args.warmup + args.requests)]
    warmup = Results()
    run_clients(url, args.token, bodies[: args.warmup], 1, warmup)
    if warmup.errors:
        print(f"api_create: {warmup.errors} warm-up request(s) failed; stopping", file=sys.stderr)
        return 1
    measured = Results()
    elapsed = run_clients(url, args.token, bodies[args.warmup :], args.clients, measured)

    created = len(measured.created_ids)
    emit(
        "api_create_throughput",
        round(created / elapsed, 1) if elapsed > 0 else 0.0,
        "conv/s",
        requests=args.requests,
        clients=args.clients,
        errors=measured.errors,
        seconds=round(elapsed, 3),
        target=url,
    )
    latencies = sorted(measured.latencies_ms)
    for name, fraction in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99)):
        emit(f"api_create_latency_{name}", round(percentile(latencies, fraction), 2), "ms")

    # Every id answered with 201 must be listed, and the list must have grown by exactly as
    # many: a create that reported success but did not persist, or persisted twice, fails.
    created_ids = set(warmup.created_ids) | set(measured.created_ids)
    after = listed_ids(list_url, args.token)
    found = len(created_ids.intersection(after))
    grown = len(after) - visible_before
    expected = len(warmup.created_ids) + created
    ok = found == expected == grown == len(created_ids)
    emit(
        "api_create_check",
        1 if ok else 0,
        "bool",
        expected=expected,
        found=found,
        listed_before=visible_before,
        listed_after=len(after),
    )
    if measured.errors:
        print(f"api_create: {measured.errors} request(s) failed", file=sys.stderr)
    return 0 if ok and not measured.errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
