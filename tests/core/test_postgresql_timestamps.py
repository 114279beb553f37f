"""PostgreSQL timestamps read by psycopg's C loader give what Django's own loader gives."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from psycopg.pq import Format

from lagniappe.core.postgresql.base import TIMESTAMPTZ_OID, timestamptz_loader

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's timestamp loader"
)

VALUES = [
    "2024-01-02 03:04:05.123456+00",
    "2024-06-30 23:59:59.999999+08",
    "1970-01-01 00:00:00+00",
    "2000-02-29 12:00:00-05:30",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]


class _DjangoUtcLoader(BaseTzLoader):
    timezone = datetime.UTC


def _load(loader_class: type, text: str) -> datetime.datetime:
    with connection.cursor() as cursor:
        raw = cursor.connection
        return loader_class(TIMESTAMPTZ_OID, raw).load(text.encode())


@pytest.mark.django_db
def test_the_connection_reads_timestamps_with_our_loader_in_utc():
    with connection.cursor() as cursor:
        loader = cursor.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
        assert loader.__name__ == "TimestamptzInZoneLoader"
        assert loader.timezone is connection.timezone
        cursor.execute("SELECT %s::timestamptz", ["2024-01-02 03:04:05.123456+08"])
        (value,) = cursor.fetchone()
    assert value == datetime.datetime(2024, 1, 1, 19, 4, 5, 123456, tzinfo=datetime.UTC)
    assert value.tzinfo is connection.timezone


@pytest.mark.django_db
@pytest.mark.parametrize("text", VALUES)
def test_each_value_is_what_djangos_loader_gives(text):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::timestamptz::text", [text])
        (as_sent_by_server,) = cursor.fetchone()
    ours = _load(timestamptz_loader(datetime.UTC), as_sent_by_server)
    django_s = _load(_DjangoUtcLoader, as_sent_by_server)
    assert ours == django_s and ours.tzinfo is django_s.tzinfo is datetime.UTC
    assert ours.isoformat() == django_s.isoformat()


@pytest.mark.django_db
def test_naive_when_the_zone_is_none():
    text = "2024-01-02 03:04:05.5+00"
    ours = _load(timestamptz_loader(None), text)
    assert ours.tzinfo is None and ours == datetime.datetime(2024, 1, 2, 3, 4, 5, 500000)
