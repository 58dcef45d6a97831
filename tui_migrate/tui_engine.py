"""The TUI's door to the engine: blocking calls meant for thread workers.

Every call that runs env.py (reading the database, offline SQL, migrations,
new revisions) takes ``ENGINE_LOCK``: env.py runs install the global
``alembic.op`` / ``alembic.context`` proxies, so two must never overlap.
Nothing here imports Textual.
"""

from __future__ import annotations

import io
import os
import re
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from engine.errors import CommandError, MigrateError, MigrationFailed
from engine.urls import mask_secrets, mask_url
from tui_migrate.tui_model import DbState, dialect_of

if TYPE_CHECKING:  # the plan model is loaded with the first plan, not to open the app
    from tui_migrate.tui_plan import PlannedAction

ENGINE_LOCK = threading.RLock()
LOG_FILE_NAME = "tui-migrate.log"


@contextmanager
def engine_lock(cancelled: Callable[[], bool] | None = None):
    """Hold ``ENGINE_LOCK``; give up (``TimeoutError``) once ``cancelled()`` says so."""
    while not ENGINE_LOCK.acquire(timeout=0.1):
        if cancelled is not None and cancelled():
            raise TimeoutError("cancelled while waiting for the engine")
    try:
        yield
    finally:
        ENGINE_LOCK.release()


def error_text(err: BaseException) -> str:
    """One password-free message (and hint) for an error."""
    text = str(err) or type(err).__name__
    if not isinstance(err, MigrateError):
        text = f"{type(err).__name__}: {text}"
    hint = getattr(err, "hint", None)
    if hint:
        text += f"\nhint: {hint}"
    return mask_secrets(text)


def configured_url(config: Any) -> str:
    try:
        return mask_url(config.get_main_option("sqlalchemy.url") or "")
    except Exception:  # noqa: BLE001 - only used for display
        return ""


def project_directory(config: Any) -> str:
    name = getattr(config, "config_file_name", None) or getattr(config, "toml_file_name", None)
    return os.path.dirname(os.path.abspath(name)) if name else os.getcwd()


def load_revision_map(config: Any) -> Any:
    from engine import commands

    return commands.script_directory(config).revision_map


def read_db_state(config: Any) -> DbState:
    """The database's heads through env.py (online); an error makes it offline."""
    from engine import commands

    fallback = configured_url(config)
    try:
        with engine_lock():
            heads, url = commands.current_heads(config)
    except Exception as err:  # noqa: BLE001 - any failure means "offline"
        return DbState(fallback, dialect_of(fallback), None, error_text(err))
    url = url or fallback
    return DbState(url, dialect_of(url), tuple(heads), None)


# --- offline SQL ------------------------------------------------------------------

_RUNNING = re.compile(r"^-- Running (upgrade|downgrade) (.*?) -> (.*?)\s*$", re.M)


def offline_sql(
    config: Any, rev: Any, upgrade: bool, cancelled: Callable[[], bool] | None = None
) -> str:
    """The SQL of one revision's upgrade() or downgrade(), produced offline."""
    from engine import commands

    parent = rev.versioned_down_revisions[0] if rev.versioned_down_revisions else "base"
    spec = f"{parent}:{rev.revision}" if upgrade else f"{rev.revision}:{parent}"
    buffer = io.StringIO()
    with engine_lock(cancelled):
        saved = config.output_buffer
        config.output_buffer = buffer
        try:
            if upgrade:
                commands.upgrade(config, spec, sql=True)
            else:
                commands.downgrade(config, spec, sql=True)
        finally:
            config.output_buffer = saved
    return section_of(buffer.getvalue(), rev.revision, upgrade)


def section_of(sql: str, rev_id: str, upgrade: bool) -> str:
    """The part of an offline script that belongs to ``rev_id``'s step."""
    marks = list(_RUNNING.finditer(sql))
    for i, m in enumerate(marks):
        ends = m.group(3) if upgrade else m.group(2)
        if rev_id in [s.strip() for s in ends.split(",")]:
            end = marks[i + 1].start() if i + 1 < len(marks) else len(sql)
            text = sql[m.start() : end]
            return _strip_commit(text).strip() + "\n"
    return sql.strip() + "\n"


def _strip_commit(text: str) -> str:
    lines = text.rstrip().splitlines()
    while lines and lines[-1].strip().upper() in ("COMMIT;", "BEGIN;", ""):
        lines.pop()
    return "\n".join(lines)


# --- plan previews -------------------------------------------------------------------


