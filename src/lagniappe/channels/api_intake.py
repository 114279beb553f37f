"""Messages and conversations that arrive through the REST API.

Both go through the store-first inbound funnel like every other channel: the JSON the API
adapter parses is stored as an InboundEnvelope (committed) and processed in the request.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from lagniappe.channels.inbound import accept_and_process, stored_by
from lagniappe.channels.models import Endpoint, EnvelopeStatus, InboundEnvelope
from lagniappe.conversations.changes import (
    conversation_assign,
    conversation_set_priority,
    conversation_set_tags,
)
from lagniappe.conversations.models import Conversation, Message, Priority
from lagniappe.core.actors import Actor
from lagniappe.core.errors import InvalidInput
from lagniappe.core.services import audit_record
from lagniappe.customers.identities import identity_normalise
from lagniappe.customers.models import Customer, IdentityKind
from lagniappe.staff.models import Agent, Team

API_CONTENT_TYPE = "application/json"


@dataclass(frozen=True)
class IntakeResult:
    """What the funnel made of one posted message. `message` is None when it failed."""

    envelope: InboundEnvelope
    message: Message | None
    created: bool

    @property
    def failed(self) -> bool:
        return self.envelope.status == EnvelopeStatus.FAILED


@dataclass(frozen=True)
class CustomerClaim:
    """Who a new conversation is from, as the caller names them (at least one handle)."""

    name: str = ""
    email: str | None = None
    phone: str | None = None
    external_id: str | None = None


@dataclass(frozen=True)
class OpenedConversation:
    conversation: Conversation | None
    message_id: int | None
    created: bool
    envelope: InboundEnvelope | None = None

    @property
    def failed(self) -> bool:
        return self.envelope is not None and self.envelope.status == EnvelopeStatus.FAILED


def api_message_accept(
    *, endpoint: Endpoint, raw: bytes, external_id: str, remote_addr: str = ""
) -> IntakeResult:
    """Store and process a message an integration posted as a customer.

    Every delivery is stored, a repeated one too (that is the wire record); the funnel makes
    it idempotent on (endpoint, external_id), and `created` tells a repeat from a new one.
    """
    envelope, messages = accept_and_process(
        endpoint=endpoint, raw=raw, content_type=API_CONTENT_TYPE, remote_addr=remote_addr
    )
    message = messages[0] if messages else None
    created = message is not None and stored_by(envelope, message)
    return IntakeResult(envelope=envelope, message=message, created=created)


def conversation_open_via_api(
    *,
    actor: Actor,
    endpoint: Endpoint,
    text: str,
    customer: Customer | None = None,
    claim: CustomerClaim | None = None,
    subject: str = "",
    html: str = "",
    language: str = "",
    external_id: str = "",
    priority: int | None = None,
    tags: Sequence[str] | None = None,
    assignee_id: int | None = None,
    team_id: int | None = None,
) -> OpenedConversation:
    """A new conversation with the customer's first message, opened by an agent or an
    integration on the customer's behalf.

    The customer is an existing one (`customer`, whose handle becomes the claim) or named by
    `claim`. The message goes through the inbound funnel of `endpoint`; then priority, tags
    and assignment are applied by their services. `external_id` is an idempotency key: a
    repeat adds no message (its envelope is kept, as every delivery is) and returns the
    conversation opened the first time.
    """
    sender = _sender_of(customer, endpoint.brand_id) if customer is not None else claim
    if sender is None:
        raise InvalidInput("Name the customer.", details={"customer": None})
    _sender_check(sender)
    if priority is not None and priority not in Priority.values:
        raise InvalidInput("Unknown priority.", details={"priority": priority})
    _assignment_check(endpoint.brand_id, assignee_id, team_id)
    raw = _api_message_json(
        sender=sender,
        text=text,
        html=html,
        subject=subject,
        language=language,
        external_id=external_id,
    )
    opened: list[Conversation] = []

    def extras_apply(envelope: InboundEnvelope, messages: list[Message]) -> None:
        # Inside the transaction that stores the message: the conversation, its priority,
        # tags and assignee, and the audit of the whole commit together or not at all.
        if not messages or not stored_by(envelope, messages[0]):
            return
        message = messages[0]
        # The conversation this message opened, as written (its counters went in with the row).
        conversation = _extras_apply(
            actor,
            message.conversation,
            priority=priority,
            tags=tags,
            assignee_id=assignee_id,
            team_id=team_id,
        )
        audit_record(
            actor=actor,
            action="conversation.open_via_api",
            object_type="conversation",
            object_id=conversation.pk,
            brand_id=conversation.brand_id,
            after={"envelope": envelope.pk, "message": message.pk, "endpoint": endpoint.pk},
        )
        opened.append(conversation)

    envelope, messages = accept_and_process(
        endpoint=endpoint, raw=raw, content_type=API_CONTENT_TYPE, then=extras_apply
    )
    if not messages:
        return OpenedConversation(None, None, created=False, envelope=envelope)
    message = messages[0]
    if not opened:
        # A repeat of `external_id`: the unique constraint handed back the first message.
        return OpenedConversation(
            conversation=Conversation.objects.get(pk=message.conversation_id),
            message_id=message.pk,
            created=False,
            envelope=envelope,
        )
    return OpenedConversation(opened[0], message.pk, created=True, envelope=envelope)


def _sender_of(customer: Customer, brand_id: int) -> CustomerClaim:
    """The existing customer's most portable handle: organisation-wide ones first, then the
    brand's own external id (another brand's external id would name someone else here)."""
    by_kind: dict[str, str] = {}
    for identity in customer.identities.all():
        usable = identity.brand_id is None or identity.brand_id == brand_id
        if usable and identity.kind not in by_kind:
            by_kind[identity.kind] = identity.value
    claim = CustomerClaim(
        name=customer.name,
        email=by_kind.get(IdentityKind.EMAIL),
        phone=by_kind.get(IdentityKind.PHONE),
        external_id=by_kind.get(IdentityKind.EXTERNAL_ID),
    )
    if not (claim.email or claim.phone or claim.external_id):
        raise InvalidInput(
            "This customer has no email, phone or external id to write as.",
            details={"customer_id": customer.pk},
        )
    return claim


def _sender_check(sender: CustomerClaim) -> None:
    """Refuse a malformed handle before anything is stored (identity_normalise raises)."""
    handles = [
        (IdentityKind.EMAIL, sender.email),
        (IdentityKind.PHONE, sender.phone),
        (IdentityKind.EXTERNAL_ID, sender.external_id),
    ]
    given = [(kind, value) for kind, value in handles if value]
    if not given:
        raise InvalidInput(
            "The customer needs an email, a phone or an external id.", details={"customer": ""}
        )
    for kind, value in given:
        identity_normalise(kind, value)


def _assignment_check(brand_id: int, assignee_id: int | None, team_id: int | None) -> None:
    """The same rule conversation_assign applies, checked before the conversation exists so a
    refused assignee leaves nothing behind."""
    if (
        assignee_id is not None
        and not Agent.objects.filter(pk=assignee_id, is_active=True, brands=brand_id).exists()
    ):
        raise InvalidInput(
            "This agent does not serve this brand.", details={"assignee_id": assignee_id}
        )
    if team_id is not None and not Team.objects.filter(pk=team_id, brands=brand_id).exists():
        raise InvalidInput("This team does not serve this brand.", details={"team_id": team_id})


def _api_message_json(
    *,
    sender: CustomerClaim,
    text: str,
    html: str,
    subject: str,
    language: str,
    external_id: str,
) -> bytes:
    """The body the API adapter parses (channels.api.adapter.ApiMessageIn)."""
    customer: dict[str, str] = {"name": sender.name}
    for key, value in (
        ("email", sender.email),
        ("phone", sender.phone),
        ("external_id", sender.external_id),
    ):
        if value:
            customer[key] = value
    body: dict[str, object] = {"customer": customer, "text": text}
    for key, value in (
        ("html", html),
        ("subject", subject),
        ("language", language),
        ("external_id", external_id),
    ):
        if value:
            body[key] = value
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _extras_apply(
    actor: Actor,
    conversation: Conversation,
    *,
    priority: int | None,
    tags: Sequence[str] | None,
    assignee_id: int | None,
    team_id: int | None,
) -> Conversation:
    if priority is not None and priority != conversation.priority:
        conversation = conversation_set_priority(
            actor=actor, conversation=conversation, priority=priority
        )
    if tags:
        conversation = conversation_set_tags(actor=actor, conversation=conversation, tags=tags)
    if assignee_id is not None or team_id is not None:
        conversation = conversation_assign(
            actor=actor,
            conversation=conversation,
            assignee_id=assignee_id if assignee_id is not None else conversation.assignee_id,
            team_id=team_id,
        )
    return conversation
