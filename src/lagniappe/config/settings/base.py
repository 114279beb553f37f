"""Settings shared by every deployment. Everything configurable is a LAGNIAPPE_* variable."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parents[2]
HOME = Path(os.environ.get("LAGNIAPPE_HOME", ".lagniappe")).resolve()

INSECURE_DEFAULT_SECRET = "lagniappe-insecure-embedded-default-secret-change-me"
SECRET_KEY = os.environ.get("LAGNIAPPE_SECRET_KEY", INSECURE_DEFAULT_SECRET)
DEBUG = os.environ.get("LAGNIAPPE_DEBUG", "0") == "1"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("LAGNIAPPE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("LAGNIAPPE_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "lagniappe.config.apps.ConfigConfig",
    "lagniappe.core",
    "lagniappe.tenancy",
    "lagniappe.staff",
    "lagniappe.customers",
    "lagniappe.conversations",
    "lagniappe.channels",
    "lagniappe.channels.log",
    "lagniappe.channels.api",
    "lagniappe.channels.webform",
    "lagniappe.channels.email",
    "lagniappe.channels.chat",
    "lagniappe.workspace",
    "lagniappe.knowledge",
    "lagniappe.portal",
    "lagniappe.realtime",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lagniappe.workspace.middleware.AgentPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "lagniappe.config.urls"
ASGI_APPLICATION = "lagniappe.config.asgi.application"
AUTH_USER_MODEL = "staff.Agent"
LOGIN_URL = "workspace:login"
LOGIN_REDIRECT_URL = "workspace:inbox"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lagniappe.workspace.context_processors.agent_header",
            ],
        },
    },
]


# Django's SQLite backend, with the writers of one process queued in Python (core/sqlite).
SQLITE_ENGINE = "lagniappe.core.sqlite"
POSTGRESQL_ENGINE = "lagniappe.core.postgresql"


def postgresql_prepared_options() -> dict[str, object]:
    """Server-side parameters, and a statement run twice on a connection is prepared: the
    server parses and plans each hot statement once per pooled connection instead of every
    time (≈ a third of PostgreSQL's CPU for an email ingested). LAGNIAPPE_DB_PREPARED=0 for a
    transaction-mode pooler (PgBouncer) in front of PostgreSQL, which cannot keep them."""
    if os.environ.get("LAGNIAPPE_DB_PREPARED", "1") == "0":
        return {}
    return {"server_side_binding": True, "prepare_threshold": 2}


def database_from_environment(home: Path) -> dict[str, object]:
    """SQLite under LAGNIAPPE_HOME unless LAGNIAPPE_DATABASE_URL names another database."""
    url = os.environ.get("LAGNIAPPE_DATABASE_URL", "")
    if url:
        # Under ASGI every request runs in a thread of its own, so persistent per-thread
        # connections would pile up; PostgreSQL gets psycopg's connection pool instead.
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=0))
        if config["ENGINE"] == "django.db.backends.postgresql":
            config["ENGINE"] = POSTGRESQL_ENGINE  # Django's, with psycopg's C timestamps
            config["OPTIONS"] = {
                "pool": {
                    "min_size": 2,
                    "max_size": int(os.environ.get("LAGNIAPPE_DB_POOL_SIZE", "20")),
                    "timeout": 20,
                },
                **postgresql_prepared_options(),
            }
    else:
        config = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(home / "lagniappe.sqlite3"),
        }
    if config["ENGINE"] in ("django.db.backends.sqlite3", SQLITE_ENGINE):
        config["ENGINE"] = SQLITE_ENGINE
        # WAL lets readers run beside the writer; IMMEDIATE avoids lock upgrades that
        # fail with "database is locked" when the worker and the server write at once.
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=10000;PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        # HTTP runs on a fixed pool of threads (config/http.py): each keeps its connection.
        config["CONN_MAX_AGE"] = None
    return config


DATABASES = {"default": database_from_environment(HOME)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("LAGNIAPPE_REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "lagniappe.realtime.layers.InMemoryChannelLayer"}}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hant", _("Traditional Chinese")),
    ("zh-hans", _("Simplified Chinese")),
    ("ja", _("Japanese")),
    ("id", _("Indonesian")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("LAGNIAPPE_TIME_ZONE", "UTC")

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
MEDIA_ROOT = Path(os.environ.get("LAGNIAPPE_MEDIA_ROOT", str(HOME / "media")))
MEDIA_URL = "/media/"

# Request size limits; the API answers 413 with a JSON error above them.
LAGNIAPPE_MAX_JSON_BYTES = int(os.environ.get("LAGNIAPPE_MAX_JSON_BYTES", str(1024 * 1024)))
LAGNIAPPE_MAX_ATTACHMENT_BYTES = int(
    os.environ.get("LAGNIAPPE_MAX_ATTACHMENT_BYTES", str(25 * 1024 * 1024))
)
DATA_UPLOAD_MAX_MEMORY_SIZE = LAGNIAPPE_MAX_ATTACHMENT_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
LAGNIAPPE_ATTACHMENT_CONTENT_TYPES_BLOCKED = (
    "application/x-msdownload",
    "application/x-dosexec",
    "application/x-sh",
    "text/html",
    "image/svg+xml",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LAGNIAPPE_LOG_LEVEL", "WARNING")},
    "loggers": {
        "lagniappe": {"level": os.environ.get("LAGNIAPPE_LOG_LEVEL", "INFO")},
    },
}

# Mail of the same customer with the same subject joins their conversation within this window.
LAGNIAPPE_EMAIL_SUBJECT_THREAD_DAYS = int(
    os.environ.get("LAGNIAPPE_EMAIL_SUBJECT_THREAD_DAYS", "7")
)

# Worker processes a mail poller forks to parse a batch while it writes the messages
# (channels/reading_ahead.py); unset: one core less than the machine has, at most 2.
LAGNIAPPE_PARSE_WORKERS = (
    int(os.environ["LAGNIAPPE_PARSE_WORKERS"])
    if os.environ.get("LAGNIAPPE_PARSE_WORKERS")
    else None
)

# Chat visitors: frames (socket) or calls (polling) per visitor and per IP address, per window
# of seconds, in each server process (channels/chat/limits.py).
LAGNIAPPE_CHAT_VISITOR_FRAMES = int(os.environ.get("LAGNIAPPE_CHAT_VISITOR_FRAMES", "30"))
LAGNIAPPE_CHAT_IP_FRAMES = int(os.environ.get("LAGNIAPPE_CHAT_IP_FRAMES", "600"))
LAGNIAPPE_CHAT_RATE_WINDOW = float(os.environ.get("LAGNIAPPE_CHAT_RATE_WINDOW", "10"))
LAGNIAPPE_CHAT_TRANSCRIPTS_PER_DAY = int(os.environ.get("LAGNIAPPE_CHAT_TRANSCRIPTS_PER_DAY", "3"))

# Knowledge-base search by meaning as well as by words (knowledge/hybrid_search.py); "0" keeps
# words alone (for a machine too small for the ≈ 0.1 s per article the vectors cost).
LAGNIAPPE_SEARCH_MEANING = os.environ.get("LAGNIAPPE_SEARCH_MEANING", "1") != "0"