def preview_action(
    config: Any, action: PlannedAction, cancelled: Callable[[], bool] | None = None
) -> None:
    """Fill every step of ``action`` from the engine's offline plan preview.

    The preview stops at a step that cannot run offline (SQLite batch mode
    needs a live table); it is then resumed from the heads after that step, so
    only that step falls back to its source. Steps no preview reaches fall back
    to their source too.
    """
    from engine.preview import preview_plan
    from tui_migrate.tui_plan import apply_preview, fall_back

    steps = action.steps
    if action.kind not in ("upgrade", "downgrade") or not action.needs_preview:
        return
    done = 0
    start = action.heads_before
    reason: str | None = None
    while done < len(steps):
        try:
            with engine_lock(cancelled):
                preview = preview_plan(config, action.kind, action.target, start)
        except TimeoutError:
            raise
        except Exception as err:  # noqa: BLE001 - the steps fall back to their source
            reason = error_text(err)
            break
        filled = apply_preview(steps[done:], preview)
        done += filled
        if preview.error is None or filled == 0:
            reason = preview.error or "the offline preview does not match the plan"
            break
        start = steps[done - 1].heads_after
    for step in steps[done:]:
        fall_back(step, reason)


# --- runs ------------------------------------------------------------------------


@dataclass
class RunOutcome:
    """How a run ended, for the run screen and the log."""

    kind: str
    target: str
    ok: bool
    stopped: bool = False
    steps_done: int = 0
    planned: int = 0
    duration: float = 0.0
    heads_after: tuple[str, ...] | None = None
    error: str | None = None
    failed_revision: str | None = None
    failed_statement: str | None = None
    statements: list[str] = field(default_factory=list)
    # after a failed step: what of it ran and stays (non-transactional DDL), what to do
    applied_statements: list[str] = field(default_factory=list)
    transactional: bool | None = None
    hint: str | None = None


def run_migration(
    config: Any, kind: str, target: str, control: Any, *, purge: bool = False
) -> RunOutcome:
    """Run an upgrade / downgrade / stamp online; never raises."""
    from engine import commands
    from engine.runtime import events as ev

    statements: list[str] = []

    def keep(event: Any) -> None:
        if isinstance(event, ev.StatementExecuted):
            statements.append(event.sql)

    control.listeners.append(keep)
    started = time.monotonic()
    outcome = RunOutcome(kind, target, ok=False, statements=statements)
    try:
        with engine_lock():
            if kind == "upgrade":
                result = commands.upgrade(config, target, control=control)
            elif kind == "downgrade":
                result = commands.downgrade(config, target, control=control)
            elif kind == "stamp":
                result = commands.stamp(config, target, purge=purge, control=control)
            else:  # pragma: no cover - the app only asks for the three above
                raise CommandError(f"unknown action {kind}")
    except MigrationFailed as err:
        outcome.error = mask_secrets(err.message)
        outcome.hint = mask_secrets(err.hint) if err.hint else None
        outcome.failed_revision = err.revision
        outcome.failed_statement = mask_secrets(err.statement) if err.statement else None
        if not err.transactional:  # rolled back otherwise: nothing of the step remains
            outcome.applied_statements = [mask_secrets(s) for s in err.applied_statements]
        outcome.transactional = err.transactional
        outcome.heads_after = err.where_now
    except Exception as err:  # noqa: BLE001 - shown to the user, never a crash
        outcome.error = error_text(err)
    else:
        outcome.ok = True
        outcome.stopped = result.stopped
        outcome.steps_done = result.steps_done
        outcome.planned = result.planned
        outcome.heads_after = result.heads_after
    finally:
        control.listeners.remove(keep)
    outcome.duration = time.monotonic() - started
    return outcome


# --- the audit log file ------------------------------------------------------------


def append_audit_log(directory: str, lines: list[str]) -> str | None:
    """Append to ``tui-migrate.log`` in the project; returns an error text or None."""
    path = os.path.join(directory, LOG_FILE_NAME)
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    try:
        with open(path, "a", encoding="utf-8") as f:
            for i, line in enumerate(lines):
                f.write((f"{stamp} " if i == 0 else "    ") + mask_secrets(line) + "\n")
    except OSError as err:
        return f"cannot write {path}: {err.strerror}"
    return None


# --- autogenerate -------------------------------------------------------------------


def autogenerate_preview(
    config: Any,
    request: Any,
    answers: dict[Any, bool],
    rev_id: str | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Any:
    """What ``revision --autogenerate`` would write for a ``NewRevisionRequest``,
    with the rename ``answers`` (keyed by ``rename_key``); writes nothing."""
    from engine.autogenerate.preview import decide_from, preview_revision

    with engine_lock(cancelled):
        return preview_revision(
            config,
            message=request.message,
            head=request.head,
            splice=request.splice,
            branch_label=request.branch_label,
            depends_on=request.depends_on or None,
            rev_id=rev_id,
            decide_rename=decide_from(answers),
        )


def write_autogenerated(preview: Any) -> list[Any]:
    """Write what ``preview`` showed; the new ``Script`` objects (none when env.py's
    ``process_revision_directives`` removed the revision)."""
    from engine.autogenerate.preview import write_preview

    with engine_lock():
        written = write_preview(preview)
    if written is None:
        return []
    return written if isinstance(written, list) else [written]
