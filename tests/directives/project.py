"""Build throw-away migration projects (alembic.ini + env.py + versions/) in tmp_path.

env.py and script.py.mako are copied from our own ``init`` templates, so the
projects are exactly what ``tui-migrate init`` gives a user; Alembic runs them
unmodified. Version files are written with fixed revision ids.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "engine" / "scripts" / "templates"

_INI = """\
[alembic]
script_location = %(here)s/migrations
path_separator = os
sqlalchemy.url = {url}

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
"""

_ONLINE_CONFIGURE = "context.configure(connection=connection, target_metadata=target_metadata)"


@dataclass(frozen=True)
class Revision:
    """One version file: ``upgrade``/``downgrade`` are function bodies (unindented)."""

    rev: str
    down: str | tuple[str, ...] | None
    upgrade: str = "pass"
    downgrade: str = "pass"
    prelude: str = ""  # module-level code after the imports

    def source(self) -> str:
        down = self.down
        return (
            f'"""{self.rev}\n\nRevision ID: {self.rev}\nRevises: {_revises(down)}\n'
            'Create Date: 2024-01-01 00:00:00\n\n"""\n'
            "from alembic import op\n"
            "import sqlalchemy as sa\n\n"
            f"{textwrap.dedent(self.prelude).strip()}\n\n"
            f"revision = {self.rev!r}\n"
            f"down_revision = {down!r}\n"
            "branch_labels = None\n"
            "depends_on = None\n\n\n"
            f"def upgrade():\n{_body(self.upgrade)}\n\n"
            f"def downgrade():\n{_body(self.downgrade)}\n"
        )


def _revises(down: str | tuple[str, ...] | None) -> str:
    if down is None:
        return ""
    return down if isinstance(down, str) else ", ".join(down)


def _body(code: str) -> str:
    code = textwrap.dedent(code).strip() or "pass"
    return textwrap.indent(code, "    ")


def build_project(
    root: Path,
    url: str,
    revisions: list[Revision],
    *,
    env: str = "generic",
    transaction_per_migration: bool = False,
) -> Path:
    """Write the project under ``root``; return the alembic.ini path."""
    root.mkdir(parents=True, exist_ok=True)
    scripts = root / "migrations"
    versions = scripts / "versions"
    versions.mkdir(parents=True)
    env_py = (TEMPLATES / env / "env.py").read_text(encoding="utf-8")
    if transaction_per_migration:
        assert _ONLINE_CONFIGURE in env_py, "template env.py changed; update the harness"
        env_py = env_py.replace(
            _ONLINE_CONFIGURE,
            "context.configure(connection=connection, target_metadata=target_metadata, "
            "transaction_per_migration=True)",
        )
    (scripts / "env.py").write_text(env_py, encoding="utf-8")
    (scripts / "script.py.mako").write_bytes((TEMPLATES / env / "script.py.mako").read_bytes())
    for revision in revisions:
        (versions / f"{revision.rev}_.py").write_text(revision.source(), encoding="utf-8")
    ini = root / "alembic.ini"
    ini.write_text(_INI.format(url=url.replace("%", "%%")), encoding="utf-8")
    return ini
