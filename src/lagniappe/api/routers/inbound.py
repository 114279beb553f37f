"""/api/v1/inbound: an integration posts a message as a customer, through the inbound funnel.

The body is checked here first (422 with field paths, nothing stored); then the exact bytes
the caller sent are stored as an InboundEnvelope and processed in the request, like a mail
or a web-form post. Only integration API keys post here: an agent writes to customers, not
as one.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Query, Router, Schema, Status
from pydantic import Field

from lagniappe.api.auth import ApiViewer, viewer_of
from lagniappe.api.errors import InboundFailed
from lagniappe.api.schemas.common import ObjectId
from lagniappe.api.schemas.inbound import EnvelopeOut, InboundMessageIn, InboundResultOut
from lagniappe.channels.access import access_envelope_by_id
from lagniappe.channels.api_intake import API_CONTENT_TYPE, api_message_accept
from lagniappe.channels.inbound import accept
from lagniappe.channels.models import Endpoint, EnvelopeStatus, InboundEnvelope
from lagniappe.conversations.access import access_conversation_by_id
from lagniappe.core.errors import PermissionDenied

router = Router(tags=["inbound"])


class InboundQuery(Schema):
    defer: bool = Field(
        False, description="Store only and answer 202; the worker processes it shortly."
    )


def _integration_endpoint(viewer: ApiViewer) -> Endpoint:
    if viewer.endpoint is None:
        raise PermissionDenied(
            gettext(
                "Only an integration's API key can post inbound messages; agents reply with "
                "POST /conversations/{id}/messages."
            ),
            details={"required": "api_key"},
        )
    return viewer.endpoint


def _envelope_result(
    envelope: InboundEnvelope, conversation_id: int | None = None, message_id: int | None = None
) -> InboundResultOut:
    return InboundResultOut(
        envelope_id=envelope.pk,
        status=EnvelopeStatus(envelope.status),
        conversation_id=conversation_id,
        message_id=message_id,
    )


@router.post(
    "",
    response={200: InboundResultOut, 201: InboundResultOut, 202: InboundResultOut},
    summary="Post a customer's message (API keys only)",
)
def inbound_post(
    request: HttpRequest, payload: InboundMessageIn, options: Query[InboundQuery]
) -> Status[InboundResultOut]:
    """201 when a message was added, 200 when `external_id` was seen before (nothing added),
    202 with `?defer=true` (stored, processed by the worker), 422 `inbound_failed` when the
    stored input could not be processed (the envelope keeps it and can be replayed)."""
    viewer = viewer_of(request)
    endpoint = _integration_endpoint(viewer)
    if payload.conversation_id is not None:
        # Before storing: threading into another brand's conversation is simply not found.
        access_conversation_by_id(viewer.scope, payload.conversation_id)
    remote_addr = str(request.META.get("REMOTE_ADDR", ""))
    if options.defer:
        envelope = accept(
            endpoint=endpoint,
            raw=request.body,
            content_type=API_CONTENT_TYPE,
            remote_addr=remote_addr,
        )
        return Status(202, _envelope_result(envelope))
    result = api_message_accept(
        endpoint=endpoint,
        raw=request.body,
        external_id=payload.external_id,
        remote_addr=remote_addr,
    )
    if result.message is None:
        raise InboundFailed(
            gettext("The message was stored but could not be processed."),
            details={"envelope_id": result.envelope.pk, "error": result.envelope.error[:2000]},
        )
    answer = _envelope_result(result.envelope, result.message.conversation_id, result.message.pk)
    return Status(201 if result.created else 200, answer)


@router.get("/{envelope_id}", response=EnvelopeOut, summary="What became of a posted message")
def inbound_status(request: HttpRequest, envelope_id: ObjectId) -> InboundEnvelope:
    return access_envelope_by_id(viewer_of(request).scope, envelope_id)
