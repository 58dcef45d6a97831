"""The tui-migrate terminal UI: revision graph, database status, preview, log.

``run_app(config)`` opens it (blocking) and returns an exit code. All engine
work happens in thread workers (``tui_engine``); the screen never waits for
the database.
"""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Static, TabbedContent

from engine.errors import CommandError
from tui_migrate import tui_engine as eng
from tui_migrate.screens.confirm import ConfirmScreen
from tui_migrate.screens.forms import (
    MergeRequest,
    MergeScreen,
    NewRevisionRequest,
    NewRevisionScreen,
)
from tui_migrate.screens.help import HelpScreen
from tui_migrate.screens.plan import PlanScreen
from tui_migrate.screens.run import RunScreen
from tui_migrate.tui_model import STATE_NAMES, DbState, ProjectView, join_ids, short
from tui_migrate.tui_plan import PlannedAction, build_action, read_source
from tui_migrate.widgets.db_status import DbStatus
from tui_migrate.widgets.log_pane import LogPane
from tui_migrate.widgets.preview import Preview
from tui_migrate.widgets.revision_graph import RevisionGraph

NARROW = 100  # columns: below this the layout packs tighter
PREVIEW_DELAY = 0.08  # seconds the cursor rests before the preview follows it


class MigrateApp(App[int]):
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
        self.db.dialect = self.db.url.split("://")[0].split("+")[0] if self.db.url else ""
        self.sql_cache: dict[tuple[str, bool], tuple[str | None, str | None]] = {}
        self.running = False
        self.control: Any = None
        self.quit_after_run = False
        self.started_at = time.perf_counter()
        self.first_screen_seconds: float | None = None
        self._preview_timer: Any = None
        self._filter_timer: Any = None
        self.load_error: str | None = None
        self._db_started = False

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(" tui-migrate", id="titlebar")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield RevisionGraph(id="graph")
                yield Input(placeholder="filter: id, message or label (esc clears)", id="filter")
            with Vertical(id="right"):
                yield DbStatus(id="status")
                yield Preview(id="preview")
                yield LogPane(id="log")
        yield Footer()

    @property
    def main(self) -> Screen:
        """The main screen (dialogs push screens above it)."""
        return self.screen_stack[0]

    @property
    def graph(self) -> RevisionGraph:
        return self.main.query_one("#graph", RevisionGraph)

    @property
    def preview(self) -> Preview:
        return self.main.query_one("#preview", Preview)

    @property
    def log_pane(self) -> LogPane:
        return self.main.query_one("#log", LogPane)

    def on_mount(self) -> None:
        self.main.query_one("#left").border_title = "Revisions"
        self.main.query_one("#status").border_title = "Database"
        self.main.query_one("#preview").border_title = "Preview"
        self.main.query_one("#log").border_title = "Log"
        self.main.query_one("#filter").display = False
        self._apply_width(self.size.width)
        self.graph.focus()
        self._show_status()
        self.log_pane.entry("open", self.project_dir, style="bold")
        # The database is read once the graph is on screen: both are CPU work in
        # threads, and the first full screen must not wait for env.py.
        self.load_project()

    def on_resize(self, event: Any) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        narrow = width < NARROW
        self.main.set_class(narrow, "narrow")
        self.set_class(narrow, "narrow")
        graph = self.graph
        graph.id_width = 8 if narrow else 12
        graph.refresh()
        tabs = self.main.query_one(TabbedContent)
        for key, wide, short_title in (
            ("up", "Upgrade SQL", "Up SQL"),
            ("down", "Downgrade SQL", "Down SQL"),
        ):
            tabs.get_tab(key).label = short_title if narrow else wide

    # --- loading ------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load")
    def load_project(self, keep: str | None = None) -> None:
        filter_text = self.view.filter_text if self.view else ""
        try:
            rmap = eng.load_revision_map(self.config)
            view = ProjectView.build(rmap, filter_text)
        except Exception as err:  # noqa: BLE001 - shown in the app
            self.call_from_thread(self._project_failed, eng.error_text(err))
            return
        self.call_from_thread(self._project_loaded, view, keep)

    def _project_failed(self, message: str) -> None:
        if not self.screen_stack:  # the app is closing
            return
        self._read_db_first_time()
        self.load_error = message
        self.graph.placeholder = "cannot read the scripts (see log)"
        self.graph.refresh()
        self.log_pane.entry("load scripts", "FAILED", details=[message])

    def _project_loaded(self, view: ProjectView, keep: str | None) -> None:
        if not self.screen_stack:  # the app is closing
            return
        self.load_error = None
        keep = keep or self.graph.selected
        view.set_db_heads(self.db.heads)
        self.view = view
        self.sql_cache.clear()
        self.graph.set_view(view, keep)
        self._show_status()
        if self.first_screen_seconds is None:
            self.call_after_refresh(self._first_screen)

    def _first_screen(self) -> None:
        if not self.screen_stack:  # the app is closing
            return
        self.first_screen_seconds = time.perf_counter() - self.started_at
        self._read_db_first_time()

    def _read_db_first_time(self) -> None:
        if self.read_database and self.db.loading and not self._db_started:
            self._db_started = True
            self.read_db()

    @work(thread=True, exclusive=True, group="db")
    def read_db(self) -> None:
        db = eng.read_db_state(self.config)
        self.call_from_thread(self._db_loaded, db)

    def _db_loaded(self, db: DbState) -> None:
        if not self.screen_stack:  # the app is closing
            return
        was_online = self.db.online
        self.db = db
        if self.view is not None:
            self.view.set_db_heads(db.heads)
            self.graph.refresh()
        self._show_status()
        if db.error and (was_online or not self.log_pane.plain_lines):
            self.log_pane.entry("connect", "OFFLINE", details=[db.error], style="bold yellow")
        self._show_info(self.graph.selected)

    def _show_status(self) -> None:
        narrow = self.size.width < NARROW
        view = self.view
        self.main.query_one("#status", DbStatus).show(
            self.db, view.rmap if view else None, view.pending_count if view else None, narrow
        )
        title = Text(" tui-migrate", "bold", no_wrap=True, overflow="ellipsis")
        if self.db.loading and not self.db.online:
            title.append(" · connecting…", "yellow")
        elif not self.db.online:
            title.append(" · OFFLINE (r retries)", "bold red")
        else:
            title.append(f" · DB at {join_ids(self.db.heads or (), 4)}", "bold green")
        if view is not None:
            heads = len(view.rmap.heads)
            title.append(f" · {heads} head{'s' if heads != 1 else ''}")
            if view.pending_count:
                title.append(f" · {view.pending_count} pending", "yellow")
        title.append(" · " + (self.db.url or "no URL"))
        self.main.query_one("#titlebar", Static).update(title)

    # --- preview ------------------------------------------------------------------------

    @on(RevisionGraph.Highlighted)
    def _highlighted(self, event: RevisionGraph.Highlighted) -> None:
        # While a key is held only the graph redraws; the preview follows once
        # the cursor rests (PREVIEW_DELAY).
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(
            PREVIEW_DELAY, lambda: self._show_preview(event.rev_id)
        )

    def _show_preview(self, rev_id: str | None) -> None:
        if not self.screen_stack or rev_id != self.graph.selected:
            return
        self._show_info(rev_id)
        if rev_id is None:
            return
        rev = self.view.revision(rev_id) if self.view else None
        self.preview.show_python(read_source(getattr(rev, "path", None)))
        for upgrade in (True, False):
            if (rev_id, upgrade) not in self.sql_cache:
                self.preview.show_text(self._sql_key(upgrade), "producing SQL offline…", "dim")
        self._show_cached_sql(rev_id)
        self._start_preview(rev_id)

    @staticmethod
    def _sql_key(upgrade: bool) -> str:
        return "up" if upgrade else "down"

    def _show_cached_sql(self, rev_id: str) -> None:
        for upgrade in (True, False):
            cached = self.sql_cache.get((rev_id, upgrade))
            if cached is None:
                continue
            sql, error = cached
            key = self._sql_key(upgrade)
            if sql is not None:
                self.preview.show_sql(key, sql)
            else:
                self.preview.show_text(key, f"SQL not available offline:\n{error}", "yellow")

    def _start_preview(self, rev_id: str) -> None:
        if not self.screen_stack:
            return
        if self.graph.selected != rev_id:
            return
        if all((rev_id, up) in self.sql_cache for up in (True, False)):
            return
        self.preview_sql(rev_id)

    @work(thread=True, exclusive=True, group="preview")
    def preview_sql(self, rev_id: str) -> None:
        from textual.worker import get_current_worker

        worker = get_current_worker()
        view = self.view
        if view is None:
            return
        rev = view.revision(rev_id)
        for upgrade in (True, False):
            if (rev_id, upgrade) in self.sql_cache:
                continue
            try:
                sql = eng.offline_sql(self.config, rev, upgrade, lambda: worker.is_cancelled)
                result: tuple[str | None, str | None] = (sql, None)
            except TimeoutError:
                return
            except Exception as err:  # noqa: BLE001 - shown in the preview
                result = (None, eng.error_text(err))
            self.call_from_thread(self._sql_ready, rev_id, upgrade, result)

    def _sql_ready(self, rev_id: str, upgrade: bool, result: tuple[str | None, str | None]) -> None:
        if not self.screen_stack:
            return
        self.sql_cache[(rev_id, upgrade)] = result
        if self.graph.selected == rev_id:
            self._show_cached_sql(rev_id)

    def _show_info(self, rev_id: str | None) -> None:
        view = self.view
        if view is None or rev_id is None:
            self.preview.show_text("info", "no revision selected", "dim")
            return
        rev = view.revision(rev_id)
        state = view.state_of(rev_id)
        text = Text()

        def row(name: str, value: str, style: str = "") -> None:
            text.append(f"{name:<11}", "bold")
            text.append(value + "\n", style)

        row("Revision", rev.revision, "cyan")
        row("State", f"{state} {STATE_NAMES[state]}")
        row("Message", rev.doc or "")
        row("Parents", join_ids(rev.versioned_down_revisions))
        row("Children", ", ".join(sorted(c[:12] for c in rev.nextrev)) or "(none)")
        labels = sorted(getattr(rev, "_orig_branch_labels", ()) or ())
        if labels:
            row("Labels", ", ".join(labels), "blue")
        deps = rev.dependencies
        if deps:
            deps = (deps,) if isinstance(deps, str) else deps
            resolved = ", ".join(d[:12] for d in rev.resolved_dependencies)
            row("Depends on", f"{', '.join(deps)} (→ {resolved})")
        flags = [
            name
            for name, on_ in (
                ("head", rev.is_head),
                ("base", rev.is_base),
                ("branch point", rev.is_branch_point),
                ("merge point", rev.is_merge_point),
            )
            if on_
        ]
        if flags:
            row("Shape", ", ".join(flags))
        if getattr(rev, "create_date", None):
            row("Date", str(rev.create_date))
        row("Path", getattr(rev, "path", "") or "")
        rest = (getattr(rev, "longdoc", "") or "").split("\n\n", 1)
        if len(rest) > 1 and rest[1].strip() and not rest[1].startswith("Revision ID:"):
            text.append("\n" + rest[1].strip() + "\n", "dim")
        self.preview.show_info(text)

    def action_tab(self, key: str) -> None:
        self.preview.active = key

    # --- filter ---------------------------------------------------------------------------

    def action_filter(self) -> None:
        field = self.main.query_one("#filter", Input)
        field.display = True
        field.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(0.15, lambda: self._apply_filter(event.value))

    def _apply_filter(self, text: str) -> None:
        view = self.view
        if not self.screen_stack:
            return
        if view is None or view.filter_text == text.strip():
            return
        keep = self.graph.selected
        view.set_filter(text)
        self.graph.set_view(view, keep)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self._apply_filter(event.value)
        if not event.value.strip():
            self.main.query_one("#filter").display = False
        self.graph.focus()

    def action_escape(self) -> None:
        field = self.main.query_one("#filter", Input)
        if field.display:
            field.value = ""
            self._apply_filter("")
            field.display = False
            self.graph.focus()

    # --- simple actions ---------------------------------------------------------------------

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_refresh(self) -> None:
        self._db_started = True
        self.db.loading = True
        self._show_status()
        self.load_project(self.graph.selected)
        self.read_db()

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
            ("Merge the marked heads", "m", self.action_merge),
            ("Edit the selected revision in $EDITOR", "e", self.action_edit),
            ("Refresh scripts and database", "r", self.action_refresh),
            ("Filter revisions", "/", self.action_filter),
            ("Help: keys", "?", self.action_help),
        )
        for title, help_, callback in commands:
            yield SystemCommand(title, help_, callback)

    # --- plans: upgrade / downgrade / stamp ----------------------------------------------------

    def _ready_for_db(self, what: str) -> bool:
        if self.running:
            self.notify("A migration is already running", severity="warning")
            return False
        if self.view is None:
            self.notify("The scripts are not loaded yet", severity="warning")
            return False
        if not self.db.online:
            self.notify(f"Offline: cannot {what}. Press r to retry.", severity="error")
            return False
        return True

    def action_upgrade(self) -> None:
        if self.graph.selected:
            self._plan("upgrade", self.graph.selected)

    def action_upgrade_heads(self) -> None:
        self._plan("upgrade", "heads")

    def action_downgrade(self) -> None:
        if self.graph.selected:
            self._plan("downgrade", self.graph.selected)

    def action_downgrade_base(self) -> None:
        self._plan("downgrade", "base")

    def action_stamp(self) -> None:
        if self.graph.selected:
            self._plan("stamp", self.graph.selected)

    def make_plan(self, kind: str, target: str, purge: bool = False) -> PlannedAction:
        from engine.revisions.plans import downgrade_plan, stamp_plan, upgrade_plan

        assert self.view is not None and self.db.heads is not None
        rmap = self.view.rmap
        heads = self.db.heads
        if kind == "upgrade":
            plan = upgrade_plan(rmap, target, heads)
        elif kind == "downgrade":
            plan = downgrade_plan(rmap, target, heads)
        else:
            plan = stamp_plan(rmap, target, heads, purge=purge)
        return build_action(kind, target, plan, rmap, purge)

    def _plan(self, kind: str, target: str) -> None:
        if not self._ready_for_db(kind):
            return
        try:
            action = self.make_plan(kind, target)
        except Exception as err:  # noqa: BLE001 - an impossible target is a message
            message = eng.error_text(err)
            self.notify(message.splitlines()[0], severity="error")
            self.log_pane.entry(f"{kind} {short(target, 12)}", "refused", details=[message])
            return
        replan = (lambda purge: self.make_plan(kind, target, purge)) if kind == "stamp" else None
        screen = PlanScreen(action, self.config, replan)

        def decided(ok: bool | None) -> None:
            if ok:
                self.start_run(screen.planned)

        self.push_screen(screen, decided)

    def start_run(self, action: PlannedAction) -> None:
        from engine.runtime.events import RunControl

        control = RunControl()
        self.control = control
        self.running = True
        screen = RunScreen(action.title(), len(action.steps), control)
        self.push_screen(screen)
        self.run_worker_thread(action, control, screen)

    @work(thread=True, group="run")
    def run_worker_thread(self, action: PlannedAction, control: Any, screen: RunScreen) -> None:
        def forward(event: Any) -> None:
            self.call_from_thread(screen.on_engine_event, event)

        control.listeners.append(forward)
        outcome = eng.run_migration(
            self.config, action.kind, action.target, control, purge=action.purge
        )
        self.call_from_thread(self._run_finished, action, outcome, screen)

    def _run_finished(
        self, action: PlannedAction, outcome: eng.RunOutcome, screen: RunScreen
    ) -> None:
        self.running = False
        self.control = None
        screen.finish(outcome)
        what = f"{action.kind} {join_ids(action.heads_before, 4)}→{short(action.target, 12)}"
        if action.purge:
            what += " (purge)"
        if outcome.ok and outcome.stopped:
            result, style = f"stopped {outcome.steps_done}/{outcome.planned}", "bold yellow"
        elif outcome.ok:
            result, style = "ok", "green"
        else:
            result, style = "FAILED", "bold red"
        details = [s for s in outcome.statements]
        if outcome.error:
            details.append("error: " + outcome.error)
        if outcome.failed_statement:
            details.append("failed statement: " + outcome.failed_statement)
        if outcome.heads_after is not None:
            details.append("database now at: " + join_ids(outcome.heads_after))
        self.log_pane.entry(what, result, outcome.duration, details, style)
        self._audit([f"{what} {result} {outcome.duration:.2f}s", *details])
        self.db.loading = True
        self.read_db()
        if self.quit_after_run:
            self.exit(0)

    def _audit(self, lines: list[str]) -> None:
        problem = eng.append_audit_log(self.project_dir, lines)
        if problem:
            self.log_pane.entry("audit log", "not written", details=[problem], style="yellow")

    # --- files: new revision, merge, edit --------------------------------------------------------

    def action_new_revision(self) -> None:
        view = self.view
        if view is None:
            return
        heads = list(view.rmap.heads)
        options = []
        for h in heads:
            rev = view.revision(h)
            options.append((f"head {h[:12]} {rev.doc or ''}"[:60], h))
        selected = self.graph.selected
        if selected and selected not in heads:
            options.append((f"new branch from {selected[:12]} (splice)", f"splice:{selected}"))
        options.append(("base: a new root (new branch)", "base"))
        default = selected if selected in heads else (heads[0] if heads else "base")
        self.push_screen(NewRevisionScreen(options, default), self._new_revision_chosen)

    def _new_revision_chosen(self, request: NewRevisionRequest | None) -> None:
        if request is not None:
            self.write_revision(request)

    @work(thread=True, group="files")
    def write_revision(self, request: NewRevisionRequest | MergeRequest) -> None:
        from engine import commands

        started = time.monotonic()
        try:
            with eng.engine_lock():
                if isinstance(request, MergeRequest):
                    what = f"merge {', '.join(r[:8] for r in request.revisions)}"
                    script = commands.merge(self.config, request.revisions, request.message)
                else:
                    what = f"new revision on {short(request.head, 8)}"
                    script = commands.revision(
                        self.config,
                        message=request.message,
                        head=request.head,
                        splice=request.splice,
                        branch_label=request.branch_label,
                        depends_on=request.depends_on or None,
                    )
        except Exception as err:  # noqa: BLE001 - shown in the app
            self.call_from_thread(self._file_failed, what, eng.error_text(err))
            return
        duration = time.monotonic() - started
        self.call_from_thread(self._file_written, what, script, duration, request.open_editor)

    def _file_failed(self, what: str, message: str) -> None:
        self.notify(message.splitlines()[0], severity="error")
        self.log_pane.entry(what, "FAILED", details=[message])
        self._audit([f"{what} FAILED", message])

    def _file_written(self, what: str, script: Any, duration: float, editor: bool) -> None:
        details = [f"{script.revision} {script.doc}", script.path]
        self.log_pane.entry(what, "ok", duration, details)
        self._audit([f"{what} ok", *details])
        self.graph.marked.clear()
        self.load_project(script.revision)
        if editor:
            self._open_editor([script.path])

    def action_merge(self) -> None:
        view = self.view
        if view is None:
            return
        marked = list(self.graph.marked)
        if not marked and len(view.rmap.heads) >= 2:
            marked = list(view.rmap.heads)
        if len(marked) < 2:
            self.notify("Mark two or more heads with space, then press m", severity="warning")
            return
        describe = [f"{m[:12]} {view.revision(m).doc or ''}" for m in marked]
        self.push_screen(MergeScreen(marked, describe), self._merge_chosen)

    def _merge_chosen(self, request: MergeRequest | None) -> None:
        if request is not None:
            self.write_revision(request)

    def action_edit(self) -> None:
        from engine import commands

        rev_id = self.graph.selected
        if rev_id is None:
            return
        try:
            paths = commands.edit(self.config, rev_id, launch=False)
        except CommandError as err:
            self.notify(eng.error_text(err), severity="error")
            return
        self._open_editor(paths)

    def _open_editor(self, paths: list[str]) -> None:
        from textual.app import SuspendNotSupported

        from engine import commands

        try:
            try:
                with self.suspend():
                    commands.open_in_editor(paths)
            except SuspendNotSupported:
                commands.open_in_editor(paths)
        except CommandError as err:
            message = eng.error_text(err)
            self.notify(message.splitlines()[0], severity="error")
            self.log_pane.entry("edit", "FAILED", details=[message])
            return
        self.log_pane.entry("edit", "ok", details=paths)
        self.sql_cache.clear()
        self.load_project(self.graph.selected)


def run_app(config: Any) -> int:
    """Open the TUI on ``config`` (an ``engine.config.Config``); blocks; an exit code."""
    app = MigrateApp(config)
    result = app.run()
    return int(result or 0) if app.return_code in (None, 0) else int(app.return_code or 1)
