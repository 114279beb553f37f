"""Writes of the chat channel: the visitor's pre-chat answers and read/delivered marks."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest

from lagniappe.channels.chat.models import VisitorState
from lagniappe.channels.models import Endpoint
from lagniappe.core.actors import Actor
from lagniappe.core.services import audit_record

MAX_NAME_CHARACTERS = 200


def email_checked(value: object) -> str:
    """A plausible address, or "" (an invalid one is dropped, not an error: it is optional)."""
    if not isinstance(value, str) or not value.strip() or len(value) > 254:
        return ""
    try:
        validate_email(value.strip())
    except ValidationError:
        return ""
    return value.strip()


@transaction.atomic
def visitor_profile_set(
    *, actor: Actor, endpoint: Endpoint, visitor: str, name: object, email: object
) -> VisitorState:
    """The pre-chat form's answers (or the offline form's email); empty answers keep the
    earlier ones. They reach the conversation with the visitor's next message."""
    state, _ = VisitorState.objects.select_for_update().get_or_create(
        endpoint=endpoint, visitor=visitor
    )
    before = {"name": state.name, "email": state.email}
    if isinstance(name, str) and name.strip():
        state.name = name.strip()[:MAX_NAME_CHARACTERS]
    state.email = email_checked(email) or state.email
    if before != {"name": state.name, "email": state.email}:
        state.save(update_fields=["name", "email", "updated_at"])
        audit_record(
            actor=actor,
            action="chat.visitor_profile_set",
            object_type="channel_chat.VisitorState",
            object_id=state.pk,
            brand_id=endpoint.brand_id,
            before=before,
            after={"name": state.name, "email": state.email},
        )
    return state


def visitor_marks_advance(
    *, endpoint: Endpoint, visitor: str, delivered_seq: int = 0, read_seq: int = 0
) -> None:
    """Move the watermarks forward only (a late or replayed frame never moves them back);
    read implies delivered. Not audited: a receipt, frequent, and no one's decision."""
    delivered_seq = max(delivered_seq, read_seq)
    VisitorState.objects.get_or_create(endpoint=endpoint, visitor=visitor)
    VisitorState.objects.filter(endpoint=endpoint, visitor=visitor).filter(
        Q(last_delivered_seq__lt=delivered_seq) | Q(last_read_seq__lt=read_seq)
    ).update(
        last_delivered_seq=Greatest(F("last_delivered_seq"), delivered_seq),
        last_read_seq=Greatest(F("last_read_seq"), read_seq),
    )
