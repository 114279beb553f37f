"""PostgreSQL as Django's backend has it, with timestamps read by psycopg's C loader.

Django reads every `timestamptz` value through a loader of its own, a Python subclass of
psycopg's pure-Python loader, so that each value carries the connection's time zone
(`datetime.timezone.utc`). psycopg's C extension has a loader for the same text format,
but Django's subclass bypasses it: ≈ 18 µs a value in Python against ≈ 2 µs. A conversation
row has eleven timestamps, and the mail poller reads a few conversations per message
(threading, identity look-ups): on the Fedora month that was ≈ 15 % of the poller's CPU.
Here the loader is the C one, with the same time zone replaced on its result, so every
value is what Django's loader gives (tests/core/test_postgresql_timestamps.py compares
them).
"""

from __future__ import annotations

from datetime import tzinfo
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import get_adapters_template
from psycopg import adapt, adapters
from psycopg.adapt import Loader
from psycopg.pq import Format

TIMESTAMPTZ_OID = adapters.types["timestamptz"].oid
# The C loader when psycopg's C extension is installed (psycopg[binary] or [c]), else the
# Python one: the class psycopg itself uses for this type and format.
_FastestLoader: Any = adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)


def timestamptz_loader(zone: tzinfo | None) -> type[Loader]:
    """A loader of text `timestamptz` values into datetimes in `zone` (None: naive), like
    Django's; `timezone` is the attribute Django's cursors check before overriding it. The
    C loader cannot be subclassed: each of these holds one."""

    class TimestamptzInZoneLoader(Loader):
        timezone = zone

        def __init__(self, oid: int, context: Any = None) -> None:
            super().__init__(oid, context)
            self._load = _FastestLoader(oid, context).load

        def load(self, data: Any) -> Any:
            return self._load(data).replace(tzinfo=zone)

    return TimestamptzInZoneLoader


@lru_cache
def _adapters_template(use_tz: bool, zone: tzinfo | None) -> adapt.AdaptersMap:
    template = adapt.AdaptersMap(get_adapters_template(use_tz, zone))
    template.register_loader("timestamptz", timestamptz_loader(zone))
    return template


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        params["context"] = _adapters_template(settings.USE_TZ, self.timezone)
        return params
