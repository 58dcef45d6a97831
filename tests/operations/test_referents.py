"""Foreign keys of a directive's Table resolve as with Alembic, their referent
placeholders made only when first looked up (engine/operations/referents.py).
Real Alembic is the oracle: the same ``create_table`` through both, then the keys
resolved and the two MetaDatas compared."""

from __future__ import annotations

import io
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.operations import Operations as AlembicOperations
from alembic.runtime.migration import MigrationContext as AlembicContext

from engine.operations import Operations
from engine.operations.referents import ReferentMetaData
from engine.runtime.migration import MigrationContext


def _ours(*items: Any, **kw: Any) -> tuple[sa.Table, str]:
    buf = io.StringIO()
    ctx = MigrationContext.configure(
        dialect_name="postgresql", opts={"as_sql": True, "output_buffer": buf}
    )
    return Operations(ctx).create_table("child", *items, **kw), buf.getvalue()


def _alembic(*items: Any, **kw: Any) -> tuple[sa.Table, str]:
    buf = io.StringIO()
    ctx = AlembicContext.configure(
        dialect_name="postgresql", opts={"as_sql": True, "output_buffer": buf}
    )
    return AlembicOperations(ctx).create_table("child", *items, **kw), buf.getvalue()


def _shape(table: sa.Table) -> dict[str, list[tuple[str, str]]]:
    """Every table of the MetaData with its columns (name, type), after resolving
    every foreign key of ``table``."""
    for fk in table.foreign_keys:
        assert fk.column.table.metadata is table.metadata
    return {
        key: sorted((c.name, repr(c.type)) for c in t.columns)
        for key, t in table.metadata.tables.items()
    }


CASES = {
    "plain": lambda: (
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.Integer),
        sa.ForeignKeyConstraint(["parent_id"], ["parent.id"], name="fk_parent"),
    ),
    "column-level": lambda: (
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("parent.id", ondelete="CASCADE")),
    ),
    "schema-qualified": lambda: (
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("accounts.owner.id")),
    ),
    "composite": lambda: (
        sa.Column("a", sa.Integer),
        sa.Column("b", sa.Integer),
        sa.ForeignKeyConstraint(["a", "b"], ["parent.x", "parent.y"]),
    ),
    "two referents": lambda: (
        sa.Column("a", sa.Integer, sa.ForeignKey("one.id")),
        sa.Column("b", sa.Integer, sa.ForeignKey("two.id")),
        sa.Column("c", sa.Integer, sa.ForeignKey("one.code")),
    ),
    "self-referencing": lambda: (
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("child.id")),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_resolved_metadata_and_sql_match_alembic(case: str) -> None:
    ours, our_sql = _ours(*CASES[case]())
    theirs, their_sql = _alembic(*CASES[case]())
    assert isinstance(ours.metadata, ReferentMetaData)
    assert our_sql == their_sql
    assert _shape(ours) == _shape(theirs)


def test_self_reference_to_a_missing_column_fails_as_alembic_does() -> None:
    """Alembic gives the table itself a NULLTYPE column for a key to a column it
    lacks, which CREATE TABLE then cannot render: the same error here."""

    def items() -> tuple[Any, ...]:
        return (
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("parent_code", sa.String(5), sa.ForeignKey("child.code")),
        )

    with pytest.raises(sa.exc.CompileError) as ours:
        _ours(*items())
    with pytest.raises(sa.exc.CompileError) as theirs:
        _alembic(*items())
    assert str(ours.value) == str(theirs.value)
    assert "column 'code'" in str(ours.value)


def test_placeholder_made_when_first_looked_up() -> None:
    table, _ = _ours(
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("a", sa.Integer),
        sa.Column("b", sa.Integer),
        sa.ForeignKeyConstraint(["a", "b"], ["s.parent.x", "s.parent.y"]),
    )
    # written with plain DDL: nothing needed the referent yet
    assert list(table.metadata.tables) == ["child"]
    constraint = next(iter(table.foreign_key_constraints))
    referent = constraint.referred_table
    assert (referent.schema, referent.name) == ("s", "parent")
    assert [c.name for c in referent.columns] == ["x", "y"]
    assert all(isinstance(c.type, sa.types.NullType) for c in referent.columns)
    assert [fk.column for fk in constraint.elements] == [referent.c.x, referent.c.y]
    assert sorted(table.metadata.tables) == ["child", "s.parent"]


def test_a_table_no_key_points_at_stays_absent() -> None:
    metadata = ReferentMetaData()
    sa.Table("t", metadata, sa.Column("r", sa.Integer, sa.ForeignKey("r.id")))
    assert "elsewhere" not in metadata
    assert sorted(metadata.tables) == ["t"]
    assert "r" in metadata
    assert sorted(metadata.tables) == ["r", "t"]


def test_sqlalchemy_compiles_against_the_placeholder() -> None:
    """SQLAlchemy's own compile resolves the key through the placeholder."""
    metadata = ReferentMetaData()
    table = sa.Table(
        "child",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("p", sa.Integer, sa.ForeignKey("s.parent.id", deferrable=True)),
    )
    ddl = str(sa.schema.CreateTable(table).compile(dialect=sa.dialects.postgresql.dialect()))
    assert "FOREIGN KEY(p) REFERENCES s.parent (id) DEFERRABLE" in ddl
    assert sorted(metadata.tables) == ["child", "s.parent"]
