"""Every action against real databases: upgrade, guided rollback, stop, failure, stamp,
new revision, merge, edit."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, Checkbox

from engine import commands
from tests.tui.helpers import (
    add_broken_downgrade_revision,
    add_failing_revision,
    demo_project,
    run,
    screen_text,
    tables,
    version_rows,
    wait_for,
    wait_ready,
)
from tui_migrate.app import MigrateApp
from tui_migrate.screens.plan import PlanScreen
from tui_migrate.screens.run import RunScreen

HEADS = {"a4b8d2c6e056", "c2e4a6b8d067"}


async def open_plan(pilot, key: str) -> PlanScreen:  # noqa: ANN001 - a Pilot
    app = pilot.app
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, PlanScreen))
    screen = app.screen
    await wait_for(pilot, lambda: not screen.checking)
    await pilot.pause()
    assert app.focused is screen.query_one("#cancel", Button)  # Cancel is focused
    return screen


async def confirm_and_wait(pilot, screen: PlanScreen) -> RunScreen:  # noqa: ANN001
    app = pilot.app
    assert not screen.query_one("#confirm", Button).disabled
    screen.query_one("#confirm", Button).press()
    await wait_for(pilot, lambda: isinstance(app.screen, RunScreen))
    run_screen = app.screen
    await wait_for(pilot, lambda: run_screen.done)
    await pilot.pause()  # the result's new height is laid out
    return run_screen


async def select(pilot, rev_id: str) -> None:  # noqa: ANN001
    assert pilot.app.graph.select(rev_id)
    await pilot.pause()


@pytest.mark.parametrize("db", ["sqlite_url", "pg_db", "maria_db"])
def test_upgrade_all_heads(tmp_path: Path, db: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue(db)
    config = demo_project(tmp_path / "demo", url)

    async def scenario() -> None:
        app = MigrateApp(config)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_ready(pilot)
            plan = await open_plan(pilot, "U")
            assert len(plan.planned.steps) == 7
            assert "CREATE TABLE users" in plan.planned.steps[0].sql
            assert not plan.planned.destructive
            # the engine's preview: the data migration's hand-written SQL needs a look
            assert [str(f) for f in plan.planned.steps[6].flags] == [
                "caution: runs hand-written SQL: read it before confirming"
            ]
            run_screen = await confirm_and_wait(pilot, plan)
            assert run_screen.outcome.ok and run_screen.outcome.steps_done == 7
            assert "DONE" in screen_text(app)
            await pilot.press("escape")
            await wait_for(pilot, lambda: set(app.db.heads or ()) == HEADS)
            assert "◉" in screen_text(app)
            assert any("CREATE TABLE users" in line for line in app.log_pane.plain_lines)
        assert version_rows(url) == HEADS
        log = (tmp_path / "demo" / "tui-migrate.log").read_text()
        assert "upgrade base→heads ok" in log and "CREATE TABLE posts" in log

    run(scenario())


@pytest.mark.parametrize("db", ["sqlite_url", "pg_db"])
def test_upgrade_to_selected_then_cancel(
    tmp_path: Path, db: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue(db)
    config = demo_project(tmp_path / "demo", url)

    async def scenario() -> None:
        app = MigrateApp(config)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_ready(pilot)
            await select(pilot, "3f2a9c4e8b12")
            plan = await open_plan(pilot, "u")
            assert [s.revision.revision for s in plan.planned.steps] == [
                "1b0c5e2a7d01",
                "3f2a9c4e8b12",
            ]
            await pilot.press("enter")  # Cancel is focused: nothing happens
            assert not isinstance(app.screen, PlanScreen)
        assert version_rows(url) == set()

    run(scenario())


@pytest.mark.parametrize("db", ["sqlite_url", "pg_db", "maria_db"])
def test_guided_rollback_needs_the_typed_id(
    tmp_path: Path, db: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue(db)
    config = demo_project(tmp_path / "demo", url)
    commands.upgrade(config, "heads")

    async def scenario() -> None:
        app = MigrateApp(config)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_ready(pilot)
            await select(pilot, "3f2a9c4e8b12")
            plan = await open_plan(pilot, "d")
            action = plan.planned
            assert len(action.steps) == 5
            assert action.destructive
            # the findings are the engine's (engine.operations.risk), step by step
            assert [[str(f) for f in s.flags] for s in action.steps] == [
                ["destructive: drops column users.display_name and its data"],
                [],  # the merge point: nothing to undo, so not irreversible
                ["destructive: drops table feature_flags and all its rows"],
                ["destructive: drops table posts and all its rows"],
                ["destructive: drops table audit_log and all its rows"],
            ]
            assert action.steps[3].sql == "DROP TABLE posts;\n"
            # SQLite batch mode cannot run offline: only that step reads its source
            notes = [s.note is not None for s in action.steps]
            assert notes == (
                [True, False, False, False, False] if db == "sqlite_url" else [False] * 5
            )
            confirm = plan.query_one("#confirm", Button)
            assert confirm.disabled
            assert "DESTRUCTIVE" in screen_text(app)
            plan.query_one("#confirm-input").focus()
            await pilot.press(*"3f2b")
            assert confirm.disabled
            await pilot.press("backspace", "a")
            assert not confirm.disabled
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, RunScreen))
            await wait_for(pilot, lambda: app.screen.done)
            assert app.screen.outcome.ok
        assert version_rows(url) == {"3f2a9c4e8b12"}
        assert {"posts", "audit_log", "feature_flags"}.isdisjoint(tables(url))

    run(scenario())


@pytest.mark.parametrize("db", ["sqlite_url", "pg_db"])
def test_stop_part_way(tmp_path: Path, db: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue(db)
    config = demo_project(tmp_path / "demo", url)
    # make the second step slow enough to press "x" while it runs
    slow = next((tmp_path / "demo" / "migrations" / "versions").glob("3f2a9c4e8b12_*.py"))
    text = slow.read_text().replace("def upgrade()", "import time\n\n\ndef upgrade()", 1)
    slow.write_text(
        text.replace('op.add_column("users"', 'time.sleep(1.0)\n    op.add_column("users"')
    )

    async def scenario() -> None:
        app = MigrateApp(config)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_ready(pilot)
            plan = await open_plan(pilot, "U")
            plan.query_one("#confirm", Button).press()
            await wait_for(pilot, lambda: isinstance(app.screen, RunScreen))
            run_screen = app.screen
            await wait_for(
                pilot, lambda: "step 2/" in str(run_screen.query_one("#run-step").render())
            )
            await pilot.press("x")
            await wait_for(pilot, lambda: run_screen.done)
            assert run_screen.outcome.stopped and run_screen.outcome.steps_done == 2
            assert "STOPPED" in screen_text(app)
            assert "3f2a9c4e8b12" in screen_text(app)  # where the database now stands
        assert version_rows(url) == {"3f2a9c4e8b12"}

    run(scenario())


@pytest.mark.parametrize("db", ["sqlite_url", "pg_db", "maria_db"])
def test_failing_step(tmp_path: Path, db: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue(db)
    config = demo_project(tmp_path / "demo", url)
    commands.upgrade(config, "a4b8d2c6e056")
    broken = add_failing_revision(tmp_path / "demo", "a4b8d2c6e056")

    async def scenario() -> None:
        app = MigrateApp(config)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_ready(pilot)
            await select(pilot, broken)
            plan = await open_plan(pilot, "u")
            run_screen = await confirm_and_wait(pilot, plan)
            outcome = run_screen.outcome
            assert not outcome.ok
            assert outcome.failed_revision == broken
            assert "no_such_table" in (outcome.failed_statement or "")
            assert outcome.heads_after == ("a4b8d2c6e056",)
            text = screen_text(app)
            assert f"FAILED  at revision {broken} — step 1/1" in text
            assert "The database now stands at: a4b8d2c6e056" in text
            if db == "pg_db":  # transactional DDL: the step rolled back whole
                assert outcome.applied_statements == []
                assert "rolled back whole" in text
            else:  # SQLite and MariaDB keep the CREATE TABLE that ran before the failure
                assert len(outcome.applied_statements) == 1
                assert "CREATE TABLE broken_ok" in outcome.applied_statements[0]
                assert "1 statement of the failed step ran and remains applied" in text
                assert "hint: " in text and "cannot roll back DDL" in (outcome.hint or "")
            await pilot.press("escape")
            assert any("FAILED" in line for line in app.log_pane.plain_lines)
        assert version_rows(url) == {"a4b8d2c6e056"}
        assert ("broken_ok" in tables(url)) == (db != "pg_db")

    run(scenario())


def test_failing_rollback_step_on_mariadb(tmp_path: Path, maria_db: str) -> None:
    config = demo_project(tmp_path / "demo", maria_db)
    broken = add_broken_downgrade_revision(tmp_path / "demo", "a4b8d2c6e056")
    commands.upgrade(config, broken)

    async def scenario() -> None:
        app = MigrateApp(config)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_ready(pilot)
            await select(pilot, "9c1e6f8a2b45")
            plan = await open_plan(pilot, "d")
            first = plan.planned.steps[0]
            assert [str(f) for f in first.flags] == [
                "destructive: drops table keep_b and all its rows",
                "destructive: drops table keep_a and all its rows",
                "caution: runs hand-written SQL: read it before confirming",
            ]
            plan.query_one("#confirm-input").focus()
            await pilot.press(*"9c1e", "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, RunScreen))
            run_screen = app.screen
            await wait_for(pilot, lambda: run_screen.done)
            await pilot.pause()
            outcome = run_screen.outcome
            assert not outcome.ok and outcome.failed_revision == broken
            assert outcome.heads_after == (broken,)  # the version table kept the step
            assert [s.strip() for s in outcome.applied_statements] == ["DROP TABLE keep_b"]
            text = screen_text(app)
            assert f"FAILED  at revision {broken} — step 1/2" in text
            assert f"The database now stands at: {broken}" in text
            assert "remains applied" in text and "DROP TABLE keep_b" in text
        assert version_rows(maria_db) == {broken}
        assert "keep_a" in tables(maria_db) and "keep_b" not in tables(maria_db)

    run(scenario())


@pytest.mark.parametrize("db", ["sqlite_url", "pg_db"])
def test_stamp_with_purge(tmp_path: Path, db: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue(db)
    config = demo_project(tmp_path / "demo", url)
    commands.upgrade(config, "heads")

    async def scenario() -> None:
        app = MigrateApp(config)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_ready(pilot)
            await select(pilot, "3f2a9c4e8b12")
            plan = await open_plan(pilot, "s")
            assert plan.planned.kind == "stamp" and not plan.planned.purge
            plan.query_one("#purge", Checkbox).toggle()
            await wait_for(pilot, lambda: plan.planned.purge)
            assert plan.planned.heads_before == ()
            run_screen = await confirm_and_wait(pilot, plan)
            assert run_screen.outcome.ok
        assert version_rows(url) == {"3f2a9c4e8b12"}
        assert "posts" in tables(url)  # a stamp runs no migration code

    run(scenario())


@pytest.mark.parametrize("db", ["sqlite_url", "pg_db"])
def test_new_revision(tmp_path: Path, db: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue(db)
    config = demo_project(tmp_path / "demo", url)

    async def scenario() -> None:
        from tui_migrate.screens.forms import NewRevisionScreen

        app = MigrateApp(config)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_ready(pilot)
            await select(pilot, "a4b8d2c6e056")
            await pilot.press("n")
            await wait_for(pilot, lambda: isinstance(app.screen, NewRevisionScreen))
            app.screen.query_one("#label").value = "reports"
            await pilot.press(*"add reports", "enter")
            await wait_for(pilot, lambda: app.view is not None and len(app.view.rmap) == 8)
            await wait_for(pilot, lambda: app.graph.selected not in (None, "a4b8d2c6e056"))
            new = app.view.revision(app.graph.selected)
            assert new.doc == "add reports"
            assert new.versioned_down_revisions == ("a4b8d2c6e056",)
            assert "reports" in new.branch_labels
            assert Path(new.path).is_file()

    run(scenario())


@pytest.mark.parametrize("db", ["sqlite_url", "pg_db"])
def test_merge_marked_heads(tmp_path: Path, db: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue(db)
    config = demo_project(tmp_path / "demo", url)

    async def scenario() -> None:
        from tui_migrate.screens.forms import MergeScreen

        app = MigrateApp(config)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_ready(pilot)
            await pilot.press("g", "space")  # c2e4 (head)
            await pilot.press("j", "space")  # a4b8 (head)
            await pilot.press("j", "space")  # 9c1e is no head: refused
            assert app.graph.marked == ["c2e4a6b8d067", "a4b8d2c6e056"]
            assert "[✓]" in screen_text(app)
            await pilot.press("m")
            await wait_for(pilot, lambda: isinstance(app.screen, MergeScreen))
            await pilot.press(*"join heads", "enter")
            await wait_for(pilot, lambda: app.view is not None and len(app.view.rmap.heads) == 1)
            merged = app.view.revision(app.view.rmap.heads[0])
            assert set(merged.versioned_down_revisions) == HEADS
            assert merged.doc == "join heads"

    run(scenario())


EDITOR_SCRIPT = """\
import sys
from pathlib import Path

