"""Differential tests: our revision graph against Alembic's on random DAGs.

Every answer must match Alembic's: the same revisions for a spec, the same
revisions in the same order for a range, the same plan steps and the same
version-table heads after every step. Where Alembic crashes (a raw KeyError or
AssertionError, e.g. on merges whose parents are not all in the version table)
we must give a clear error or an answer that is right by construction.
"""

from __future__ import annotations

import random

import pytest

from engine.errors import MigrateError
from tests.revisions.graphs import ours, random_graph, theirs
from tests.revisions.oracle import (
    compare_iterate,
    compare_plan,
    ids,
    iterate_pairs,
    outcome,
    specs_for,
)

pytest.importorskip("alembic")

SEEDS = range(24)
FLAGS = (
    {},
    {"implicit_base": True},
    {"inclusive": True},
    {"select_for_downgrade": True},
    {"inclusive": True, "assert_relative_length": False},
)


def _check(pair, what):
    theirs_, ours_ = pair
    assert ours_[0] != "crash", f"we crashed on {what}: {ours_}"
    if theirs_[0] == "crash":
        return  # Alembic has no answer; ours is checked for sanity elsewhere
    assert theirs_ == ours_, what


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("size", [12, 30])
def test_structure_and_specs(seed, size):
    g = random_graph(seed, n=size)
    a, o = theirs(g), ours(g)
    assert o.heads == a.heads
    assert o.real_heads == a._real_heads
    assert o.bases == a.bases
    assert o.real_bases == a._real_bases
    for n in g:
        mine, theirs_rev = o.get_revision(n.rev), a.get_revision(n.rev)
        assert mine.branch_labels == theirs_rev.branch_labels, n.rev
        assert mine.nextrev == theirs_rev.nextrev
        assert mine.all_nextrev == theirs_rev._all_nextrev
        assert set(mine.normalized_dependencies) == set(
            theirs_rev._normalized_resolved_dependencies
        )
    for spec in specs_for(g, random.Random(seed), k=30):
        _check(
            (
                outcome(lambda s=spec: ids(a.get_revisions(s))),
                outcome(lambda s=spec: ids(o.get_revisions(s))),
            ),
            f"get_revisions({spec!r})",
        )


@pytest.mark.parametrize("seed", SEEDS)
def test_iterate_revisions(seed):
    g = random_graph(seed, n=25)
    a, o = theirs(g), ours(g)
    specs = specs_for(g, random.Random(seed))[:9]
    for upper, lower in iterate_pairs(specs):
        for kw in FLAGS:
            _check(compare_iterate(a, o, upper, lower, **kw), f"{upper}:{lower} {kw}")


def _current_states(a, g, rnd):
    states = [()]
    for n in rnd.sample(g, min(5, len(g))):
        tips = a._filter_into_branch_heads(a.get_revisions(n.rev))
        states.append(tuple(sorted(t.revision for t in tips)))
    states.append(tuple(a.heads))
    return states


@pytest.mark.parametrize("seed", SEEDS)
def test_plans(seed):
    g = random_graph(seed, n=25)
    a, o = theirs(g), ours(g)
    rnd = random.Random(seed)
    targets = specs_for(g, rnd)[:10]
    for current in _current_states(a, g, rnd):
        for target in targets:
            for kind in ("upgrade", "downgrade", "stamp"):
                _check(compare_plan(kind, a, o, target, current), f"{kind} {target} from {current}")


@pytest.mark.parametrize("seed", SEEDS)
def test_upgrade_ends_at_the_target_heads(seed):
    """Sanity where the oracle crashes: after ``upgrade T`` the version table
    holds exactly the tips of everything at or below T and the old heads."""
    from engine.revisions.plans import upgrade_plan

    g = random_graph(seed, n=25)
    o = ours(g)
    for n in g:
        try:
            plan = upgrade_plan(o, n.rev, ())
        except MigrateError:
            continue
        applied = o.ancestors([n.rev])
        tips = {r for r in applied if not (o.revisions[r].all_nextrev & applied)}
        assert set(plan.heads_after) == tips
