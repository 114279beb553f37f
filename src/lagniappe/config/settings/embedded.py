"""The one-laptop default: SQLite under LAGNIAPPE_HOME, in-process worker, in-memory layer."""

from lagniappe.config.settings.base import *  # noqa: F403

LAGNIAPPE_EMBEDDED_WORKER = True
