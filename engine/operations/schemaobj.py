"""Build SQLAlchemy schema objects (Table, Column, Index, constraints) from names.

Directives speak in names (``create_unique_constraint("uq", "t", ["a"])``); the DDL
layer speaks SQLAlchemy. ``SchemaObjects`` turns the one into the other on a
throwaway ``MetaData``, using the naming convention of the migration's
``target_metadata`` when there is one, so ``name=None`` or ``op.f(...)`` names come
out as the project's models would name them.

Only SQLAlchemy is needed here; the migration context is read duck-typed
(``.opts["target_metadata"]``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import schema as sa_schema
from sqlalchemy import types as sqltypes
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import ColumnClause, ColumnElement, TextClause

from engine.errors import CommandError
from engine.operations.referents import ReferentMetaData, named_target, table_key

NULLTYPE = sqltypes.NULLTYPE

#: ``drop_constraint(type_=...)`` values and what each builds.
CONSTRAINT_TYPES = ("check", "foreignkey", "primary", "unique", None)


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


class SchemaObjects:
    def __init__(self, migration_context: Any = None) -> None:
        self.migration_context = migration_context

    # -- metadata ----------------------------------------------------------

    def naming_convention(self) -> dict[str, Any] | None:
        opts = getattr(self.migration_context, "opts", None) or {}
        target = opts.get("target_metadata")
        return getattr(target, "naming_convention", None)

    def metadata(self) -> sa_schema.MetaData:
        convention = self.naming_convention()
        if convention:
            return ReferentMetaData(naming_convention=convention)
        return ReferentMetaData()

    # -- tables and columns --------------------------------------------------

    def column(self, name: str, type_: Any, **kw: Any) -> sa_schema.Column[Any]:
        return sa_schema.Column(name, type_, **kw)

    def _table_with_columns(
        self,
        metadata: sa_schema.MetaData,
        name: str,
        column_names: Iterable[str],
        schema: str | None,
    ) -> sa_schema.Table:
        cols = [sa_schema.Column(n, NULLTYPE) for n in _unique(column_names)]
        return sa_schema.Table(name, metadata, *cols, schema=schema)

    def table(
        self, name: str, *items: Any, constraints_included: bool = False, **kw: Any
    ) -> sa_schema.Table:
        """A Table with ``items`` (Columns, Constraints, Indexes) on a fresh MetaData.

        Items that already belong to another table are copied. With
        ``constraints_included`` (tables rebuilt from a reflected or model Table) the
        columns' ``unique=`` / ``index=`` flags are ignored, because their constraints
        and indexes are among ``items`` already. Foreign keys resolve against
        placeholder referent tables, made when first looked up.
        """
        kw.pop("_constraints_included", None)
        kw.pop("_namespace_metadata", None)
        metadata = self.metadata()
        columns = []
        for item in items:
            if isinstance(item, sa_schema.Column):
                col = item._copy() if item.table is not None else item
                if constraints_included:
                    col.unique = False
                    col.index = False
                columns.append(col)
        table = sa_schema.Table(name, metadata, *columns, **kw)
        for item in items:
            if isinstance(item, sa_schema.Index):
                self._attach_index(table, item)
            elif isinstance(item, sa_schema.Constraint):
                parent = getattr(item, "parent", None)
                if parent is not None and parent is not table:
                    item = item._copy(target_table=table)
                table.append_constraint(item)
        for fk in table.foreign_keys:
            self._ensure_referent(metadata, fk)
        return table

    def _attach_index(self, table: sa_schema.Table, index: sa_schema.Index) -> None:
        if index.table is None:
            table.append_constraint(index)
        elif index.table is not table:
            sa_schema.Index(
                index.name,
                *[self._expression_on(table, e) for e in index.expressions],
                unique=index.unique,
                _table=table,
                **index.kwargs,
            )

    def _ensure_referent(self, metadata: sa_schema.MetaData, fk: sa_schema.ForeignKey) -> None:
        """Give a foreign key's referent the column it names when the referent is a
        table of this MetaData already (the table itself, for a self-referencing
        key), as Alembic does; a referent it does not hold is added when first
        looked up (engine/operations/referents.py)."""
        target = named_target(fk)
        if target is None:
            return  # a Column object: resolves to itself
        schema, name, column = target
        if column is None:  # ForeignKey("parent"): the local column's key
            column = fk.parent.key
        referent = metadata.tables.get(table_key(schema, name))
        if referent is not None and column not in referent.c:
            referent.append_column(sa_schema.Column(column, NULLTYPE))

    # -- indexes -----------------------------------------------------------

    def _expression_on(self, table: sa_schema.Table, expr: Any) -> Any:
        """``expr`` as an index element of ``table``: names become columns of the
        table; column references inside expressions are re-pointed at it."""
        if isinstance(expr, str):
            return self._column_of(table, expr)
        if isinstance(expr, TextClause):
            return expr
        if isinstance(expr, ColumnClause) and expr.is_literal:
            return expr  # sa.literal_column("lower(name)"): SQL as written, never a name
        if isinstance(expr, ColumnClause) and not isinstance(expr, sa_schema.Column):
            return self._column_of(table, expr.name)
        if isinstance(expr, sa_schema.Column):
            return self._column_of(table, expr.name)
        if isinstance(expr, ColumnElement):

            def repoint(element: Any) -> Any:
                if isinstance(element, ColumnClause) and not isinstance(element, TextClause):
                    if getattr(element, "is_literal", False):
                        return None
                    return self._column_of(table, element.name)
                return None

            return visitors.replacement_traverse(expr, {}, repoint)
        return expr

    @staticmethod
    def _column_of(table: sa_schema.Table, name: str) -> sa_schema.Column[Any]:
        if name not in table.c:
            table.append_column(sa_schema.Column(name, NULLTYPE))
        return table.c[name]

    def index(
        self,
        name: str | None,
        tablename: str | None,
        columns: Sequence[Any],
        schema: str | None = None,
        **kw: Any,
    ) -> sa_schema.Index:
        table = sa_schema.Table(tablename or "no_table", self.metadata(), schema=schema)
        elements = [self._expression_on(table, c) for c in columns]
        # covering-index columns (``postgresql_include=["c"]``) are looked up on the table
        for key in ("postgresql_include", "mssql_include"):
            for included in kw.get(key) or ():
                if isinstance(included, str):
                    self._column_of(table, included)
        return sa_schema.Index(name, *elements, _table=table, **kw)

    # -- constraints -------------------------------------------------------

    def primary_key_constraint(
        self,
        name: str | None,
        table_name: str,
        cols: Sequence[str],
        schema: str | None = None,
        **dialect_kw: Any,
    ) -> sa_schema.PrimaryKeyConstraint:
        table = self._table_with_columns(self.metadata(), table_name, cols, schema)
        pk = sa_schema.PrimaryKeyConstraint(*[table.c[n] for n in cols], name=name, **dialect_kw)
        table.append_constraint(pk)
        return pk

    def foreign_key_constraint(
        self,
        name: str | None,
        source: str,
        referent: str,
        local_cols: Sequence[str],
        remote_cols: Sequence[str],
        onupdate: str | None = None,
        ondelete: str | None = None,
        deferrable: bool | None = None,
        source_schema: str | None = None,
        referent_schema: str | None = None,
        initially: str | None = None,
        match: str | None = None,
        **dialect_kw: Any,
    ) -> sa_schema.ForeignKeyConstraint:
        metadata = self.metadata()
        same_table = source == referent and source_schema == referent_schema
        source_cols = list(local_cols) + (list(remote_cols) if same_table else [])
        source_table = self._table_with_columns(metadata, source, source_cols, source_schema)
        if same_table:
            referent_table = source_table
        else:
            referent_table = self._table_with_columns(
                metadata, referent, remote_cols, referent_schema
            )
        fk = sa_schema.ForeignKeyConstraint(
            list(local_cols),
            [referent_table.c[n] for n in remote_cols],
            name=name,
            onupdate=onupdate,
            ondelete=ondelete,
            deferrable=deferrable,
            initially=initially,
            match=match,
            **dialect_kw,
        )
        source_table.append_constraint(fk)
        return fk

    def unique_constraint(
        self,
        name: str | None,
        source: str,
        local_cols: Sequence[str],
        schema: str | None = None,
        **kw: Any,
    ) -> sa_schema.UniqueConstraint:
        table = self._table_with_columns(self.metadata(), source, local_cols, schema)
        uq = sa_schema.UniqueConstraint(*[table.c[n] for n in local_cols], name=name, **kw)
        table.append_constraint(uq)
        return uq

    def check_constraint(
        self,
        name: str | None,
        source: str,
        condition: Any,
        schema: str | None = None,
        **kw: Any,
    ) -> sa_schema.CheckConstraint:
        table = sa_schema.Table(
            source, self.metadata(), sa_schema.Column("x", sqltypes.Integer), schema=schema
        )
        ck = sa_schema.CheckConstraint(condition, name=name, **kw)
        table.append_constraint(ck)
        return ck

    def generic_constraint(
        self, name: str | None, table_name: str, type_: str | None, schema: str | None = None
    ) -> sa_schema.Constraint:
        """A constraint of the right kind to DROP by name (``drop_constraint``)."""
        table = self.table(table_name, schema=schema)
        const: sa_schema.Constraint
        if type_ == "foreignkey":
            const = sa_schema.ForeignKeyConstraint([], [], name=name)
        elif type_ == "primary":
            const = sa_schema.PrimaryKeyConstraint(name=name)
        elif type_ == "unique":
            const = sa_schema.UniqueConstraint(name=name)
        elif type_ == "check":
            const = sa_schema.CheckConstraint("", name=name)
        elif type_ is None:
            const = sa_schema.Constraint(name=name)
        else:
            allowed = ", ".join(repr(t) for t in CONSTRAINT_TYPES)
            raise CommandError(
                f"drop_constraint type_ {type_!r} is not one of {allowed}",
                hint="Pass type_='foreignkey', 'primary', 'unique' or 'check' (or omit it).",
            )
        table.append_constraint(const)
        return const

    def exclude_constraint(
        self,
        name: str | None,
        table_name: str,
        elements: Sequence[tuple[Any, str]],
        schema: str | None = None,
        where: Any = None,
        **kw: Any,
    ) -> Any:
        from sqlalchemy.dialects.postgresql import ExcludeConstraint

        table = self.table(table_name, schema=schema)
        for expr, _operator in elements:
            if isinstance(expr, str):
                self._column_of(table, expr)
        excl = ExcludeConstraint(*elements, name=name, where=where, **kw)
        table.append_constraint(excl)
        return excl
