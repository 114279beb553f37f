"""The `lagniappe` command. Fleshed out by the foundation work: serve, worker, migrate, demo…"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lagniappe.config.settings.embedded")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["lagniappe", *(argv if argv is not None else sys.argv[1:])])
    return 0
