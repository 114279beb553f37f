"""Permission-checked getters of channel records: what the viewer may not see is not found."""

from __future__ import annotations

from lagniappe.channels.models import InboundEnvelope
from lagniappe.core.errors import NotFound
from lagniappe.tenancy.scoping import ViewerScope


def access_envelope_by_id(scope: ViewerScope, envelope_id: int) -> InboundEnvelope:
    """The envelope if it arrived at an endpoint of one of the viewer's brands."""
    envelope = (
        InboundEnvelope.objects.filter(pk=envelope_id, endpoint__brand_id__in=scope.brand_ids)
        .defer("raw")
        .first()
    )
    if envelope is None:
        raise NotFound("No such envelope.", details={"envelope_id": envelope_id})
    return envelope
