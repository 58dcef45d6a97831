"""Statements run by a worker thread on SQLite (engine/ddl/sqlite_ahead.py), on real
database files: every scenario ends exactly as it ends when each statement is
waited for (the same error, statement, applied statements, schema and version
table), whatever the worker's timing; a script that could catch an error sees it
where it made the call."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from engine import commands
from engine.ddl.pipeline import DeferredStatementFailed
from engine.ddl.sqlite_ahead import ThreadedStatements
from engine.errors import MigrationFailed
from engine.runtime import events as ev
from tests.runtime.project import ENV_PY, Rev, make_project, table_names, table_rev, version_rows

BAD = 'op.add_column("no_such_table", sa.Column("x", sa.Integer()))'
BAD_SQL = "ALTER TABLE no_such_table ADD COLUMN x INTEGER"


def _table(name: str) -> str:
    return f'op.create_table("{name}", sa.Column("id", sa.Integer, primary_key=True))'


@pytest.fixture
def handed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """(statement, step) for every job handed to the worker (COMMIT included)."""
    calls: list[tuple[str, int]] = []
    original = ThreadedStatements._hand

    def spy(self: ThreadedStatements, job: Any) -> None:
        calls.append((job.shown.strip(), job.step))
        original(self, job)

    monkeypatch.setattr(ThreadedStatements, "_hand", spy)
    return calls


def _run(
    root: Path, revs: list[Rev], *, worker: bool, configure: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Upgrade a fresh project to heads; what a user could see of the outcome."""
    url = f"sqlite:///{root / 'db.sqlite'}"
    project = make_project(root, url, revs, configure=configure)
    seen: list[Any] = []
    control = ev.RunControl(listeners=[seen.append])
    patch = pytest.MonkeyPatch()
    if not worker:
        patch.setattr(ThreadedStatements, "for_connection", classmethod(lambda *a: None))
    error: MigrationFailed | None = None
    try:
        commands.upgrade(project.config(), "heads", control=control)
    except MigrationFailed as err:
        error = err
    finally:
        patch.undo()
    return {
        "error": None if error is None else (error.message, error.hint),
        "statement": None if error is None else error.statement,
        "applied": None if error is None else error.applied_statements,
        "failed": [e.index for e in seen if isinstance(e, ev.StepFailed)],
        "finished": [e.index for e in seen if isinstance(e, ev.StepFinished)],
        "tables": table_names(url),
        "versions": version_rows(url),
    }


def _same_as_waiting(tmp_path: Path, revs: list[Rev], **kw: Any) -> dict[str, Any]:
    ahead = _run(tmp_path / "ahead", revs, worker=True, **kw)
    waiting = _run(tmp_path / "waiting", revs, worker=False, **kw)
    assert ahead == waiting
    return ahead


def test_statements_go_ahead_and_the_run_ends_at_head(tmp_path, handed):
    revs = [
        table_rev("a1", None),
        Rev("b1", "a1", upgrade=f"{_table('t_b1')}\n{BAD.replace('no_such_table', 't_a1')}"),
        table_rev("c1", "b1"),
    ]
    outcome = _same_as_waiting(tmp_path, revs)
    assert outcome["error"] is None and outcome["versions"] == {"c1"}
    assert {"t_a1", "t_b1", "t_c1"} <= outcome["tables"]
    assert outcome["finished"] == [1, 2, 3]
    ahead = [(sql.split(" (")[0], step) for sql, step in handed]
    assert ("CREATE TABLE t_a1", 1) in ahead
    assert ("ALTER TABLE t_a1 ADD COLUMN x INTEGER", 2) in ahead
    assert ("COMMIT", 3) in ahead  # each step's commit waits its turn behind its statements
    assert any(sql.startswith("UPDATE alembic_version") for sql, _ in handed)


