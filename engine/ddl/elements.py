"""Our own DDL constructs: the ALTER statements SQLAlchemy has no construct for.

Each construct is an ``ExecutableDDLElement`` that carries plain names and
SQLAlchemy objects; ``compiles`` hooks turn it into SQL text for a dialect. The
generic forms here follow the SQL standard (and PostgreSQL's spelling); the
dialect modules (``postgresql``, ``mysql``, ``sqlite``) register their own forms
where a database spells a statement differently.

Rendering goes through the dialect's compiler throughout (identifier quoting,
type names, literal strings, ``%`` escaping for pyformat drivers), so the text
is exactly what SQLAlchemy itself would produce for the same pieces.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import String
from sqlalchemy import table as table_clause
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import (
    Column,
    CreateColumn,
    DefaultClause,
    ExecutableDDLElement,
    Identity,
)
from sqlalchemy.sql.compiler import DDLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.types import TypeEngine

from engine.errors import CommandError

# --------------------------------------------------------------------------- helpers


def compiles_for(element: type, *dialect_names: str) -> Callable[[Callable], Callable]:
    """``compiles`` for several dialect names at once (e.g. ``mysql`` and ``mariadb``)."""

    def decorate(fn: Callable) -> Callable:
        for name in dialect_names:
            compiles(element, name)(fn)
        return fn

    return decorate


def format_table(compiler: DDLCompiler, name: str, schema: str | None) -> str:
    """The quoted, schema-qualified table name."""
    return compiler.preparer.format_table(table_clause(name, schema=schema))


def format_column(compiler: DDLCompiler, name: str) -> str:
    return compiler.preparer.quote(name)


def format_type(compiler: DDLCompiler, type_: TypeEngine | type[TypeEngine]) -> str:
    if isinstance(type_, type):
        type_ = type_()
    return compiler.dialect.type_compiler_instance.process(type_)


def default_argument(default: Any) -> str | ClauseElement | None:
    """The SQL part of a server default (``"5"``, ``text(..)``, ``func.now()``, DefaultClause).

    Returns ``None`` for "no default" and for defaults with nothing to render
    (``FetchedValue``, ``Computed``, ``Identity`` are handled by their own constructs).
    """
    if default is None or default is False:
        return None
    if isinstance(default, DefaultClause):
        return default.arg
    if isinstance(default, (str, ClauseElement)):
        return default
    return None


def render_default(compiler: DDLCompiler, default: Any) -> str | None:
    arg = default_argument(default)
    if arg is None:
        return None
    return compiler.render_default_string(arg)


def render_string_literal(compiler: DDLCompiler, value: str) -> str:
    return compiler.sql_compiler.render_literal_value(value, String())


def _alter_table(compiler: DDLCompiler, element: AlterTable) -> str:
    return f"ALTER TABLE {format_table(compiler, element.table_name, element.schema)}"


def _alter_column(compiler: DDLCompiler, element: AlterColumnBase) -> str:
    column = format_column(compiler, element.column_name)
    return f"{_alter_table(compiler, element)} ALTER COLUMN {column}"


# --------------------------------------------------------------------------- constructs


class AlterTable(ExecutableDDLElement):
    """Base of ``ALTER TABLE <name> ...`` statements."""

    inherit_cache = False

    def __init__(self, table_name: str, schema: str | None = None) -> None:
        self.table_name = table_name
        self.schema = schema


class RenameTable(AlterTable):
    def __init__(self, old_table_name: str, new_table_name: str, schema: str | None = None):
        super().__init__(old_table_name, schema=schema)
        self.new_table_name = new_table_name


class AddColumn(AlterTable):
    def __init__(
        self,
        table_name: str,
        column: Column[Any],
        schema: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.column = column
        self.if_not_exists = if_not_exists
        self.inline_references = inline_references
        self.inline_primary_key = inline_primary_key


class DropColumn(AlterTable):
    def __init__(
        self,
        table_name: str,
        column: Column[Any] | str,
        schema: str | None = None,
        if_exists: bool | None = None,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.column = column
        self.column_name = column if isinstance(column, str) else column.name
        self.if_exists = if_exists


class AlterColumnBase(AlterTable):
    """``ALTER TABLE t ALTER COLUMN c ...``; keeps the existing_* facts for dialects
    (MySQL) that must restate the whole column."""

    def __init__(
        self,
        table_name: str,
        column_name: str,
        schema: str | None = None,
        existing_type: TypeEngine | None = None,
        existing_nullable: bool | None = None,
        existing_server_default: Any = None,
        existing_comment: str | None = None,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.column_name = column_name
        self.existing_type = existing_type
        self.existing_nullable = existing_nullable
        self.existing_server_default = existing_server_default
        self.existing_comment = existing_comment


class ColumnNullable(AlterColumnBase):
    def __init__(self, table_name: str, column_name: str, nullable: bool, **kw: Any) -> None:
        super().__init__(table_name, column_name, **kw)
        self.nullable = nullable


class ColumnType(AlterColumnBase):
    def __init__(
        self,
        table_name: str,
        column_name: str,
        type_: TypeEngine,
        using: str | ClauseElement | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(table_name, column_name, **kw)
        self.type_ = type_() if isinstance(type_, type) else type_
        self.using = using


class ColumnDefault(AlterColumnBase):
    """``SET DEFAULT <expr>``, or ``DROP DEFAULT`` when ``default`` is None."""

    def __init__(self, table_name: str, column_name: str, default: Any, **kw: Any) -> None:
        super().__init__(table_name, column_name, **kw)
        self.default = default


class ColumnName(AlterColumnBase):
    def __init__(self, table_name: str, column_name: str, newname: str, **kw: Any) -> None:
        super().__init__(table_name, column_name, **kw)
        self.newname = newname


class ColumnComment(AlterColumnBase):
    """Set (or with ``comment=None`` remove) a column comment."""

    def __init__(self, table_name: str, column_name: str, comment: str | None, **kw: Any):
        super().__init__(table_name, column_name, **kw)
        self.comment = comment


class IdentityColumnDefault(AlterColumnBase):
    """Add, change or drop an identity (``GENERATED ... AS IDENTITY``) on a column."""

    def __init__(
        self,
        table_name: str,
        column_name: str,
        identity: Identity | None,
        existing_identity: Identity | None,
        **kw: Any,
    ) -> None:
        super().__init__(table_name, column_name, **kw)
        self.identity = identity
        self.existing_identity = existing_identity


# --------------------------------------------------------------------------- generic SQL


@compiles(RenameTable)
def _rename_table(element: RenameTable, compiler: DDLCompiler, **kw: Any) -> str:
    new = format_table(compiler, element.new_table_name, None)
    return f"{_alter_table(compiler, element)} RENAME TO {new}"


def _inline_primary_key(element: AddColumn) -> str:
    return " PRIMARY KEY" if element.inline_primary_key and element.column.primary_key else ""


def _referent(compiler: DDLCompiler, fk: Any) -> str:
    """``schema.table (column)`` of a ForeignKey, without needing the referent Table."""
    spec = fk.target_fullname
    table_part, _, column_name = spec.rpartition(".")
    schema, _, table_name = table_part.rpartition(".")
    column = format_column(compiler, column_name)
    return f"{format_table(compiler, table_name, schema or None)} ({column})"


def _inline_references(compiler: DDLCompiler, element: AddColumn) -> str:
    if not element.inline_references:
        return ""
    parts = []
    for fk in sorted(element.column.foreign_keys, key=lambda f: f.target_fullname):
        text = f" REFERENCES {_referent(compiler, fk)}"
        constraint = fk.constraint
        if constraint is not None:
            text += compiler.define_constraint_match(constraint)
            text += compiler.define_constraint_cascades(constraint)
            text += compiler.define_constraint_deferrability(constraint)
        parts.append(text)
    return "".join(parts)


@compiles(AddColumn)
def _add_column(element: AddColumn, compiler: DDLCompiler, **kw: Any) -> str:
    guard = " IF NOT EXISTS" if element.if_not_exists else ""
    spec = _column_spec(compiler, element)
    return f"{_alter_table(compiler, element)} ADD COLUMN{guard} {spec}"


def _column_spec(compiler: DDLCompiler, element: AddColumn) -> str:
    """Column definition: SQLAlchemy's own (with column-level constraints such as a
    ``CheckConstraint`` given to the Column), then inline PRIMARY KEY / REFERENCES."""
    spec = compiler.process(CreateColumn(element.column))
    return spec + _inline_primary_key(element) + _inline_references(compiler, element)


@compiles(DropColumn)
def _drop_column(element: DropColumn, compiler: DDLCompiler, **kw: Any) -> str:
    guard = " IF EXISTS" if element.if_exists else ""
    name = format_column(compiler, element.column_name)
    return f"{_alter_table(compiler, element)} DROP COLUMN{guard} {name}"


@compiles(ColumnNullable)
def _column_nullable(element: ColumnNullable, compiler: DDLCompiler, **kw: Any) -> str:
    action = "DROP NOT NULL" if element.nullable else "SET NOT NULL"
    return f"{_alter_column(compiler, element)} {action}"


@compiles(ColumnType)
def _column_type(element: ColumnType, compiler: DDLCompiler, **kw: Any) -> str:
    return f"{_alter_column(compiler, element)} TYPE {format_type(compiler, element.type_)}"


@compiles(ColumnDefault)
def _column_default(element: ColumnDefault, compiler: DDLCompiler, **kw: Any) -> str:
    rendered = render_default(compiler, element.default)
    action = "DROP DEFAULT" if rendered is None else f"SET DEFAULT {rendered}"
    return f"{_alter_column(compiler, element)} {action}"


@compiles(ColumnName)
def _column_name(element: ColumnName, compiler: DDLCompiler, **kw: Any) -> str:
    old = format_column(compiler, element.column_name)
    new = format_column(compiler, element.newname)
    return f"{_alter_table(compiler, element)} RENAME COLUMN {old} TO {new}"


@compiles(ColumnComment)
def _column_comment(element: ColumnComment, compiler: DDLCompiler, **kw: Any) -> str:
    target = (
        f"{format_table(compiler, element.table_name, element.schema)}."
        f"{format_column(compiler, element.column_name)}"
    )
    value = "NULL" if element.comment is None else render_string_literal(compiler, element.comment)
    return f"COMMENT ON COLUMN {target} IS {value}"


@compiles(IdentityColumnDefault)
def _identity_unsupported(element: IdentityColumnDefault, compiler: DDLCompiler, **kw: Any):
    raise CommandError(
        f"{compiler.dialect.name} cannot add, remove or change an identity "
        f"(GENERATED AS IDENTITY) on the existing column {element.column_name!r}",
        hint="Recreate the column (or the table in batch mode) instead.",
    )


# --------------------------------------------------------------------------- other dialects
# Dialects without an Impl of their own get the generic statements above, except where
# they plainly spell a statement differently.


@compiles_for(AddColumn, "mssql", "oracle")
def _add_column_no_keyword(element: AddColumn, compiler: DDLCompiler, **kw: Any) -> str:
    # SQL Server and Oracle write ADD <column spec>, without the COLUMN keyword
    return f"{_alter_table(compiler, element)} ADD {_column_spec(compiler, element)}"


def _oracle_modify(element: AlterColumnBase, compiler: DDLCompiler, change: str) -> str:
    column = format_column(compiler, element.column_name)
    return f"{_alter_table(compiler, element)} MODIFY {column} {change}"


@compiles(ColumnNullable, "oracle")
def _oracle_nullable(element: ColumnNullable, compiler: DDLCompiler, **kw: Any) -> str:
    return _oracle_modify(element, compiler, "NULL" if element.nullable else "NOT NULL")


@compiles(ColumnType, "oracle")
def _oracle_type(element: ColumnType, compiler: DDLCompiler, **kw: Any) -> str:
    return _oracle_modify(element, compiler, format_type(compiler, element.type_))


@compiles(ColumnDefault, "oracle")
def _oracle_default(element: ColumnDefault, compiler: DDLCompiler, **kw: Any) -> str:
    rendered = render_default(compiler, element.default)
    return _oracle_modify(element, compiler, f"DEFAULT {rendered or 'NULL'}")


# --------------------------------------------------------------------------- extension API
# Names that hand-written ``@compiles`` hooks in migration projects use (through
# ``alembic.ddl.base``): each returns one fragment of an ALTER statement.

AlterColumn = AlterColumnBase


def alter_table(compiler: DDLCompiler, name: str, schema: str | None) -> str:
    """``ALTER TABLE <schema.name>``"""
    return f"ALTER TABLE {format_table(compiler, name, schema)}"


def alter_column(compiler: DDLCompiler, name: str) -> str:
    """``ALTER COLUMN <name>``"""
    return f"ALTER COLUMN {format_column(compiler, name)}"


def format_table_name(compiler: DDLCompiler, name: str, schema: str | None) -> str:
    return format_table(compiler, name, schema)


def format_column_name(compiler: DDLCompiler, name: str) -> str:
    return format_column(compiler, name)


def format_server_default(compiler: DDLCompiler, default: Any) -> str | None:
    return render_default(compiler, default)
