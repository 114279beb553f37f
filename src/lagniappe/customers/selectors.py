from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from lagniappe.customers.models import Customer, Identity
from lagniappe.tenancy.models import Brand
from lagniappe.tenancy.scoping import ViewerScope


def customer_list_visible(scope: ViewerScope) -> QuerySet[Customer]:
    """Customers who have contacted at least one brand the viewer may see (merged ones hidden)."""
    return (
        Customer.objects.filter(
            organisation_id=scope.organisation_id,
            brands__in=scope.brand_ids,
            merged_into__isnull=True,
        )
        .distinct()
        .order_by("-created_at", "-id")
    )


def customer_search(scope: ViewerScope, query: str) -> QuerySet[Customer]:
    ids = Identity.objects.filter(
        organisation_id=scope.organisation_id, value__icontains=query.strip()
    ).values("customer_id")
    return customer_list_visible(scope).filter(Q(name__icontains=query.strip()) | Q(pk__in=ids))


def customer_merge_preview(*, source: Customer) -> dict[str, int]:
    """How many records of each kind a merge of `source` would move."""
    counts: dict[str, int] = {}
    for relation in Customer._meta.related_objects:
        if relation.many_to_many or relation.one_to_one or relation.related_model is Customer:
            continue
        manager = relation.related_model._default_manager  # type: ignore[union-attr]
        count = manager.filter(**{relation.field.name: source}).count()
        if count:
            counts[relation.related_model._meta.label] = count  # type: ignore[union-attr]
    return counts


def customer_detail_prefetches(scope: ViewerScope) -> list[Prefetch[Any]]:
    """What showing a customer needs, limited to what the viewer may see: identities that are
    organisation-wide or belong to one of the viewer's brands, and the viewer's brands only.

    Apply to a list with `.prefetch_related(*...)` (two queries for any page size) or to one
    customer with `prefetch_related_objects`.
    """
    return [
        Prefetch(
            "identities",
            queryset=Identity.objects.filter(
                Q(brand__isnull=True) | Q(brand_id__in=scope.brand_ids)
            ).order_by("id"),
        ),
        Prefetch("brands", queryset=Brand.objects.filter(pk__in=scope.brand_ids).only("id")),
    ]