@pytest.mark.parametrize("per_migration", [False, True])
def test_a_failure_is_the_failure_of_the_step_that_issued_it(tmp_path, handed, per_migration):
    revs = [
        table_rev("a1", None),
        Rev("b1", "a1", upgrade=f"{_table('t_b1')}\n{BAD}\n{_table('t_b1_after')}"),
        table_rev("c1", "b1"),
    ]
    configure = {"transaction_per_migration": True} if per_migration else None
    outcome = _same_as_waiting(tmp_path, revs, configure=configure)
    assert (BAD_SQL, 2) in handed
    assert outcome["statement"] == BAD_SQL
    assert "OperationalError: no such table: no_such_table" in outcome["error"][0]
    assert "1 statement(s) of this step ran" in outcome["error"][1]  # t_b1 stays
    assert outcome["failed"] == [2] and outcome["finished"] == [1]
    assert outcome["versions"] == {"a1"}
    assert {"t_a1", "t_b1"} <= outcome["tables"]
    assert not {"t_b1_after", "t_c1"} & outcome["tables"]


def test_a_failure_found_in_a_later_step_is_still_its_steps(tmp_path, handed):
    """The failing statement is the last of its step: the worker may find it out
    while the next step's script runs; that step's statements never run."""
    revs = [
        table_rev("a1", None),
        Rev("b1", "a1", upgrade=f"{_table('t_b1')}\n{BAD}"),
        Rev("c1", "b1", upgrade=f"{_table('t_c1')}\n{_table('t_c1_more')}"),
        table_rev("d1", "c1"),
    ]
    outcome = _same_as_waiting(tmp_path, revs)
    assert outcome["failed"] == [2] and outcome["versions"] == {"a1"}
    assert not {"t_c1", "t_c1_more", "t_d1"} & outcome["tables"]


def test_a_python_error_after_a_failed_statement_reports_the_statement(tmp_path, handed):
    revs = [Rev("a1", None, upgrade=f'{BAD}\nraise RuntimeError("never reached")')]
    outcome = _same_as_waiting(tmp_path, revs)
    assert outcome["statement"] == BAD_SQL and "never reached" not in outcome["error"][0]


def test_a_python_error_comes_after_what_went_ahead(tmp_path, handed):
    revs = [
        table_rev("a1", None),
        Rev("b1", "a1", upgrade=f'{_table("t_b1")}\nraise RuntimeError("not today")'),
    ]
    outcome = _same_as_waiting(tmp_path, revs)
    assert outcome["statement"] is None and "RuntimeError: not today" in outcome["error"][0]
    assert outcome["finished"] == [1] and outcome["failed"] == [2]
    assert outcome["versions"] == {"a1"} and "t_b1" in outcome["tables"]


CAUGHT_IN_TRY = f"""
try:
    {BAD}
except sa.exc.OperationalError:
    {_table("t_fallback")}
"""

CAUGHT_BY_A_CALLER = f"""
def helper():
    {BAD}

try:
    helper()
except sa.exc.OperationalError:
    {_table("t_fallback")}
"""

SUPPRESSED_BY_WITH = f"""
import contextlib
with contextlib.suppress(sa.exc.OperationalError):
    {BAD}
{_table("t_fallback")}
"""


@pytest.mark.parametrize(
    "body", [CAUGHT_IN_TRY, CAUGHT_BY_A_CALLER, SUPPRESSED_BY_WITH], ids=["try", "caller", "with"]
)
def test_a_script_that_can_catch_the_error_sees_it_where_it_called(tmp_path, handed, body):
    """SQLite keeps the transaction after a failed statement, so a script may catch
    the error and carry on: there the statement runs at once, as with Alembic."""
    revs = [table_rev("a1", None), Rev("b1", "a1", upgrade=body), table_rev("c1", "b1")]
    outcome = _same_as_waiting(tmp_path, revs)
    assert outcome["error"] is None and outcome["versions"] == {"c1"}
    assert {"t_a1", "t_fallback", "t_c1"} <= outcome["tables"]
    assert not any("no_such_table" in sql for sql, _ in handed)
    assert any(sql.startswith("CREATE TABLE t_c1") for sql, _ in handed)


def test_a_script_that_swallows_a_later_wait_still_fails(tmp_path, handed):
    """A failure handed back at a later wait inside a ``try`` the script swallows is
    raised again at the next one: nothing after the failed statement runs."""
    body = f"""
    {BAD}
    try:
        op.get_bind().execute(sa.text("SELECT 1"))
    except Exception:
        pass
    {_table("t_after")}
    """
    revs = [table_rev("a1", None), Rev("b1", "a1", upgrade=body)]
    outcome = _same_as_waiting(tmp_path, revs)
    assert outcome["statement"] == BAD_SQL and outcome["versions"] == {"a1"}
    assert "t_after" not in outcome["tables"]


