"""Models read by hand-written SQL on the hottest paths, converted exactly as the ORM would.

Compiling a queryset costs far more than running it on a small indexed table (about 0.5 ms
of Python for a token look-up with one join, measured on the API create path). A selector
that runs on every request may write its SQL once and build its model instances here: the
columns come from the model's metadata and every value goes through the same database
converters the ORM applies (aware datetimes, booleans, JSON), so the instances are the
ones a queryset would have given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models import Model

ModelT = TypeVar("ModelT", bound=Model)
_Converter = Callable[[Any, Any, Any], Any]

# (attname, column expression, converters) per field, per database vendor and model.
_Plan = list[tuple[str, Any, list[_Converter]]]
_plans: dict[tuple[str, type[Model]], _Plan] = {}


def model_columns(model: type[Model], alias: str) -> str:
    """`alias."col", …` for every concrete column of `model`, in `model_from_row`'s order."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


def model_column_count(model: type[Model]) -> int:
    return len(model._meta.concrete_fields)


def model_from_row(model: type[ModelT], values: Sequence[Any]) -> ModelT:
    """An instance from the values of `model_columns(model, …)`, as the ORM builds it."""
    plan = _plan(model)
    converted = []
    for (_name, column, converters), value in zip(plan, values, strict=True):
        for converter in converters:
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, [name for name, _c, _v in plan], converted)


def _plan(model: type[Model]) -> _Plan:
    key = (connection.vendor, model)
    known = _plans.get(key)
    if known is None:
        known = []
        for field in model._meta.concrete_fields:
            column = field.get_col(model._meta.db_table)
            # The compiler's order: the backend's converters, then the field's own.
            converters = [
                *connection.ops.get_db_converters(column),
                *column.get_db_converters(connection),
            ]
            known.append((field.attname, column, converters))
        _plans[key] = known
    return known


def model_insert(instance: Model, *, along: Sequence[tuple[str, Sequence[Any]]] = ()) -> None:
    """Insert a new instance as `save()` would (field defaults, `auto_now`, conversions, the
    new primary key set on it), with its statement written once per model instead of
    compiled for every row. No signals are sent (the project uses none).

    `along`: writes of the same unit of work whose results nobody reads (sql, params), sent
    with the insert: on PostgreSQL as data-modifying WITH clauses of the same statement (one
    round trip to a server that shares the poller's cores), elsewhere run just before it."""
    meta = instance._meta
    if meta.parents:  # pragma: no cover - an inherited model writes several tables
        instance.save(force_insert=True)
        return
    _related_ids_settle(instance)
    fields, sql = _insert_plan(type(instance), pk_given=instance.pk is not None)
    values = _insert_values(instance, fields)
    if along and connection.vendor == "postgresql":
        clauses = ", ".join(f"w{index} AS ({write})" for index, (write, _p) in enumerate(along))
        sql = f"WITH {clauses} {sql}"
        values = [value for _write, params in along for value in params] + values
    elif along:
        with connection.cursor() as cursor:
            for write, params in along:
                cursor.execute(write, params)
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if instance.pk is None:
            if connection.features.can_return_columns_from_insert:
                new_pk = cursor.fetchone()[0]
            else:  # pragma: no cover - both our databases return it
                new_pk = connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
            column, converters = _pk_plan(type(instance))
            for converter in converters:
                new_pk = converter(new_pk, column, connection)
            setattr(instance, meta.pk.attname, new_pk)
    instance._state.adding = False
    instance._state.db = connection.alias


