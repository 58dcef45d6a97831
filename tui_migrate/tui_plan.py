"""A planned action (upgrade / downgrade / stamp) as the confirmation screen shows it.

Pure data plus text: the engine's ``Plan``, the flags of each step (from the
revision sources at once, from the offline SQL once it is produced), and the
typed confirmation a destructive plan needs. No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tui_migrate.tui_model import join_ids, short
from tui_migrate.tui_risk import Risk, is_destructive, merge_risks, source_risks, sql_risks


@dataclass
class StepView:
    """One step of a plan with what the preview knows about it."""

    title: str
    message: str
    changes: list[str]
    heads_after: tuple[str, ...]
    revision: Any | None  # the engine Revision run by this step (None for stamps)
    is_upgrade: bool
    source_risks: list[Risk] = field(default_factory=list)
    sql: str | None = None
    sql_error: str | None = None

    @property
    def risks(self) -> list[Risk]:
        found = sql_risks(self.sql) if self.sql else []
        return merge_risks(self.source_risks, found)


@dataclass
class PlannedAction:
    kind: str  # "upgrade" | "downgrade" | "stamp"
    target: str  # what the engine is given ("heads", a revision id, "base")
    steps: list[StepView]
    heads_before: tuple[str, ...]
    heads_after: tuple[str, ...]
    purge: bool = False

    @property
    def risks(self) -> list[Risk]:
        return merge_risks(*(s.risks for s in self.steps))

    @property
    def destructive(self) -> bool:
        return is_destructive(self.risks)

    @property
    def confirm_word(self) -> str:
        """What the user types to confirm a destructive plan: the target's short id."""
        return short(self.target) if self.target not in ("heads", "base") else self.target

    @property
    def needs_sql(self) -> list[StepView]:
        return [s for s in self.steps if s.revision is not None and s.sql is None]

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
    """A ``PlannedAction`` from an engine ``Plan``."""
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
                )
            )
            continue
        rev = rmap.get_revision(step.revision.revision)
        frm = join_ids(step.from_revisions_no_deps, 8)
        to = join_ids(step.to_revisions_no_deps, 8)
        function = "upgrade" if step.is_upgrade else "downgrade"
        risks = source_risks(read_source(getattr(rev, "path", None)), function)
        if step.is_upgrade:  # an upgrade's own drops are still worth flagging
            risks = [r for r in risks if r.kind == "destructive"]
        steps.append(
            StepView(
                f"{step.name} {frm} → {to}",
                getattr(rev, "doc", "") or "",
                changes,
                planned.heads_after,
                rev,
                step.is_upgrade,
                risks,
            )
        )
    return PlannedAction(
        kind, target, steps, tuple(plan.heads_before), tuple(plan.heads_after), purge
    )
