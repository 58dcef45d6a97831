"""PostgreSQL ENUM types as operations: create, drop, and change the list of values.

Alembic has no operations for these (its most requested missing autogenerate
feature); autogenerate produces them when a named ``sa.Enum`` appears, changes or
disappears outside of CREATE/DROP TABLE (which create and drop their types
themselves).

Each op can give the SQL statements that carry it out (``to_sql(dialect)``), so a
renderer can write them as ``op.execute(...)`` lines that real Alembic runs too;
on this engine the directives ``op.create_enum_type``, ``op.drop_enum_type`` and
``op.alter_enum_type`` run them directly.

Changing values: when the old labels keep their order inside the new list, each
new label is added with ``ALTER TYPE ... ADD VALUE ... BEFORE``; otherwise (a label
removed or reordered) the type is renamed away, created anew, the columns that use
it (``columns``: ``(schema, table, column)``) converted through text, and the old
type dropped. Rows holding a removed label make that conversion fail, as they
should; a column default that names the type must be dropped first by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from engine.operations.ops_base import IrreversibleOperationError, MigrateOperation

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import ENUM

# SQLAlchemy's PostgreSQL dialect is imported when an ENUM op is used, not with
# ``op`` itself: a SQLite or MariaDB project never pays for it.

# (schema, table, column), or with a fourth item: the ARRAY dimensions of the column
ColumnRef = tuple[Any, ...]


def _pg_dialect(dialect: Any) -> Any:
    if dialect is not None:
        return dialect
    from sqlalchemy.dialects import postgresql

    return postgresql.dialect()


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _qualified(dialect: Any, name: str, schema: str | None) -> str:
    prep = dialect.identifier_preparer
    quoted = prep.quote(name)
    return f"{prep.quote_schema(schema)}.{quoted}" if schema else quoted


class _EnumTypeOp(MigrateOperation):
    type_name: str
    schema: str | None

    def to_type(self, values: Sequence[str]) -> ENUM:
        from sqlalchemy.dialects import postgresql

        return postgresql.ENUM(*values, name=self.type_name, schema=self.schema, create_type=False)


class CreateEnumTypeOp(_EnumTypeOp):
    """``CREATE TYPE name AS ENUM (values...)``."""

    def __init__(self, type_name: str, values: Sequence[str], *, schema: str | None = None):
        self.type_name = type_name
        self.values = list(values)
        self.schema = schema

    @classmethod
    def create_enum_type(
        cls, operations: Any, type_name: str, values: Sequence[str], *, schema: str | None = None
    ) -> None:
        return operations.invoke(cls(type_name, values, schema=schema))

    def to_sql(self, dialect: Any = None) -> list[str]:
        dialect = _pg_dialect(dialect)
        return [
            str(_named_types().CreateEnumType(self.to_type(self.values)).compile(dialect=dialect))
        ]

    def reverse(self) -> DropEnumTypeOp:
        return DropEnumTypeOp(self.type_name, values=self.values, schema=self.schema)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("add_enum", self.schema, self.type_name, tuple(self.values))


class DropEnumTypeOp(_EnumTypeOp):
    """``DROP TYPE name``; reversible when it knows the values."""

    def __init__(
        self,
        type_name: str,
        *,
        values: Sequence[str] | None = None,
        schema: str | None = None,
    ):
        self.type_name = type_name
        self.values = list(values) if values is not None else None
        self.schema = schema

    @classmethod
    def drop_enum_type(
        cls,
        operations: Any,
        type_name: str,
        *,
        values: Sequence[str] | None = None,
        schema: str | None = None,
    ) -> None:
        return operations.invoke(cls(type_name, values=values, schema=schema))

    def to_sql(self, dialect: Any = None) -> list[str]:
        dialect = _pg_dialect(dialect)
        return [
            str(
                _named_types()
                .DropEnumType(self.to_type(self.values or []))
                .compile(dialect=dialect)
            )
        ]

    def reverse(self) -> CreateEnumTypeOp:
        if self.values is None:
            raise IrreversibleOperationError(
                f"drop_enum_type({self.type_name!r}) cannot be reversed: its values are unknown",
                hint="Pass values=[...] to make it reversible.",
            )
        return CreateEnumTypeOp(self.type_name, self.values, schema=self.schema)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("remove_enum", self.schema, self.type_name, tuple(self.values or ()))


class AlterEnumTypeOp(_EnumTypeOp):
    """Give an ENUM type the labels ``values`` (it has ``existing_values`` now)."""

    def __init__(
        self,
        type_name: str,
        values: Sequence[str],
        *,
        existing_values: Sequence[str],
        schema: str | None = None,
        columns: Sequence[ColumnRef] = (),
    ):
        self.type_name = type_name
        self.values = list(values)
        self.existing_values = list(existing_values)
        self.schema = schema
        self.columns = [tuple(c) for c in columns]

    @classmethod
    def alter_enum_type(
        cls,
        operations: Any,
        type_name: str,
        values: Sequence[str],
        *,
        existing_values: Sequence[str],
        schema: str | None = None,
        columns: Sequence[ColumnRef] = (),
    ) -> None:
        op = cls(type_name, values, existing_values=existing_values, schema=schema, columns=columns)
        return operations.invoke(op)

    @property
    def only_adds_values(self) -> bool:
        """The old labels, in their order, are all still there."""
        kept = [v for v in self.values if v in self.existing_values]
        return kept == self.existing_values

    def to_sql(self, dialect: Any = None) -> list[str]:
        dialect = _pg_dialect(dialect)
        type_sql = _qualified(dialect, self.type_name, self.schema)
        if self.only_adds_values:
            out = []
            for pos, value in enumerate(self.values):
                if value in self.existing_values:
                    continue
                later = [v for v in self.values[pos + 1 :] if v in self.existing_values]
                where = f" BEFORE {_literal(later[0])}" if later else ""
                out.append(f"ALTER TYPE {type_sql} ADD VALUE {_literal(value)}{where}")
            return out
        old_name = f"{self.type_name}_old"[:63]
        prep = dialect.identifier_preparer
        out = [
            f"ALTER TYPE {type_sql} RENAME TO {prep.quote(old_name)}",
            str(_named_types().CreateEnumType(self.to_type(self.values)).compile(dialect=dialect)),
        ]
        for schema, table, column, *dims in self.columns:
            col = prep.quote(column)
            # an ARRAY of the ENUM goes through text[] ('{a,b}') to the new array type
            array = "[]" * (dims[0] if dims else 0)
            out.append(
                f"ALTER TABLE {_qualified(dialect, table, schema)} ALTER COLUMN {col} "
                f"TYPE {type_sql}{array} USING {col}::text{array}::{type_sql}{array}"
            )
        out.append(f"DROP TYPE {_qualified(dialect, old_name, self.schema)}")
        return out

    def reverse(self) -> AlterEnumTypeOp:
        return AlterEnumTypeOp(
            self.type_name,
            self.existing_values,
            existing_values=self.values,
            schema=self.schema,
            columns=self.columns,
        )

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return (
            "modify_enum",
            self.schema,
            self.type_name,
            tuple(self.existing_values),
            tuple(self.values),
        )


__all__ = ["AlterEnumTypeOp", "CreateEnumTypeOp", "DropEnumTypeOp"]


def _named_types() -> Any:
    from sqlalchemy.dialects.postgresql import named_types

    return named_types
