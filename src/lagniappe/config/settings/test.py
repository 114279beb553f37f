"""Tests: the real database (SQLite by default, PostgreSQL when LAGNIAPPE_DATABASE_URL is set)."""

import tempfile
from pathlib import Path

from lagniappe.config.settings.base import *  # noqa: F403

LAGNIAPPE_EMBEDDED_WORKER = False
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="lagniappe-test-media-"))
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": False}
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405
