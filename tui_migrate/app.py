"""The tui-migrate terminal UI: revision graph, database status, preview, log.

``run_app(config)`` opens it (blocking) and returns an exit code. This module
holds the layout, the key bindings, the command palette and the routing of
widget messages; what the panes show lives in ``app_panes`` and the actions
that change something in ``app_actions``. All engine work happens in thread
workers (``tui_engine``); the screen never waits for the database.
"""

from __future__ import annotations

import contextlib
import gc
import io
import time
from collections.abc import Iterable
from typing import Any, TypeVar

from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Input, Static

from tui_migrate import tui_engine as eng
from tui_migrate.app_actions import ActionsMixin
from tui_migrate.app_panes import NARROW, PanesMixin
from tui_migrate.screens.confirm import ConfirmScreen
from tui_migrate.screens.help import HelpScreen
from tui_migrate.tui_model import DbState, ProjectView, dialect_of
from tui_migrate.widgets.db_status import DbStatus
from tui_migrate.widgets.key_hints import KeyHints
from tui_migrate.widgets.log_pane import LogPane
from tui_migrate.widgets.preview import Preview
from tui_migrate.widgets.revision_graph import RevisionGraph

_W = TypeVar("_W")


class MigrateApp(PanesMixin, ActionsMixin, App[int]):
    """The app; ``config`` is an ``engine.config.Config``."""

    CSS_PATH = "app.tcss"
    TITLE = "tui-migrate"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("question_mark", "help", "Help"),
        Binding("u", "upgrade", "Upgrade"),
        Binding("U", "upgrade_heads", "Up all", show=False),
        Binding("d", "downgrade", "Downgrade"),
        Binding("s", "stamp", "Stamp"),
        Binding("n", "new_revision", "New"),
        Binding("m", "merge", "Merge"),
        Binding("e", "edit", "Edit", show=False),
        Binding("r", "refresh", "Refresh", show=False),
        Binding("slash", "filter", "Filter"),
        Binding("colon", "command_palette", "Palette", show=False),
        # Textual adds its ctrl+p only when no binding opens the palette: ours (":")
        # does, so ctrl+p is bound here too, as Textual binds it (priority).
        Binding("ctrl+p", "command_palette", "Palette", show=False, priority=True),
        Binding("1", "tab('info')", "Info", show=False),
        Binding("2", "tab('up')", "Upgrade SQL", show=False),
        Binding("3", "tab('down')", "Downgrade SQL", show=False),
        Binding("4", "tab('source')", "Source", show=False),
        Binding("escape", "escape", "Clear filter", show=False),
        Binding("q", "quit_app", "Quit"),
    ]

    def __init__(self, config: Any, *, read_database: bool = True) -> None:
        super().__init__()
        self.config = config
        # The engine may print through config.stdout: never onto our screen.
        with contextlib.suppress(AttributeError):
            config.stdout = io.StringIO()
        self.project_dir = eng.project_directory(config)
        self.read_database = read_database
        self.view: ProjectView | None = None
        self.db = DbState(url=eng.configured_url(config), loading=read_database)
        self.db.dialect = dialect_of(self.db.url)
        self.sql_cache: dict[tuple[str, bool], tuple[str | None, str | None]] = {}
        self.running = False
        self.control: Any = None
        self.quit_after_run = False
        self.started_at = time.perf_counter()
        self.first_screen_seconds: float | None = None
        self._preview_timer: Any = None
        self._moved_at = 0.0
        self._filter_timer: Any = None
        self.load_error: str | None = None
        self._db_started = False
        self._offline_logged = False
        self._panes: dict[str, Any] = {}
        self._narrow: bool | None = None  # the layout's mode for the width (set in compose)

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # Everything that depends on the width is set here, before the first styling:
        # changing it after mount restyles and relabels (and animates the tabs' underline).
        narrow = self._narrow = self.size.width < NARROW
        self.set_class(narrow, "narrow")  # the app's class: every screen sees it
        yield Static(" tui-migrate", id="titlebar")
        with Horizontal(id="main"):
            with Vertical(id="left") as left:
                left.border_title = "Revisions"
                graph = RevisionGraph(id="graph")
                graph.id_width = _id_width(narrow)
                yield graph
                yield Input(placeholder="filter: id, message or label (esc clears)", id="filter")
            with Vertical(id="right"):
                status = DbStatus(id="status")
                status.border_title = "Database"
                yield status
                preview = Preview(id="preview", narrow=narrow)
                preview.border_title = "Preview"
                yield preview
                log = LogPane(id="log")
                log.border_title = "Log"
                yield log
        # The palette's key is in the help screen: at 80 columns the footer has no room
        # for it (it would hide "q Quit").
        yield KeyHints(show_command_palette=False)

    @property
    def main(self) -> Screen:
        """The main screen (dialogs push screens above it)."""
        return self.screen_stack[0]

    # The panes, found once (a query walks the DOM: too slow for every key).

    @property
    def graph(self) -> RevisionGraph:
        return self._pane("graph", RevisionGraph)

    @property
    def preview(self) -> Preview:
        return self._pane("preview", Preview)

    @property
    def log_pane(self) -> LogPane:
        return self._pane("log", LogPane)

    def _pane(self, name: str, kind: type[_W]) -> _W:
        widget = self._panes.get(name)
        if widget is None:
            widget = self._panes[name] = self.main.query_one(f"#{name}", kind)
        return widget  # type: ignore[return-value]

    @property
    def closing(self) -> bool:
        """True once the main screen's panes are gone (the app is shutting down): what
        a worker hands back then has nowhere to go."""
        graph = self._panes.get("graph")
        return not self.screen_stack or graph is None or not graph.is_attached

    def on_mount(self) -> None:
        for name in ("graph", "preview", "log"):
            self._panes[name] = self.main.query_one(f"#{name}")
        self._apply_width(self.size.width)  # a no-op unless the size changed since compose
        self.graph.focus()
        self._show_status()
        self.log_pane.entry("open", self.project_dir, style="bold")
        # The database is read once the graph is on screen: both are CPU work in
        # threads, and the first full screen must not wait for env.py.
        self.load_project()

    def on_unmount(self) -> None:
        gc.unfreeze()  # see PanesMixin._freeze_loaded_project

    def on_resize(self, event: Any) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        # Only when the width crosses NARROW: a class change restyles every widget.
        narrow = width < NARROW
        if narrow == self._narrow:
            return
        self._narrow = narrow
        self.set_class(narrow, "narrow")
        graph = self.graph
        graph.id_width = _id_width(narrow)
        graph.redraw()
        self.preview.set_narrow(narrow)

    # --- routing widget messages ----------------------------------------------------------

    @on(RevisionGraph.Highlighted)
    def _highlighted(self, event: RevisionGraph.Highlighted) -> None:
        self.cursor_moved()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_changed(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self.filter_submitted(event.value)

    def action_tab(self, key: str) -> None:
        self.preview.active = key

    # --- simple actions ---------------------------------------------------------------------

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_refresh(self) -> None:
        self._db_started = True
        self.db.loading = True
        self._show_status()
        self.load_project(self.graph.selected)
        self.read_db()

    async def action_quit(self) -> None:
        """Textual's quit (ctrl+q, the palette's "Quit"): asks too while a migration runs."""
        self.action_quit_app()

    def action_quit_app(self) -> None:
        if not self.running:
            self.exit(0)
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.quit_after_run = True
                if self.control is not None:
                    self.control.request_stop()
                self.notify("Stopping after the current step, then quitting…")

        self.push_screen(
            ConfirmScreen("A migration is running. Stop it after the current step and quit?"),
            answer,
        )

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        commands = (
            ("Upgrade to the selected revision", "u", self.action_upgrade),
            ("Upgrade to all heads", "U", self.action_upgrade_heads),
            ("Downgrade to the selected revision (guided rollback)", "d", self.action_downgrade),
            ("Downgrade to base", "everything is rolled back", self.action_downgrade_base),
            ("Stamp the selected revision", "s", self.action_stamp),
            ("New revision", "n", self.action_new_revision),
            (
                "New revision, autogenerated from the models",
                "compares the models with the database; previewed before writing",
                self.action_new_revision_autogenerate,
            ),
            ("Merge the marked heads", "m", self.action_merge),
            ("Edit the selected revision in $EDITOR", "e", self.action_edit),
            ("Refresh scripts and database", "r", self.action_refresh),
            ("Filter revisions", "/", self.action_filter),
            ("Help: keys", "?", self.action_help),
        )
        for title, help_, callback in commands:
            yield SystemCommand(title, help_, callback)


def _id_width(narrow: bool) -> int:
    """How much of a revision id the graph shows."""
    return 8 if narrow else 12


def run_app(config: Any) -> int:
    """Open the TUI on ``config`` (an ``engine.config.Config``); blocks; an exit code."""
    app = MigrateApp(config)
    result = app.run()
    return int(result or 0) if app.return_code in (None, 0) else int(app.return_code or 1)
