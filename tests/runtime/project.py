"""Tiny Alembic projects written into a temporary directory for runtime tests.

``make_project`` writes alembic.ini, a compact env.py (no logging setup, so
tests don't reconfigure logging; ``configure()`` keywords come from the
``test_configure`` option, a Python literal) and one version file per
revision. The same project runs under our engine and under real Alembic.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV_PY = """
import ast
from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
kw = ast.literal_eval(config.get_main_option("test_configure", "{}"))


def offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True,
                      dialect_opts={"paramstyle": "named"}, **kw)
    with context.begin_transaction():
        context.run_migrations()


def online():
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, **kw)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(config.get_section(config.config_ini_section, {}),
                                prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, **kw)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    offline()
else:
    online()
"""


@dataclass
class Rev:
    revision: str
    down: str | tuple[str, ...] | None
    upgrade: str = "pass"
    downgrade: str = "pass"
    message: str = ""
    branch_labels: Sequence[str] | None = None
    depends_on: Sequence[str] | None = None
    header: str = ""


def table_rev(revision: str, down: Any, **kw: Any) -> Rev:
    """A revision that creates table ``t_<revision>`` and drops it on downgrade."""
    return Rev(
        revision,
        down,
        upgrade=f'op.create_table("t_{revision}", sa.Column("id", sa.Integer, primary_key=True))',
        downgrade=f'op.drop_table("t_{revision}")',
        message=kw.pop("message", f"rev {revision}"),
        **kw,
    )


def render_rev(rev: Rev) -> str:
    return (
        f'"""{rev.message or rev.revision}\n\nRevision ID: {rev.revision}\n"""\n'
        "from alembic import op\nimport sqlalchemy as sa\n"
        f"{textwrap.dedent(rev.header)}\n"
        f"revision = {rev.revision!r}\n"
        f"down_revision = {rev.down!r}\n"
        f"branch_labels = {tuple(rev.branch_labels) if rev.branch_labels else None!r}\n"
        f"depends_on = {tuple(rev.depends_on) if rev.depends_on else None!r}\n\n\n"
        "def upgrade():\n"
        + textwrap.indent(textwrap.dedent(rev.upgrade).strip(), "    ")
        + "\n\n\ndef downgrade():\n"
        + textwrap.indent(textwrap.dedent(rev.downgrade).strip(), "    ")
        + "\n"
    )


@dataclass
class Project:
    root: Path
    url: str
    ini: Path
    revisions: list[Rev] = field(default_factory=list)

    def config(self, **kw: Any):
        from engine.config import Config

        return Config(str(self.ini), **kw)

    def alembic_config(self, **kw: Any):
        from alembic.config import Config

        return Config(str(self.ini), **kw)

    def add(self, rev: Rev) -> None:
        self.revisions.append(rev)
        path = self.root / "migrations" / "versions" / f"{rev.revision}_.py"
        path.write_text(render_rev(rev))

    def offline(self, tool: str, command: str, *args: Any, **kw: Any) -> str:
        """Offline SQL of ``command`` run by ``ours`` or ``alembic``."""
        buf = io.StringIO()
        if tool == "ours":
            from engine import commands

            getattr(commands, command)(self.config(output_buffer=buf), *args, sql=True, **kw)
        else:
            from alembic import command as acommand

            getattr(acommand, command)(
                self.alembic_config(output_buffer=buf), *args, sql=True, **kw
            )
        return buf.getvalue()


def make_project(
    root: Path,
    url: str,
    revisions: Sequence[Rev] = (),
    *,
    configure: dict[str, Any] | None = None,
    env_py: str = ENV_PY,
) -> Project:
    root.mkdir(parents=True, exist_ok=True)
    (root / "migrations" / "versions").mkdir(parents=True, exist_ok=True)
    (root / "migrations" / "env.py").write_text(env_py)
    ini = root / "alembic.ini"
    ini.write_text(
        "[alembic]\n"
        f"script_location = {root / 'migrations'}\n"
        f"sqlalchemy.url = {url.replace('%', '%%')}\n"
        f"test_configure = {configure or {}!r}\n"
    )
    project = Project(root, url, ini)
    for rev in revisions:
        project.add(rev)
    return project


def version_rows(url: str, table: str = "alembic_version", schema: str | None = None) -> set[str]:
    import sqlalchemy as sa

    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(table, schema=schema):
                return set()
            t = sa.table(table, sa.column("version_num"), schema=schema)
            return set(conn.execute(sa.select(t.c.version_num)).scalars())
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    import sqlalchemy as sa

    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()


def normalize_sql(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
