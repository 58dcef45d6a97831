"""A composite foreign key to a table the migration does not define."""

from __future__ import annotations

import io

import sqlalchemy as sa

from engine.operations import Operations
from engine.runtime.migration import MigrationContext


def test_create_table_with_composite_fk_to_unknown_table():
    buf = io.StringIO()
    ctx = MigrationContext.configure(
        dialect_name="postgresql", opts={"as_sql": True, "output_buffer": buf}
    )
    Operations(ctx).create_table(
        "child",
        sa.Column("a", sa.Integer),
        sa.Column("b", sa.Integer),
        sa.ForeignKeyConstraint(["a", "b"], ["parent.x", "parent.y"]),
    )
    assert "FOREIGN KEY(a, b) REFERENCES parent (x, y)" in buf.getvalue()
