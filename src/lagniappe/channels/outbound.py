"""The outbound funnel: a reply's OutboundDelivery is written with it; `deliver` sends it.

Delivery is at-least-once towards the adapter and exactly-once in our records: a delivery
marked sent is never sent again, and a failed attempt is retried with back-off.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction

from lagniappe.channels import events, registry
from lagniappe.channels.contracts import (
    DeliveryReceipt,
    DeliveryReport,
    OutboundAttachment,
    OutboundMessage,
    SenderIdentity,
)
from lagniappe.channels.endpoints import endpoint_info
from lagniappe.channels.models import DeliveryStatus, OutboundDelivery
from lagniappe.conversations.models import Message
from lagniappe.core import clock
from lagniappe.core.events import publish

logger = logging.getLogger("lagniappe.channels.outbound")

MAX_ATTEMPTS = 8


def retry_delay(attempts: int) -> timedelta:
    """Back-off after the n-th failed attempt: 30 s, 1 min, 2 min … capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def delivery_enqueue(
    *, message_id: int, brand_id: int, channel_kind: str, endpoint_id: int | None
) -> OutboundDelivery:
    """Installed as conversations' outbox writer: runs inside message_send's transaction."""
    from lagniappe.channels.tasks import deliver_task

    delivery = OutboundDelivery.objects.create(
        message_id=message_id, brand_id=brand_id, kind=channel_kind, endpoint_id=endpoint_id
    )
    deliver_task.enqueue(delivery.pk)
    return delivery


def _outbound_message(delivery: OutboundDelivery) -> OutboundMessage:
    message = (
        Message.objects.select_related("conversation__customer", "author_agent", "brand")
        .prefetch_related("attachments", "conversation__customer__identities")
        .get(pk=delivery.message_id)
    )
    customer = message.conversation.customer
    recipients = [SenderIdentity(i.kind, i.value) for i in customer.identities.all()]
    if delivery.recipient:  # one address named (the sender an acknowledgement answers)
        recipients = [SenderIdentity(delivery.kind, delivery.recipient)] + [
            r for r in recipients if r.value != delivery.recipient
        ]
    author = message.author_agent
    return OutboundMessage(
        delivery_id=delivery.pk,
        message_id=message.pk,
        conversation_id=message.conversation_id,
        brand_id=delivery.brand_id,
        endpoint=endpoint_info(delivery.endpoint) if delivery.endpoint else None,
        recipients=tuple(recipients),
        subject=message.subject,
        text=message.text,
        html=message.html,
        language=message.language,
        attachments=tuple(
            OutboundAttachment(a.filename, a.content_type, a.file.name)
            for a in message.attachments.all()
        ),
        cc=tuple(message.cc or ()),
        automatic=delivery.automatic,
        author_name=(author.display_name or author.email) if author is not None else "",
        customer_name=customer.name,
        brand_name=message.brand.name,
    )


def deliver(delivery_id: int) -> OutboundDelivery:
    with transaction.atomic():
        delivery = (
            OutboundDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint__brand")
            .get(pk=delivery_id)
        )
        if delivery.status != DeliveryStatus.PENDING:
            return delivery
        outgoing = _outbound_message(delivery)
    adapter = registry.outbound_adapter(delivery.kind)
    try:
        receipt = adapter.send(outgoing)
    except Exception as error:
        logger.exception("delivery %s raised", delivery_id)
        receipt = DeliveryReceipt(accepted=False, detail=f"{type(error).__name__}: {error}")
    return _delivery_record(delivery_id, adapter.name, receipt)


def _delivery_record(
    delivery_id: int, adapter_name: str, receipt: DeliveryReceipt
) -> OutboundDelivery:
    from lagniappe.channels.tasks import deliver_task

    with transaction.atomic():
        delivery = OutboundDelivery.objects.select_for_update().get(pk=delivery_id)
        delivery.attempts += 1
        delivery.adapter = adapter_name
        if receipt.accepted:
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = clock.now()
            delivery.external_id = receipt.external_id[:255]
            delivery.last_error = ""
            publish(
                events.MessageDelivered(
                    message_id=delivery.message_id,
                    delivery_id=delivery.pk,
                    brand_id=delivery.brand_id,
                )
            )
        elif receipt.permanent or delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            delivery.last_error = receipt.detail[:10_000]
            publish(
                events.MessageFailed(
                    message_id=delivery.message_id,
                    delivery_id=delivery.pk,
                    brand_id=delivery.brand_id,
                    error=receipt.detail[:500],
                )
            )
        else:
            delivery.last_error = receipt.detail[:10_000]
            delivery.next_attempt_at = clock.now() + retry_delay(delivery.attempts)
            deliver_task.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
        delivery.save()
    return delivery


def delivery_bounce_record(*, kind: str, report: DeliveryReport) -> OutboundDelivery | None:
    """Mark the delivery a bounce names as failed, with the remote diagnostic.

    Runs inside the inbound funnel's transaction. None when no delivery of ours carries the
    reported id (someone else's bounce, or a forged one): the caller notes that on the envelope.
    """
    if not report.original_message_id:
        return None
    delivery = (
        OutboundDelivery.objects.select_for_update()
        .filter(kind=kind, external_id=report.original_message_id[:255])
        .order_by("-pk")
        .first()
    )
    if delivery is None:
        return None
    detail = " ".join(p for p in (report.status, report.diagnostic) if p) or "bounced"
    already_failed = delivery.status == DeliveryStatus.FAILED
    delivery.status = DeliveryStatus.FAILED
    delivery.last_error = f"bounce: {detail}"[:10_000]
    delivery.save(update_fields=["status", "last_error"])
    if not already_failed:  # a second copy of the same bounce says nothing new
        publish(
            events.MessageFailed(
                message_id=delivery.message_id,
                delivery_id=delivery.pk,
                brand_id=delivery.brand_id,
                error=delivery.last_error[:500],
            )
        )
    return delivery


def deliveries_requeue_pending() -> int:
    """Queue every delivery still pending and due, e.g. after a worker died mid-task."""
    from django.db.models import Q

    from lagniappe.channels.tasks import deliver_task

    ids = list(
        OutboundDelivery.objects.filter(status=DeliveryStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=clock.now()))
        .values_list("pk", flat=True)
    )
    for delivery_id in ids:
        deliver_task.enqueue(delivery_id)
    return len(ids)
