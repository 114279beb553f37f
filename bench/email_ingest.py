"""Messages per second from IMAP to threaded conversations.

    .venv/bin/python bench/email_ingest.py --mbox ../shared/eval/email/fedora-2010-01.mbox \
        [--database-url postgresql://…/bench_db] [--profile /tmp/poll.prof]

Starts a throw-away dovecot (tests/channels/email/dovecot.py; Debian's dovecot-imapd),
APPENDs every message of the mbox, then in a fresh LAGNIAPPE_HOME (or --database-url, whose
database is dropped if it exists and created empty):
migrate, one organisation, brand and mailbox with those IMAP settings, and ONE poll with
processing (fetch by UID, store each envelope, flag \\Seen, parse and thread). The timed part
is the poll only (the analysers' models are loaded and the startup heap frozen before, as
`lagniappe email poll` does).
A second poll checks that nothing new is imported.
Figures (one JSON line each): email_ingest_throughput (msg/s), email_ingest_cpu_throughput
(messages per CPU-second of the polling process), on PostgreSQL running on this machine
email_ingest_total_cpu_throughput (messages per CPU-second of the poller and its database
backend together), email_ingest_messages (check `ok`: a
fast run that lost or failed messages is not a fast run; it also checks, after the clock, that every
conversation has its search document and every message is found by its own words).
`--profile` writes a cProfile of the timed poll (read it with `python -m pstats`); its
figures are then slower.
"""

from __future__ import annotations

import argparse
import imaplib
import json
import mailbox
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _figure(name: str, value: float, unit: str, **extra: object) -> None:
    print(json.dumps({"figure": name, "value": round(value, 4), "unit": unit, **extra}))


def _unindexed_messages(search_index: Any, message_model: Any) -> int:
    """Messages whose conversation a search for their own rarest-looking words (the three
    longest distinct words of the text) does not find: each must be found by them."""
    from lagniappe.engines.textsearch.filtering import query_alternatives

    missing = 0
    for conversation_id, text in message_model.objects.values_list("conversation_id", "text"):
        words = sorted({w for w in text.split() if w.isalpha() and w.isascii()}, key=len)[-3:]
        found = search_index.matching_ids(query_alternatives(" ".join(words))) if words else None
        if found is None:
            continue
        ids = message_model.objects.filter(conversation_id__in=found).values_list(
            "conversation_id", flat=True
        )
        missing += conversation_id not in set(ids)
    return missing


def _server_cpu_seconds(connection: Any) -> float | None:
    """CPU time so far of the PostgreSQL backend serving this connection, when the server
    runs on this machine (its process is readable under /proc); None otherwise."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _postgres_fresh(url: str) -> None:
    """An empty database of that name (dropped first if it exists), as bench/kb_eval.py."""
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mbox", required=True, type=Path)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default SQLite)")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the timed poll here")
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="lagniappe-bench-ingest-")
    os.environ["LAGNIAPPE_HOME"] = home
    os.environ["DJANGO_SETTINGS_MODULE"] = "lagniappe.config.settings.embedded"
    if args.database_url:
        _postgres_fresh(args.database_url)
        os.environ["LAGNIAPPE_DATABASE_URL"] = args.database_url
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from lagniappe.channels.email.imap import mailbox_poll
    from lagniappe.channels.models import EnvelopeStatus, InboundEnvelope
    from lagniappe.channels.services import endpoint_create
    from lagniappe.cli.runtime import startup_heap_freeze
    from lagniappe.conversations import search_index
    from lagniappe.conversations.models import Conversation, Message
    from lagniappe.core.actors import SYSTEM
    from lagniappe.engines.mail.preload import mail_analysis_preload
    from lagniappe.tenancy.services import brand_create, organisation_create
    from tests.channels.email.dovecot import dovecot_server

    call_command("migrate", verbosity=0)
    source = mailbox.mbox(args.mbox, create=False)
    raws = [source.get_bytes(key) for key in source.keys()]  # noqa: SIM118 (mbox, not dict)
    with dovecot_server() as server:
        client = imaplib.IMAP4(server.host, server.port)
        client.login(server.username, server.password)
        for raw in raws:
            client.append("INBOX", None, None, raw)
        client.logout()

        organisation = organisation_create(actor=SYSTEM, name="Bench", slug="bench")
        brand = brand_create(
            actor=SYSTEM, organisation=organisation, name="Bench", slug="bench",
            default_language="en",
        )  # fmt: skip
        endpoint = endpoint_create(
            actor=SYSTEM, brand=brand, kind="email", name="list",
            settings={"address": "devel@bench.test", "imap": server.imap_settings()},
        )  # fmt: skip
        # A poller or worker loads the analysers' models when it starts (the language
        # detector's alone is ~0.7 s of CPU) and freezes its startup heap out of the garbage
        # collector: as `lagniappe email poll` does, before the clock.
        mail_analysis_preload()
        startup_heap_freeze()
        server_started = _server_cpu_seconds(connection)
        started = time.perf_counter()
        cpu_started = time.process_time()
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            summary = profiler.runcall(mailbox_poll, endpoint, process=True)
            profiler.dump_stats(args.profile)
        else:
            summary = mailbox_poll(endpoint, process=True)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        server_ended = _server_cpu_seconds(connection)
        again = mailbox_poll(endpoint, process=True)

    database = "postgresql" if args.database_url else "sqlite"
    _figure(
        "email_ingest_throughput",
        summary.stored / elapsed,
        "msg/s",
        database=database,
        seconds=round(elapsed, 3),
    )
    # The poller's own CPU time (not dovecot's, not the database server's): what the figure
    # would be on an idle machine if nothing waited; tells a busy box from a slow product.
    _figure(
        "email_ingest_cpu_throughput",
        summary.stored / cpu if cpu else 0.0,
        "msg/cpu-s",
        database=database,
        cpu_seconds=round(cpu, 3),
    )
    if server_started is not None and server_ended is not None:
        # The PostgreSQL backend's CPU for the same poll (it shares the machine's cores):
        # poller and server together, per message, is what a busy box disturbs least.
        server = server_ended - server_started
        _figure(
            "email_ingest_total_cpu_throughput",
            summary.stored / (cpu + server) if cpu + server else 0.0,
            "msg/cpu-s",
            database=database,
            cpu_seconds=round(cpu, 3),
            server_cpu_seconds=round(server, 3),
        )
    failed = InboundEnvelope.objects.filter(status=EnvelopeStatus.FAILED).count()
    # Indexed for search too: every conversation has its document, and the words of every
    # stored message are in it (a message's distinct terms, checked against the index).
    indexed = search_index.document_count()
    unindexed = _unindexed_messages(search_index, Message)
    live_conversations = Conversation.objects.filter(merged_into__isnull=True).count()
    _figure(
        "email_ingest_messages",
        Message.objects.count(),
        "messages",
        database=database,
        in_mbox=len(raws),
        stored=summary.stored,
        processed=summary.processed,
        failed=failed,
        conversations=live_conversations,
        search_documents=indexed,
        messages_not_found_by_their_words=unindexed,
        second_poll_stored=again.stored,
        # A failed envelope is kept and reported, but a run where mail failed is not a
        # throughput figure: every mail of the mbox must have become a message.
        ok=summary.stored == len(raws) and again.stored == 0
        and failed == 0 and Message.objects.count() == len(raws)
        and indexed == live_conversations and unindexed == 0,
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