def model_insert_with(parent: Model, children: Sequence[tuple[Model, str]]) -> None:
    """Insert a new `parent` and new rows that refer to it, each given with the attname of
    its foreign key to `parent` (left unset): as `model_insert` each, the keys set on all.

    On PostgreSQL in ONE statement (data-modifying CTEs; each child's key is the parent's
    new id, read in the statement): the first mail of a new customer writes the customer,
    its brand link and its identity in one round trip instead of three, on a server that
    shares the poller's cores. Elsewhere one statement each (SQLite has no round trips).
    """
    if connection.vendor != "postgresql" or parent._meta.parents:
        model_insert(parent)
        for child, attname in children:
            setattr(child, attname, parent.pk)
            model_insert(child)
        return
    _related_ids_settle(parent)
    for child, _attname in children:
        _related_ids_settle(child)
    shape = (type(parent), tuple((type(child), attname) for child, attname in children))
    sql = _families.get(shape)
    if sql is None:
        sql = _families[shape] = _family_sql(*shape)
    parent_columns, _sql = _insert_plan(type(parent), pk_given=False)
    values = _insert_values(parent, parent_columns)
    for child, attname in children:
        columns, _sql = _insert_plan(type(child), pk_given=False)
        values += [
            value
            for column, value in zip(columns, _insert_values(child, columns), strict=True)
            if column.attname != attname
        ]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        new_ids = cursor.fetchone()
    for instance, new_id in zip([parent, *(c for c, _a in children)], new_ids, strict=True):
        column, converters = _pk_plan(type(instance))
        for converter in converters:
            new_id = converter(new_id, column, connection)
        setattr(instance, instance._meta.pk.attname, new_id)
        instance._state.adding = False
        instance._state.db = connection.alias
    for child, attname in children:
        setattr(child, attname, parent.pk)


# PostgreSQL statements of model_insert_with, by (parent model, ((child model, key), ...)).
_families: dict[tuple[type[Model], tuple[tuple[type[Model], str], ...]], str] = {}


def _family_sql(parent: type[Model], children: tuple[tuple[type[Model], str], ...]) -> str:
    quote = connection.ops.quote_name
    _columns, parent_sql = _insert_plan(parent, pk_given=False)
    parent_id = f"(SELECT {quote(parent._meta.pk.column)} FROM p)"  # noqa: S608
    parts = [f"p AS ({parent_sql})"]
    ids = [parent_id]
    for index, (child, attname) in enumerate(children):
        columns, _sql = _insert_plan(child, pk_given=False)
        slots = [parent_id if c.attname == attname else "%s" for c in columns]
        meta = child._meta
        parts.append(
            f"c{index} AS (INSERT INTO {quote(meta.db_table)} "  # noqa: S608
            f"({', '.join(quote(c.field.column) for c in columns)}) "
            f"VALUES ({', '.join(slots)}) RETURNING {quote(meta.pk.column)})"
        )
        ids.append(f"(SELECT {quote(meta.pk.column)} FROM c{index})")  # noqa: S608
    return f"WITH {', '.join(parts)} SELECT {', '.join(ids)}"


def models_insert(instances: Sequence[Model], *, returning_ids: bool = False) -> None:
    """Insert new instances of one model in one statement. Their primary keys are read back
    and set, in order, only if `returning_ids` (as Django's bulk_create, which relies on the
    same order of a multi-row INSERT's RETURNING); otherwise they are for rows nobody refers
    to in the same unit of work, e.g. audit rows."""
    if returning_ids and not connection.features.can_return_rows_from_bulk_insert:
        for instance in instances:  # pragma: no cover - both our databases return them
            model_insert(instance)
        return
    for start in range(0, len(instances), INSERT_BATCH_ROWS):
        _rows_insert(instances[start : start + INSERT_BATCH_ROWS], returning_ids)


# Rows per statement: well under both databases' limits on parameters (SQLite 32,766).
INSERT_BATCH_ROWS = 500


def _rows_insert(instances: Sequence[Model], returning_ids: bool) -> None:
    model = type(instances[0])
    fields, _sql = _insert_plan(model, pk_given=False)
    quote = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    names = ", ".join(quote(c.field.column) for c in fields)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({names}) "  # noqa: S608
        f"VALUES {', '.join([row] * len(instances))}"
    )
    if returning_ids:
        sql += f" RETURNING {quote(model._meta.pk.column)}"
    values: list[Any] = []
    for instance in instances:
        _related_ids_settle(instance)
        values += _insert_values(instance, fields)
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if returning_ids:
            column, converters = _pk_plan(model)
            for instance, (new_pk,) in zip(instances, cursor.fetchall(), strict=True):
                for converter in converters:
                    new_pk = converter(new_pk, column, connection)
                setattr(instance, model._meta.pk.attname, new_pk)
                instance._state.adding = False
                instance._state.db = connection.alias


