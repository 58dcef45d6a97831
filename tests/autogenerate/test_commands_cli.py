"""``tui-migrate check`` and ``tui-migrate revision --autogenerate`` from the command line."""

from __future__ import annotations

from pathlib import Path

from tests.autogenerate.commands_project import ag_project, set_models, version_files
from tests.cli_helpers import alembic, ours

MODELS = """
person = sa.Table("person", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(40), nullable=False),
)
"""


def test_check_lists_differences_and_exits_1(tmp_path: Path, sqlite_url: str) -> None:
    project = ag_project(tmp_path / "p", sqlite_url, MODELS)
    code, out, err = ours(project.root, "check")
    assert code == 1
    assert out.splitlines() == ["add table 'person'"]
    assert "New upgrade operations detected: 1 difference" in err

    code, out, err = ours(project.root, "revision", "--autogenerate", "-m", "people")
    assert code == 0, err
    assert "Generating" in out and "_people.py" in out
    code, out, err = ours(project.root, "upgrade", "head")
    assert code == 0, err

    code, out, err = ours(project.root, "check")
    assert (code, out) == (0, "No new upgrade operations detected.\n")

    changed = MODELS.replace(
        "nullable=False),", 'nullable=True),\n    sa.Column("age", sa.Integer),'
    )
    set_models(project, changed)
    code, out, _ = ours(project.root, "check")
    assert code == 1
    assert out.splitlines() == [
        "add column person.age (INTEGER)",
        "modify nullable of person.name: False -> True",
    ]


def test_alembic_check_agrees_on_our_generated_revision(tmp_path: Path, sqlite_url: str) -> None:
    project = ag_project(tmp_path / "p", sqlite_url, MODELS)
    code, _, err = ours(project.root, "revision", "--autogenerate", "-m", "people")
    assert code == 0, err
    assert len(version_files(project)) == 1
    # real Alembic runs our file, then finds nothing left to do
    done = alembic(project.root, "upgrade", "head")
    assert done.returncode == 0, done.stderr
    result = alembic(project.root, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No new upgrade operations detected" in result.stdout + result.stderr


def test_check_refuses_when_database_is_behind(tmp_path: Path, sqlite_url: str) -> None:
    project = ag_project(tmp_path / "p", sqlite_url, MODELS)
    assert ours(project.root, "revision", "--autogenerate", "-m", "people")[0] == 0
    code, out, err = ours(project.root, "check")
    assert code == 1
    assert out == ""
    assert "Target database is not up to date." in err
