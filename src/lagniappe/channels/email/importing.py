"""`lagniappe email import`: an mbox, a Maildir or a folder of .eml files through the funnel.

Every message is stored as an envelope first and then processed in this process, exactly as
mail from a poller is: in batches (one INSERT of envelopes, then one transaction per
`process_batch_size()`), parsed ahead by a reading worker, with the same threading and the same
idempotence on Message-ID.
"""

from __future__ import annotations

import mailbox
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Max

from lagniappe.channels.endpoints import endpoint_info
from lagniappe.channels.inbound import accept_many, process_batch_size, process_envelopes
from lagniappe.channels.inbound_messages import envelope_data, envelope_read_ahead
from lagniappe.channels.models import Endpoint
from lagniappe.channels.reading_ahead import reading_ahead
from lagniappe.channels.services import endpoint_create
from lagniappe.conversations.models import Message
from lagniappe.core.actors import Actor
from lagniappe.core.channel_kinds import ChannelKind
from lagniappe.core.errors import InvalidInput
from lagniappe.tenancy.models import Brand

IMPORT_BATCH = 100


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
    transaction: each batch of envelopes is committed before it is processed, and what an
    interrupted import stored but did not process is processed by the worker's sweep (or
    found again, as duplicates, by importing the same file again)."""
    endpoint = mailbox_for_address(actor=actor, address=address)
    info = endpoint_info(endpoint)
    total, messages = mail_source_open(path)
    before = Message.objects.aggregate(top=Max("pk"))["top"] or 0
    seen: set[int] = set()
    imported = duplicates = failed = done = 0
    # While this process writes one batch's messages, a worker parses the next ones.
    with reading_ahead(envelope_read_ahead) as ahead:
        for raws in _batches(messages, IMPORT_BATCH):
            envelopes = accept_many(
                endpoint=endpoint, raws=raws, content_type="message/rfc822", queue=False
            )
            ahead.submit([(envelope.kind, envelope_data(envelope, info)) for envelope in envelopes])
            size = process_batch_size()
            stored = {envelope.pk: bytes(envelope.raw) for envelope in envelopes}
            for start in range(0, len(envelopes), size):
                chunk = [envelope.pk for envelope in envelopes[start : start + size]]
                results = process_envelopes(chunk, stored)
                for envelope_id in chunk:
                    received = results.get(envelope_id, [])
                    if not received:
                        failed += 1
                    for message in received:
                        if message.pk <= before or message.pk in seen:
                            duplicates += 1
                        else:
                            imported += 1
                            seen.add(message.pk)
                    done += 1
                    if progress is not None:
                        progress(done, total)
    return ImportSummary(imported=imported, duplicates=duplicates, failed=failed)


def _batches(items: Iterator[bytes], size: int) -> Iterator[list[bytes]]:
    batch: list[bytes] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
