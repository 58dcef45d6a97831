"""What env.py and version scripts can call: the ``context`` API, served alembic
imports, connections handed in, async env.py files and the multidb template."""

from __future__ import annotations

import io
import json
import textwrap

import pytest
import sqlalchemy as sa

from engine import commands
from engine.config import Config
from tests.runtime.project import ENV_PY, Rev, make_project, table_rev, version_rows

PROBE_ENV = ENV_PY.replace(
    "if context.is_offline_mode():",
    textwrap.dedent(
        """
        import json, os
        def _probe():
            out = {
                "offline": context.is_offline_mode(),
                "x": context.get_x_argument(as_dictionary=True),
                "x_list": context.get_x_argument(),
                "tag": context.get_tag_argument(),
                "rev": context.get_revision_argument(),
                "head": context.get_head_revision(),
                "heads": list(context.get_head_revisions()),
                "config_file": os.path.basename(config.config_file_name),
                "section": config.config_ini_section,
                "cmd_opts": config.cmd_opts is not None,
            }
            if context.is_offline_mode():
                out["start"] = context.get_starting_revision_argument()
            config.attributes["probe"] = out
        _probe()
        """
    )
    + "\nif context.is_offline_mode():",
)


def test_context_arguments(tmp_path, sqlite_url):
    project = make_project(
        tmp_path / "p", sqlite_url, [table_rev("a1", None), table_rev("b1", "a1")], env_py=PROBE_ENV
    )
    config = Config(str(project.ini), cmd_opts=None)
    config.cmd_opts = type("Opts", (), {"x": ["color=blue", "dry"]})()
    commands.upgrade(config, "b1", tag="t1")
    probe = config.attributes["probe"]
    assert probe["offline"] is False
    assert probe["x"] == {"color": "blue", "dry": ""}
    assert probe["x_list"] == ["color=blue", "dry"]
    assert probe["tag"] == "t1" and probe["rev"] == "b1"
    assert probe["head"] == "b1" and probe["heads"] == ["b1"]
    assert probe["config_file"] == "alembic.ini" and probe["section"] == "alembic"

    config = project.config(output_buffer=io.StringIO())
    commands.upgrade(config, "a1:b1", sql=True)
    assert config.attributes["probe"]["start"] == "a1"
    assert config.attributes["probe"]["offline"] is True


def test_connection_from_config_attributes(tmp_path, sqlite_url):
    """The cookbook pattern: the caller opens the connection and hands it to env.py."""
    project = make_project(tmp_path / "p", "sqlite:///nowhere/never.db", [table_rev("a1", None)])
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as connection:
        config = project.config()
        config.attributes["connection"] = connection
        commands.upgrade(config, "heads")
        # The caller's transaction is left to the caller: nothing committed yet.
        assert connection.in_transaction()
    engine.dispose()
    assert version_rows(sqlite_url) == {"a1"}


def test_on_version_apply_and_served_imports(tmp_path, sqlite_url):
    body = """
    import alembic
    import alembic.op
    from alembic import context, util
    from alembic.config import Config
    from alembic.operations import MigrateOperation, Operations, ops
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    ctx = op.get_context()
    assert isinstance(ctx, MigrationContext)
    assert isinstance(context.config, Config)
    assert isinstance(ctx.script, ScriptDirectory)
    assert issubclass(ops.AddColumnOp, MigrateOperation)
    assert alembic.op.get_bind() is op.get_bind()
    assert issubclass(util.CommandError, Exception)
    assert isinstance(Operations(ctx), Operations)
    """
    project = make_project(
        tmp_path / "p",
        sqlite_url,
        [Rev("a1", None, upgrade=body), table_rev("b1", "a1")],
        env_py=ENV_PY.replace(
            "kw = ast.literal_eval",
            "def _record(ctx, step, heads, run_args):\n"
            "    config.attributes.setdefault('applied', []).append(\n"
            "        (step.up_revision_id, step.is_upgrade, sorted(heads)))\n"
            "kw0 = ast.literal_eval",
        ).replace("**kw)", "on_version_apply=_record, **kw0)"),
    )
    config = project.config()
    commands.upgrade(config, "heads")
    commands.downgrade(config, "a1")
    assert config.attributes["applied"] == [
        ("a1", True, ["a1"]),
        ("b1", True, ["b1"]),
        ("b1", False, ["a1"]),
    ]


def test_served_alembic_does_not_leak(tmp_path, sqlite_url):
    import alembic as real_alembic

    project = make_project(tmp_path / "p", sqlite_url, [table_rev("a1", None)])
    commands.upgrade(project.config(), "heads")
    import sys

    assert sys.modules["alembic"] is real_alembic
    from alembic.operations import Operations

    assert Operations.__module__.startswith("alembic.")


