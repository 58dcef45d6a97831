"""More of the issue's actions against real SQLite and PostgreSQL databases: a new
revision on a new branch (spliced, or a new root) with a branch label, ``depends_on``
and ``$EDITOR``; quitting while a migration runs; the database warnings; the command
palette from ``ctrl+p``; and no key that only a terminal multiplexer's prefix reaches."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from textual.widgets import Button, Checkbox, Input, ProgressBar, Select

from engine import commands
from tests.tui.helpers import demo_project, run, screen_text, version_rows, wait_for, wait_ready
from tui_migrate.app import MigrateApp
from tui_migrate.tui_model import DbState, warnings_for

APPENDER = """\
import sys

for name in sys.argv[1:]:
    with open(name, "a", encoding="utf-8") as f:
        f.write("# opened in the editor\\n")
"""


async def _new_revision(pilot, message: str, parent: str, **fields: object) -> str:  # noqa: ANN001
    """n, fill the form, Create; the id of the revision written."""
    from tui_migrate.screens.forms import NewRevisionScreen

    app = pilot.app
    before = set(app.view.rmap._revs)
    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(app.screen, NewRevisionScreen))
    form = app.screen
    form.query_one("#parent", Select).value = parent
    form.query_one("#label", Input).value = str(fields.get("label", ""))
    form.query_one("#depends", Input).value = str(fields.get("depends", ""))
    form.query_one("#editor", Checkbox).value = bool(fields.get("editor", False))
    await pilot.pause()
    await pilot.press(*message, "enter")  # the message field has the focus
    await wait_for(pilot, lambda: app.view is not None and len(app.view.rmap) == len(before) + 1)
    (new,) = set(app.view.rmap._revs) - before
    return new


@pytest.mark.parametrize("db", ["sqlite_url", "pg_db"])
def test_new_revision_on_a_new_branch(
    tmp_path: Path, db: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = request.getfixturevalue(db)
    config = demo_project(tmp_path / "demo", url)
    editor = tmp_path / "editor.py"
    editor.write_text(APPENDER, encoding="utf-8")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)

    async def scenario() -> None:
        app = MigrateApp(config)
        async with app.run_test(size=(160, 40)) as pilot:
            await wait_ready(pilot)
            # From a revision that is no head: a new branch spliced onto it, with a
            # label, depending on another branch's label, opened in $EDITOR.
            assert app.graph.select("3f2a9c4e8b12")
            spliced = await _new_revision(
                pilot,
                "branch off email",
                "splice:3f2a9c4e8b12",
                label="mail",
                depends="content",
                editor=True,
            )
            rev = app.view.revision(spliced)
            assert rev.versioned_down_revisions == ("3f2a9c4e8b12",)
            assert rev.dependencies == "content"
            assert rev.resolved_dependencies == ("5d7e1a3b9c23",)
            assert "mail" in rev.branch_labels and rev.is_head
            path = Path(rev.path)
            await wait_for(pilot, lambda: any("edit ok" in ln for ln in app.log_pane.plain_lines))
            assert path.read_text(encoding="utf-8").endswith("# opened in the editor\n")
            assert app.graph.selected == spliced
            text = screen_text(app)
            assert "[mail] branch off email (needs 5d7e1a3b)" in text
            # A new root: no parent at all, not opened in the editor.
            root = await _new_revision(pilot, "second root", "base")
            rev = app.view.revision(root)
            assert rev.versioned_down_revisions == () and rev.is_base and rev.is_head
            assert not Path(rev.path).read_text(encoding="utf-8").endswith("editor\n")
            assert len(app.view.rmap.heads) == 4
            assert "4 heads" in screen_text(app)
            log = (tmp_path / "demo" / "tui-migrate.log").read_text(encoding="utf-8")
            assert "branch off email" in log and "second root" in log
        assert version_rows(url) == set()  # writing revisions does not touch the database

    run(scenario())


@pytest.mark.parametrize("db", ["sqlite_url", "pg_db"])
def test_quit_while_a_migration_runs_asks_then_stops_cleanly(
    tmp_path: Path, db: str, request: pytest.FixtureRequest
) -> None:
    from tui_migrate.screens.confirm import ConfirmScreen
    from tui_migrate.screens.plan import PlanScreen
    from tui_migrate.screens.run import RunScreen

    url = request.getfixturevalue(db)
    config = demo_project(tmp_path / "demo", url)
    # the second step is slow enough to press q while it runs
    slow = next((tmp_path / "demo" / "migrations" / "versions").glob("3f2a9c4e8b12_*.py"))
    text = slow.read_text().replace("def upgrade()", "import time\n\n\ndef upgrade()", 1)
    slow.write_text(
        text.replace('op.add_column("users"', 'time.sleep(1.5)\n    op.add_column("users"')
    )

    async def scenario() -> None:
        app = MigrateApp(config)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_ready(pilot)
            await pilot.press("U")
            await wait_for(pilot, lambda: isinstance(app.screen, PlanScreen))
            plan = app.screen
            await wait_for(pilot, lambda: not plan.checking)
            plan.query_one("#confirm", Button).press()
            await wait_for(pilot, lambda: isinstance(app.screen, RunScreen))
            run_screen = app.screen
            await wait_for(
                pilot, lambda: "step 2/" in str(run_screen.query_one("#run-step").render())
            )
            # q on the run screen is the app's quit: it asks first, No is focused
            await pilot.press("q")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            assert app.focused is app.screen.query_one("#no", Button)
            await pilot.press("n")  # no: the run goes on
            assert app.running and app.is_running
            await pilot.press("ctrl+q")  # Textual's own quit key asks too
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")  # yes: stop after this step, then quit
            await wait_for(pilot, lambda: not app.is_running, timeout=30)
        assert app.return_code == 0
        assert version_rows(url) == {"3f2a9c4e8b12"}  # two steps done, then stopped
        log = (tmp_path / "demo" / "tui-migrate.log").read_text(encoding="utf-8")
        assert "upgrade base→heads stopped 2/7" in log

    run(scenario())


def test_warnings_are_pure_functions_of_the_heads(tmp_path: Path, sqlite_url: str) -> None:
    config = demo_project(tmp_path / "demo", sqlite_url)
    rmap = commands.script_directory(config).revision_map

    def warnings(heads: tuple[str, ...] | None) -> list[str]:
        return warnings_for(DbState(heads=heads), rmap)

    assert warnings(None) == []  # not read: the status says offline instead
    assert warnings(()) == ["scripts have 2 heads", "not at head"]
    assert warnings(("a4b8d2c6e056", "c2e4a6b8d067")) == [
        "database has 2 heads",
        "scripts have 2 heads",
    ]
    assert warnings(("ffffffffffff",)) == [
        "database ahead of the scripts: ffff unknown",
        "scripts have 2 heads",
    ]


@pytest.mark.parametrize("db", ["sqlite_url", "pg_db"])
def test_status_warnings_on_screen(tmp_path: Path, db: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue(db)
    config = demo_project(tmp_path / "demo", url)
    commands.upgrade(config, "heads")

    async def scenario() -> None:
        app = MigrateApp(config)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_ready(pilot)
            text = screen_text(app)
            assert "database has 2 heads" in text and "not at head" not in text
            assert "pending 0" in text
            # current and applied revisions, told apart by symbol; the dialect
            assert text.count("◀ DB") == 2 and "◉" in text and "●" in text and "○" not in text
            assert ("postgresql" if db == "pg_db" else "sqlite") in text
            # A row the scripts do not know (a newer deployment's revision): refresh.
            engine = sa.create_engine(url)
            with engine.begin() as conn:
                conn.execute(sa.text("INSERT INTO alembic_version VALUES ('ffffffffffff')"))
            engine.dispose()
            await pilot.press("r")
            await wait_ready(pilot)
            text = screen_text(app)
            assert "database ahead of the scripts: ffff unknown" in text
            assert "database has 3 heads" in text

    run(scenario())


def test_command_palette_from_ctrl_p(tmp_path: Path, sqlite_url: str) -> None:
    config = demo_project(tmp_path / "demo", sqlite_url)

    async def scenario() -> None:
        from textual.command import CommandPalette

        app = MigrateApp(config)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_ready(pilot)
            await pilot.press("ctrl+p")
            await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
            await pilot.press(*"stamp the selected")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "PlanScreen")
            assert app.screen.planned.kind == "stamp"

    run(scenario())


MULTIPLEXER_PREFIXES = ("ctrl+b", "ctrl+a")  # tmux, GNU screen


def test_no_action_needs_a_multiplexer_prefix(tmp_path: Path, sqlite_url: str) -> None:
    """Under tmux or screen, ctrl+b / ctrl+a never reach the app. Ours bind neither;
    a widget of Textual's may (Input: ctrl+a = Home), as long as the same action has
    another key. Checked on the main screen and every dialog the actions open."""
    config = demo_project(tmp_path / "demo", sqlite_url)
    problems: list[str] = []

    def check(screen: object) -> None:
        for node in [screen, *screen.walk_children()]:  # type: ignore[attr-defined]
            for key, bindings in node._bindings.key_to_bindings.items():
                if key not in MULTIPLEXER_PREFIXES:
                    continue
                for binding in bindings:
                    others = [
                        k
                        for k, bs in node._bindings.key_to_bindings.items()
                        if k not in MULTIPLEXER_PREFIXES
                        and any(b.action == binding.action for b in bs)
                    ]
                    ours = type(node).__module__.startswith("tui_migrate")
                    if ours or not others:
                        problems.append(f"{type(node).__name__}: {key} -> {binding.action}")

    async def scenario() -> None:
        app = MigrateApp(config)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_ready(pilot)
            check(app)
            check(app.screen)
            for key in ("slash", "question_mark", "n", "m", "u", "s"):
                if key == "slash":
                    await pilot.press("slash")
                    check(app.screen)
                    await pilot.press("escape")
                    continue
                await pilot.press(key)
                await wait_for(pilot, lambda: app.screen is not app.main)
                check(app.screen)
                await pilot.press("escape")
                await wait_for(pilot, lambda: app.screen is app.main)

    run(scenario())
    assert problems == []


@pytest.mark.parametrize("db", ["sqlite_url", "pg_db"])
def test_rollback_through_an_irreversible_step(
    tmp_path: Path, db: str, request: pytest.FixtureRequest
) -> None:
    """A downgrade that raises is flagged IRREVERSIBLE on the plan; run anyway, the
    rollback stops at it: the screen says which step failed and where the database
    stands (the steps before it are undone and recorded). The log keeps the error in
    full, wrapped to the pane, never cut at its edge."""
    from tui_migrate.screens.plan import PlanScreen
    from tui_migrate.screens.run import RunScreen

    url = request.getfixturevalue(db)
    config = demo_project(tmp_path / "demo", url)
    commands.upgrade(config, "heads")
    path = next((tmp_path / "demo" / "migrations" / "versions").glob("c2e4a6b8d067_*.py"))
    text = path.read_text()
    body = text[text.index("def downgrade()") :]
    reason = "kept: the flags table feeds the billing export, see the runbook page 12"
    path.write_text(
        text.replace(body, f'def downgrade():\n    raise NotImplementedError("{reason}")\n')
    )

    async def scenario() -> None:
        app = MigrateApp(config)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_ready(pilot)
            assert app.graph.select("3f2a9c4e8b12")
            await pilot.press("d")
            await wait_for(pilot, lambda: isinstance(app.screen, PlanScreen))
            plan = app.screen
            await wait_for(pilot, lambda: not plan.checking)
            flags = {s.revision.revision[:4]: [str(f) for f in s.flags] for s in plan.planned.steps}
            assert flags["c2e4"] == [f"irreversible: raises: NotImplementedError: {reason}"]
            assert "IRREVERSIBLE" in screen_text(app)
            assert app.focused is plan.query_one("#cancel", Button)
            # keyboard only: the field is one shift+tab away (its placeholder says so)
            assert plan.query_one("#confirm-input", Input).placeholder == "shift+tab, type 3f2a"
            await pilot.press("shift+tab", *"3f2a", "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, RunScreen))
            run_screen = app.screen
            await wait_for(pilot, lambda: run_screen.done)
            outcome = run_screen.outcome
            assert not outcome.ok and outcome.failed_revision == "c2e4a6b8d067"
            # the progress bar counts the steps done before the failure; the live log
            done = [s.revision.revision for s in plan.planned.steps].index("c2e4a6b8d067")
            assert run_screen.query_one(ProgressBar).progress == done
            lines = [strip.text for strip in run_screen.query_one("#run-log").lines]
            assert sum(line.startswith("✓ ") for line in lines) == done
            assert any(line.startswith(f"✗ {done + 1}/") for line in lines)
            assert outcome.heads_after is not None
            assert "c2e4a6b8d067" in outcome.heads_after  # still applied: it was not undone
            assert set(outcome.heads_after) == version_rows(url)
            shown = screen_text(app)
            assert "FAILED  at revision c2e4a6b8d067" in shown
            assert "The database now stands at:" in shown
            run_log = run_screen.query_one("#run-log")
            assert (
                max(s.cell_length for s in run_log.lines) <= run_log.scrollable_content_region.width
            )
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is app.main)
            log = app.log_pane
            assert any(reason in line for line in log.plain_lines)  # the error in full
            assert max(s.cell_length for s in log.lines) <= log.scrollable_content_region.width
            joined = "".join(
                line.strip() for line in screen_text(app).splitlines() if line.startswith("│")
            )
            assert "runbook" in joined  # the end of the long error is on screen, wrapped

    run(scenario())


def test_retry_after_the_database_comes_up(tmp_path: Path, pg_db: str, _pg_server) -> None:  # noqa: ANN001
    """Offline at first (the database does not exist yet): the log has the error in
    full; once the database is there, r connects and the log says so."""
    from sqlalchemy.engine import make_url

    from tests.dbfixtures import create_database, unique_db_name

    name = unique_db_name()
    url = make_url(pg_db).set(database=name).render_as_string(hide_password=False)
    config = demo_project(tmp_path / "demo", url)

    async def scenario() -> None:
        app = MigrateApp(config)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_ready(pilot, online=False)
            assert "OFFLINE" in screen_text(app)
            log = "\n".join(app.log_pane.plain_lines)
            assert "connect OFFLINE" in log and name in log  # the server's own words
            _pg_server.created[name] = create_database(_pg_server.backend, name)
            await pilot.press("r")
            await wait_ready(pilot)
            assert app.db.heads == ()
            assert app.log_pane.plain_lines[-2].endswith("connect ok")
            assert app.log_pane.plain_lines[-1] == "  DB at base"
            assert "OFFLINE" not in screen_text(app) and "DB at base" in screen_text(app)

    run(scenario())
