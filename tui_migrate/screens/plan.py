"""The confirmation screen: the plan step by step, its SQL, its flags.

Cancel is focused. The engine previews the plan offline in a worker (each
step's SQL and findings: destructive, caution, irreversible); Confirm stays
disabled until that is done, and a plan with destructive steps also needs the
target's short id typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Group
from rich.padding import Padding
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static
from textual.worker import get_current_worker

from tui_migrate.tui_engine import error_text, preview_action
from tui_migrate.tui_model import join_ids
from tui_migrate.tui_plan import PlannedAction
from tui_migrate.widgets.preview import highlighted


def plan_renderable(action: PlannedAction, checking: bool) -> Group:
    parts: list[Any] = []
    head = Text()
    head.append("Database now: ", "dim")
    head.append(join_ids(action.heads_before, 12), "bold")
    head.append("   after: ", "dim")
    head.append(join_ids(action.heads_after, 12), "bold green")
    parts.append(head)
    if action.purge:
        parts.append(Text("The version table is erased first (purge).", "bold yellow"))
    if not action.steps:
        parts.append(Text("\nNothing to do: the database is already there.", "bold"))
    for i, step in enumerate(action.steps, 1):
        line = Text()
        line.append(f"\n{i}. ", "bold")
        line.append(step.title, "bold cyan")
        if step.message:
            line.append("  " + step.message)
        parts.append(line)
        if step.changes:
            parts.append(Text("   version table: " + "; ".join(step.changes), "dim"))
        for flag in step.flags:
            line = Text("   ")
            line.append(f" {flag.kind.upper()} ", FLAG_STYLES.get(flag.kind, "bold"))
            line.append(" " + flag.text, "bold" if flag.kind != "caution" else "")
            parts.append(line)
        if step.revision is None:
            continue
        if step.note:
            note = Text(step.note + " — flags also read from its source", "yellow")
            parts.append(Padding(note, (0, 0, 0, 3)))
        if step.sql is not None:
            parts.append(highlighted(_indent(step.sql), "sql"))
        elif checking and not step.previewed:
            parts.append(Text("   previewing offline…", "dim italic"))
    return Group(*parts)


FLAG_STYLES = {
    "destructive": "bold white on red",
    "irreversible": "bold black on yellow",
    "caution": "black on grey70",
}


def _indent(text: str) -> str:
    return "\n".join("   " + ln for ln in text.rstrip().splitlines())


class PlanScreen(ModalScreen[bool]):
    """Shows a ``PlannedAction``; dismisses with True only on Confirm."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        action: PlannedAction,
        config: Any,
        replan: Callable[[bool], PlannedAction] | None = None,
    ) -> None:
        super().__init__()
        self.planned = action
        self.config = config
        self.replan = replan
        self.checking = action.needs_preview

    def compose(self) -> ComposeResult:
        action = self.planned
        with Vertical(id="dialog", classes="plan-dialog"):
            yield Label(action.title(), id="plan-title")
            with VerticalScroll(id="plan-body"):
                yield Static(plan_renderable(action, self.checking), id="plan-text")
            if action.kind == "stamp":
                yield Checkbox("purge: erase the version table first", action.purge, id="purge")
            yield Label("", id="confirm-label")
            # Cancel has the focus: the field is one shift+tab away, and says so.
            hint = f"shift+tab, type {action.confirm_word}"
            yield Input(placeholder=hint, id="confirm-input", compact=True)
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel", variant="primary", compact=True)
                yield Button("Confirm", id="confirm", variant="error", disabled=True, compact=True)

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()
        self._update_gate()
        if self.checking:
            self.produce_preview()

    # --- the engine's plan preview, in a worker ----------------------------------------

    @work(thread=True, exclusive=True, group="plan-preview")
    def produce_preview(self) -> None:
        worker = get_current_worker()
        try:
            preview_action(self.config, self.planned, lambda: worker.is_cancelled)
        except TimeoutError:
            return
        except Exception as err:  # noqa: BLE001 - the plan stays reviewable without flags
            for step in self.planned.steps:
                if not step.previewed:
                    step.note = "not previewed: " + error_text(err).splitlines()[0]
                    step.previewed = True
        self.app.call_from_thread(self._preview_done)

    def _preview_done(self) -> None:
        if not self.is_attached:  # dismissed while the preview ran
            return
        self.checking = False
        self._refresh_body()

    def _refresh_body(self) -> None:
        self.query_one("#plan-text", Static).update(plan_renderable(self.planned, self.checking))
        self._update_gate()

    # --- the confirm gate ------------------------------------------------------------

    def _update_gate(self) -> None:
        action = self.planned
        label = self.query_one("#confirm-label", Label)
        field = self.query_one("#confirm-input", Input)
        confirm = self.query_one("#confirm", Button)
        field.display = action.destructive and not self.checking and bool(action.steps)
        if not action.steps:
            label.update("Nothing to do.")
            confirm.disabled = True
        elif self.checking:
            label.update("Previewing every step offline…")
            confirm.disabled = True
        elif action.destructive:
            label.update(
                Text.assemble(
                    ("DESTRUCTIVE: data will be lost. ", "bold red"),
                    "Type ",
                    (action.confirm_word, "bold reverse"),
                    " to enable Confirm:",
                )
            )
            confirm.disabled = field.value.strip() != action.confirm_word
        else:
            label.update("Review the plan, then Confirm (Cancel is focused).")
            confirm.disabled = False

    @on(Input.Changed, "#confirm-input")
    def _typed(self) -> None:
        self._update_gate()

    @on(Input.Submitted, "#confirm-input")
    def _typed_enter(self) -> None:
        if not self.query_one("#confirm", Button).disabled:
            self.dismiss(True)

    @on(Checkbox.Changed, "#purge")
    def _purge(self, event: Checkbox.Changed) -> None:
        if self.replan is None:
            return
        try:
            self.planned = self.replan(event.value)
        except Exception as err:  # noqa: BLE001 - shown on the screen
            self.notify(error_text(err), severity="error")
            return
        self._refresh_body()
        self.query_one("#plan-title", Label).update(self.planned.title())

    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def _cancel_button(self) -> None:
        self.dismiss(False)

    def action_cancel(self) -> None:
        self.dismiss(False)
