"""Server time and SQL query count of the workspace's inbox and conversation pages at scale.

    python bench/workspace_pages.py --conversations 100000 --messages 1000000 \
        [--requests 50] [--database-url URL] [--home DIR [--reuse]]

Builds a fresh database (a temporary LAGNIAPPE_HOME with SQLite unless --database-url names
one; with a URL the tables are migrated into it, so give it an empty database), then
requests each page through `django.test.Client`: in-process, with the real URL conf and
middleware (sessions, locale, agent preferences), no network. Figures, one JSON line each:
generation time, p50/p95 server time and query count of the inbox's first page ("All open",
25 rows), of one conversation page (a conversation with the average number of messages,
its customer having earlier conversations), and of inbox searches (Japanese message text
matching a fifth of the conversations, one customer's email, a word found nowhere) on the
conversation search index, which is built after generation as `lagniappe reindex` builds it
(its time is a figure too). Run from a checkout without the index, the searches scan.

The data generator writes with `bulk_create` straight into the tables, NOT through the
services: a million messages through `message_receive` would take hours, and what is
measured here is reading. The rows are shaped like the funnel's (brand, customer,
identities, channel, language, status, message counts), in five languages.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from typing import Any

LANGUAGES = ("zh-Hant", "zh-Hans", "ja", "id", "en")
TEXTS = {
    "zh-Hant": "您好，我上週申請的理賠到現在還沒有消息，請問目前進度如何？",
    "zh-Hans": "你好，我三天前申请了退款，到现在还没有收到回复，请问需要多长时间？",
    "ja": "お世話になっております。保険料の払い戻しについて教えていただけますか。",
    "id": "Selamat siang, saya ingin menanyakan pengembalian dana pesanan saya.",
    "en": "Hello, my order arrived damaged; could you send a replacement or a refund?",
}
STATUSES = ("new", "open", "pending", "on_hold", "resolved", "closed")


def _figure(name: str, value: float, unit: str, **extra: Any) -> None:
    print(json.dumps({"figure": name, "value": round(value, 3), "unit": unit, **extra}))
    sys.stdout.flush()


def _setup(args: argparse.Namespace) -> None:
    home = args.home or tempfile.mkdtemp(prefix="lagniappe-bench-")
    os.environ["LAGNIAPPE_HOME"] = home
    os.environ.setdefault("LAGNIAPPE_ALLOWED_HOSTS", "testserver")
    os.environ["LAGNIAPPE_EMBEDDED_WORKER"] = "0"
    if args.database_url:
        os.environ["LAGNIAPPE_DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "lagniappe.config.settings.embedded"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _generate(conversations: int, messages: int) -> tuple[Any, int]:
    """The data set; returns (the agent who reads it, a typical conversation's id)."""
    from django.db import transaction

    from lagniappe.conversations.models import Conversation, Message
    from lagniappe.core import clock
    from lagniappe.core.actors import SYSTEM
    from lagniappe.customers.models import Customer, Identity
    from lagniappe.staff.services import agent_create, team_create
    from lagniappe.tenancy.services import brand_create, organisation_create

    organisation = organisation_create(actor=SYSTEM, name="Bench", slug="bench")
    brands = [
        brand_create(actor=SYSTEM, organisation=organisation, name=f"Brand {i}", slug=f"b{i}")
        for i in range(2)
    ]
    agent = agent_create(
        actor=SYSTEM,
        organisation=organisation,
        email="agent@bench.example",
        display_name="Agent",
        brands=[brands[0]],
    )
    team_create(
        actor=SYSTEM,
        organisation=organisation,
        name="Claims",
        slug="claims",
        brands=[brands[0]],
        members=[agent],
    )
    batch = 5000
    start = clock.now() - timedelta(days=365)
    customers = max(conversations // 3, 1)  # about three conversations per customer
    with transaction.atomic():
        for low in range(0, customers, batch):
            rows = Customer.objects.bulk_create(
                Customer(
                    organisation=organisation,
                    name=f"Customer {n}",
                    language=LANGUAGES[n % 5],
                )
                for n in range(low, min(low + batch, customers))
            )
            Identity.objects.bulk_create(
                Identity(
                    organisation=organisation,
                    customer=c,
                    kind="email",
                    value=f"c{low + i}@example.org",
                )
                for i, c in enumerate(rows)
            )
    first_customer = Customer.objects.order_by("id").values_list("id", flat=True).first() or 0
    per = max(messages // max(conversations, 1), 1)
    with transaction.atomic():
        for low in range(0, conversations, batch):
            Conversation.objects.bulk_create(
                Conversation(
                    brand=brands[n % 2],
                    customer_id=first_customer + n % customers,
                    channel_kind=("email", "chat", "api", "webform")[n % 4],
                    language=LANGUAGES[n % 5],
                    subject=f"#{n} {TEXTS[LANGUAGES[n % 5]][:24]}",
                    status=STATUSES[n % 6],
                    message_count=per,
                    last_message_at=start + timedelta(seconds=n),
                )
                for n in range(low, min(low + batch, conversations))
            )
    ids = list(Conversation.objects.order_by("id").values_list("id", "brand_id", "language"))
    with transaction.atomic():
        for low in range(0, messages, batch):
            Message.objects.bulk_create(
                Message(
                    conversation_id=ids[n % len(ids)][0],
                    brand_id=ids[n % len(ids)][1],
                    direction="in" if n % 2 == 0 else "out",
                    channel_kind="api",
                    text=f"{TEXTS[ids[n % len(ids)][2]]} ({n})",
                    language=ids[n % len(ids)][2],
                    created_at=start + timedelta(seconds=n),
                )
                for n in range(low, min(low + batch, messages))
            )
    # A conversation of the agent's brand from the middle of the table.
    middle = next(i for i, brand, _l in ids[len(ids) // 2 :] if brand == brands[0].pk)
    return agent, middle


def _index(size: dict[str, int], reuse: bool) -> None:
    """Build the conversation search documents of the generated rows, as `lagniappe reindex`
    does (the generator bypasses the services that keep them); with --reuse, only if they
    are missing. A checkout from before the index existed has nothing to build: its search
    scans."""
    try:
        from lagniappe.conversations.search_documents import documents_rebuild
        from lagniappe.conversations.search_index import document_count
    except ImportError:
        return
    if reuse and document_count() >= size["conversations"]:
        return
    began = time.perf_counter()
    documents_rebuild()
    _figure("workspace_search_index_seconds", time.perf_counter() - began, "s", **size)


def _generated() -> tuple[Any, int] | None:
    """(agent, typical conversation) of data generated earlier in this database, if any."""
    from lagniappe.conversations.models import Conversation
    from lagniappe.staff.models import Agent

    agent = Agent.objects.filter(email="agent@bench.example").first()
    if agent is None:
        return None
    ids = list(
        Conversation.objects.filter(brand__slug="b0").order_by("id").values_list("id", flat=True)
    )
    return agent, ids[len(ids) // 2]


_QUERIES = [0]


def _count_queries(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    _QUERIES[0] += 1
    return execute(sql, params, many, context)


def _count_on_every_connection() -> None:
    """Count the queries of every database connection, whichever thread opens it (a request
    may be served on another thread than the caller's, so one thread's log is not enough)."""
    from django.db import connections
    from django.db.backends.signals import connection_created

    def install(sender: Any, connection: Any, **kwargs: Any) -> None:
        connection.execute_wrappers.append(_count_queries)

    connection_created.connect(install, weak=False)
    for connection in connections.all():
        if _count_queries not in connection.execute_wrappers:
            connection.execute_wrappers.append(_count_queries)


def _measure(client: Any, url: str, requests: int) -> tuple[list[float], int]:
    for _ in range(3):  # warm caches, templates, translations
        assert client.get(url).status_code == 200, url
    before = _QUERIES[0]
    client.get(url)
    captured = range(_QUERIES[0] - before)
    timings = []
    for _ in range(requests):
        began = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
    return timings, len(captured)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--home", default="", help="LAGNIAPPE_HOME (default: a new temp dir)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the data an earlier run left in --home/--database-url (same sizes)",
    )
    args = parser.parse_args()
    _setup(args)
    from django.db import connection
    from django.test import Client

    size = {"conversations": args.conversations, "messages": args.messages}
    found = _generated() if args.reuse else None
    if found is None:
        began = time.perf_counter()
        agent, conversation_id = _generate(args.conversations, args.messages)
        _figure("workspace_generate_seconds", time.perf_counter() - began, "s", **size)
    else:
        agent, conversation_id = found
    _index(size, args.reuse)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    _count_on_every_connection()
    client = Client()
    client.force_login(agent)
    customers = max(args.conversations // 3, 1)
    pages = {
        "inbox": "/?view=open",
        "conversation": f"/conversations/{conversation_id}",
        # Message text in Japanese: a fifth of the conversations match, a page is found fast.
        "inbox_search": "/?view=open&q=" + "払い戻し",
        # One customer's email (about three conversations in the whole table).
        "inbox_search_email": f"/?view=open&q=c{customers // 2}%40example.org",
        # Words in no conversation: the search must find that out without scanning.
        "inbox_search_none": "/?view=open&q=" + "nonexistentword",
    }
    for page, url in pages.items():
        timings, queries = _measure(client, url, args.requests)
        cuts = statistics.quantiles(timings, n=20)
        extra = {**size, "requests": args.requests, "database": connection.vendor}
        _figure(f"workspace_{page}_p50", statistics.median(timings), "ms", **extra)
        _figure(f"workspace_{page}_p95", cuts[18], "ms", **extra)
        _figure(f"workspace_{page}_queries", queries, "queries", **extra)
    return 0


if __name__ == "__main__":
    sys.exit(main())
