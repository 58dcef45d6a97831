"""Plain statements run on SQLite by a second thread while the scripts go on.

On a long history the run alternates Python (loading a version file, building its
Tables, rendering) with SQLite executing the statements, and on SQLite the
statements dominate: every ``ALTER TABLE ... ADD COLUMN`` reparses the whole
schema. Python's ``sqlite3`` lets other threads run while SQLite works, so here
the statements of the plain-DDL path (engine/ddl/plain_ddl.py: CREATE TABLE, ADD
COLUMN, CREATE INDEX, the version table's rows) and the step's commit are handed
to a worker thread, in order, and the scripts go on.

Nothing may tell the difference, so a statement goes ahead only where its error
could not have been caught by anything but the runner (engine/ddl/uncaught.py):
SQLite does not end a transaction when a statement fails, and a script that
catches a failure and carries on must see it where it made the call. Where it
could, the statement waits for those ahead of it and runs at once, as without
this module. The database then sees the same statements in the same order as it
would without the worker, and after a failure none of the ones issued later.

Everything else that uses the connection first waits for the worker: every
statement SQLAlchemy executes on it (a ``before_cursor_execute`` listener),
rollback, ``op.get_bind()``, and the runner wherever it needs to know (between
steps it stays at most one step ahead; the end of the run). A failure is raised
there as ``DeferredStatementFailed`` for the step that issued the statement, and
again at every later wait, so a script that catches it cannot carry on as if
nothing had failed.

Only the ``pysqlite`` driver, with no statement echo and no cursor-level
listener (they would miss statements run past SQLAlchemy), on a connection the
worker thread may use (``check_same_thread=False``, SQLAlchemy's default for a
database file).
"""

from __future__ import annotations

import sys
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import DBAPIError

from engine.ddl.pipeline import DeferredStatementFailed, SentAhead
from engine.ddl.uncaught import reaches_runner

#: Statements handed over and not yet run, at most (the runner's one-step bound
#: normally keeps it far lower).
MAX_PENDING = 64

#: GIL switch interval while the worker runs: a thread that wants the GIL back
#: waits up to this long for the running one to give it up (the default, 5 ms, is
#: longer than most statements take).
SWITCH_INTERVAL = 0.00002

_COMMIT = "COMMIT"

#: Seconds between checks, while waiting for the worker, that it is still alive.
_CHECK_ALIVE = 1.0


@dataclass
class _Job:
    sql: str  # what to execute, or _COMMIT for the connection's commit()
    shown: str  # the statement as the run reported it
    step: int
    check: Callable[[Any], None] | None = None
    number: int = 0  # its place in the order jobs were handed over (from 1)


