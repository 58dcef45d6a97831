"""Running a command's steps: events, failures, and statements that go ahead.

``StepRunner`` is mixed into ``MigrationContext`` (engine/runtime/migration.py,
which keeps the version table and the transactions). For each step it emits
``StepStarted``, runs the version file's function and the version-table change,
and emits ``StepFinished`` or ``StepFailed``; a failure becomes one
``MigrationFailed`` that names the revision and the statement.

On PostgreSQL a step's plain statements may go ahead without waiting for the
server (engine/ddl/pipeline.py), on SQLite they may be run by a second thread
(engine/ddl/sqlite_ahead.py): the next step's script runs while the database
still executes them. A step is finished only once its statements have succeeded,
so ``StepFinished`` waits for that; a statement that failed surfaces where the run
next waits (the end of the run, a commit, the next statement SQLAlchemy executes)
and is reported for the step that sent it, which is the step the transaction's
rollback takes the database back before.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import StatementError

from engine.ddl.pipeline import DeferredStatementFailed
from engine.ddl.uncaught import mark_boundary
from engine.errors import CommandError, MigrationFailed
from engine.revisions.plans import HeadsTracker, MigrationStep, StampStep
from engine.runtime import events as ev
from engine.runtime.step_failure import step_failure
from engine.runtime.step_info import MigrationInfo

log = logging.getLogger("alembic.runtime.migration")


@dataclass
class _Running:
    """A step that started and is not yet known to have finished."""

    index: int
    total: int
    step: MigrationStep | StampStep
    targets: tuple[str, ...]
    started: float
    statements: list[Any] = field(default_factory=list)


class StepRunner:
    """Mixed into ``MigrationContext``; see the module."""

    # provided by MigrationContext
    as_sql: bool
    dialect: Any
    impl: Any
    opts: dict[str, Any]
    purge: bool
    script: Any
    connection: Any
    on_version_apply_callbacks: list[Any]
    _control: ev.RunControl
    _migrations_fn: Any
    _transaction_per_migration: bool
    _step_index: int
    _step_statements: list[Any]
    _version: Any

    get_current_heads: Callable[[], tuple[str, ...]]
    _ensure_version_table: Callable[..., None]
    _apply_row_changes: Callable[[Sequence[Any]], None]
    begin_transaction: Callable[..., Any]

    # ------------------------------------------------------------------ the run

    def run_migrations(self, **kw: Any) -> None:
        """Run the steps of the command that started this run."""
        self.impl.start_migrations()
        if self.purge and not self.as_sql:
            heads: tuple[str, ...] = ()
            self._ensure_version_table(purge=True)
        else:
            heads = self.get_current_heads()
            if not self.as_sql and not heads and not self.opts.get("dont_mutate"):
                self._ensure_version_table()
        if self._migrations_fn is None:
            return
        steps = list(self._migrations_fn(heads, self))
        rmap = self._revision_map()
        tracker = HeadsTracker(rmap, heads) if rmap is not None else None
        control = self._control
        total = len(steps)
        control.emit(ev.RunStarted(_direction_of(steps), total, tuple(heads), self.as_sql))
        started = time.perf_counter()
        self._running: dict[int, _Running] = {}
        # a step that commits on its own must have its statements in before the commit
        commits_each_step = self._transaction_per_migration or not self.impl.transactional_ddl
        done = 0
        try:
            for index, step in enumerate(steps, 1):
                try:
                    self.impl.wait_sent_steps(self._running.__len__)
                    if control.stop_requested:
                        break
                    with self.begin_transaction(_per_migration=True):
                        if self.as_sql and tracker is not None and not tracker.heads:
                            self._version.create(self.connection)
                        self._run_step(index, total, step, tracker, kw)
                        if commits_each_step:
                            self.impl.confirm_before_commit()
                except DeferredStatementFailed as err:
                    # an earlier statement, found out only now: its step failed
                    self._fail_deferred(err)
                done = index
                _free_step_garbage()
            self._confirm_steps()
        except BaseException:
            self.impl.close_pipeline(discard=True)
            raise
        self.impl.close_pipeline()
        heads_after = tuple(tracker.heads) if tracker is not None else ()
        control.emit(
            ev.RunFinished(done, heads_after, time.perf_counter() - started, stopped=done < total)
        )

    def _revision_map(self) -> Any:
        return self.script.revision_map if self.script is not None else None

    def _fail_deferred(self, err: DeferredStatementFailed) -> None:
        """Report a statement that went ahead and failed for the step that sent it (a
        commit counts as the last step's that sent anything, or the latest running)."""
        running = self._running.get(err.step)
        if running is None and self._running:
            running = self._running[max(self._running)]
        if running is None:
            raise err.error
        self._fail(running, err.error, err.statement)

    def _confirm_steps(self) -> None:
        """Wait for the statements sent ahead; a failure is the failure of its step."""
        try:
            self.impl.confirm_sent()
        except DeferredStatementFailed as err:
            self._fail_deferred(err)

    # ------------------------------------------------------------------ one step

    def _run_step(
        self,
        index: int,
        total: int,
        step: MigrationStep | StampStep,
        tracker: HeadsTracker | None,
        kw: dict[str, Any],
    ) -> None:
        control = self._control
        log_line = _log_line(step)
        targets = tuple(step.to_revisions_no_deps if step.is_upgrade else step.from_revisions)
        log.info("Running %s", log_line)
        control.emit(ev.StepStarted(index, total, step.name, targets, log_line))
        running = _Running(index, total, step, targets, time.perf_counter())
        self._running[index] = running
        self._step_index = index
        self._step_statements = running.statements
        self.impl.pipeline_step = 0 if self.as_sql else index
        try:
            if self.as_sql:
                self.impl.static_output(f"-- Running {step.short_log}")
            if isinstance(step, MigrationStep):
                _migration_fn(step)(**kw)
            if tracker is not None:
                self._apply_row_changes(tracker.apply(step))
            if self.on_version_apply_callbacks:
                self.impl.confirm_sent()  # they hear of the step once it is applied
            for callback in self.on_version_apply_callbacks:
                callback(
                    ctx=self,
                    step=MigrationInfo(self._revision_map(), step),
                    heads=set(tracker.heads) if tracker is not None else set(),
                    run_args=kw,
                )
        except DeferredStatementFailed as err:
            # an earlier statement of this or an earlier step, found out only now
            self._fail_deferred(err)
        except BaseException as err:
            if isinstance(err, Exception):
                # what went ahead came first: the earlier steps finish (or one of
                # the statements sent ahead is the failure to report)
                self._confirm_steps()
            # The last statement sent is the failing one only when the database
            # refused it; a Python error in the script comes after it succeeded.
            failed_in_sql = isinstance(err, StatementError) and bool(running.statements)
            statement = str(running.statements[-1]) if failed_in_sql else None
            self._fail(running, err, statement)
        finally:
            self._step_index = 0
            self.impl.pipeline_step = 0
        finished = ev.StepFinished(
            index,
            total,
            step.name,
            targets,
            time.perf_counter() - running.started,
            tuple(tracker.heads) if tracker is not None else (),
        )

        def finish() -> None:
            del self._running[index]
            control.emit(finished)

        self.impl.after_sent_confirmed(finish)

    def _fail(self, running: _Running, err: BaseException, statement: str | None) -> None:
        """Report ``running``'s step as failed with ``err`` and raise its
        ``MigrationFailed`` (``err`` itself when it must pass through untouched)."""
        self._control.emit(
            ev.StepFailed(
                running.index,
                running.total,
                running.step.name,
                running.targets,
                time.perf_counter() - running.started,
                err,
                statement,
            )
        )
        if isinstance(err, Exception) and not isinstance(err, (MigrationFailed, BrokenPipeError)):
            statements = [str(s) for s in running.statements]
            if statement is not None and statement in statements:
                # what it ran, up to the one that failed
                statements = statements[: statements.index(statement) + 1]
            raise step_failure(
                running.step,
                err,
                statement,
                statements,
                transactional=bool(self.impl.transactional_ddl) and not self.as_sql,
                dialect_name=self.dialect.name,
            ) from err
        raise err


# an exception that reaches these is reported by the runner itself: statements whose
# error could get nowhere else may run after the call that issued them returned
mark_boundary(StepRunner.run_migrations.__code__, StepRunner._run_step.__code__)


def _free_step_garbage() -> None:
    """Free what the step left in reference cycles (every SQLAlchemy Table, Column
    and constraint is in one) while it is still in the CPU caches: a collection of
    the youngest generation, which holds little more than this step's objects. On
    the collector's own schedule the same objects are freed later and cold, in
    larger sweeps; a 2,000-revision ``upgrade --sql`` spent 13% more time so.
    Nothing is done when the application has turned the collector off."""
    if gc.isenabled():
        gc.collect(0)


def _migration_fn(step: MigrationStep) -> Any:
    module = step.revision.module  # type: ignore[attr-defined]
    name = "upgrade" if step.is_upgrade else "downgrade"
    fn = getattr(module, name, None)
    if fn is None:
        raise CommandError(
            f"Revision {step.revision.revision} has no {name}() function",
            hint=f"Define def {name}() -> None: in {getattr(module, '__file__', 'the script')}.",
        )
    return fn


def _direction_of(steps: Sequence[MigrationStep | StampStep]) -> str:
    if not steps:
        return "upgrade"
    return steps[0].name


def _log_line(step: MigrationStep | StampStep) -> str:
    if isinstance(step, MigrationStep):
        doc = getattr(step.revision, "doc", "") or ""
        return f"{step.short_log}, {doc}"
    return step.short_log
