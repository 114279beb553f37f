"""UPDATE statements written once per shape, for the hottest paths (see core.raw_rows).

The ORM compiles `filter(...).update(...)` anew on every call; these build the statement
once per (model, filtered columns, set columns) and convert each value as the ORM would.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Field, Model


def rows_update(
    model: type[Model],
    where: dict[str, Any],
    values: dict[str, Any],
    increments: Sequence[str] = (),
) -> int:
    """`model.objects.filter(**where).update(**values)` for plain equality filters and plain
    values, plus `F(name) + 1` for each of `increments` (counted in the database, so two
    concurrent updates both count), its statement written once per shape; returns the
    number of rows changed."""
    sql, params = rows_update_statement(model, where, values, increments)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def rows_update_statement(
    model: type[Model],
    where: dict[str, Any],
    values: dict[str, Any],
    increments: Sequence[str] = (),
) -> tuple[str, list[Any]]:
    """`rows_update`'s statement and parameters, for a caller that sends it along with
    another (`model_insert(..., along=...)`)."""
    key = (connection.vendor, model, tuple(where), tuple(values), tuple(increments))
    sql = _updates.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        columns = [quote(_field(model, n).column) for n in increments]
        assignments = ", ".join(
            [f"{quote(_field(model, n).column)} = %s" for n in values]
            + [f"{column} = {column} + 1" for column in columns]
        )
        conditions = " AND ".join(f"{quote(_field(model, n).column)} = %s" for n in where)
        sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {conditions}"  # noqa: S608
        _updates[key] = sql
    params = [_field(model, n).get_db_prep_save(v, connection) for n, v in values.items()]
    params += [_field(model, n).get_db_prep_value(v, connection) for n, v in where.items()]
    return sql, params


_updates: dict[tuple[str, type[Model], tuple[str, ...], tuple[str, ...], tuple[str, ...]], str] = {}


def rows_update_each(
    model: type[Model],
    rows: dict[Any, dict[str, Any]],
    values: dict[str, Any],
    increments: Sequence[str] = (),
) -> int:
    """Update several rows by primary key in one statement: `values` and `increments` as
    `rows_update` for every row, and each row's own values (`rows[pk]`, the same names for
    every row) through `CASE pk WHEN … THEN … END`. Returns the number of rows changed."""
    if not rows:
        return 0
    pk = model._meta.pk
    quote = connection.ops.quote_name
    own = list(next(iter(rows.values())))
    pk_params = [pk.get_db_prep_value(key, connection) for key in rows]
    when = " ".join(["WHEN %s THEN %s"] * len(rows))
    assignments = [f"{quote(_field(model, n).column)} = %s" for n in values]
    assignments += [
        f"{quote(_field(model, n).column)} = CASE {quote(pk.column)} {when} END" for n in own
    ]
    assignments += [
        f"{quote(_field(model, n).column)} = {quote(_field(model, n).column)} + 1"
        for n in increments
    ]
    params = [_field(model, n).get_db_prep_save(v, connection) for n, v in values.items()]
    for name in own:
        field = _field(model, name)
        for key, row_pk in zip(rows, pk_params, strict=True):
            params += [row_pk, field.get_db_prep_save(rows[key][name], connection)]
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {', '.join(assignments)} "  # noqa: S608
        f"WHERE {quote(pk.column)} IN ({', '.join(['%s'] * len(rows))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *pk_params])
        return int(cursor.rowcount)


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field
