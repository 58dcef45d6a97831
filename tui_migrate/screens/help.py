"""The help screen (``?``): every key."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

KEYS = (
    ("Moving", ""),
    ("↑ ↓  j k", "previous / next revision"),
    ("PgUp PgDn", "page up / down"),
    ("g G  Home End", "newest / oldest revision"),
    ("tab  shift+tab", "next / previous pane"),
    ("1 2 3 4", "preview tab: Info, Upgrade SQL, Downgrade SQL, Source"),
    ("/", "filter revisions by id, message or label (esc clears)"),
    ("Actions", ""),
    ("u", "upgrade the database to the selected revision"),
    ("U", "upgrade to all heads"),
    ("d", "downgrade (guided rollback) to the selected revision"),
    ("s", "stamp the version table at the selected revision"),
    ("n", "new revision"),
    ("space", "mark / unmark a head for merging"),
    ("m", "merge the marked heads"),
    ("e", "edit the selected revision in $EDITOR"),
    ("r", "refresh: re-read the scripts and the database (retry when offline)"),
    ("ctrl+p  :", "command palette"),
    ("?", "this help"),
    ("q", "quit (asks while a migration runs)"),
    ("While a plan runs", ""),
    ("x  esc", "stop cleanly after the step in progress"),
    ("Symbols", ""),
    ("◉", "current: the database is at this revision (◀ DB)"),
    ("●", "applied"),
    ("○", "pending: not applied yet"),
    ("◌", "unknown: the database could not be read (offline)"),
    ("[✓]", "marked for merge"),
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for key, what in KEYS:
            if not what:
                table.add_row(f"[bold underline]{key}[/]", "")
            else:
                table.add_row(key, what)
        with Vertical(id="dialog", classes="help-dialog"):
            yield Label("tui-migrate · keys   (esc closes)", id="help-title")
            with VerticalScroll(id="help-body"):
                yield Static(table)

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