class ThreadedStatements(SentAhead):
    """One SQLite connection's statements handed to a worker thread; see the module."""

    #: the runner starts a step only once all but this many earlier steps finished
    steps_ahead: int | None = 1
    #: a commit waits its turn behind the statements handed over before it
    orders_commits = True

    def __init__(self, connection: Any, dialect: Any) -> None:
        self.connection = connection
        self.dialect = dialect
        self._proxied = connection.connection
        self._raw = self._proxied.driver_connection
        self._lock = threading.Lock()
        self._work_ready = threading.Condition(self._lock)  # the worker waits on this
        self._progress = threading.Condition(self._lock)  # this thread waits on this
        self._wake_at = 0  # the count of finished jobs this thread waits for (0: none)
        self._jobs: deque[_Job] = deque()
        self._failure: DeferredStatementFailed | None = None
        self._failed_number = 0  # the failed job's number
        self._handed = 0  # jobs handed over so far
        self._done = 0  # jobs the worker finished (or dropped after a failure)
        self._callbacks: deque[tuple[int, Callable[[], None]]] = deque()
        self._step = 0
        self._commit_ahead = False
        self._closed = False
        self._switch = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch, SWITCH_INTERVAL))
        self._thread = threading.Thread(target=self._work, name="tui-migrate-sqlite", daemon=True)
        self._thread.start()
        # SQLAlchemy commits through the pool's proxy: ``commit`` found on the proxy
        # itself comes before the one it forwards to the driver's connection
        self._proxied.commit = self._commit
        self._listen()

    @classmethod
    def for_connection(cls, connection: Any, dialect: Any) -> ThreadedStatements | None:
        """The worker for this connection when it allows one (see the module)."""
        if not cls.runs_unseen(connection, dialect, "pysqlite"):
            return None
        proxied = getattr(connection, "connection", None)
        raw = getattr(proxied, "driver_connection", None)
        if raw is None or not hasattr(proxied, "__dict__") or not _other_threads_may_use(raw):
            return None
        return cls(connection, dialect)

    # ------------------------------------------------------------------ sending

    def usable(self) -> bool:
        """Whether a statement issued now may go ahead: the worker is running and no
        frame between the caller and the runner could catch the statement's error."""
        return not self._closed and reaches_runner(sys._getframe(1))

    def send(
        self,
        sql: str,
        step: int,
        check: Callable[[Any], None] | None = None,
        shown: str | None = None,
    ) -> None:
        """Hand ``sql`` to the worker; ``check(cursor)`` runs once it executed."""
        self._hand(_Job(sql, shown if shown is not None else sql, step, check))
        self._step = step
        self._run_due_callbacks()

    def _hand(self, job: _Job) -> None:
        with self._lock:
            if len(self._jobs) >= MAX_PENDING:
                self._wait_done(self._done + 1)
            if self._failure is not None:
                raise self._failure
            self._handed += 1
            job.number = self._handed
            self._jobs.append(job)
            self._work_ready.notify()

    def _wait_done(self, count: int) -> None:
        """(With the lock held.) Wait until ``count`` jobs are done or one failed."""
        while self._done < count and self._failure is None:
            self._wake_at = count
            if not self._progress.wait(_CHECK_ALIVE) and not self._thread.is_alive():
                raise RuntimeError("the SQLite statement worker stopped unexpectedly")
        self._wake_at = 0

    def after_confirmed(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (in this thread) once everything handed over so far ran."""
        with self._lock:
            if self._done < self._handed or self._failure is not None:
                # (after a failure: never, as the steps behind a failure never finish)
                self._callbacks.append((self._handed, callback))
                return
        callback()

    # ------------------------------------------------------------------ waiting

    def confirm(self) -> None:
        """Wait for the worker to run everything handed over; run the callbacks
        queued behind; raise ``DeferredStatementFailed`` if a statement failed."""
        with self._lock:
            self._wait_done(self._handed)
            failure = self._failure
        self._run_due_callbacks()
        if failure is not None:
            raise failure

    def wait_progress(self) -> bool:
        """Wait until the next callback is due (the next step finished), then run the
        callbacks now due; raise a failure, as ``confirm``. Whether callbacks remain."""
        with self._lock:
            self._wait_done(self._callbacks[0][0] if self._callbacks else self._handed)
            failure = self._failure
        self._run_due_callbacks()
        if failure is not None:
            raise failure
        return bool(self._callbacks)

    def _run_due_callbacks(self) -> None:
        while True:
            with self._lock:
                if not self._callbacks:
                    return
                due = self._callbacks[0][0]
                if due > self._done or (self._failure is not None and due >= self._failed_number):
                    return  # not yet, or never: the steps behind a failure do not finish
                _, callback = self._callbacks.popleft()
            callback()

    def close(self, discard: bool = False) -> None:
        """Stop the worker once it ran what it was handed (``discard``: once the
        statement it is running ends, dropping the rest and any failure) and stop
        listening to the connection."""
        if self._closed:
            return
        try:
            if discard:
                with self._lock:  # (the statement running ends before the join below)
                    self._drop_pending()
                    self._failure = None
                    self._callbacks.clear()
            else:
                self.confirm()
        finally:
            self._closed = True
            with self._lock:
                self._work_ready.notify()
            self._thread.join()
            sys.setswitchinterval(self._switch)
            if self._proxied.__dict__.get("commit") == self._commit:
                del self._proxied.commit
            self._stop_listening()

    def _drop_pending(self) -> None:
        self._done += len(self._jobs)
        self._jobs.clear()

    # ------------------------------------------------------------------ the worker

    def _work(self) -> None:
        raw = self._raw
        lock = self._lock
        while True:
            with lock:
                while not self._jobs and not self._closed:
                    self._work_ready.wait()
                if not self._jobs:
                    return
                job = self._jobs.popleft()
            failure = None
            try:
                if job.sql is _COMMIT:
                    raw.commit()
                else:
                    cursor = raw.cursor()
                    try:
                        cursor.execute(job.sql)
                        if job.check is not None:
                            job.check(cursor)
                    finally:
                        cursor.close()
            except BaseException as err:  # whatever it is, the run must hear of it
                failure = DeferredStatementFailed(job.shown, job.step, self._wrap(job, err))
            with lock:
                self._done += 1
                if failure is not None:
                    self._failure = failure
                    self._failed_number = job.number
                    self._drop_pending()  # what was issued after it never runs
                if self._wake_at and (self._done >= self._wake_at or failure is not None):
                    self._progress.notify()

    def _wrap(self, job: _Job, err: BaseException) -> BaseException:
        """The error as SQLAlchemy would have raised it for this statement (or as it
        is, should wrapping it fail: the worker must survive to report it)."""
        dbapi = getattr(self.dialect, "loaded_dbapi", None)
        if dbapi is None or not isinstance(err, dbapi.Error):
            return err
        try:
            return DBAPIError.instance(job.shown, None, err, dbapi.Error, dialect=self.dialect)
        except Exception:  # pragma: no cover - SQLAlchemy's own wrapping failed
            return err

    # ------------------------------------------------------------------ events

    def _before_cursor_execute(self, *args: Any, **kw: Any) -> None:
        self.confirm()

    def _before_commit(self, *args: Any) -> None:
        # decided here, where an error can still be raised cleanly: SQLAlchemy's
        # own commit wraps whatever the proxy's commit raises
        self._commit_ahead = not self._closed and reaches_runner(sys._getframe(1))
        if self._commit_ahead:
            with self._lock:
                if self._failure is not None:
                    raise self._failure
        else:
            self.confirm()

    def _commit(self) -> None:
        if not self._commit_ahead:
            self._wait_idle()  # (a commit SQLAlchemy announced no event for)
            self._raw.commit()
            return
        self._commit_ahead = False
        with self._lock:
            # a step is finished once its commit is in: its callbacks move behind it
            behind = self._handed
            self._callbacks = deque(
                (seq + 1 if seq == behind else seq, cb) for seq, cb in self._callbacks
            )
        self._hand(_Job(_COMMIT, _COMMIT, self._step))

    def _before_rollback(self, *args: Any) -> None:
        self._wait_idle()

    def _wait_idle(self) -> None:
        with self._lock:
            self._wait_done(self._handed)  # (after a failure, nothing is left to run)


def _other_threads_may_use(raw: Any) -> bool:
    """Whether the driver connection lets another thread use it (sqlite3 refuses
    any call from another thread unless opened with ``check_same_thread=False``)."""
    answer: list[bool] = []

    def probe() -> None:
        try:
            raw.cursor().close()  # sqlite3 checks the thread on every method call
        except Exception:
            answer.append(False)
        else:
            answer.append(True)

    thread = threading.Thread(target=probe, name="tui-migrate-sqlite-probe")
    thread.start()
    thread.join()
    return bool(answer and answer[0])
