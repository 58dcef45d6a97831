"""Bad input: one clear FAILED line naming the culprit, exit code 1, no traceback."""

from __future__ import annotations

import pytest

from tests.cli_helpers import ours, ours_subprocess, version_text, write_version


@pytest.fixture
def project(tmp_path):
    assert ours(tmp_path, "init", "migrations")[0] == 0
    write_version(tmp_path, "a1.py", version_text("aaaa00000001", None))
    write_version(tmp_path, "a2.py", version_text("aaaa00000002", "aaaa00000001"))
    write_version(tmp_path, "b1.py", version_text("bbbb00000003", "aaaa00000001"))
    return tmp_path


def failed(project, *argv):
    code, out, err = ours(project, *argv)
    assert code == 1, (out, err)
    assert err.startswith("FAILED: ")
    assert "Traceback" not in err
    return err.splitlines()[0]


def test_syntax_error_names_file_and_line(project):
    write_version(
        project, "bad.py", version_text("cccc00000004", "aaaa00000002") + "\ndef broken(:\n"
    )
    msg = failed(project, "heads")
    assert "bad.py" in msg and "line" in msg


def test_file_without_revision(project):
    write_version(project, "norev.py", "down_revision = None\n")
    assert "norev.py" in failed(project, "history")


def test_duplicate_revision_names_both_files(project):
    write_version(project, "dup.py", version_text("aaaa00000002", "aaaa00000001"))
    msg = failed(project, "heads")
    assert "aaaa00000002" in msg and "a2.py" in msg and "dup.py" in msg


@pytest.mark.parametrize("field", ["down_revision", "depends_on"])
def test_reference_to_nowhere(project, field):
    down, deps = ("zzzz99999999", None) if field == "down_revision" else (None, "zzzz99999999")
    write_version(project, "x.py", version_text("cccc00000004", down, depends_on=deps))
    msg = failed(project, "heads")
    assert "zzzz99999999" in msg and field in msg and "x.py" in msg


def test_cycle_names_revisions(project):
    write_version(project, "c1.py", version_text("cccc00000001", "cccc00000002"))
    write_version(project, "c2.py", version_text("cccc00000002", "cccc00000001"))
    msg = failed(project, "history")
    assert "cccc00000001" in msg and "cccc00000002" in msg and "ycle" in msg


def test_branch_label_used_twice(project):
    write_version(project, "l1.py", version_text("cccc00000001", "aaaa00000002", labels="x"))
    write_version(project, "l2.py", version_text("cccc00000002", "bbbb00000003", labels="x"))
    msg = failed(project, "heads")
    assert "'x'" in msg and "cccc00000001" in msg and "cccc00000002" in msg


def test_unknown_and_ambiguous_specs(project):
    assert "'nope'" in failed(project, "show", "nope")
    write_version(project, "a3.py", version_text("aaaa00000003", "aaaa00000002"))
    msg = failed(project, "show", "aaaa")
    assert "aaaa00000001" in msg and "aaaa00000002" in msg and "aaaa00000003" in msg


def test_relative_move_that_cannot_be_made(project):
    msg = failed(project, "history", "-r", "aaaa00000002-5:")
    assert "'aaaa00000002-5'" in msg and "Relative" in msg


def test_range_not_ancestor(project):
    msg = failed(project, "history", "-r", "aaaa00000002:bbbb00000003")
    assert "aaaa00000002" in msg and "bbbb00000003" in msg


def test_malformed_range(project):
    assert "[start]:[end]" in failed(project, "history", "-r", "aaaa")


def test_missing_config(tmp_path):
    msg = failed(tmp_path, "-c", "nothere.ini", "heads")
    assert "nothere.ini" in msg


def test_no_config_at_all(tmp_path):
    msg = failed(tmp_path, "heads")
    assert "alembic.ini" in msg


def test_malformed_config(tmp_path):
    (tmp_path / "alembic.ini").write_text("[alembic\nscript_location = x\n")
    msg = failed(tmp_path, "heads")
    assert "alembic.ini" in msg


def test_multiple_heads_for_revision(project):
    msg = failed(project, "revision", "-m", "x")
    assert "Multiple heads" in msg


def test_raiseerr_shows_the_traceback(project):
    proc = ours_subprocess(project, "--raiseerr", "show", "nope")
    assert proc.returncode != 0 and "Traceback" in proc.stderr


def test_password_is_never_shown(project):
    ini = project / "alembic.ini"
    ini.write_text(
        ini.read_text().replace(
            "driver://user:pass@localhost/dbname",
            "postgresql+psycopg://app:s3cr3t@127.0.0.1:1/nodb",
        )
    )
    proc = ours_subprocess(project, "history", "-i")
    assert proc.returncode == 1
    assert "s3cr3t" not in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr
    assert "***" in proc.stderr