def test_on_version_apply_hears_only_of_applied_steps(tmp_path):
    env_py = ENV_PY.replace(
        "kw = ast.literal_eval",
        "def _record(ctx, step, heads, run_args):\n"
        "    config.attributes.setdefault('applied', []).append(step.up_revision_id)\n"
        "kw0 = ast.literal_eval",
    ).replace("**kw)", "on_version_apply=_record, **kw0)")
    revs = [table_rev("a1", None), Rev("b1", "a1", upgrade=BAD), table_rev("c1", "b1")]
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    project = make_project(tmp_path / "p", url, revs, env_py=env_py)
    config = project.config()
    with pytest.raises(MigrationFailed):
        commands.upgrade(config, "heads")
    assert config.attributes["applied"] == ["a1"]


def test_stop_request_ends_the_run_after_the_running_step(tmp_path, handed):
    revs = [table_rev("a1", None), table_rev("b1", "a1"), table_rev("c1", "b1")]
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    project = make_project(tmp_path / "p", url, revs)
    control = ev.RunControl()

    def stop_in_second(event: Any) -> None:
        if isinstance(event, ev.StepStarted) and event.index == 2:
            control.request_stop()

    control.listeners.append(stop_in_second)
    result = commands.upgrade(project.config(), "heads", control=control)
    assert result.stopped and result.steps_done == 2
    assert version_rows(url) == {"b1"} and "t_c1" not in table_names(url)
    assert handed


def _workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("tui-migrate-sqlite")]


def test_the_connection_is_handed_back_as_it_came(tmp_path, handed):
    """A connection env.py was handed leaves the run with none of the run's
    listeners, its own commit, no worker thread, the GIL switch interval as it was,
    and still works."""
    revs = [table_rev("a1", None), table_rev("b1", "a1")]
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    project = make_project(tmp_path / "p", url, revs)
    interval = sys.getswitchinterval()
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            config = project.config()
            config.attributes["connection"] = connection
            commands.upgrade(config, "heads")
            assert handed  # the statements did go to the worker
            assert not connection.dispatch.before_cursor_execute
            assert not connection.dispatch.commit and not connection.dispatch.rollback
            assert "commit" not in vars(connection.connection)
            assert not _workers()
            assert sys.getswitchinterval() == interval
            rows = connection.execute(sa.text("SELECT version_num FROM alembic_version")).all()
            assert rows == [("b1",)]
    finally:
        engine.dispose()


