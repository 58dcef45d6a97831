"""Batch mode: the ``impl`` behind ``op.batch_alter_table(...)``.

Inside a batch block every directive reaches ``BatchOperationsImpl`` as the same
Impl-style call it would make on the real Impl (``add_column``,
``alter_column``, ``drop_constraint`` ...). The calls are recorded; ``flush()``
at the end of the block either

* passes them on to the real Impl as ordinary ALTER statements
  (``recreate="never"``, or ``"auto"`` when the dialect can ALTER everything
  asked for: ``impl.requires_recreate_in_batch(self)`` is False), or
* moves and copies the table (``recreate="always"``, or ``"auto"`` when the
  dialect can't, e.g. SQLite changing a column type): see ``batch_apply``.

The table to copy comes from reflection (online) or from ``copy_from`` (needed
offline, where there is no database to reflect).
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import TextClause

from engine.errors import CommandError
from engine.operations.batch_apply import TableRebuild
from engine.operations.batch_plans import BatchError, ColumnPlan, ConstraintPlan

__all__ = ["BatchError", "BatchOperationsImpl", "TableRebuild", "move_and_copy"]

RECREATE_CHOICES = ("auto", "always", "never")

# One recorded Impl call: (method name, positional args, keyword args).
Call = tuple[str, tuple[Any, ...], dict[str, Any]]

# Keyword arguments only the move-and-copy understands; ALTER never sees them.
_PLACEMENT_KW = ("insert_before", "insert_after")


class BatchOperationsImpl:
    """Records a batch block's Impl calls and applies them in ``flush()``."""

    def __init__(
        self,
        operations: Any,
        table_name: str,
        schema: str | None,
        recreate: str,
        copy_from: sa.Table | None,
        table_args: Sequence[Any],
        table_kwargs: Mapping[str, Any] | None,
        reflect_args: Sequence[Any],
        reflect_kwargs: Mapping[str, Any] | None,
        naming_convention: Mapping[str, str] | None,
        partial_reordering: Sequence[Sequence[str]] | None,
    ) -> None:
        if recreate not in RECREATE_CHOICES:
            raise CommandError(
                f"recreate may be one of 'auto', 'always', or 'never', not {recreate!r}"
            )
        self.operations = operations
        self.table_name = table_name
        self.schema = schema
        self.recreate = recreate
        self.copy_from = copy_from
        self.table_args = tuple(table_args or ())
        self.table_kwargs = dict(table_kwargs or {})
        self.reflect_args = tuple(reflect_args or ())
        self.reflect_kwargs = dict(reflect_kwargs or {})
        self.naming_convention = dict(naming_convention) if naming_convention else None
        self.partial_reordering = [tuple(p) for p in (partial_reordering or ())]
        # (method name, args, kwargs) for every call, in order.
        self.batch: list[Call] = []

    # -- where things go ----------------------------------------------------

    @property
    def impl(self) -> Any:
        """The real Impl of the migration context."""
        return self.operations.impl

    @property
    def dialect(self) -> Any:
        return self.impl.dialect

    def _should_recreate(self) -> bool:
        if self.recreate == "always":
            return True
        if self.recreate == "never":
            return False
        return bool(self.impl.requires_recreate_in_batch(self))

    # -- recording -------------------------------------------------------------

    def _record(self, method: str, /, *args: Any, **kw: Any) -> None:
        self.batch.append((method, args, kw))

    def add_column(self, table_name: str, column: sa.Column[Any], **kw: Any) -> None:
        if (kw.get("insert_before") or kw.get("insert_after")) and not self._should_recreate():
            raise CommandError(
                "Can't specify insert_before or insert_after when using ALTER; "
                "please specify recreate='always'",
                hint="Column placement needs the move-and-copy of the whole table.",
            )
        self._record("add_column", table_name, column, **kw)

    def drop_column(self, table_name: str, column: Any, **kw: Any) -> None:
        self._record("drop_column", table_name, column, **kw)

    def alter_column(self, table_name: str, column_name: str, **kw: Any) -> None:
        self._record("alter_column", table_name, column_name, **kw)

    def add_constraint(self, const: sa.Constraint, **kw: Any) -> None:
        self._record("add_constraint", const, **kw)

    def drop_constraint(self, const: sa.Constraint, **kw: Any) -> None:
        self._record("drop_constraint", const, **kw)

    def create_index(self, idx: sa.Index, **kw: Any) -> None:
        self._record("create_index", idx, **kw)

    def drop_index(self, idx: sa.Index, **kw: Any) -> None:
        self._record("drop_index", idx, **kw)

    def rename_table(self, *args: Any, **kw: Any) -> None:
        self._record("rename_table", *args, **kw)

    def create_table_comment(self, table: sa.Table) -> None:
        self._record("create_table_comment", table)

    def drop_table_comment(self, table: sa.Table) -> None:
        self._record("drop_table_comment", table)

    def create_column_comment(self, column: sa.Column[Any]) -> None:
        self._record("create_column_comment", column)

    def create_table(self, table: sa.Table, **kw: Any) -> None:
        raise CommandError("create_table is not available inside a batch block")

    def drop_table(self, table: sa.Table, **kw: Any) -> None:
        raise CommandError("drop_table is not available inside a batch block")

    # -- applying --------------------------------------------------------------

    def flush(self) -> None:
        """Apply everything recorded: as ALTERs, or by moving and copying the table."""
        calls, self.batch = self.batch, []
        if not self._should_recreate_for(calls):
            for name, args, kw in calls:
                kw = {k: v for k, v in kw.items() if k not in _PLACEMENT_KW}
                getattr(self.impl, name)(*args, **kw)
            return
        rebuild = TableRebuild(
            self._source_table(),
            table_args=self.table_args,
            table_kwargs=self.table_kwargs,
            reflected=self.copy_from is None,
            partial_reordering=self.partial_reordering,
        )
        if self.copy_from is None and self.dialect.name == "sqlite":
            _add_sqlite_details(rebuild, self.impl.bind)
        if self.copy_from is not None and self.reflect_args:
            # What reflection would have taken from reflect_args, copy_from takes here.
            rebuild.override_columns(self.reflect_args)
        for name, args, kw in calls:
            getattr(rebuild, name)(*args, **kw)
        move_and_copy(rebuild, self.impl)

    def _should_recreate_for(self, calls: list[Call]) -> bool:
        """The dialect's answer for these calls (it reads ``self.batch``)."""
        saved, self.batch = self.batch, calls
        try:
            return self._should_recreate()
        finally:
            self.batch = saved

    def _source_table(self) -> sa.Table:
        if self.copy_from is not None:
            return self._from_copy(self.copy_from)
        bind = getattr(self.impl, "bind", None)
        if bind is None or getattr(self.impl, "as_sql", False):
            raise CommandError(
                f"This operation cannot proceed in --sql mode; batch mode with dialect "
                f"{self.dialect.name} requires a live database connection with which to "
                f"reflect the table {self.table_name!r}.",
                hint="Pass the table's structure with batch_alter_table(copy_from=Table(...)).",
            )
        metadata = sa.MetaData(naming_convention=self.naming_convention or {})
        try:
            with warnings.catch_warnings():
                # Expression indexes SQLite reflection skips are carried as SQL instead.
                warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
                return sa.Table(
                    self.table_name,
                    metadata,
                    *self.reflect_args,
                    schema=self.schema,
                    autoload_with=bind,
                    **self.reflect_kwargs,
                )
        except sa.exc.NoSuchTableError as err:
            where = f"{self.schema}.{self.table_name}" if self.schema else self.table_name
            raise CommandError(
                f"Table {where!r} does not exist, so batch mode can't copy it"
            ) from err

    def _from_copy(self, table: sa.Table) -> sa.Table:
        if not self.naming_convention:
            return table
        # Unnamed constraints get the convention's names, on a private copy.
        return table.to_metadata(sa.MetaData(naming_convention=self.naming_convention))


