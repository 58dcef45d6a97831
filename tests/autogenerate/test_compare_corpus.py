"""The comparison corpus: model changes on SQLite, PostgreSQL and MariaDB.

Each case (``corpus_cases_columns``, ``corpus_cases_constraints``,
``corpus_cases_sql``) creates a
"before" model in a real database, compares an "after" model with it, and checks
in one test that

1. our ``compare_metadata`` finds exactly the expected changes;
2. Alembic's ``compare_metadata`` (the oracle) on the same connection finds the
   same ones, except where a case documents an improvement (``alembic=``);
3. the upgrade operations, rendered as a script body (``render_python_code``)
   and run, make the database match "after" (nothing left to find), and the
   rendered downgrade brings back "before".

Diffs are compared in a normalised text form (kind + object names).
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata as alembic_compare_metadata
from alembic.runtime.migration import MigrationContext as AlembicMigrationContext

from engine.autogenerate import compare_metadata, produce_migrations, render_python_code
from engine.operations import ops
from engine.operations.base import Operations
from engine.runtime.migration import MigrationContext
from tests.autogenerate.corpus import FIXTURE, MARKS, Case, build, normalise
from tests.autogenerate.corpus_cases_columns import COLUMN_CASES
from tests.autogenerate.corpus_cases_constraints import CONSTRAINT_CASES
from tests.autogenerate.corpus_cases_sql import SQL_CASES

CASES: list[Case] = COLUMN_CASES + CONSTRAINT_CASES + SQL_CASES


def _params() -> list[Any]:
    out = []
    for case in CASES:
        for backend in case.backends:
            out.append(pytest.param(backend, case, marks=MARKS[backend], id=f"{case.id}-{backend}"))
    return out


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


# ------------------------------------------------------------------ running


def _apply(conn: sa.Connection, container: ops.OpContainer, batch: bool) -> None:
    ctx = MigrationContext.configure(conn)
    operations = Operations(ctx)
    for op in container.ops:
        if isinstance(op, ops.ModifyTableOps) and batch:
            with operations.batch_alter_table(op.table_name, schema=op.schema) as batch_op:
                for inner in op.ops:
                    batch_op.invoke(inner)
        elif isinstance(op, ops.ModifyTableOps):
            for inner in op.ops:
                operations.invoke(inner)
        else:
            operations.invoke(op)


def _run_rendered(conn: sa.Connection, container: ops.OpContainer, batch: bool) -> None:
    """Render ``container`` as a script body (``render_python_code``) and run it
    with ``op`` bound to this connection: what the written revision would do."""
    from sqlalchemy.dialects import mysql, postgresql, sqlite

    ctx = MigrationContext.configure(conn)
    code = render_python_code(container, render_as_batch=batch, migration_context=ctx)
    namespace = {
        "op": Operations(ctx),
        "sa": sa,
        "postgresql": postgresql,
        "mysql": mysql,
        "sqlite": sqlite,
    }
    # the code is a function body after its first line, as in script.py.mako
    source = "def upgrade_or_downgrade():\n    " + code + "\n"
    exec(compile(source, "<rendered>", "exec"), namespace)
    namespace["upgrade_or_downgrade"]()


def _ours(conn: sa.Connection, metadata: Any, opts: dict[str, Any]) -> list[str]:
    ctx = MigrationContext.configure(conn, opts=dict(opts))
    return normalise(compare_metadata(ctx, metadata))


@pytest.mark.parametrize(("backend", "case"), _params())
def test_compare(request: pytest.FixtureRequest, backend: str, case: Case) -> None:
    engine: sa.Engine = request.getfixturevalue(FIXTURE[backend])
    before = build(case.before)
    after = build(case.after)
    with engine.begin() as conn:
        for statement in case.setup_sql.get(backend, []):
            conn.exec_driver_sql(statement)
        before.create_all(conn)

    expected = case.for_backend(case.expected, backend)
    with engine.connect() as conn:
        assert _ours(conn, after, case.opts) == expected
        alembic_ctx = AlembicMigrationContext.configure(connection=conn, opts=dict(case.opts))
        if case.alembic_raises is not None:
            with pytest.raises(case.alembic_raises), conn.begin_nested():
                alembic_compare_metadata(alembic_ctx, after)
        else:
            theirs = normalise(alembic_compare_metadata(alembic_ctx, after))
            wanted = expected if case.alembic is None else case.for_backend(case.alembic, backend)
            assert theirs == wanted, f"Alembic (the oracle) found other changes: {theirs}"

    if not case.roundtrip or not expected:
        return
    batch = backend == "sqlite"
    with engine.begin() as conn:
        script = produce_migrations(MigrationContext.configure(conn, opts=dict(case.opts)), after)
        _run_rendered(conn, script.upgrade_ops, batch)
    with engine.connect() as conn:
        assert _ours(conn, after, case.opts) == [], "the upgrade left differences"
    with engine.begin() as conn:
        _run_rendered(conn, script.downgrade_ops, batch)
    with engine.connect() as conn:
        assert _ours(conn, before, case.opts) == case.leftover, "the downgrade did not restore"
