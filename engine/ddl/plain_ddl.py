"""The commonest DDL rendered without a SQLAlchemy compile per statement.

A long history renders thousands of CREATE TABLE, ADD COLUMN and CREATE INDEX
statements that differ mostly in names. SQLAlchemy compiles each from scratch: a
new compiler, every column type adapted to the dialect, every column definition
rebuilt. Here:

* a column's definition after its quoted name ("`` VARCHAR(50) NOT NULL``") is
  computed once by SQLAlchemy's own DDL compiler and reused for every column whose
  key (:func:`_column_key`: type class and state, nullability, server default,
  primary-key facts) is the same;
* CREATE TABLE's plain primary and foreign keys are written from the
  constraint's own names and the compiler's helpers (a foreign key's target from
  its names, so a referent placeholder is never needed, see
  engine/operations/referents.py); other constraints and the table's options
  still come from SQLAlchemy's compiler, called directly on the real Table;
* CREATE INDEX on plain column names and ALTER TABLE .. ADD COLUMN are assembled
  from the identifier preparer's quoting, as the built-in compilers do.

Only the built-in PostgreSQL, MySQL/MariaDB and SQLite DDL compilers, only plain
columns (a listed type class; no Python-side, computed or identity default; no
comment, column-level constraint or dialect option; a server default that is a
string or a parameter-less ``text()``) and no ``@compiles`` extension on the
constructs involved. Anything else returns None and the caller compiles as
before. ``tests/ddl/test_plain_ddl.py`` compares the output with SQLAlchemy's
compile byte for byte on every dialect.

The text is what compiling gives (tabs and surrounding newlines included): the Impl
writes it offline after the same clean-up as a compiled statement, and executes it
online with ``exec_driver_sql`` (the driver gets the very string and parameters a
compiled DDL construct would give it), see ``DefaultImpl.plain_ddl``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Index, MetaData, Table, types
from sqlalchemy.schema import (
    Column,
    CreateColumn,
    CreateIndex,
    CreateTable,
    DefaultClause,
    ForeignKeyConstraint,
    PrimaryKeyConstraint,
)
from sqlalchemy.sql.elements import TextClause, conv

from engine.ddl import elements as el
from engine.operations.referents import ReferentMetaData, named_target, table_key

_COMPILERS = frozenset(
    {
        "sqlalchemy.dialects.postgresql.base.PGDDLCompiler",
        "sqlalchemy.dialects.mysql.base.MySQLDDLCompiler",
        "sqlalchemy.dialects.sqlite.base.SQLiteDDLCompiler",
    }
)

#: Types whose DDL depends only on their class and instance state.
_PLAIN_TYPES = frozenset(
    {
        types.Integer,
        types.BigInteger,
        types.SmallInteger,
        types.String,
        types.Text,
        types.Unicode,
        types.UnicodeText,
        types.Numeric,
        types.Float,
        types.Double,
        types.DateTime,
        types.Date,
        types.Time,
        types.LargeBinary,
        types.Boolean,
        types.Uuid,
        types.INTEGER,
        types.BIGINT,
        types.SMALLINT,
        types.VARCHAR,
        types.CHAR,
        types.NVARCHAR,
        types.NCHAR,
        types.TEXT,
        types.NUMERIC,
        types.DECIMAL,
        types.FLOAT,
        types.REAL,
        types.DOUBLE,
        types.DOUBLE_PRECISION,
        types.DATETIME,
        types.TIMESTAMP,
        types.DATE,
        types.TIME,
        types.BOOLEAN,
        types.BLOB,
        types.UUID,
    }
)

_TABLE_CONSTRUCTS = (CreateTable, CreateColumn)
_INDEX_CONSTRUCTS = (CreateIndex, Index)


def _extended(*classes: type) -> bool:
    """Whether a ``@compiles`` extension replaced the compilation of any of these."""
    return any("_compiler_dispatcher" in cls.__dict__ for cls in classes)


def _server_default_key(column: Column[Any]) -> tuple[str, str] | None | bool:
    """The server default as a key; None: none; False: not a plain one."""
    default = column.server_default
    if default is None:
        return None
    if type(default) is not DefaultClause or default.for_update:
        return False
    arg = default.arg
    if type(arg) is str:
        return ("s", arg)
    if type(arg) is TextClause and not arg._bindparams:
        return ("t", arg.text)
    return False


def _has_dialect_kwargs(item: Any) -> bool:
    # dialect options live in a memoized dict that exists once any were given
    return "dialect_options" in item.__dict__ and bool(len(item.dialect_kwargs))


def _column_key(column: Column[Any], table: Table | None) -> tuple[Any, ...] | None:
    """Everything the dialect's column definition (after the name) depends on, or
    None when the column is not plain enough to be keyed."""
    type_ = column.type
    type_class = type(type_)
    if type_class not in _PLAIN_TYPES or "_compiler_dispatcher" in type_class.__dict__:
        return None
    if type_class in (types.Boolean, types.BOOLEAN) and type_.create_constraint:
        return None
    if (
        column.default is not None
        or column.computed is not None
        or column.identity is not None
        or column.comment is not None
        or column.constraints
        or column.system
        or _has_dialect_kwargs(column)
    ):
        return None
    server_default = _server_default_key(column)
    if server_default is False:
        return None
    if column.primary_key:
        if table is None:
            return None
        pk = table.primary_key
        if _has_dialect_kwargs(table) or _has_dialect_kwargs(pk):
            return None  # e.g. sqlite_autoincrement: not worth keying
        primary: tuple[Any, ...] = (
            True,
            column.autoincrement,
            column is table._autoincrement_column,
            len(pk.columns),
            bool(column.foreign_keys),
        )
    else:
        primary = (False,)
    return (type_class, tuple(type_.__dict__.items()), column.nullable, server_default, primary)


class PlainDDL:
    """Renders plain DDL for one dialect, reusing column definitions; see the module."""

    def __init__(self, dialect: Any) -> None:
        self.dialect = dialect
        compiler = dialect.ddl_compiler
        self.enabled = f"{compiler.__module__}.{compiler.__qualname__}" in _COMPILERS
        self._column_rest: dict[tuple[Any, ...], str] = {}
        self._add_column_specs = dict(el.AddColumn._compiler_dispatcher.specs)
        self._bare_table_options: str | None = None

    def _compiler(self) -> Any:
        return self.dialect.ddl_compiler(self.dialect, None)

    def _column_spec(
        self, compiler: Any, column: Column[Any], table: Table | None, first_pk: bool
    ) -> str | None:
        key = _column_key(column, table)
        if key is None:
            return None
        try:
            rest = self._column_rest.get(key)
        except TypeError:  # unhashable type state
            return None
        name = compiler.preparer.format_column(column)
        if rest is None:
            if table is None:
                Table("_plain_ddl", MetaData(), column)
            full = compiler.get_column_specification(column, first_pk=first_pk)
            if not full.startswith(name):
                return None
            rest = full[len(name) :]
            self._column_rest[key] = rest
        return name + rest

    # ------------------------------------------------------------------ statements

    def create_table(self, table: Table, if_not_exists: bool) -> str | None:
        """``CREATE TABLE`` as SQLAlchemy's compiler writes it, or None."""
        if not self.enabled or table._prefixes or _extended(*_TABLE_CONSTRUCTS):
            return None
        try:
            compiler = self._compiler()
            preparer = compiler.preparer
            text = "\nCREATE TABLE "
            if if_not_exists:
                text += "IF NOT EXISTS "
            text += preparer.format_table(table) + " "
            suffix = compiler.create_table_suffix(table)
            if suffix:
                text += suffix + " "
            text += "("
            separator = "\n"
            first_pk = False
            for column in table.columns:
                spec = self._column_spec(
                    compiler, column, table, column.primary_key and not first_pk
                )
                if spec is None:
                    return None
                text += separator + "\t" + spec
                separator = ", \n"
                first_pk = first_pk or column.primary_key
            constraints = self._table_constraints(compiler, table)
            if constraints:
                text += separator + "\t" + constraints
            text += f"\n){self._table_options(compiler, table)}\n\n"
        except Exception:
            return None  # the regular compile raises its own, complete error
        return text

    def _table_options(self, compiler: Any, table: Table) -> str:
        """``compiler.post_create_table(table)``: the table options after the closing
        parenthesis, which come from its dialect options and (MySQL) its comment;
        for a table with neither, what a bare table gets, computed once."""
        if _has_dialect_kwargs(table) or table.comment is not None:
            return compiler.post_create_table(table)
        if self._bare_table_options is None:
            self._bare_table_options = compiler.post_create_table(Table("_plain_ddl", MetaData()))
        return self._bare_table_options

    def _table_constraints(self, compiler: Any, table: Table) -> str:
        """What ``compiler.create_table_constraints(table)`` gives: the primary key
        first, then the other constraints in creation order, each kept or skipped
        by SQLAlchemy's own rules. Plain primary and foreign keys are written here
        (a foreign key from its target's names, so its referent is never looked
        up; see engine/operations/referents.py); any other constraint is compiled."""
        if _has_dialect_kwargs(table) or _extended(PrimaryKeyConstraint, ForeignKeyConstraint):
            return compiler.create_table_constraints(table)
        primary_key = table.primary_key
        ordered = [primary_key] if primary_key else []
        ordered += [c for c in table._sorted_constraints if c is not primary_key]
        parts = []
        for constraint in ordered:
            text = _plain_constraint(compiler, table, constraint)
            if text is _COMPILE:
                if not constraint._should_create_for_compiler(compiler) or (
                    self.dialect.supports_alter and getattr(constraint, "use_alter", False)
                ):
                    continue
                text = compiler.process(constraint)
            if text is not None:
                parts.append(text)
        return ", \n\t".join(parts)

    def add_column(self, table_name: str, column: Column[Any], schema: str | None) -> str | None:
        """``ALTER TABLE .. ADD COLUMN`` for a detached plain column, or None.

        Not for columns that bring constraints or indexes along (primary key,
        foreign key, ``unique=``, ``index=``): those need the table."""
        if (
            not self.enabled
            or column.table is not None
            or column.primary_key
            or column.foreign_keys
            or column.unique
            or column.index
            or _extended(CreateColumn)
            or el.AddColumn._compiler_dispatcher.specs != self._add_column_specs
        ):
            return None
        try:
            compiler = self._compiler()
            spec = self._column_spec(compiler, column, None, False)
            if spec is None:
                return None
            table = el.format_table(compiler, table_name, schema)
        except Exception:
            return None
        return f"ALTER TABLE {table} ADD COLUMN {spec}"

    def create_index(
        self,
        name: Any,
        table_name: str,
        columns: Any,
        schema: str | None,
        unique: bool,
        if_not_exists: bool,
        naming_convention: Any,
    ) -> str | None:
        """``CREATE INDEX`` on plain column names (no options), or None."""
        if (
            not self.enabled
            or type(name) not in (str, conv)
            or not columns
            or any(type(c) is not str for c in columns)
            or len(set(columns)) != len(columns)
            or not _index_name_kept(name, naming_convention)
            or _extended(*_INDEX_CONSTRUCTS)
        ):
            return None
        try:
            preparer = self._compiler().preparer
            index_name = preparer.truncate_and_render_index_name(name)
            quoted_table = preparer.quote(table_name)
            dialect_name = self.dialect.name
            if schema:
                quoted_schema = preparer.quote_schema(schema)
                if dialect_name == "sqlite":
                    index_name = f"{quoted_schema}.{index_name}"
                else:
                    quoted_table = f"{quoted_schema}.{quoted_table}"
            elements = ", ".join(preparer.quote(c) for c in columns)
        except Exception:
            return None
        guard = "IF NOT EXISTS " if if_not_exists else ""
        kind = "UNIQUE INDEX " if unique else "INDEX "
        return f"CREATE {kind}{guard}{index_name} ON {quoted_table} ({elements})"