# -- move and copy: a finished TableRebuild as DDL ----------------------------


def move_and_copy(rebuild: TableRebuild, impl: Any) -> None:
    """Create ``_alembic_tmp_<name>``, copy the rows, drop the old table, rename the
    new one, create the indexes: all through the real Impl (online or offline)."""
    rebuild.finalise()  # so named_constraints is final when the dialect prepares
    impl.prep_table_for_batch(rebuild, rebuild.table)
    new_table = build_new_table(rebuild)
    impl.create_table(new_table)
    try:
        copy = copy_statement(rebuild, new_table, impl)
        if copy is not None:
            impl._exec(copy)
    except BaseException:
        if not impl.as_sql:
            # Where DDL isn't transactional, leave no temporary table behind;
            # the copy's own error is the one to report.
            with contextlib.suppress(Exception):
                impl.drop_table(new_table)
        raise
    impl.drop_table(rebuild.table)
    impl.rename_table(rebuild.temp_name(), rebuild.new_name, schema=rebuild.schema)
    for index, kw in final_indexes(rebuild, impl):
        impl.create_index(index, **kw)
    for sql in rebuild.raw_objects.values():
        impl.execute(sql)


def _add_sqlite_details(rebuild: TableRebuild, bind: Any) -> None:
    """What SQLAlchemy's SQLite reflection leaves out, read from ``sqlite_master``:
    ``AUTOINCREMENT`` on the primary key; expression indexes and triggers, which
    DROP TABLE takes along, kept as SQL to run again."""
    prep = bind.dialect.identifier_preparer
    master = (
        f"{prep.quote_schema(rebuild.schema)}.sqlite_master"
        if rebuild.schema
        else ("sqlite_master")
    )
    rows = bind.execute(
        sa.text(f"SELECT type, name, sql FROM {master} WHERE tbl_name = :t AND sql IS NOT NULL"),
        {"t": rebuild.table.name},
    ).all()
    known = {plan.name for plan in rebuild.indexes}
    for kind, name, sql in rows:
        if kind == "table" and re.search(r"\bAUTOINCREMENT\b", sql, re.IGNORECASE):
            rebuild.table_kwargs.setdefault("sqlite_autoincrement", True)
        elif kind in ("index", "trigger") and name not in known:
            rebuild.raw_objects[name] = sql


