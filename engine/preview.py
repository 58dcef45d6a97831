"""Previewing a plan before it runs: each step's SQL, operations and risks.

``preview_plan`` runs the plan offline (env.py in ``--sql`` mode, so no
database is touched and none needs to be reachable), listening to the step
events: every statement and every ``op`` directive lands in its step. Each
operation is then judged by ``engine.operations.risk``; a downgrade that does
nothing, or that raises, is marked irreversible. The TUI's confirmation and
guided-rollback screens show this; the CLI could too.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any, Literal

from engine.errors import MigrateError, MigrationFailed
from engine.operations.risk import Finding, findings_for
from engine.runtime import events as ev

Direction = Literal["upgrade", "downgrade"]


@dataclass
class StepPreview:
    index: int
    direction: str
    revisions: tuple[str, ...]
    description: str
    statements: list[str] = field(default_factory=list)
    operations: list[Any] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    irreversible: str | None = None  # why this step cannot undo what it should

    @property
    def destructive(self) -> bool:
        return any(f.severity == "destructive" for f in self.findings)


@dataclass
class PlanPreview:
    direction: str
    target: str
    heads_before: tuple[str, ...]
    steps: list[StepPreview]
    sql: str  # the whole offline script, as `--sql` prints it
    error: str | None = None  # the preview stopped here (a step raised offline)

    @property
    def destructive(self) -> bool:
        return any(s.destructive for s in self.steps)

    @property
    def irreversible(self) -> list[StepPreview]:
        return [s for s in self.steps if s.irreversible]


def preview_plan(
    config: Any, direction: Direction, target: str, current_heads: tuple[str, ...]
) -> PlanPreview:
    """What ``upgrade``/``downgrade`` to ``target`` from ``current_heads`` would do."""
    from engine import migrate_commands

    buffer = io.StringIO()
    steps: list[StepPreview] = []

    def listen(event: ev.Event) -> None:
        if isinstance(event, ev.StepStarted):
            steps.append(
                StepPreview(event.index, event.direction, event.revisions, event.description)
            )
        elif isinstance(event, ev.StatementExecuted) and steps and event.index:
            if not event.version_table:
                steps[-1].statements.append(event.sql)
        elif isinstance(event, ev.OperationInvoked) and steps and event.index:
            steps[-1].operations.append(event.operation)
            steps[-1].findings.extend(findings_for(event.operation))
        elif isinstance(event, ev.StepFailed) and steps:
            steps[-1].irreversible = f"raises: {_message(event.error)}"

    start = ",".join(current_heads) or "base"
    run = migrate_commands.upgrade if direction == "upgrade" else migrate_commands.downgrade
    script = migrate_commands._script(config)
    error = None
    try:
        run(
            config.with_output_buffer(buffer),
            f"{start}:{target}",
            sql=True,
            control=ev.RunControl(listeners=[listen]),
            script=script,
        )
    except MigrationFailed as err:
        error = err.message
    empty_downgrades = [
        s
        for s in steps
        if s.direction == "downgrade"
        and not s.operations
        and not s.statements
        and not s.irreversible
    ]
    if empty_downgrades:
        rmap = script.revision_map
        for step in empty_downgrades:
            # A merge (or any revision whose upgrade is empty too) undoes nothing
            # because it did nothing: that is not irreversible.
            if not all(_upgrade_is_empty(rmap.get_revision(r)) for r in step.revisions):
                step.irreversible = "downgrade() does nothing: what the upgrade did stays"
    return PlanPreview(direction, target, tuple(current_heads), steps, buffer.getvalue(), error)


def _upgrade_is_empty(revision: Any) -> bool:
    """Whether the revision's ``upgrade()`` body is only ``pass``/docstring/``...``
    (read from the source, not run); unknown counts as not empty."""
    import ast

    path = getattr(revision, "path", None)
    try:
        with open(path, encoding="utf-8") as fh:  # type: ignore[arg-type]
            tree = ast.parse(fh.read())
    except (OSError, TypeError, SyntaxError, ValueError):
        return False
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "upgrade":
            return all(
                isinstance(stmt, ast.Pass)
                or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant))
                for stmt in node.body
            )
    return False


def _message(err: BaseException) -> str:
    cause = err.__cause__ if isinstance(err, MigrationFailed) and err.__cause__ else err
    if isinstance(cause, MigrateError):
        return cause.message
    return f"{type(cause).__name__}: {cause}".strip().rstrip(":")
