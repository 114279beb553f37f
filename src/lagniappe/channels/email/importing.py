"""`lagniappe email import`: an mbox, a Maildir or a folder of .eml files through the funnel.

Every message is stored as an envelope first and then processed in this process, exactly as
mail from a poller is: the same threading, the same idempotence on Message-ID.
"""

from __future__ import annotations

import mailbox
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Max

from lagniappe.channels.inbound import accept_and_process
from lagniappe.channels.models import Endpoint, EnvelopeStatus
from lagniappe.channels.services import endpoint_create
from lagniappe.conversations.models import Message
from lagniappe.core.actors import Actor
from lagniappe.core.channel_kinds import ChannelKind
from lagniappe.core.errors import InvalidInput
from lagniappe.tenancy.models import Brand


@dataclass(frozen=True)
class ImportSummary:
    imported: int
    duplicates: int
    failed: int


def mailbox_for_address(*, actor: Actor, address: str) -> Endpoint:
    """The email endpoint receiving mail for `address`; created on the first brand if none."""
    wanted = address.strip().lower()
    if "@" not in wanted:
        raise InvalidInput("Give the mailbox's email address.", details={"address": address})
    for endpoint in Endpoint.objects.filter(kind=ChannelKind.EMAIL).order_by("pk"):
        if str(endpoint.settings.get("address", "")).strip().lower() == wanted:
            return endpoint
    brand = Brand.objects.order_by("pk").first()
    if brand is None:
        raise InvalidInput("There is no brand yet to add the mailbox to.")
    return endpoint_create(
        actor=actor,
        brand=brand,
        kind=ChannelKind.EMAIL,
        name=wanted,
        default_language=brand.default_language,
        settings={"address": wanted},
    )


def mail_source_open(path: Path) -> tuple[int, Iterator[bytes]]:
    """(how many messages, the raw bytes of each) from an mbox file, a Maildir, a folder of
    .eml files or one .eml file."""
    if path.is_dir():
        if (path / "cur").is_dir() or (path / "new").is_dir():
            maildir = mailbox.Maildir(path, factory=None, create=False)
            keys = sorted(maildir.keys())
            return len(keys), (maildir.get_bytes(key) for key in keys)
        files = sorted(p for p in path.rglob("*.eml") if p.is_file())
        return len(files), (p.read_bytes() for p in files)
    if not path.is_file():
        raise InvalidInput("No such file or folder.", details={"path": str(path)})
    if path.suffix.lower() == ".eml":
        return 1, iter([path.read_bytes()])
    box = mailbox.mbox(path, factory=None, create=False)
    mbox_keys = list(box.keys())
    return len(mbox_keys), (box.get_bytes(key) for key in mbox_keys)


def mail_import(
    *,
    actor: Actor,
    path: Path,
    address: str,
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Import every message at `path` into the mailbox of `address`. Call it outside any
    transaction: each envelope is committed before it is processed."""
    endpoint = mailbox_for_address(actor=actor, address=address)
    total, messages = mail_source_open(path)
    before = Message.objects.aggregate(top=Max("pk"))["top"] or 0
    seen: set[int] = set()
    imported = duplicates = failed = 0
    for done, raw in enumerate(messages, start=1):
        envelope, received = accept_and_process(
            endpoint=endpoint, raw=raw, content_type="message/rfc822"
        )
        if envelope.status != EnvelopeStatus.PROCESSED or not received:
            failed += 1
        for message in received:
            if message.pk <= before or message.pk in seen:
                duplicates += 1
            else:
                imported += 1
                seen.add(message.pk)
        if progress is not None:
            progress(done, total)
    return ImportSummary(imported=imported, duplicates=duplicates, failed=failed)
