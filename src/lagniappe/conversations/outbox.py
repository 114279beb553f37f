"""The seam through which message_send queues a delivery in its own transaction.

Conversations sit below channels, so they cannot import OutboundDelivery. config/wiring.py
installs channels' writer here at start-up; message_send calls it inside its transaction,
so a reply and its delivery record are written together or not at all.
"""

from __future__ import annotations

from typing import Protocol


class OutboxWriter(Protocol):
    def __call__(
        self, *, message_id: int, brand_id: int, channel_kind: str, endpoint_id: int | None
    ) -> object: ...


_writer: OutboxWriter | None = None


def outbox_writer_install(writer: OutboxWriter) -> None:
    global _writer
    _writer = writer


def outbox_write(
    *, message_id: int, brand_id: int, channel_kind: str, endpoint_id: int | None
) -> None:
    if _writer is None:
        raise RuntimeError("No outbox writer installed: config.wiring.connect() has not run.")
    _writer(
        message_id=message_id,
        brand_id=brand_id,
        channel_kind=channel_kind,
        endpoint_id=endpoint_id,
    )