def test_only_where_the_worker_may_use_the_connection(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"

    def worker_for(**engine_kw: Any) -> ThreadedStatements | None:
        engine = sa.create_engine(url, **engine_kw)
        try:
            with engine.connect() as connection:
                found = ThreadedStatements.for_connection(connection, connection.dialect)
                if found is not None:
                    found.close()
                return found
        finally:
            engine.dispose()

    assert worker_for() is not None  # a database file: check_same_thread=False
    # sqlite3 refuses calls from other threads unless told otherwise
    assert worker_for(connect_args={"check_same_thread": True}) is None
    assert worker_for(echo=True) is None  # echoed statements would go missing
    assert not _workers()


def test_a_connection_only_its_own_thread_may_use_runs_as_before(tmp_path, handed):
    revs = [table_rev("a1", None), table_rev("b1", "a1")]
    url = f"sqlite:///{tmp_path / 'db.sqlite'}?check_same_thread=true"
    project = make_project(tmp_path / "p", url, revs)
    commands.upgrade(project.config(), "heads")
    assert not handed
    assert version_rows(url) == {"b1"}


# ------------------------------------------------------- the worker on its own


@pytest.fixture
def worker(tmp_path):
    """A worker on a fresh database file's connection (closed, discarding, after)."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'w.sqlite'}")
    connection = engine.connect()
    found = ThreadedStatements.for_connection(connection, connection.dialect)
    assert found is not None
    yield found
    found.close(discard=True)
    connection.close()
    engine.dispose()


def _names(worker: ThreadedStatements) -> list[str]:
    rows = worker.connection.exec_driver_sql("SELECT name FROM sqlite_master ORDER BY rowid")
    return [name for (name,) in rows]


def test_statements_and_callbacks_keep_their_order(worker):
    heard: list[str] = []
    for name in ("a", "b", "c"):
        worker.send(f"CREATE TABLE {name} (id INTEGER)", 1)
        worker.after_confirmed(lambda name=name: heard.append(name))
    worker.confirm()
    assert heard == ["a", "b", "c"]
    assert _names(worker) == ["a", "b", "c"]  # (this query waited for the worker)


def test_after_a_failure_nothing_more_runs_and_every_wait_raises_it(worker):
    heard: list[int] = []
    worker.send("CREATE TABLE a (id INTEGER)", 1)
    worker.after_confirmed(lambda: heard.append(1))
    worker.send("CREATE TABLE a (id INTEGER)", 2)  # fails: a exists
    worker.after_confirmed(lambda: heard.append(2))
    with pytest.raises(DeferredStatementFailed) as first:
        worker.send("CREATE TABLE b (id INTEGER)", 3)
        worker.confirm()
    failed = first.value
    assert failed.step == 2 and failed.statement == "CREATE TABLE a (id INTEGER)"
    assert isinstance(failed.error, sa.exc.OperationalError)  # as SQLAlchemy raises it
    assert "already exists" in str(failed.error)
    for wait in (worker.confirm, worker.wait_progress, lambda: worker.send("SELECT 1", 4)):
        with pytest.raises(DeferredStatementFailed):
            wait()
    with pytest.raises(DeferredStatementFailed):  # SQLAlchemy's next statement waits
        worker.connection.exec_driver_sql("SELECT 1")
    # a step that ends after the failure is known (with nothing left to run) does
    # not finish either
    worker.after_confirmed(lambda: heard.append(4))
    assert heard == [1]  # the step before the failure finished, none after it
    worker.close(discard=True)
    assert _names(worker) == ["a"]


def test_a_commit_waits_its_turn_and_its_step_finishes_after_it(worker):
    connection = worker.connection
    heard: list[str] = []
    connection.begin()
    worker.send("CREATE TABLE v (n INTEGER)", 1)
    worker.send("INSERT INTO v VALUES (1)", 1)
    worker.after_confirmed(lambda: heard.append("finished"))
    worker._commit_ahead = True  # as the runner's own commit decides
    worker._commit()
    worker.confirm()
    assert heard == ["finished"]
    other = sqlite3_rows(connection, "SELECT n FROM v")
    assert other == [(1,)]  # committed: another connection sees the row


def sqlite3_rows(connection: sa.Connection, sql: str) -> list[tuple[Any, ...]]:
    import sqlite3

    path = connection.engine.url.database
    with sqlite3.connect(path) as other:
        return other.execute(sql).fetchall()


def test_closing_with_discard_drops_what_has_not_run(worker):
    running, gate = threading.Event(), threading.Event()

    def hold(cursor: Any) -> None:
        running.set()
        gate.wait(10)

    worker.send("CREATE TABLE a (id INTEGER)", 1, check=hold)
    assert running.wait(10)  # the worker is on it
    for i in range(10):
        worker.send(f"ALTER TABLE a ADD COLUMN c{i} INTEGER", 2)
    threading.Timer(0.2, gate.set).start()  # the running statement ends a little later
    worker.close(discard=True)  # drops the ten, waits for the one running
    assert gate.is_set()
    columns = [c["name"] for c in sa.inspect(worker.connection).get_columns("a")]
    assert columns == ["id"]
    assert not _workers()


def test_waiting_on_a_worker_that_stopped_raises_instead_of_hanging(worker, monkeypatch):
    monkeypatch.setattr("engine.ddl.sqlite_ahead._CHECK_ALIVE", 0.05)
    with worker._lock:  # stop the thread as if it had died
        worker._closed = True
        worker._work_ready.notify()
    worker._thread.join()
    worker._closed = False
    worker.send("CREATE TABLE a (id INTEGER)", 1)
    with pytest.raises(RuntimeError, match="worker stopped"):
        worker.confirm()
