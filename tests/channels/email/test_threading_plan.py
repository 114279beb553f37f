"""The threading read probes its indexes per Message-ID and key on PostgreSQL, whatever the
tables' statistics: a new install's tables are not analysed yet, and with `IN (...)` the
planner read every message and key of the brand for every mail (a poll's cost grew with the
square of the mail stored)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from django.db import connection

from lagniappe.channels.inbound import accept_many, process_envelopes
from lagniappe.conversations.models import Message


def _reply(number: int) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"Customer {number % 7} <c{number % 7}@example.org>"
    mail["To"] = "support@insurer.test"
    mail["Subject"] = "Re: the parcel" if number else "The parcel"
    mail["Message-ID"] = f"<plan-{number}@example.org>"
    if number:
        earlier = [f"<plan-{n}@example.org>" for n in range(max(0, number - 5), number)]
        mail["In-Reply-To"] = earlier[-1]
        mail["References"] = " ".join(earlier)
    mail["Date"] = "Tue, 02 Jan 2024 10:00:00 +0000"
    mail.set_content(f"Where is my parcel? Message number {number}.")
    return mail.as_bytes()


def _plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_the_threading_read_probes_each_id_and_key(world, mailbox):
    envelopes = accept_many(endpoint=mailbox, raws=[_reply(n) for n in range(60)], queue=False)
    process_envelopes([e.pk for e in envelopes])
    assert Message.objects.count() == 60
    statements: list[tuple[str, Any]] = []

    def capture(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if "conversations_threadkey" in sql and sql.lstrip().startswith("SELECT"):
            statements.append((sql, params))
        return execute(sql, params, many, context)

    (envelope,) = accept_many(endpoint=mailbox, raws=[_reply(60)], queue=False)
    with connection.execute_wrapper(capture):
        process_envelopes([envelope.pk])
    assert len(statements) == 1
    sql, params = statements[0]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (plan,) = cursor.fetchone()[0]
    if isinstance(plan, str):  # pragma: no cover - depends on the driver's JSON loading
        plan = json.loads(plan)
    scans = {
        node["Relation Name"]: node
        for node in _plan_nodes(plan["Plan"])
        if node.get("Relation Name") in ("conversations_message", "conversations_threadkey")
    }
    assert set(scans) == {"conversations_message", "conversations_threadkey"}
    for table, column in (
        ("conversations_message", "external_id"),
        ("conversations_threadkey", "key"),
    ):
        scan = scans[table]
        assert "Index Cond" in scan and column in scan["Index Cond"], scan
        assert "brand_id" in scan["Index Cond"] and "Filter" not in scan, scan
