"""Reading an Endpoint into the pure shape adapters receive."""

from __future__ import annotations

from lagniappe.channels.contracts import EndpointInfo
from lagniappe.channels.models import Endpoint


def endpoint_info(endpoint: Endpoint) -> EndpointInfo:
    return EndpointInfo(
        id=endpoint.pk,
        brand_id=endpoint.brand_id,
        organisation_id=endpoint.brand.organisation_id,
        kind=endpoint.kind,
        default_language=endpoint.default_language or endpoint.brand.default_language,
        settings=dict(endpoint.settings),
    )
