"""The run screen: a plan running in a worker, with progress, live log and stop."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, ProgressBar, RichLog, Static

from engine.runtime import events as ev
from tui_migrate.tui_engine import RunOutcome
from tui_migrate.tui_model import join_ids


class RunScreen(ModalScreen[None]):
    """Fed by the app: ``on_engine_event`` per event, ``finish`` at the end."""

    BINDINGS = [
        Binding("x", "stop", "Stop after this step"),
        Binding("escape", "stop_or_close", "Stop / close"),
        # A dialog hides the app's keys: q still quits (asking while the run goes on).
        Binding("q", "app.quit_app", "Quit"),
    ]

    def __init__(self, title: str, total: int, control: Any) -> None:
        super().__init__()
        self.run_title = title
        self.total = total
        self.control = control
        self.done = False
        self.outcome: RunOutcome | None = None
        self.failed_step: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="run-dialog"):
            yield Label(self.run_title, id="run-title")
            yield ProgressBar(total=max(1, self.total), show_eta=False, id="run-progress")
            yield Label("starting…", id="run-step")
            # min_width=1: wrapped at the dialog's width, never cropped (see LogPane)
            yield RichLog(id="run-log", wrap=True, markup=False, max_lines=2000, min_width=1)
            yield Static("", id="run-result")
            with Horizontal(id="buttons"):
                yield Button("Stop (x)", id="stop", variant="warning", compact=True)
                yield Button("Close", id="close", variant="primary", disabled=True, compact=True)

    def on_mount(self) -> None:
        self.query_one("#stop", Button).focus()

    # --- fed from the worker (through call_from_thread) ---------------------------

    def on_engine_event(self, event: Any) -> None:
        log = self.query_one("#run-log", RichLog)
        step = self.query_one("#run-step", Label)
        if isinstance(event, ev.RunStarted):
            self.total = event.total
            self.query_one(ProgressBar).update(total=max(1, event.total), progress=0)
        elif isinstance(event, ev.StepStarted):
            step.update(f"step {event.index}/{event.total}: {event.description}")
            log.write(Text(f"▶ {event.index}/{event.total} {event.description}", "bold"))
        elif isinstance(event, ev.StatementExecuted):
            log.write(Text("  " + " ".join(event.sql.split())[:400], "dim"))
        elif isinstance(event, ev.StepFinished):
            self.query_one(ProgressBar).update(progress=event.index)
            log.write(
                Text(f"✓ {event.index}/{event.total} done in {event.duration:.2f} s", "green")
            )
        elif isinstance(event, ev.StepFailed):
            self.failed_step = f"step {event.index}/{event.total} ({join_ids(event.revisions)})"
            log.write(Text(f"✗ {event.index}/{event.total} FAILED: {event.error}", "bold red"))

    def finish(self, outcome: RunOutcome) -> None:
        self.done = True
        self.outcome = outcome
        result = self.query_one("#run-result", Static)
        result.update(outcome_text(outcome, self.failed_step))
        self.query_one("#run-step", Label).update("finished" if outcome.ok else "failed")
        self.query_one("#stop", Button).disabled = True
        close = self.query_one("#close", Button)
        close.disabled = False
        close.focus()

    # --- keys -----------------------------------------------------------------------

    def action_stop(self) -> None:
        if not self.done:
            self.control.request_stop()
            self.query_one("#run-step", Label).update("stop requested: ending after this step…")
            self.query_one("#stop", Button).disabled = True

    def action_stop_or_close(self) -> None:
        if self.done:
            self.dismiss(None)
        else:
            self.action_stop()

    @on(Button.Pressed, "#stop")
    def _stop(self) -> None:
        self.action_stop()

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)


def outcome_text(outcome: RunOutcome, failed_step: str | None) -> Text:
    """How the run ended; after a failure: which step, where the database stands, what
    of the failed step remains applied, and what to do."""
    text = Text()
    after = join_ids(outcome.heads_after, 12) if outcome.heads_after is not None else "unknown"
    if outcome.ok and outcome.stopped:
        text.append("STOPPED ", "bold black on yellow")
        text.append(f" after {outcome.steps_done} of {outcome.planned} steps.")
    elif outcome.ok:
        text.append("DONE ", "bold black on green")
        text.append(f" {outcome.steps_done} step(s) in {outcome.duration:.1f} s.")
    else:
        text.append("FAILED ", "bold white on red")
        if outcome.failed_revision:
            text.append(f" at revision {outcome.failed_revision}")
            if failed_step:
                text.append(f" — {failed_step}")
    text.append("\nThe database now stands at: ", "bold")
    text.append(after, "bold cyan")
    if outcome.ok:
        return text
    error = outcome.error or ""
    text.append("\n" + error, "red")
    statement = outcome.failed_statement
    if statement and " ".join(statement.split())[:40] not in " ".join(error.split()):
        text.append("\nstatement: " + statement, "yellow")
    if outcome.applied_statements:
        n = len(outcome.applied_statements)
        text.append(
            f"\n{n} statement{'s' if n != 1 else ''} of the failed step ran and "
            f"remain{'s' if n == 1 else ''} applied:",
            "bold yellow",
        )
        for sql in outcome.applied_statements:
            text.append("\n  " + " ".join(sql.split())[:200], "yellow")
    elif outcome.transactional:
        text.append("\nThe failed step was rolled back whole.", "green")
    if outcome.hint:
        text.append("\nhint: " + outcome.hint, "italic")
    return text
