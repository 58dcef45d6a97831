"""The revision graph: building it, and the queries everything else asks of it.

Pure: no files, no database, no SQLAlchemy. Building is linear in the number
of revisions (plus, for each revision with ``depends_on``, a walk of its
ancestors, as Alembic's semantics of "normalised" dependencies require).

The semantics follow Alembic's ``RevisionMap`` (tested against it as an
oracle); the errors are ours: every problem a user can cause raises a typed
``RevisionError`` naming the revisions at fault, where Alembic sometimes
fails with a bare ``KeyError`` or ``AssertionError``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import Union

from engine.errors import (
    AmbiguousRevision,
    CycleDetected,
    DependencyCycleDetected,
    DuplicateLabelError,
    DuplicateRevisionError,
    MissingParentError,
    MultipleHeads,
    ResolutionError,
    RevisionError,
)
from engine.revisions.ordering import AncestorBits, find_cycle, lane_order
from engine.revisions.revision import Revision, to_tuple

#: What a walk can end on: a revision, the symbolic "base" below the roots,
#: or ``None`` (nothing / the empty state).
Walked = Union[Revision, str, None]  # noqa: UP007 (a runtime alias on 3.10)

BASE = "base"
_RELATIVE_TAIL = re.compile(r"[+-]\d+$")


class RevisionMap:
    """An immutable view of a set of revisions as a DAG."""

    def __init__(self, revisions: Iterable[Revision] | Callable[[], Iterable[Revision]]) -> None:
        if callable(revisions) and not isinstance(revisions, Iterable):
            revisions = revisions()
        self._revs: dict[str, Revision] = {}
        self._labels: dict[str, Revision] = {}
        self._order: dict[str, int] = {}
        self._bits: AncestorBits | None = None
        self._build(revisions)

    # ------------------------------------------------------------------ build

    def _build(self, revisions: Iterable[Revision]) -> None:
        revs = self._revs
        labelled: list[Revision] = []
        for rev in revisions:
            other = revs.get(rev.revision)
            if other is not None:
                raise DuplicateRevisionError(
                    rev.revision, [getattr(other, "path", ""), getattr(rev, "path", "")]
                )
            self._order[rev.revision] = len(revs)
            revs[rev.revision] = rev
            if rev._orig_branch_labels:
                labelled.append(rev)

        for rev in labelled:
            for label in sorted(rev._orig_branch_labels):
                holder = revs.get(label) or self._labels.get(label)
                if holder is not None:
                    raise DuplicateLabelError(label, [holder.revision, rev.revision])
                self._labels[label] = rev

        for rev in revs.values():
            resolved = []
            for dep in rev._deps:
                target = revs.get(dep) or self._labels.get(dep)
                if target is None:
                    raise MissingParentError(
                        rev.revision, dep, "depends_on", getattr(rev, "path", None)
                    )
                if target.revision not in resolved:
                    resolved.append(target.revision)
            rev.resolved_dependencies = tuple(resolved)

        nexts: dict[str, list[str]] = {r: [] for r in revs}
        all_nexts: dict[str, list[str]] = {r: [] for r in revs}
        for rev in revs.values():
            for down in rev._down:
                if down not in revs:
                    raise MissingParentError(
                        rev.revision, down, "down_revision", getattr(rev, "path", None)
                    )
                nexts[down].append(rev.revision)
                all_nexts[down].append(rev.revision)
            for dep in rev.resolved_dependencies:
                if dep not in rev._down:
                    all_nexts[dep].append(rev.revision)
        for rid, rev in revs.items():
            rev.nextrev = frozenset(nexts[rid])
            rev.all_nextrev = frozenset(all_nexts[rid])
        self._next_ordered = nexts

        self.heads: tuple[str, ...] = tuple(r for r, n in nexts.items() if not n)
        self.real_heads: tuple[str, ...] = tuple(r for r, n in all_nexts.items() if not n)
        self.bases: tuple[str, ...] = tuple(r.revision for r in revs.values() if not r._down)
        self.real_bases: tuple[str, ...] = tuple(
            r.revision for r in revs.values() if not r._down and not r._deps
        )

        self._detect_cycles()
        self._normalize_dependencies()
        self._propagate_labels(labelled)

    def _detect_cycles(self) -> None:
        """Raise if following parents from a head never reaches a base."""
        if not self._revs:
            return
        cycle = find_cycle(self._revs, lambda r: r._down)
        if cycle:
            raise CycleDetected(cycle)
        if not any(r._deps for r in self._revs.values()):
            return  # without depends_on the second walk would be the first again
        cycle = find_cycle(self._revs, lambda r: r.all_down_revisions)
        if cycle:
            raise DependencyCycleDetected(cycle)

    def _normalize_dependencies(self) -> None:
        """Drop dependencies already required by a (versioned) ancestor."""
        revs = self._revs
        for rev in revs.values():
            if not rev.resolved_dependencies:
                rev.normalized_dependencies = ()
                continue
            inherited: set[str] = set()
            for ancestor in self._walk_ids([rev.revision], lambda r: r._down):
                if ancestor != rev.revision:
                    inherited.update(revs[ancestor].resolved_dependencies)
            rev.normalized_dependencies = tuple(
                d for d in rev.resolved_dependencies if d not in inherited
            )

    def _propagate_labels(self, labelled: Sequence[Revision]) -> None:
        """A label names a whole branch.

        It applies to every descendant of the labelled revision; and when
        those descendants form a single unbroken line, also to the ancestors
        below it, down to (not including) the first branch point or merge.
        """
        revs = self._revs
        for root in labelled:
            labels = root.branch_labels
            last = None
            for rid in self._walk_ids([root.revision], lambda r: self._next_ordered[r.revision]):
                revs[rid].branch_labels.update(labels)
                last = rid
            # Walk down from the tip; it passes below the labelled revision
            # only if nothing between them forks or merges.
            node = revs[last] if last is not None else None
            while node is not None and not node.is_real_branch_point and not node.is_merge_point:
                node.branch_labels.update(labels)
                node = revs[node._down[0]] if node._down else None

    # ---------------------------------------------------------------- lookups

    def __len__(self) -> int:
        return len(self._revs)

    def __contains__(self, rev_id: object) -> bool:
        return rev_id in self._revs

    def __iter__(self) -> Iterator[Revision]:
        return iter(self._revs.values())

    @property
    def revisions(self) -> dict[str, Revision]:
        return self._revs

    @property
    def branch_labels(self) -> dict[str, Revision]:
        return self._labels

    def order_of(self, rev_id: str) -> int:
        return self._order[rev_id]

    def _lookup(self, key: str) -> Revision | None:
        return self._revs.get(key) or self._labels.get(key)

    def get_current_head(self, branch_label: str | None = None) -> str | None:
        heads: Sequence[str] = self.heads
        if branch_label:
            self._resolve_branch(branch_label)
            heads = self.filter_for_lineage(heads, branch_label)
        if len(heads) > 1:
            raise MultipleHeads(heads, f"{branch_label}@head" if branch_label else "head")
        return heads[0] if heads else None

    def resolve_revision_number(
        self, id_: str | Sequence[str] | None
    ) -> tuple[tuple[str, ...], str | None]:
        """Split ``label@x`` and turn ``head``/``heads``/``base`` into ids."""
        branch: str | None = None
        if isinstance(id_, str) and "@" in id_:
            branch, id_ = id_.split("@", 1)
        elif id_ is not None and not isinstance(id_, (str, tuple, list)):
            raise RevisionError(
                f"Revision identifier {id_!r} is not a string; "
                "ensure the database driver settings are correct"
            )
        if id_ == "heads":
            if branch:
                self._resolve_branch(branch)
                return self.filter_for_lineage(self.heads, branch), branch
            return self.real_heads, branch
        if id_ == "head":
            head = self.get_current_head(branch)
            return ((head,) if head else ()), branch
        if id_ == BASE or id_ is None or id_ == ():
            return (), branch
        return to_tuple(id_), branch

    def get_revisions(self, id_: str | Iterable[str | None] | None) -> tuple[Walked, ...]:
        """Resolve a spec (or several) into revisions; ``()`` means base."""
        if isinstance(id_, (list, tuple, set, frozenset)):
            out: tuple[Walked, ...] = ()
            for item in id_:
                out += self.get_revisions(item)
            return out
        ids, branch = self.resolve_revision_number(id_)
        if len(ids) == 1 and _is_int(ids[0]) and int(ids[0]) < 0:
            heads = self.get_revisions("heads")
            if branch is not None:
                heads = tuple(h for h in heads if branch in h.branch_labels)  # type: ignore[union-attr]
            return tuple(self.walk(h, int(ids[0])) for h in heads)
        return tuple(self._revision_for_ident(rid, branch) for rid in ids)

    def get_revision(self, id_: str | None) -> Revision | None:
        ids, branch = self.resolve_revision_number(id_)
        if len(ids) > 1:
            raise MultipleHeads(ids, str(id_))
        return self._revision_for_ident(ids[0] if ids else None, branch)

    def _resolve_branch(self, label: str) -> Revision:
        rev = self._labels.get(label) or self._revs.get(label)
        if rev is not None:
            return rev
        try:
            found = self._revision_for_ident(label)
        except ResolutionError as err:
            raise ResolutionError(
                f"No such branch: {label!r}", label, hint=_known_labels_hint(self._labels)
            ) from err
        assert found is not None
        return found

    def _revision_for_ident(self, rid: str | None, branch: str | None = None) -> Revision | None:
        branch_rev = self._resolve_branch(branch) if branch else None
        if rid is None:
            return None
        rev = self._lookup(rid)
        if rev is None:
            candidates = [
                key for key in (*self._revs, *self._labels) if len(key) > 3 and key.startswith(rid)
            ]
            if branch_rev is not None:
                candidates = list(self.filter_for_lineage(candidates, branch))
            if not candidates:
                short = len(rid) < 4
                if _RELATIVE_TAIL.search(rid):
                    raise ResolutionError(
                        f"Relative revision {rid!r} cannot be resolved here",
                        rid,
                        hint="Relative moves (+N/-N) apply to upgrade/downgrade targets and "
                        "the upper end of a range; give an absolute revision here.",
                    )
                raise ResolutionError(
                    f"Can't locate revision identified by {rid!r}",
                    rid,
                    hint=(
                        "Give at least four characters of a partial revision id."
                        if short
                        else "Check `tui-migrate history` for the revision ids."
                    ),
                )
            if len(candidates) > 1:
                raise AmbiguousRevision(rid, candidates)
            rev = self._lookup(candidates[0])
            assert rev is not None
        if branch_rev is not None and not self._shares_lineage(rev, [branch_rev]):
            raise ResolutionError(
                f"Revision {rev.revision} is not a member of branch {branch!r}", rid
            )
        return rev

    def all_current(self, ids: Sequence[str]) -> set[Revision]:
        """The branch tips implied by ``ids`` and everything they depend on."""
        top = {r for r in self.get_revisions(tuple(ids)) if isinstance(r, Revision)}
        every = self.ancestors([r.revision for r in top])
        return {
            self._revs[rid]
            for rid in every
            # ``every`` is closed downwards, so a child in it is enough.
            if not (self._revs[rid].nextrev & every)
        }

    # ------------------------------------------------------------- traversal

    def _walk_ids(
        self, start: Iterable[str], step: Callable[[Revision], Iterable[str]]
    ) -> Iterator[str]:
        """Depth-first over ``step`` links, each id once, starts included."""
        revs = self._revs
        seen: set[str] = set()
        todo: list[str] = []
        for s in start:
            todo.append(s)
            while todo:
                rid = todo.pop()
                if rid in seen:
                    continue
                seen.add(rid)
                todo.extend(step(revs[rid]))
                yield rid

    def ancestors(self, ids: Iterable[str], include_dependencies: bool = True) -> set[str]:
        """The ids and everything below them."""
        if include_dependencies:
            return set(self._walk_ids(ids, lambda r: r.normalized_down_revisions))
        return set(self._walk_ids(ids, lambda r: r._down))

    def descendants(self, ids: Iterable[str], include_dependencies: bool = True) -> set[str]:
        """The ids and everything above them."""
        if include_dependencies:
            return set(self._walk_ids(ids, lambda r: r.all_nextrev))
        return set(self._walk_ids(ids, lambda r: r.nextrev))

    def check_no_overlap(
        self, ids: Sequence[str], *, upward: bool, include_dependencies: bool = True
    ) -> None:
        """Raise if one of ``ids`` lies below (or, ``upward``, above) another."""
        if len(set(ids)) < 2:
            return
        wanted = set(ids)
        for rid in ids:
            if upward:
                reach = self.descendants([rid], include_dependencies)
            else:
                reach = self.ancestors([rid], include_dependencies)
            overlaps = (reach & wanted) - {rid}
            if overlaps:
                raise RevisionError(
                    f"Requested revision {rid} overlaps with other requested "
                    f"revisions {', '.join(sorted(overlaps))}",
                    hint="Name only revisions that are not ancestors of one another.",
                )

    def filter_for_lineage(
        self,
        targets: Iterable,
        check_against: str | None,
        include_dependencies: bool = False,
    ) -> tuple:
        """Keep the targets on the same line of history as ``check_against``."""
        ids, branch = self.resolve_revision_number(check_against)
        targets = tuple(targets)
        if not (branch or ids) or not targets:
            return targets
        against = [self._resolve_branch(branch)] if branch else []
        against += [self._revision_for_ident(s) for s in ids]
        return tuple(t for t in targets if self._shares_lineage(t, against, include_dependencies))

    def _shares_lineage(
        self,
        target: Revision | str,
        against: Sequence[Revision | None],
        include_dependencies: bool = False,
    ) -> bool:
        if not against:
            return True
        rev = target if isinstance(target, Revision) else self._revision_for_ident(target)
        assert rev is not None
        wanted = {a.revision for a in against if a is not None}
        if rev.revision in wanted:
            return True
        related = self.ancestors([rev.revision], include_dependencies)
        if related & wanted:
            return True
        return bool(self.descendants([rev.revision], include_dependencies) & wanted)

    def walk(
        self,
        start: Walked,
        steps: int,
        branch_label: str | None = None,
        no_overwalk: bool = True,
    ) -> Walked:
        """Move ``steps`` revisions up (positive) or down (negative).

        ``None`` stands for the empty state below every base; going down from
        a base gives the string ``"base"``. Returns ``None`` when the walk runs
        off the graph (or the start, when ``no_overwalk`` is false).
        """
        node: Walked = self.get_revision(start) if isinstance(start, str) else start
        for _ in range(abs(steps)):
            if steps > 0:
                if node == BASE:
                    raise RevisionError("Can't walk up from 'base'; use a revision or 'base+N'")
                assert not isinstance(node, str)
                ids = self.bases if node is None else self._sorted(node.nextrev)
                children: Sequence[Walked] = [self._revs[i] for i in ids]
                if branch_label:
                    children = self.filter_for_lineage(children, branch_label)
            elif node == BASE:
                children = ()
            else:
                assert not isinstance(node, str)
                downs = self.heads if node is None else node._down
                children = [self._revs[i] for i in downs] or [BASE]
            if not children:
                return None if no_overwalk else node
            if len(children) > 1:
                raise RevisionError(
                    f"Ambiguous walk from {_walk_name(node)}: it forks into "
                    f"{', '.join(_walk_name(c) for c in children)}",
                    hint="Walk from one of them explicitly, e.g. <revision>+N.",
                )
            node = children[0]
        return node

    def _sorted(self, ids: Iterable[str]) -> list[str]:
        return sorted(ids, key=self._order.__getitem__)

    def topological_sort(
        self, todo_ids: Collection[str], heads: Iterable[Revision | None]
    ) -> list[str]:
        """Order ``todo_ids`` from the top down, lane by lane, as Alembic does
        (see ``engine.revisions.ordering.lane_order``)."""
        if self._bits is None:
            self._bits = AncestorBits(self._revs)
        return lane_order(self._revs, self._order, todo_ids, heads, self._bits)


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def _walk_name(node: Walked) -> str:
    if node is None:
        return BASE
    if isinstance(node, str):
        return node
    return node.revision


def _known_labels_hint(labels: dict[str, Revision]) -> str | None:
    if not labels:
        return "This project has no branch labels."
    return "Known branch labels: " + ", ".join(sorted(labels))
