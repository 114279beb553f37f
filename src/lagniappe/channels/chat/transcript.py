"""The visitor asks for the transcript of their chat by email.

`transcript_request` (a write: checks the address, the rate limit, and that the brand has a
mailbox) records the request and enqueues `transcript_send_task`, which renders every message
the visitor can see (selectors.visitor_frames_after: never another visitor's) and hands it to
the EMAIL outbound adapter through the registry (the adapter for the brand's mailbox: SMTP,
or the log when the mailbox has no SMTP settings), marked automatic (RFC 3834 headers, no
auto-answer loops). Not a conversation message: the agents' timeline stays the chat itself.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django_tasks import task

from lagniappe.channels import registry
from lagniappe.channels.chat.models import VisitorState
from lagniappe.channels.chat.offline import offline_email_endpoint
from lagniappe.channels.chat.selectors import visitor_frames_after
from lagniappe.channels.contracts import OutboundMessage, SenderIdentity
from lagniappe.channels.endpoints import endpoint_info
from lagniappe.channels.models import Endpoint
from lagniappe.core import clock
from lagniappe.core.channel_kinds import ChannelKind

logger = logging.getLogger("lagniappe.channels.chat")


def _per_day() -> int:
    return int(getattr(settings, "LAGNIAPPE_CHAT_TRANSCRIPTS_PER_DAY", 3))


class TranscriptRefused(Exception):
    """`code`: no_email, no_mailbox, nothing_to_send, rate_limited."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@transaction.atomic
def transcript_request(*, endpoint: Endpoint, visitor: str, address: str, language: str) -> None:
    """Queue the transcript to `address` (checked by the caller); at most
    LAGNIAPPE_CHAT_TRANSCRIPTS_PER_DAY per visitor in any 24 hours."""
    if not address:
        raise TranscriptRefused("no_email")
    mailbox = offline_email_endpoint(endpoint)
    if mailbox is None:
        raise TranscriptRefused("no_mailbox")
    ids, frames = visitor_frames_after(endpoint.pk, visitor, 0)
    if not frames:
        raise TranscriptRefused("nothing_to_send")
    state, _created = VisitorState.objects.select_for_update().get_or_create(
        endpoint=endpoint, visitor=visitor
    )
    since = clock.now() - timedelta(days=1)
    recent = [
        at
        for at in state.transcripts
        if isinstance(at, str) and (parse_datetime(at) or since) > since
    ]
    if len(recent) >= _per_day():
        raise TranscriptRefused("rate_limited")
    state.transcripts = [*recent, clock.now().isoformat()]
    state.save(update_fields=["transcripts", "updated_at"])
    transaction.on_commit(
        lambda: transcript_send_task.enqueue(
            endpoint.pk, visitor, address, mailbox.pk, max(ids), language
        )
    )


def transcript_text(frames: list[dict[str, object]], *, name: str) -> str:
    lines = []
    for frame in frames:
        who = (name or _("You")) if frame.get("from") == "visitor" else _("Agent")
        at = str(frame.get("sent_at", ""))[:16].replace("T", " ")
        files = frame.get("files")
        attached = ""
        if isinstance(files, list) and files:
            names = ", ".join(str(item.get("name", "")) for item in files if isinstance(item, dict))
            attached = "\n    " + _("Attached: %(names)s") % {"names": names}
        lines.append(f"[{at} UTC] {who}: {frame.get('text', '')}{attached}")
    return "\n".join(lines)


@task()
def transcript_send_task(
    endpoint_id: int,
    visitor: str,
    address: str,
    mailbox_id: int,
    conversation_id: int,
    language: str,
) -> bool:
    endpoint = Endpoint.objects.select_related("brand").get(pk=endpoint_id)
    mailbox = Endpoint.objects.get(pk=mailbox_id, kind=ChannelKind.EMAIL)
    _ids, frames = visitor_frames_after(endpoint_id, visitor, 0)
    name = (
        VisitorState.objects.filter(endpoint_id=endpoint_id, visitor=visitor)
        .values_list("name", flat=True)
        .first()
    ) or ""
    with translation.override(language or endpoint.default_language or None):
        subject = _("Your chat with %(brand)s") % {"brand": endpoint.brand.name}
        text = _("The transcript of your chat, as you asked.") + "\n\n"
        text += transcript_text(frames, name=name)
    message = OutboundMessage(
        delivery_id=0,
        message_id=0,
        conversation_id=conversation_id,
        brand_id=endpoint.brand_id,
        endpoint=endpoint_info(mailbox),
        recipients=(SenderIdentity("email", address),),
        subject=subject,
        text=text,
        html="",
        language=language,
        automatic=True,
        auto_submitted="auto-generated",
        brand_name=endpoint.brand.name,
    )
    receipt = registry.outbound_adapter(ChannelKind.EMAIL).send(message)
    if not receipt.accepted:
        logger.warning("chat transcript to the visitor %s not sent: %s", visitor, receipt.detail)
    return receipt.accepted
