"""The revision-management verbs end to end, against Alembic's own CLI output."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_helpers import alembic, ours, ours_subprocess, version_text, write_version

pytestmark = pytest.mark.usefixtures("alembic_oracle")


@pytest.fixture
def project(tmp_path):
    code, out, err = ours(tmp_path, "init", "migrations")
    assert code == 0, err
    assert "Generating" in out and (tmp_path / "alembic.ini").is_file()
    return tmp_path


def _rev(project, *args):
    code, out, err = ours(project, "revision", *args)
    assert code == 0, err
    return out


def build_branchy(project):
    _rev(project, "-m", "one", "--rev-id", "aaaa00000001")
    _rev(project, "-m", "two", "--rev-id", "aaaa00000002")
    _rev(project, "-m", "left", "--rev-id", "bbbb00000003", "--branch-label", "left")
    _rev(project, "-m", "right", "--rev-id", "cccc00000004", "--head", "aaaa00000002", "--splice")
    _rev(
        project,
        "-m",
        "dep",
        "--rev-id",
        "dddd00000005",
        "--head",
        "cccc00000004",
        "--depends-on",
        "left",
    )
    code, out, err = ours(
        project, "merge", "bbbb", "dddd", "-m", "merge it", "--rev-id", "eeee00000006"
    )
    assert code == 0, err
    _rev(
        project,
        "-m",
        "other base",
        "--rev-id",
        "ffff00000007",
        "--head",
        "base",
        "--branch-label",
        "other",
    )


VERBS = [
    ("heads",),
    ("heads", "-v"),
    ("heads", "--resolve-dependencies"),
    ("history",),
    ("history", "-v"),
    ("history", "-r", "aaaa00000002:"),
    ("history", "-r", ":left@head"),
    ("history", "-r", "bbbb:eeee"),
    ("show", "left@head"),
    ("show", "eeee"),
    ("show", "heads"),
    ("show", "other"),
]


@pytest.mark.parametrize("argv", VERBS, ids=" ".join)
def test_output_matches_alembic(project, argv):
    build_branchy(project)
    code, out, err = ours(project, *argv)
    theirs = alembic(project, *argv)
    assert theirs.returncode == 0, theirs.stderr
    assert code == 0, err
    assert normalise(out) == normalise(theirs.stdout)


def normalise(text: str) -> str:
    """Alembic lists "Branches into" in set order, which changes from run to
    run (hash seed); we list it sorted. Compare those lines as sets."""
    lines = []
    for line in text.splitlines():
        if line.startswith("Branches into: "):
            line = "Branches into: " + ", ".join(sorted(line[15:].split(", ")))
        lines.append(line)
    return "\n".join(lines)


def test_branches_lists_children_sorted(project):
    build_branchy(project)
    code, out, _ = ours(project, "branches")
    assert code == 0
    assert out.splitlines()[0].startswith("aaaa00000002 (branchpoint)")
    assert "-> bbbb00000003 (left)" in out and "-> cccc00000004" in out


def test_files_we_write_run_under_alembic(project):
    build_branchy(project)
    ini = project / "alembic.ini"
    ini.write_text(ini.read_text().replace("driver://user:pass@localhost/dbname", "sqlite://"))
    assert alembic(project, "heads").stdout.split() == [
        "eeee00000006",
        "(left)",
        "(head)",
        "ffff00000007",
        "(other)",
        "(head)",
    ] or set(alembic(project, "heads").stdout.splitlines()) == set(
        ours(project, "heads")[1].splitlines()
    )
    sql = alembic(project, "upgrade", "heads", "--sql")
    assert sql.returncode == 0, sql.stderr
    assert "INSERT INTO alembic_version" in sql.stdout


def test_alembic_written_project_reads_here(tmp_path):
    assert alembic(tmp_path, "init", "migrations").returncode == 0
    for msg in ("first", "second"):
        assert alembic(tmp_path, "revision", "-m", msg).returncode == 0
    assert ours(tmp_path, "history")[1] == alembic(tmp_path, "history").stdout
    assert ours(tmp_path, "heads", "-v")[1] == alembic(tmp_path, "heads", "-v").stdout


def test_revision_file_format(project):
    _rev(project, "-m", "Add the users table!", "--rev-id", "aaaa00000001")
    path = next((Path(project) / "migrations" / "versions").glob("*.py"))
    assert path.name == "aaaa00000001_add_the_users_table.py"
    text = path.read_text()
    assert "from alembic import op" in text
    assert "revision: str = 'aaaa00000001'" in text
    assert "down_revision: Union[str, Sequence[str], None] = None" in text
    assert "branch_labels: Union[str, Sequence[str], None] = None" in text


def test_version_path_and_splice_errors(project):
    _rev(project, "-m", "one", "--rev-id", "aaaa00000001")
    _rev(project, "-m", "two", "--rev-id", "aaaa00000002")
    code, _, err = ours(project, "revision", "-m", "x", "--head", "aaaa00000001")
    assert code == 1 and "not a head revision" in err and "--splice" in err
    code, _, err = ours(project, "revision", "-m", "x", "--version-path", "/nowhere")
    assert code == 1 and "not represented in current version locations" in err
    code, _, err = ours(project, "revision", "-m", "x", "--rev-id", "aaaa00000001")
    assert code == 1 and "already present" in err


def test_pyproject_template_round_trip(tmp_path):
    code, out, err = ours(tmp_path, "init", "-t", "pyproject", "migrations")
    assert code == 0, err
    assert "[tool.alembic]" in (tmp_path / "pyproject.toml").read_text()
    _rev(tmp_path, "-m", "first")
    assert ours(tmp_path, "history")[1] == alembic(tmp_path, "history").stdout


def test_list_templates(tmp_path):
    code, out, _ = ours(tmp_path, "list_templates")
    assert code == 0
    for name in ("generic", "async", "multidb", "pyproject"):
        assert f"\n{name} - " in out


def test_edit_starts_the_editor_without_a_shell(project, tmp_path):
    _rev(project, "-m", "one", "--rev-id", "aaaa00000001")
    marker = tmp_path / "edited.txt"
    editor = tmp_path / "my editor.sh"  # a space in the path: no shell splitting surprises
    editor.write_text(f'#!/bin/sh\necho "$@" > "{marker}"\n')
    editor.chmod(0o755)
    proc = ours_subprocess(project, "edit", "aaaa", env={"EDITOR": "", "VISUAL": f"'{editor}'"})
    assert proc.returncode == 0, proc.stderr
    assert marker.read_text().strip().endswith("aaaa00000001_one.py")


def test_quiet_prints_nothing(project):
    _rev(project, "-m", "one")
    code, out, _ = ours(project, "-q", "heads")
    assert code == 0 and out == ""


def test_demo_project_has_every_shape(tmp_path):
    code, out, err = ours(tmp_path, "demo", "demo")
    assert code == 0, err
    assert "├─╮" in out and "├─┴─╯" in out  # the merge and the branch point, drawn
    assert "(depends on 5d7e1a3b9c23)" in out
    demo = tmp_path / "demo"
    heads = ours(demo, "heads")[1].splitlines()
    assert len(heads) == 2
    history = ours(demo, "history")[1]
    assert "(mergepoint)" in history and "(branchpoint)" in history
    assert "(content)" in history and "(flags)" in history
    assert ours(demo, "history")[1] == alembic(demo, "history").stdout
    # second run reuses it
    code, out, _ = ours(tmp_path, "demo", "demo")
    assert code == 0 and out.startswith("Using the demo project")


def test_version_file_helper_builds_valid_files(project):
    write_version(project, "x1.py", version_text("abcd00000001", None))
    assert ours(project, "heads")[1].startswith("abcd00000001 (head)")
