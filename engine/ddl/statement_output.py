"""How an Impl's statements leave it: executed on the connection (online) or
written to the output buffer as SQL text (offline, ``--sql``), one per block::

    ALTER TABLE t ADD COLUMN c INTEGER;
    <blank line>

Every statement is announced to the statement listeners (the run's step events,
the TUI's log) as it goes. ``DefaultImpl`` (engine/ddl/impl.py) decides which
statements; this mixin how they are sent.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TextIO

from sqlalchemy import text
from sqlalchemy.engine.mock import MockConnection
from sqlalchemy.sql.ddl import BaseDDLElement
from sqlalchemy.sql.elements import TextClause

from engine.ddl.pending_sql import PendingSQL
from engine.ddl.pipeline import StatementPipeline
from engine.ddl.plain_ddl import PlainDDL
from engine.ddl.sqlite_ahead import ThreadedStatements
from engine.errors import CommandError

#: Called with the statement text (a ``PendingSQL``: a str-like rendered when read).
StatementListener = Callable[[Any], None]

#: Drivers for which executing a DDL statement's text (``exec_driver_sql``) and
#: executing the compiled construct are the same to the driver: same string, same
#: empty parameters, no DDL-only step in the dialect's execution context. Not asyncpg:
#: its context clears the prepared-statement cache after DDL, which text would skip.
#: Only drivers the test suite runs on.
_TEXT_DDL_DRIVERS = frozenset({"psycopg", "pysqlite", "aiosqlite", "pymysql"})


class StatementOutput:
    """Sending statements: see the module. Mixed into ``DefaultImpl``."""

    dialect: Any
    connection: Any
    as_sql: bool
    output_buffer: TextIO | None
    literal_binds: bool
    statement_listeners: list[StatementListener]
    command_terminator: str
    batch_separator: str | None
    _plain_ddl: PlainDDL | None
    #: The runner's step number while a step runs (0 between steps): statements go
    #: ahead of their results only then.
    pipeline_step: int = 0
    _pipeline: StatementPipeline | ThreadedStatements | None = None
    _pipeline_checked: bool = False

    @property
    def bind(self) -> Any:
        """The connection, once the statements sent ahead are in (what the caller
        does with it comes after them)."""
        self.confirm_sent()
        return self.connection

    def static_output(self, text: str) -> None:
        buffer = self.output_buffer if self.output_buffer is not None else sys.stdout
        buffer.write(text + "\n\n")
        flush = getattr(buffer, "flush", None)
        if flush is not None:
            flush()

    def emit_begin(self) -> None:
        self.static_output("BEGIN" + self.command_terminator)

    def emit_commit(self) -> None:
        self.static_output("COMMIT" + self.command_terminator)

    def _notify(self, sql: str | PendingSQL) -> None:
        for listener in self.statement_listeners:
            listener(sql)

    def _sql_text(self, construct: Any, literal_binds: bool = False) -> str:
        if literal_binds and not isinstance(construct, BaseDDLElement):
            compiled = construct.compile(
                dialect=self.dialect, compile_kwargs={"literal_binds": True}
            )
        else:
            compiled = construct.compile(dialect=self.dialect)
        return str(compiled).replace("\t", "    ").strip()

    def _exec(
        self,
        construct: Any,
        execution_options: Mapping[str, Any] | None = None,
        multiparams: Sequence[Mapping[str, Any]] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        if isinstance(construct, str):
            construct = text(construct)
        if self.as_sql:
            if multiparams or params:
                raise CommandError(
                    "Execution arguments (parameters) cannot be used in offline (--sql) mode",
                    hint="Render values into the statement, e.g. with op.inline_literal().",
                )
            self._write_offline(construct, literal_binds=self.literal_binds)
            return None
        self.confirm_sent()
        if self.statement_listeners:
            if isinstance(construct, TextClause):
                self._notify(PendingSQL(construct.text.strip()))
            else:
                # Rendered only if a listener reads it: executing compiles it anyway.
                self._notify(PendingSQL(lambda: self._sql_text(construct)))
        arguments: Any = list(multiparams) if multiparams else (dict(params) if params else None)
        if execution_options:
            return self.connection.execute(
                construct, arguments, execution_options=dict(execution_options)
            )
        return self.connection.execute(construct, arguments)

    def _write_offline(self, construct: Any, literal_binds: bool) -> None:
        self.write_offline_sql(self._sql_text(construct, literal_binds=literal_binds))

    @property
    def plain_ddl(self) -> PlainDDL | None:
        """The renderer of plain DDL (engine/ddl/plain_ddl.py) when its text may stand
        in for a compiled construct: always offline; online when nothing could tell
        the difference (no ``before_execute``/``after_execute`` listener, which would
        see a string instead of the DDL construct, and no ``schema_translate_map``)."""
        if self._plain_ddl is None or self.as_sql:
            return self._plain_ddl
        connection = self.connection
        if connection is None or self.dialect.driver not in _TEXT_DDL_DRIVERS:
            return None
        dispatch = connection.dispatch
        if dispatch.before_execute or dispatch.after_execute:
            return None
        if "schema_translate_map" in connection.get_execution_options():
            return None
        return self._plain_ddl

    def run_plain(self, sql: str, check: Callable[[Any], None] | None = None) -> None:
        """Write (offline) or execute (online) a statement ``plain_ddl`` rendered, or
        any other text that compiling its construct would give exactly (no bind
        parameters, nothing the dialect would escape). Online, ``check`` gets the
        cursor result; during a step on PostgreSQL or SQLite the statement may go
        ahead without waiting (engine/ddl/pipeline.py, engine/ddl/sqlite_ahead.py),
        ``check`` then running once it is in."""
        clean = sql.replace("\t", "    ").strip()
        if self.as_sql:
            self.write_offline_sql(clean)
            return
        if self.statement_listeners:
            self._notify(PendingSQL(clean))
        pipeline = self._usable_pipeline()
        if pipeline is not None:
            pipeline.send(sql, self.pipeline_step, check, shown=clean)
            return
        result = self.connection.exec_driver_sql(sql)
        if check is not None:
            check(result)

    # --------------------------------------------------------- statements sent ahead

    def _usable_pipeline(self) -> StatementPipeline | ThreadedStatements | None:
        if not self.pipeline_step:
            return None  # only while the runner runs a step
        if self._pipeline is None:
            if self._pipeline_checked:
                return None
            self._pipeline_checked = True
            self._pipeline = StatementPipeline.for_connection(
                self.connection, self.dialect
            ) or ThreadedStatements.for_connection(self.connection, self.dialect)
            if self._pipeline is None:
                return None
        return self._pipeline if self._pipeline.usable() else None

    def confirm_sent(self) -> None:
        """Wait for the statements sent ahead; raises ``DeferredStatementFailed``."""
        if self._pipeline is not None:
            self._pipeline.confirm()

    def confirm_before_commit(self) -> None:
        """Before the run commits a step: wait for the statements sent ahead, unless
        the commit itself waits its turn behind them (SQLite's worker)."""
        pipeline = self._pipeline
        if pipeline is not None and not pipeline.orders_commits:
            pipeline.confirm()

    def wait_sent_steps(self, running: Callable[[], int]) -> None:
        """Before a step starts: wait until ``running()`` (the steps not yet known to
        have finished) is within how far statements may run ahead of the scripts."""
        pipeline = self._pipeline
        if pipeline is None or pipeline.steps_ahead is None:
            return
        while running() > pipeline.steps_ahead and pipeline.wait_progress():
            pass

    def after_sent_confirmed(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once the statements sent ahead so far have succeeded."""
        if self._pipeline is not None:
            self._pipeline.after_confirmed(callback)
        else:
            callback()

    def close_pipeline(self, discard: bool = False) -> None:
        """End sending ahead: wait for what was sent (or ``discard`` it, when the run
        failed and its transaction is being rolled back) and stop listening."""
        pipeline, self._pipeline = self._pipeline, None
        self._pipeline_checked = False
        if pipeline is not None:
            pipeline.close(discard=discard)

    def write_offline_sql(self, sql: str) -> None:
        """Write one rendered statement offline, as ``_exec`` does for a construct."""
        self._notify(sql)
        self.static_output(sql + self.command_terminator)
        if self.batch_separator:
            self.static_output(self.batch_separator)

    def execute(self, sql: Any, execution_options: Mapping[str, Any] | None = None) -> Any:
        return self._exec(sql, execution_options)

    def _event_bind(self) -> MockConnection:
        """What SQLAlchemy's create/drop events see as the connection: statements they
        emit (e.g. PostgreSQL ``CREATE TYPE``) go through ``_exec`` like ours."""

        def run(construct: Any, parameters: Any = None, *args: Any, **kw: Any) -> Any:
            return self._exec(construct)

        return MockConnection(self.dialect, run)
