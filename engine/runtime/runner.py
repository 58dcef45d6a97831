"""The one door every migration run goes through.

``run_environment`` builds the ``EnvironmentContext`` for a command, runs the
project's env.py inside it, collects what happened into a ``RunResult`` and
turns low-level failures (no driver, no server, wrong password, bad dialect)
into one readable, password-free ``CommandError``. A migration lock and an
audit journal wrap a run here: around ``_execute`` below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy.exc as sa_exc

from engine.errors import CommandError, MigrationFailed, ScriptError
from engine.runtime import events as ev
from engine.runtime.environment import EnvironmentContext
from engine.urls import mask_secrets, mask_url

StepsFn = Callable[[tuple[str, ...], Any], list[Any]]


@dataclass
class RunResult:
    """What a run did: heads before and after, steps run, whether it was stopped."""

    command: str
    as_sql: bool
    heads_before: tuple[str, ...] = ()
    heads_after: tuple[str, ...] = ()
    planned: int = 0
    steps_done: int = 0
    stopped: bool = False
    duration: float = 0.0
    url: str | None = None  # masked
    events: list[ev.Event] = field(default_factory=list)

    @property
    def nothing_to_do(self) -> bool:
        return self.planned == 0


def run_environment(
    config: Any,
    script: Any,
    fn: StepsFn,
    *,
    command: str,
    control: ev.RunControl | None = None,
    keep_events: bool = False,
    **context_kw: Any,
) -> RunResult:
    control = control or ev.RunControl()
    result = RunResult(command=command, as_sql=bool(context_kw.get("as_sql")))

    def collect(event: ev.Event) -> None:
        if keep_events:
            result.events.append(event)
        if isinstance(event, ev.RunStarted):
            result.heads_before = event.heads_before
            result.heads_after = event.heads_before
            result.planned = event.total
        elif isinstance(event, ev.StepFinished):
            result.heads_after = event.heads_after
            result.steps_done = event.index
        elif isinstance(event, ev.RunFinished):
            result.heads_after = event.heads_after
            result.stopped = event.stopped
            result.duration = event.duration

    control.listeners.insert(0, collect)
    try:
        env = _execute(config, script, fn, control, context_kw)
    finally:
        control.listeners.remove(collect)
    ctx = env._migration_context
    if ctx is not None and ctx.connection is not None and not ctx.as_sql:
        url = getattr(getattr(ctx.connection, "engine", None), "url", None)
        result.url = mask_url(url) if url is not None else None
    return result


def _execute(
    config: Any, script: Any, fn: StepsFn, control: ev.RunControl, context_kw: dict[str, Any]
) -> EnvironmentContext:
    url = _configured_url(config)
    try:
        with EnvironmentContext(config, script, fn=fn, run_control=control, **context_kw) as env:
            script.run_env()
        return env
    except MigrationFailed as err:
        if not context_kw.get("as_sql"):
            err.where_now = _where_now(config)
        raise
    except ScriptError as err:
        raise _driver_error(url, err) or err from err.__cause__
    except sa_exc.NoSuchModuleError as err:
        raise CommandError(
            f"Unknown database dialect in {mask_url(url) if url else 'the database URL'}",
            hint=mask_secrets(str(err)),
        ) from err
    except sa_exc.ArgumentError as err:
        raise CommandError(
            f"Bad database URL or engine argument: {mask_secrets(str(err))}",
            hint="Check sqlalchemy.url in the configuration (or TUI_MIGRATE_URL).",
        ) from err
    except sa_exc.DBAPIError as err:
        from engine.current import database_error

        raise database_error(url or "the database", err) from err


def _configured_url(config: Any) -> str | None:
    try:
        return config.get_main_option("sqlalchemy.url")
    except Exception:  # noqa: BLE001 - a URL is only used to word messages
        return None


def _driver_error(url: str | None, err: ScriptError) -> CommandError | None:
    cause = err.__cause__
    if isinstance(cause, ModuleNotFoundError):
        from engine.current import DRIVER_PACKAGES, missing_driver

        name = (cause.name or "").split(".")[0].lower()
        if name in DRIVER_PACKAGES:
            return missing_driver(url or "the database", cause)
    return None


def _where_now(config: Any) -> tuple[str, ...] | None:
    """The version table's rows after a failed run, when they can be read."""
    if "connection" in getattr(config, "attributes", {}):
        return None
    from engine.current import read_current_heads

    try:
        return read_current_heads(config)
    except Exception:  # noqa: BLE001 - best effort: the failure itself is the message
        return None
