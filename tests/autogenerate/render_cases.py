"""Operation structures built the same way from our ``ops`` and Alembic's.

Each case is ``fn(o) -> UpgradeOps`` where ``o`` is an ops module (ours or
``alembic.operations.ops``); both must render to the same text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql

Case = Callable[[Any], Any]


def _account_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "account",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False, server_default="x", comment="the name"),
        sa.Column("kind", sa.Enum("a", "b", name="kind_enum")),
        sa.Column("amt", sa.Numeric(10, 2)),
        sa.Column("ts", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("comp", sa.Integer, sa.Computed("id * 2")),
        sa.Column("ident", sa.Integer, sa.Identity(start=3, increment=2)),
        sa.Column("other_id", sa.Integer, sa.ForeignKey("other.id", ondelete="CASCADE")),
        sa.Column("flag", sa.Boolean(create_constraint=True, name="ck_flag")),
        sa.UniqueConstraint("name", name="uq_name"),
        sa.CheckConstraint("amt > 0", name="ck_amt"),
        sa.Index("ix_name", "name", unique=True),
        comment="accounts table",
        schema="s1",
    )


def create_table_full(o: Any) -> Any:
    t = _account_table(sa.MetaData())
    return o.UpgradeOps(
        ops=[o.CreateTableOp.from_table(t), *map(o.CreateIndexOp.from_index, t.indexes)]
    )


def drop_table_full(o: Any) -> Any:
    return create_table_full(o).reverse()


def dialect_types(o: Any) -> Any:
    t = sa.Table(
        "types",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("data", postgresql.JSONB),
        sa.Column("arr", postgresql.ARRAY(sa.Integer)),
        sa.Column("arr2", sa.ARRAY(sa.String(5))),
        sa.Column("u", postgresql.UUID(as_uuid=True)),
        sa.Column("e", postgresql.ENUM("x", "y", name="e_enum", create_type=False)),
        sa.Column("my", mysql.VARCHAR(20, charset="utf8")),
        sa.Column("myi", mysql.INTEGER(display_width=11, unsigned=True)),
        sa.Column("ts", postgresql.TIMESTAMP(timezone=True, precision=3)),
        sa.Column("big", sa.BigInteger().with_variant(sa.Integer, "sqlite")),
        sa.Column("uu", sa.Uuid()),
        sa.Column("tx", sa.Text(collation="C")),
        sa.Column("en2", sa.Enum("p", "q", name="en2", native_enum=False, length=10)),
        sa.Column("iv", postgresql.INTERVAL(fields="DAY")),
        sa.Column("f", sa.Float(precision=5)),
        sa.Column("h", postgresql.HSTORE),
        sa.Column("set", mysql.SET("a", "b")),
        sa.Column("d", sa.Date, server_default=sa.text("CURRENT_DATE")),
        sa.Column("n", sa.Integer, server_default="5", autoincrement=False),
        sa.Column("lb", sa.LargeBinary(length=10)),
        sa.Column("dec", sa.DECIMAL(8, 3, asdecimal=False)),
    )
    return o.UpgradeOps(ops=[o.CreateTableOp.from_table(t)])


def naming_convention(o: Any) -> Any:
    m = sa.MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "pk": "pk_%(table_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        }
    )
    sa.Table("other", m, sa.Column("id", sa.Integer, primary_key=True), schema="os")
    t = sa.Table(
        "t",
        m,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True, comment="pk"),
        sa.Column("email", sa.String(100), index=True, unique=True),
        sa.Column("o", sa.Integer, sa.ForeignKey("os.other.id", use_alter=True)),
        sa.Column("c1", sa.Integer, sa.Computed("id + 1", persisted=True)),
        sa.Column(
            "c2",
            sa.BigInteger,
            sa.Identity(
                always=True, start=1, increment=1, minvalue=1, maxvalue=100, cycle=True, cache=5
            ),
        ),
        sa.Column("flag", sa.Boolean, server_default=sa.true()),
        sa.Column("s", sa.String(5), server_default=sa.text("'ab'")),
        sa.Column("with_quote", sa.String(5), server_default="it's"),
        sa.Column("KeyCol", sa.Integer, key="kc"),
        sa.CheckConstraint("id > 0", name="idpos"),
        sa.UniqueConstraint("s", "flag"),
        mysql_engine="InnoDB",
        prefixes=["TEMPORARY"],
        info={"x": 1},
        comment="it's a table",
    )
    return o.UpgradeOps(
        ops=[
            o.CreateTableOp.from_table(t),
            *[o.CreateIndexOp.from_index(i) for i in sorted(t.indexes, key=lambda i: i.name)],
        ]
    )


def constraint_order(o: Any) -> Any:
    t = sa.Table(
        "t",
        sa.MetaData(),
        sa.Column("b", sa.Integer),
        sa.Column("a", sa.Integer, nullable=False, info={"i": 1}, doc="d", unique=True),
        sa.Column(
            "c", sa.Integer, sa.ForeignKey("x.id", name="zfk"), sa.ForeignKey("y.id", name="afk")
        ),
        sa.Column("d", sa.Integer, sa.ForeignKey("x.id")),
        sa.PrimaryKeyConstraint("b", "a", name="pk_named"),
        sa.UniqueConstraint("c", name="zz"),
        sa.UniqueConstraint("d", name="aa"),
        sa.UniqueConstraint("b"),
        sa.UniqueConstraint("a", "b"),
        sa.CheckConstraint("b > 1"),
        sa.CheckConstraint("a > 1", name="ck_z"),
        sa.CheckConstraint("c > 1", name="ck_a", deferrable=True),
        sa.ForeignKeyConstraint(
            ["a", "b"],
            ["p.x", "p.y"],
            name="fk_ab",
            onupdate="CASCADE",
            deferrable=True,
            initially="DEFERRED",
            match="FULL",
        ),
        schema="s",
        comment="cm",
        postgresql_partition_by="RANGE (b)",
    )
    return o.UpgradeOps(
        ops=[
            o.CreateTableOp.from_table(t),
            o.CreateTableOp(
                "n",
                [sa.Column("x", sa.Integer)],
                schema="s",
                if_not_exists=True,
                comment="c",
                mysql_engine="X",
            ),
            o.DropTableOp("t", schema="s", if_exists=True),
        ]
    )


def column_ops(o: Any) -> Any:
    return o.UpgradeOps(
        ops=[
            o.ModifyTableOps(
                "t",
                [
                    o.AddColumnOp(
                        "t",
                        sa.Column(
                            "c",
                            sa.Integer,
                            sa.ForeignKey("other.id"),
                            nullable=False,
                            server_default="0",
                        ),
                    ),
                    o.AddColumnOp(
                        "t",
                        sa.Column("z", sa.Integer, sa.Identity()),
                        schema="s",
                        if_not_exists=True,
                    ),
                    o.DropColumnOp.from_column_and_tablename(
                        None, "t", sa.Column("d", sa.Text(), nullable=False, comment="dd")
                    ),
                    o.DropColumnOp("t", "z", if_exists=True, schema="s"),
                ],
            )
        ]
    )


def alter_columns(o: Any) -> Any:
    return o.UpgradeOps(
        ops=[
            o.ModifyTableOps(
                "t",
                [
                    o.AlterColumnOp(
                        "t",
                        "b",
                        existing_type=sa.String(10),
                        modify_type=sa.String(20),
                        existing_nullable=True,
                        existing_server_default=sa.DefaultClause(sa.text("'a'::varchar")),
                        modify_nullable=False,
                        modify_comment="hello",
                    ),
                    o.AlterColumnOp(
                        "t",
                        "a",
                        existing_type=sa.Integer(),
                        modify_server_default=None,
                        existing_server_default="5",
                    ),
                    o.AlterColumnOp(
                        "t",
                        "q",
                        modify_name="q2",
                        existing_type=sa.Integer(),
                        existing_nullable=False,
                        existing_comment="c",
                        existing_server_default="3",
                    ),
                    o.AlterColumnOp(
                        "t",
                        "q",
                        modify_name="q2",
                        modify_type=sa.Text(),
                        modify_nullable=True,
                        modify_comment=None,
                        modify_server_default=sa.DefaultClause(sa.func.now()),
                        existing_type=sa.Integer(),
                        existing_nullable=False,
                        existing_comment="c",
                        existing_server_default="3",
                        autoincrement=True,
                        existing_autoincrement=False,
                    ),
                    o.AlterColumnOp("t", "q", modify_server_default="x"),
                    o.AlterColumnOp("t", "q", modify_server_default=sa.Computed("a+b")),
                    o.AlterColumnOp("t", "q", modify_server_default=sa.Identity(start=5)),
                    o.AlterColumnOp(
                        "t",
                        "x",
                        modify_nullable=True,
                        existing_autoincrement=True,
                        autoincrement=False,
                    ),
                    o.AlterColumnOp("t", "y"),
                ],
            ),
            o.AlterColumnOp("t", "a", existing_type=sa.Integer(), modify_nullable=True, schema="s"),
        ]
    )


def constraint_ops(o: Any) -> Any:
    m = sa.MetaData()
    sa.Table("other", m, sa.Column("x", sa.Integer), sa.Column("y", sa.Integer))
    t = sa.Table(
        "t",
        m,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("a", sa.Integer),
        sa.Column("b", sa.String(10)),
    )
    fk = sa.ForeignKeyConstraint(
        ["a", "id"],
        ["other.x", "other.y"],
        name="fk_ab",
        onupdate="CASCADE",
        deferrable=True,
        initially="DEFERRED",
        match="FULL",
    )
    t.append_constraint(fk)
    uq = sa.UniqueConstraint("a", "b", name="uq_ab", deferrable=True)
    t.append_constraint(uq)
    ck = sa.CheckConstraint(t.c.a > 5, name="ck_a")
    t.append_constraint(ck)
    return o.UpgradeOps(
        ops=[
            o.ModifyTableOps(
                "t",
                [
                    o.CreateForeignKeyOp.from_constraint(fk),
                    o.CreateUniqueConstraintOp.from_constraint(uq),
                    o.CreateCheckConstraintOp.from_constraint(ck),
                    o.DropConstraintOp.from_constraint(fk),
                    o.DropConstraintOp.from_constraint(uq),
                    o.DropConstraintOp("some", "t"),
                    o.CreateForeignKeyOp(
                        "fk1",
                        "t",
                        "other",
                        ["o"],
                        ["id"],
                        source_schema="s",
                        referent_schema="os",
                        onupdate="a",
                        ondelete="b",
                        deferrable=False,
                        initially="IMMEDIATE",
                        match="SIMPLE",
                        use_alter=True,
                        postgresql_not_valid=True,
                    ),
                    o.CreateUniqueConstraintOp(
                        "u",
                        "t",
                        ["a"],
                        schema="s",
                        deferrable=True,
                        initially="x",
                        postgresql_nulls_not_distinct=True,
                    ),
                    o.CreateCheckConstraintOp(
                        "c", "t", "a > 1", schema="s", deferrable=True, initially="x"
                    ),
                    o.CreateUniqueConstraintOp(None, "t", ["q"], schema="s"),
                ],
            ),
            o.DropConstraintOp("fk1", "t", type_="foreignkey", schema="s", if_exists=True),
            o.CreateCheckConstraintOp(sa.sql.elements.conv("ck_t_x"), "t", "q < 10", schema="s"),
        ]
    )


def index_ops(o: Any) -> Any:
    t = sa.Table("t", sa.MetaData(), sa.Column("a", sa.Integer), sa.Column("b", sa.String(10)))
    ix = sa.Index("ix_expr", sa.func.lower(t.c.b), t.c.a.desc(), postgresql_using="btree")
    ix._set_parent(t)
    return o.UpgradeOps(
        ops=[
            o.ModifyTableOps(
                "t",
                [
                    o.CreateIndexOp.from_index(ix),
                    o.DropIndexOp.from_index(ix),
                    o.CreateIndexOp(
                        "i",
                        "t",
                        ["a", sa.text("lower(b)")],
                        unique=True,
                        postgresql_where=sa.text("a > 1"),
                    ),
                ],
            ),
            o.CreateIndexOp("ix_q", "t", ["q"], if_not_exists=True, schema="s", mysql_length=5),
            o.DropIndexOp("ix_q", "t", if_exists=True, schema="s"),
            o.DropIndexOp("ix_q"),
        ]
    )


def comments_and_sql(o: Any) -> Any:
    return o.UpgradeOps(
        ops=[
            o.ModifyTableOps(
                "t",
                [
                    o.CreateTableCommentOp("t", "my comment", existing_comment="old"),
                    o.DropTableCommentOp("t", existing_comment="old"),
                ],
                schema="s",
            ),
            o.CreateTableCommentOp("t", "c", schema="s"),
            o.ExecuteSQLOp("select 1"),
            o.DropTableOp("zzz"),
        ]
    )


def empty_containers(o: Any) -> Any:
    return o.UpgradeOps(
        ops=[
            o.ModifyTableOps("t", []),
            o.ModifyTableOps("u", [o.DropColumnOp("u", "x")], schema="s"),
        ]
    )


def nothing(o: Any) -> Any:
    return o.UpgradeOps(ops=[])


def exclude_constraint(o: Any) -> Any:
    t = sa.Table(
        "t",
        sa.MetaData(),
        sa.Column("id", sa.Integer),
        sa.Column("p", postgresql.TSRANGE),
        postgresql.ExcludeConstraint(
            (sa.column("p"), "&&"), ("id", "="), using="gist", name="ex", where=sa.text("id > 0")
        ),
    )
    ex = next(c for c in t.constraints if isinstance(c, postgresql.ExcludeConstraint))
    return o.UpgradeOps(ops=[o.CreateTableOp.from_table(t), o.AddConstraintOp.from_constraint(ex)])


def server_defaults(o: Any) -> Any:
    values = [
        sa.text("CURRENT_DATE"),
        sa.func.now(),
        sa.text("'abc'"),
        sa.text("5"),
        sa.text("(1+2)"),
        sa.true(),
        sa.text("datetime('now')"),
        sa.func.lower("A"),
        sa.literal(5),
        sa.text("CURRENT_TIMESTAMP"),
        "5",
    ]
    cols = [sa.Column(f"c{i}", sa.Integer, server_default=v) for i, v in enumerate(values)]
    return o.UpgradeOps(
        ops=[
            *[o.AddColumnOp("t", c) for c in cols],
            o.AlterColumnOp(
                "t",
                "c",
                modify_server_default=sa.DefaultClause(sa.text("CURRENT_DATE")),
                existing_server_default=sa.DefaultClause(sa.func.now()),
            ),
        ]
    )


CASES: dict[str, Case] = {
    fn.__name__: fn
    for fn in (
        create_table_full,
        drop_table_full,
        dialect_types,
        naming_convention,
        constraint_order,
        column_ops,
        alter_columns,
        constraint_ops,
        index_ops,
        comments_and_sql,
        empty_containers,
        nothing,
        exclude_constraint,
        server_defaults,
    )
}
