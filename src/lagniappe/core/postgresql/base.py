"""PostgreSQL as Django's backend has it, with timestamps read by psycopg's C loader and
a savepoint's release sent with the next statement that needs the server.

Django reads every `timestamptz` value through a loader of its own, a Python subclass of
psycopg's pure-Python loader, so that each value carries the connection's time zone
(`datetime.timezone.utc`). psycopg's C extension has a loader for the same text format,
but Django's subclass bypasses it: ≈ 18 µs a value in Python against ≈ 2 µs. A conversation
row has eleven timestamps, and the mail poller reads a few conversations per message
(threading, identity look-ups): on the Fedora month that was ≈ 15 % of the poller's CPU.
Here the loader is the C one, with the same time zone replaced on its result, so every
value is what Django's loader gives (tests/core/test_postgresql_timestamps.py compares
them).

Releasing a savepoint is a round trip of its own, and the mail poller opens one per message
(a bad message rolls back alone): 2 of its ≈ 6 statements per mail were SAVEPOINT and
RELEASE. A release changes nothing another statement can see: the rows stay the
transaction's either way, and only a later rollback to an *enclosing* savepoint (which
discards this one with it) or the end of the transaction could tell. So the release waits
and goes with the next SAVEPOINT in one simple-protocol round trip ("RELEASE …; SAVEPOINT
…"), or is dropped by the ROLLBACK TO / COMMIT / ROLLBACK that makes it moot. At most one
subtransaction is held open a little longer; tests/core/test_postgresql_savepoints.py
checks nesting, rollbacks and commits against the server's own view.
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

    # The innermost savepoint released by Django but not yet by the server (see above).
    _release_pending: str | None = None

    def _savepoint(self, sid: str) -> None:
        pending, self._release_pending = self._release_pending, None
        create = self.ops.savepoint_create_sql(sid)
        with self.cursor() as cursor:
            if pending is None:
                cursor.execute(create)
            else:  # no parameters: psycopg sends both in one simple-protocol query
                cursor.execute(f"{self.ops.savepoint_commit_sql(pending)}; {create}")

    def _savepoint_commit(self, sid: str) -> None:
        # Django releases the innermost first, and a new savepoint flushes the pending
        # release: `sid` encloses the pending one, whose release its own implies.
        self._release_pending = sid

    def _savepoint_rollback(self, sid: str) -> None:
        self._release_pending = None  # enclosed by `sid`: the rollback discards it
        super()._savepoint_rollback(sid)  # type: ignore[misc]  # private in django-stubs

    def _commit(self) -> None:
        self._release_pending = None
        super()._commit()  # type: ignore[misc]  # private in django-stubs

    def _rollback(self) -> None:
        self._release_pending = None
        super()._rollback()  # type: ignore[misc]  # private in django-stubs

    def _close(self) -> None:
        self._release_pending = None
        super()._close()  # type: ignore[misc]  # private in django-stubs
