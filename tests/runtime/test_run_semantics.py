"""Transactions, failures, events and stopping between steps, on real databases."""

from __future__ import annotations

import gc
import threading

import pytest

from engine import commands
from engine.ddl.statement_output import StatementOutput
from engine.errors import CommandError, MigrationFailed
from engine.runtime import events as ev
from tests.runtime.project import Rev, make_project, table_names, table_rev, version_rows

FAILING = [
    table_rev("a1", None),
    table_rev("b1", "a1"),
    Rev(
        "c1",
        "b1",
        upgrade="""
        op.create_table("t_c1", sa.Column("id", sa.Integer, primary_key=True))
        op.execute("INSERT INTO no_such_table VALUES (1)")
        """,
        downgrade='op.drop_table("t_c1")',
        message="breaks",
    ),
    table_rev("d1", "c1"),
]


def test_failure_on_postgresql_rolls_back_the_run(tmp_path, pg_db):
    project = make_project(tmp_path / "p", pg_db, FAILING)
    commands.upgrade(project.config(), "a1")
    with pytest.raises(MigrationFailed) as info:
        commands.upgrade(project.config(), "heads")
    err = info.value
    assert err.revision == "c1" and err.direction == "upgrade"
    assert "no_such_table" in err.message and "INSERT INTO no_such_table" in err.message
    assert err.transactional
    # One transaction for the run (Alembic's default): b1 is rolled back too.
    assert version_rows(pg_db) == {"a1"}
    assert err.where_now == ("a1",)
    assert {"t_b1", "t_c1"}.isdisjoint(table_names(pg_db))


def test_failure_on_postgresql_per_migration_keeps_completed_steps(tmp_path, pg_db):
    project = make_project(
        tmp_path / "p", pg_db, FAILING, configure={"transaction_per_migration": True}
    )
    with pytest.raises(MigrationFailed) as info:
        commands.upgrade(project.config(), "heads")
    assert version_rows(pg_db) == {"b1"}
    assert info.value.where_now == ("b1",)
    tables = table_names(pg_db)
    assert "t_b1" in tables and "t_c1" not in tables


@pytest.mark.parametrize("backend", ["mariadb", "sqlite"])
def test_failure_without_transactional_ddl_names_what_remains(tmp_path, backend, request):
    url = request.getfixturevalue("maria_db" if backend == "mariadb" else "sqlite_url")
    project = make_project(tmp_path / "p", url, FAILING)
    with pytest.raises(MigrationFailed) as info:
        commands.upgrade(project.config(), "heads")
    err = info.value
    assert version_rows(url) == {"b1"}
    assert err.where_now == ("b1",)
    if backend == "mariadb":
        # MariaDB cannot roll back the CREATE TABLE that ran before the failure.
        assert not err.transactional
        assert any("CREATE TABLE t_c1" in s for s in err.applied_statements)
        assert "remain applied" in (err.hint or "")
        assert "t_c1" in table_names(url)


def test_events_follow_the_run(tmp_path, sqlite_url):
    project = make_project(tmp_path / "p", sqlite_url, FAILING[:2])
    seen: list = []
    control = ev.RunControl(listeners=[seen.append])
    result = commands.upgrade(project.config(), "heads", control=control)
    kinds = [type(e).__name__ for e in seen]
    assert kinds[0] == "RunStarted" and kinds[-1] == "RunFinished"
    starts = [e for e in seen if isinstance(e, ev.StepStarted)]
    assert [(s.index, s.total, s.revisions) for s in starts] == [(1, 2, ("a1",)), (2, 2, ("b1",))]
    assert starts[0].description == "upgrade  -> a1, rev a1"
    statements = [e.sql for e in seen if isinstance(e, ev.StatementExecuted)]
    assert any("CREATE TABLE t_a1" in s for s in statements)
    assert any("INSERT INTO alembic_version" in s for s in statements)
    finished = [e for e in seen if isinstance(e, ev.StepFinished)]
    assert [f.heads_after for f in finished] == [("a1",), ("b1",)]
    assert all(f.duration >= 0 for f in finished)
    assert result.steps_done == 2 and result.heads_after == ("b1",) and not result.stopped


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_stop_between_steps(tmp_path, backend, request):
    url = request.getfixturevalue("pg_db" if backend == "postgresql" else "sqlite_url")
    project = make_project(tmp_path / "p", url, FAILING[:2] + [table_rev("z1", "b1")])
    control = ev.RunControl()

    # Asked while the first step runs: it finishes, no other starts. (On PostgreSQL
    # a step's StepFinished may come after the next step started, once the
    # statements it sent ahead are in: a stop asked then ends the run after that one.)
    def stop_after_first(event):
        if isinstance(event, ev.StepStarted) and event.index == 1:
            control.request_stop()

    control.listeners.append(stop_after_first)
    result = commands.upgrade(project.config(), "heads", control=control)
    assert result.stopped and result.steps_done == 1 and result.planned == 3
    assert version_rows(url) == {"a1"}
    # And the rest can be finished later.
    result = commands.upgrade(project.config(), "heads")
    assert version_rows(url) == {"z1"} and result.steps_done == 2


def test_run_in_a_worker_thread(tmp_path, sqlite_url):
    """The TUI runs commands in thread workers: the op/context proxies are per thread."""
    project = make_project(tmp_path / "p", sqlite_url, FAILING[:2])
    errors: list[BaseException] = []

    def work():
        try:
            commands.upgrade(project.config(), "heads")
        except BaseException as err:  # noqa: BLE001
            errors.append(err)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(30)
    assert not errors
    assert version_rows(sqlite_url) == {"b1"}


