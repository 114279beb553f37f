from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import Model, Prefetch, Q, QuerySet

from lagniappe.core.errors import InvalidInput
from lagniappe.core.raw_rows import model_column_count, model_columns, model_from_row
from lagniappe.customers.identities import IdentityClaim, identity_normalise
from lagniappe.customers.models import Customer, Identity
from lagniappe.tenancy.models import Brand
from lagniappe.tenancy.scoping import ViewerScope


@dataclass(frozen=True)
class IdentityMatch:
    """A stored identity (its customer loaded) and whether that customer has contacted the
    brand in question already."""

    identity: Identity
    brand_linked: bool


def identities_matching(
    organisation_id: int, brand_id: int, claims: Sequence[IdentityClaim]
) -> list[IdentityMatch]:
    """The stored identities equal to `claims` (brand-scoped ones within `brand_id`), with
    their customers, in one statement: this runs for every inbound message, so its SQL is
    written once here instead of compiled by the ORM each time (core/raw_rows.py)."""
    if not claims:
        return []
    quote = connection.ops.quote_name
    identities, customers = (quote(m._meta.db_table) for m in (Identity, Customer))
    links = quote(Customer.brands.through._meta.db_table)
    matches: list[str] = []
    params: list[int | str] = [brand_id, organisation_id]
    for claim in claims:
        if claim.brand_scoped:
            matches.append("(i.kind = %s AND i.value = %s AND i.brand_id = %s)")
            params += [claim.kind, claim.value, brand_id]
        else:
            matches.append("(i.kind = %s AND i.value = %s AND i.brand_id IS NULL)")
            params += [claim.kind, claim.value]
    sql = (
        f"SELECT {model_columns(Identity, 'i')}, {model_columns(Customer, 'c')}, "  # noqa: S608
        f"EXISTS (SELECT 1 FROM {links} l WHERE l.customer_id = i.customer_id "
        "AND l.brand_id = %s) "
        f"FROM {identities} i JOIN {customers} c ON c.id = i.customer_id "
        f"WHERE i.organisation_id = %s AND ({' OR '.join(matches)})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    width = model_column_count(Identity)
    found = []
    for row in rows:
        identity = model_from_row(Identity, row[:width])
        identity.customer = model_from_row(Customer, row[width:-1])
        found.append(IdentityMatch(identity, bool(row[-1])))
    return found


KnownIdentities = dict[tuple[str, str], IdentityMatch]


class IdentitiesReadAhead:
    """Stored identities read ahead for a batch's senders, a statement per brand for several
    messages, for `identities_ahead` inside `identities_read_ahead`.

    For a mail poller's batch: each message would otherwise read its sender's identities
    alone. What is read is a snapshot, trusted for two answers only. "Nothing to write": a
    returning customer already linked to the brand and complete (rows written after the
    snapshot only add to what it saw). "No such identity": every claim was asked and not
    found, and none has been written since (`identity_written`, called before every
    identity insert; a concurrent process's insert makes ours fail, and the retry then
    reads the table because the claim counts as written). Anything else reads the database.
    """

    def __init__(self) -> None:
        self.known: dict[tuple[int, int], KnownIdentities] = {}
        self._asked: dict[tuple[int, int], set[tuple[str, str]]] = {}
        self._written: set[tuple[str, str]] = set()

    def read(self, batch: Iterable[tuple[int, int, Sequence[IdentityClaim]]]) -> None:
        """Read these (organisation, brand, claims) of the batch's messages."""
        wanted: dict[tuple[int, int], dict[tuple[str, str], IdentityClaim]] = {}
        for organisation_id, brand_id, claims in batch:
            into = wanted.setdefault((organisation_id, brand_id), {})
            for claim in claims:
                try:
                    value = identity_normalise(claim.kind, claim.value)
                except InvalidInput:
                    continue  # its message fails when it is resolved, as without this
                into[(claim.kind, value)] = IdentityClaim(claim.kind, value, claim.brand_scoped)
        for scope, by_value in wanted.items():
            if by_value:
                known = self.known.setdefault(scope, {})
                for match in identities_matching(*scope, [*by_value.values()]):
                    known[(match.identity.kind, match.identity.value)] = match
                self._asked.setdefault(scope, set()).update(by_value)

    def absent(self, organisation_id: int, brand_id: int, claims: Sequence[IdentityClaim]) -> bool:
        """Whether none of these (normalised) claims is stored: each was asked, not found,
        and not written since."""
        asked = self._asked.get((organisation_id, brand_id), set())
        known = self.known.get((organisation_id, brand_id), {})
        return bool(claims) and all(
            (c.kind, c.value) in asked
            and (c.kind, c.value) not in known
            and (c.kind, c.value) not in self._written
            for c in claims
        )

    def written(self, kind: str, value: str) -> None:
        self._written.add((kind, value))


_read_ahead: ContextVar[IdentitiesReadAhead | None] = ContextVar(
    "identities_read_ahead", default=None
)


@contextmanager
def identities_read_ahead() -> Iterator[IdentitiesReadAhead]:
    """An IdentitiesReadAhead that `identities_ahead` hands out within the block."""
    ahead = IdentitiesReadAhead()
    token = _read_ahead.set(ahead)
    try:
        yield ahead
    finally:
        _read_ahead.reset(token)


def identities_ahead() -> IdentitiesReadAhead | None:
    """The active IdentitiesReadAhead (None outside one): a snapshot, see there."""
    return _read_ahead.get()


def identity_written(kind: str, value: str) -> None:
    """Tell the active IdentitiesReadAhead, if any, that this identity is being written."""
    ahead = _read_ahead.get()
    if ahead is not None:
        ahead.written(kind, value)


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
    """Visible customers whose name or one of their visible identities contains `query` (another
    brand's external id must not find the customer, or the search tells what that brand holds)."""
    ids = Identity.objects.filter(
        Q(brand__isnull=True) | Q(brand_id__in=scope.brand_ids),
        organisation_id=scope.organisation_id,
        value__icontains=query.strip(),
    ).values("customer_id")
    return customer_list_visible(scope).filter(Q(name__icontains=query.strip()) | Q(pk__in=ids))


def customer_merge_preview(*, source: Customer, scope: ViewerScope | None = None) -> dict[str, int]:
    """How many records of each kind a merge of `source` would move.

    With a `scope`, records of brands the viewer cannot see are left out of the counts, so a
    preview never hints at another brand's conversations (the merge still moves them: the
    customer is one person across the organisation).
    """
    counts: dict[str, int] = {}
    for relation in Customer._meta.related_objects:
        if relation.many_to_many or relation.one_to_one or relation.related_model is Customer:
            continue
        model = relation.related_model
        records = model._default_manager.filter(**{relation.field.name: source})  # type: ignore[union-attr]
        if scope is not None and _has_brand(model):  # type: ignore[arg-type]
            records = records.filter(Q(brand__isnull=True) | Q(brand_id__in=scope.brand_ids))
        count = records.count()
        if count:
            counts[model._meta.label] = count  # type: ignore[union-attr]
    return counts


def _has_brand(model: type[Model]) -> bool:
    try:
        model._meta.get_field("brand")
    except FieldDoesNotExist:
        return False
    return True


def identity_list_for_customer(scope: ViewerScope, customer: Customer) -> QuerySet[Identity]:
    """The customer's identities the viewer may see: organisation-wide ones and those of the
    viewer's brands, oldest first."""
    return customer.identities.filter(
        Q(brand__isnull=True) | Q(brand_id__in=scope.brand_ids)
    ).order_by("id")


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
