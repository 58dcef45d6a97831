"""Corpus cases: data (bulk_insert, execute, inline_literal) and the op façade's
helpers (get_bind, get_context, invoke with a custom op, run_async)."""

from __future__ import annotations

import datetime
import decimal

from tests.directives.case import ALL, NONE, PG, SQLITE, Case
from tests.directives.reflect import DB


def _bulk_rows(db: DB) -> None:
    rows = db.rows("SELECT id, label, at, ok, price FROM event ORDER BY id")
    assert [r[0] for r in rows] == [1, 2, 3, 4]
    assert rows[0][1] == "it's"
    assert rows[1][1] is None
    at = rows[0][2]
    if isinstance(at, str):  # SQLite returns the stored text through a plain SELECT
        at = datetime.datetime.fromisoformat(at)
    assert at == datetime.datetime(2024, 1, 2, 3, 4, 5)
    assert bool(rows[0][3]) is True and bool(rows[2][3]) is False
    assert decimal.Decimal(str(rows[3][4])) == decimal.Decimal("12.50")


def _executed(db: DB) -> None:
    assert db.rows("SELECT id, name FROM parent ORDER BY id") == [
        (1, "renamed"),
        (20, "raw"),
        (21, "bound"),
        (22, "construct"),
    ]


def _inline_literal(db: DB) -> None:
    assert db.rows("SELECT name FROM parent ORDER BY id") == [("first",), ("p2",)]


def _get_bind(db: DB) -> None:
    assert db.rows("SELECT n, has_parent FROM stats") == [(2, 1)]


def _get_context(db: DB) -> None:
    expected = {"sqlite": "sqlite", "postgresql": "postgresql", "mariadb": "mysql"}[db.dialect]
    rows = db.rows("SELECT dialect, offline, has_script FROM ctxinfo")
    assert [(d, bool(o), bool(s)) for d, o, s in rows] == [(expected, False, True)]


def _invoked(db: DB) -> None:
    assert {"marker_a", "marker_b"} <= db.tables


def _ran_async(db: DB) -> None:
    assert db.rows("SELECT id, v FROM asy") == [(1, "hello")]


EVENT = """
op.create_table(
    "event",
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("label", sa.String(20)),
    sa.Column("at", sa.DateTime),
    sa.Column("ok", sa.Boolean),
    sa.Column("price", sa.Numeric(10, 2)),
)
"""

CUSTOM_OP = """
from alembic.operations import MigrateOperation, Operations


@Operations.register_operation("create_marker_table")
class CreateMarkerTableOp(MigrateOperation):
    def __init__(self, name):
        self.name = name

    @classmethod
    def create_marker_table(cls, operations, name, **kw):
        return operations.invoke(cls(name))

    def reverse(self):
        return DropMarkerTableOp(self.name)


@Operations.register_operation("drop_marker_table")
class DropMarkerTableOp(MigrateOperation):
    def __init__(self, name):
        self.name = name

    @classmethod
    def drop_marker_table(cls, operations, name, **kw):
        return operations.invoke(cls(name))


@Operations.implementation_for(CreateMarkerTableOp)
def _create_marker(operations, operation):
    operations.execute(f"CREATE TABLE {operation.name} (id INTEGER)")


@Operations.implementation_for(DropMarkerTableOp)
def _drop_marker(operations, operation):
    operations.execute(f"DROP TABLE {operation.name}")
"""

