"""Run the same question through our revision code and Alembic's; compare answers."""

from __future__ import annotations

import itertools
import random
from types import SimpleNamespace

from engine.errors import MigrateError
from engine.revisions.iteration import iterate_revisions
from engine.revisions.plans import downgrade_plan, stamp_plan, upgrade_plan

ALEMBIC_ERRORS = (
    "RevisionError",
    "CommandError",
    "MultipleHeads",
    "ResolutionError",
    "RangeNotAncestorError",
)


def outcome(fn):
    """('ok', value) or ('error', kind). Alembic's crashes (KeyError,
    AssertionError...) count as errors: we must raise a clear error there."""
    try:
        return ("ok", fn())
    except MigrateError:
        return ("error", None)
    except (KeyError, AssertionError, IndexError, TypeError, AttributeError) as e:
        # Alembic's raw crashes: we must give a clear error or a sane answer there.
        return ("crash", type(e).__name__)
    except Exception:  # noqa: BLE001 - Alembic's typed errors
        return ("error", None)


def ids(revs):
    out = []
    for r in revs:
        if r is None or isinstance(r, str):
            out.append(r)
        else:
            out.append(r.revision)
    return tuple(out)


def specs_for(nodes, rnd: random.Random, k: int = 14) -> list[str]:
    revs = [n.rev for n in nodes]
    labels = [lb for n in nodes for lb in n.labels]
    pool = [
        "head",
        "heads",
        "base",
        "+1",
        "-1",
        "+2",
        "-2",
        "heads-1",
        "head-1",
        "base+1",
        "base+2",
    ]
    pool += rnd.sample(revs, min(5, len(revs)))
    pool += [r[:4] for r in rnd.sample(revs, min(2, len(revs)))]
    pool += [r[:2] for r in rnd.sample(revs, min(1, len(revs)))]
    pool += [f"{r}+1" for r in rnd.sample(revs, min(2, len(revs)))]
    pool += [f"{r}-1" for r in rnd.sample(revs, min(2, len(revs)))]
    for lb in labels[:3]:
        r = rnd.choice(revs)
        pool += [
            lb,
            f"{lb}@head",
            f"{lb}@heads",
            f"{lb}@base",
            f"{lb}@+1",
            f"{lb}@-1",
            f"{lb}@{r}",
            f"{lb}@{r[:5]}",
            f"{lb}@head-1",
        ]
    pool += ["nosuchrev", "zzzz"]
    rnd.shuffle(pool)
    return pool[:k] + ["heads", "base"]


class AlembicHeads:
    """Drives Alembic's HeadMaintainer logic without a database: its _exec is
    recorded instead of run (this is the oracle's harness, not our code)."""

    def __init__(self, heads):
        from alembic.runtime.migration import HeadMaintainer
        from sqlalchemy import Column, MetaData, String, Table

        table = Table("alembic_version", MetaData(), Column("version_num", String(32)))
        ctx = SimpleNamespace(
            impl=SimpleNamespace(_exec=lambda stmt: None),
            _version=table,
            as_sql=True,
            version_table="alembic_version",
            dialect=SimpleNamespace(supports_sane_rowcount=False),
        )
        self.hm = HeadMaintainer(ctx, heads)

    def apply(self, step):
        self.hm.update_to_step(step)
        return frozenset(self.hm.heads)


def alembic_upgrade(amap, destination, current):
    from alembic.runtime.migration import MigrationStep

    revs = amap.iterate_revisions(destination, current, implicit_base=True)
    return [MigrationStep.upgrade_from_script(amap, s) for s in reversed(list(revs))]


def alembic_downgrade(amap, destination, current):
    from alembic.runtime.migration import MigrationStep

    revs = amap.iterate_revisions(current, destination, select_for_downgrade=True)
    return [MigrationStep.downgrade_from_script(amap, s) for s in revs]


def alembic_stamp(amap, revision, heads):
    """Alembic's ScriptDirectory._stamp_revs, reached through a ScriptDirectory
    whose revision_map is the oracle map."""
    from alembic.script import ScriptDirectory

    sd = ScriptDirectory.__new__(ScriptDirectory)
    sd.revision_map = amap
    return sd._stamp_revs(revision, heads)


def compare_plan(kind, amap, omap, target, current):
    def theirs():
        if kind == "upgrade":
            steps = alembic_upgrade(amap, target, current)
        elif kind == "downgrade":
            steps = alembic_downgrade(amap, target, current)
        else:
            steps = alembic_stamp(amap, target, current)
        tracker = AlembicHeads(current)
        out = []
        for s in steps:
            name = "stamp" if kind == "stamp" else s.revision.revision
            out.append((name, tracker.apply(s)))
        return out

    def ours():
        if kind == "upgrade":
            plan = upgrade_plan(omap, target, current)
        elif kind == "downgrade":
            plan = downgrade_plan(omap, target, current)
        else:
            plan = stamp_plan(omap, target, current)
        return [
            ("stamp" if kind == "stamp" else p.step.revision.revision, frozenset(p.heads_after))
            for p in plan.steps
        ]

    return outcome(theirs), outcome(ours)


def iterate_pairs(specs):
    return list(itertools.product(specs, repeat=2))


def compare_iterate(amap, omap, upper, lower, **kw):
    a = outcome(lambda: [r.revision for r in amap.iterate_revisions(upper, lower, **kw)])
    o = outcome(lambda: [r.revision for r in iterate_revisions(omap, upper, lower, **kw)])
    return a, o