def build_new_table(rebuild: TableRebuild) -> sa.Table:
    """The ``_alembic_tmp_<name>`` Table, in a MetaData of its own with stub tables
    for its foreign keys' targets."""
    metadata = sa.MetaData()
    columns = rebuild.finalise()
    constraints = [_constraint_for(rebuild, plan, metadata) for plan in rebuild.constraints]
    kwargs = {
        f"{dialect}_{key}": value
        for dialect, options in rebuild.table.dialect_options.items()
        for key, value in options._non_defaults.items()
    }
    kwargs.update(rebuild.table_kwargs)
    if rebuild.comment is not None and "comment" not in kwargs:
        kwargs["comment"] = rebuild.comment
    return sa.Table(
        rebuild.temp_name(),
        metadata,
        *[p.column for p in columns],
        *constraints,
        *rebuild.table_args,
        schema=rebuild.schema,
        **kwargs,
    )


def _constraint_for(rebuild: TableRebuild, plan: ConstraintPlan, metadata: sa.MetaData) -> Any:
    const = plan.original
    common: dict[str, Any] = {"name": plan.name}
    for attr in ("deferrable", "initially"):
        value = getattr(const, attr, None)
        if value is not None:
            common[attr] = value
    common.update(dict(const.dialect_kwargs))
    names = [c.name for c in plan.columns]
    if plan.kind == "pk":
        return sa.PrimaryKeyConstraint(*names, **common)
    if plan.kind == "unique":
        return sa.UniqueConstraint(*names, **common)
    if plan.kind == "check":
        return sa.CheckConstraint(_check_text(const), **common)
    assert plan.referent is not None
    schema, ref_table, ref_cols = plan.referent
    if plan.self_ref is not None:
        # Points at the table's final name, not at _alembic_tmp_: right once renamed.
        ref_table, schema = rebuild.new_name, rebuild.schema
        ref_cols = [c.name for c in plan.self_ref]
    stub = _referent_stub(metadata, schema, ref_table, ref_cols)
    for attr in ("onupdate", "ondelete", "match", "use_alter"):
        value = getattr(const, attr, None)
        if value:
            common[attr] = value
    return sa.ForeignKeyConstraint(names, [stub.c[c] for c in ref_cols], **common)


