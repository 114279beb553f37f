"""WAL checkpoints from a background thread: the log is copied back without the writers."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections

from lagniappe.core.sqlite.checkpoint import (
    WalCheckpointer,
    background_checkpoints_running,
    checkpoint_passive,
)


def _database_with_log(path: Path) -> sqlite3.Connection:
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, body TEXT)")
    for n in range(200):
        writer.execute("INSERT INTO item (body) VALUES (?)", ("x" * 3000 + str(n),))
    return writer


def _wait_for(condition, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_the_thread_copies_the_whole_log_back_while_writers_go_on(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    writer = _database_with_log(path)
    checkpointer = WalCheckpointer(str(path), interval=0.02)
    checkpointer.start()
    try:
        assert checkpointer.running and background_checkpoints_running()
        stop = threading.Event()
        written: list[int] = []

        def keep_writing() -> None:
            while not stop.is_set():
                writer.execute("INSERT INTO item (body) VALUES ('more')")
                written.append(1)

        thread = threading.Thread(target=keep_writing)
        thread.start()
        assert _wait_for(lambda: checkpointer.checkpoints >= 5)
        stop.set()
        thread.join()
        assert written  # writers were never blocked by the checkpoints
    finally:
        checkpointer.stop()
    assert not background_checkpoints_running()
    result = checkpoint_passive(writer)
    assert result.log_pages == result.checkpointed_pages  # stop() checkpointed the rest
    # The database file alone (log discarded) holds every row.
    writer.close()
    (tmp_path / "db.sqlite3-wal").unlink(missing_ok=True)
    reader = sqlite3.connect(path)
    assert reader.execute("SELECT count(*) FROM item").fetchone()[0] == 200 + len(written)
    reader.close()


def test_a_failing_round_does_not_stop_the_thread(tmp_path: Path) -> None:
    path = tmp_path / "not-a-database.sqlite3"
    path.write_bytes(b"this is not an SQLite file" * 100)
    checkpointer = WalCheckpointer(str(path), interval=0.02)
    checkpointer.start()
    try:
        time.sleep(0.2)
        assert checkpointer.running and checkpointer.checkpoints == 0
    finally:
        checkpointer.stop()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded SQLite backend's")
@pytest.mark.django_db(transaction=True)
def test_connections_opened_while_it_runs_leave_checkpoints_to_it(tmp_path: Path) -> None:
    def autocheckpoint_of_a_new_connection() -> int:
        connections["default"].close()
        with connections["default"].cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            return int(cursor.fetchone()[0])

    assert autocheckpoint_of_a_new_connection() == 1000
    checkpointer = WalCheckpointer(str(connections["default"].settings_dict["NAME"]))
    checkpointer.start()
    try:
        assert autocheckpoint_of_a_new_connection() == 0
    finally:
        checkpointer.stop()
    assert autocheckpoint_of_a_new_connection() == 1000
