"""Plain statements sent to PostgreSQL without waiting for each (psycopg's pipeline mode).

Online, a migration alternates Python (loading a version file, building its Tables,
rendering) with the database executing what it sent. Waiting for every statement
adds the two up. In psycopg's pipeline mode a statement is sent and the script goes
on while the server executes it; results are read at the next point where the run
has to know them. On a 500-revision history on PostgreSQL this took ``upgrade head``
from 5.4 s to 3.7 s (Alembic 6.4 s), measured in session 6.

Only the statements the plain-DDL path sends (engine/ddl/plain_ddl.py: CREATE TABLE,
ADD COLUMN, CREATE INDEX, the version table's rows) go ahead, and only where
nothing can tell:

* psycopg (not its async form), in a transaction the connection began (not in
  autocommit, not inside a SAVEPOINT), so a failure anywhere aborts the
  transaction exactly as a failure at once would, and nothing a script does with
  the failure in between can take effect;
* no cursor-level event listener and no statement echo on the connection, which
  would miss statements sent past SQLAlchemy.

Everything that uses the connection otherwise first waits for what was sent: every
statement SQLAlchemy executes on it (a ``before_cursor_execute`` listener this
pipeline adds), commit and rollback, and the runner at the end of the run, of every
step that commits, and before ``autocommit_block()``. A statement that failed is
raised there as ``DeferredStatementFailed``, naming the statement and the step
that sent it; the ones sent after it were never executed (the server skips them).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event

#: Statements sent before the run waits for them anyway (bounds memory and buffers).
MAX_PENDING = 256


class DeferredStatementFailed(Exception):
    """A statement sent ahead failed (or its row-count check did): raised where the
    run next waits, for the step that sent it."""

    def __init__(self, statement: str, step: int, error: BaseException) -> None:
        super().__init__(str(error))
        self.statement = statement
        self.step = step
        self.error = error


class SentAhead:
    """What the runner needs of statements that run past SQLAlchemy on one connection
    (this module's pipeline, engine/ddl/sqlite_ahead.py's worker): the rule for where
    they may, and the listeners through which everything else on the connection
    first waits for them."""

    #: how many steps the scripts may run ahead of the statements (None: no bound)
    steps_ahead: int | None = None
    #: whether a commit waits its turn behind what was sent (else the run waits first)
    orders_commits = False

    connection: Any

    @staticmethod
    def runs_unseen(connection: Any, dialect: Any, driver: str) -> bool:
        """Whether statements on ``connection`` may bypass SQLAlchemy: the ``driver``
        (not its async form), no statement echo to the log and no cursor-level
        listener, which would both miss them."""
        if dialect.driver != driver or getattr(dialect, "is_async", False):
            return False
        if getattr(connection, "_echo", True):
            return False
        dispatch = connection.dispatch
        return not (dispatch.before_cursor_execute or dispatch.after_cursor_execute)

    def wait_progress(self) -> bool:
        """(Where ``steps_ahead`` is set.) Wait until the next step finished; whether
        steps remain unfinished."""
        raise NotImplementedError

    def _listeners(self) -> tuple[tuple[str, Callable[..., None]], ...]:
        return (
            ("before_cursor_execute", self._before_cursor_execute),
            ("commit", self._before_commit),
            ("rollback", self._before_rollback),
        )

    def _listen(self) -> None:
        for name, fn in self._listeners():
            event.listen(self.connection, name, fn)

    def _stop_listening(self) -> None:
        for name, fn in self._listeners():
            if event.contains(self.connection, name, fn):
                event.remove(self.connection, name, fn)

    def _before_cursor_execute(self, *args: Any, **kw: Any) -> None:
        raise NotImplementedError

    def _before_commit(self, *args: Any) -> None:
        raise NotImplementedError

    def _before_rollback(self, *args: Any) -> None:
        raise NotImplementedError


@dataclass
class _Sent:
    sql: str
    step: int
    cursor: Any
    check: Callable[[Any], None] | None


class StatementPipeline(SentAhead):
    """One connection's statements in flight; see the module."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self._raw = connection.connection.driver_connection
        self._pipeline: Any = None
        self._pending: list[_Sent | Callable[[], None]] = []
        self._sent = 0
        self._closed = False
        self._listen()

    @classmethod
    def for_connection(cls, connection: Any, dialect: Any) -> StatementPipeline | None:
        """A pipeline when this connection allows one (see the module), else None."""
        if not cls.runs_unseen(connection, dialect, "psycopg"):
            return None
        raw = getattr(connection.connection, "driver_connection", None)
        if raw is None or not hasattr(raw, "pipeline"):
            return None
        return cls(connection)

    # ------------------------------------------------------------------ sending

    def usable(self) -> bool:
        """Whether a statement may go ahead now (the transaction conditions)."""
        connection = self.connection
        return (
            not self._closed
            and connection.in_transaction()
            and not connection.in_nested_transaction()
            and not self._raw.autocommit
        )

    def send(
        self,
        sql: str,
        step: int,
        check: Callable[[Any], None] | None = None,
        shown: str | None = None,
    ) -> None:
        """Send ``sql`` without waiting; ``check(cursor)`` runs once its result is in.
        ``shown`` is the statement as the run reported it, for a failure to name."""
        if self._pipeline is None:
            self._pipeline = self._raw.pipeline()
            self._pipeline.__enter__()
        cursor = self._raw.cursor()
        sent = _Sent(shown if shown is not None else sql, step, cursor, check)
        try:
            cursor.execute(sql)
        except Exception as err:
            # psycopg reads results while it sends: an earlier statement's failure
            # can surface here; find which, as at a sync
            self._pending.append(sent)
            self.confirm(error=err)
            raise
        self._pending.append(sent)
        self._sent += 1
        if self._sent >= MAX_PENDING:
            self.confirm()

    def after_confirmed(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once everything sent so far has succeeded (now, if
        nothing is in flight)."""
        if self._pipeline is None:
            callback()
        else:
            self._pending.append(callback)

    # ------------------------------------------------------------------ waiting

    def confirm(self, error: BaseException | None = None) -> None:
        """Wait for every statement sent; run their checks and the callbacks queued
        behind them in order; raise ``DeferredStatementFailed`` for the first that
        failed (the ones after it were not executed). ``error``: one psycopg already
        raised for this batch."""
        pipeline, pending = self._take()
        if pipeline is None:
            return
        try:
            pipeline.__exit__(None, None, None)
        except Exception as err:  # the first statement's error, raised at the sync
            error = error or err
        for item in pending:
            if not isinstance(item, _Sent):
                item()
                continue
            cursor = item.cursor
            if error is not None and cursor.pgresult is None:
                # results come in order: the first without one is the statement
                # the server refused (or was running when the connection broke)
                raise DeferredStatementFailed(item.sql, item.step, error) from error
            try:
                if item.check is not None:
                    item.check(cursor)
            except Exception as err:
                raise DeferredStatementFailed(item.sql, item.step, err) from err
            finally:
                cursor.close()
        if error is not None:  # pragma: no cover - an error with every result in
            raise error

    def close(self, discard: bool = False) -> None:
        """Wait for what was sent (``discard``: ignoring failures, as when the
        transaction is rolled back anyway) and stop listening to the connection."""
        if self._closed:
            return
        try:
            if discard:
                self._discard()
            else:
                self.confirm()
        finally:
            self._closed = True
            self._stop_listening()

    def _take(self) -> tuple[Any, list[_Sent | Callable[[], None]]]:
        """The pipeline and what is pending on it, leaving none."""
        pipeline, pending = self._pipeline, self._pending
        self._pipeline, self._pending, self._sent = None, [], 0
        return pipeline, pending

    def _discard(self) -> None:
        pipeline, pending = self._take()
        if pipeline is None:
            return
        with contextlib.suppress(Exception):  # the transaction is being rolled back
            pipeline.__exit__(None, None, None)
        for item in pending:
            if isinstance(item, _Sent):
                item.cursor.close()

    # ------------------------------------------------------------------ events

    def _before_cursor_execute(self, *args: Any, **kw: Any) -> None:
        self.confirm()

    def _before_commit(self, *args: Any) -> None:
        self.confirm()

    def _before_rollback(self, *args: Any) -> None:
        self._discard()
