"""What every `lagniappe` subcommand shares: choosing the settings, setting Django up,
making sure the database is migrated, and failing with a message instead of a traceback."""

from __future__ import annotations

import importlib
import os

SETTINGS_MODULES = {
    "embedded": "lagniappe.config.settings.embedded",
    "production": "lagniappe.config.settings.production",
}


class CommandFailed(Exception):
    """Ends the command with its message on stderr and exit status 1, without a traceback."""


class _Stopped(Exception):
    """Raised by our SIGTERM handler so `serve` unwinds through its clean-up."""


def settings_module_choose(environ: dict[str, str] | os._Environ[str]) -> str:
    explicit = environ.get("DJANGO_SETTINGS_MODULE", "")
    if explicit:
        return explicit
    env = (environ.get("LAGNIAPPE_ENV", "") or "embedded").strip().lower()
    if env not in SETTINGS_MODULES:
        raise CommandFailed(
            f"LAGNIAPPE_ENV must be one of {', '.join(SETTINGS_MODULES)}, not {env!r}."
        )
    return SETTINGS_MODULES[env]


def _django_setup() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module_choose(os.environ)
    import django

    django.setup()


def _say(message: str) -> None:
    print(message, flush=True)


def _pending_migrations() -> int:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _migrate(verbosity: int = 0) -> int:
    from django.core.management import call_command

    pending = _pending_migrations()
    if pending:
        call_command("migrate", interactive=False, verbosity=verbosity)
    return pending


def _migrations_ensure() -> None:
    """Embedded installs migrate themselves; elsewhere schema changes are a deploy step."""
    from django.conf import settings
    from django.utils.translation import gettext

    if getattr(settings, "LAGNIAPPE_AUTO_MIGRATE", False):
        applied = _migrate()
        if applied:
            _say(gettext("Applied %(count)d database migrations.") % {"count": applied})
        return
    pending = _pending_migrations()
    if pending:
        raise CommandFailed(
            gettext("%(count)d database migrations are pending; run `lagniappe migrate` first.")
            % {"count": pending}
        )


def startup_heap_freeze(*modules: str) -> None:
    """Import what the process will run, then move every object alive so far (Django, the
    URL conf, templates' modules, the mail analysers' models…) out of the garbage
    collector's generations: they live as long as the process, and every full collection
    would otherwise walk them again (in a poller the first one came in the first poll:
    ≈ 0.1 s of CPU over the startup's garbage)."""
    import gc

    for module in modules:
        importlib.import_module(module)
    gc.collect()
    gc.freeze()
