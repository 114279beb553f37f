"""Refusals of customer writes, each with a stable code clients can switch on."""

from __future__ import annotations

from lagniappe.core.errors import Conflict, InvalidInput


class IdentityTaken(Conflict):
    """The handle belongs to another customer already.

    `owner_id` is kept out of `details`: the caller may not be allowed to see that customer,
    so only a permission check (customers.access) may put it there.
    """

    code = "identity_taken"

    def __init__(self, *, identity: str, owner_id: int) -> None:
        super().__init__(
            "This identity belongs to another customer already; merge the two customers instead.",
            details={"identity": identity},
        )
        self.identity = identity
        self.owner_id = owner_id


class MergeIntoSelf(InvalidInput):
    code = "merge_into_self"


class CustomerMerged(Conflict):
    """The customer was merged into another and can no longer take part in a merge or gain
    identities; work with the customer they were merged into."""

    code = "customer_merged"
