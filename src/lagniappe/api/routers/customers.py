"""/api/v1/customers: customers, their identities, merges and conversation history.

Every route reads through the caller's ViewerScope: a customer of a brand the caller cannot
see answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from lagniappe.api.auth import agent_of, brand_for_write, viewer_of
from lagniappe.api.errors import ErrorOut
from lagniappe.api.pagination import PageQuery, page_by_id
from lagniappe.api.schemas.common import ObjectId
from lagniappe.api.schemas.customers import (
    CustomerConversationPage,
    CustomerCreateIn,
    CustomerListQuery,
    CustomerMergeIn,
    CustomerMergePreviewOut,
    CustomerMergePreviewQuery,
    CustomerOut,
    CustomerPage,
    CustomerPatchIn,
    IdentityAddIn,
    IdentityList,
    IdentityOut,
)
from lagniappe.conversations.selectors import ConversationFilters, conversation_list_for_viewer
from lagniappe.customers import services
from lagniappe.customers.access import access_customer_by_id, access_identity_taken_disclose
from lagniappe.customers.errors import IdentityTaken
from lagniappe.customers.identities import IdentityClaim, claim_brand_scoped
from lagniappe.customers.models import Customer, Identity
from lagniappe.customers.selectors import (
    customer_detail_prefetches,
    customer_list_visible,
    customer_merge_preview,
    customer_search,
    identity_list_for_customer,
)
from lagniappe.tenancy.scoping import ViewerScope

router = Router(tags=["customers"])

CustomerId = Path[ObjectId]
_READ_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
_WRITE_ERRORS: dict[int, Any] = {**_READ_ERRORS, 400: ErrorOut, 409: ErrorOut, 413: ErrorOut}


def _visible(scope: ViewerScope, customer_id: int) -> Customer:
    return access_customer_by_id(scope, customer_id)


def _shown(scope: ViewerScope, customer: Customer) -> Customer:
    prefetch_related_objects([customer], *customer_detail_prefetches(scope))
    return customer


@router.get("", response={200: CustomerPage, **_READ_ERRORS}, summary="List customers")
def customers_list(request: HttpRequest, query: Query[CustomerListQuery]) -> dict[str, Any]:
    """Customers who contacted a brand the caller may see, newest first; `q` searches names
    and identities. Each carries only the identities and brands the caller may see."""
    scope = viewer_of(request).scope
    customers = customer_search(scope, query.q) if query.q else customer_list_visible(scope)
    rows, next_cursor = page_by_id(
        customers.prefetch_related(*customer_detail_prefetches(scope)), query
    )
    return {"items": rows, "next": next_cursor}


@router.post("", response={201: CustomerOut, **_WRITE_ERRORS}, summary="Create a customer")
def customers_create(request: HttpRequest, payload: CustomerCreateIn) -> Status[Customer]:
    """409 `identity_taken` when a handle belongs to someone already; `details.customer_id`
    names them only if the caller may see them."""
    viewer = viewer_of(request)
    brand_id = brand_for_write(viewer, payload.brand_id, field="body.brand_id")
    claims = [
        IdentityClaim(item.kind.value, item.value, claim_brand_scoped(item.kind.value))
        for item in payload.identities
    ]
    try:
        customer = services.customer_create(
            actor=viewer.actor,
            organisation_id=viewer.scope.organisation_id,
            brand_id=brand_id,
            name=payload.name,
            language=payload.language,
            claims=claims,
        )
    except IdentityTaken as taken:
        raise access_identity_taken_disclose(viewer.scope, taken) from None
    return Status(201, _shown(viewer.scope, customer))


@router.get("/{customer_id}", response={200: CustomerOut, **_READ_ERRORS}, summary="Get a customer")
def customers_get(request: HttpRequest, customer_id: CustomerId) -> Customer:
    scope = viewer_of(request).scope
    return _shown(scope, _visible(scope, customer_id))


@router.patch(
    "/{customer_id}", response={200: CustomerOut, **_WRITE_ERRORS}, summary="Update a customer"
)
def customers_update(
    request: HttpRequest, customer_id: CustomerId, payload: CustomerPatchIn
) -> Customer:
    """Fields left out (or null) keep their value."""
    viewer = viewer_of(request)
    customer = services.customer_update(
        actor=viewer.actor,
        customer=_visible(viewer.scope, customer_id),
        name=payload.name,
        language=payload.language,
        time_zone=payload.time_zone,
        notes=payload.notes,
    )
    return _shown(viewer.scope, customer)


@router.get(
    "/{customer_id}/identities",
    response={200: IdentityList, **_READ_ERRORS},
    summary="List a customer's identities",
)
def customers_identities(request: HttpRequest, customer_id: CustomerId) -> dict[str, Any]:
    scope = viewer_of(request).scope
    customer = _visible(scope, customer_id)
    return {"items": list(identity_list_for_customer(scope, customer))}


@router.post(
    "/{customer_id}/identities",
    response={201: IdentityOut, **_WRITE_ERRORS},
    summary="Add an identity to a customer",
)
def customers_identity_add(
    request: HttpRequest, customer_id: CustomerId, payload: IdentityAddIn
) -> Status[Identity]:
    """Brand-scoped kinds (external_id, chat_visitor) belong to one brand the caller may see."""
    viewer = viewer_of(request)
    customer = _visible(viewer.scope, customer_id)
    kind = payload.kind.value
    brand_scoped = claim_brand_scoped(kind)
    brand_id = (
        brand_for_write(viewer, payload.brand_id, field="body.brand_id")
        if brand_scoped or payload.brand_id is not None
        else None
    )
    try:
        identity = services.identity_add(
            actor=viewer.actor,
            customer=customer,
            brand_id=brand_id,
            claim=IdentityClaim(kind, payload.value, brand_scoped),
        )
    except IdentityTaken as taken:
        raise access_identity_taken_disclose(viewer.scope, taken) from None
    return Status(201, identity)


@router.get(
    "/{customer_id}/merge-preview",
    response={200: CustomerMergePreviewOut, **_READ_ERRORS, 409: ErrorOut},
    summary="Preview merging a customer into another",
)
def customers_merge_preview(
    request: HttpRequest,
    customer_id: CustomerId,
    query: Query[CustomerMergePreviewQuery],
) -> dict[str, Any]:
    """What POST …/merge would move, counting only records of brands the caller may see."""
    scope = viewer_of(request).scope
    source = _visible(scope, customer_id)
    target = _visible(scope, query.into)
    services.customer_merge_check(source=source, target=target)
    return {
        "source_id": source.pk,
        "into_id": target.pk,
        "moves": customer_merge_preview(source=source, scope=scope),
    }


@router.post(
    "/{customer_id}/merge",
    response={200: CustomerOut, **_WRITE_ERRORS, 403: ErrorOut},
    summary="Merge a customer into another",
)
def customers_merge(
    request: HttpRequest, customer_id: CustomerId, payload: CustomerMergeIn
) -> Customer:
    """Agents only. Moves identities, conversations and every other record onto `into`, marks
    this customer merged and answers with the customer who remains. Audited."""
    viewer = viewer_of(request)
    source = _visible(viewer.scope, customer_id)
    target = _visible(viewer.scope, payload.into)
    agent_of(viewer)
    remaining = services.customer_merge(actor=viewer.actor, source=source, target=target)
    return _shown(viewer.scope, remaining)


@router.get(
    "/{customer_id}/conversations",
    response={200: CustomerConversationPage, **_READ_ERRORS},
    summary="List a customer's conversations",
)
def customers_conversations(
    request: HttpRequest, customer_id: CustomerId, query: Query[PageQuery]
) -> dict[str, Any]:
    """The customer's conversations in brands the caller may see, newest first."""
    scope = viewer_of(request).scope
    customer = _visible(scope, customer_id)
    conversations = conversation_list_for_viewer(
        scope, ConversationFilters(customer_id=customer.pk)
    )
    rows, next_cursor = page_by_id(conversations, query)
    return {"items": rows, "next": next_cursor}
