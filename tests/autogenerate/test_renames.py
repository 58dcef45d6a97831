"""Rename candidates (engine.autogenerate.renames) on SQLite, PostgreSQL and MariaDB.

A table and a column are renamed in the models; the comparison proposes both
renames; refused they stay a drop and an add (what Alembic writes, checked
against Alembic's own ``compare_metadata``); accepted the revision renames, the
rows survive the upgrade, a second comparison finds nothing, and the downgrade
renames back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from engine import commands
from engine.autogenerate.api import produce_migrations
from engine.autogenerate.commands import check
from engine.autogenerate.renames import (
    RenameCandidate,
    accept_all,
    column_score,
    rename_candidates,
    table_score,
    type_family,
)
from engine.operations import ops
from engine.runtime.migration import MigrationContext
from tests.autogenerate.commands_project import ag_project, set_models

V1 = """
parent = sa.Table("parent", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(40), nullable=False, index=True),
    sa.Column("score", sa.Integer),
)
child = sa.Table("child", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("parent_id", sa.Integer, sa.ForeignKey("parent.id")),
    sa.Column("nick", sa.String(20), nullable=False),
    sa.Column("qty", sa.Integer, nullable=False, server_default="1"),
)
"""

# parent -> guardian (same columns), child.nick -> child.handle (same type, place)
V2 = """
guardian = sa.Table("guardian", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(40), nullable=False, index=True),
    sa.Column("score", sa.Integer),
)
child = sa.Table("child", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("parent_id", sa.Integer, sa.ForeignKey("guardian.id")),
    sa.Column("handle", sa.String(20), nullable=False),
    sa.Column("qty", sa.Integer, nullable=False, server_default="1"),
)
"""


def _metadata(models: str) -> sa.MetaData:
    namespace: dict[str, Any] = {"sa": sa, "metadata": sa.MetaData()}
    exec(models, namespace)
    return namespace["metadata"]


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _leaves(container: ops.OpContainer) -> list[ops.MigrateOperation]:
    out: list[ops.MigrateOperation] = []
    for op in container.ops:
        out.extend(_leaves(op) if isinstance(op, ops.OpContainer) else [op])
    return out


def _produce(engine: Engine, models: str) -> ops.MigrationScript:
    with engine.connect() as conn:
        return produce_migrations(MigrationContext.configure(connection=conn), _metadata(models))


def _body(path: str, fn: str) -> str:
    text = Path(path).read_text()
    return text.split(f"def {fn}()")[1].split("\n\n\ndef ")[0]


def _rows(engine: Engine, sql: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql)]


def test_candidates_are_found_and_refused_ones_stay_drop_and_add(ag_engine: Engine) -> None:
    _metadata(V1).create_all(ag_engine)
    script = _produce(ag_engine, V2)
    found = rename_candidates(script)
    assert [(c.kind, c.schema, c.table, c.old, c.new, c.accepted) for c in found] == [
        ("table", None, "parent", "parent", "guardian", False),
        ("column", None, "child", "nick", "handle", False),
    ]
    assert found[0].score == 1.0
    assert 0.9 <= found[1].score <= 1.0  # same type, same place; names unalike
    assert found[0].question == "Did you rename table parent to guardian?"
    assert found[1].question == "Did you rename column child.nick to child.handle?"
    kinds = {
        (type(op).__name__, getattr(op, "table_name", None)) for op in _leaves(script.upgrade_ops)
    }
    assert ("DropTableOp", "parent") in kinds and ("CreateTableOp", "guardian") in kinds
    leaves = _leaves(script.upgrade_ops)
    assert any(isinstance(op, ops.DropColumnOp) and op.column_name == "nick" for op in leaves)
    assert any(isinstance(op, ops.AddColumnOp) and op.column.name == "handle" for op in leaves)
    assert not any(isinstance(op, (ops.RenameTableOp, ops.AlterColumnOp)) for op in leaves)


def test_refused_renames_match_alembic_drop_and_add(ag_engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata as alembic_compare
    from alembic.migration import MigrationContext as AlembicContext

    _metadata(V1).create_all(ag_engine)
    ours = {
        (d[0], d[2] if d[0].endswith("column") else d[1].name)
        for d in _produce(ag_engine, V2).upgrade_ops.as_diffs()
        if d[0] in ("add_table", "remove_table", "add_column", "remove_column")
    }
    with ag_engine.connect() as conn:
        theirs = {
            (d[0], d[2] if d[0].endswith("column") else d[1].name)
            for d in alembic_compare(AlembicContext.configure(conn), _metadata(V2))
            if not isinstance(d, list)
            and d[0] in ("add_table", "remove_table", "add_column", "remove_column")
        }
    assert (
        ours
        == theirs
        == {
            ("add_table", "guardian"),
            ("remove_table", "parent"),
            ("add_column", "child"),
            ("remove_column", "child"),
        }
    )


def test_accepted_renames_keep_the_rows_and_downgrade_renames_back(
    tmp_path: Path, ag_engine: Engine
) -> None:
    project = ag_project(tmp_path / "p", _url(ag_engine), V1)
    commands.revision(project.config(), "v1", autogenerate=True, rev_id="r1")
    commands.upgrade(project.config(), "head")
    with ag_engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO parent (id, name, score) VALUES (1, 'ann', 7)")
        conn.exec_driver_sql("INSERT INTO child (id, parent_id, nick) VALUES (10, 1, 'kid')")

    set_models(project, V2)
    asked: list[RenameCandidate] = []

    def decide(candidate: RenameCandidate) -> bool:
        asked.append(candidate)
        return True

    script = commands.revision(
        project.config(), "renames", autogenerate=True, rev_id="r2", decide_rename=decide
    )
    assert [c.describe() for c in asked] == [
        "table parent -> guardian",
        "column child.nick -> child.handle",
    ]
    upgrade = _body(script.path, "upgrade")
    assert "op.rename_table('parent', 'guardian')" in upgrade
    assert "new_column_name='handle'" in upgrade
    assert "existing_type=" in upgrade and "existing_nullable=False" in upgrade
    # the foreign key child.parent_id follows the renamed table: no drop + re-create
    for lost in ("drop_table", "create_table", "drop_column", "add_column", "foreign"):
        assert lost not in upgrade, upgrade
    downgrade = _body(script.path, "downgrade")
    assert "op.rename_table('guardian', 'parent')" in downgrade
    assert "new_column_name='nick'" in downgrade

    commands.upgrade(project.config(), "head")
    assert _rows(ag_engine, "SELECT id, name, score FROM guardian") == [(1, "ann", 7)]
    assert _rows(ag_engine, "SELECT id, parent_id, handle FROM child") == [(10, 1, "kid")]
    assert check(project.config()) == []  # nothing left: the renamed schema is the model

    commands.downgrade(project.config(), "r1")
    assert _rows(ag_engine, "SELECT id, name, score FROM parent") == [(1, "ann", 7)]
    assert _rows(ag_engine, "SELECT id, parent_id, nick FROM child") == [(10, 1, "kid")]
    leftover = [
        d
        for d in _produce(ag_engine, V1).upgrade_ops.as_diffs()
        if "alembic_version" not in repr(d)
    ]
    assert leftover == []


def test_refused_renames_write_drop_and_add(tmp_path: Path, sqlite_url: str) -> None:
    project = ag_project(tmp_path / "p", sqlite_url, V1)
    commands.revision(project.config(), "v1", autogenerate=True, rev_id="r1")
    commands.upgrade(project.config(), "head")
    set_models(project, V2)
    script = commands.revision(
        project.config(), "no", autogenerate=True, rev_id="r2", decide_rename=lambda c: False
    )
    upgrade = _body(script.path, "upgrade")
    assert "op.create_table('guardian'," in upgrade and "op.drop_table('parent')" in upgrade
    assert "op.add_column('child'" in upgrade and "op.drop_column('child', 'nick')" in upgrade
    assert "rename_table" not in upgrade and "new_column_name" not in upgrade


def test_table_accepted_column_refused(tmp_path: Path, sqlite_url: str) -> None:
    project = ag_project(tmp_path / "p", sqlite_url, V1)
    commands.revision(project.config(), "v1", autogenerate=True, rev_id="r1")
    commands.upgrade(project.config(), "head")
    set_models(project, V2)
    script = commands.revision(
        project.config(),
        "mixed",
        autogenerate=True,
        rev_id="r2",
        decide_rename=lambda c: c.kind == "table",
    )
    upgrade = _body(script.path, "upgrade")
    assert "op.rename_table('parent', 'guardian')" in upgrade
    assert "op.drop_column('child', 'nick')" in upgrade
    assert "new_column_name" not in upgrade


def test_renamed_table_with_a_renamed_column_and_a_wider_type(
    tmp_path: Path, ag_pg: Engine
) -> None:
    """Columns are looked for in a table accepted as renamed; a column rename
    carries the type change found between the two columns."""
    project = ag_project(tmp_path / "p", _url(ag_pg), V1)
    commands.revision(project.config(), "v1", autogenerate=True, rev_id="r1")
    commands.upgrade(project.config(), "head")
    engine = ag_pg
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO parent (id, name, score) VALUES (1, 'ann', 7)")
    v3 = V2.replace('sa.Column("name", sa.String(40)', 'sa.Column("title", sa.String(80)')
    set_models(project, v3)
    script = commands.revision(
        project.config(), "r", autogenerate=True, rev_id="r2", decide_rename=accept_all
    )
    upgrade = _body(script.path, "upgrade")
    assert "op.rename_table('parent', 'guardian')" in upgrade
    assert "op.alter_column('guardian', 'name'," in upgrade
    assert "new_column_name='title'" in upgrade and "type_=sa.String(length=80)" in upgrade
    commands.upgrade(project.config(), "head")
    assert _rows(engine, "SELECT id, title, score FROM guardian") == [(1, "ann", 7)]
    assert check(project.config()) == []
    commands.downgrade(project.config(), "r1")
    assert _rows(engine, "SELECT id, name, score FROM parent") == [(1, "ann", 7)]


# ------------------------------------------------------------------ pure scoring


def _table(name: str, *cols: sa.Column[Any]) -> sa.Table:
    return sa.Table(name, sa.MetaData(), *cols)


def test_type_families() -> None:
    from sqlalchemy.dialects import mysql, postgresql

    assert type_family(sa.String(20)) == type_family(sa.Text()) == "string"
    assert type_family(sa.BigInteger()) == type_family(postgresql.INTEGER()) == "integer"
    assert type_family(sa.Float()) == type_family(sa.Numeric(10, 2)) == "numeric"
    assert type_family(sa.DateTime()) == type_family(postgresql.TIMESTAMP()) == "datetime"
    assert type_family(sa.Boolean()) == "boolean"
    assert type_family(sa.Boolean(), "mysql") == type_family(mysql.TINYINT(), "mysql")


def test_table_score_needs_most_columns_by_name_and_family() -> None:
    old = _table(
        "a", sa.Column("id", sa.Integer), sa.Column("x", sa.String(5)), sa.Column("y", sa.Integer)
    )
    assert table_score(None, old, _table("b", *(sa.Column(c.name, c.type) for c in old.c))) == 1.0
    two_of_three = _table(
        "b", sa.Column("id", sa.Integer), sa.Column("x", sa.Text), sa.Column("z", sa.Integer)
    )
    assert table_score(None, old, two_of_three) == pytest.approx(2 / 3)
    other_types = _table(
        "b", sa.Column("id", sa.String(3)), sa.Column("x", sa.Integer), sa.Column("y", sa.Date)
    )
    assert table_score(None, old, other_types) == 0.0


def test_column_score() -> None:
    old_t = _table(
        "t", sa.Column("id", sa.Integer), sa.Column("nick", sa.String(20), nullable=False)
    )
    new_t = _table(
        "t", sa.Column("id", sa.Integer), sa.Column("handle", sa.String(20), nullable=False)
    )
    same_place = column_score(None, old_t.c.nick, new_t.c.handle)
    assert 0.75 <= same_place <= 1.0
    moved = _table(
        "t", sa.Column("handle", sa.String(20), nullable=False), sa.Column("id", sa.Integer)
    )
    assert column_score(None, old_t.c.nick, moved.c.handle) < same_place
    nullable = _table("t", sa.Column("id", sa.Integer), sa.Column("handle", sa.String(20)))
    assert column_score(None, old_t.c.nick, nullable.c.handle) == 0.0
    other_family = _table(
        "t", sa.Column("id", sa.Integer), sa.Column("handle", sa.Integer, nullable=False)
    )
    assert column_score(None, old_t.c.nick, other_family.c.handle) == 0.0


def test_columns_pair_by_best_score(ag_sqlite: Engine) -> None:
    sa.Table(
        "t",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("a", sa.String(10)),
        sa.Column("b", sa.Integer),
    ).create(ag_sqlite)
    models = """
t = sa.Table("t", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("b2", sa.Integer),
    sa.Column("a2", sa.String(10)),
    sa.Column("c", sa.Date),
)
"""
    found = [(c.old, c.new) for c in rename_candidates(_produce(ag_sqlite, models))]
    assert sorted(found) == [("a", "a2"), ("b", "b2")]
