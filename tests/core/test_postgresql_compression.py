"""PostgreSQL: the mail's raw source, text and HTML are compressed with lz4 when the server
has it (core/postgresql/compression.py), and read back as they were written."""

from __future__ import annotations

import os

import pytest
from django.db import connection

from lagniappe.channels.models import InboundEnvelope
from lagniappe.conversations.models import Message
from lagniappe.core import clock

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's TOAST compression"
)


def _server_has_lz4() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = %s",
                       ["default_toast_compression"])  # fmt: skip
        return bool(cursor.fetchone()[0])


@pytest.mark.django_db
def test_the_mail_columns_use_lz4_where_the_server_has_it():
    wanted = {
        (InboundEnvelope._meta.db_table, "raw"),
        (Message._meta.db_table, "text"),
        (Message._meta.db_table, "html"),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, a.attname, a.attcompression FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE c.relname = ANY(%s) AND a.attname = ANY(%s)",
            [[table for table, _ in wanted], [column for _, column in wanted]],
        )
        methods = {(table, column): method for table, column, method in cursor.fetchall()}
    expected = "l" if _server_has_lz4() else ""
    assert {methods[key] for key in wanted} == {expected}


@pytest.mark.django_db
def test_a_large_mail_is_stored_compressed_and_read_back_whole(world):
    raw = (
        b"Subject: big\r\n\r\n"
        + b"".join(b"line %d of a long mail, with words that repeat\r\n" % n for n in range(2000))
        + os.urandom(3000)
    )
    envelope = InboundEnvelope.objects.create(
        endpoint=world.insurer_api, kind="api", raw=raw, received_at=clock.now()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pg_column_size(raw), pg_column_compression(raw) FROM "
            f"{InboundEnvelope._meta.db_table} WHERE id = %s",
            [envelope.pk],
        )
        stored_size, method = cursor.fetchone()
    assert stored_size < len(raw) / 2
    assert method == ("lz4" if _server_has_lz4() else "pglz")
    assert bytes(InboundEnvelope.objects.get(pk=envelope.pk).raw) == raw
