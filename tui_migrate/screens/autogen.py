"""Autogenerate preview: what "new revision" would write, before it is written.

A worker compares the models with the database (``engine.autogenerate.preview``
through ``tui_engine``, under the engine lock); the screen then shows a yes/no
question per possible rename (default No; the questions come first), the
detected changes, one per line, the warnings and the script, highlighted.
Changing an answer compares again with the answers (an accepted table rename
can bring up column renames in it). Nothing is written unless Write is pressed:
the screen dismisses with the ``RevisionPreview`` to write, or None.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.syntax import Syntax
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static
from textual.worker import get_current_worker

from tui_migrate.tui_engine import autogenerate_preview, error_text
from tui_migrate.tui_model import short
from tui_migrate.widgets.rename_question import RenameQuestion


def _python(source: str) -> Syntax:
    """The script, highlighted, long lines wrapped (the dialog does not scroll sideways)."""
    return Syntax(
        source.rstrip(), "python", theme="ansi_dark", word_wrap=True, background_color="default"
    )


def _rename_key(candidate: Any) -> tuple[Any, ...]:
    from engine.autogenerate.preview import rename_key

    return rename_key(candidate)


def summary_renderable(preview: Any) -> Group:
    """The detected changes and the warnings of a ``RevisionPreview``."""
    parts: list[Any] = []
    if not preview.sources:
        parts.append(
            Text(
                "env.py's process_revision_directives removed the revision: nothing "
                "would be written.",
                "bold yellow",
            )
        )
    if preview.empty:
        parts.append(
            Text(
                "No changes detected: the models match the database; the revision would be empty.",
                "bold",
            )
        )
    else:
        count = len(preview.changes)
        parts.append(Text(f"Detected changes ({count}):", "bold"))
        for line in preview.changes:
            parts.append(Text("  " + line, "cyan"))
    if preview.warnings:
        parts.append(Text(f"\nWarnings ({len(preview.warnings)}):", "bold yellow"))
        for warning in preview.warnings:
            line = Text("  ")
            line.append(" WARNING ", "bold black on yellow")
            line.append(" " + warning.message)
            parts.append(line)
    return Group(*parts)


class AutogenerateScreen(ModalScreen["Any | None"]):
    """Previews ``revision --autogenerate`` for a ``NewRevisionRequest``; dismisses
    with the ``RevisionPreview`` on Write, None on Cancel."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("pagedown", "scroll_body('page_down')", "Scroll", show=False),
        Binding("pageup", "scroll_body('page_up')", "Scroll", show=False),
    ]

    def __init__(self, config: Any, request: Any) -> None:
        super().__init__()
        self.config = config
        self.request = request
        self.answers: dict[Any, bool] = {}
        self.preview: Any = None
        self.error: str | None = None
        self.comparing = True
        self._generation = 0
        self._asked_once = False

    def compose(self) -> ComposeResult:
        head = "base" if self.request.head == "base" else short(self.request.head, 12)
        title = f"New revision (autogenerate) on {head}: {self.request.message}"
        with Vertical(id="dialog", classes="plan-dialog"):
            yield Label(Text(title), id="plan-title")  # a message is no markup
            with VerticalScroll(id="ag-body"):
                # the questions first: they want an answer, and focusing one never
                # scrolls the changes out of sight
                yield Static("", id="ag-renames-title")
                yield Vertical(id="ag-renames")
                yield Static(
                    Text("Comparing the models with the database…", "dim italic"), id="ag-summary"
                )
                yield Static("", id="ag-source")
            yield Label("", id="confirm-label")
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel", variant="primary", compact=True)
                yield Button("Write", id="confirm", variant="success", disabled=True, compact=True)

    def on_mount(self) -> None:
        self.query_one("#ag-renames-title").display = False
        self.query_one("#cancel", Button).focus()
        self._update_gate()
        self.compare()

    # --- the comparison, in a worker ----------------------------------------------------

    def compare(self) -> None:
        self._generation += 1
        self.comparing = True
        self._update_gate()
        rev_id = self.preview.rev_ids[0] if self.preview and self.preview.rev_ids else None
        self._compare(self._generation, dict(self.answers), rev_id)

    @work(thread=True, exclusive=True, group="autogen-preview")
    def _compare(self, generation: int, answers: dict[Any, bool], rev_id: str | None) -> None:
        worker = get_current_worker()
        preview, error = None, None
        try:
            preview = autogenerate_preview(
                self.config, self.request, answers, rev_id, lambda: worker.is_cancelled
            )
        except TimeoutError:
            return
        except Exception as err:  # noqa: BLE001 - shown on the screen
            error = error_text(err)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._compared, generation, preview, error)

    def _compared(self, generation: int, preview: Any, error: str | None) -> None:
        if not self.is_attached or generation != self._generation:
            return  # dismissed meanwhile, or an answer changed: a newer comparison runs
        self.comparing = False
        self.error = error
        self.preview = preview
        summary = self.query_one("#ag-summary", Static)
        if error is not None:
            summary.update(Text(error, "bold red"))
            self.query_one("#ag-source", Static).update("")
        else:
            summary.update(summary_renderable(preview))
            source = preview.source or "# (nothing would be written)"
            self.query_one("#ag-source", Static).update(
                Group(
                    Text("\nThe script that would be written:", "bold"),
                    _python(source),
                )
            )
            self._show_questions(preview.candidates)
        self._update_gate()

    # --- rename questions ------------------------------------------------------------

    def _show_questions(self, candidates: list[Any]) -> None:
        box = self.query_one("#ag-renames", Vertical)
        title = self.query_one("#ag-renames-title", Static)
        keys = [_rename_key(c) for c in candidates]
        shown = [q.key for q in box.query(RenameQuestion)]
        title.display = bool(candidates)
        title.update(
            Text.assemble(
                (f"Possible renames ({len(candidates)})", "bold"),
                " y: yes, a rename keeps the data · n: no, drop + add",
            )
        )
        if keys == shown:
            return
        focused = self.focused.key if isinstance(self.focused, RenameQuestion) else None
        box.remove_children()
        questions = [
            RenameQuestion(c, k, self.answers.get(k, False), classes="rename-question")
            for c, k in zip(candidates, keys, strict=True)
        ]
        box.mount_all(questions)
        target = next((q for q in questions if q.key == focused), None)
        if target is None and not self._asked_once and questions:
            target = questions[0]  # first time: the questions come first
        self._asked_once = self._asked_once or bool(questions)
        if target is not None:
            self.call_after_refresh(target.focus)

    @on(RenameQuestion.Answered)
    def _answered(self, event: RenameQuestion.Answered) -> None:
        if self.answers.get(event.question.key, False) == event.yes:
            return
        self.answers[event.question.key] = event.yes
        self.compare()

    # --- the write gate ----------------------------------------------------------------

    def _update_gate(self) -> None:
        label = self.query_one("#confirm-label", Label)
        write = self.query_one("#confirm", Button)
        if self.comparing:
            label.update("Comparing the models with the database… (nothing is written yet)")
            write.disabled = True
        elif self.error is not None:
            label.update(Text("Cannot autogenerate: nothing will be written.", "bold red"))
            write.disabled = True
        elif not self.preview.sources:
            label.update("Nothing to write.")
            write.disabled = True
        else:
            label.update("Review the changes and the script (PgUp/PgDn), then Write or Cancel.")
            write.disabled = False

    def action_scroll_body(self, how: str) -> None:
        body = self.query_one("#ag-body", VerticalScroll)
        (body.scroll_page_down if how == "page_down" else body.scroll_page_up)()

    @on(Button.Pressed, "#confirm")
    def _write(self) -> None:
        if not self.comparing and self.preview is not None and self.error is None:
            self.dismiss(self.preview)

    @on(Button.Pressed, "#cancel")
    def _cancel_button(self) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
