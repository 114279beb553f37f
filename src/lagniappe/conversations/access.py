"""Permission-checked getters: an object the viewer may not see is simply not found."""

from __future__ import annotations

from lagniappe.conversations.models import Attachment, Conversation
from lagniappe.conversations.selectors import conversation_base_for_viewer
from lagniappe.core.errors import NotFound
from lagniappe.tenancy.scoping import ViewerScope


def access_conversation_by_id(scope: ViewerScope, conversation_id: int) -> Conversation:
    """The conversation if one of the viewer's brands owns it; otherwise NotFound."""
    conversation = conversation_base_for_viewer(scope).filter(pk=conversation_id).first()
    if conversation is None:
        raise NotFound("No such conversation.", details={"conversation_id": conversation_id})
    return conversation


def access_attachment_by_id(scope: ViewerScope, attachment_id: int) -> Attachment:
    """The attachment if the viewer may see its conversation; otherwise NotFound."""
    attachment = (
        Attachment.objects.select_related("conversation")
        .filter(pk=attachment_id, conversation__brand_id__in=scope.brand_ids)
        .first()
    )
    if attachment is None:
        raise NotFound("No such attachment.", details={"attachment_id": attachment_id})
    return attachment
