"""Operations as plain data: construction, reverse(), from_*/to_* round trips.
Literal inputs only: no database, no migration context."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from engine.errors import CommandError
from engine.operations import ops


def test_info_is_a_per_object_dict() -> None:
    a, b = ops.RenameTableOp("a", "b"), ops.RenameTableOp("a", "b")
    a.info["origin"] = "tui"
    assert a.info == {"origin": "tui"} and b.info == {}


def test_add_column_reverses_to_drop_column_and_back() -> None:
    col = sa.Column("c", sa.Integer, nullable=False)
    add = ops.AddColumnOp("t", col, schema="s", if_not_exists=True)
    drop = add.reverse()
    assert isinstance(drop, ops.DropColumnOp)
    assert (drop.table_name, drop.column_name, drop.schema, drop.if_exists) == ("t", "c", "s", True)
    again = drop.reverse()
    assert isinstance(again, ops.AddColumnOp)
    assert again.column is col and again.if_not_exists is True
    assert add.to_diff_tuple() == ("add_column", "s", "t", col)
    assert drop.to_diff_tuple() == ("remove_column", "s", "t", col)


def test_plain_drop_column_is_irreversible_with_a_clear_error() -> None:
    with pytest.raises(CommandError, match=r"drop_column\('t', 'c'\) cannot be reversed"):
        ops.DropColumnOp("t", "c").reverse()
    # also a NotImplementedError, as Alembic's irreversible ops raise
    with pytest.raises(NotImplementedError):
        ops.DropColumnOp("t", "c").reverse()


@pytest.mark.parametrize(
    "op",
    [
        ops.ExecuteSQLOp("UPDATE t SET x = 1"),
        ops.BulkInsertOp(sa.table("t", sa.column("x")), [{"x": 1}]),
        ops.DropTableOp("t"),
        ops.DropIndexOp("ix", "t"),
        ops.DropConstraintOp("uq", "t", type_="unique"),
    ],
    ids=lambda op: type(op).__name__,
)
def test_irreversible_ops(op: ops.MigrateOperation) -> None:
    with pytest.raises(ops.IrreversibleOperationError) as err:
        op.reverse()
    assert err.value.hint


def test_create_table_reverse_keeps_columns_constraints_and_kw() -> None:
    create = ops.CreateTableOp(
        "account",
        [
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(50), nullable=False),
            sa.UniqueConstraint("name", name="uq_name"),
        ],
        schema="app",
        comment="people",
        mysql_engine="InnoDB",
    )
    drop = create.reverse()
    assert isinstance(drop, ops.DropTableOp)
    assert (drop.table_name, drop.schema, drop.comment) == ("account", "app", "people")
    assert drop.table_kw == {"mysql_engine": "InnoDB"}
    table = drop.reverse().to_table()
    assert table.fullname == "app.account" and table.comment == "people"
    assert [c.name for c in table.c] == ["id", "name"]
    assert {c.name for c in table.constraints if c.name} == {"uq_name"}
    assert table.kwargs["mysql_engine"] == "InnoDB"


def test_create_table_from_table_does_not_duplicate_column_flag_objects() -> None:
    m = sa.MetaData()
    t = sa.Table(
        "t", m, sa.Column("a", sa.Integer, unique=True), sa.Column("b", sa.Integer, index=True)
    )
    op = ops.CreateTableOp.from_table(t)
    rebuilt = op.to_table()
    assert len([c for c in rebuilt.constraints if isinstance(c, sa.UniqueConstraint)]) == 1
    assert rebuilt.indexes == set()  # from_table leaves indexes to CreateIndexOp
    assert op.to_diff_tuple()[0] == "add_table"


def test_rename_table_swaps_names() -> None:
    back = ops.RenameTableOp("old", "new", schema="s").reverse()
    assert (back.table_name, back.new_table_name, back.schema) == ("new", "old", "s")


def test_alter_column_reverse_swaps_existing_and_new_values() -> None:
    op = ops.AlterColumnOp(
        "t",
        "c",
        existing_type=sa.Integer(),
        existing_nullable=True,
        existing_server_default="0",
        existing_comment="old",
        modify_type=sa.BigInteger(),
        modify_nullable=False,
        modify_server_default="1",
        modify_comment="new",
        modify_name="d",
        postgresql_using="c::bigint",
    )
    back = op.reverse()
    assert back.column_name == "d" and back.modify_name == "c"
    assert isinstance(back.modify_type, sa.Integer) and isinstance(
        back.existing_type, sa.BigInteger
    )
    assert (back.modify_nullable, back.existing_nullable) == (True, False)
    assert (back.modify_server_default, back.existing_server_default) == ("0", "1")
    assert (back.modify_comment, back.existing_comment) == ("old", "new")
    assert back.kw == {"postgresql_using": "c::bigint"}
    twice = back.reverse()
    assert (twice.column_name, twice.modify_name) == ("c", "d")
    assert twice.modify_nullable is False and twice.modify_server_default == "1"


def test_alter_column_unchanged_attributes_stay_unchanged_in_reverse() -> None:
    op = ops.AlterColumnOp(
        "t", "c", existing_type=sa.Integer(), existing_nullable=True, modify_nullable=False
    )
    back = op.reverse()
    assert back.modify_nullable is True
    assert back.modify_type is None and back.modify_server_default is False
    assert back.modify_comment is False and back.modify_name is None
    assert isinstance(back.existing_type, sa.Integer)
    assert op.has_changes() and not ops.AlterColumnOp("t", "c").has_changes()


def test_alter_column_diff_tuples() -> None:
    op = ops.AlterColumnOp("t", "c", schema="s", existing_type=sa.Integer(), modify_nullable=True)
    (diff,) = op.to_diff_tuple()
    assert diff[:4] == ("modify_nullable", "s", "t", "c")
    assert diff[5:] == (None, True)


def test_index_ops_reverse() -> None:
    create = ops.CreateIndexOp(
        "ix", "t", ["a", sa.text("lower(b)")], unique=True, schema="s", postgresql_using="btree"
    )
    drop = create.reverse()
    assert isinstance(drop, ops.DropIndexOp)
    assert (drop.index_name, drop.table_name, drop.schema) == ("ix", "t", "s")
    again = drop.reverse()
    assert again.unique is True and again.kw == {"postgresql_using": "btree"}
    idx = again.to_index()
    assert idx.table.fullname == "s.t" and [
        getattr(e, "name", None) or str(e) for e in idx.expressions
    ] == ["a", "lower(b)"]


def test_table_comment_ops_reverse() -> None:
    set_first = ops.CreateTableCommentOp("t", "hello")
    assert isinstance(set_first.reverse(), ops.DropTableCommentOp)
    assert set_first.reverse().existing_comment == "hello"
    replace = ops.CreateTableCommentOp("t", "new", existing_comment="old")
    back = replace.reverse()
    assert (back.comment, back.existing_comment) == ("old", "new")
    drop = ops.DropTableCommentOp("t", existing_comment="old")
    assert drop.reverse().comment == "old"


CONSTRAINT_OPS = [
    ops.CreateUniqueConstraintOp("uq_a", "t", ["a", "b"], schema="s", deferrable=True),
    ops.CreateForeignKeyOp(
        "fk_a",
        "t",
        "r",
        ["a"],
        ["id"],
        ondelete="CASCADE",
        source_schema="s",
        referent_schema="rs",
    ),
    ops.CreateCheckConstraintOp("ck_a", "t", "a > 0", schema="s"),
    ops.CreatePrimaryKeyOp("pk_t", "t", ["a", "b"], schema="s"),
    ops.CreateExcludeConstraintOp(
        "ex", "t", [("a", "="), ("b", "&&")], where="a > 0", using="gist"
    ),
]
DROP_TYPES = ["unique", "foreignkey", "check", "primary", None]


@pytest.mark.parametrize(
    ("create", "type_"),
    list(zip(CONSTRAINT_OPS, DROP_TYPES, strict=True)),
    ids=lambda v: type(v).__name__ if not isinstance(v, str) else v,
)
def test_constraint_ops_reverse_to_drop_constraint_and_back(create, type_) -> None:
    drop = create.reverse()
    assert isinstance(drop, ops.DropConstraintOp)
    assert (drop.constraint_name, drop.table_name, drop.constraint_type) == (
        create.constraint_name,
        create.table_name,
        type_,
    )
    assert drop.schema == create.schema
    again = drop.reverse()
    assert type(again) is type(create)
    assert again.constraint_name == create.constraint_name


def test_foreign_key_round_trip_keeps_options() -> None:
    create = CONSTRAINT_OPS[1]
    fk = create.to_constraint()
    assert fk.table.fullname == "s.t" and fk.ondelete == "CASCADE"
    assert [e.target_fullname for e in fk.elements] == ["rs.r.id"]
    back = ops.AddConstraintOp.from_constraint(fk)
    assert isinstance(back, ops.CreateForeignKeyOp)
    assert (back.referent_table, back.local_cols, back.remote_cols) == ("r", ["a"], ["id"])
    assert back.kw["referent_schema"] == "rs" and back.kw["ondelete"] == "CASCADE"
    assert create.to_diff_tuple()[0] == "add_fk"
    assert create.reverse().to_diff_tuple()[0] == "remove_fk"


def test_self_referencing_foreign_key() -> None:
    fk = ops.CreateForeignKeyOp("fk", "node", "node", ["parent_id"], ["id"]).to_constraint()
    assert fk.referred_table is fk.table
    assert {c.name for c in fk.table.c} == {"parent_id", "id"}


def test_drop_constraint_follows_renames_of_the_drop_op() -> None:
    drop = CONSTRAINT_OPS[0].reverse()
    drop.constraint_name, drop.table_name = "uq_renamed", "t2"
    again = drop.reverse()
    assert (again.constraint_name, again.table_name) == ("uq_renamed", "t2")
    assert CONSTRAINT_OPS[0].constraint_name == "uq_a"
    fk_drop = CONSTRAINT_OPS[1].reverse()
    fk_drop.schema = "elsewhere"
    assert fk_drop.reverse().kw["source_schema"] == "elsewhere"
    assert fk_drop._reverse.kw["source_schema"] == "s"


def test_exclude_constraint_builds_postgresql_construct() -> None:
    excl = CONSTRAINT_OPS[4].to_constraint()
    assert isinstance(excl, postgresql.ExcludeConstraint)
    assert excl.using == "gist" and excl.table.name == "t"
    back = ops.AddConstraintOp.from_constraint(excl)
    assert isinstance(back, ops.CreateExcludeConstraintOp)
    assert [op for _, op in back.elements] == ["=", "&&"]


def test_containers_reverse_in_opposite_order() -> None:
    col = sa.Column("c", sa.Integer)
    upgrade = ops.UpgradeOps(
        [
            ops.RenameTableOp("a", "b"),
            ops.ModifyTableOps(
                "b", [ops.AddColumnOp("b", col), ops.CreateIndexOp("ix", "b", ["c"])]
            ),
        ]
    )
    down = upgrade.reverse()
    assert isinstance(down, ops.DowngradeOps)
    modify, rename = down.ops
    assert isinstance(modify, ops.ModifyTableOps) and isinstance(rename, ops.RenameTableOp)
    assert [type(o).__name__ for o in modify.ops] == ["DropIndexOp", "DropColumnOp"]
    assert isinstance(down.reverse(), ops.UpgradeOps)
    assert [d[0] for d in ops.UpgradeOps([modify]).as_diffs()] == ["remove_index", "remove_column"]
    assert ops.UpgradeOps().is_empty()


def test_migration_script_holds_ops() -> None:
    up, down = ops.UpgradeOps([ops.RenameTableOp("a", "b")]), ops.DowngradeOps()
    script = ops.MigrationScript("abc", up, down, message="rename")
    assert script.upgrade_ops is up and script.downgrade_ops_list == [down]
    script.upgrade_ops = [up, ops.UpgradeOps(upgrade_token="other")]
    with pytest.raises(CommandError, match="upgrade_ops_list"):
        script.upgrade_ops  # noqa: B018


def test_from_column_and_from_index() -> None:
    m = sa.MetaData()
    t = sa.Table("t", m, sa.Column("a", sa.Integer), schema="s")
    add = ops.AddColumnOp.from_column(t.c.a)
    assert (add.table_name, add.schema) == ("t", "s")
    idx = sa.Index("ix_a", t.c.a, unique=True, postgresql_where=sa.text("a > 0"))
    create = ops.CreateIndexOp.from_index(idx)
    assert (create.index_name, create.table_name, create.schema, create.unique) == (
        "ix_a",
        "t",
        "s",
        True,
    )
    assert "postgresql_where" in create.kw
    drop = ops.DropIndexOp.from_index(idx)
    assert drop.reverse().to_index().unique is True


def test_bad_drop_constraint_type_is_a_command_error() -> None:
    from engine.operations.schemaobj import SchemaObjects

    with pytest.raises(CommandError, match="type_ 'fk'"):
        SchemaObjects().generic_constraint("c", "t", "fk")
