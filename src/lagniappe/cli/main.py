"""The `lagniappe` command (also `python -m lagniappe`).

serve, worker, migrate, demo, createadmin, token create, check; email and kb in
cli/content.py. Settings: embedded by default, production with LAGNIAPPE_ENV=production;
DJANGO_SETTINGS_MODULE, when set, wins.
"""

from __future__ import annotations

import argparse
import getpass
import importlib.util
import signal
import sys
from collections.abc import Callable, Sequence
from types import FrameType
from typing import TYPE_CHECKING, Any

from lagniappe.cli.content import content_commands_add
from lagniappe.cli.runtime import (
    CommandFailed,
    _django_setup,
    _migrate,
    _migrations_ensure,
    _say,
    _Stopped,
    startup_heap_freeze,
)

if TYPE_CHECKING:
    from lagniappe.core.sqlite.checkpoint import WalCheckpointer


def cmd_migrate(args: argparse.Namespace) -> int:
    from django.utils.translation import gettext

    applied = _migrate(verbosity=1 if args.verbose else 0)
    if applied:
        _say(gettext("Applied %(count)d database migrations.") % {"count": applied})
    else:
        _say(gettext("The database is up to date."))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn
    from django.conf import settings
    from django.utils.translation import gettext

    from lagniappe.config.worker import TaskWorker

    if args.workers < 1:
        raise CommandFailed(gettext("--workers must be at least 1."))
    _migrations_ensure()
    with_worker = not args.no_worker and getattr(settings, "LAGNIAPPE_EMBEDDED_WORKER", False)
    if args.workers > 1 and "InMemory" in settings.CHANNEL_LAYERS["default"]["BACKEND"]:
        print(
            gettext(
                "Warning: with several web workers, live updates need LAGNIAPPE_REDIS_URL "
                "(the in-memory channel layer is per process)."
            ),
            file=sys.stderr,
        )
    http = "httptools" if importlib.util.find_spec("httptools") else "auto"
    worker = TaskWorker() if with_worker else None
    checkpointer = _wal_checkpointer(settings.DATABASES["default"], args.workers)
    previous = signal.signal(signal.SIGTERM, _raise_stopped)
    _say(
        gettext("Lagniappe on http://%(host)s:%(port)d/ (background worker: %(worker)s)")
        % {
            "host": args.host,
            "port": args.port,
            "worker": gettext("in this process") if worker else gettext("not started here"),
        }
    )
    startup_heap_freeze("lagniappe.config.asgi")
    try:
        if checkpointer is not None:
            checkpointer.start()
        if worker is not None:
            worker.start()
        uvicorn.run(
            "lagniappe.config.asgi:application",
            host=args.host,
            port=args.port,
            workers=args.workers,
            http=http,
            loop="auto",
            lifespan="off",
            proxy_headers=True,
            # Chat frames are a few hundred bytes: compressing each one costs a zlib context
            # per socket and CPU on the event loop, for nothing saved on the wire.
            ws_per_message_deflate=False,
            log_level=args.log_level,
        )
    except (KeyboardInterrupt, _Stopped):
        pass
    finally:
        if worker is not None:
            worker.stop()
        if checkpointer is not None:
            checkpointer.stop()
        signal.signal(signal.SIGTERM, previous)
    return 0


def _wal_checkpointer(database: dict[str, Any], web_workers: int) -> WalCheckpointer | None:
    """A background checkpointer for an embedded SQLite database served by this process
    alone (with several web workers each process checkpoints by itself)."""
    from lagniappe.core.sqlite.checkpoint import WalCheckpointer

    if web_workers != 1 or database["ENGINE"] != "lagniappe.core.sqlite":
        return None
    return WalCheckpointer(str(database["NAME"]))


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    raise _Stopped


