"""Threading quality of the email import against a thread ground truth.

    .venv/bin/python bench/email_threading.py \
        --mbox ../shared/eval/email/fedora-2010-01.mbox \
        --threads ../shared/eval/email/fedora-2010-01.threads.json

A fresh LAGNIAPPE_HOME in a temporary folder (or --database-url), migrate, one organisation
and brand, then the product's own import service (`lagniappe email import`) on the mbox.
Each ground-truth Message-ID is looked up among the stored messages; figures, one JSON line
each: share of messages in the same conversation as their thread's first message, pairwise
precision / recall / F1 over pairs of messages in the same thread, messages per second.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def _figure(name: str, value: float, unit: str, **extra: object) -> None:
    print(json.dumps({"figure": name, "value": round(value, 4), "unit": unit, **extra}))


def _pairs(groups: list[list[str]]) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for group in groups:
        for a, b in itertools.combinations(sorted(set(group)), 2):
            pairs.add((a, b))
    return pairs


def _shuffled(source: Path, target: Path, seed: int) -> Path:
    """The same messages in a random order: replies before their parents, as a poll may bring."""
    import mailbox
    import random

    box = mailbox.mbox(source, create=False)
    # Iterating a mailbox yields its messages, not its keys.
    messages = [box.get_bytes(key) for key in box.keys()]  # noqa: SIM118
    random.Random(seed).shuffle(messages)
    out = mailbox.mbox(target)
    for raw in messages:
        out.add(raw)
    out.flush()
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mbox", required=True, type=Path)
    parser.add_argument("--threads", required=True, type=Path)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default SQLite)")
    parser.add_argument(
        "--shuffle", type=int, default=None, help="import in a random order (this seed)"
    )
    parser.add_argument("--show-errors", type=int, default=5, help="misplaced messages to list")
    args = parser.parse_args()
    truth = json.loads(args.threads.read_text(encoding="utf-8"))
    threads: list[list[str]] = truth["threads"]

    home = tempfile.mkdtemp(prefix="lagniappe-bench-email-")
    os.environ["LAGNIAPPE_HOME"] = home
    os.environ["DJANGO_SETTINGS_MODULE"] = "lagniappe.config.settings.embedded"
    if args.database_url:
        os.environ["LAGNIAPPE_DATABASE_URL"] = args.database_url
    import django

    django.setup()
    from django.core.management import call_command

    from lagniappe.channels.email.importing import mail_import
    from lagniappe.conversations.models import Message
    from lagniappe.core.actors import SYSTEM
    from lagniappe.tenancy.services import brand_create, organisation_create

    if args.database_url:
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", interactive=False, verbosity=0)
    organisation = organisation_create(actor=SYSTEM, name="Bench", slug="bench")
    brand_create(
        actor=SYSTEM, organisation=organisation, name="Bench", slug="bench", default_language="en"
    )
    source = args.mbox
    if args.shuffle is not None:
        source = _shuffled(args.mbox, Path(home) / "shuffled.mbox", args.shuffle)
    started = time.perf_counter()
    summary = mail_import(actor=SYSTEM, path=source, address="devel@bench.test")
    seconds = time.perf_counter() - started
    stored = dict(Message.objects.values_list("external_id", "conversation_id"))

    placed = total = missing = 0
    errors: list[str] = []
    for thread in threads:
        head = stored.get(thread[0])
        for message_id in thread:
            total += 1
            conversation = stored.get(message_id)
            if conversation is None:
                missing += 1
            elif conversation == head:
                placed += 1
            else:
                errors.append(f"{message_id} in {conversation}, thread head in {head}")
    truth_pairs = _pairs(threads)
    by_conversation: dict[int, list[str]] = {}
    known = {m for thread in threads for m in thread}
    for message_id, conversation in stored.items():
        if message_id in known:
            by_conversation.setdefault(conversation, []).append(message_id)
    found_pairs = _pairs(list(by_conversation.values()))
    hits = len(truth_pairs & found_pairs)
    precision = hits / len(found_pairs) if found_pairs else 1.0
    recall = hits / len(truth_pairs) if truth_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    common = {
        "order": "mbox" if args.shuffle is None else f"shuffled (seed {args.shuffle})",
        "messages": total,
        "missing": missing,
        "database": "postgresql" if args.database_url else "sqlite",
    }
    _figure("email_threading_right_thread", placed / total, "share", **common)
    _figure("email_threading_pairwise_precision", precision, "share")
    _figure("email_threading_pairwise_recall", recall, "share")
    _figure(
        "email_threading_pairwise_f1",
        f1,
        "share",
        conversations=len(by_conversation),
        threads=len(threads),
    )
    _figure(
        "email_import_throughput",
        (summary.imported + summary.duplicates) / seconds,
        "msg/s",
        imported=summary.imported,
        duplicates=summary.duplicates,
        failed=summary.failed,
        seconds=round(seconds, 2),
    )
    for line in errors[: args.show_errors]:
        print(f"misplaced: {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
