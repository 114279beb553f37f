"""Reads of endpoints and envelopes."""

from __future__ import annotations

import time

from lagniappe.channels.models import Endpoint, InboundEnvelope
from lagniappe.core.channel_kinds import ChannelKind

# brand id -> (when read, the endpoint). Agents open conversations through the brand's API
# endpoint on every API create; it changes about never, so each process keeps it a minute.
_API_ENDPOINT_MAX_AGE_SECONDS = 60.0
_api_endpoints: dict[int, tuple[float, Endpoint]] = {}


def endpoint_api_first_for_brand(brand_id: int) -> Endpoint | None:
    """The brand's oldest active API endpoint: where agents' API-created conversations arrive.

    Read at most once a minute per brand and process (a deactivated endpoint may take that
    long to stop receiving them; `endpoint_cache_clear` forgets at once).
    """
    cached = _api_endpoints.get(brand_id)
    if cached is not None and time.monotonic() - cached[0] < _API_ENDPOINT_MAX_AGE_SECONDS:
        return cached[1]
    endpoint = (
        Endpoint.objects.select_related("brand")
        .filter(brand_id=brand_id, kind=ChannelKind.API, is_active=True)
        .order_by("pk")
        .first()
    )
    if endpoint is not None:
        _api_endpoints[brand_id] = (time.monotonic(), endpoint)
    return endpoint


def endpoint_cache_clear() -> None:
    """Forget the endpoints this process keeps (after a change, and between tests)."""
    _api_endpoints.clear()


def envelope_error(envelope_id: int) -> str:
    """Why an envelope failed ("" when it did not, or does not exist)."""
    error = InboundEnvelope.objects.filter(pk=envelope_id).values_list("error", flat=True).first()
    return error or ""


def endpoint_active_by_public_key(public_key: str, kind: str) -> Endpoint | None:
    """The active endpoint of this kind a public URL names, or None."""
    return (
        Endpoint.objects.select_related("brand")
        .filter(public_key=public_key, kind=kind, is_active=True)
        .first()
    )


def endpoint_list_for_organisation(organisation_id: int, kind: str) -> list[Endpoint]:
    """The organisation's active endpoints of one kind, brand by brand."""
    return list(
        Endpoint.objects.select_related("brand")
        .filter(brand__organisation_id=organisation_id, kind=kind, is_active=True)
        .order_by("brand__name", "pk")
    )


def endpoint_webform_first_for_brand(brand_id: int) -> Endpoint | None:
    """The brand's oldest active web form: where the help centre's "talk to a person" leads."""
    return (
        Endpoint.objects.filter(brand_id=brand_id, kind=ChannelKind.WEBFORM, is_active=True)
        .order_by("pk")
        .first()
    )
