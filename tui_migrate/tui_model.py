"""What the TUI shows, computed without Textual: the ordered revisions, their
lane layout, their state against the database, and the database status.

Pure functions of a ``ScriptDirectory``'s revision map and the database's
current heads; tested without a terminal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tui_migrate.graph_layout import GraphLayout, GraphNode, NodeRow, layout_graph

# State symbols: told apart by shape, not only by colour.
CURRENT = "◉"  # the database is at this revision (a row of the version table)
APPLIED = "●"  # below a current revision: applied
PENDING = "○"  # not applied yet
UNKNOWN = "◌"  # the database could not be read

STATE_NAMES = {CURRENT: "current", APPLIED: "applied", PENDING: "pending", UNKNOWN: "unknown"}


def display_order(rmap: Any) -> list[Any]:
    """Revisions newest first, each branch kept together (``git log --graph`` order).

    A depth-first walk from the heads (newest head first) that emits a
    revision once all of its children are out; O(revisions).
    """
    revs = list(rmap)
    if not revs:
        return []
    position = {r.revision: i for i, r in enumerate(revs)}
    children_left = {r.revision: len(r.nextrev) for r in revs}
    by_id = {r.revision: r for r in revs}
    heads = [r for r in revs if not r.nextrev]
    heads.sort(key=lambda r: position[r.revision])
    out: list[Any] = []
    stack: list[Any] = list(heads)  # last pushed comes out first: newest head first
    while stack:
        rev = stack.pop()
        out.append(rev)
        parents = [by_id[p] for p in rev.versioned_down_revisions if p in by_id]
        ready = []
        for parent in parents:
            children_left[parent.revision] -= 1
            if children_left[parent.revision] == 0:
                ready.append(parent)
        # The first parent is drawn next (it continues this lane).
        stack.extend(reversed(ready))
    if len(out) != len(revs):  # unreachable revisions (should not happen): keep them
        seen = {r.revision for r in out}
        out.extend(r for r in revs if r.revision not in seen)
    return out


@dataclass
class DbState:
    """What the app knows about the database."""

    url: str = ""  # masked
    dialect: str = ""
    heads: tuple[str, ...] | None = None  # None: not read (offline / error / loading)
    error: str | None = None
    loading: bool = False

    @property
    def online(self) -> bool:
        return self.heads is not None


@dataclass
class ProjectView:
    """The revisions in display order, laid out, with their states."""

    rmap: Any
    order: list[Any]
    layout: GraphLayout
    filter_text: str = ""
    db_heads: tuple[str, ...] | None = None
    applied: set[str] = field(default_factory=set)
    node_rows: list[int] = field(default_factory=list)  # indexes of NodeRows in layout

    @classmethod
    def build(cls, rmap: Any, filter_text: str = "") -> ProjectView:
        order = display_order(rmap)
        view = cls(rmap, order, layout_graph(()))
        view.set_filter(filter_text)
        return view

    def set_filter(self, text: str) -> None:
        self.filter_text = text.strip()
        shown = filter_revisions(self.order, self.filter_text)
        self.layout = layout_graph(GraphNode.from_revision(r) for r in shown)
        self.node_rows = [i for i, row in enumerate(self.layout.rows) if isinstance(row, NodeRow)]

    def set_db_heads(self, heads: tuple[str, ...] | None) -> None:
        self.db_heads = heads
        if heads is None:
            self.applied = set()
            return
        known = [h for h in heads if h in self.rmap]
        self.applied = self.rmap.ancestors(known) if known else set()

    def state_of(self, rev_id: str) -> str:
        if self.db_heads is None:
            return UNKNOWN
        if rev_id in self.db_heads:
            return CURRENT
        if rev_id in self.applied:
            return APPLIED
        return PENDING

    @property
    def pending_count(self) -> int | None:
        if self.db_heads is None:
            return None
        return len(self.rmap) - len(self.applied)

    def revision(self, rev_id: str) -> Any:
        return self.rmap.get_revision(rev_id)


def filter_revisions(order: Sequence[Any], text: str) -> list[Any]:
    """Revisions whose id, message or branch label contains ``text`` (any case)."""
    if not text:
        return list(order)
    needle = text.lower()
    out = []
    for rev in order:
        if (
            needle in rev.revision.lower()
            or needle in (getattr(rev, "doc", "") or "").lower()
            or any(needle in label.lower() for label in rev.branch_labels)
        ):
            out.append(rev)
    return out


def warnings_for(db: DbState, rmap: Any) -> list[str]:
    """Warnings about the database against the scripts (status pane)."""
    if db.heads is None:
        return []
    out = []
    script_heads = set(rmap.heads)
    unknown = [h for h in db.heads if h not in rmap]
    if unknown:
        out.append(f"database ahead of the scripts: {', '.join(short(h) for h in unknown)} unknown")
    if len(db.heads) > 1:
        out.append(f"database has {len(db.heads)} heads")
    if len(script_heads) > 1:
        out.append(f"scripts have {len(script_heads)} heads")
    if not unknown and set(db.heads) != script_heads:
        out.append("not at head")
    return out


def short(rev_id: str | None, width: int = 4) -> str:
    return (rev_id or "base")[:width]


def join_ids(ids: Iterable[str], width: int = 12) -> str:
    return ", ".join(i[:width] for i in ids) or "base"


def dialect_of(url: str) -> str:
    """``postgresql+psycopg://...`` -> ``postgresql``."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    return scheme.split("+", 1)[0]
