"""Ordering algorithms on the revision graph: cycle detection, ancestor sets and
Alembic's lane-by-lane topological order.

Pure functions over ``{revision id: Revision}``; ``RevisionMap`` calls them while
it builds and when a plan needs its steps in order.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

from engine.errors import RevisionError
from engine.revisions.revision import Revision


def find_cycle(
    revs: Mapping[str, Revision], parents: Callable[[Revision], Sequence[str]]
) -> list[str]:
    """The revisions of one cycle over ``parents`` links, in order; ``[]`` if none.

    Kahn's algorithm: whatever cannot be peeled off from the bases up lies on or
    above a cycle.
    """
    pending = {rid: len(set(parents(rev))) for rid, rev in revs.items()}
    children: dict[str, list[str]] = {rid: [] for rid in revs}
    for rid, rev in revs.items():
        for p in set(parents(rev)):
            children[p].append(rid)
    ready = [rid for rid, n in pending.items() if n == 0]
    done = 0
    while ready:
        rid = ready.pop()
        done += 1
        for child in children[rid]:
            pending[child] -= 1
            if pending[child] == 0:
                ready.append(child)
    if done == len(revs):
        return []
    # Every left-over revision has a left-over parent: walk parents until one
    # repeats; the repeated stretch is the cycle.
    start = next(rid for rid, n in pending.items() if n > 0)
    path: list[str] = []
    position: dict[str, int] = {}
    node = start
    while node not in position:
        position[node] = len(path)
        path.append(node)
        node = next(p for p in parents(revs[node]) if pending[p] > 0)
    cycle = path[position[node] :]
    # Name it from its smallest id so the message is stable.
    low = cycle.index(min(cycle))
    return cycle[low:] + cycle[:low]


class AncestorBits:
    """Every revision's ancestors (itself included, dependencies too) as a bit
    set over a topological numbering. Built on first use, in one pass."""

    def __init__(self, revs: Mapping[str, Revision]) -> None:
        self._revs = revs
        self._bits: dict[str, int] = {}
        self._index: dict[str, int] = {}

    def _build(self) -> None:
        revs = self._revs
        order: list[str] = []
        state: set[str] = set()
        for root in revs:
            if root in state:
                continue
            stack = [(root, False)]
            while stack:
                rid, done = stack.pop()
                if done:
                    order.append(rid)
                    continue
                if rid in state:
                    continue
                state.add(rid)
                stack.append((rid, True))
                stack.extend(
                    (p, False) for p in revs[rid].normalized_down_revisions if p not in state
                )
        self._index = {rid: i for i, rid in enumerate(order)}
        bits: dict[str, int] = {}
        for i, rid in enumerate(order):
            value = 1 << i
            for p in revs[rid].normalized_down_revisions:
                value |= bits[p]
            bits[rid] = value
        self._bits = bits

    def is_ancestor(self, ancestor: str, of: str) -> bool:
        """Whether ``ancestor`` is ``of`` or lies below it."""
        if not self._bits:
            self._build()
        return bool(self._bits[of] & (1 << self._index[ancestor]))


def lane_order(
    revs: Mapping[str, Revision],
    file_order: Mapping[str, int],
    todo_ids: Collection[str],
    heads: Iterable[Revision | None],
    ancestry: AncestorBits,
) -> list[str]:
    """Order ``todo_ids`` from the top down, lane by lane, as Alembic does.

    Lanes start at ``heads`` (in file order). A lane is followed down until its
    next revision is still needed by another lane, which then takes over; that
    keeps each branch's revisions together.
    """
    todo = set(todo_ids)
    lanes = sorted(
        {h.revision for h in heads if h is not None and h.revision in todo},
        key=file_order.__getitem__,
    )
    # Alembic keeps, per lane, the set of revisions below the lane's current
    # revision; a candidate waits while another lane still needs it. Those sets
    # are exactly the ancestors of each lane's revision, looked up in the
    # precomputed bit sets (only when there is more than one lane).
    out: list[str] = []
    idx = 0
    while lanes:
        cand = lanes[idx]
        if len(lanes) > 1:
            blocked = next(
                (
                    j
                    for j, lane in enumerate(lanes)
                    if j != idx and ancestry.is_ancestor(cand, of=lane)
                ),
                None,
            )
            if blocked is not None:
                idx = blocked
                continue
        if cand in todo:
            out.append(cand)
            todo.discard(cand)
        more = [r for r in revs[cand].normalized_down_revisions if r in todo and r not in lanes]
        if not more:
            del lanes[idx]
            idx = max(idx - 1, 0)
        else:
            lanes[idx] = more[0]
            lanes.extend(more[1:])
    if todo:
        raise RevisionError(
            "Revisions could not be ordered: "
            + ", ".join(sorted(todo, key=file_order.__getitem__))
            + " are not below the requested heads"
        )
    return out
