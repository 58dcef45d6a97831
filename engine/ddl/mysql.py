"""MySQL and MariaDB: ``MODIFY`` / ``CHANGE`` restate the whole column.

MySQL cannot change one property of a column: ``ALTER TABLE t MODIFY c <type>
<NULL|NOT NULL> [AUTO_INCREMENT] [DEFAULT ..] [COMMENT ..]`` replaces the whole
definition (``CHANGE old new ...`` also renames). So every alter needs the
column's existing type, and takes the other existing_* values for whatever is
not being changed. Only a lone default change uses ``ALTER COLUMN .. SET/DROP
DEFAULT``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.schema import (
    CheckConstraint,
    Computed,
    Constraint,
    ForeignKeyConstraint,
    Identity,
    PrimaryKeyConstraint,
    UniqueConstraint,
)
from sqlalchemy.sql.compiler import DDLCompiler
from sqlalchemy.types import TypeEngine

from engine.ddl import elements as el
from engine.ddl.impl import DefaultImpl, type_bound_rule
from engine.errors import CommandError

_NAMES = ("mysql", "mariadb")
_DROPPABLE = (ForeignKeyConstraint, PrimaryKeyConstraint, UniqueConstraint, CheckConstraint)


class MySQLChangeColumn(el.AlterTable):
    """``MODIFY c ...`` (``newname`` None) or ``CHANGE c newname ...``."""

    def __init__(
        self,
        table_name: str,
        column_name: str,
        *,
        schema: str | None,
        newname: str | None,
        type_: TypeEngine,
        nullable: bool,
        server_default: Any,
        autoincrement: bool | None,
        comment: str | None,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.column_name = column_name
        self.newname = newname
        self.type_ = type_() if isinstance(type_, type) else type_
        self.nullable = nullable
        self.server_default = server_default
        self.autoincrement = autoincrement
        self.comment = comment


class MySQLImpl(DefaultImpl):
    __dialect__ = "mysql"
    transactional_ddl = False

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
        restates_column = (
            name is not None
            or nullable is not None
            or type_ is not None
            or autoincrement is not None
            or comment is not False
        )
        if not restates_column:
            if server_default is not False:
                _reject_generated(column_name, server_default, existing_server_default)
                self._exec(el.ColumnDefault(table_name, column_name, server_default, schema=schema))
            return
        column_type = type_ if type_ is not None else existing_type
        if column_type is None:
            raise CommandError(
                "All MySQL CHANGE/MODIFY COLUMN operations require the existing type.",
                hint=f"Pass existing_type= for column {column_name!r} (and existing_nullable=, "
                "existing_server_default=, existing_comment= to keep them).",
            )
        default = server_default if server_default is not False else existing_server_default
        if server_default is not False:
            _reject_generated(column_name, server_default, existing_server_default)
        else:
            _reject_generated(column_name, default, None)
        self._exec(
            MySQLChangeColumn(
                table_name,
                column_name,
                schema=schema,
                newname=name,
                type_=column_type,
                nullable=_first_given(nullable, existing_nullable, True),
                server_default=default,
                autoincrement=_first_given(autoincrement, existing_autoincrement, None),
                comment=comment if comment is not False else existing_comment,
            )
        )

    def drop_constraint(self, const: Constraint, **kw: Any) -> None:
        if not isinstance(const, _DROPPABLE):
            raise CommandError(
                "No generic 'DROP CONSTRAINT' in MySQL - please specify constraint type",
                hint="Pass type_='foreignkey', 'unique', 'check' or 'primary'.",
            )
        if type_bound_rule(const) is not None:
            # the CHECK a Boolean/Enum type carries goes with the column's MODIFY;
            # like Alembic, no separate DROP for it on MySQL
            return
        # MySQL has no IF EXISTS for these; like Alembic, the flag is not rendered.
        super().drop_constraint(const)


class MariaDBImpl(MySQLImpl):
    """MariaDB (``mariadb://`` URLs, or a MySQL dialect that found a MariaDB server)."""

    __dialect__ = "mariadb"


def _first_given(value: Any, existing: Any, fallback: Any) -> Any:
    if value is not None:
        return value
    if existing is not None:
        return existing
    return fallback


def _reject_generated(column_name: str, default: Any, existing: Any) -> None:
    if isinstance(default, Computed) or isinstance(existing, Computed):
        raise CommandError(
            f"Cannot add or remove a computed (GENERATED ALWAYS AS) default on the existing "
            f"column {column_name!r}",
            hint="Drop the column and add it again with the new definition.",
        )
    if isinstance(default, Identity) or isinstance(existing, Identity):
        raise CommandError(
            f"MySQL cannot add, remove or change an identity (GENERATED AS IDENTITY) on the "
            f"existing column {column_name!r}",
            hint="Use autoincrement=True for an AUTO_INCREMENT column.",
        )


# --------------------------------------------------------------------------- SQL


@el.compiles_for(el.RenameTable, *_NAMES)
def _rename_table(element: el.RenameTable, compiler: DDLCompiler, **kw: Any) -> str:
    new = el.format_table(compiler, element.new_table_name, element.schema)
    return f"{el._alter_table(compiler, element)} RENAME TO {new}"


@el.compiles(MySQLChangeColumn)
def _change_column(element: MySQLChangeColumn, compiler: DDLCompiler, **kw: Any) -> str:
    name = el.format_column(compiler, element.column_name)
    if element.newname is not None:
        action = f"CHANGE {name} {el.format_column(compiler, element.newname)}"
    else:
        action = f"MODIFY {name}"
    parts = [
        el._alter_table(compiler, element),
        action,
        el.format_type(compiler, element.type_),
        "NULL" if element.nullable else "NOT NULL",
    ]
    if element.autoincrement:
        parts.append("AUTO_INCREMENT")
    default = el.render_default(compiler, element.server_default)
    if default is not None:
        parts.append(f"DEFAULT {default}")
    if element.comment is not None:
        parts.append(f"COMMENT {el.render_string_literal(compiler, element.comment)}")
    return " ".join(parts)
