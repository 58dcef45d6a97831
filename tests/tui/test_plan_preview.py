"""The confirmation screen's data: the engine's plan preview step by step, and the
source reading for the steps it cannot run offline. No terminal, no database."""

from __future__ import annotations

from pathlib import Path

from engine.operations.risk import Finding
from engine.revisions.plans import downgrade_plan, upgrade_plan
from tests.tui.helpers import demo_project
from tui_migrate.tui_engine import load_revision_map, preview_action
from tui_migrate.tui_plan import PlannedAction, build_action
from tui_migrate.tui_risk import NOTHING_UNDONE, read_function

HEADS = ("a4b8d2c6e056", "c2e4a6b8d067")

SOURCE = '''
from alembic import op
import sqlalchemy as sa


def upgrade():
    """Docstring."""
    op.alter_column("users", "name", type_=sa.String(20), existing_type=sa.String(100))
    op.alter_column("users", "bio", type_=sa.Text(), existing_type=sa.String(100))
    op.alter_column("users", "age", nullable=False)


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("nickname")
        batch_op.drop_constraint("fk_users_org", type_="foreignkey")
    op.drop_table("audit")
    op.drop_column("posts", "body", schema="blog")
    op.execute("UPDATE users SET name = 'x'")
    raise NotImplementedError("one way only")
'''


def test_source_reading_uses_the_engine_rules() -> None:
    up = read_function(SOURCE, "upgrade")
    assert up.findings == [
        Finding(
            "destructive",
            "narrows users.name from VARCHAR(100) to VARCHAR(20): values may be cut or rejected",
        ),
        Finding("caution", "makes users.age NOT NULL: fails if it holds NULLs"),
    ]
    assert up.irreversible is None and not up.empty
    down = read_function(SOURCE, "downgrade")
    assert [f.message for f in down.findings] == [
        "drops column users.nickname and its data",
        "drops foreignkey constraint fk_users_org on users",
        "drops table audit and all its rows",
        "drops column blog.posts.body and its data",
        "runs hand-written SQL: read it before confirming",
    ]
    assert down.irreversible == "raises: NotImplementedError: one way only"


def test_source_reading_of_empty_and_broken_functions() -> None:
    source = 'def upgrade():\n    op.create_table("t")\n\n\ndef downgrade():\n    """no."""\n'
    assert read_function(source, "downgrade").irreversible == NOTHING_UNDONE
    assert read_function("def upgrade(:", "downgrade").findings == []
    assert read_function("x = 1", "downgrade").irreversible is None


def plan_for(config, kind: str, target: str, heads: tuple[str, ...]) -> PlannedAction:  # noqa: ANN001
    rmap = load_revision_map(config)
    make = upgrade_plan if kind == "upgrade" else downgrade_plan
    return build_action(kind, target, make(rmap, target, heads), rmap)


def test_sqlite_batch_steps_fall_back_to_their_source_only(tmp_path: Path) -> None:
    config = demo_project(tmp_path / "demo", "sqlite:///demo.db")
    action = plan_for(config, "downgrade", "base", HEADS)
    preview_action(config, action)
    assert not action.needs_preview
    by_rev = {s.revision.revision[:4]: s for s in action.steps}
    # batch mode on SQLite needs a live table: these two steps read their source ...
    for rev, column in (("a4b8", "display_name"), ("3f2a", "email")):
        step = by_rev[rev]
        assert step.note and step.note.startswith("cannot run offline: This operation cannot")
        assert step.sql is None
        assert [str(f) for f in step.flags] == [
            f"destructive: drops column users.{column} and its data"
        ]
    # ... and the preview resumed after each of them: the others are the engine's
    assert by_rev["1b0c"].note is None and by_rev["1b0c"].sql == "DROP TABLE users;\n"
    assert by_rev["9c1e"].flags == [] and by_rev["9c1e"].sql == "-- (no SQL)\n"  # merge point
    assert action.destructive


def test_a_raising_downgrade_is_irreversible_and_the_rest_is_previewed(tmp_path: Path) -> None:
    config = demo_project(tmp_path / "demo", "postgresql+psycopg://u:pw@127.0.0.1:1/x")
    path = next((tmp_path / "demo" / "migrations" / "versions").glob("c2e4a6b8d067_*.py"))
    text = path.read_text()
    body = text[text.index("def downgrade()") :]
    path.write_text(text.replace(body, 'def downgrade():\n    raise NotImplementedError("kept")\n'))
    action = plan_for(config, "downgrade", "3f2a9c4e8b12", HEADS)
    preview_action(config, action)
    flags = {s.revision.revision[:4]: [str(f) for f in s.flags] for s in action.steps}
    assert flags["c2e4"] == ["irreversible: raises: NotImplementedError: kept"]
    assert flags["5d7e"] == ["destructive: drops table posts and all its rows"]
    assert [s.note is None for s in action.steps] == [True, True, False, True, True]


def test_upgrade_preview_and_a_preview_that_cannot_start(tmp_path: Path) -> None:
    config = demo_project(tmp_path / "demo", "sqlite:///demo.db")
    action = plan_for(config, "upgrade", "heads", ())
    preview_action(config, action)
    assert [len(s.statements or ()) for s in action.steps] == [1, 1, 1, 1, 1, 0, 2]
    assert all(s.note is None for s in action.steps)
    broken = demo_project(tmp_path / "other", "nosuchdialect://x")
    action = plan_for(broken, "upgrade", "heads", ())
    preview_action(broken, action)
    assert all(s.note and s.note.startswith("not previewed offline: ") for s in action.steps)
    assert all(s.sql is None for s in action.steps)
    assert [str(f) for f in action.steps[6].flags] == [
        "caution: runs hand-written SQL: read it before confirming"
    ]