for name in sys.argv[1:]:
    path = Path(name)
    text = path.read_text(encoding="utf-8")
    first, rest = text.split("\\n", 1)
    path.write_text('\"\"\"renamed in the editor\\n' + rest + "# edited\\n", encoding="utf-8")
sys.exit(int(Path(__file__).with_name("exit-code").read_text()))
"""


@pytest.mark.parametrize("db", ["sqlite_url", "pg_db"])
def test_edit_in_editor(
    tmp_path: Path, db: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``e`` runs $EDITOR on the selected revision's file (a real program that rewrites
    the message and appends a line), then the scripts are read again: the graph, the
    Info and Source tabs show the edit; the database is not touched. An editor that
    fails is reported in the log and the app stays usable."""
    import sys

    url = request.getfixturevalue(db)
    config = demo_project(tmp_path / "demo", url)
    editor = tmp_path / "editor.py"
    editor.write_text(EDITOR_SCRIPT, encoding="utf-8")
    (tmp_path / "exit-code").write_text("0", encoding="utf-8")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    rev = "1b0c5e2a7d01"

    async def scenario() -> None:
        app = MigrateApp(config)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_ready(pilot)
            heads_before = app.db.heads
            await select(pilot, rev)
            await pilot.press("e")
            await wait_for(pilot, lambda: "# edited" in app.preview.texts.get("source", ""))
            path = Path(app.view.revision(rev).path)
            assert path.read_text(encoding="utf-8").endswith("# edited\n")
            assert app.view.revision(rev).doc == "renamed in the editor"
            assert app.graph.selected == rev  # the cursor stays on the edited revision
            # the graph's row, once repainted
            await wait_for(pilot, lambda: "renamed in the editor" in screen_text(app))
            assert "renamed in the editor" in app.preview.texts["info"]
            assert any("edit ok" in line for line in app.log_pane.plain_lines)
            assert app.db.online and app.db.heads == heads_before
            assert version_rows(url) == set()  # the database was not touched

            # An editor that exits with an error: said in the log, nothing reloaded.
            (tmp_path / "exit-code").write_text("3", encoding="utf-8")
            await pilot.press("e")
            await wait_for(
                pilot, lambda: any("edit FAILED" in line for line in app.log_pane.plain_lines)
            )
            log = "\n".join(app.log_pane.plain_lines)
            assert "exited with code 3" in log
            assert app.screen is app.main and app.graph.selected == rev

    run(scenario())
