"""A planned action (upgrade / downgrade / stamp) as the confirmation screen shows it.

Pure data plus text: the engine's ``Plan``, and for each step what the
engine's offline plan preview (``engine.preview``) found — its SQL and its
findings (destructive, caution, irreversible). A step the preview could not
run offline falls back to reading its source (``tui_risk``). A destructive
plan needs the target's short id typed. No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the engine's op layer loads SQLAlchemy: not needed to open the app
    from engine.operations.risk import Finding
from tui_migrate.tui_model import join_ids, short
from tui_migrate.tui_risk import SourceReading, read_function


@dataclass(frozen=True)
class Flag:
    """One flag on a step: ``kind`` is "destructive", "caution" or "irreversible"."""

    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.text}"


@dataclass
class StepView:
    """One step of a plan with what the preview knows about it."""

    title: str
    message: str
    changes: list[str]
    heads_after: tuple[str, ...]
    revision: Any | None  # the engine Revision run by this step (None for stamps)
    is_upgrade: bool
    previewed: bool = False  # the preview (or its source fallback) has filled this step
    statements: list[str] | None = None  # None: the SQL is not known offline
    findings: list[Finding] = field(default_factory=list)
    irreversible: str | None = None
    note: str | None = None  # why this step's flags were (partly) read from its source

    @property
    def sql(self) -> str | None:
        if self.statements is None:
            return None
        if not self.statements:
            return "-- (no SQL)\n"
        return "".join(s.rstrip().rstrip(";") + ";\n\n" for s in self.statements).rstrip() + "\n"

    @property
    def flags(self) -> list[Flag]:
        out = [Flag(f.severity, f.message) for f in self.findings]
        if self.irreversible:
            out.append(Flag("irreversible", self.irreversible))
        # destructive first, then irreversible, then caution
        order = {"destructive": 0, "irreversible": 1, "caution": 2}
        return sorted(dict.fromkeys(out), key=lambda f: order.get(f.kind, 3))

    def source_reading(self) -> SourceReading:
        function = "upgrade" if self.is_upgrade else "downgrade"
        return read_function(read_source(getattr(self.revision, "path", None)), function)


@dataclass
class PlannedAction:
    kind: str  # "upgrade" | "downgrade" | "stamp"
    target: str  # what the engine is given ("heads", a revision id, "base")
    steps: list[StepView]
    heads_before: tuple[str, ...]
    heads_after: tuple[str, ...]
    purge: bool = False

    @property
    def flags(self) -> list[Flag]:
        return list(dict.fromkeys(f for s in self.steps for f in s.flags))

    @property
    def destructive(self) -> bool:
        return any(f.kind == "destructive" for f in self.flags)

    @property
    def confirm_word(self) -> str:
        """What the user types to confirm a destructive plan: the target's short id."""
        return short(self.target) if self.target not in ("heads", "base") else self.target

    @property
    def needs_preview(self) -> bool:
        return any(s.revision is not None and not s.previewed for s in self.steps)

    def title(self) -> str:
        what = {"upgrade": "Upgrade", "downgrade": "Downgrade (rollback)", "stamp": "Stamp"}
        n = len(self.steps)
        return f"{what[self.kind]} to {short(self.target, 12)} · {n} step{'s' if n != 1 else ''}"


def read_source(path: str | None) -> str:
    if not path:
        return ""
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return ""


def build_action(
    kind: str, target: str, plan: Any, rmap: Any, purge: bool = False
) -> PlannedAction:
    """A ``PlannedAction`` from an engine ``Plan`` (steps not previewed yet)."""
    steps = []
    for planned in plan.steps:
        step = planned.step
        changes = [str(c) for c in planned.changes]
        if getattr(step, "is_stamp", False):
            steps.append(
                StepView(
                    f"stamp {join_ids(step.from_revisions, 8)} → {join_ids(step.to_revisions, 8)}",
                    "version table only, no migration code runs",
                    changes,
                    planned.heads_after,
                    None,
                    step.is_upgrade,
                    previewed=True,
                )
            )
            continue
        rev = rmap.get_revision(step.revision.revision)
        frm = join_ids(step.from_revisions_no_deps, 8)
        to = join_ids(step.to_revisions_no_deps, 8)
        steps.append(
            StepView(
                f"{step.name} {frm} → {to}",
                getattr(rev, "doc", "") or "",
                changes,
                planned.heads_after,
                rev,
                step.is_upgrade,
            )
        )
    return PlannedAction(
        kind, target, steps, tuple(plan.heads_before), tuple(plan.heads_after), purge
    )


# --- filling steps from the engine's plan preview ----------------------------------


def apply_preview(steps: list[StepView], preview: Any) -> int:
    """Fill ``steps`` (the plan's steps not covered yet, in order) from an engine
    ``PlanPreview``; returns how many were filled.

    When the preview stopped at a step (``preview.error``), that step keeps what
    the engine saw before it stopped and adds what its source says.
    """
    filled = 0
    for step, seen in zip(steps, preview.steps):
        if step.revision is None or step.revision.revision not in seen.revisions:
            break
        step.findings = list(dict.fromkeys(seen.findings))
        stopped_here = preview.error is not None and seen is preview.steps[-1]
        # a step the preview stopped in has no complete SQL: show none rather than a part
        step.statements = None if stopped_here else list(seen.statements)
        if stopped_here:
            reading = step.source_reading()
            step.findings = list(dict.fromkeys([*step.findings, *reading.findings]))
            step.irreversible = _unless_nothing_to_undo(step, reading)
            step.note = "cannot run offline: " + _reason(preview.error)
        elif seen.irreversible:
            empty = not seen.operations and not seen.statements
            step.irreversible = None if empty and _upgrade_is_empty(step) else seen.irreversible
        step.previewed = True
        filled += 1
    return filled


def fall_back(step: StepView, reason: str | None) -> None:
    """Fill a step the preview never reached from its source alone."""
    reading = step.source_reading()
    step.statements = None
    step.findings = reading.findings
    step.irreversible = _unless_nothing_to_undo(step, reading)
    step.note = "not previewed offline" + (f": {_reason(reason)}" if reason else "")
    step.previewed = True


def _upgrade_is_empty(step: StepView) -> bool:
    """An empty downgrade is no loss when the upgrade is empty too (a merge point)."""
    source = read_source(getattr(step.revision, "path", None))
    return not step.is_upgrade and read_function(source, "upgrade").empty


def _unless_nothing_to_undo(step: StepView, reading: SourceReading) -> str | None:
    if reading.empty and _upgrade_is_empty(step):
        return None
    return reading.irreversible


def _reason(text: str | None) -> str:
    """The first line of an error, without the "downgrade <rev> failed: " the step
    already says."""
    lines = (text or "").strip().splitlines()
    first = lines[0] if lines else ""
    return first.split(" failed: ", 1)[-1]
