"""The `lagniappe` command: `main` runs it (console script `lagniappe`, `python -m lagniappe`)."""

from lagniappe.cli.main import main
from lagniappe.cli.runtime import SETTINGS_MODULES, CommandFailed, settings_module_choose

__all__ = ["SETTINGS_MODULES", "CommandFailed", "main", "settings_module_choose"]
