"""Step events: what a migration run reports while it works.

The runtime emits these to every listener of the run (the CLI draws progress
from them, the TUI turns them into messages from its worker thread, tests
record them). A listener is any callable taking one event; it must not raise.
Events are plain frozen data, safe to hand across threads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Union


@dataclass(frozen=True)
class RunStarted:
    """The plan is known: ``total`` steps will run (offline or online)."""

    direction: str
    total: int
    heads_before: tuple[str, ...]
    as_sql: bool


@dataclass(frozen=True)
class StepStarted:
    index: int  # 1-based
    total: int
    direction: str  # "upgrade" | "downgrade" | "stamp"
    revisions: tuple[str, ...]  # the revision(s) this step runs or stamps to
    description: str  # e.g. "upgrade 1b0c -> 3f2a, add users"


@dataclass(frozen=True)
class StatementExecuted:
    """A statement is about to be executed (online) or written (offline).

    ``statement`` renders to its SQL text when read (``sql``); online, that
    costs a compile, so a listener that does not need the text pays nothing.
    """

    statement: Any  # str, or engine.ddl.pending_sql.PendingSQL
    index: int  # the step it belongs to, 0 when outside a step
    version_table: bool = False  # bookkeeping of alembic_version, not the step's own SQL

    @property
    def sql(self) -> str:
        return str(self.statement)


@dataclass(frozen=True)
class OperationInvoked:
    """An ``op`` directive (an operation data object) is about to run."""

    operation: Any  # engine.operations.ops.MigrateOperation
    index: int  # the step it belongs to, 0 when outside a step


@dataclass(frozen=True)
class StepFinished:
    """The step's statements succeeded. Where they go ahead of their results
    (PostgreSQL, engine/ddl/pipeline.py; SQLite, engine/ddl/sqlite_ahead.py) that is
    known only later, so this may come after the next ``StepStarted``; steps still
    finish in order. ``duration`` is the step's own time, from its start to its last
    statement sent."""

    index: int
    total: int
    direction: str
    revisions: tuple[str, ...]
    duration: float
    heads_after: tuple[str, ...]


@dataclass(frozen=True)
class StepFailed:
    """The step failed. A statement that went ahead may be found to have failed
    while a later step runs: this then comes after that step's ``StepStarted``
    (that step never finishes, nor runs any statement)."""

    index: int
    total: int
    direction: str
    revisions: tuple[str, ...]
    duration: float
    error: BaseException
    statement: str | None  # the statement the database refused, if it was one


@dataclass(frozen=True)
class RunFinished:
    steps_done: int
    heads_after: tuple[str, ...]
    duration: float
    stopped: bool = False  # a stop was requested and honoured between steps


Event = Union[  # noqa: UP007 - a runtime alias used in isinstance-free annotations
    RunStarted,
    StepStarted,
    StatementExecuted,
    OperationInvoked,
    StepFinished,
    StepFailed,
    RunFinished,
]
Listener = Callable[[Event], None]


@dataclass
class RunControl:
    """Shared between a run and whoever started it: listeners and a stop flag.

    ``request_stop()`` may be called from any thread; the runner checks it
    between steps, so a run stops cleanly with the version table at the last
    completed step.
    """

    listeners: list[Listener] = field(default_factory=list)
    stop_requested: bool = False

    def emit(self, event: Event) -> None:
        for listener in list(self.listeners):
            listener(event)

    def request_stop(self) -> None:
        self.stop_requested = True