def cmd_worker(args: argparse.Namespace) -> int:
    from django.utils.translation import gettext

    from lagniappe.config.worker import TaskWorker

    _migrations_ensure()
    worker = TaskWorker(interval=args.interval, batch=args.batch)
    startup_heap_freeze("lagniappe.config.worker")

    def stop(signum: int, frame: FrameType | None) -> None:
        if not worker.running:
            raise SystemExit(1)  # a second signal: stop now, mid-task if need be
        print(gettext("Stopping after the current task…"), file=sys.stderr, flush=True)
        worker.stop(timeout=0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    _say(gettext("Worker %(id)s started.") % {"id": worker.worker.worker_id})
    worker.run()
    _say(gettext("Worker stopped."))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from django.utils.translation import gettext

    from lagniappe.channels.selectors import endpoint_list_for_organisation
    from lagniappe.core.channel_kinds import ChannelKind
    from lagniappe.demo.build import demo_build

    if args.customers < 1 or args.conversations < 0:
        raise CommandFailed(
            gettext("--customers must be at least 1 and --conversations 0 or more.")
        )
    _migrate()
    result = demo_build(
        customers=args.customers,
        conversations=args.conversations,
        seed=args.seed,
        progress=lambda message: _say(f"  … {message}"),
    )
    if result.created:
        _say(
            gettext(
                "Demo data loaded in %(seconds).1f s: %(customers)d customers, "
                "%(conversations)d conversations."
            )
            % {
                "seconds": result.seconds,
                "customers": result.customers,
                "conversations": result.conversations,
            }
        )
    else:
        _say(
            gettext("The demo organisation %(name)s exists already; nothing was added.")
            % {"name": result.organisation.name}
        )
    _say(gettext("Demo sign-ins (demo-only passwords, never use them for real data):"))
    for login in result.logins:
        _say(f"  {login.role:<6} {login.email} / {login.password}   ({login.display_name})")
    _say(gettext("Customers' web forms:"))
    base_url = f"http://{args.host}:{args.port}"
    for endpoint in endpoint_list_for_organisation(result.organisation.pk, ChannelKind.WEBFORM):
        _say(f"  {base_url}/forms/{endpoint.public_key}/   ({endpoint.brand.name})")
    _say(gettext("Administration: %(url)s/admin/  ·  API: %(url)s/api/docs") % {"url": base_url})
    if args.serve:
        return cmd_serve(args)
    return 0


def cmd_createadmin(args: argparse.Namespace) -> int:
    from django.utils.translation import gettext

    from lagniappe.core.actors import Actor
    from lagniappe.staff.models import Role
    from lagniappe.staff.services import agent_create

    email = (args.email or input(gettext("Email: "))).strip()
    password = args.password
    if password is None:
        password = getpass.getpass(gettext("Password: "))
        if password != getpass.getpass(gettext("Password (again): ")):
            raise CommandFailed(gettext("The passwords do not match."))
    if not email or "@" not in email:
        raise CommandFailed(gettext("Give an email address."))
    if len(password) < 8:
        raise CommandFailed(gettext("The password must be at least 8 characters."))
    organisation = _organisation_for_admin(args.organisation)
    agent = agent_create(
        actor=Actor.system("cli"),
        organisation=organisation,
        email=email,
        display_name=email.split("@", 1)[0],
        password=password,
        role=Role.ADMIN,
    )
    _say(
        gettext("Administrator %(email)s created in %(organisation)s.")
        % {"email": agent.email, "organisation": organisation.name}
    )
    return 0


def _organisation_for_admin(name: str | None) -> Any:
    from django.db.models import Q
    from django.utils.text import slugify
    from django.utils.translation import gettext

    from lagniappe.core.actors import Actor
    from lagniappe.tenancy.models import Organisation
    from lagniappe.tenancy.services import organisation_create

    if name:
        found = Organisation.objects.filter(Q(name=name) | Q(slug=name)).first()
        if found is not None:
            return found
        slug = slugify(name)[:64] or "organisation"
        if Organisation.objects.filter(slug=slug).exists():
            raise CommandFailed(gettext("An organisation with that slug exists: %s") % slug)
        return organisation_create(actor=Actor.system("cli"), name=name, slug=slug)
    organisations = list(Organisation.objects.order_by("pk")[:2])
    if not organisations:
        return organisation_create(actor=Actor.system("cli"), name="Lagniappe", slug="lagniappe")
    if len(organisations) > 1:
        raise CommandFailed(
            gettext("There are several organisations; name one with --organisation.")
        )
    return organisations[0]


def cmd_token_create(args: argparse.Namespace) -> int:
    from django.utils.translation import gettext

    from lagniappe.core.actors import Actor
    from lagniappe.staff.models import Agent
    from lagniappe.staff.services import token_create

    agent = Agent.objects.filter(email=args.user.strip().lower(), is_active=True).first()
    if agent is None:
        raise CommandFailed(gettext("No active agent has the email %s.") % args.user)
    _token, secret = token_create(actor=Actor.system("cli"), agent=agent, name=args.name)
    _say(
        gettext("API token %(name)s for %(email)s; it is shown only this once:")
        % {"name": args.name, "email": agent.email}
    )
    _say(secret)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    options: dict[str, Any] = {"deploy": args.deploy}
    if args.fail_level:
        options["fail_level"] = args.fail_level
    call_command("check", **options)
    return 0


def _serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    parser.add_argument(
        "--no-worker", action="store_true", help="do not run the background worker in-process"
    )
    parser.add_argument("--workers", type=int, default=1, help="web server processes (default 1)")
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
        help="web server log level",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lagniappe",
        description="Lagniappe, the omnichannel customer-service platform.",
        epilog="Settings come from LAGNIAPPE_* environment variables; "
        "LAGNIAPPE_ENV=production selects the production settings.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, handler: Callable[[argparse.Namespace], int] | None, text: str) -> Any:
        sub = commands.add_parser(name, help=text, description=text)
        sub.set_defaults(handler=handler)
        return sub

    _serve_options(add("serve", cmd_serve, "Serve pages, API and websockets (with a worker)."))
    worker = add("worker", cmd_worker, "Run background tasks in the foreground.")
    worker.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
    worker.add_argument("--batch", action="store_true", help="run what is queued, then exit")
    migrate = add("migrate", cmd_migrate, "Create or update the database tables.")
    migrate.add_argument("-v", "--verbose", action="store_true", help="list each migration")
    demo = add("demo", cmd_demo, "Load demo data (once) and print the demo sign-ins.")
    demo.add_argument("--serve", action="store_true", help="serve afterwards")
    demo.add_argument("--customers", type=int, default=200, help="customers (default 200)")
    demo.add_argument(
        "--conversations", type=int, default=1000, help="conversations (default 1000)"
    )
    demo.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    _serve_options(demo)
    admin = add("createadmin", cmd_createadmin, "Create an administrator (prompts if needed).")
    admin.add_argument("--email", help="the administrator's email")
    admin.add_argument("--password", help="the password (prompted for when omitted)")
    admin.add_argument("--organisation", help="organisation name (created if missing)")
    token = add("token", None, "Manage personal API tokens.")  # ACTION is required
    token_commands = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = token_commands.add_parser(
        "create", help="create a token and print it", description="Create an API token."
    )
    create.set_defaults(handler=cmd_token_create)
    create.add_argument("--user", required=True, help="the agent's email")
    create.add_argument("--name", default="api", help="a label for the token")
    content_commands_add(add)
    check = add("check", cmd_check, "Run Django's system checks.")
    check.add_argument("--deploy", action="store_true", help="also run the deployment checks")
    check.add_argument(
        "--fail-level",
        choices=["CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"],
        help="exit non-zero at this level (default ERROR)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management.base import CommandError
    from django.db import DatabaseError

    from lagniappe.core.errors import DomainError

    args = build_parser().parse_args(list(argv) if argv is not None else None)
    try:
        _django_setup()
        return int(args.handler(args))
    except (CommandFailed, ImproperlyConfigured, CommandError) as error:
        print(f"lagniappe: error: {error}", file=sys.stderr)
        return 1
    except DomainError as error:
        print(f"lagniappe: error: {error.message}", file=sys.stderr)
        return 1
    except DatabaseError as error:
        hint = "is the database reachable, and did `lagniappe migrate` run?"
        print(f"lagniappe: database error: {error} ({hint})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
