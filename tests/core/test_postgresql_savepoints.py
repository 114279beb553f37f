"""PostgreSQL: a savepoint's release waits for the next SAVEPOINT (one round trip for both),
and every rollback and commit still keeps and drops exactly what Django's atomic promises."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import IntegrityError, connection, transaction

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's deferred savepoint release"
)


class _Boom(Exception):
    pass


@pytest.fixture
def probe() -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS savepoint_probe (v int PRIMARY KEY)")
        cursor.execute("DELETE FROM savepoint_probe")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS savepoint_probe")


def _insert(value: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO savepoint_probe (v) VALUES (%s)", [value])


def _values() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT v FROM savepoint_probe ORDER BY v")
        return [row[0] for row in cursor.fetchall()]


def _statements() -> tuple[list[str], object]:
    sent: list[str] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        sent.append(sql.split(" ")[0] if "SAVEPOINT" not in sql else sql)
        return execute(sql, params, many, context)

    return sent, connection.execute_wrapper(record)


@pytest.mark.django_db
def test_a_release_goes_with_the_next_savepoint_in_one_statement(probe):
    sent, wrapper = _statements()
    with wrapper, transaction.atomic():
        for value in (1, 2, 3):
            with transaction.atomic():
                _insert(value)
    savepoints = [sql for sql in sent if "SAVEPOINT" in sql]
    # The test's own transaction is the outermost block: the loop's block and each
    # message-like block below it open savepoints.
    first, *others = savepoints[1:]
    assert first.startswith("SAVEPOINT ")
    assert [sql.split(";")[0].split(" ")[0] for sql in others] == ["RELEASE", "RELEASE"]
    assert all("; SAVEPOINT " in sql for sql in others)
    assert _values() == [1, 2, 3]


@pytest.mark.django_db
def test_a_failed_block_rolls_back_alone_after_a_pending_release(probe):
    with transaction.atomic():
        with transaction.atomic():
            _insert(1)  # released, pending
        with pytest.raises(IntegrityError), transaction.atomic():
            _insert(2)
            _insert(2)
        with transaction.atomic():
            _insert(3)
    assert _values() == [1, 3]


@pytest.mark.django_db
def test_rolling_back_an_enclosing_block_drops_the_released_inner_ones(probe):
    with pytest.raises(_Boom), transaction.atomic():
        _insert(1)
        with transaction.atomic():
            _insert(2)
        with transaction.atomic():
            _insert(3)
        raise _Boom
    assert _values() == []
    with transaction.atomic():
        _insert(4)  # the connection is usable: nothing pending refers to a lost savepoint
    assert _values() == [4]


@pytest.mark.django_db
def test_a_statement_failing_after_a_pending_release_rolls_back_to_its_own_block(probe):
    with transaction.atomic():
        _insert(1)
        with pytest.raises(IntegrityError), transaction.atomic():
            with transaction.atomic():
                _insert(2)  # released, pending while the next statement runs
            _insert(1)  # fails inside the pending savepoint's subtransaction
        _insert(5)
    assert _values() == [1, 5]


@pytest.mark.django_db
def test_the_manual_savepoint_api_keeps_its_meaning(probe):
    with transaction.atomic():
        first = transaction.savepoint()
        _insert(1)
        transaction.savepoint_commit(first)
        second = transaction.savepoint()
        _insert(2)
        transaction.savepoint_rollback(second)
        third = transaction.savepoint()
        _insert(3)
        fourth = transaction.savepoint()
        _insert(4)
        transaction.savepoint_commit(fourth)
        transaction.savepoint_commit(third)
    assert _values() == [1, 3, 4]


@pytest.mark.django_db(transaction=True)
def test_a_pending_release_commits_with_the_transaction(probe):
    with transaction.atomic(), transaction.atomic():
        _insert(7)
        # The inner block's release is pending when the transaction commits.
    assert connection._release_pending is None  # type: ignore[attr-defined]
    with transaction.atomic():
        with transaction.atomic():
            _insert(8)
        transaction.set_rollback(True)
    assert connection._release_pending is None  # type: ignore[attr-defined]
    assert _values() == [7]


@pytest.mark.django_db
def test_many_blocks_in_one_transaction_each_keep_their_rows(probe):
    with transaction.atomic():
        for value in range(200):
            try:
                with transaction.atomic():
                    _insert(value)
                    if value % 7 == 0:
                        raise _Boom
            except _Boom:
                pass
    assert _values() == [value for value in range(200) if value % 7]
