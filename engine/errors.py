"""One typed error tree for everything a user can cause.

Every error carries a one-line ``message`` and an optional ``hint`` (what to do
about it). The CLI prints ``message`` (and ``hint``) and exits non-zero; it
shows a traceback only with ``--raiseerr``. Messages never contain passwords:
code that puts a URL into a message must mask it first (see
``engine.urls.mask_url``).
"""

from __future__ import annotations

from collections.abc import Iterable


class MigrateError(Exception):
    """Base class of every error the user can cause."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class CommandError(MigrateError):
    """A command cannot do what was asked (Alembic's ``util.CommandError``)."""


class ConfigError(CommandError):
    """The configuration file is missing, unreadable or malformed."""


class ScriptError(CommandError):
    """A version file cannot be read: syntax error, no ``revision``, ..."""

    def __init__(self, message: str, *, path: str | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.path = path


class RevisionError(MigrateError):
    """Something is wrong with the revision graph or a revision spec."""


class DuplicateRevisionError(RevisionError):
    def __init__(self, revision: str, paths: Iterable[str] = ()) -> None:
        paths = [p for p in paths if p]
        where = f" (in {', '.join(paths)})" if paths else ""
        super().__init__(
            f"Revision {revision} is present more than once{where}",
            hint="Give one of the files a new revision id.",
        )
        self.revision = revision
        self.paths = paths


class CycleDetected(RevisionError):
    kind = "Cycle"

    def __init__(self, revisions: Iterable[str]) -> None:
        self.revisions = list(revisions)
        super().__init__(f"{self.kind} is detected in revisions ({', '.join(self.revisions)})")


class DependencyCycleDetected(CycleDetected):
    kind = "Dependency cycle"


class LoopDetected(CycleDetected):
    kind = "Self-loop"

    def __init__(self, revision: str) -> None:
        super().__init__([revision])
        self.message = f"Self-loop is detected in revision {revision}"
        self.args = (self.message,)


class DependencyLoopDetected(LoopDetected):
    kind = "Dependency self-loop"

    def __init__(self, revision: str) -> None:
        super().__init__(revision)
        self.message = f"Dependency self-loop is detected in revision {revision}"
        self.args = (self.message,)


class MissingParentError(RevisionError):
    """A ``down_revision`` or ``depends_on`` names a revision that does not exist."""

    def __init__(self, revision: str, missing: str, field: str, path: str | None = None):
        where = f" in {path}" if path else ""
        super().__init__(
            f"Revision {revision}{where}: {field} {missing!r} is not present",
            hint="Restore the missing revision file or correct the reference.",
        )
        self.revision = revision
        self.missing = missing
        self.field = field


class DuplicateLabelError(RevisionError):
    def __init__(self, label: str, revisions: Iterable[str]) -> None:
        self.label = label
        self.revisions = list(revisions)
        super().__init__(
            f"Branch name {label!r} is used by more than one revision: {', '.join(self.revisions)}",
            hint="Each branch label must be unique.",
        )


class ResolutionError(RevisionError):
    """A revision spec does not resolve."""

    def __init__(self, message: str, argument: str | None, *, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.argument = argument


class AmbiguousRevision(ResolutionError):
    def __init__(self, argument: str, candidates: Iterable[str]) -> None:
        self.candidates = sorted(candidates)
        super().__init__(
            f"Revision spec {argument!r} is ambiguous; it matches: {', '.join(self.candidates)}",
            argument,
            hint="Give more characters of the revision id.",
        )


class MultipleHeads(ResolutionError):
    def __init__(self, heads: Iterable[str], argument: str) -> None:
        self.heads = list(heads)
        super().__init__(
            f"Multiple heads are present for given argument {argument!r}; {', '.join(self.heads)}",
            argument,
            hint="Use 'heads' for all of them, a specific id, or 'label@head'.",
        )


class RangeNotAncestorError(ResolutionError):
    def __init__(self, lower: str | tuple[str, ...] | None, upper: str | tuple[str, ...] | None):
        self.lower = lower
        self.upper = upper
        super().__init__(
            f"Revision {_fmt(lower)} is not an ancestor of revision {_fmt(upper)}",
            None,
            hint="The lower end of a range must be an ancestor of the upper end.",
        )


def _fmt(rev: str | tuple[str, ...] | None) -> str:
    if rev is None:
        return "base"
    if isinstance(rev, tuple):
        return ", ".join(rev) if rev else "base"
    return rev


class MigrationFailed(CommandError):
    """A migration step raised; says which step, which statement, and what remains.

    ``where_now`` is filled in by the command layer once the run has ended
    (after any rollback) with the version table's rows, when it can read them.
    """

    def __init__(
        self,
        message: str,
        *,
        revision: str,
        direction: str,
        statement: str | None,
        applied_statements: tuple[str, ...] = (),
        transactional: bool = True,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.revision = revision
        self.direction = direction
        self.statement = statement
        self.applied_statements = applied_statements
        self.transactional = transactional
        self.where_now: tuple[str, ...] | None = None
