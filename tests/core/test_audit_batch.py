"""audit_batch: the audit rows of one unit of work go in one INSERT, and only if it holds."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from lagniappe.core.actors import SYSTEM
from lagniappe.core.models import AuditEvent
from lagniappe.core.services import audit_batch, audit_record

pytestmark = pytest.mark.django_db


def _record(action: str) -> None:
    audit_record(actor=SYSTEM, action=action, object_type="thing", object_id=1)


def test_rows_of_a_batch_are_written_in_one_statement_when_it_ends() -> None:
    with CaptureQueriesContext(connection) as queries, transaction.atomic(), audit_batch():
        _record("a.one")
        _record("a.two")
        _record("a.three")
        assert AuditEvent.objects.count() == 0  # queued, not yet written
    inserts = [q for q in queries.captured_queries if "INSERT" in q["sql"].upper()]
    assert len(inserts) == 1
    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)) == [
        "a.one",
        "a.two",
        "a.three",
    ]


def test_a_nested_batch_that_raises_leaves_no_row_and_the_outer_keeps_its_own() -> None:
    with transaction.atomic(), audit_batch():
        _record("outer.before")
        try:
            with transaction.atomic(), audit_batch():
                _record("inner.rolled_back")
                raise IntegrityError("lost a race")
        except IntegrityError:
            pass
        _record("outer.after")
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {
        "outer.before",
        "outer.after",
    }


def test_a_batch_that_raises_writes_nothing() -> None:
    with pytest.raises(ValueError), transaction.atomic(), audit_batch():
        _record("never")
        raise ValueError("the unit of work failed")
    assert not AuditEvent.objects.exists()


def test_outside_a_batch_each_record_is_written_at_once() -> None:
    event = audit_record(actor=SYSTEM, action="b.now", object_type="thing", object_id=2)
    assert event.pk is not None
    assert AuditEvent.objects.filter(action="b.now").exists()
