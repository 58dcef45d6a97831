"""The actions that change something: upgrade / downgrade / stamp (plan, confirm,
run in a worker, log), and the files: new revision, merge, edit in $EDITOR.

A mixin of ``MigrateApp`` (tui_migrate/app.py), which owns the layout and the
key bindings that call these ``action_*`` methods. Every engine call runs in a
thread worker under ``tui_engine``'s lock; every outcome goes to the log pane
and to the audit log file.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from textual import work

from tui_migrate import tui_engine as eng
from tui_migrate.tui_model import DbState, ProjectView, join_ids, short

if TYPE_CHECKING:
    from tui_migrate.screens.forms import MergeRequest, NewRevisionRequest
    from tui_migrate.screens.run import RunScreen
    from tui_migrate.tui_plan import PlannedAction

# The dialogs and the plan model are imported by the action that first needs
# them: the first screen does not, and a 10,000-revision project must open fast.


class ActionsMixin:
    """Plans, runs and file actions for ``MigrateApp``."""

    # Provided by MigrateApp (and textual.app.App):
    config: Any
    view: ProjectView | None
    db: DbState
    project_dir: str
    sql_cache: dict[tuple[str, bool], Any]
    running: bool
    control: Any
    quit_after_run: bool
    closing: bool

    # --- plans: upgrade / downgrade / stamp ----------------------------------------------

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
        from tui_migrate.tui_plan import build_action

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
        from tui_migrate.screens.plan import PlanScreen

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
        from tui_migrate.screens.run import RunScreen

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
        if self.closing:
            return
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
        details = list(outcome.statements)
        if outcome.error:
            details.append("error: " + outcome.error)
        if outcome.failed_statement:
            details.append("failed statement: " + outcome.failed_statement)
        if outcome.applied_statements:
            details.append("applied before the failure and still in the database:")
            details.extend("  " + s for s in outcome.applied_statements)
        if outcome.heads_after is not None:
            details.append("database now at: " + join_ids(outcome.heads_after))
        if outcome.hint:
            details.append("hint: " + outcome.hint)
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

    # --- files: new revision, merge, edit --------------------------------------------------

    def action_new_revision_autogenerate(self) -> None:
        self.action_new_revision(autogenerate=True)

    def action_new_revision(self, autogenerate: bool = False) -> None:
        from tui_migrate.screens.forms import NewRevisionScreen

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
        screen = NewRevisionScreen(options, default, autogenerate=autogenerate)
        self.push_screen(screen, self._file_request)

    def action_merge(self) -> None:
        from tui_migrate.screens.forms import MergeScreen

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
        self.push_screen(MergeScreen(marked, describe), self._file_request)

    def _file_request(self, request: NewRevisionRequest | MergeRequest | None) -> None:
        from tui_migrate.screens.forms import NewRevisionRequest

        if isinstance(request, NewRevisionRequest) and request.autogenerate:
            self._autogenerate(request)
        elif request is not None:
            self.write_revision(request)

    # --- autogenerate: preview (changes, warnings, renames, script), then write ----------

    def _autogenerate(self, request: NewRevisionRequest) -> None:
        from tui_migrate.screens.autogen import AutogenerateScreen

        if not self._ready_for_db("autogenerate"):
            return
        what = f"new revision on {short(request.head, 8)} (autogenerate)"

        def decided(preview: Any) -> None:
            if preview is None:
                self.log_pane.entry(what, "cancelled: nothing written", style="dim")
            else:
                self.write_autogenerated(what, preview, request.open_editor)

        self.push_screen(AutogenerateScreen(self.config, request), decided)

    @work(thread=True, group="files")
    def write_autogenerated(self, what: str, preview: Any, open_editor: bool) -> None:
        started = time.monotonic()
        try:
            scripts = eng.write_autogenerated(preview)
        except Exception as err:  # noqa: BLE001 - shown in the app
            self.call_from_thread(self._file_failed, what, eng.error_text(err))
            return
        duration = time.monotonic() - started
        renames = [c.describe() for c in preview.candidates if c.accepted]
        extra = [*preview.changes, *(f"renamed (answered yes): {r}" for r in renames)]
        extra += [f"WARNING: {w.message}" for w in preview.warnings]
        if not scripts:
            self.call_from_thread(
                self.log_pane.entry, what, "nothing written (removed by env.py's hook)"
            )
            return
        for script in scripts:
            self.call_from_thread(self._file_written, what, script, duration, open_editor, extra)

    @work(thread=True, group="files")
    def write_revision(self, request: NewRevisionRequest | MergeRequest) -> None:
        from engine import commands
        from tui_migrate.screens.forms import MergeRequest

        started = time.monotonic()
        if isinstance(request, MergeRequest):
            what = f"merge {', '.join(r[:8] for r in request.revisions)}"
        else:
            what = f"new revision on {short(request.head, 8)}"
        try:
            with eng.engine_lock():
                if isinstance(request, MergeRequest):
                    script = commands.merge(self.config, request.revisions, request.message)
                else:
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
        if self.closing:
            return
        self.notify(message.splitlines()[0], severity="error")
        self.log_pane.entry(what, "FAILED", details=[message])
        self._audit([f"{what} FAILED", message])

    def _file_written(
        self,
        what: str,
        script: Any,
        duration: float,
        editor: bool,
        extra: list[str] | None = None,
    ) -> None:
        if self.closing:
            return
        details = [f"{script.revision} {script.doc}", script.path, *(extra or [])]
        self.log_pane.entry(what, "ok", duration, details)
        self._audit([f"{what} ok", *details])
        self.graph.marked.clear()
        self.load_project(script.revision)
        if editor:  # the new file, then the scripts again, the cursor on the new revision
            self._open_editor([script.path], keep=script.revision)

    def action_edit(self) -> None:
        from engine import commands
        from engine.errors import CommandError

        rev_id = self.graph.selected
        if rev_id is None:
            return
        try:
            paths = commands.edit(self.config, rev_id, launch=False)
        except CommandError as err:
            self.notify(eng.error_text(err), severity="error")
            return
        self._open_editor(paths)

    def _open_editor(self, paths: list[str], keep: str | None = None) -> None:
        """Run $EDITOR on ``paths`` with the app suspended, then read the scripts again
        and keep the cursor on ``keep`` (default: the selected revision)."""
        from textual.app import SuspendNotSupported

        from engine import commands
        from engine.errors import CommandError

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
        self.load_project(keep or self.graph.selected)
