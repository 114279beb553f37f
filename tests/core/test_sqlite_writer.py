"""The embedded SQLite backend queues a process's writers on one lock, and always lets go."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from lagniappe.core.actors import SYSTEM
from lagniappe.core.models import AuditEvent
from lagniappe.core.services import audit_record

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the writer lock is the SQLite backend's"
)


def _writer():  # type: ignore[no-untyped-def]
    from lagniappe.core.sqlite import base

    return base._WRITER


def _audit(label: str) -> None:
    audit_record(actor=SYSTEM, action="test.write", object_type="test", object_id=label)


@pytest.mark.django_db(transaction=True)
def test_a_transaction_holds_the_writer_lock_until_it_commits() -> None:
    with transaction.atomic():
        _audit("a")
        assert _writer().locked()
    assert not _writer().locked()
    assert AuditEvent.objects.filter(object_id="a").exists()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_lets_go_of_the_lock() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        _audit("b")
        raise RuntimeError("changed my mind")
    assert not _writer().locked()
    assert not AuditEvent.objects.filter(object_id="b").exists()


@pytest.mark.django_db(transaction=True)
def test_threads_writing_at_once_all_land() -> None:
    errors: list[BaseException] = []

    def write(thread: int) -> None:
        try:
            for index in range(20):
                with transaction.atomic():
                    _audit(f"t{thread}-{index}")
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert AuditEvent.objects.filter(action="test.write").count() == 80
    assert not _writer().locked()
