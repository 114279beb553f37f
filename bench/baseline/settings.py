"""Settings of the bare baseline: no middleware, one app, SQLite with Lagniappe's PRAGMAs."""

from __future__ import annotations

import os

SECRET_KEY = "baseline-benchmark-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["baseline"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "baseline.app"
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Kept identical to database_from_environment() in lagniappe/config/settings/base.py so the
# comparison measures the product, not a different storage configuration.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("BASELINE_DB", "baseline.sqlite3"),
        "OPTIONS": {
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=10000;PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
}