# Field classes whose conversion leaves a value of this exact type as it is (Django's
# get_db_prep_save of a str for a text column, an int for an integer or a foreign key, a
# bool, None for a nullable column): skipping their call chains is most of the gain on rows
# of twenty columns. Exact classes only: a subclass may convert differently.
_AS_IS: dict[type[Any], tuple[type[Any], ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.EmailField: (str,),
    models.SlugField: (str,),
    models.IntegerField: (int,),
    models.BigIntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.PositiveBigIntegerField: (int,),
    models.BigAutoField: (int,),
    models.AutoField: (int,),
    models.ForeignKey: (int,),
    models.BooleanField: (bool,),
}


@dataclass(frozen=True)
class _Column:
    field: Any
    attname: str
    pre_save: bool  # the field computes its value on save (auto_now, a file): ask it
    as_is: tuple[type[Any], ...]  # value types stored unconverted (see _AS_IS)
    aware_datetime: bool  # a plain DateTimeField: an aware value only needs the adapter


def _insert_values(instance: Model, columns: list[_Column]) -> list[Any]:
    values = []
    adapt_datetime = connection.ops.adapt_datetimefield_value
    for column in columns:
        field = column.field
        if column.pre_save:
            value = field.pre_save(instance, True)
        else:
            value = getattr(instance, column.attname)
        kind = type(value)
        if kind in column.as_is or (value is None and column.as_is and field.null):
            pass
        elif column.aware_datetime and kind is datetime and value.tzinfo is not None:
            value = adapt_datetime(value)
        else:
            value = field.get_db_prep_save(value, connection)
        values.append(value)
    return values


def _column_of(field: Any) -> _Column:
    computes = type(field).pre_save is not models.Field.pre_save
    if isinstance(field, models.DateField) and not (field.auto_now or field.auto_now_add):
        computes = False  # DateField.pre_save only fills auto_now(_add)
    return _Column(
        field=field,
        attname=field.attname,
        pre_save=computes,
        as_is=_AS_IS.get(type(field), ()),
        aware_datetime=type(field) is models.DateTimeField,
    )


_inserts: dict[tuple[str, type[Model], bool], tuple[list[_Column], str]] = {}


def _insert_plan(model: type[Model], *, pk_given: bool) -> tuple[list[_Column], str]:
    key = (connection.vendor, model, pk_given)
    known = _inserts.get(key)
    if known is None:
        meta = model._meta
        fields = [
            field
            for field in meta.local_concrete_fields
            if (pk_given or field is not meta.auto_field) and not field.generated
        ]
        quote = connection.ops.quote_name
        sql = (
            f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608
            f"({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        if not pk_given and connection.features.can_return_columns_from_insert:
            sql += f" RETURNING {quote(meta.pk.column)}"
        known = ([_column_of(field) for field in fields], sql)
        _inserts[key] = known
    return known


def _pk_plan(model: type[Model]) -> tuple[Any, list[_Converter]]:
    known = _pk_plans.get((connection.vendor, model))
    if known is None:
        attname = model._meta.pk.attname
        known = next((column, conv) for name, column, conv in _plan(model) if name == attname)
        _pk_plans[(connection.vendor, model)] = known
    return known


_pk_plans: dict[tuple[str, type[Model]], tuple[Any, list[_Converter]]] = {}


def prefetched_set(instance: Model, relation: str, items: Sequence[Model]) -> None:
    """Give `instance` the cache Django's prefetch_related would for `relation` (all of its
    related rows are `items`), so reading `instance.<relation>.all()` next asks nothing."""
    related = getattr(instance, relation).all()
    related._result_cache = list(items)
    related._prefetch_done = True
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[relation] = related


def _related_ids_settle(instance: Model) -> None:
    # What save() checks first: a related object assigned unsaved, or saved since (its id).
    instance._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
