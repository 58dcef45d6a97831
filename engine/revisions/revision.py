"""The ``Revision`` node: one migration's identity and its links.

Pure data, no I/O. ``RevisionMap`` fills in the derived fields (children,
resolved dependencies) when it is built.

Vocabulary, as Alembic uses it:

* ``down_revision`` – the parents that the version table follows (a tuple of
  two or more makes a merge point);
* ``dependencies`` – ``depends_on``: revisions (or branch labels) that must be
  applied first, without becoming parents in the version table;
* "versioned" links are ``down_revision`` only; "all" links add the resolved
  dependencies.
"""

from __future__ import annotations

from collections.abc import Iterable

from engine.errors import DependencyLoopDetected, LoopDetected, RevisionError

ILLEGAL_ID_CHARS = (":", "-", "+", "@")  # the spec grammar uses these


def to_tuple(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Normalise ``None`` / a string / a sequence into a tuple of strings."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def verify_rev_id(revision: str) -> None:
    if not isinstance(revision, str) or not revision:
        raise RevisionError(f"Revision identifier {revision!r} must be a non-empty string")
    bad = sorted(c for c in ILLEGAL_ID_CHARS if c in revision)
    if bad:
        raise RevisionError(
            f"Character(s) '{', '.join(bad)}' not allowed in revision identifier {revision!r}"
        )


class Revision:
    """A node of the revision graph."""

    __slots__ = (
        "revision",
        "down_revision",
        "dependencies",
        "branch_labels",
        "_orig_branch_labels",
        "_down",
        "_deps",
        "resolved_dependencies",
        "normalized_dependencies",
        "nextrev",
        "all_nextrev",
        "__dict__",
    )

    def __init__(
        self,
        revision: str,
        down_revision: str | Iterable[str] | None,
        dependencies: str | Iterable[str] | None = None,
        branch_labels: str | Iterable[str] | None = None,
    ) -> None:
        down = to_tuple(down_revision)
        deps = to_tuple(dependencies)
        if revision in down:
            raise LoopDetected(revision)
        if revision in deps:
            raise DependencyLoopDetected(revision)
        verify_rev_id(revision)
        self.revision = revision
        # Keep the values as written (scalar when one), as Alembic exposes them.
        self.down_revision = tuple_as_scalar(down)
        self.dependencies = tuple_as_scalar(deps)
        self._down: tuple[str, ...] = down
        self._deps: tuple[str, ...] = deps
        self._orig_branch_labels: frozenset[str] = frozenset(to_tuple(branch_labels))
        # Labels the map propagates onto this revision from its branch root.
        self.branch_labels: set[str] = set(self._orig_branch_labels)
        self.resolved_dependencies: tuple[str, ...] = ()
        self.normalized_dependencies: tuple[str, ...] = ()
        self.nextrev: frozenset[str] = frozenset()
        self.all_nextrev: frozenset[str] = frozenset()

    def __repr__(self) -> str:
        args = [repr(self.revision), repr(self.down_revision)]
        if self.dependencies:
            args.append(f"dependencies={self.dependencies!r}")
        if self._orig_branch_labels:
            args.append(f"branch_labels={sorted(self._orig_branch_labels)!r}")
        return f"{type(self).__name__}({', '.join(args)})"

    # --- links -------------------------------------------------------------

    @property
    def versioned_down_revisions(self) -> tuple[str, ...]:
        """Parents as the version table sees them (``down_revision`` only)."""
        return self._down

    @property
    def all_down_revisions(self) -> tuple[str, ...]:
        """Parents plus resolved ``depends_on`` revisions."""
        return self._down + tuple(d for d in self.resolved_dependencies if d not in self._down)

    @property
    def normalized_down_revisions(self) -> tuple[str, ...]:
        """Parents plus the dependencies not already implied by another parent."""
        return self._down + tuple(d for d in self.normalized_dependencies if d not in self._down)

    # --- shape -------------------------------------------------------------

    @property
    def is_head(self) -> bool:
        return not self.nextrev

    @property
    def is_real_head(self) -> bool:
        return not self.all_nextrev

    @property
    def is_base(self) -> bool:
        return not self._down

    @property
    def is_real_base(self) -> bool:
        return not self._down and not self._deps

    @property
    def is_branch_point(self) -> bool:
        return len(self.nextrev) > 1

    @property
    def is_real_branch_point(self) -> bool:
        return len(self.all_nextrev) > 1

    @property
    def is_merge_point(self) -> bool:
        return len(self._down) > 1

    # Alembic spells some of these with a leading underscore; scripts and
    # env.py files in the wild use both.
    _versioned_down_revisions = versioned_down_revisions
    _all_down_revisions = all_down_revisions
    _normalized_down_revisions = normalized_down_revisions
    _is_real_head = is_real_head
    _is_real_base = is_real_base
    _is_real_branch_point = is_real_branch_point

    @property
    def _all_nextrev(self) -> frozenset[str]:
        return self.all_nextrev

    @property
    def _resolved_dependencies(self) -> tuple[str, ...]:
        return self.resolved_dependencies


def tuple_as_scalar(value: tuple[str, ...]) -> str | tuple[str, ...] | None:
    if not value:
        return None
    if len(value) == 1:
        return value[0]
    return value
