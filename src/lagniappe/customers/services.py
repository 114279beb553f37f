from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Model

from lagniappe.core.actors import Actor
from lagniappe.core.errors import InvalidInput
from lagniappe.core.events import publish
from lagniappe.core.raw_rows import model_insert, model_insert_with, prefetched_set
from lagniappe.core.services import audit_batch, audit_record
from lagniappe.customers.errors import CustomerMerged, IdentityTaken, MergeIntoSelf
from lagniappe.customers.events import CustomerChanged
from lagniappe.customers.identities import IdentityClaim, identity_normalise
from lagniappe.customers.models import Customer, Identity
from lagniappe.customers.selectors import (
    KnownIdentities,
    identities_ahead,
    identities_matching,
    identity_written,
)


def _follow_merges(customer: Customer) -> Customer:
    seen = {customer.pk}
    while customer.merged_into_id is not None:
        customer = Customer.objects.get(pk=customer.merged_into_id)
        if customer.pk in seen:
            break
        seen.add(customer.pk)
    return customer


def _identity_lookup(
    organisation_id: int, brand_id: int | None, claim: IdentityClaim
) -> Identity | None:
    identities = Identity.objects.select_related("customer").filter(
        organisation_id=organisation_id, kind=claim.kind, value=claim.value
    )
    if claim.brand_scoped and brand_id is not None:
        return identities.filter(brand_id=brand_id).first()
    return identities.filter(brand__isnull=True).first()


@transaction.atomic
def customer_create(
    *,
    actor: Actor,
    organisation_id: int,
    brand_id: int | None,
    name: str = "",
    language: str = "",
    claims: Sequence[IdentityClaim] = (),
) -> Customer:
    """A new customer with `claims` as identities; IdentityTaken if one belongs to someone."""
    normalised = _claims_normalise(claims)
    for claim in normalised:
        _identity_free_check(organisation_id, brand_id, claim)
    try:
        # A savepoint, so losing a race on the unique constraint leaves the caller's
        # transaction usable for the lookup that names the winner.
        with transaction.atomic(), audit_batch():
            return _customer_insert(actor, organisation_id, brand_id, name, language, normalised)
    except IntegrityError:
        for claim in normalised:
            _identity_free_check(organisation_id, brand_id, claim)
        raise


def _claims_normalise(claims: Sequence[IdentityClaim]) -> list[IdentityClaim]:
    """Claims in their stored form, each once (a repeated handle would break the constraint)."""
    normalised: dict[tuple[str, str], IdentityClaim] = {}
    for claim in claims:
        value = identity_normalise(claim.kind, claim.value)
        normalised.setdefault(
            (claim.kind, value), IdentityClaim(claim.kind, value, claim.brand_scoped)
        )
    return list(normalised.values())


def _identity_free_check(organisation_id: int, brand_id: int | None, claim: IdentityClaim) -> None:
    if claim.brand_scoped and brand_id is None:
        raise InvalidInput(
            "This kind of identity belongs to one brand; name the brand.",
            details={"identity": claim.kind},
        )
    existing = _identity_lookup(organisation_id, brand_id, claim)
    if existing is not None:
        raise IdentityTaken(identity=f"{claim.kind}:{claim.value}", owner_id=existing.customer_id)


def _customer_insert(
    actor: Actor,
    organisation_id: int,
    brand_id: int | None,
    name: str,
    language: str,
    claims: Sequence[IdentityClaim],
) -> Customer:
    customer = Customer(organisation_id=organisation_id, name=name[:200], language=language)
    rows: list[tuple[Model, str]] = []
    if brand_id is not None:  # a new row: no conflict to ignore, unlike brands.add()
        rows.append((Customer.brands.through(brand_id=brand_id), "customer_id"))
    identities = [_identity_new(organisation_id, brand_id, claim) for claim in claims]
    rows += [(identity, "customer_id") for identity in identities]
    # The customer, its link and its identities in one statement on PostgreSQL.
    model_insert_with(customer, rows)
    for identity in identities:
        identity.customer = customer
    # Whoever reads this customer's identities next in this unit of work (the new
    # conversation's search document) is handed what was just written.
    prefetched_set(customer, "identities", identities)
    audit_record(
        actor=actor,
        action="customer.create",
        object_type="customer",
        object_id=customer.pk,
        brand_id=brand_id,
        after={"name": customer.name, "identities": [f"{c.kind}:{c.value}" for c in claims]},
    )
    return customer