#: ``_plain_constraint``'s answer for a constraint it leaves to the compiler.
_COMPILE = "compile"


def _plain_constraint(compiler: Any, table: Table, constraint: Any) -> str | None:
    """A primary or foreign key as the dialect's DDL compiler writes it, or
    ``_COMPILE`` when it is not plain: another kind of constraint, dialect options,
    a create rule or ``ddl_if``, deferral of a primary key, MATCH, ``use_alter``,
    a target given as a Column or one this MetaData holds, a table on a MetaData
    that does not make referent placeholders, or a SQLite key across schemas
    (which SQLite's compiler leaves out)."""
    kind = type(constraint)
    if (
        (kind is not PrimaryKeyConstraint and kind is not ForeignKeyConstraint)
        or constraint._create_rule is not None
        or constraint._ddl_if is not None
        or _has_dialect_kwargs(constraint)
    ):
        return _COMPILE
    preparer = compiler.preparer
    quote = preparer.quote
    if kind is PrimaryKeyConstraint:
        if constraint.deferrable is not None or constraint.initially is not None:
            return _COMPILE
        columns = constraint.columns_autoinc_first if constraint._implicit_generated else constraint
        body = "PRIMARY KEY (" + ", ".join(quote(c.name) for c in columns) + ")"
        return compiler.define_constraint_preamble(constraint) + body
    if constraint.use_alter or constraint.match is not None:
        return _COMPILE
    elements = constraint.elements
    targets = [named_target(fk) for fk in elements]
    first = targets[0] if targets else None
    if first is None or any(t is None or t[2] is None or t[:2] != first[:2] for t in targets):
        return _COMPILE
    schema, name, _ = first
    metadata = table.metadata
    if not isinstance(metadata, ReferentMetaData) or table_key(schema, name) in metadata.tables:
        # a referent this MetaData holds decides the quoting; on any other MetaData
        # a referent it lacks makes SQLAlchemy's compile fail, and so it must here
        return _COMPILE
    if compiler.dialect.name == "sqlite":
        if schema != table.schema:
            return _COMPILE
        remote = quote(name)
    elif schema:
        remote = preparer.quote_schema(schema) + "." + quote(name)
    else:
        remote = quote(name)
    body = (
        "FOREIGN KEY("
        + ", ".join(quote(fk.parent.name) for fk in elements)
        + ") REFERENCES "
        + remote
        + " ("
        + ", ".join(quote(t[2]) for t in targets)  # type: ignore[index]
        + ")"
    )
    return (
        compiler.define_constraint_preamble(constraint)
        + body
        + compiler.define_constraint_cascades(constraint)
        + compiler.define_constraint_deferrability(constraint)
    )


def _index_name_kept(name: Any, convention: Any) -> bool:
    """Whether SQLAlchemy keeps an explicit index name as given: a ``conv`` name
    always; a plain one unless the naming convention for indexes uses
    ``%(constraint_name)s``."""
    if isinstance(name, conv) or not convention:
        return True
    for key in ("ix", Index):
        template = convention.get(key)
        if template is not None and (
            not isinstance(template, str) or "constraint_name" in template
        ):
            return False
    return True