CASES = [
    Case(
        "bulk_insert",
        setup=EVENT,
        setup_down='op.drop_table("event")',
        prelude="import datetime\nimport decimal",
        upgrade="""
        event = sa.table(
            "event",
            sa.column("id", sa.Integer),
            sa.column("label", sa.String),
            sa.column("at", sa.DateTime),
            sa.column("ok", sa.Boolean),
            sa.column("price", sa.Numeric(10, 2)),
        )
        op.bulk_insert(event, [
            {"id": 1, "label": "it's", "at": datetime.datetime(2024, 1, 2, 3, 4, 5),
             "ok": True, "price": decimal.Decimal("1.25")},
            {"id": 2, "label": None, "at": None, "ok": None, "price": None},
        ])
        op.bulk_insert(event, [
            {"id": 3, "label": "three", "at": datetime.datetime(2024, 5, 6, 7, 8, 9),
             "ok": False, "price": decimal.Decimal("0")},
            {"id": 4, "label": "four", "at": None, "ok": True, "price": decimal.Decimal("12.5")},
        ], multiinsert=False)
        """,
        downgrade='op.execute("DELETE FROM event")',
        check_up=_bulk_rows,
    ),
    Case(
        "execute",
        upgrade="""
        op.execute("INSERT INTO parent (id, name) VALUES (20, 'raw')")
        op.execute(sa.text("INSERT INTO parent (id, name) VALUES (21, 'text')"))
        op.execute(sa.text("UPDATE parent SET name = :n WHERE id = :i").bindparams(n="bound", i=21))
        parent = sa.table("parent", sa.column("id", sa.Integer), sa.column("name", sa.String))
        op.execute(parent.insert().values(id=22, name="construct"))
        op.execute(parent.update().where(parent.c.id == 1).values(name="renamed"))
        op.execute(parent.delete().where(parent.c.id == 2))
        """,
        downgrade="""
        parent = sa.table("parent", sa.column("id", sa.Integer), sa.column("name", sa.String))
        op.execute(parent.delete().where(parent.c.id.in_([20, 21, 22])))
        op.execute(parent.update().where(parent.c.id == 1).values(name="p1"))
        op.execute("INSERT INTO parent (id, name) VALUES (2, 'p2')")
        """,
        check_up=_executed,
    ),
    Case(
        "inline_literal",
        upgrade="""
        parent = sa.table("parent", sa.column("id", sa.Integer), sa.column("name", sa.String))
        op.execute(
            parent.update()
            .where(parent.c.name == op.inline_literal("p1"))
            .values({"name": op.inline_literal("first")})
        )
        """,
        downgrade="""
        parent = sa.table("parent", sa.column("id", sa.Integer), sa.column("name", sa.String))
        op.execute(
            parent.update()
            .where(parent.c.name == op.inline_literal("first"))
            .values({"name": op.inline_literal("p1")})
        )
        """,
        check_up=_inline_literal,
    ),
    Case(
        "get_bind",
        upgrade="""
        bind = op.get_bind()
        count = bind.execute(sa.text("SELECT count(*) FROM parent")).scalar()
        has_parent = int(sa.inspect(bind).has_table("parent"))
        op.create_table("stats", sa.Column("n", sa.Integer), sa.Column("has_parent", sa.Integer))
        op.execute(f"INSERT INTO stats (n, has_parent) VALUES ({count}, {has_parent})")
        """,
        downgrade='op.drop_table("stats")',
        check_up=_get_bind,
        offline=NONE,  # needs a connection
    ),
    Case(
        "get_context",
        upgrade="""
        ctx = op.get_context()
        op.create_table(
            "ctxinfo",
            sa.Column("dialect", sa.String(20)),
            sa.Column("offline", sa.Integer),
            sa.Column("has_script", sa.Integer),
        )
        info = sa.table(
            "ctxinfo",
            sa.column("dialect", sa.String),
            sa.column("offline", sa.Integer),
            sa.column("has_script", sa.Integer),
        )
        op.bulk_insert(info, [{
            "dialect": ctx.dialect.name,
            "offline": int(ctx.as_sql),
            "has_script": int(ctx.script is not None),
        }])
        """,
        downgrade='op.drop_table("ctxinfo")',
        check_up=_get_context,
    ),
    Case(
        "invoke_custom_op",
        prelude=CUSTOM_OP,
        upgrade="""
        op.invoke(CreateMarkerTableOp("marker_a"))
        op.create_marker_table("marker_b")
        """,
        downgrade="""
        op.drop_marker_table("marker_b")
        op.invoke(CreateMarkerTableOp("marker_a").reverse())
        """,
        check_up=_invoked,
    ),
    Case(
        "run_async",
        env="async",
        upgrade="""
        async def work(conn, value):
            await conn.execute(sa.text("CREATE TABLE asy (id INTEGER PRIMARY KEY, v VARCHAR(20))"))
            await conn.execute(sa.text("INSERT INTO asy (id, v) VALUES (1, :v)"), {"v": value})
            return value

        assert op.run_async(work, "hello") == "hello"
        """,
        downgrade="""
        async def work(conn):
            await conn.execute(sa.text("DROP TABLE asy"))

        op.run_async(work)
        """,
        check_up=_ran_async,
        dialects=frozenset({SQLITE, PG}),
        offline=NONE,  # needs an async connection
    ),
]

__all__ = ["ALL", "CASES"]