def _identity_attach(customer: Customer, brand_id: int | None, claim: IdentityClaim) -> Identity:
    identity = _identity_new(customer.organisation_id, brand_id, claim)
    identity.customer = customer
    model_insert(identity)
    return identity


def _identity_new(organisation_id: int, brand_id: int | None, claim: IdentityClaim) -> Identity:
    identity_written(claim.kind, claim.value)  # before the insert: see IdentitiesReadAhead
    return Identity(
        organisation_id=organisation_id,
        kind=claim.kind,
        value=claim.value,
        brand_id=brand_id if claim.brand_scoped else None,
    )


def identity_resolve(
    *,
    actor: Actor,
    organisation_id: int,
    brand_id: int,
    claims: Sequence[IdentityClaim],
    name: str = "",
    language: str = "",
    savepoint: bool = True,
) -> Customer:
    """Find the customer behind any of `claims`, or create one; attach the claims not yet known.

    Safe under concurrency: when two requests create the same identity at once, the loser
    of the unique constraint retries and finds the winner's customer. `savepoint=False`:
    the caller runs this in a savepoint of its own and, on IntegrityError, rolls it back and
    calls again (the inbound funnel: one savepoint less per new customer).
    """
    normalised = [
        IdentityClaim(c.kind, identity_normalise(c.kind, c.value), c.brand_scoped) for c in claims
    ]
    if not normalised:
        raise InvalidInput("A customer needs at least one identity.", details={"identities": []})
    first_read: KnownIdentities | None = None
    ahead = identities_ahead()  # a batch's snapshot: two answers trusted, see there
    if ahead is not None:
        returning = _returning_unchanged(
            ahead.known.get((organisation_id, brand_id), {}), normalised, name, language
        )
        if returning is not None:
            return returning
        if ahead.absent(organisation_id, brand_id, normalised):
            first_read = {}
    if first_read is None:
        first_read = _known_claims(organisation_id, brand_id, normalised)
    returning = _returning_unchanged(first_read, normalised, name, language)
    if returning is not None:
        return returning  # nothing to write (most mail): no savepoint either
    if not savepoint:
        return _identity_resolve_once(
            actor, organisation_id, brand_id, normalised, name, language, first_read
        )
    known: KnownIdentities | None = first_read
    for attempt in range(3):
        try:
            with transaction.atomic(), audit_batch():
                return _identity_resolve_once(
                    actor, organisation_id, brand_id, normalised, name, language, known
                )
        except IntegrityError:
            known = None  # read again: the winner of the race is there now
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _known_claims(
    organisation_id: int, brand_id: int, claims: Sequence[IdentityClaim]
) -> KnownIdentities:
    return {
        (match.identity.kind, match.identity.value): match
        for match in identities_matching(organisation_id, brand_id, claims)
    }


def _returning_unchanged(
    known: KnownIdentities, claims: Sequence[IdentityClaim], name: str, language: str
) -> Customer | None:
    """The customer when every claim is known, the first known one's customer is not merged,
    already linked to the brand and has a name and language: resolving writes nothing."""
    if not claims or any((c.kind, c.value) not in known for c in claims):
        return None
    first = known[(claims[0].kind, claims[0].value)]
    customer = first.identity.customer
    if customer.merged_into_id is not None or not first.brand_linked:
        return None
    if (name and not customer.name) or (language and not customer.language):
        return None
    return customer


def _identity_resolve_once(
    actor: Actor,
    organisation_id: int,
    brand_id: int,
    claims: Sequence[IdentityClaim],
    name: str,
    language: str,
    known: KnownIdentities | None,
) -> Customer:
    if known is None:
        known = _known_claims(organisation_id, brand_id, claims)
    if not known:
        # Straight to the insert: a concurrent winner must surface as IntegrityError so the
        # caller retries and finds them, not as IdentityTaken.
        return _customer_insert(actor, organisation_id, brand_id, name, language, claims)
    # The first claim that is known decides (claims come in the channel's order of trust).
    first_known = next(known[(c.kind, c.value)] for c in claims if (c.kind, c.value) in known)
    customer = _follow_merges(first_known.identity.customer)
    for claim in claims:
        if (claim.kind, claim.value) not in known:
            _identity_attach(customer, brand_id, claim)
    # A returning customer of this brand costs no write for the link.
    if customer.pk != first_known.identity.customer_id or not first_known.brand_linked:
        customer.brands.add(brand_id)
    attached = any((claim.kind, claim.value) not in known for claim in claims)
    changed = []
    if name and not customer.name:
        customer.name = name[:200]
        changed.append("name")
    if language and not customer.language:
        customer.language = language
        changed.append("language")
    if changed:
        customer.save(update_fields=[*changed, "updated_at"])
    if attached or "name" in changed:
        publish(CustomerChanged(customer_id=customer.pk))
    return customer


