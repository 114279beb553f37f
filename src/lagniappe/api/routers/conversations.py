"""/api/v1/conversations: list, open, read and change conversations of the caller's brands.

A conversation opened here goes through the inbound funnel like any other (the customer's
first message is stored as an envelope of the API endpoint, then processed).

Integrations (API keys) may change status, priority, tags and team, but not assign a
conversation to an agent: choosing a person is for agents and routing, and an API key
cannot see who works where.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import Query, Router
from ninja.renderers import JSONRenderer

from lagniappe.api.auth import ApiViewer, brand_for_write, viewer_of
from lagniappe.api.errors import InboundFailed
from lagniappe.api.pagination import page_by_id
from lagniappe.api.schemas.common import PRIORITY_BY_NAME, ObjectId
from lagniappe.api.schemas.conversations import (
    ConversationCreatedOut,
    ConversationCreateIn,
    ConversationListQuery,
    ConversationOut,
    ConversationPage,
    ConversationPatchIn,
    conversation_created_body,
)
from lagniappe.channels.api_intake import CustomerClaim, conversation_open_via_api
from lagniappe.channels.services import endpoint_api_ensure
from lagniappe.conversations.access import access_conversation_by_id
from lagniappe.conversations.models import Conversation
from lagniappe.conversations.selectors import ConversationFilters, conversation_list_for_viewer
from lagniappe.conversations.updates import ConversationChanges, conversation_update
from lagniappe.core.errors import PermissionDenied
from lagniappe.customers.access import access_customer_by_id

router = Router(tags=["conversations"])
_renderer = JSONRenderer()  # the API's (api/app.py keeps ninja's default)


def _assigning_check(viewer: ApiViewer) -> None:
    if viewer.agent is None:
        raise PermissionDenied(
            gettext("An integration's API key cannot assign conversations to agents."),
            details={"field": "assignee_id"},
        )


@router.get("", response=ConversationPage, summary="List conversations")
def conversation_list(
    request: HttpRequest, query: Query[ConversationListQuery]
) -> dict[str, object]:
    viewer = viewer_of(request)
    filters = ConversationFilters(
        statuses=tuple(query.status or ()),
        brand_id=query.brand_id,
        channel_kind=query.channel_kind or "",
        assignee_id=query.assignee_id,
        unassigned=query.unassigned,
        team_id=query.team_id,
        priority=PRIORITY_BY_NAME[query.priority] if query.priority else None,
        tag=query.tag or "",
        language=query.language or "",
        customer_id=query.customer_id,
    )
    rows, next_cursor = page_by_id(conversation_list_for_viewer(viewer.scope, filters), query)
    return {"items": rows, "next": next_cursor}


@router.post(
    "",
    response={200: ConversationCreatedOut, 201: ConversationCreatedOut},
    summary="Open a conversation with the customer's first message",
)
def conversation_open(request: HttpRequest, payload: ConversationCreateIn) -> HttpResponse:
    """201 with the new conversation; 200 with the same one when `external_id` was used
    before (nothing is added again)."""
    viewer = viewer_of(request)
    if payload.assignee_id is not None:
        _assigning_check(viewer)
    brand_id = brand_for_write(viewer, payload.brand_id, field="body.brand_id")
    customer = (
        access_customer_by_id(viewer.scope, payload.customer_id)
        if payload.customer_id is not None
        else None
    )
    claim = (
        CustomerClaim(
            name=payload.customer.name,
            email=payload.customer.email,
            phone=payload.customer.phone,
            external_id=payload.customer.external_id,
        )
        if payload.customer is not None
        else None
    )
    endpoint = viewer.endpoint or endpoint_api_ensure(actor=viewer.actor, brand_id=brand_id)
    opened = conversation_open_via_api(
        actor=viewer.actor,
        endpoint=endpoint,
        text=payload.text,
        customer=customer,
        claim=claim,
        subject=payload.subject,
        html=payload.html,
        language=payload.language,
        external_id=payload.external_id,
        priority=PRIORITY_BY_NAME[payload.priority] if payload.priority else None,
        tags=payload.tags,
        assignee_id=payload.assignee_id,
        team_id=payload.team_id,
    )
    if opened.conversation is None:
        envelope = opened.envelope
        raise InboundFailed(
            gettext("The message was stored but could not be processed."),
            details={
                "envelope_id": envelope.pk if envelope else None,
                "error": envelope.error[:2000] if envelope else "",
            },
        )
    # Rendered as ninja renders ConversationCreatedOut (its JSON renderer, its content type),
    # from what was just written.
    status = 201 if opened.created else 200
    body = conversation_created_body(opened.conversation, opened.message_id)
    return HttpResponse(
        _renderer.render(request, body, response_status=status),
        status=status,
        content_type=f"{_renderer.media_type}; charset={_renderer.charset}",
    )


@router.get("/{conversation_id}", response=ConversationOut, summary="One conversation")
def conversation_detail(request: HttpRequest, conversation_id: ObjectId) -> Conversation:
    """A conversation merged into another still answers (closed, empty): `merged_into_id`
    names the one that holds its messages now, `merged_at` when. Another brand's is 404."""
    return access_conversation_by_id(viewer_of(request).scope, conversation_id)


@router.patch("/{conversation_id}", response=ConversationOut, summary="Change a conversation")
def conversation_patch(
    request: HttpRequest, conversation_id: ObjectId, payload: ConversationPatchIn
) -> Conversation:
    """Each given field changes through its own service, all in one transaction. `status`
    follows the transition table (a forbidden step answers 409 `invalid_transition`);
    `assignee_id: null` unassigns; `version`, when given, must be the current one (409
    `conflict` otherwise)."""
    viewer = viewer_of(request)
    conversation = access_conversation_by_id(viewer.scope, conversation_id)
    given = payload.model_fields_set
    if "assignee_id" in given:
        _assigning_check(viewer)
    changes = ConversationChanges(
        status=payload.status,
        priority=PRIORITY_BY_NAME[payload.priority] if payload.priority else None,
        tags=tuple(payload.tags) if payload.tags is not None else None,
        team_id=payload.team_id,
        assign="assignee_id" in given,
        assignee_id=payload.assignee_id,
    )
    conversation_update(
        actor=viewer.actor,
        conversation=conversation,
        changes=changes,
        expected_version=payload.version,
    )
    # Read back through the viewer's scope, with the tags as they are now.
    return access_conversation_by_id(viewer.scope, conversation.pk)
