"""WAL checkpoints on a background thread of `lagniappe serve`, off the writers' path.

By default SQLite checkpoints inside a commit: every 1,000 pages of write-ahead log, the
writer that crosses the mark copies them back into the database file before its commit
returns — while it still holds our writer lock (core/sqlite/base.py), so every other writer
of the process waits for it too. SQLite's documentation ("Application-Initiated
Checkpoints", sqlite.org/wal.html) suggests the alternative used here: switch the automatic
checkpoint off on the serving connections and checkpoint from a thread of its own. A PASSIVE
checkpoint never blocks readers or writers, and sqlite3 releases the GIL while it copies, so
it runs on the other core.

Only connections opened while the checkpointer runs skip the automatic checkpoint; other
processes (a separate `lagniappe worker`, the CLI) keep it, which is harmless beside ours.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass

logger = logging.getLogger(__name__)

# A quarter of a second keeps the log to a few megabytes at a few hundred writes a second.
CHECKPOINT_INTERVAL_S = 0.25
# Past this many pages the log is reported: a reader holding an old snapshot may be
# stopping checkpoints from completing.
LARGE_LOG_PAGES = 50_000


@dataclass(frozen=True)
class CheckpointResult:
    busy: bool
    log_pages: int
    checkpointed_pages: int


def checkpoint_passive(connection: sqlite3.Connection) -> CheckpointResult:
    busy, log_pages, checkpointed = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return CheckpointResult(bool(busy), int(log_pages), int(checkpointed))


class WalCheckpointer:
    """Checkpoints one SQLite database every `interval` seconds until stopped."""

    def __init__(self, database_path: str, interval: float = CHECKPOINT_INTERVAL_S) -> None:
        self.database_path = database_path
        self.interval = interval
        self.checkpoints = 0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        global _active
        self._thread = threading.Thread(
            target=self._run, name="lagniappe-wal-checkpoint", daemon=True
        )
        self._thread.start()
        _active = self

    def stop(self, timeout: float = 5.0) -> None:
        global _active
        if _active is self:
            _active = None  # connections opened from now on checkpoint by themselves again
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
        try:
            self._checkpoint_once()  # what was written since the last round
        except sqlite3.Error:
            logger.exception("last WAL checkpoint of %s failed", self.database_path)

    def _checkpoint_once(self) -> CheckpointResult:
        connection = sqlite3.connect(self.database_path, timeout=20, isolation_level=None)
        try:
            return checkpoint_passive(connection)
        finally:
            connection.close()

    def _run(self) -> None:
        connection = sqlite3.connect(
            self.database_path, timeout=20, isolation_level=None, check_same_thread=False
        )
        try:
            while not self._stopping.wait(self.interval):
                try:
                    result = checkpoint_passive(connection)
                except Exception:
                    # A failed round is retried at the next one; the thread must not die,
                    # or the serving connections' log would grow without bound.
                    logger.exception("WAL checkpoint of %s failed", self.database_path)
                    continue
                self.checkpoints += 1
                if result.log_pages > LARGE_LOG_PAGES:
                    logger.warning(
                        "the write-ahead log of %s holds %d pages (%d checkpointed)",
                        self.database_path,
                        result.log_pages,
                        result.checkpointed_pages,
                    )
        finally:
            connection.close()


_active: WalCheckpointer | None = None


def background_checkpoints_running() -> bool:
    return _active is not None and _active.running