@transaction.atomic
def customer_update(
    *,
    actor: Actor,
    customer: Customer,
    name: str | None = None,
    language: str | None = None,
    time_zone: str | None = None,
    notes: str | None = None,
) -> Customer:
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    for field, value in (
        ("name", name),
        ("language", language),
        ("time_zone", time_zone),
        ("notes", notes),
    ):
        if value is not None and getattr(customer, field) != value:
            before[field] = getattr(customer, field)
            after[field] = value
            setattr(customer, field, value)
    if after:
        customer.save(update_fields=[*after.keys(), "updated_at"])
        audit_record(
            actor=actor,
            action="customer.update",
            object_type="customer",
            object_id=customer.pk,
            before=before,
            after=after,
        )
        publish(CustomerChanged(customer_id=customer.pk))
    return customer


@transaction.atomic
def identity_add(
    *, actor: Actor, customer: Customer, brand_id: int | None, claim: IdentityClaim
) -> Identity:
    """Attach one more handle; brand-scoped kinds need `brand_id`. IdentityTaken if it belongs
    to a customer already (this one included)."""
    if customer.merged_into_id is not None:
        raise CustomerMerged(
            "This customer was merged into another; add the identity there.",
            details={"customer_id": customer.pk, "merged_into_id": customer.merged_into_id},
        )
    value = identity_normalise(claim.kind, claim.value)
    normalised = IdentityClaim(claim.kind, value, claim.brand_scoped)
    _identity_free_check(customer.organisation_id, brand_id, normalised)
    try:
        with transaction.atomic():
            identity = _identity_attach(customer, brand_id, normalised)
    except IntegrityError:
        _identity_free_check(customer.organisation_id, brand_id, normalised)
        raise
    audit_record(
        actor=actor,
        action="customer.identity_add",
        object_type="customer",
        object_id=customer.pk,
        brand_id=identity.brand_id,
        after={"identity": f"{claim.kind}:{value}"},
    )
    publish(CustomerChanged(customer_id=customer.pk))
    return identity


def customer_merge_check(*, source: Customer, target: Customer) -> None:
    """Refuse a merge that cannot happen: the same code answers a preview and the merge."""
    if source.pk == target.pk:
        raise MergeIntoSelf("A customer cannot be merged into itself.", details={})
    if source.organisation_id != target.organisation_id:
        raise InvalidInput("Customers of two organisations cannot be merged.", details={})
    for customer in (source, target):
        if customer.merged_into_id is not None:
            raise CustomerMerged(
                "This customer was merged already.",
                details={"customer_id": customer.pk, "merged_into_id": customer.merged_into_id},
            )


@transaction.atomic
def customer_merge(*, actor: Actor, source: Customer, target: Customer) -> Customer:
    """Move everything that points at `source` (identities, conversations, and any later
    record with a foreign key to Customer) onto `target`, then mark `source` merged."""
    # Locked and re-read, so two merges of the same pair cannot both pass the check.
    locked = Customer.objects.select_for_update().in_bulk([source.pk, target.pk])
    source, target = locked[source.pk], locked[target.pk]
    customer_merge_check(source=source, target=target)
    moved: dict[str, int] = {}
    for relation in Customer._meta.related_objects:
        if relation.many_to_many or relation.one_to_one or relation.remote_field.name is None:
            continue
        if relation.related_model is Customer:
            continue
        field_name = relation.field.name
        manager = relation.related_model._default_manager  # type: ignore[union-attr]
        count = manager.filter(**{field_name: source}).update(**{field_name: target})
        if count:
            moved[relation.related_model._meta.label] = count  # type: ignore[union-attr]
    target.brands.add(*source.brands.all())
    if not target.name and source.name:
        target.name = source.name
    if not target.language and source.language:
        target.language = source.language
    target.save(update_fields=["name", "language", "updated_at"])
    source.merged_into = target
    source.save(update_fields=["merged_into", "updated_at"])
    audit_record(
        actor=actor,
        action="customer.merge",
        object_type="customer",
        object_id=target.pk,
        before={"source": source.pk},
        after={"target": target.pk, "moved": moved},
    )
    publish(CustomerChanged(customer_id=target.pk))
    return target
