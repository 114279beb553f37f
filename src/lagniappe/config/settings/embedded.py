"""The one-laptop default: SQLite under LAGNIAPPE_HOME, in-process worker, in-memory layer."""

import os

from lagniappe.config.settings.base import *  # noqa: F403
from lagniappe.config.settings.base import HOME

HOME.mkdir(parents=True, exist_ok=True)

# `lagniappe serve` runs the task worker in a thread beside the web server.
LAGNIAPPE_EMBEDDED_WORKER = os.environ.get("LAGNIAPPE_EMBEDDED_WORKER", "1") == "1"
# One laptop, one database we own: `serve` applies pending migrations itself.
LAGNIAPPE_AUTO_MIGRATE = os.environ.get("LAGNIAPPE_AUTO_MIGRATE", "1") == "1"
# How often the worker re-queues envelopes and deliveries whose task was lost.
LAGNIAPPE_SWEEP_SECONDS = float(os.environ.get("LAGNIAPPE_SWEEP_SECONDS", "60"))