def _init(tmp_path, template: str, url: str) -> Config:
    from engine.scripts.init import init_project

    root = tmp_path / "proj"
    root.mkdir()
    init_project(
        root / "migrations",
        template,
        config_file=root / "alembic.ini",
        toml_file=root / "pyproject.toml",
    )
    ini = root / "alembic.ini"
    text = ini.read_text()
    import re

    text = re.sub(r"(?m)^sqlalchemy\.url = .*$", f"sqlalchemy.url = {url}", text)
    ini.write_text(text)
    versions = root / "migrations" / "versions"
    versions.mkdir(exist_ok=True)
    from tests.runtime.project import render_rev

    (versions / "a1_.py").write_text(render_rev(table_rev("a1", None)))
    return Config(str(ini))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_async_template(tmp_path, backend, request):
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_db")
    # asyncpg takes no libpq options such as sslmode.
    plain = (
        sa.make_url(url).difference_update_query(["sslmode"]).render_as_string(hide_password=False)
    )
    async_url = (
        plain.replace("sqlite://", "sqlite+aiosqlite://")
        .replace("postgresql+psycopg://", "postgresql+asyncpg://")
        .replace("postgresql://", "postgresql+asyncpg://")
    )
    config = _init(tmp_path, "async", async_url)
    commands.upgrade(config, "heads")
    assert version_rows(url) == {"a1"}
    assert commands.current(config).heads == ("a1",)
    commands.downgrade(config, "base")
    assert version_rows(url) == set()


def test_multidb_template(tmp_path):
    from engine.scripts.init import init_project

    root = tmp_path / "proj"
    root.mkdir()
    init_project(
        root / "migrations",
        "multidb",
        config_file=root / "alembic.ini",
        toml_file=root / "pyproject.toml",
    )
    ini = root / "alembic.ini"
    text = ini.read_text()
    import re

    urls = {name: f"sqlite:///{tmp_path / name}.db" for name in ("engine1", "engine2")}
    for name, url in urls.items():
        text = re.sub(
            rf"(?ms)^\[{name}\]\nsqlalchemy\.url = .*?$", f"[{name}]\nsqlalchemy.url = {url}", text
        )
    ini.write_text(text)
    rev = textwrap.dedent('''
        """multi"""
        from alembic import op
        import sqlalchemy as sa
        revision = "m1"
        down_revision = None
        branch_labels = None
        depends_on = None

        def upgrade(engine_name):
            globals()["upgrade_%s" % engine_name]()

        def downgrade(engine_name):
            globals()["downgrade_%s" % engine_name]()

        def upgrade_engine1():
            op.create_table("one", sa.Column("id", sa.Integer, primary_key=True))

        def downgrade_engine1():
            op.drop_table("one")

        def upgrade_engine2():
            op.create_table("two", sa.Column("id", sa.Integer, primary_key=True))

        def downgrade_engine2():
            op.drop_table("two")
    ''')
    (root / "migrations" / "versions").mkdir(exist_ok=True)
    (root / "migrations" / "versions" / "m1_.py").write_text(rev)
    config = Config(str(ini))
    assert "[engine1]" in text, text
    commands.upgrade(config, "heads")
    for name, url in urls.items():
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
        engine.dispose()
        assert {"one" if name == "engine1" else "two", "alembic_version"} <= tables
        assert version_rows(url) == {"m1"}
    # Offline, the template writes one file per database into the working directory.
    from tests.cli_helpers import chdir

    with chdir(tmp_path):
        commands.upgrade(Config(str(ini)), "heads", sql=True)
    assert "CREATE TABLE one" in (tmp_path / "engine1.sql").read_text()
    assert "CREATE TABLE two" in (tmp_path / "engine2.sql").read_text()


def test_execute_and_static_output_offline(tmp_path):
    env = ENV_PY.replace(
        "        context.run_migrations()\n\n\ndef online",
        "        context.static_output('-- hello from env.py')\n"
        "        context.execute('SELECT 42')\n"
        "        context.run_migrations()\n\n\ndef online",
    )
    project = make_project(
        tmp_path / "p", "postgresql://u@h/db", [table_rev("a1", None)], env_py=env
    )
    ours = project.offline("ours", "upgrade", "heads")
    assert "-- hello from env.py" in ours and "SELECT 42;" in ours
    theirs = project.offline("alembic", "upgrade", "heads")
    from tests.runtime.project import normalize_sql

    assert normalize_sql(ours) == normalize_sql(theirs)
    json.dumps(ours)  # plain text
