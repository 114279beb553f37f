"""Writes of per-agent workspace state: notifications and read marks.

Notifications are bookkeeping about work that was already audited (the note, the transfer,
the message), so they are not audited themselves. Callers check that the recipient may see
the conversation; these functions take ids and never widen anything.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q

from lagniappe.core import clock
from lagniappe.core.events import publish
from lagniappe.staff.events import NotificationCreated
from lagniappe.staff.models import ConversationSeen, Notification, NotificationKind

# A later kind wins when one note both mentions and hands over to the same agent.
_KIND_RANK = {
    NotificationKind.CUSTOMER_REPLIED: 0,
    NotificationKind.MENTION: 1,
    NotificationKind.CHAT_ASSIGNED: 2,
    NotificationKind.TRANSFER: 3,
}


def notification_create(
    *,
    recipient_id: int,
    kind: str,
    conversation_id: int,
    actor_name: str = "",
    note_id: int | None = None,
) -> Notification | None:
    """Write one notification and announce it. Idempotent where it can be:

    - one notification per recipient and note (a handover note that also mentions the
      receiver becomes one "transferred to you");
    - a customer reply while an unread "customer replied" of that conversation waits adds
      nothing (the agent has not looked yet; one reminder is enough).
    Returns None when nothing new was written.
    """
    if kind not in NotificationKind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    with transaction.atomic():
        if note_id is not None:
            existing = (
                Notification.objects.select_for_update()
                .filter(recipient_id=recipient_id, note_id=note_id)
                .first()
            )
            if existing is not None:
                if (
                    _KIND_RANK[NotificationKind(kind)]
                    <= _KIND_RANK[NotificationKind(existing.kind)]
                ):
                    return None
                existing.kind = kind
                existing.save(update_fields=["kind"])
                _announce(existing)
                return existing
        if (
            kind == NotificationKind.CUSTOMER_REPLIED
            and Notification.objects.filter(
                recipient_id=recipient_id,
                conversation_id=conversation_id,
                kind=kind,
                read_at__isnull=True,
            ).exists()
        ):
            return None
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient_id=recipient_id,
                    kind=kind,
                    conversation_id=conversation_id,
                    note_id=note_id,
                    actor_name=actor_name[:200],
                    created_at=clock.now(),
                )
        except IntegrityError:  # the same note's handler ran twice at once
            return None
        _announce(notification)
        return notification


def _announce(notification: Notification) -> None:
    publish(
        NotificationCreated(
            notification_id=notification.pk,
            recipient_id=notification.recipient_id,
            kind=notification.kind,
        )
    )


def notification_mark_read(*, agent_id: int, notification_ids: list[int]) -> int:
    """Mark the agent's own notifications read (others' ids are ignored). Returns how many
    changed."""
    return Notification.objects.filter(
        recipient_id=agent_id, pk__in=notification_ids, read_at__isnull=True
    ).update(read_at=clock.now())


def notification_mark_all_read(*, agent_id: int) -> int:
    return Notification.objects.filter(recipient_id=agent_id, read_at__isnull=True).update(
        read_at=clock.now()
    )


def notification_mark_read_for_conversation(*, agent_id: int, conversation_id: int) -> int:
    """Opening a conversation reads the notifications that pointed to it."""
    return Notification.objects.filter(
        recipient_id=agent_id, conversation_id=conversation_id, read_at__isnull=True
    ).update(read_at=clock.now())


def conversation_seen_mark(*, agent_id: int, conversation_id: int, message_id: int) -> None:
    """The agent has had the conversation on screen up to `message_id`: moves forward only."""
    if message_id <= 0:
        return
    now = clock.now()
    updated = ConversationSeen.objects.filter(
        Q(message_id__lt=message_id), agent_id=agent_id, conversation_id=conversation_id
    ).update(message_id=message_id, seen_at=now)
    if updated:
        return
    # No row yet (or one already as far): insert, ignored if one exists.
    ConversationSeen.objects.bulk_create(
        [
            ConversationSeen(
                agent_id=agent_id,
                conversation_id=conversation_id,
                message_id=message_id,
                seen_at=now,
            )
        ],
        ignore_conflicts=True,
    )
