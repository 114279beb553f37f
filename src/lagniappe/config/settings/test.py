"""Tests: the real database (SQLite by default, PostgreSQL when LAGNIAPPE_DATABASE_URL is set)."""

import tempfile
from pathlib import Path

from lagniappe.config.settings.base import *  # noqa: F403

LAGNIAPPE_EMBEDDED_WORKER = False
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="lagniappe-test-media-"))
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": False}
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405

# SQLite tests run on a file, as the product does: an in-memory database in shared-cache mode
# locks whole tables, so a socket's read beside a write fails at once ("database table is
# locked") where the product's WAL file lets readers and the writer run side by side.
# On a RAM-backed folder where there is one: the tests need SQLite's locking, not a disk.
# mkdtemp makes a private folder (mode 0700) there, so a shared /dev/shm is no risk.
_SCRATCH = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108
if DATABASES["default"]["ENGINE"] == SQLITE_ENGINE:  # noqa: F405
    _TEST_FOLDER = Path(tempfile.mkdtemp(prefix="lagniappe-test-db-", dir=_SCRATCH))
    DATABASES["default"]["TEST"] = {"NAME": str(_TEST_FOLDER / "test.sqlite3")}  # noqa: F405
