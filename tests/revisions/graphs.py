"""Literal and generated revision graphs, built for us and for Alembic alike."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field


@dataclass
class Node:
    rev: str
    down: tuple[str, ...] = ()
    deps: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)


def rid(seed: int | str, i: int) -> str:
    return hashlib.sha1(f"{seed}-{i}".encode()).hexdigest()[:12]


def random_graph(
    seed: int,
    n: int = 25,
    *,
    bases: int = 2,
    merge_p: float = 0.2,
    dep_p: float = 0.1,
    label_p: float = 0.08,
    shuffle: bool = True,
) -> list[Node]:
    """A random DAG: parents always come from earlier nodes, so no cycles."""
    rnd = random.Random(seed)
    nodes: list[Node] = []
    heads: list[str] = []
    labels_used = 0
    for i in range(n):
        r = rid(seed, i)
        if i < bases or (i < n // 2 and rnd.random() < 0.04):
            down: tuple[str, ...] = ()
        elif len(heads) >= 2 and rnd.random() < merge_p:
            k = min(len(heads), rnd.choice([2, 2, 3]))
            down = tuple(rnd.sample(heads, k))
        elif rnd.random() < 0.25:
            down = (rnd.choice(nodes).rev,)  # fork off anything
        else:
            down = (rnd.choice(heads),) if heads else (rnd.choice(nodes).rev,)
        deps: tuple[str, ...] = ()
        if nodes and rnd.random() < dep_p:
            deps = (rnd.choice(nodes).rev,)
            if deps[0] in down:
                deps = ()
        labels: tuple[str, ...] = ()
        if rnd.random() < label_p:
            labels = (f"lbl{labels_used}",)
            labels_used += 1
        nodes.append(Node(r, down, deps, labels))
        heads = [h for h in heads if h not in down] + [r]
    if shuffle:
        rnd.shuffle(nodes)
    return nodes


def linear(n: int, prefix: str = "a") -> list[Node]:
    ids = [f"{prefix}{i:03d}x" for i in range(n)]
    return [Node(ids[i], (ids[i - 1],) if i else ()) for i in range(n)]


def ours(nodes: list[Node]):
    from engine.revisions.revision import Revision
    from engine.revisions.revision_map import RevisionMap

    return RevisionMap(
        [Revision(n.rev, n.down or None, n.deps or None, n.labels or None) for n in nodes]
    )


def theirs(nodes: list[Node]):
    from types import SimpleNamespace

    from alembic.script.revision import Revision, RevisionMap

    class R(Revision):
        module = SimpleNamespace(upgrade=lambda: None, downgrade=lambda: None)
        doc = ""

    def gen():
        return [
            R(
                n.rev,
                (n.down if len(n.down) > 1 else n.down[0]) if n.down else None,
                (n.deps if len(n.deps) > 1 else n.deps[0]) if n.deps else None,
                n.labels or None,
            )
            for n in nodes
        ]

    return RevisionMap(gen)
