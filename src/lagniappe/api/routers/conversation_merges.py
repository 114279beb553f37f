"""/api/v1/conversations/{id}/merge: an agent merges a conversation into another.

Both conversations must be ones the caller may see (another brand's is 404, source or
target alike); the rules and what moves are conversations.merging's.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router

from lagniappe.api.auth import agent_of, viewer_of
from lagniappe.api.errors import ErrorOut
from lagniappe.api.schemas.common import InputSchema, ObjectId
from lagniappe.api.schemas.conversations import ConversationOut
from lagniappe.conversations.access import access_conversation_by_id
from lagniappe.conversations.merging import conversation_merge
from lagniappe.conversations.models import Conversation

router = Router(tags=["conversations"])
_ERRORS: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class ConversationMergeIn(InputSchema):
    into: ObjectId = Field(..., description="The conversation that remains.")


@router.post(
    "/{conversation_id}/merge",
    response={200: ConversationOut, **_ERRORS},
    summary="Merge a conversation into another",
)
def conversation_merge_view(
    request: HttpRequest, conversation_id: ObjectId, payload: ConversationMergeIn
) -> Conversation:
    """Agents only. Moves this conversation's messages, notes, files, thread keys, tags and
    notifications into `into`, closes this one (marked merged) and answers with the one that
    remains. Audited. Asking again for the same pair answers the same and changes nothing.
    Refusals: 422 `merge_into_itself`, 422 `merge_across_brands`, 409 `merge_closed`, 409
    `conversation_merged` (this one or `into` was merged away already, except into `into`)."""
    viewer = viewer_of(request)
    source = access_conversation_by_id(viewer.scope, conversation_id)
    target = access_conversation_by_id(viewer.scope, payload.into)
    agent_of(viewer)
    remaining = conversation_merge(actor=viewer.actor, source=source, target=target)
    return access_conversation_by_id(viewer.scope, remaining.pk)
