"""The inbound SMTP endpoint (aiosmtpd): a relay delivers mail straight into the funnel.

RCPT TO must name an active email endpoint's address (case-insensitive), else 550; a message
over the size limit is refused with 552 by aiosmtpd (`data_size_limit`). Each DATA is stored
once per distinct endpoint among its recipients, and processed by the worker.
"""

from __future__ import annotations

from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.db import close_old_connections

from lagniappe.channels.inbound import accept
from lagniappe.channels.models import Endpoint
from lagniappe.core.channel_kinds import ChannelKind

DEFAULT_SIZE_LIMIT = 25 * 1024 * 1024


def endpoint_for_address(address: str) -> Endpoint | None:
    wanted = address.strip().strip("<>").lower()
    for endpoint in Endpoint.objects.filter(kind=ChannelKind.EMAIL, is_active=True).order_by("pk"):
        if str(endpoint.settings.get("address", "")).strip().lower() == wanted:
            return endpoint
    return None


def _store(endpoint_ids: list[int], raw: bytes, peer: str) -> None:
    close_old_connections()
    for endpoint in Endpoint.objects.filter(pk__in=endpoint_ids).order_by("pk"):
        accept(endpoint=endpoint, raw=raw, content_type="message/rfc822", remote_addr=peer)


class InboundHandler:
    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook names)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        endpoint = await sync_to_async(endpoint_for_address, thread_sensitive=True)(address)
        if endpoint is None:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        endpoint_ids: list[int] = getattr(envelope, "endpoint_ids", [])
        if endpoint.pk not in endpoint_ids:
            endpoint_ids.append(endpoint.pk)
        envelope.endpoint_ids = endpoint_ids  # type: ignore[attr-defined]
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 (aiosmtpd's hook names)
        raw = envelope.original_content or b""
        peer: Any = session.peer
        peer_text = str(peer[0]) if isinstance(peer, tuple) else str(peer or "")
        try:
            await sync_to_async(_store, thread_sensitive=True)(
                list(getattr(envelope, "endpoint_ids", [])), raw, peer_text
            )
        except Exception:
            # Not stored: the relay must keep the message and try again.
            return "451 4.3.0 Could not store the message, try again later"
        return "250 2.0.0 Message stored"


def smtpd_controller(*, host: str, port: int, size_limit: int = DEFAULT_SIZE_LIMIT) -> Controller:
    return Controller(
        InboundHandler(),
        hostname=host,
        port=port,
        data_size_limit=size_limit,
        server_hostname=host,
    )
