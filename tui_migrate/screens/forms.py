"""Forms: a new revision, a merge. Each dismisses with a request or None."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select

BASE = "base"


@dataclass
class NewRevisionRequest:
    message: str
    head: str  # a head id, "base" for a new root, or a revision id to splice onto
    splice: bool
    branch_label: str | None
    depends_on: list[str]
    open_editor: bool
    # compare the models with the database first; write only after the preview
    autogenerate: bool = False


@dataclass
class MergeRequest:
    revisions: list[str]
    message: str
    open_editor: bool


def _split(text: str) -> list[str]:
    return [p for p in text.replace(",", " ").split() if p]


class NewRevisionScreen(ModalScreen["NewRevisionRequest | None"]):
    """Message, parent (a head, the selected revision as a new branch, or base), label,
    depends_on, whether to autogenerate the body from the models (previewed before
    anything is written) and whether to open the new file in $EDITOR."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, parents: list[tuple[str, str]], default: str, autogenerate: bool = False
    ) -> None:
        super().__init__()
        self.parents = parents  # (label, value)
        self.default = default
        self.autogenerate = autogenerate

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="form-dialog"):
            yield Label("New revision", id="form-title")
            yield Input(placeholder="message (required)", id="message")
            yield Label("Build on:")
            yield Select(self.parents, value=self.default, allow_blank=False, id="parent")
            yield Input(placeholder="branch label (optional)", id="label")
            yield Input(placeholder="depends on: ids or labels (optional)", id="depends")
            with Horizontal(id="form-options"):
                yield Checkbox("autogenerate from the models", self.autogenerate, id="autogenerate")
                yield Checkbox("open in $EDITOR", id="editor")
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                create = "Preview…" if self.autogenerate else "Create"
                yield Button(create, id="create", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#message", Input).focus()

    @on(Checkbox.Changed, "#autogenerate")
    def _autogenerate_changed(self, event: Checkbox.Changed) -> None:
        # autogenerate previews first: nothing is written before a second confirmation
        self.query_one("#create", Button).label = "Preview…" if event.value else "Create"

    @on(Input.Submitted)
    @on(Button.Pressed, "#create")
    def _create(self) -> None:
        message = self.query_one("#message", Input).value.strip()
        if not message:
            self.notify("A message is required", severity="warning")
            self.query_one("#message", Input).focus()
            return
        head = str(self.query_one("#parent", Select).value)
        splice = head.startswith("splice:")
        head = head.removeprefix("splice:")
        label = self.query_one("#label", Input).value.strip() or None
        self.dismiss(
            NewRevisionRequest(
                message,
                head,
                splice,
                label,
                _split(self.query_one("#depends", Input).value),
                self.query_one("#editor", Checkbox).value,
                self.query_one("#autogenerate", Checkbox).value,
            )
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class MergeScreen(ModalScreen["MergeRequest | None"]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, revisions: list[str], describe: list[str]) -> None:
        super().__init__()
        self.revisions = revisions
        self.describe = describe

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="form-dialog"):
            yield Label(f"Merge {len(self.revisions)} heads", id="form-title")
            for line in self.describe:
                yield Label("  • " + line)
            yield Input(placeholder="message (required)", id="message")
            yield Checkbox("open in $EDITOR", id="editor")
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Merge", id="create", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#message", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#create")
    def _create(self) -> None:
        message = self.query_one("#message", Input).value.strip()
        if not message:
            self.notify("A message is required", severity="warning")
            return
        self.dismiss(
            MergeRequest(self.revisions, message, self.query_one("#editor", Checkbox).value)
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
