"""PostgreSQL: transactional DDL, ``TYPE .. USING``, ``COMMENT ON``, identity columns."""

from __future__ import annotations

from typing import Any

from sqlalchemy.schema import (
    Constraint,
    ForeignKeyConstraint,
    Identity,
    PrimaryKeyConstraint,
    Table,
)
from sqlalchemy.sql.compiler import DDLCompiler
from sqlalchemy.types import TypeEngine

from engine.ddl import elements as el
from engine.ddl.impl import DefaultImpl, type_bound_rule
from engine.errors import CommandError

_PG = "postgresql"


class PostgresqlImpl(DefaultImpl):
    __dialect__ = _PG
    transactional_ddl = True

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
        using = kw.pop("postgresql_using", None)
        if using is not None and type_ is None:
            raise CommandError(
                "postgresql_using needs type_: USING only applies to a column type change",
                hint="Pass the new type as type_=..., or drop postgresql_using.",
            )
        if type_ is not None:
            self._exec(
                el.ColumnType(
                    table_name,
                    column_name,
                    type_,
                    using=using,
                    schema=schema,
                    existing_type=existing_type,
                    existing_nullable=existing_nullable,
                    existing_server_default=existing_server_default,
                    existing_comment=existing_comment,
                )
            )
        super().alter_column(
            table_name,
            column_name,
            nullable=nullable,
            server_default=server_default,
            name=name,
            type_=None,
            schema=schema,
            autoincrement=autoincrement,
            comment=comment,
            existing_comment=existing_comment,
            existing_type=existing_type,
            existing_server_default=existing_server_default,
            existing_nullable=existing_nullable,
            existing_autoincrement=existing_autoincrement,
            **kw,
        )

    def _alter_identity(
        self,
        table_name: str,
        column_name: str,
        identity: Identity | None,
        existing_identity: Identity | None,
        facts: dict[str, Any],
    ) -> None:
        unchanged = (
            identity is not None
            and existing_identity is not None
            and not identity_changes(identity, existing_identity)
        )
        if unchanged:
            return
        super()._alter_identity(table_name, column_name, identity, existing_identity, facts)

    def prep_table_for_batch(self, batch_impl: Any, table: Table) -> None:
        """Constraint names are unique per schema in PostgreSQL: free the names the new
        table will reuse by dropping those constraints from the old table first.

        ``batch_impl.named_constraints`` (when present) holds the names the new table
        carries; without it every named constraint is dropped. Constraints a type
        would have created but PostgreSQL never did (the CHECK of a Boolean, which is
        native here) are left alone.
        """
        reused = getattr(batch_impl, "named_constraints", None)
        for constraint in _named_constraints_drop_order(table):
            if reused is not None and constraint.name not in reused:
                continue
            type_rule = type_bound_rule(constraint)
            if type_rule is not None and not type_rule(self):
                continue
            self.drop_constraint(constraint)


def _named_constraints_drop_order(table: Table) -> list[Constraint]:
    named = [c for c in table.constraints if c.name is not None]

    def rank(constraint: Constraint) -> tuple[int, int]:
        if isinstance(constraint, ForeignKeyConstraint):
            kind = 2
        elif isinstance(constraint, PrimaryKeyConstraint):
            kind = 1
        else:
            kind = 0
        return kind, getattr(constraint, "_creation_order", 0)

    return sorted(named, key=rank)


# --------------------------------------------------------------------------- identity

_IDENTITY_ATTRIBUTES = (
    "always",
    "cache",
    "cycle",
    "increment",
    "maxvalue",
    "minvalue",
    "nomaxvalue",
    "nominvalue",
    "start",
)


def _identity_clause(attribute: str, value: Any) -> str | None:
    if attribute == "always":
        return "SET GENERATED ALWAYS" if value else "SET GENERATED BY DEFAULT"
    if value is None:
        return None
    if attribute == "cycle":
        return "SET CYCLE" if value else "SET NO CYCLE"
    if attribute in ("nomaxvalue", "nominvalue"):
        return f"SET NO {attribute[2:].upper()}" if value else None
    words = {
        "cache": "CACHE",
        "increment": "INCREMENT BY",
        "maxvalue": "MAXVALUE",
        "minvalue": "MINVALUE",
        "start": "START WITH",
    }
    return f"SET {words[attribute]} {value}"


def identity_changes(new: Identity, old: Identity) -> list[str]:
    """The ``SET ...`` clauses that turn identity ``old`` into ``new``."""
    clauses: list[str] = []
    for attribute in _IDENTITY_ATTRIBUTES:
        value = getattr(new, attribute, None)
        if value == getattr(old, attribute, None):
            continue
        clause = _identity_clause(attribute, value)
        if clause is not None and clause not in clauses:
            clauses.append(clause)
    return clauses


# --------------------------------------------------------------------------- SQL


@el.compiles(el.ColumnType, _PG)
def _column_type(element: el.ColumnType, compiler: DDLCompiler, **kw: Any) -> str:
    text = f"{el._alter_column(compiler, element)} TYPE {el.format_type(compiler, element.type_)}"
    if element.using is not None:
        using = element.using
        if not isinstance(using, str):
            using = compiler.sql_compiler.process(using, literal_binds=True, include_table=False)
        text += f" USING {using}"
    return text


@el.compiles(el.ColumnName, _PG)
def _column_name(element: el.ColumnName, compiler: DDLCompiler, **kw: Any) -> str:
    old = el.format_column(compiler, element.column_name)
    new = el.format_column(compiler, element.newname)
    return f"{el._alter_table(compiler, element)} RENAME {old} TO {new}"


@el.compiles(el.IdentityColumnDefault, _PG)
def _identity(element: el.IdentityColumnDefault, compiler: DDLCompiler, **kw: Any) -> str:
    head = el._alter_column(compiler, element)
    if element.identity is None:
        return f"{head} DROP IDENTITY"
    if element.existing_identity is None:
        return f"{head} ADD {compiler.process(element.identity)}"
    return f"{head} {' '.join(identity_changes(element.identity, element.existing_identity))}"
