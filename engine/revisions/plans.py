"""Upgrade, downgrade and stamp plans, and the version-table rows they change.

Pure: a plan is computed from the revision map and the database's current
heads (a tuple of ids), nothing else. ``Plan.steps`` is the exact sequence
Alembic would run; ``HeadsTracker`` replays it over the set of current heads
and says, for every step, which ``alembic_version`` rows are UPDATEd,
INSERTed (a new branch) or DELETEd (a branch ends, or branches merge), so the
runner, the offline SQL writer and the TUI's preview all agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

from engine.errors import (
    CommandError,
    MultipleHeads,
    RangeNotAncestorError,
    RevisionError,
)
from engine.revisions.iteration import iterate_revisions
from engine.revisions.revision import Revision, to_tuple
from engine.revisions.revision_map import RevisionMap


@dataclass(frozen=True)
class RowChange:
    """One change to the version table."""

    kind: Literal["insert", "delete", "update"]
    old: str | None = None
    new: str | None = None

    def __str__(self) -> str:
        if self.kind == "insert":
            return f"INSERT {self.new}"
        if self.kind == "delete":
            return f"DELETE {self.old}"
        return f"UPDATE {self.old} -> {self.new}"


@dataclass(eq=False)
class MigrationStep:
    """Run one revision's ``upgrade()`` or ``downgrade()``."""

    revision: Revision
    is_upgrade: bool
    is_stamp: bool = field(default=False, init=False)

    @property
    def name(self) -> str:
        return "upgrade" if self.is_upgrade else "downgrade"

    @property
    def from_revisions(self) -> tuple[str, ...]:
        if self.is_upgrade:
            return self.revision.normalized_down_revisions
        return (self.revision.revision,)

    @property
    def to_revisions(self) -> tuple[str, ...]:
        if self.is_upgrade:
            return (self.revision.revision,)
        return self.revision.normalized_down_revisions

    @property
    def from_revisions_no_deps(self) -> tuple[str, ...]:
        if self.is_upgrade:
            return self.revision.versioned_down_revisions
        return (self.revision.revision,)

    @property
    def to_revisions_no_deps(self) -> tuple[str, ...]:
        if self.is_upgrade:
            return (self.revision.revision,)
        return self.revision.versioned_down_revisions

    @property
    def short_log(self) -> str:
        return (
            f"{self.name} {', '.join(self.from_revisions_no_deps)} -> "
            f"{', '.join(self.to_revisions_no_deps)}"
        )

    def __repr__(self) -> str:
        return f"MigrationStep({self.revision.revision!r}, is_upgrade={self.is_upgrade})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, MigrationStep)
            and other.revision.revision == self.revision.revision
            and other.is_upgrade == self.is_upgrade
        )

    __hash__ = None  # type: ignore[assignment]


@dataclass(eq=True)
class StampStep:
    """Move the version table without running any code."""

    from_: tuple[str, ...]
    to_: tuple[str, ...]
    is_upgrade: bool
    branch_move: bool
    is_stamp: bool = field(default=True, init=False)

    @property
    def name(self) -> str:
        return "stamp"

    @property
    def from_revisions(self) -> tuple[str, ...]:
        return self.from_

    @property
    def to_revisions(self) -> tuple[str, ...]:
        return self.to_

    from_revisions_no_deps = from_revisions
    to_revisions_no_deps = to_revisions

    @property
    def short_log(self) -> str:
        return f"stamp_revision {', '.join(self.from_)} -> {', '.join(self.to_)}"


Step = MigrationStep | StampStep


class HeadsTracker:
    """The set of version-table rows, moved step by step as Alembic moves it."""

    def __init__(self, rmap: RevisionMap, heads: Iterable[str]) -> None:
        self.rmap = rmap
        self.heads: list[str] = list(dict.fromkeys(heads))

    def apply(self, step: Step) -> list[RowChange]:
        changes = self._changes_for(step)
        for change in changes:
            self._record(change, step)
        return changes

    # -- bookkeeping -------------------------------------------------------

    def _record(self, change: RowChange, step: Step) -> None:
        if change.kind == "insert":
            if change.new in self.heads:
                raise _row_error(f"revision {change.new} is already in the version table", step)
            self.heads.append(change.new)  # type: ignore[arg-type]
        elif change.kind == "delete":
            if change.old not in self.heads:
                raise _row_error(f"revision {change.old} is not in the version table", step)
            self.heads.remove(change.old)  # type: ignore[arg-type]
        else:
            if change.old not in self.heads:
                raise _row_error(f"revision {change.old} is not in the version table", step)
            if change.new in self.heads:
                raise _row_error(f"revision {change.new} is already in the version table", step)
            self.heads[self.heads.index(change.old)] = change.new  # type: ignore[arg-type,index]

    def _changes_for(self, step: Step) -> list[RowChange]:
        if isinstance(step, StampStep):
            return self._stamp_changes(step)
        heads = set(self.heads)
        rev = step.revision
        downs = rev.normalized_down_revisions
        if not step.is_upgrade:
            if rev.revision in heads:
                unmerge_to = self._unmerge_targets(step, heads)
                if not downs or not unmerge_to:
                    return [RowChange("delete", old=rev.revision)]
                if len(downs) > 1:
                    return [RowChange("insert", new=r) for r in unmerge_to[:-1]] + [
                        RowChange("update", old=rev.revision, new=unmerge_to[-1])
                    ]
            return [RowChange("update", old=rev.revision, new=self._single_down(step, heads))]
        present = [d for d in downs if d in heads]
        if not downs or not present:
            return [RowChange("insert", new=rev.revision)]
        if len(downs) > 1 and len(present) > 1:
            others = heads.difference(step.from_revisions)
            below = self.rmap.ancestors(others) if others else set()
            merging = [d for d in downs if d not in below and d in heads]
            if not merging:
                raise _row_error("no parent row is left to merge", step)
            return [RowChange("delete", old=d) for d in merging[:-1]] + [
                RowChange("update", old=merging[-1], new=rev.revision)
            ]
        return [RowChange("update", old=self._single_down(step, heads), new=rev.revision)]

    def _single_down(self, step: MigrationStep, heads: set[str]) -> str:
        downs = step.revision.normalized_down_revisions
        if len(downs) == 1:
            return downs[0]
        present = [d for d in downs if d in heads]
        if len(present) != 1:
            raise _row_error(
                "the version table row to update is ambiguous "
                f"(parents {', '.join(downs)}; current {', '.join(sorted(heads)) or 'none'})",
                step,
            )
        return present[0]

    def _unmerge_targets(self, step: MigrationStep, heads: set[str]) -> list[str]:
        rev = step.revision
        to = list(step.to_revisions)
        others = heads - {rev.revision}
        if others:
            below = self.rmap.ancestors(others)
            return [r for r in to if r not in below]
        below = set()
        for r in to:
            below |= self.rmap.ancestors([r]) - {r}
        return [r for r in to if r not in below]

    def _stamp_changes(self, step: StampStep) -> list[RowChange]:
        heads = set(self.heads)
        if not step.is_upgrade and step.branch_move:
            return [RowChange("delete", old=step.from_[0])]
        if (
            step.is_upgrade
            and (step.branch_move or set(step.from_) - heads)
            and set(step.to_) - heads
        ):
            return [RowChange("insert", new=step.to_[0])]
        if len(step.from_) > 1:
            return [RowChange("delete", old=r) for r in step.from_[:-1]] + [
                RowChange("update", old=step.from_[-1], new=step.to_[0])
            ]
        if len(step.to_) > 1:
            return [RowChange("insert", new=r) for r in step.to_[:-1]] + [
                RowChange("update", old=step.from_[0], new=step.to_[-1])
            ]
        if len(step.from_) != 1 or len(step.to_) != 1:
            raise _row_error("nothing to update", step)
        return [RowChange("update", old=step.from_[0], new=step.to_[0])]


def _row_error(what: str, step: Step) -> RevisionError:
    return RevisionError(
        f"Version table mismatch during {step.short_log}: {what}",
        hint="Check `tui-migrate current`; `stamp` can repair the version table.",
    )


@dataclass
class PlannedStep:
    step: Step
    changes: list[RowChange]
    heads_after: tuple[str, ...]


@dataclass
class Plan:
    """What a command will do, step by step, starting from ``heads_before``."""

    direction: Literal["upgrade", "downgrade", "stamp"]
    target: str
    heads_before: tuple[str, ...]
    steps: list[PlannedStep]

    @property
    def heads_after(self) -> tuple[str, ...]:
        return self.steps[-1].heads_after if self.steps else self.heads_before

    def __len__(self) -> int:
        return len(self.steps)


@contextmanager
def revision_errors(*, destination: str, direction: str, current: Sequence[str]):
    """Turn graph errors into the command-level message a user needs."""
    try:
        yield
    except RangeNotAncestorError as err:
        here = ", ".join(current) or "base"
        raise CommandError(
            f"Destination {destination} is not a valid {direction} target "
            f"from current head(s) {here}",
            hint=("Pick a revision above the current one(s) for upgrade, below for downgrade."),
        ) from err
    except MultipleHeads as err:
        raise CommandError(
            f"Multiple head revisions are present for given argument "
            f"{err.argument or destination!r}: {', '.join(err.heads)}",
            hint=(
                "Specify a target revision, '<branchname>@head' to narrow to one head, "
                "or 'heads' for all heads."
            ),
        ) from err


def _track(rmap: RevisionMap, direction, target, current, steps: Sequence[Step]) -> Plan:
    tracker = HeadsTracker(rmap, current)
    planned = []
    for step in steps:
        changes = tracker.apply(step)
        planned.append(PlannedStep(step, changes, tuple(tracker.heads)))
    return Plan(direction, target, tuple(dict.fromkeys(current)), planned)


def upgrade_plan(rmap: RevisionMap, destination: str, current: Sequence[str]) -> Plan:
    current = tuple(current)
    with revision_errors(destination=destination, direction="upgrade", current=current):
        revs = list(iterate_revisions(rmap, destination, current, implicit_base=True))
    steps = [MigrationStep(r, True) for r in reversed(revs)]
    return _track(rmap, "upgrade", destination, current, steps)


def downgrade_plan(rmap: RevisionMap, destination: str, current: Sequence[str]) -> Plan:
    current = tuple(current)
    with revision_errors(destination=destination, direction="downgrade", current=current):
        revs = list(iterate_revisions(rmap, current, destination, select_for_downgrade=True))
    steps = [MigrationStep(r, False) for r in revs]
    return _track(rmap, "downgrade", destination, current, steps)


def stamp_steps(
    rmap: RevisionMap, revision: str | Sequence[str] | None, heads: Sequence[str]
) -> list[StampStep]:
    """The steps of ``stamp``: one per destination, as Alembic computes them."""
    try:
        head_revs = [r for r in rmap.get_revisions(tuple(heads)) if isinstance(r, Revision)]
        wanted = to_tuple(revision) or ("base",)
        filtered: list[Revision] = []
        for rev in wanted:
            if rev:
                for h in rmap.filter_for_lineage(head_revs, rev, include_dependencies=True):
                    if h not in filtered:
                        filtered.append(h)
        dests = tuple(dict.fromkeys(rmap.get_revisions(wanted))) or (None,)
    except MultipleHeads as err:
        raise CommandError(
            f"Multiple heads are present for {err.argument!r}: {', '.join(err.heads)}",
            hint="Stamp a single target revision, or 'heads'.",
        ) from err
    steps: list[StampStep] = []
    filtered_ids = [h.revision for h in filtered]
    for dest in dests:
        if dest is None or not isinstance(dest, Revision):
            steps.extend(StampStep((h,), (), False, True) for h in filtered_ids)
            continue
        if dest in filtered:
            continue
        above = rmap.descendants([dest.revision])
        below = rmap.ancestors([dest.revision])
        if above & set(filtered_ids):
            steps.append(StampStep(tuple(filtered_ids), (dest.revision,), False, False))
        elif below & set(filtered_ids):
            steps.append(StampStep(tuple(filtered_ids), (dest.revision,), True, False))
        else:
            steps.append(StampStep((), (dest.revision,), True, True))
    return steps


def stamp_plan(
    rmap: RevisionMap,
    revision: str | Sequence[str] | None,
    current: Sequence[str],
    *,
    purge: bool = False,
) -> Plan:
    current = () if purge else tuple(current)
    steps = stamp_steps(rmap, revision, current)
    target = ", ".join(to_tuple(revision)) or "base"
    return _track(rmap, "stamp", target, current, steps)
