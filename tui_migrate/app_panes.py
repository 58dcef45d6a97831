"""The read-only side of the app: loading the scripts and the database, the title
and status lines, the preview that follows the cursor, and the filter.

A mixin of ``MigrateApp`` (tui_migrate/app.py), which owns the layout, the
key bindings and the routing of widget messages to the methods here. Engine
work runs in thread workers (``tui_engine``) and comes back through
``call_from_thread``.
"""

from __future__ import annotations

import gc
import time
from typing import Any

from rich.text import Text
from textual import work
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from tui_migrate import tui_engine as eng
from tui_migrate.tui_model import DbState, ProjectView, join_ids
from tui_migrate.widgets.db_status import DbStatus
from tui_migrate.widgets.preview import info_text

NARROW = 100  # columns: below this the layout packs tighter
PREVIEW_DELAY = 0.08  # seconds the cursor rests before the preview follows it
SQL_DELAY = 0.25  # ... and before its offline SQL is produced (env.py runs in a thread)
FILTER_DELAY = 0.15  # seconds typing rests before the filter applies

SqlResult = tuple[str | None, str | None]  # (offline SQL, or the error that stopped it)


class PanesMixin:
    """Loading, status, preview and filter for ``MigrateApp``."""

    # Provided by MigrateApp (and textual.app.App):
    config: Any
    view: ProjectView | None
    db: DbState
    read_database: bool
    sql_cache: dict[tuple[str, bool], SqlResult]
    load_error: str | None
    first_screen_seconds: float | None
    started_at: float
    _db_started: bool
    _offline_logged: bool  # the log's last word on the connection is a failure
    _preview_timer: Any
    _moved_at: float
    _filter_timer: Any
    closing: bool

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
        if self.closing:
            return
        self._read_db_first_time()
        self.load_error = message
        self.graph.placeholder = "cannot read the scripts (see log)"
        self.graph.redraw()
        self.log_pane.entry("load scripts", "FAILED", details=[message])

    def _project_loaded(self, view: ProjectView, keep: str | None) -> None:
        if self.closing:
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
        else:
            # the previous project's objects are garbage now: let a collection free
            # them, then keep the new one out of later full collections
            gc.unfreeze()
            gc.collect()
            self._freeze_loaded_project()

    def _freeze_loaded_project(self) -> None:
        """Move everything alive (the loaded project above all) out of the cycle
        collector's reach: a full collection over a 10,000-revision project took
        ~100-130 ms (a visible stall every hundred or so cursor moves), over what is
        allocated after this ~20 ms. Undone on reload (above) and on unmount."""
        gc.freeze()

    def _first_screen(self) -> None:
        if self.closing:
            return
        self.first_screen_seconds = time.perf_counter() - self.started_at
        self._freeze_loaded_project()
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
        if self.closing:
            return
        self.db = db
        if self.view is not None:
            self.view.set_db_heads(db.heads)
            self.graph.redraw()
        self._show_status()
        if db.error:  # every failed read, in full (the status pane shows its first line)
            self.log_pane.entry("connect", "OFFLINE", details=[db.error], style="bold yellow")
            self._offline_logged = True
        elif self._offline_logged:  # back online after a failure the log shows
            self.log_pane.entry("connect", "ok", details=[f"DB at {join_ids(db.heads or ())}"])
            self._offline_logged = False
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

    # --- the preview follows the cursor -------------------------------------------------

    def cursor_moved(self) -> None:
        # While a key is held only the graph redraws: the preview follows once the
        # cursor rests for PREVIEW_DELAY, and the offline SQL (env.py in a thread)
        # once it rests for SQL_DELAY. One timer at a time, not one per key.
        self._moved_at = time.monotonic()
        if self._preview_timer is None:
            self._preview_timer = self.set_timer(PREVIEW_DELAY, self._cursor_rested)

    def _cursor_rested(self) -> None:
        if self.closing:
            return
        resting = time.monotonic() - self._moved_at
        if resting < PREVIEW_DELAY:
            self._preview_timer = self.set_timer(PREVIEW_DELAY - resting, self._cursor_rested)
            return
        self._preview_timer = None
        self._show_preview(self.graph.selected)

    def _show_preview(self, rev_id: str | None) -> None:
        if self.closing or rev_id != self.graph.selected:
            return
        self._show_info(rev_id)
        if rev_id is None:
            return
        from tui_migrate.tui_plan import read_source

        rev = self.view.revision(rev_id) if self.view else None
        self.preview.show_python(read_source(getattr(rev, "path", None)))
        for upgrade in (True, False):
            if (rev_id, upgrade) not in self.sql_cache:
                self.preview.show_text(_sql_tab(upgrade), "producing SQL offline…", "dim")
        self._show_cached_sql(rev_id)
        if not all((rev_id, up) in self.sql_cache for up in (True, False)):
            moved_at = self._moved_at
            self.set_timer(SQL_DELAY - PREVIEW_DELAY, lambda: self._start_sql(rev_id, moved_at))

    def _start_sql(self, rev_id: str, moved_at: float) -> None:
        if not self.closing and self._moved_at == moved_at and self.graph.selected == rev_id:
            self.preview_sql(rev_id)

    def _show_cached_sql(self, rev_id: str) -> None:
        for upgrade in (True, False):
            cached = self.sql_cache.get((rev_id, upgrade))
            if cached is None:
                continue
            sql, error = cached
            if sql is not None:
                self.preview.show_sql(_sql_tab(upgrade), sql)
            else:
                self.preview.show_text(
                    _sql_tab(upgrade), f"SQL not available offline:\n{error}", "yellow"
                )

    @work(thread=True, exclusive=True, group="preview")
    def preview_sql(self, rev_id: str) -> None:
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
                result: SqlResult = (sql, None)
            except TimeoutError:
                return
            except Exception as err:  # noqa: BLE001 - shown in the preview
                result = (None, eng.error_text(err))
            self.call_from_thread(self._sql_ready, rev_id, upgrade, result)

    def _sql_ready(self, rev_id: str, upgrade: bool, result: SqlResult) -> None:
        if self.closing:
            return
        self.sql_cache[(rev_id, upgrade)] = result
        if self.graph.selected == rev_id:
            self._show_cached_sql(rev_id)

    def _show_info(self, rev_id: str | None) -> None:
        view = self.view
        if view is None or rev_id is None:
            self.preview.show_text("info", "no revision selected", "dim")
            return
        self.preview.show_info(info_text(view.revision(rev_id), view.state_of(rev_id)))

    # --- filter ---------------------------------------------------------------------------

    def action_filter(self) -> None:
        field = self.main.query_one("#filter", Input)
        field.display = True
        field.focus()

    def filter_changed(self, text: str) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DELAY, lambda: self._apply_filter(text))

    def _apply_filter(self, text: str) -> None:
        view = self.view
        if self.closing:
            return
        if view is None or view.filter_text == text.strip():
            return
        keep = self.graph.selected
        view.set_filter(text)
        self.graph.set_view(view, keep)

    def filter_submitted(self, text: str) -> None:
        self._apply_filter(text)
        if not text.strip():
            self.main.query_one("#filter").display = False
        self.graph.focus()

    def action_escape(self) -> None:
        field = self.main.query_one("#filter", Input)
        if field.display:
            field.value = ""
            self._apply_filter("")
            field.display = False
            self.graph.focus()


def _sql_tab(upgrade: bool) -> str:
    return "up" if upgrade else "down"
