"""SQLite for the embedded mode: writers of one process take turns on a Python lock.

SQLite lets one writer in at a time. A writer that finds the database locked waits in
SQLite's busy handler, which sleeps in steps of 1, 2, 5, 10 … 100 ms before it looks again;
with the HTTP threads and the worker thread writing at once, those sleeps, not the work,
decide the tail latency. Waiting on a lock in Python instead wakes the next writer the
moment the previous one commits. Other processes (a separate `lagniappe worker`) still meet
the busy handler, which stays as the fallback.

A writer is a transaction (Django starts it with BEGIN IMMEDIATE) or, outside one, a single
data-changing statement in autocommit mode.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db.backends.sqlite3 import base

from lagniappe.core.sqlite.checkpoint import background_checkpoints_running

_WRITER = threading.Lock()
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    lagniappe_wrapper: DatabaseWrapper

    def execute(self, query: str, params: Any = None) -> Any:
        if self.lagniappe_wrapper.writer_held or not _is_write(query):
            return super().execute(query, params)
        with _WRITER:
            return super().execute(query, params)

    def executemany(self, query: str, param_list: Any) -> Any:
        if self.lagniappe_wrapper.writer_held:
            return super().executemany(query, param_list)
        with _WRITER:
            return super().executemany(query, param_list)


def _is_write(query: str) -> bool:
    return query.lstrip()[:7].upper().startswith(_WRITE_VERBS)


class DatabaseWrapper(base.DatabaseWrapper):
    writer_held = False

    def get_new_connection(self, conn_params: Any) -> Any:
        connection = super().get_new_connection(conn_params)
        if background_checkpoints_running():
            # core/sqlite/checkpoint.py copies the log back from its own thread.
            connection.execute("PRAGMA wal_autocheckpoint=0")
        return connection

    def create_cursor(self, name: str | None = None) -> Any:
        cursor = self.connection.cursor(factory=SQLiteCursorWrapper)
        cursor.lagniappe_wrapper = self
        return cursor

    def _start_transaction_under_autocommit(self) -> None:
        # django-tasks-db's worker claims tasks in EXCLUSIVE transactions: those write too,
        # and taking SQLite's lock without ours would deadlock against a writer holding ours.
        if not self.writer_held and self.transaction_mode in ("IMMEDIATE", "EXCLUSIVE"):
            _WRITER.acquire()
            self.writer_held = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._writer_release()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._writer_release()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._writer_release()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._writer_release()

    def _writer_release(self) -> None:
        if self.writer_held:
            self.writer_held = False
            _WRITER.release()
