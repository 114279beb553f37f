"""`lagniappe email …`, `lagniappe kb …` and `lagniappe reindex`: content in and out, and the
conversation search index rebuilt."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from lagniappe.cli.runtime import CommandFailed, _migrations_ensure, _say, startup_heap_freeze


def cmd_email_import(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from django.utils.translation import gettext

    from lagniappe.channels.email.importing import mail_import
    from lagniappe.core.actors import Actor

    _migrations_ensure()

    def progress(done: int, total: int) -> None:
        if done == total or done % 25 == 0:
            print(f"\r{done}/{total}", end="\n" if done == total else "", file=sys.stderr)

    summary = mail_import(
        actor=Actor.system("cli"),
        path=Path(args.path),
        address=args.endpoint,
        progress=progress,
    )
    counts = {
        "imported": summary.imported,
        "duplicates": summary.duplicates,
        "failed": summary.failed,
    }
    if args.json:
        print(json.dumps(counts), flush=True)
    else:
        _say(
            gettext("%(imported)d messages imported, %(duplicates)d duplicates, %(failed)d failed.")
            % counts
        )
    return 0


def cmd_email_poll(args: argparse.Namespace) -> int:
    import json

    from lagniappe.channels.email.imap import mailbox_poll, mailbox_poll_forever
    from lagniappe.channels.email.importing import mailbox_for_address
    from lagniappe.core.actors import Actor
    from lagniappe.engines.mail.preload import mail_analysis_preload

    _migrations_ensure()
    endpoint = mailbox_for_address(actor=Actor.system("cli"), address=args.endpoint)
    mail_analysis_preload()
    startup_heap_freeze()
    if args.forever:
        mailbox_poll_forever(endpoint, interval=args.interval)
        return 0
    summary = mailbox_poll(endpoint, process=True)
    print(json.dumps({"stored": summary.stored, "processed": summary.processed,
                      "failed": summary.failed}), flush=True)  # fmt: skip
    return 0


def cmd_email_smtpd(args: argparse.Namespace) -> int:
    import time

    from lagniappe.channels.email.smtp_receive import smtpd_controller

    _migrations_ensure()
    controller = smtpd_controller(host=args.host, port=args.port, size_limit=args.size_limit)
    controller.start()
    _say(f"SMTP endpoint on {args.host}:{args.port}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
    return 0


def cmd_kb(args: argparse.Namespace) -> int:
    from pathlib import Path

    from django.utils.translation import gettext

    from lagniappe.core.actors import Actor
    from lagniappe.knowledge.importing import folder_export, folder_import
    from lagniappe.knowledge.vector_services import translation_vectors_refresh
    from lagniappe.tenancy.models import Brand

    _migrations_ensure()
    brand = Brand.objects.filter(slug=args.brand).first()
    if brand is None:
        raise CommandFailed(gettext("No brand with the slug %(slug)s.") % {"slug": args.brand})

    def progress(done: int, total: int) -> None:
        print(f"\r{done}/{total}", end="\n" if done == total else "", file=sys.stderr, flush=True)

    folder = Path(args.dir)
    if args.kb_command == "export":
        count = folder_export(brand=brand, folder=folder, progress=progress)
        _say(gettext("%(count)d translations exported.") % {"count": count})
        return 0
    if not folder.is_dir():
        raise CommandFailed(gettext("Not a folder: %(path)s") % {"path": folder})
    summary = folder_import(
        actor=Actor.system("cli"),
        brand=brand,
        folder=folder,
        publish=args.publish,
        progress=progress,
    )
    for error in summary.errors:
        print(error, file=sys.stderr)
    _say(
        gettext(
            "%(created)d articles created, %(saved)d translations saved, "
            "%(unchanged)d unchanged, %(failed)d failed."
        )
        % {
            "created": summary.articles_created,
            "saved": summary.translations_saved,
            "unchanged": summary.unchanged,
            "failed": summary.failed,
        }
    )
    # The worker would compute the new translations' vectors, but none may be running now.
    vectors = translation_vectors_refresh(progress=progress)
    _say(
        gettext("%(count)d article translations given their meaning vectors.") % {"count": vectors}
    )
    return 1 if summary.failed else 0


def cmd_reindex(args: argparse.Namespace) -> int:
    from django.utils.translation import gettext

    from lagniappe.conversations.search_documents import documents_rebuild
    from lagniappe.knowledge.vector_services import translation_vectors_refresh

    _migrations_ensure()

    def progress(done: int, total: int) -> None:
        print(f"\r{done}/{total}", end="\n" if done == total else "", file=sys.stderr, flush=True)

    count = documents_rebuild(progress=progress)
    _say(gettext("%(count)d conversations indexed for search.") % {"count": count})
    vectors = translation_vectors_refresh(progress=progress)
    _say(
        gettext("%(count)d article translations given their meaning vectors.") % {"count": vectors}
    )
    return 0


def content_commands_add(add: Any) -> None:
    """The `email` and `kb` subcommands, added to the main parser by `add(name, handler, text)`."""
    mail = add("email", None, "Email tools.")  # ACTION is required
    mail_commands = mail.add_subparsers(dest="email_command", metavar="ACTION", required=True)
    mail_import = mail_commands.add_parser(
        "import",
        help="import an mbox, a Maildir or a folder of .eml files",
        description="Import mail through the inbound funnel into the mailbox of --endpoint.",
    )
    mail_import.set_defaults(handler=cmd_email_import)
    mail_import.add_argument("path", help="mbox file, Maildir or folder of .eml files")
    mail_import.add_argument("--endpoint", required=True, help="the mailbox's email address")
    mail_import.add_argument("--json", action="store_true", help="print one JSON summary line")
    poll = mail_commands.add_parser("poll", help="fetch new mail of a mailbox by IMAP")
    poll.set_defaults(handler=cmd_email_poll)
    poll.add_argument("--endpoint", required=True, help="the mailbox's email address")
    poll.add_argument("--forever", action="store_true", help="keep polling (IDLE if offered)")
    poll.add_argument("--interval", type=float, default=60.0, help="seconds between polls")
    smtpd = mail_commands.add_parser("smtpd", help="receive mail by SMTP (aiosmtpd)")
    smtpd.set_defaults(handler=cmd_email_smtpd)
    smtpd.add_argument("--host", default="127.0.0.1", help="address to listen on")
    smtpd.add_argument("--port", type=int, default=2525, help="port to listen on")
    smtpd.add_argument("--size-limit", type=int, default=25 * 1024 * 1024, help="bytes (552)")
    kb = add("kb", cmd_kb, "Import or export a brand's knowledge base (Markdown/HTML files).")
    kb.add_argument("kb_command", choices=["import", "export"], metavar="{import,export}")
    kb.add_argument("dir", help="folder of .md / .html files")
    kb.add_argument("--brand", required=True, help="the brand's slug")
    kb.add_argument("--publish", action="store_true", help="publish what is imported")
    add(
        "reindex",
        cmd_reindex,
        "Rebuild the inbox's conversation search index and compute missing article vectors.",
    )