def copy_statement(rebuild: TableRebuild, new_table: sa.Table, impl: Any = None) -> Any:
    """``INSERT INTO tmp (cols) SELECT cols FROM old`` for the surviving columns.

    A column whose type was altered is cast when its type family changes
    (Integer -> String, Boolean -> Integer; not Integer -> BigInteger); the
    dialect's ``cast_for_batch_migrate`` hook decides when there is one.
    """
    old = {c.name: c for c in rebuild.table.columns}
    targets: list[str] = []
    sources: list[Any] = []
    for plan in rebuild.ordered_columns():
        if plan.source is None or isinstance(plan.column.server_default, sa.Computed):
            continue
        src = old[plan.source]
        targets.append(plan.name)
        expr: Any = _cast_for_copy(impl, src, plan.column.type) if plan.cast else src
        sources.append(expr if expr is src else expr.label(plan.name))
    if not targets:
        return None
    return new_table.insert().from_select(targets, sa.select(*sources))


def final_indexes(rebuild: TableRebuild, impl: Any = None) -> list[tuple[sa.Index, dict[str, Any]]]:
    """The indexes to create on the renamed table, with their create_index kwargs."""
    final = sa.Table(
        rebuild.new_name,
        sa.MetaData(),
        *[sa.Column(p.name, p.column.type) for p in rebuild.ordered_columns()],
        schema=rebuild.schema,
    )
    implicit = _indexes_made_by_foreign_keys(rebuild, impl)
    result = []
    for plan in rebuild.indexes:
        elements = [final.c[e.name] if isinstance(e, ColumnPlan) else e for e in plan.elements]
        if (plan.name, tuple(elements)) in implicit:
            continue
        index = sa.Index(plan.name, *elements, unique=plan.unique, **plan.dialect_kwargs)
        if index.table is None:
            index._set_parent(final)
        result.append((index, plan.create_kw))
    return result


def _indexes_made_by_foreign_keys(rebuild: TableRebuild, impl: Any) -> set[tuple[Any, ...]]:
    """MySQL/MariaDB give every FOREIGN KEY an index of its name; reflection shows it
    as an ordinary index, which then must not be created a second time."""
    dialect = getattr(getattr(impl, "dialect", None), "name", "")
    if dialect not in ("mysql", "mariadb"):
        return set()
    return {
        (p.name, tuple(c.name for c in p.columns))
        for p in rebuild.constraints
        if p.kind == "fk" and p.name
    }


def _cast_for_copy(impl: Any, src: sa.Column[Any], new_type: Any) -> Any:
    hook = getattr(impl, "cast_for_batch_migrate", None)
    if hook is not None:
        transfer: dict[str, Any] = {"expr": src}
        hook(src, transfer, new_type)
        return transfer["expr"]
    if _type_family(src.type) is not _type_family(new_type):
        return sa.cast(src, new_type)
    return src


def _type_family(type_: Any) -> Any:
    return getattr(type_, "_type_affinity", None) or type(type_)


def _check_text(const: Any) -> Any:
    sqltext = const.sqltext
    if isinstance(sqltext, TextClause):
        return sa.text(sqltext.text)
    # An expression built from Columns: render it with bare column names so it
    # reads right against the new table.
    kw = {"literal_binds": True, "include_table": False}
    return sa.text(str(sqltext.compile(compile_kwargs=kw)))


def _referent_stub(
    metadata: sa.MetaData, schema: str | None, name: str, columns: Sequence[str]
) -> sa.Table:
    """A placeholder Table the new table's FOREIGN KEY can point at while compiling."""
    key = f"{schema}.{name}" if schema else name
    table = metadata.tables.get(key)
    if table is None:
        table = sa.Table(name, metadata, schema=schema)
    for col in columns:
        if col not in table.c:
            table.append_column(sa.Column(col, sa.types.NULLTYPE))
    return table
