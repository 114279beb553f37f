"""core.raw_rows: hand-written SQL on the hot paths gives what the ORM would have given."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lagniappe.channels.models import EnvelopeStatus, InboundEnvelope
from lagniappe.core import clock
from lagniappe.core.actors import SYSTEM
from lagniappe.core.models import AuditEvent
from lagniappe.core.raw_rows import (
    model_columns,
    model_from_row,
    model_insert,
    model_insert_with,
    models_insert,
)
from lagniappe.core.raw_updates import rows_update, rows_update_each, rows_update_statement
from lagniappe.staff.models import Agent
from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_a_row_read_by_hand_equals_the_orm_instance(world: World) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {model_columns(Agent, 'a')} FROM staff_agent a WHERE a.id = %s",
            [world.admin.pk],
        )
        row = cursor.fetchone()
    by_hand = model_from_row(Agent, row)
    by_orm = Agent.objects.get(pk=world.admin.pk)
    for field in Agent._meta.concrete_fields:
        assert getattr(by_hand, field.attname) == getattr(by_orm, field.attname), field.name
    assert by_hand.date_joined.tzinfo is not None  # aware, as the ORM makes it
    assert by_hand.is_active is True
    assert not by_hand._state.adding


def test_insert_fills_defaults_and_the_new_id_and_update_counts_rows(world: World) -> None:
    received = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    envelope = InboundEnvelope(
        endpoint=world.insurer_api, kind="api", raw=b"{}", received_at=received
    )
    model_insert(envelope)
    assert envelope.pk is not None and not envelope._state.adding
    stored = InboundEnvelope.objects.get(pk=envelope.pk)
    assert stored.status == EnvelopeStatus.RECEIVED and stored.received_at == received
    assert stored.message_ids == [] and bytes(stored.raw) == b"{}"

    changed = rows_update(
        InboundEnvelope,
        {"id": envelope.pk, "status": EnvelopeStatus.RECEIVED},
        {"status": EnvelopeStatus.PROCESSED, "message_ids": [7, 8]},
    )
    again = rows_update(
        InboundEnvelope,
        {"id": envelope.pk, "status": EnvelopeStatus.RECEIVED},
        {"status": EnvelopeStatus.FAILED, "message_ids": []},
    )
    assert (changed, again) == (1, 0)
    stored.refresh_from_db()
    assert stored.status == EnvelopeStatus.PROCESSED and stored.message_ids == [7, 8]


def test_many_new_rows_get_their_ids_in_order_in_one_statement(world: World) -> None:
    received = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    envelopes = [
        InboundEnvelope(
            endpoint=world.insurer_api, kind="api", raw=f"{n}".encode(), received_at=received
        )
        for n in range(7)
    ]
    with CaptureQueriesContext(connection) as queries:
        models_insert(envelopes, returning_ids=True)
    assert len(queries.captured_queries) == 1
    assert all(e.pk is not None and not e._state.adding for e in envelopes)
    assert len({e.pk for e in envelopes}) == 7
    for number, envelope in enumerate(envelopes):
        stored = InboundEnvelope.objects.get(pk=envelope.pk)
        assert bytes(stored.raw) == f"{number}".encode()
        assert stored.status == EnvelopeStatus.RECEIVED and stored.message_ids == []


def test_an_update_counts_in_the_database(world: World) -> None:
    from lagniappe.conversations.models import Conversation

    conversation = _conversation(world)
    count, version = conversation.message_count, conversation.version
    later = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    for _ in range(2):
        rows_update(
            Conversation,
            {"id": conversation.pk},
            {"last_message_at": later},
            increments=("message_count", "version"),
        )
    conversation.refresh_from_db()
    assert (conversation.message_count, conversation.version) == (count + 2, version + 2)
    assert conversation.last_message_at == later


def _conversation(world: World):  # type: ignore[no-untyped-def]
    from lagniappe.conversations.models import Conversation
    from lagniappe.customers.models import Customer

    customer = Customer.objects.create(organisation=world.organisation, name="Ana")
    return Conversation.objects.create(
        brand=world.insurer, customer=customer, channel_kind="api", subject="Counted"
    )


def test_many_rows_go_in_few_statements() -> None:
    now = clock.now()
    rows = [
        AuditEvent(
            occurred_at=now,
            actor_kind=SYSTEM.kind,
            actor_label="t",
            action=f"a.{i}",
            object_type="x",
            object_id=str(i),
        )
        for i in range(1203)
    ]
    with CaptureQueriesContext(connection) as queries:
        models_insert(rows)
    assert len(queries.captured_queries) == 3  # 500 rows a statement
    assert AuditEvent.objects.filter(object_type="x").count() == 1203
    last = AuditEvent.objects.filter(object_type="x", object_id="1202").get()
    assert last.action == "a.1202" and last.occurred_at == now and last.before == {}


def test_rows_update_each_writes_each_rows_own_values_in_one_statement(world: World) -> None:
    from lagniappe.channels.models import Endpoint

    endpoint = Endpoint.objects.create(brand=world.insurer, kind="api", name="each")
    envelopes = [
        InboundEnvelope.objects.create(
            endpoint=endpoint, kind="api", raw=b"x", attempts=n, received_at=clock.now()
        )
        for n in range(3)
    ]
    other = InboundEnvelope.objects.create(
        endpoint=endpoint, kind="api", raw=b"y", received_at=clock.now()
    )
    later = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    with CaptureQueriesContext(connection) as queries:
        changed = rows_update_each(
            InboundEnvelope,
            {
                e.pk: {"error": f"note {i}", "message_ids": [i, i + 1]}
                for i, e in enumerate(envelopes)
            },
            {"status": EnvelopeStatus.PROCESSED, "processed_at": later},
            increments=("attempts",),
        )
    assert changed == 3 and len(queries.captured_queries) == 1
    for i, envelope in enumerate(envelopes):
        envelope.refresh_from_db()
        assert (envelope.status, envelope.processed_at) == (EnvelopeStatus.PROCESSED, later)
        assert (envelope.error, envelope.message_ids, envelope.attempts) == (
            f"note {i}",
            [i, i + 1],
            i + 1,
        )
    other.refresh_from_db()
    assert other.status == EnvelopeStatus.RECEIVED and other.attempts == 0
    assert rows_update_each(InboundEnvelope, {}, {"status": EnvelopeStatus.FAILED}) == 0


def test_a_row_and_the_rows_referring_to_it_in_one_statement_on_postgresql(world: World) -> None:
    from lagniappe.customers.models import Customer, Identity

    customer = Customer(organisation_id=world.organisation.pk, name="Mei Lin", language="zh-Hant")
    link = Customer.brands.through(brand_id=world.insurer.pk)
    identities = [
        Identity(organisation_id=world.organisation.pk, kind=kind, value=value)
        for kind, value in (("email", "mei.lin@example.tw"), ("phone", "+886912345678"))
    ]
    with CaptureQueriesContext(connection) as queries:
        model_insert_with(
            customer, [(link, "customer_id"), *((i, "customer_id") for i in identities)]
        )
    assert len(queries) == (1 if connection.vendor == "postgresql" else 4)
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.name, stored.language, stored.created_at) == (
        "Mei Lin",
        "zh-Hant",
        customer.created_at,
    )
    assert list(stored.brands.values_list("pk", flat=True)) == [world.insurer.pk]
    assert link.pk is not None and link.customer_id == customer.pk
    for identity in identities:
        assert not identity._state.adding and identity.customer_id == customer.pk
        by_orm = Identity.objects.get(pk=identity.pk)
        for field in Identity._meta.concrete_fields:
            assert getattr(by_orm, field.attname) == getattr(identity, field.attname), field.name


def test_writes_sent_along_with_an_insert_are_made_in_its_statement_on_postgresql(
    world: World,
) -> None:
    from lagniappe.conversations.models import Conversation, Message

    conversation = _conversation(world)
    count = conversation.message_count
    counters = rows_update_statement(
        Conversation, {"id": conversation.pk}, {"subject": "Moved"}, increments=("message_count",)
    )
    message = Message(
        conversation=conversation,
        brand=world.insurer,
        direction="in",
        channel_kind="api",
        text="Hi",
        created_at=clock.now(),
    )
    with CaptureQueriesContext(connection) as queries:
        model_insert(message, along=[counters])
    assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
    assert Message.objects.get(pk=message.pk).text == "Hi"
    conversation.refresh_from_db()
    assert (conversation.subject, conversation.message_count) == ("Moved", count + 1)
