"""Throwaway MetaData whose foreign keys' referent tables appear when looked up.

A directive builds its Table on a fresh MetaData (engine/operations/schemaobj.py).
A foreign key to a table that MetaData does not hold would not resolve
(``fk.column`` raises), so Alembic adds a placeholder ``Table(name, Column(col,
NULLTYPE))`` for each referent as the directive's Table is built, whether or not
anything ever resolves it. Built eagerly, that placeholder is a second Table per
foreign-keyed ``create_table`` (about 40 objects, and a third of the cost of
building the real one), while the commonest renderings never look at it: the
plain-DDL path writes ``REFERENCES`` from the key's own text.

``ReferentMetaData`` makes the same placeholder at the moment SQLAlchemy first asks
whether the referent's table is there: ``ForeignKey.column`` checks ``tablekey in
metadata`` before it looks the table up, and every resolution (the DDL compiler's
``REFERENCES``, ``ForeignKeyConstraint.referred_table``, a user's ``fk.column``)
goes through it. The placeholder gets every column that this MetaData's foreign
keys name in that table, so composite keys resolve too. Anything that does resolve
a key sees what Alembic's eager placeholder would give; ``metadata.tables`` lists a
placeholder only once it has been asked for.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import schema as sa_schema
from sqlalchemy import types as sqltypes
from sqlalchemy.schema import ForeignKeyConstraint


def table_key(schema: str | None, name: str) -> str:
    return f"{schema}.{name}" if schema else name


def named_target(fk: sa_schema.ForeignKey) -> tuple[str | None, str, str | None] | None:
    """``(schema, table, column)`` of a foreign key given its target by name (a
    dotted string or, on SQLAlchemy 2.1, tokens); None when it was given a Column,
    which is its own referent."""
    if hasattr(fk, "target_tokens"):  # SQLAlchemy 2.1
        if fk.target_column is not None:
            return None
        schema, table, column = fk.target_tokens
    else:
        if not isinstance(fk._colspec, str):
            return None
        schema, table, column = fk._column_tokens
    return schema, table, column


class ReferentMetaData(sa_schema.MetaData):
    """A MetaData that adds referent placeholders on demand; see the module."""

    _making_referent = False

    def __contains__(self, table_or_key: Any) -> bool:
        key = table_or_key if isinstance(table_or_key, str) else table_or_key.key
        if key not in self.tables and not self._making_referent:
            self._add_referent(key)
        return key in self.tables

    def _add_referent(self, key: str) -> None:
        """A placeholder for ``key`` with the columns this MetaData's string foreign
        keys name in it; nothing when none of them points there."""
        schema: str | None = None
        name = ""
        columns: list[str] = []
        for table in list(self.tables.values()):
            # in creation order, so the placeholder's columns come out the same each time
            keys = [c for c in table._sorted_constraints if isinstance(c, ForeignKeyConstraint)]
            for fk in [element for constraint in keys for element in constraint.elements]:
                target = named_target(fk)
                if target is None or table_key(target[0], target[1]) != key:
                    continue
                schema, name, column = target
                if column is None:  # ForeignKey("parent"): the local column's key
                    column = fk.parent.key
                if column not in columns:
                    columns.append(column)
        if not columns:
            return
        self._making_referent = True
        try:
            sa_schema.Table(
                name,
                self,
                *[sa_schema.Column(column, sqltypes.NULLTYPE) for column in columns],
                schema=schema,
            )
        finally:
            self._making_referent = False
