"""``MigrationContext``: one database (or one offline SQL stream) being migrated.

It owns the dialect Impl, the version table and the transaction policy, and
runs the steps the command's ``fn`` hands it, reporting each as events:

* transactional-DDL dialects (PostgreSQL): one transaction for the whole run,
  or one per step with ``transaction_per_migration=True``;
* the others (SQLite, MySQL/MariaDB): one transaction per step, which holds the
  version-table change, so the table always shows the last completed step;
* a connection that is already in a transaction when handed in is left alone:
  its owner commits.

Offline (``as_sql``) the same policy is written out as ``BEGIN;``/``COMMIT;``.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine.mock import MockConnection

from engine.errors import CommandError
from engine.revisions.plans import HeadsTracker
from engine.runtime import events as ev
from engine.runtime.steps import StepRunner
from engine.runtime.version_table import (
    RowStatements,
    check_rowcount,
    read_heads,
    version_table,
)

#: characters text() compiles specially (bind markers, escapes, percent doubling)
_TEXT_SPECIAL = re.compile(r"[:%\\]")

log = logging.getLogger("alembic.runtime.migration")


class _RunTransaction:
    """The transaction this context began; commits or rolls back on exit."""

    def __init__(self, context: MigrationContext, transaction: sa.Transaction) -> None:
        self.context = context
        self.transaction = transaction

    def __enter__(self) -> _RunTransaction:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if self.transaction.is_active:
                if exc_type is None:
                    self.transaction.commit()
                else:
                    self.transaction.rollback()
        finally:
            self.context._transaction = None

    # Alembic's proxy exposes these too; env.py code occasionally calls them.
    def commit(self) -> None:
        self.transaction.commit()
        self.context._transaction = None

    def rollback(self) -> None:
        self.transaction.rollback()
        self.context._transaction = None


class MigrationContext(StepRunner):
    def __init__(
        self,
        dialect: sa.Dialect,
        connection: sa.Connection | None,
        opts: dict[str, Any],
        environment_context: Any = None,
    ) -> None:
        from engine.ddl.impl import DefaultImpl

        self.environment_context = environment_context
        self.opts = opts
        self.dialect = dialect
        self.script = opts.get("script")
        self.as_sql: bool = bool(opts.get("as_sql", False))
        self.purge: bool = bool(opts.get("purge", False))
        self._transaction_per_migration = bool(opts.get("transaction_per_migration", False))
        self.on_version_apply_callbacks = list(opts.get("on_version_apply") or ())
        self._migrations_fn = opts.get("fn")
        self._start_from_rev = opts.get("starting_rev")
        self.output_buffer = opts.get("output_buffer") or sys.stdout
        self._transaction: _RunTransaction | None = None
        self._control: ev.RunControl = (
            getattr(environment_context, "run_control", None) or ev.RunControl()
        )
        if self.as_sql:
            self.connection: Any = MockConnection(dialect, self._offline_execute)
            self._in_external_transaction = False
        else:
            self.connection = connection
            self._in_external_transaction = bool(
                connection is not None and connection.in_transaction()
            )
        self.version_table = opts.get("version_table", "alembic_version")
        self.version_table_schema = opts.get("version_table_schema")
        self._version = version_table(
            self.version_table, self.version_table_schema, opts.get("version_table_pk", True)
        )
        impl_cls = DefaultImpl.get_by_dialect(dialect)
        self.impl = impl_cls(
            dialect,
            self.connection,
            self.as_sql,
            opts.get("transactional_ddl"),
            self.output_buffer,
            opts,
        )
        self._step_index = 0
        self._step_statements: list[Any] = []
        self._in_version_change = False
        self._row_sql: RowStatements | None = None
        self.impl.statement_listeners.append(self._on_statement)
        log.info("Context impl %s.", type(self.impl).__name__)
        if self.as_sql:
            log.info("Generating static SQL")
        log.info(
            "Will assume %s DDL.",
            "transactional" if self.impl.transactional_ddl else "non-transactional",
        )

    # --- construction ---------------------------------------------------------

    @classmethod
    def configure(
        cls,
        connection: sa.Connection | None = None,
        url: str | sa.URL | None = None,
        dialect_name: str | None = None,
        dialect: sa.Dialect | None = None,
        environment_context: Any = None,
        dialect_opts: dict[str, Any] | None = None,
        opts: dict[str, Any] | None = None,
    ) -> MigrationContext:
        opts = dict(opts or {})
        dialect_opts = dict(dialect_opts or {})
        if connection is not None:
            if isinstance(connection, sa.Engine):
                raise CommandError(
                    "context.configure(connection=...) needs a Connection, not an Engine",
                    hint="Use `with engine.connect() as connection:` in env.py.",
                )
            dialect = connection.dialect
        elif url is not None:
            dialect = sa.make_url(url).get_dialect()(**dialect_opts)
        elif dialect_name:
            dialect = sa.make_url(f"{dialect_name}://").get_dialect()(**dialect_opts)
        elif dialect is None:
            raise CommandError("context.configure() needs a connection, a url or a dialect_name")
        assert dialect is not None
        return cls(dialect, connection, opts, environment_context)

    # --- where things are -------------------------------------------------------

    @property
    def bind(self) -> Any:
        self.impl.confirm_sent()  # what the caller does with it comes after those
        return self.connection

    @property
    def config(self) -> Any:
        env = self.environment_context
        return env.config if env is not None else None

    @property
    def run_control(self) -> ev.RunControl:
        return self._control

    def _offline_execute(self, construct: Any, *multiparams: Any, **params: Any) -> None:
        self.impl._exec(construct)

    def announce_operation(self, operation: Any) -> None:
        """Called by ``Operations.invoke`` before each directive runs."""
        self._control.emit(ev.OperationInvoked(operation, self._step_index))

    def _on_statement(self, sql: Any) -> None:
        self._step_statements.append(sql)
        self._control.emit(
            ev.StatementExecuted(sql, self._step_index, version_table=self._in_version_change)
        )

    # --- the version table ------------------------------------------------------

    def _has_version_table(self) -> bool:
        return sa.inspect(self.connection).has_table(
            self.version_table, schema=self.version_table_schema
        )

    def get_current_revision(self) -> str | None:
        heads = self.get_current_heads()
        if len(heads) > 1:
            raise CommandError(
                f"Version table '{self.version_table}' has more than one head present; "
                "please use get_current_heads()"
            )
        return heads[0] if heads else None

    def get_current_heads(self) -> tuple[str, ...]:
        if self.as_sql:
            return self._offline_start_heads()
        if self.connection is None:
            raise CommandError("No connection: this context cannot read the version table")
        return read_heads(self.connection, self._version)

    def _offline_start_heads(self) -> tuple[str, ...]:
        start = self._start_from_rev
        if start in (None, "base", ()):
            return ()
        specs = [s for s in ([start] if isinstance(start, str) else start) if s]
        if self.script is None:
            return tuple(s for s in specs if s != "base")
        rmap = self.script.revision_map
        heads: list[str] = []
        for spec in specs:
            for part in spec.split(","):
                part = part.strip()
                if not part or part == "base":
                    continue
                for rev in rmap.get_revisions(part):
                    if rev is not None and rev.revision not in heads:
                        heads.append(rev.revision)
        return tuple(heads)

    def _ensure_version_table(self, purge: bool = False) -> None:
        self._version.create(self.connection, checkfirst=True)
        if purge:
            self.connection.execute(self._version.delete())

    @property
    def _row_statements(self) -> RowStatements:
        if self._row_sql is None:
            self._row_sql = RowStatements(self._version, self.impl._sql_text)
        return self._row_sql

    def _apply_row_changes(self, changes: Sequence[Any]) -> None:
        self._in_version_change = True
        try:
            # Sent as text when that is what compiling it as text() would give (no
            # ':', '%' or '\\' to bind or escape): offline always, online when the
            # plain-DDL conditions hold (nothing that listens would see the difference).
            as_text = self.as_sql or self.impl.plain_ddl is not None
            for change in changes:
                sql = self._row_statements.sql(change)

                def check(result: Any, change: Any = change) -> None:
                    check_rowcount(self._version, change, result)

                if as_text and not _TEXT_SPECIAL.search(sql):
                    self.impl.run_plain(sql, None if self.as_sql else check)
                else:
                    result = self.impl._exec(self._row_statements.statement(change))
                    if not self.as_sql:
                        check(result)
        finally:
            self._in_version_change = False

    def stamp(self, script_directory: Any, revision: Any) -> None:
        """Move the version table to ``revision`` without running any code."""
        heads = self.get_current_heads()
        if not self.as_sql and not heads:
            self._ensure_version_table()
        tracker = HeadsTracker(script_directory.revision_map, heads)
        for step in script_directory._stamp_revs(revision, heads):
            self._apply_row_changes(tracker.apply(step))

    # --- transactions -----------------------------------------------------------

    def _in_connection_transaction(self) -> bool:
        return bool(self.connection is not None and self.connection.in_transaction())

    def begin_transaction(self, _per_migration: bool = False) -> Any:
        """The transaction for the run (``_per_migration=False``) or for one step."""
        if self._in_external_transaction:
            return nullcontext()
        if self.impl.transactional_ddl:
            now = _per_migration == self._transaction_per_migration
        else:
            now = _per_migration
        if not now:
            return nullcontext()
        if self.as_sql:
            if not self.impl.transactional_ddl:
                return nullcontext()
            return self._offline_transaction()
        if self._transaction is not None:
            return nullcontext()
        self._transaction = _RunTransaction(self, self._begin())
        return self._transaction

    def _begin(self) -> sa.Transaction:
        conn = self.connection
        # SQLAlchemy autobegins on the first statement (has_table, ...): reuse that one.
        return conn.get_transaction() if conn.in_transaction() else conn.begin()

    @contextmanager
    def _offline_transaction(self) -> Iterator[None]:
        self.impl.emit_begin()
        yield
        self.impl.emit_commit()

    @contextmanager
    def autocommit_block(self) -> Iterator[None]:
        """Run the block outside any transaction (``CREATE INDEX CONCURRENTLY`` ...)."""
        self.impl.confirm_sent()  # what went ahead belongs to the transaction that ends
        ours = self._transaction
        if self.as_sql:
            if self.impl.transactional_ddl:
                self.impl.emit_commit()
        elif self._in_external_transaction:
            raise CommandError(
                "autocommit_block() cannot run inside a transaction begun outside the "
                "migration context",
                hint="Hand env.py a connection that is not in a transaction.",
            )
        elif ours is not None:
            ours.transaction.commit()
            self._transaction = None
        elif self._in_connection_transaction():
            self.connection.commit()
        previous = None
        if not self.as_sql:
            previous = self.connection.get_isolation_level()
            self.connection.execution_options(isolation_level="AUTOCOMMIT")
        try:
            yield
        finally:
            if not self.as_sql:
                if self.connection.in_transaction():
                    self.connection.commit()
                self.connection.execution_options(isolation_level=previous)
                if ours is not None:
                    # The same object the caller's `with begin_transaction()` holds, so
                    # that it commits the transaction that follows the block.
                    ours.transaction = self.connection.begin()
                    self._transaction = ours
            elif self.impl.transactional_ddl:
                self.impl.emit_begin()

    # --- running ------------------------------------------------------------------

    def execute(self, sql: Any, execution_options: dict[str, Any] | None = None) -> None:
        self.impl._exec(sql, execution_options)
