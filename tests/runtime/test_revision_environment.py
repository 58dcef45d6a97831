"""``revision_environment = true``: env.py runs for ``revision`` and ``merge``, and
``history -i`` / ``show current`` read the database through env.py."""

from __future__ import annotations

from pathlib import Path

from engine import commands
from tests.cli_helpers import ours
from tests.runtime.project import ENV_PY, make_project, table_rev

MAKO = '''"""${message}"""
from alembic import op
import sqlalchemy as sa

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}
# team: ${team}


def upgrade():
    pass


def downgrade():
    pass
'''


def test_template_args_from_env_py(tmp_path, sqlite_url):
    env = ENV_PY.replace(
        "context.configure(connection=connection, **kw)",
        "context.configure(connection=connection, template_args={'team': 'platform'}, **kw)",
    )
    project = make_project(tmp_path / "p", sqlite_url, [table_rev("a1", None)], env_py=env)
    (project.root / "migrations" / "script.py.mako").write_text(MAKO)
    with project.ini.open("a") as fh:
        fh.write("revision_environment = true\n")
    script = commands.revision(project.config(), message="next", rev_id="b1")
    assert "# team: platform" in Path(script.path).read_text()


def test_history_indicate_current_and_show_current(tmp_path, sqlite_url):
    project = make_project(
        tmp_path / "p", sqlite_url, [table_rev("a1", None), table_rev("b1", "a1")]
    )
    assert ours(project.root, "upgrade", "a1")[0] == 0
    code, out, err = ours(project.root, "history", "-i")
    assert code == 0, err
    assert "a1 (current)" in out and "(current)" not in out.split("\n")[0]
    code, out, err = ours(project.root, "show", "current")
    assert code == 0 and "Rev: a1" in out
    code, out, err = ours(project.root, "history", "-r", "current:")
    assert code == 0 and "-> b1 (head)" in out
