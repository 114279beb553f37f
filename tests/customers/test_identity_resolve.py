"""identity_resolve on the inbound path: the customer–brand link and the new customer's
identities handed to the search document without a second read."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lagniappe.core.actors import SYSTEM
from lagniappe.customers.identities import IdentityClaim
from lagniappe.customers.models import Customer, IdentityKind
from lagniappe.customers.selectors import identities_matching
from lagniappe.customers.services import identity_resolve
from tests.conftest import World

pytestmark = pytest.mark.django_db

EMAIL = IdentityClaim(IdentityKind.EMAIL, "Ana@Example.org")
EXTERNAL = IdentityClaim(IdentityKind.EXTERNAL_ID, "crm-1", brand_scoped=True)


def _resolve(world: World, brand_id: int, *claims: IdentityClaim) -> Customer:
    return identity_resolve(
        actor=SYSTEM,
        organisation_id=world.organisation.pk,
        brand_id=brand_id,
        claims=list(claims),
        name="Ana",
    )


def test_a_new_customer_carries_its_identities_and_its_brand(world: World) -> None:
    customer = _resolve(world, world.insurer.pk, EMAIL, EXTERNAL)
    with CaptureQueriesContext(connection) as queries:
        handles = sorted((i.kind, i.value, i.brand_id) for i in customer.identities.all())
    assert not queries.captured_queries
    assert handles == sorted(
        (i.kind, i.value, i.brand_id) for i in Customer.objects.get(pk=customer.pk).identities.all()
    )
    assert handles == [
        ("email", "ana@example.org", None),
        ("external_id", "crm-1", world.insurer.pk),
    ]
    assert list(customer.brands.values_list("pk", flat=True)) == [world.insurer.pk]


def test_a_returning_customer_is_linked_to_a_new_brand_once(world: World) -> None:
    first = _resolve(world, world.insurer.pk, EMAIL)
    claims = [IdentityClaim(IdentityKind.EMAIL, "ana@example.org")]
    (match,) = identities_matching(world.organisation.pk, world.bank.pk, claims)
    assert match.identity.customer.pk == first.pk and not match.brand_linked

    again = _resolve(world, world.bank.pk, EMAIL)
    assert again.pk == first.pk
    assert set(again.brands.values_list("pk", flat=True)) == {world.insurer.pk, world.bank.pk}
    (match,) = identities_matching(world.organisation.pk, world.bank.pk, claims)
    assert match.brand_linked

    with CaptureQueriesContext(connection) as queries:
        _resolve(world, world.bank.pk, EMAIL)
    writes = [q for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))]
    assert writes == []  # known customer, known brand: nothing to write


def test_a_brand_scoped_id_is_found_only_in_its_brand(world: World) -> None:
    insurer_customer = _resolve(world, world.insurer.pk, EXTERNAL)
    bank_customer = _resolve(world, world.bank.pk, EXTERNAL)
    assert insurer_customer.pk != bank_customer.pk
    (match,) = identities_matching(world.organisation.pk, world.bank.pk, [EXTERNAL])
    assert match.identity.customer.pk == bank_customer.pk
