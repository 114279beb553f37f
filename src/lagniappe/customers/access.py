from __future__ import annotations

from lagniappe.core.errors import NotFound
from lagniappe.customers.errors import IdentityTaken
from lagniappe.customers.models import Customer, Identity
from lagniappe.tenancy.scoping import ViewerScope


def access_customer_by_id(scope: ViewerScope, customer_id: int) -> Customer:
    """The customer, if the viewer may see them; otherwise NotFound (never a hint it exists)."""
    customer = (
        Customer.objects.filter(
            pk=customer_id, organisation_id=scope.organisation_id, brands__in=scope.brand_ids
        )
        .distinct()
        .first()
    )
    if customer is None:
        raise NotFound("No such customer.", details={"customer_id": customer_id})
    return customer


def access_identity_by_id(scope: ViewerScope, customer: Customer, identity_id: int) -> Identity:
    identity = customer.identities.filter(pk=identity_id).first()
    if identity is None or (
        identity.brand_id is not None and not scope.can_see_brand(identity.brand_id)
    ):
        raise NotFound("No such identity.", details={"identity_id": identity_id})
    return identity


def access_identity_taken_disclose(scope: ViewerScope, error: IdentityTaken) -> IdentityTaken:
    """`error`, naming the customer who holds the identity only if the viewer may see them."""
    if Customer.objects.filter(
        pk=error.owner_id, organisation_id=scope.organisation_id, brands__in=scope.brand_ids
    ).exists():
        error.details = {**error.details, "customer_id": error.owner_id}
    return error
