"""Statements sent ahead on PostgreSQL (engine/ddl/pipeline.py), on a real server:
the run ends where waiting for each statement would have ended it, a failure is
reported for the step that sent it, and nothing is sent ahead where a script or a
listener could tell."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from engine import commands
from engine.ddl.pipeline import StatementPipeline
from engine.errors import MigrationFailed
from engine.runtime import events as ev
from tests.runtime.project import Rev, make_project, table_names, table_rev, version_rows

BAD_ADD_COLUMN = 'op.add_column("no_such_table", sa.Column("x", sa.Integer()))'


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """(statement, step) for every statement sent ahead."""
    calls: list[tuple[str, int]] = []
    original = StatementPipeline.send

    def spy(self: StatementPipeline, sql: str, step: int, *args: Any, **kw: Any) -> None:
        calls.append((sql.strip(), step))
        original(self, sql, step, *args, **kw)

    monkeypatch.setattr(StatementPipeline, "send", spy)
    return calls


def _events(config: Any, target: str = "heads") -> tuple[list[Any], BaseException | None]:
    seen: list[Any] = []
    control = ev.RunControl(listeners=[seen.append])
    try:
        commands.upgrade(config, target, control=control)
    except MigrationFailed as err:
        return seen, err
    return seen, None


def _finished(events: list[Any]) -> list[int]:
    return [e.index for e in events if isinstance(e, ev.StepFinished)]


def test_statements_go_ahead_and_the_run_ends_at_head(tmp_path, pg_db, sent):
    revs = [table_rev("a1", None), table_rev("b1", "a1"), table_rev("c1", "b1")]
    project = make_project(tmp_path / "p", pg_db, revs)
    events, err = _events(project.config())
    assert err is None
    assert [step for sql, step in sent if sql.startswith("CREATE TABLE")] == [1, 2, 3]
    assert any(sql.startswith("UPDATE alembic_version") for sql, _ in sent)
    assert version_rows(pg_db) == {"c1"}
    assert {"t_a1", "t_b1", "t_c1"} <= table_names(pg_db)
    assert _finished(events) == [1, 2, 3]
    assert isinstance(events[-1], ev.RunFinished) and events[-1].steps_done == 3


@pytest.mark.parametrize("per_migration", [False, True])
def test_a_failure_is_the_failure_of_the_step_that_sent_it(tmp_path, pg_db, sent, per_migration):
    revs = [
        table_rev("a1", None),
        Rev("b1", "a1", upgrade=BAD_ADD_COLUMN, message="breaks"),
        table_rev("c1", "b1"),
    ]
    configure = {"transaction_per_migration": True} if per_migration else {}
    project = make_project(tmp_path / "p", pg_db, revs, configure=configure)
    events, err = _events(project.config())
    assert isinstance(err, MigrationFailed)
    assert ("ALTER TABLE no_such_table ADD COLUMN x INTEGER", 2) in sent
    assert err.revision == "b1" and err.direction == "upgrade"
    assert err.statement == "ALTER TABLE no_such_table ADD COLUMN x INTEGER"
    assert "UndefinedTable" in err.message and "no_such_table" in err.message
    failed = [e for e in events if isinstance(e, ev.StepFailed)]
    assert [(e.index, e.statement) for e in failed] == [(2, err.statement)]
    assert _finished(events) == [1]
    assert "t_c1" not in table_names(pg_db)
    if per_migration:  # a1 committed on its own
        assert version_rows(pg_db) == {"a1"} and "t_a1" in table_names(pg_db)
    else:  # one transaction for the run: all of it rolled back
        assert version_rows(pg_db) == set() and "t_a1" not in table_names(pg_db)


def test_a_failure_found_by_a_later_query_is_still_its_steps(tmp_path, pg_db, sent):
    """The next step's script asks the database something: the statement sent ahead
    is waited for first, and its failure is reported for the step that sent it."""
    revs = [
        Rev("a1", None, upgrade=BAD_ADD_COLUMN, message="breaks"),
        Rev("b1", "a1", upgrade='op.get_bind().execute(sa.text("SELECT 1"))'),
    ]
    project = make_project(tmp_path / "p", pg_db, revs)
    events, err = _events(project.config())
    assert isinstance(err, MigrationFailed)
    assert err.revision == "a1"
    assert err.statement == "ALTER TABLE no_such_table ADD COLUMN x INTEGER"
    assert [e.index for e in events if isinstance(e, ev.StepFailed)] == [1]
    assert _finished(events) == []
    assert version_rows(pg_db) == set()


def test_inside_a_savepoint_a_failure_is_raised_where_it_happens(tmp_path, pg_db, sent):
    """A script that tolerates a failure inside a SAVEPOINT works as with Alembic:
    nothing is sent ahead there, so the error is raised inside the block."""
    tolerant = """
    try:
        with op.get_bind().begin_nested():
            op.add_column("no_such_table", sa.Column("x", sa.Integer()))
    except sa.exc.ProgrammingError:
        op.create_table("t_fallback", sa.Column("id", sa.Integer, primary_key=True))
    """
    revs = [table_rev("a1", None), Rev("b1", "a1", upgrade=tolerant), table_rev("c1", "b1")]
    project = make_project(tmp_path / "p", pg_db, revs)
    events, err = _events(project.config())
    assert err is None
    assert not any("no_such_table" in sql for sql, _ in sent)
    assert version_rows(pg_db) == {"c1"}
    assert {"t_a1", "t_fallback", "t_c1"} <= table_names(pg_db)
    assert _finished(events) == [1, 2, 3]


def test_stop_request_ends_the_run_after_the_running_step(tmp_path, pg_db, sent):
    revs = [table_rev("a1", None), table_rev("b1", "a1"), table_rev("c1", "b1")]
    project = make_project(tmp_path / "p", pg_db, revs)
    control = ev.RunControl()

    def stop_in_second(event: Any) -> None:
        if isinstance(event, ev.StepStarted) and event.index == 2:
            control.request_stop()

    control.listeners.append(stop_in_second)
    result = commands.upgrade(project.config(), "heads", control=control)
    assert result.stopped and result.steps_done == 2
    assert version_rows(pg_db) == {"b1"}


def _connection_with(pg_db: str, **engine_kw: Any) -> tuple[sa.Engine, sa.Connection]:
    engine = sa.create_engine(pg_db, **engine_kw)
    return engine, engine.connect()


def test_only_where_nothing_could_tell(pg_db):
    engine, connection = _connection_with(pg_db)
    try:
        assert StatementPipeline.for_connection(connection, connection.dialect) is not None
    finally:
        connection.close()
        engine.dispose()
    # statements echoed to the log by SQLAlchemy would go missing
    engine, connection = _connection_with(pg_db, echo=True)
    try:
        assert StatementPipeline.for_connection(connection, connection.dialect) is None
    finally:
        connection.close()
        engine.dispose()
    # and so would they for a cursor-level listener
    engine, connection = _connection_with(pg_db)
    sa.event.listen(engine, "before_cursor_execute", lambda *a: None)
    try:
        assert StatementPipeline.for_connection(connection, connection.dialect) is None
    finally:
        connection.close()
        engine.dispose()


def test_out_of_a_transaction_statements_wait(pg_db):
    """In autocommit (``autocommit_block()``, or an env.py that asks for it) a failed
    statement must not take the next ones down with it: nothing goes ahead."""
    engine = sa.create_engine(pg_db)
    try:
        with engine.connect() as connection:
            pipeline = StatementPipeline.for_connection(connection, connection.dialect)
            assert pipeline is not None
            assert not pipeline.usable()  # no transaction yet
            connection.begin()
            assert pipeline.usable()
            with connection.begin_nested():
                assert not pipeline.usable()
            connection.rollback()
            auto = connection.execution_options(isolation_level="AUTOCOMMIT")
            auto.begin()
            assert not pipeline.usable()
            pipeline.close()
    finally:
        engine.dispose()


def test_a_python_error_comes_after_what_went_ahead(tmp_path, pg_db, sent):
    """A script that raises: the steps before it finish (their statements are in),
    then it fails, as when every statement was waited for."""
    revs = [
        table_rev("a1", None),
        table_rev("b1", "a1"),
        Rev("c1", "b1", upgrade='raise RuntimeError("not today")', message="raises"),
    ]
    project = make_project(tmp_path / "p", pg_db, revs)
    events, err = _events(project.config())
    assert isinstance(err, MigrationFailed)
    assert err.revision == "c1" and err.statement is None
    assert "RuntimeError: not today" in err.message
    assert _finished(events) == [1, 2]
    assert [e.index for e in events if isinstance(e, ev.StepFailed)] == [3]
    assert version_rows(pg_db) == set()  # one transaction for the run: rolled back


def test_the_connection_is_handed_back_as_it_came(tmp_path, pg_db, sent):
    """A connection env.py was handed (``config.attributes``) leaves the run out of
    pipeline mode, with none of the run's listeners on it, and still works."""
    revs = [table_rev("a1", None), table_rev("b1", "a1")]
    project = make_project(tmp_path / "p", pg_db, revs)
    engine = sa.create_engine(pg_db)
    try:
        with engine.connect() as connection:
            config = project.config()
            config.attributes["connection"] = connection
            commands.upgrade(config, "heads")
            assert sent  # the statements did go ahead
            assert not connection.dispatch.before_cursor_execute
            assert not connection.dispatch.commit and not connection.dispatch.rollback
            assert connection.connection.driver_connection.info.pipeline_status == 0
            assert connection.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    finally:
        engine.dispose()
    assert version_rows(pg_db) == {"b1"}
