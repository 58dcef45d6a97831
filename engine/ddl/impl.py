"""The dialect implementation ("Impl") behind every migration operation.

An Impl turns SQLAlchemy schema objects and alter requests into DDL; how each
statement is then executed (online) or written out (offline, ``--sql``) is
engine/ddl/statement_output.py, mixed in.

Subclasses register themselves by their ``__dialect__`` name;
``DefaultImpl.get_by_dialect(dialect)`` finds the one for a SQLAlchemy dialect
and falls back to ``DefaultImpl`` (generic SQLAlchemy DDL) for the rest.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, TextIO

from sqlalchemy import MetaData, PrimaryKeyConstraint, String, Table, cast, literal
from sqlalchemy.schema import (
    AddConstraint,
    Column,
    Computed,
    Constraint,
    CreateIndex,
    CreateTable,
    DropConstraint,
    DropIndex,
    DropTable,
    DropTableComment,
    Identity,
    Index,
    SetColumnComment,
    SetTableComment,
)
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.types import NullType, TypeEngine

from engine.ddl import elements as el
from engine.ddl.plain_ddl import PlainDDL
from engine.ddl.statement_output import StatementListener, StatementOutput
from engine.errors import CommandError

_MYSQL_ONLY = "autoincrement and existing_autoincrement only make sense for MySQL"


class DefaultImpl(StatementOutput):
    """Generic DDL through SQLAlchemy's compilers; base of the per-dialect Impls."""

    __dialect__ = "default"
    transactional_ddl = False
    command_terminator = ";"
    #: written as its own block after every statement offline (e.g. ``GO``); None: nothing
    batch_separator: str | None = None

    _registry: ClassVar[dict[str, type[DefaultImpl]]] = {}

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        name = cls.__dict__.get("__dialect__")
        if name:
            DefaultImpl._registry[name] = cls

    def __init__(
        self,
        dialect: Any,
        connection: Any,
        as_sql: bool,
        transactional_ddl: bool | None,
        output_buffer: TextIO | None,
        context_opts: Mapping[str, Any] | None,
    ) -> None:
        self.dialect = dialect
        self.connection = connection
        self.as_sql = as_sql
        self.output_buffer = output_buffer
        self.context_opts = dict(context_opts or {})
        self.literal_binds = bool(self.context_opts.get("literal_binds", False))
        if transactional_ddl is not None:
            self.transactional_ddl = transactional_ddl
        if self.literal_binds and not as_sql:
            raise CommandError(
                "literal_binds can only be used in offline (--sql) mode",
                hint="Drop literal_binds from configure(), or run with --sql.",
            )
        self.statement_listeners: list[StatementListener] = []
        #: shared with SQLAlchemy's DDL events, so a named type (PostgreSQL ENUM) that
        #: several new tables use is created once
        self.memo: dict[str, Any] = {}
        renderer = PlainDDL(dialect)
        self._plain_ddl = renderer if renderer.enabled else None

    # ------------------------------------------------------------------ registry

    @classmethod
    def get_by_dialect(cls, dialect: Any) -> type[DefaultImpl]:
        registry = DefaultImpl._registry
        if getattr(dialect, "is_mariadb", False) and "mariadb" in registry:
            return registry["mariadb"]
        return registry.get(dialect.name, DefaultImpl)

    # ------------------------------------------------------------------ columns

    def add_column(
        self,
        table_name: str,
        column: Column[Any],
        schema: str | None = None,
        if_not_exists: bool | None = None,
        *,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
    ) -> None:
        if column.table is None:
            Table(table_name, MetaData(), column, schema=schema)
        self._exec(
            el.AddColumn(
                table_name,
                column,
                schema=schema,
                if_not_exists=if_not_exists,
                inline_references=inline_references,
                inline_primary_key=inline_primary_key,
            )
        )

    def drop_column(
        self,
        table_name: str,
        column: Column[Any] | str,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        self._exec(el.DropColumn(table_name, column, schema=schema, if_exists=if_exists))

    def alter_column(
        self,
        table_name: str,
        column_name: str,
        nullable: bool | None = None,
        server_default: Any = False,
        name: str | None = None,
        type_: TypeEngine | None = None,
        schema: str | None = None,
        autoincrement: bool | None = None,
        comment: str | None | bool = False,
        existing_comment: str | None = None,
        existing_type: TypeEngine | None = None,
        existing_server_default: Any = None,
        existing_nullable: bool | None = None,
        existing_autoincrement: bool | None = None,
        **kw: Any,
    ) -> None:
        if autoincrement is not None or existing_autoincrement is not None:
            warnings.warn(_MYSQL_ONLY, UserWarning, stacklevel=2)
        facts = {
            "schema": schema,
            "existing_type": existing_type,
            "existing_nullable": existing_nullable,
            "existing_server_default": existing_server_default,
            "existing_comment": existing_comment,
        }
        if nullable is not None:
            self._exec(el.ColumnNullable(table_name, column_name, nullable, **facts))
        if server_default is not False:
            self._alter_server_default(
                table_name, column_name, server_default, existing_server_default, facts
            )
        if type_ is not None:
            self._exec(el.ColumnType(table_name, column_name, type_, **facts))
        if comment is not False:
            self._alter_comment(table_name, column_name, comment, facts)
        if name is not None:
            self._exec(el.ColumnName(table_name, column_name, name, **facts))

    def _alter_comment(
        self, table_name: str, column_name: str, comment: Any, facts: dict[str, Any]
    ) -> None:
        self._exec(el.ColumnComment(table_name, column_name, comment, **facts))

    def _alter_server_default(
        self,
        table_name: str,
        column_name: str,
        server_default: Any,
        existing_server_default: Any,
        facts: dict[str, Any],
    ) -> None:
        if isinstance(server_default, Computed) or isinstance(existing_server_default, Computed):
            raise CommandError(
                f"Cannot add or remove a computed (GENERATED ALWAYS AS) default on the "
                f"existing column {column_name!r}",
                hint="Drop the column and add it again with the new definition.",
            )
        new_identity = isinstance(server_default, Identity)
        old_identity = isinstance(existing_server_default, Identity)
        if new_identity or old_identity:
            if server_default is not None and not new_identity:
                raise CommandError(
                    f"Cannot replace the identity of column {column_name!r} with a plain "
                    "server default in one step",
                    hint="Drop the identity first (server_default=None), then set the default.",
                )
            self._alter_identity(
                table_name,
                column_name,
                server_default if new_identity else None,
                existing_server_default if old_identity else None,
                facts,
            )
            return
        self._exec(el.ColumnDefault(table_name, column_name, server_default, **facts))

    def _alter_identity(
        self,
        table_name: str,
        column_name: str,
        identity: Identity | None,
        existing_identity: Identity | None,
        facts: dict[str, Any],
    ) -> None:
        self._exec(
            el.IdentityColumnDefault(table_name, column_name, identity, existing_identity, **facts)
        )

    # ------------------------------------------------------------------ constraints

    def add_constraint(self, const: Any, **kw: Any) -> None:
        type_rule = type_bound_rule(const)
        if type_rule is None or type_rule(self):
            self._exec(AddConstraint(const))

    def drop_constraint(self, const: Constraint, **kw: Any) -> None:
        type_rule = type_bound_rule(const)
        if type_rule is not None and not type_rule(self):
            return  # a type's constraint this database never created (native BOOLEAN)
        self._exec(
            DropConstraint(
                const, if_exists=bool(kw.get("if_exists")), cascade=bool(kw.get("cascade"))
            )
        )

    # ------------------------------------------------------------------ tables

    def rename_table(
        self, old_table_name: str, new_table_name: str, schema: str | None = None
    ) -> None:
        self._exec(el.RenameTable(old_table_name, new_table_name, schema=schema))

    def create_table(self, table: Table, **kw: Any) -> None:
        if_not_exists = bool(kw.pop("if_not_exists", None))
        bind = self._event_bind()
        table.dispatch.before_create(table, bind, checkfirst=False, _ddl_runner=self)
        plain = self.plain_ddl
        rendered = plain.create_table(table, if_not_exists) if plain is not None else None
        if rendered is not None:
            self.run_plain(rendered)
        else:
            self._exec(CreateTable(table, if_not_exists=if_not_exists))
        table.dispatch.after_create(table, bind, checkfirst=False, _ddl_runner=self)
        for index in sorted(table.indexes, key=lambda ix: str(ix.name or "")):
            self._exec(CreateIndex(index))
        if self.dialect.supports_comments and not self.dialect.inline_comments:
            if table.comment:
                self.create_table_comment(table)
            for column in table.columns:
                if column.comment:
                    self.create_column_comment(column)

    def drop_table(self, table: Table, **kw: Any) -> None:
        if_exists = bool(kw.pop("if_exists", None))
        bind = self._event_bind()
        table.dispatch.before_drop(table, bind, checkfirst=False, _ddl_runner=self)
        self._exec(DropTable(table, if_exists=if_exists))
        table.dispatch.after_drop(table, bind, checkfirst=False, _ddl_runner=self)

    def create_table_comment(self, table: Table) -> None:
        self._exec(SetTableComment(table))

    def drop_table_comment(self, table: Table) -> None:
        self._exec(DropTableComment(table))

    def create_column_comment(self, column: Column[Any]) -> None:
        self._exec(SetColumnComment(column))

    # ------------------------------------------------------------------ indexes

    def create_index(self, index: Index, **kw: Any) -> None:
        if_not_exists = bool(kw.pop("if_not_exists", None))
        _apply_dialect_kwargs(index, kw)
        self._exec(CreateIndex(index, if_not_exists=if_not_exists))

    def drop_index(self, index: Index, **kw: Any) -> None:
        if_exists = bool(kw.pop("if_exists", None))
        _apply_dialect_kwargs(index, kw)
        self._exec(DropIndex(index, if_exists=if_exists))

    # ------------------------------------------------------------------ data

    def bulk_insert(self, table: Any, rows: list[dict[str, Any]], multiinsert: bool = True) -> None:
        if not isinstance(rows, list):
            raise TypeError("bulk_insert() expects a list of dictionaries")
        if rows and not all(isinstance(row, dict) for row in rows):
            raise TypeError("bulk_insert() expects a list of dictionaries")
        if not rows:
            return
        if self.as_sql:
            for row in rows:
                self._write_offline(
                    table.insert().inline().values(_literal_row(table, row)), literal_binds=True
                )
            return
        has_expressions = any(
            isinstance(value, ClauseElement) for row in rows for value in row.values()
        )
        if multiinsert and not has_expressions:
            self._exec(table.insert().inline(), multiparams=rows)
            return
        for row in rows:
            self._exec(table.insert().inline().values(row))

    # ------------------------------------------------------------------ batch and runtime hooks

    def requires_recreate_in_batch(self, batch_op: Any) -> bool:
        """Whether batch mode must move-and-copy the table; plain ALTER suffices here."""
        return False

    def prep_table_for_batch(self, batch_impl: Any, table: Table) -> None:
        """Called before a batch move-and-copy creates the new table; nothing by default."""

    def start_migrations(self) -> None:
        """Called once before migrations run; nothing by default."""

    def cast_for_batch_migrate(
        self, existing: Column[Any], existing_transfer: dict[str, Any], new_type: TypeEngine
    ) -> None:
        """Let batch's ``INSERT .. SELECT`` cast a column whose type family changes."""
        if existing.type._type_affinity is not new_type._type_affinity:
            existing_transfer["expr"] = cast(existing_transfer["expr"], new_type)

    def version_table_impl(
        self,
        *,
        version_table: str,
        version_table_schema: str | None,
        version_table_pk: bool,
        **kw: Any,
    ) -> Table:
        """The ``alembic_version`` Table as Alembic defines it."""
        table = Table(
            version_table,
            MetaData(),
            Column("version_num", String(32), nullable=False),
            schema=version_table_schema,
        )
        if version_table_pk:
            table.append_constraint(
                PrimaryKeyConstraint("version_num", name=f"{version_table}_pkc")
            )
        return table


DefaultImpl._registry["default"] = DefaultImpl


def type_bound_rule(const: Any) -> Callable[[Any], bool] | None:
    """For the CHECK a type makes (``Boolean``/``Enum`` with ``create_constraint``), the
    rule saying whether a database gets it (not where BOOLEAN is native); else None.

    (Only type-bound constraints count: SQLAlchemy's ``AddConstraint`` also sets a rule
    on the constraints it adds, to keep them out of a later CREATE TABLE.)
    """
    if not getattr(const, "_type_bound", False):
        return None
    return getattr(const, "_create_rule", None)


def _apply_dialect_kwargs(index: Index, kw: Mapping[str, Any]) -> None:
    """Dialect options given to create_index/drop_index (``postgresql_concurrently=True``)
    become options of the Index, where SQLAlchemy's compilers look for them."""
    for key, value in kw.items():
        if "_" not in key:
            continue
        try:
            index.dialect_kwargs[key] = value
        except Exception:  # not a known dialect option: nothing to pass on
            continue


def _literal_row(table: Any, row: Mapping[str, Any]) -> dict[str, Any]:
    """A row's values as literals, so offline INSERTs carry the data inline."""
    values: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, ClauseElement):
            values[key] = value
            continue
        column = table.c.get(key) if hasattr(table.c, "get") else None
        type_ = getattr(column, "type", None)
        if type_ is None or isinstance(type_, NullType):
            values[key] = literal(value)
        else:
            values[key] = literal(value, type_=type_)
    return values


def iter_batch_entries(batch_op: Any) -> Iterable[tuple[str, tuple, dict]]:
    """The operations a batch recorded, as ``(method name, args, kwargs)``.

    ``BatchOperationsImpl.batch`` holds them as tuples; objects with ``name``/``args``/
    ``kw`` attributes are accepted too.
    """
    for entry in getattr(batch_op, "batch", ()) or ():
        if isinstance(entry, tuple) and len(entry) == 3:
            name, args, kw = entry
        else:
            name = getattr(entry, "name", None) or getattr(entry, "opname", "")
            args = getattr(entry, "args", ())
            kw = getattr(entry, "kw", None) or getattr(entry, "kwargs", {})
        yield str(name), tuple(args or ()), dict(kw or {})
