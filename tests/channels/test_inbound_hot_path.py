"""The inbound hot path: what an API create costs, and the look-ups every email makes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lagniappe.channels.api_intake import CustomerClaim, conversation_open_via_api
from lagniappe.conversations.contracts import ReceivedMessage
from lagniappe.conversations.models import Conversation, Message
from lagniappe.conversations.receiving import message_receive
from lagniappe.conversations.search_index import matching_ids
from lagniappe.conversations.selectors import message_by_brand_external_ids
from lagniappe.core.actors import SYSTEM, Actor
from lagniappe.core.models import AuditEvent
from lagniappe.customers.identities import IdentityClaim
from lagniappe.customers.models import IdentityKind
from lagniappe.customers.services import identity_resolve
from lagniappe.engines.textsearch.filtering import QueryTerm
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _open(world: World, n: int) -> int:
    opened = conversation_open_via_api(
        actor=Actor.agent(world.insurer_agent.pk, "Mei"),
        endpoint=world.insurer_api,
        text=f"My card number {n} was blocked",
        claim=CustomerClaim(name=f"Ana {n}", email=f"ana{n}@example.org"),
        subject="Card blocked",
        language="en",
        external_id=f"crm-{n}",
    )
    assert opened.created and opened.conversation is not None
    return opened.conversation.pk


def test_a_create_stays_within_its_statement_budget_and_writes_everything(world: World) -> None:
    _open(world, 0)  # warm the per-process caches (the brand's endpoint)
    with CaptureQueriesContext(connection) as queries:
        conversation_id = _open(world, 1)
    assert len(queries.captured_queries) <= 16  # was 23, then 19 (docs/subsystems/funnels.md)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"customer.create", "conversation.create", "conversation.open_via_api"} <= actions

    # The new customer's handles (handed over, not read back) and the first message's words.
    def found(term: str) -> set[int]:
        matching = Conversation.objects.filter(pk__in=matching_ids([[QueryTerm(term)]]))
        return set(matching.values_list("pk", flat=True))

    assert found("ana1") == found("1") == {conversation_id}
    assert conversation_id in found("card") & found("block") & found("org")


def test_the_brand_wide_look_up_keeps_the_oldest_and_follows_the_keys_order(world: World) -> None:
    customer = identity_resolve(
        actor=SYSTEM,
        organisation_id=world.organisation.pk,
        brand_id=world.insurer.pk,
        claims=[IdentityClaim(IdentityKind.EMAIL, "ana@example.org")],
    )

    def receive(endpoint_id: int, external_id: str) -> Message:
        return message_receive(
            actor=SYSTEM,
            received=ReceivedMessage(
                brand_id=world.insurer.pk,
                endpoint_id=endpoint_id,
                channel_kind="api",
                customer_id=customer.pk,
                external_id=external_id,
                text=f"text of {external_id}",
            ),
        )

    first = receive(world.insurer_api.pk, "<a@mail>")
    receive(world.insurer_form.pk, "<a@mail>")  # the same id reached a second endpoint
    other = receive(world.insurer_api.pk, "<b@mail>")
    assert message_by_brand_external_ids(world.insurer.pk, ["<a@mail>"]).pk == first.pk
    assert message_by_brand_external_ids(world.insurer.pk, ["<b@mail>", "<a@mail>"]).pk == (
        other.pk
    )
    assert message_by_brand_external_ids(world.insurer.pk, ["<x@mail>", "<a@mail>"]).pk == (
        first.pk
    )
    assert message_by_brand_external_ids(world.bank.pk, ["<a@mail>"]) is None
