"""Playwright on Debian's chromium (`playwright install` cannot download browsers here)."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

CHROMIUM = os.environ.get("LAGNIAPPE_CHROMIUM", "/usr/bin/chromium")


# Playwright's sync API runs an event loop in the test's thread; the test still sets up its
# data with the ORM there (and pytest-django flushes the database after it), which Django
# would otherwise refuse inside a running loop. Subprocesses the suite starts drop it again
# (tests/test_cli.py lagniappe_env): `check --deploy` rightly flags it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not shutil.which(CHROMIUM):
        pytest.skip(f"no chromium at {CHROMIUM}")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }
