"""Which revisions lie between two points of the graph, and in what order.

``iterate_revisions(map, upper, lower, ...)`` is the heart of upgrade,
downgrade, stamp and history: it resolves both ends (absolute or relative
specs, see ``engine.revisions.spec``), collects the revisions in between and
sorts them top-down. Semantics follow Alembic's, checked against it in the
tests; messages are ours and name the spec at fault.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from engine.errors import RangeNotAncestorError, RevisionError
from engine.revisions.revision import Revision, to_tuple
from engine.revisions.revision_map import BASE, RevisionMap, Walked
from engine.revisions.spec import parse_relative

Ident = str | Sequence[str] | None


def _not_produced(spec: str, steps: int) -> RevisionError:
    n = abs(steps)
    return RevisionError(
        f"Relative revision {spec!r} didn't produce {n} migration{'s' if n != 1 else ''}",
        hint="There are not that many revisions in that direction.",
    )


def parse_downgrade_target(
    rmap: RevisionMap, current: Ident, target: Ident, assert_relative_length: bool
) -> tuple[str | None, Walked]:
    """Resolve the lower end of a downgrade: ``(branch label, revision)``."""
    if target is None:
        return None, None
    assert isinstance(target, str), "downgrade target must be a string"
    rel = parse_relative(target)
    if rel is None:
        branch, _, symbol = target.rpartition("@")
        return (branch or None), rmap.get_revision(symbol)
    branch, symbol, steps = rel.branch, rel.symbol, rel.steps
    if steps >= 0:
        if symbol is None:
            raise _not_produced(target, steps)
        rev = rmap.walk(symbol, steps, branch, no_overwalk=assert_relative_length)
        if rev is None:
            raise RevisionError(f"Relative revision {target!r} walks past the end of the history")
        return branch, rev
    from_current = symbol is None
    if from_current:
        if branch:
            cur = to_tuple(current)
            on_branch = rmap.filter_for_lineage(cur, branch)
            if not on_branch:
                all_current = rmap.all_current(cur)
                on_branch = tuple(
                    r.revision if r else r for r in rmap.filter_for_lineage(all_current, branch)
                )
            if len(on_branch) != 1:
                raise RevisionError(
                    f"Relative revision {target!r}: the database has "
                    f"{len(on_branch) or 'no'} revisions on branch {branch!r}",
                    hint="Give an absolute revision instead.",
                )
            symbol = on_branch[0]
        else:
            cur = to_tuple(current)
            if not cur:
                raise _not_produced(target, steps)
            symbol = cur[0]
            branch = symbol
    start = rmap.get_revision(symbol) if branch is None else rmap.get_revision(f"{branch}@{symbol}")
    rev = rmap.walk(start, steps, no_overwalk=assert_relative_length)
    if rev is None:
        if from_current:
            raise _not_produced(target, steps)
        raise RevisionError(f"Relative revision {target!r} walks past the end of the history")
    return branch, rev


def parse_upgrade_target(
    rmap: RevisionMap, current: Ident, target: Ident, assert_relative_length: bool
) -> tuple[Walked, ...]:
    """Resolve the upper end of an upgrade into the target revisions."""
    rel = parse_relative(target) if isinstance(target, str) else None
    if rel is None:
        return rmap.get_revisions(target)
    branch, symbol, steps = rel.branch, rel.symbol, rel.steps
    assert isinstance(target, str)
    cur: tuple = to_tuple(current)
    if steps > 0:
        if symbol is not None:
            return (
                rmap.walk(
                    rmap.get_revision(symbol), steps, branch, no_overwalk=assert_relative_length
                ),
            )
        if not cur:
            cur = (None,)
        starts: tuple = cur
        if branch:
            starts = rmap.filter_for_lineage(rmap.get_revisions(cur), branch)
            if not starts:
                below = rmap.ancestors([r.revision for r in rmap.get_revisions(cur) if r])
                on_branch = rmap.filter_for_lineage(
                    [rmap.revisions[r] for r in rmap._sorted(below)], branch
                )
                on_ids = {r.revision for r in on_branch}
                lower = {d for r in on_branch for d in r.normalized_down_revisions}
                starts = tuple(rmap.revisions[r] for r in rmap._sorted(on_ids - lower)) or (None,)
        if len(starts) > 1:
            raise RevisionError(
                f"Relative upgrade {target!r} is ambiguous: the database has "
                "several current revisions",
                hint="Use 'label@+N' or an absolute revision.",
            )
        rev = rmap.walk(starts[0], steps, branch, no_overwalk=assert_relative_length)
        if rev is None:
            raise _not_produced(target, steps)
        return (rev,)
    if symbol is None:
        raise _not_produced(target, steps)
    start = rmap.get_revision(symbol) if branch is None else rmap.get_revision(f"{branch}@{symbol}")
    return (rmap.walk(start, steps, no_overwalk=assert_relative_length),)


def collect_downgrade(
    rmap: RevisionMap,
    upper: Ident,
    lower: Ident,
    inclusive: bool,
    implicit_base: bool,
    assert_relative_length: bool,
) -> tuple[set[str], tuple[Walked, ...]]:
    branch, target = parse_downgrade_target(rmap, upper, lower, assert_relative_length)
    if target == BASE:
        target = None
    assert target is None or isinstance(target, Revision)
    if target is None:
        roots = [r.revision for r in rmap if not r._down]
    elif inclusive:
        roots = [target.revision]
    else:
        roots = rmap._sorted(target.nextrev)
    if branch and len(roots) > 1:
        on_branch = rmap.ancestors([rmap._resolve_branch(branch).revision], False)
        roots = [r for r in roots if r in on_branch]
        if not roots:
            raise RevisionError(f"{lower!r} is not a valid downgrade target from the current heads")
    heads = rmap.get_revisions(upper)
    if not all(isinstance(h, Revision) for h in heads):
        raise RevisionError(
            f"Downgrade start {_fmt(upper)!r} does not name a revision",
            hint="A relative revision may have walked past the end of the history.",
        )
    head_ids = [h.revision for h in heads if isinstance(h, Revision)]
    drop = rmap.descendants(roots, include_dependencies=True)
    active = rmap.ancestors(head_ids, include_dependencies=True)
    drop &= active
    if implicit_base:
        drop |= active - rmap.ancestors(roots)
    if target is not None and not drop and target not in heads:
        raise RangeNotAncestorError(lower if isinstance(lower, str) else None, _fmt(upper))
    return drop, heads


def collect_upgrade(
    rmap: RevisionMap,
    upper: Ident,
    lower: Ident,
    inclusive: bool,
    implicit_base: bool,
    assert_relative_length: bool,
) -> tuple[set[str], tuple[Walked, ...]]:
    targets: Sequence[Walked] = parse_upgrade_target(rmap, lower, upper, assert_relative_length)
    if not all(isinstance(t, Revision) for t in targets):
        raise RevisionError(
            f"Upgrade target {_fmt(upper)!r} does not name a revision",
            hint="A relative target may have walked past the end of the history.",
        )
    if isinstance(lower, str) and "@" in lower:
        branch = lower.partition("@")[0]
        branch_rev = rmap.get_revision(branch)
        if branch_rev is not None and branch_rev.revision == branch:
            if len(branch_rev.branch_labels) != 1:
                raise RevisionError(
                    f"Revision {branch} used as a branch in {lower!r} carries "
                    f"{len(branch_rev.branch_labels) or 'no'} branch labels",
                    hint="Use the branch label itself, e.g. mybranch@head.",
                )
            branch = next(iter(branch_rev.branch_labels))
        targets = [t for t in targets if isinstance(t, Revision) and branch in t.branch_labels]
    target_revs = [t for t in targets if isinstance(t, Revision)]
    target_ids = [t.revision for t in target_revs]
    rmap.check_no_overlap(target_ids, upward=False)
    required = rmap.ancestors(target_ids)
    current = rmap.get_revisions(lower)
    if not implicit_base and any(
        c is not None and (not isinstance(c, Revision) or c.revision not in required)
        for c in current
    ):
        raise RangeNotAncestorError(_fmt(lower), _fmt(upper))
    if current and current[0] is None:
        _, rev = parse_downgrade_target(rmap, upper, lower, assert_relative_length)
        if rev == BASE or rev is None:
            current = ()
            lower = None
        else:
            current = (rev,)
            lower = rev.revision  # type: ignore[union-attr]
    current_ids = [c.revision for c in current if isinstance(c, Revision)]
    rmap.check_no_overlap(current_ids, upward=False)
    needs = required - rmap.ancestors(current_ids)
    if inclusive:
        needs.update(r.revision for r in rmap.get_revisions(lower) if isinstance(r, Revision))
    if current_ids and not implicit_base:
        rmap.check_no_overlap(current_ids, upward=True, include_dependencies=False)
        needs &= rmap.descendants(current_ids, include_dependencies=False)
    return needs, tuple(target_revs)


def iterate_revisions(
    rmap: RevisionMap,
    upper: Ident,
    lower: Ident,
    *,
    implicit_base: bool = False,
    inclusive: bool = False,
    assert_relative_length: bool = True,
    select_for_downgrade: bool = False,
) -> Iterator[Revision]:
    """Revisions between ``lower`` and ``upper``, newest first."""
    collect = collect_downgrade if select_for_downgrade else collect_upgrade
    ids, heads = collect(
        rmap,
        upper,
        lower,
        inclusive=inclusive,
        implicit_base=implicit_base,
        assert_relative_length=assert_relative_length,
    )
    revs = rmap.revisions
    for rid in rmap.topological_sort(ids, heads):
        yield revs[rid]


def _fmt(value: Ident) -> str:
    if value is None:
        return BASE
    if isinstance(value, str):
        return value
    return ", ".join(value) or BASE


__all__ = [
    "collect_downgrade",
    "collect_upgrade",
    "iterate_revisions",
    "parse_downgrade_target",
    "parse_upgrade_target",
]