def test_nothing_to_do_is_reported(tmp_path, sqlite_url):
    project = make_project(tmp_path / "p", sqlite_url, FAILING[:2])
    commands.upgrade(project.config(), "heads")
    result = commands.upgrade(project.config(), "heads")
    assert result.nothing_to_do and result.heads_after == ("b1",)


def test_upgrade_to_an_ancestor_is_refused(tmp_path, sqlite_url):
    project = make_project(tmp_path / "p", sqlite_url, FAILING[:2])
    commands.upgrade(project.config(), "heads")
    with pytest.raises(CommandError, match="not a valid upgrade target"):
        commands.upgrade(project.config(), "a1")


def test_range_needs_sql(tmp_path, sqlite_url):
    project = make_project(tmp_path / "p", sqlite_url, FAILING[:2])
    with pytest.raises(CommandError, match="only allowed with --sql"):
        commands.upgrade(project.config(), "a1:b1")
    with pytest.raises(CommandError, match="requires <fromrev>:<torev>"):
        commands.downgrade(project.config(), "base", sql=True)


def test_version_table_options(tmp_path, pg_db):
    import sqlalchemy as sa

    engine = sa.create_engine(pg_db)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE SCHEMA IF NOT EXISTS audit"))
    engine.dispose()
    project = make_project(
        tmp_path / "p",
        pg_db,
        FAILING[:2],
        configure={
            "version_table": "my_versions",
            "version_table_schema": "audit",
            "version_table_pk": False,
        },
    )
    commands.upgrade(project.config(), "heads")
    assert version_rows(pg_db, "my_versions", "audit") == {"b1"}
    engine = sa.create_engine(pg_db)
    with engine.connect() as conn:
        assert (
            sa.inspect(conn).get_pk_constraint("my_versions", schema="audit")["constrained_columns"]
            == []
        )
        conn.execute(sa.text("DROP SCHEMA audit CASCADE"))
        conn.commit()
    engine.dispose()


_DB_FIXTURES = {"sqlite": "sqlite_url", "postgresql": "pg_db", "mariadb": "maria_db"}


@pytest.mark.parametrize("backend", sorted(_DB_FIXTURES))
def test_row_count_check(tmp_path, backend, request, monkeypatch):
    """A version row changed behind the run's back is caught, not papered over; the
    row statements go out as plain text (StatementOutput.run_plain) and still are."""
    url = request.getfixturevalue(_DB_FIXTURES[backend])
    sent: list[str] = []
    original = StatementOutput.run_plain

    def spy(self, sql, check=None):
        sent.append(sql)
        return original(self, sql, check)

    monkeypatch.setattr(StatementOutput, "run_plain", spy)
    project = make_project(
        tmp_path / "p",
        url,
        [
            table_rev("a1", None),
            Rev("b1", "a1", upgrade='op.execute("DELETE FROM alembic_version")'),
        ],
    )
    commands.upgrade(project.config(), "a1")
    assert any(sql.startswith("INSERT INTO alembic_version") for sql in sent)
    with pytest.raises(CommandError, match="expected to match one row when updating 'a1' to 'b1'"):
        commands.upgrade(project.config(), "b1")
    assert any(sql.startswith("UPDATE alembic_version") for sql in sent)


def test_python_error_after_a_statement_does_not_blame_the_statement(tmp_path, sqlite_url):
    project = make_project(
        tmp_path / "p",
        sqlite_url,
        [
            table_rev("a1", None),
            Rev(
                "b1",
                "a1",
                upgrade="""
        op.create_table("t_b1", sa.Column("id", sa.Integer, primary_key=True))
        raise RuntimeError("forgot something")
        """,
            ),
        ],
    )
    with pytest.raises(MigrationFailed) as info:
        commands.upgrade(project.config(), "heads")
    err = info.value
    assert "RuntimeError: forgot something" in err.message
    assert "while running" not in err.message and err.statement is None
    assert any("CREATE TABLE t_b1" in s for s in err.applied_statements)
    assert version_rows(sqlite_url) == {"a1"}


GARBAGE_PROBE = [
    Rev(
        "g1",
        None,
        upgrade="""
        import weakref
        from alembic import context
        table = op.create_table("t_g1", sa.Column("id", sa.Integer, primary_key=True))
        context.config.attributes["table"] = weakref.ref(table)
        """,
    ),
    Rev(
        "g2",
        "g1",
        upgrade="""
        from alembic import context
        attributes = context.config.attributes
        attributes["freed before the next step"] = attributes["table"]() is None
        """,
    ),
]


@pytest.mark.parametrize("collector", ["enabled", "disabled"])
def test_each_step_frees_its_garbage(tmp_path, sqlite_url, collector):
    """A step's Tables (held in reference cycles, as every SQLAlchemy Table is) are
    freed before the next step runs, not when the collector's own schedule comes
    round (set here so that it never would); an application that turned the
    collector off is left as it is."""
    project = make_project(tmp_path / "p", sqlite_url, GARBAGE_PROBE)
    config = project.config()
    threshold = gc.get_threshold()
    was_enabled = gc.isenabled()
    gc.set_threshold(10**9)
    if collector == "disabled":
        gc.disable()
    try:
        commands.upgrade(config, "head")
    finally:
        gc.set_threshold(*threshold)
        if was_enabled:
            gc.enable()
    assert config.attributes["freed before the next step"] is (collector == "enabled")
    assert version_rows(sqlite_url) == {"g2"}
