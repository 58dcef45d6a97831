"""``tui-migrate upgrade/downgrade/stamp/current/ensure_version`` from the command line."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.cli_helpers import ours
from tests.runtime.project import Rev, make_project, table_rev, version_rows

HISTORY = [table_rev("a1", None), table_rev("b1", "a1"), table_rev("c1", "a1")]


def _with_password(url: str, password: str) -> str:
    u = sa.make_url(url)
    return u.set(password=password).render_as_string(hide_password=False)


def test_upgrade_current_downgrade(tmp_path, sqlite_url):
    project = make_project(tmp_path / "p", sqlite_url, HISTORY)
    code, out, err = ours(project.root, "upgrade", "b1")
    assert code == 0, err
    assert "Upgraded base -> b1: 2 step(s)" in err
    code, out, err = ours(project.root, "current")
    assert code == 0 and out.strip() == "b1 (head)"
    code, out, err = ours(project.root, "upgrade", "b1")
    assert code == 0 and "Nothing to do: the database is already at b1" in err
    code, out, err = ours(project.root, "upgrade", "heads")
    assert code == 0
    code, out, err = ours(project.root, "current")
    assert sorted(out.splitlines()) == ["b1 (head)", "c1 (head)"]
    code, out, err = ours(project.root, "current", "--check-heads")
    assert code == 0
    code, out, err = ours(project.root, "downgrade", "base")
    assert code == 0 and version_rows(sqlite_url) == set()
    code, out, err = ours(project.root, "current", "--check-heads")
    assert code == 1 and "not at head" in err


def test_current_verbose_masks_password(tmp_path, pg_db):
    url = _with_password(pg_db, "s3cr3t-pw")  # trust auth: any password is accepted
    project = make_project(tmp_path / "p", url, HISTORY)
    assert ours(project.root, "upgrade", "b1")[0] == 0
    code, out, err = ours(project.root, "current", "-v")
    assert code == 0, err
    assert "s3cr3t-pw" not in out + err
    assert "Current revision(s) for postgresql" in out and "***" in out
    assert "Rev: b1 (head)" in out


def test_offline_sql_goes_to_stdout(tmp_path):
    project = make_project(tmp_path / "p", "postgresql://u:pw@h/db", HISTORY)
    code, out, err = ours(project.root, "upgrade", "a1:b1", "--sql")
    assert code == 0, err
    assert out.startswith("BEGIN;") and "UPDATE alembic_version SET version_num='b1'" in out
    assert "CREATE TABLE t_b1" in out


def test_stamp_several_and_purge(tmp_path, sqlite_url):
    project = make_project(tmp_path / "p", sqlite_url, HISTORY)
    assert ours(project.root, "stamp", "b1", "c1")[0] == 0
    assert version_rows(sqlite_url) == {"b1", "c1"}
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM alembic_version"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES ('zzz')"))
    engine.dispose()
    code, out, err = ours(project.root, "current")
    assert code == 1 and "zzz" in err and "ahead" in err
    code, out, err = ours(project.root, "stamp", "a1")
    assert code == 1  # unknown row: a plain stamp cannot reason about it
    code, out, err = ours(project.root, "stamp", "--purge", "a1")
    assert code == 0, err
    assert version_rows(sqlite_url) == {"a1"}


def test_ensure_version(tmp_path, sqlite_url):
    project = make_project(tmp_path / "p", sqlite_url, HISTORY)
    assert ours(project.root, "ensure_version")[0] == 0
    engine = sa.create_engine(sqlite_url)
    with engine.connect() as conn:
        assert sa.inspect(conn).has_table("alembic_version")
    engine.dispose()
    code, out, err = ours(project.root, "ensure_version", "--sql")
    assert code == 0 and "CREATE TABLE alembic_version" in out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["upgrade", "zzzz"], "Can't locate revision identified by 'zzzz'"),
        (["upgrade", "head"], "Multiple head revisions"),
        (["downgrade", "-5"], "Relative revision '-5' didn't produce 5 migrations"),
        (["upgrade", "a1:b1"], "only allowed with --sql"),
        (["downgrade", "base", "--sql"], "requires <fromrev>:<torev>"),
    ],
)
def test_bad_targets(tmp_path, sqlite_url, argv, expected):
    project = make_project(tmp_path / "p", sqlite_url, HISTORY)
    code, out, err = ours(project.root, *argv)
    assert code == 1
    assert expected in err
    assert "Traceback" not in err
    assert err.startswith("FAILED:")


def test_failed_step_message(tmp_path, sqlite_url):
    project = make_project(
        tmp_path / "p",
        sqlite_url,
        [
            table_rev("a1", None),
            Rev("b1", "a1", upgrade='op.execute("INSERT INTO nowhere VALUES (1)")'),
        ],
    )
    code, out, err = ours(project.root, "upgrade", "heads")
    assert code == 1
    assert "FAILED: upgrade b1 failed:" in err and "nowhere" in err
    assert "The database is now at: a1" in err
    assert "Traceback" not in err


def test_failed_step_message_for_a_statement_sent_ahead(tmp_path, pg_db):
    """On PostgreSQL the failing ALTER goes ahead of its result and the failure is
    found a step later: the message still names its revision and the statement."""
    project = make_project(
        tmp_path / "p",
        pg_db,
        [
            table_rev("a1", None),
            Rev("b1", "a1", upgrade='op.add_column("nowhere", sa.Column("x", sa.Integer()))'),
            table_rev("c1", "b1"),
        ],
    )
    code, out, err = ours(project.root, "upgrade", "heads")
    assert code == 1
    assert "FAILED: upgrade b1 failed: UndefinedTable" in err
    assert "ALTER TABLE nowhere ADD COLUMN x INTEGER" in err
    assert "rolled back" in err
    assert "Traceback" not in err
    assert version_rows(pg_db) == set()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql+psycopg://postgres:pw-123@127.0.0.1:1/db", "Cannot connect to"),
        ("mysql+pymysql://root:wrong-pw-9@127.0.0.1:3306/mysql", "Access denied"),
        ("postgresql+psycopg2://u:pw-123@127.0.0.1/db", "pip install psycopg2-binary"),
        ("nosuchdb://u:pw-123@h/db", "Unknown database dialect"),
    ],
    ids=["unreachable", "wrong-password", "missing-driver", "unknown-dialect"],
)
def test_connection_problems(tmp_path, url, expected):
    project = make_project(tmp_path / "p", url, HISTORY)
    code, out, err = ours(project.root, "upgrade", "heads")
    assert code == 1, err
    assert expected in err + out
    assert "pw-123" not in err + out and "wrong-pw-9" not in err + out
    assert "Traceback" not in err


def test_sql_piped_into_a_reader_that_leaves(tmp_path):
    """`tui-migrate upgrade heads --sql | head -1`: no FAILED line, no traceback."""
    import subprocess

    from tests.cli_helpers import BIN

    project = make_project(
        tmp_path / "p",
        "postgresql://u:pw@h/db",
        [table_rev(f"r{i}", f"r{i - 1}" if i else None) for i in range(300)],
    )
    proc = subprocess.run(
        f"'{BIN / 'tui-migrate'}' upgrade heads --sql | head -1",
        shell=True,
        cwd=project.root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.stdout.strip() == "BEGIN;"
    assert "FAILED" not in proc.stderr and "Traceback" not in proc.stderr
