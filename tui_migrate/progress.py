"""Showing a migration run on the command line, from the engine's step events.

On a terminal a Rich progress bar (on stderr) follows the steps; everywhere a
one-line summary ends the run. The first Ctrl-C asks the run to stop after the
step in progress (the version table then shows the last completed step); a
second one interrupts at once.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from engine.runtime import events as ev
from engine.runtime.runner import RunResult
from tui_migrate.output import Output


def _short(revs: tuple[str, ...]) -> str:
    return ", ".join(r[:12] for r in revs) or "base"


class RunReporter:
    def __init__(self, out: Output, *, enabled: bool = True) -> None:
        self.out = out
        self.control = ev.RunControl()
        self.enabled = enabled and not out.quiet
        self._progress: Any = None
        self._task: Any = None
        self._old_handler: Any = None
        if self.enabled:
            self.control.listeners.append(self._on_event)

    # --- context ---------------------------------------------------------------

    def __enter__(self) -> RunReporter:
        if self.enabled and self.out.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[step]}"),
                console=Console(file=self.out.stderr),
                transient=True,
            )
            self._progress.start()
        if threading.current_thread() is threading.main_thread():
            self._old_handler = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._progress is not None:
            self._progress.stop()
        if self._old_handler is not None:
            signal.signal(signal.SIGINT, self._old_handler)

    def _on_sigint(self, signum: int, frame: Any) -> None:
        if self.control.stop_requested:
            raise KeyboardInterrupt
        self.control.request_stop()
        self.out.error_text(
            "Stopping after the current step (press Ctrl-C again to interrupt at once)"
        )

    # --- events ----------------------------------------------------------------

    def _on_event(self, event: ev.Event) -> None:
        progress = self._progress
        if progress is None:
            return
        if isinstance(event, ev.RunStarted):
            self._task = progress.add_task(event.direction, total=max(event.total, 1), step="")
        elif isinstance(event, ev.StepStarted) and self._task is not None:
            progress.update(self._task, step=event.description)
        elif isinstance(event, ev.StepFinished) and self._task is not None:
            progress.update(self._task, completed=event.index)

    # --- the end -----------------------------------------------------------------

    def summary(self, result: RunResult) -> None:
        if self.out.quiet:
            return
        verb = {"upgrade": "Upgraded", "downgrade": "Downgraded", "stamp": "Stamped"}.get(
            result.command, result.command
        )
        if result.nothing_to_do:
            message = (
                f"Nothing to do: the database is already at {_short(result.heads_after)}"
                if result.command != "stamp"
                else f"Nothing to stamp: the database is already at {_short(result.heads_after)}"
            )
        elif result.stopped:
            message = (
                f"Stopped after {result.steps_done} of {result.planned} step(s) at your request; "
                f"the database is at {_short(result.heads_after)}"
            )
        else:
            message = (
                f"{verb} {_short(result.heads_before)} -> {_short(result.heads_after)}: "
                f"{result.steps_done} step(s) in {result.duration:.2f} s"
            )
        self.out.note(message)
