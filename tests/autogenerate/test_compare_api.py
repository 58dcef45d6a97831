"""The comparison API: AutogenContext, produce_migrations' structure, filters, the
comparator registry, autogenerate_script / RevisionContext, and the dialect-aware
type and default normalisation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite

from engine.autogenerate import (
    AutogenContext,
    RevisionContext,
    autogenerate_script,
    comparators,
    compare_metadata,
    produce_migrations,
)
from engine.autogenerate.compare_defaults import normalize_default
from engine.autogenerate.compare_types import types_differ
from engine.config import Config
from engine.errors import CommandError
from engine.operations import ops
from engine.runtime.migration import MigrationContext
from engine.scripts.directory import ScriptDirectory
from engine.scripts.init import init_project


def _before(md: sa.MetaData) -> None:
    sa.Table("parent", md, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "child",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(20)),
        sa.Column("old", sa.Integer),
        sa.Index("ix_child_name", "name"),
    )
    sa.Table("gone", md, sa.Column("id", sa.Integer, primary_key=True))


def _after() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table("parent", md, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "child",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("parent_id", sa.ForeignKey("parent.id")),
        sa.Index("ix_child_name", "name", "parent_id"),
    )
    sa.Table("fresh", md, sa.Column("id", sa.Integer, primary_key=True))
    return md


@pytest.fixture
def before_db(ag_engine: sa.Engine) -> sa.Engine:
    md = sa.MetaData()
    _before(md)
    md.create_all(ag_engine)
    return ag_engine


def test_produce_migrations_groups_per_table_and_reverses(before_db: sa.Engine) -> None:
    with before_db.connect() as conn:
        script = produce_migrations(MigrationContext.configure(conn), _after())
    up = script.upgrade_ops.ops
    assert isinstance(up[0], ops.CreateTableOp) and up[0].table_name == "fresh"
    assert isinstance(up[-1], ops.DropTableOp) and up[-1].table_name == "gone"
    (child,) = [o for o in up if isinstance(o, ops.ModifyTableOps)]
    assert child.table_name == "child"
    kinds = [type(o).__name__ for o in child.ops]
    # constraints that depend on columns go first and come back last
    assert kinds == [
        "DropIndexOp",
        "AddColumnOp",
        "AlterColumnOp",
        "DropColumnOp",
        "CreateIndexOp",
        "CreateForeignKeyOp",
    ]
    down = script.downgrade_ops.ops
    assert isinstance(down[0], ops.CreateTableOp) and down[0].table_name == "gone"
    assert isinstance(down[-1], ops.DropTableOp) and down[-1].table_name == "fresh"
    (child_down,) = [o for o in down if isinstance(o, ops.ModifyTableOps)]
    assert [type(o).__name__ for o in child_down.ops] == [
        "DropConstraintOp",
        "DropIndexOp",
        "AddColumnOp",
        "AlterColumnOp",
        "DropColumnOp",
        "CreateIndexOp",
    ]
    alter = child_down.ops[3]
    assert alter.modify_nullable is True and isinstance(alter.modify_type, sa.VARCHAR)


def test_compare_metadata_nests_column_changes(before_db: sa.Engine) -> None:
    with before_db.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), _after())
    nested = [d for d in diffs if isinstance(d, list)]
    assert len(nested) == 1
    assert [d[0] for d in nested[0]] == ["modify_type", "modify_nullable"]
    kind, schema, table, column, existing, old, new = nested[0][0]
    assert (schema, table, column) == (None, "child", "name")
    assert existing["existing_nullable"] is True
    assert isinstance(new, sa.String) and new.length == 40
    flat = {d[0] for d in diffs if isinstance(d, tuple)}
    assert {"add_table", "remove_table", "add_column", "remove_column", "add_fk"} <= flat


def test_filters_see_both_sides(before_db: sa.Engine) -> None:
    objects: list[tuple[str, Any, bool, bool]] = []
    names: list[tuple[Any, str, dict[str, Any]]] = []

    def include_object(obj: Any, name: Any, type_: str, reflected: bool, compare_to: Any) -> bool:
        objects.append((type_, name, reflected, compare_to is not None))
        return not (type_ == "column" and name == "old")

    def include_name(name: Any, type_: str, parents: dict[str, Any]) -> bool:
        names.append((name, type_, parents))
        return True

    with before_db.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"include_object": include_object, "include_name": include_name}
        )
        diffs = compare_metadata(ctx, _after())
    assert ("remove_column", None, "child") not in {d[:3] for d in diffs if isinstance(d, tuple)}
    assert ("table", "fresh", False, False) in objects
    assert ("table", "gone", True, False) in objects
    assert ("table", "child", False, True) in objects
    assert ("column", "name", False, True) in objects
    column_names = [n for n in names if n[1] == "column"]
    assert column_names[0][2]["schema_qualified_table_name"] in {"child", "parent"}
    assert ("gone", "table", {"schema_name": None}) in names


def test_custom_comparator_runs(before_db: sa.Engine) -> None:
    @comparators.dispatch_for("table")
    def flag_tables(autogen_context, modify_ops, schema, tname, conn_table, meta_table):  # noqa: ANN001
        if conn_table is not None and meta_table is not None and tname == "parent":
            modify_ops.ops.append(ops.CreateTableCommentOp("parent", "flagged"))

    try:
        with before_db.connect() as conn:
            script = produce_migrations(MigrationContext.configure(conn), _after())
    finally:
        comparators.remove(flag_tables)
    parent = [
        o
        for o in script.upgrade_ops.ops
        if isinstance(o, ops.ModifyTableOps) and o.table_name == "parent"
    ]
    assert len(parent) == 1 and isinstance(parent[0].ops[0], ops.CreateTableCommentOp)


def test_autogen_context_refuses_offline_and_missing_metadata() -> None:
    offline = MigrationContext.configure(dialect_name="sqlite", opts={"as_sql": True})
    with pytest.raises(CommandError, match="as_sql=True"):
        AutogenContext(offline, sa.MetaData())
    online = MigrationContext.configure(dialect_name="sqlite")
    with pytest.raises(CommandError, match="MetaData"):
        AutogenContext(online)
    render_only = AutogenContext(None, autogenerate=False)
    assert render_only.imports == set()


def test_duplicate_tables_across_metadata_list() -> None:
    first, second = sa.MetaData(), sa.MetaData()
    sa.Table("t", first, sa.Column("id", sa.Integer))
    sa.Table("t", second, sa.Column("id", sa.Integer))
    ctx = MigrationContext.configure(dialect_name="sqlite")
    with pytest.raises(ValueError, match="Duplicate table keys"):
        _ = AutogenContext(ctx, [first, second]).table_key_to_table


# ------------------------------------------------------------------ revisions


def _project(tmp_path: Path, url: str) -> tuple[Config, ScriptDirectory]:
    init_project(tmp_path / "migrations", "generic", config_file=tmp_path / "alembic.ini")
    ini = tmp_path / "alembic.ini"
    text = ini.read_text().replace("driver://user:pass@localhost/dbname", url)
    ini.write_text(text)
    config = Config(str(ini))
    script = ScriptDirectory.from_config(config)
    script.generate_revision(
        "aaa1", "first", head="base", upgrades=None, downgrades=None, imports=""
    )
    return config, ScriptDirectory.from_config(config)


def test_autogenerate_script_needs_the_database_at_head(
    tmp_path: Path, ag_sqlite: sa.Engine
) -> None:
    config, script = _project(tmp_path, str(ag_sqlite.url))
    model = sa.MetaData()
    sa.Table("fresh", model, sa.Column("id", sa.Integer, primary_key=True))
    with ag_sqlite.begin() as conn:
        ctx = MigrationContext.configure(conn, opts={"script": script, "target_metadata": model})
        with pytest.raises(CommandError, match="Target database is not up to date."):
            autogenerate_script(ctx, rev_id="bbb2", message="m")
        ctx.stamp(script, "head")
        result = autogenerate_script(ctx, rev_id="bbb2", message="add fresh")
    assert result is not None
    assert result.rev_id == "bbb2" and result.message == "add fresh"
    assert [type(o).__name__ for o in result.upgrade_ops.ops] == ["CreateTableOp"]
    assert [type(o).__name__ for o in result.downgrade_ops.ops] == ["DropTableOp"]


def test_process_revision_directives_can_drop_the_script(
    tmp_path: Path, ag_sqlite: sa.Engine
) -> None:
    config, script = _project(tmp_path, str(ag_sqlite.url))
    seen: list[Any] = []

    def skip_empty(context: Any, revision: Any, directives: list[Any]) -> None:
        seen.append(tuple(revision))
        if directives[0].upgrade_ops.is_empty():
            directives[:] = []

    with ag_sqlite.begin() as conn:
        ctx = MigrationContext.configure(
            conn,
            opts={
                "script": script,
                "target_metadata": sa.MetaData(),
                "process_revision_directives": skip_empty,
            },
        )
        ctx.stamp(script, "head")
        assert autogenerate_script(ctx, rev_id="ccc3", message="nothing") is None
    assert seen == [("aaa1",)]


def test_revision_context_without_autogenerate_writes_blank(
    tmp_path: Path, ag_sqlite: sa.Engine
) -> None:
    config, script = _project(tmp_path, str(ag_sqlite.url))
    revision_context = RevisionContext(
        config, script, {"rev_id": "ddd4", "message": "blank", "head": "head"}
    )
    with ag_sqlite.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"script": script})
        revision_context.run_no_autogenerate(("aaa1",), ctx)
    (written,) = list(revision_context.generate_scripts())
    assert written.revision == "ddd4"
    assert written.down_revision == "aaa1"


# ------------------------------------------------------------------ normalising


@pytest.mark.parametrize(
    ("dialect", "reflected", "model", "differ"),
    [
        (postgresql.dialect(), postgresql.DOUBLE_PRECISION(53), sa.Float(), False),
        (postgresql.dialect(), sa.REAL(), sa.Float(precision=24), False),
        (postgresql.dialect(), sa.TIMESTAMP(), sa.DateTime(timezone=True), True),
        (postgresql.dialect(), sa.VARCHAR(50), sa.String(50), False),
        (postgresql.dialect(), sa.VARCHAR(50), sa.String(60), True),
        (postgresql.dialect(), postgresql.ARRAY(sa.INTEGER()), postgresql.ARRAY(sa.Integer), False),
        (mysql.dialect(), mysql.TINYINT(display_width=1), sa.Boolean(), False),
        (mysql.dialect(), mysql.INTEGER(display_width=11), sa.Integer(), False),
        (mysql.dialect(), mysql.DECIMAL(10, 0), sa.Numeric(), False),
        (mysql.dialect(), mysql.DECIMAL(10, 0), sa.Numeric(10), False),
        (mysql.dialect(), mysql.DECIMAL(10, 2), sa.Numeric(12, 2), True),
        (mysql.dialect(), mysql.LONGTEXT(collation="utf8mb4_bin"), sa.JSON(), False),
        (mysql.dialect(), mysql.VARCHAR(20, collation="utf8mb4_bin"), sa.String(20), False),
        (
            mysql.dialect(),
            mysql.VARCHAR(20, collation="utf8mb4_bin"),
            sa.String(20, collation="utf8mb4_unicode_ci"),
            True,
        ),
        (mysql.dialect(), mysql.ENUM("a", "b"), sa.Enum("a", "b"), False),
        (mysql.dialect(), mysql.ENUM("a", "b"), sa.Enum("a", "B"), True),
        (mysql.dialect(), mysql.INTEGER(unsigned=True), sa.Integer(), True),
        (sqlite.dialect(), sa.VARCHAR(2), sa.Enum("a", "bb"), False),
        (sqlite.dialect(), sa.NUMERIC(), sa.Numeric(), False),
        (sqlite.dialect(), sa.INTEGER(), sa.String(10), True),
    ],
)
def test_types_differ(dialect: Any, reflected: Any, model: Any, differ: bool) -> None:
    assert types_differ(dialect, reflected, model) is differ


@pytest.mark.parametrize(
    ("dialect", "reflected", "rendered", "same"),
    [
        ("postgresql", "'abc'::character varying", "'abc'", True),
        ("postgresql", "'0'::numeric", "'0'", True),
        ("postgresql", "now()", "CURRENT_TIMESTAMP", True),
        (
            "postgresql",
            "'2020-01-01 00:00:00'::timestamp without time zone",
            "'2020-01-01 00:00:00'",
            True,
        ),
        ("postgresql", "'a::b'::text", "'a::b'", True),
        ("postgresql", "'abc'::character varying", "'abd'", False),
        ("mysql", "0.00", "'0'", True),
        ("mysql", "1", "true", True),
        ("mysql", "current_timestamp()", "now()", True),
        ("mysql", "'it''s'", "'it''s'", True),
        ("sqlite", "(datetime('now'))", "datetime('now')", True),
        ("sqlite", "'5'", "5", True),
        ("sqlite", "'A'", "'a'", False),
    ],
)
def test_default_normalisation(dialect: str, reflected: str, rendered: str, same: bool) -> None:
    assert (normalize_default(reflected, dialect) == normalize_default(rendered, dialect)) is same
