"""Describing a failed step: which revision, which statement, what remains.

The message a user reads after a migration breaks; it must say enough to act
on without a traceback: the revision and direction, the database's own error
(password-free), the statement that failed, and — where DDL is not
transactional — how many of the step's statements ran and stay applied.
"""

from __future__ import annotations

from typing import Any

from engine.errors import MigrateError, MigrationFailed
from engine.urls import mask_secrets


def step_failure(
    step: Any,
    err: BaseException,
    statement: str | None,
    ran: list[str],
    *,
    transactional: bool,
    dialect_name: str,
) -> MigrationFailed:
    """The ``MigrationFailed`` for ``step``, which raised ``err`` after ``ran``."""
    revision = ", ".join(step.to_revisions if step.is_upgrade else step.from_revisions)
    where = f" while running:\n  {clip(statement)}" if statement else ""
    applied = tuple(ran[:-1]) if statement else tuple(ran)
    if transactional:
        hint = "The step's transaction was rolled back; nothing of it remains."
    elif applied:
        hint = (
            f"{dialect_name} cannot roll back DDL: {len(applied)} statement(s) of this "
            "step ran before the failure and remain applied; the version table still "
            "shows the previous revision. Undo them by hand or fix the script and rerun."
        )
    else:
        hint = "Nothing of this step was applied; the version table shows the previous step."
    return MigrationFailed(
        f"{step.name} {revision} failed: {reason(err)}{where}",
        revision=revision,
        direction=step.name,
        statement=statement,
        applied_statements=applied,
        transactional=transactional,
        hint=hint,
    )


def reason(err: BaseException) -> str:
    if isinstance(err, MigrateError):
        return err.message
    orig = getattr(err, "orig", None)
    text = str(orig if orig is not None else err).strip().splitlines()
    first = text[0] if text else ""
    return mask_secrets(f"{type(orig or err).__name__}: {first}" if first else type(err).__name__)


def clip(sql: str, limit: int = 400) -> str:
    sql = " ".join(sql.split())
    return sql if len(sql) <= limit else sql[: limit - 3] + "..."
