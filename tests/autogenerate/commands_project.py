"""A small project for the autogenerate command tests: alembic.ini, an env.py
that takes ``target_metadata`` (and optional ``configure`` options) from
``migrations/models.py``, the generic ``script.py.mako``, and helpers to
rewrite the models between runs.

The same project runs under our engine and under real Alembic.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from tests.runtime.project import Project, make_project

ENV_PY = """
import ast
import importlib.util
import os
import sys

from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
kw = ast.literal_eval(config.get_main_option("test_configure", "{}"))
here = config.get_main_option("script_location")
name = "ag_models_%d" % abs(hash(here))
spec = importlib.util.spec_from_file_location(name, os.path.join(here, "models.py"))
models = importlib.util.module_from_spec(spec)
sys.modules[name] = models
spec.loader.exec_module(models)
kw.update(getattr(models, "configure", {}))


def online():
    engine = engine_from_config(config.get_section(config.config_ini_section, {}),
                                prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=models.metadata, **kw)
        with context.begin_transaction():
            context.run_migrations()


online()
"""

TEMPLATE = (
    Path(__file__).resolve().parents[2]
    / "engine"
    / "scripts"
    / "templates"
    / "generic"
    / "script.py.mako"
)

HEADER = """
import sqlalchemy as sa

metadata = sa.MetaData()
"""


def ag_project(root: Path, url: str, models: str = "", **kw: Any) -> Project:
    project = make_project(root, url, env_py=ENV_PY, **kw)
    (project.root / "migrations" / "script.py.mako").write_text(TEMPLATE.read_text())
    set_models(project, models)
    return project


def set_models(project: Project, body: str) -> None:
    text = HEADER + textwrap.dedent(body)
    (project.root / "migrations" / "models.py").write_text(text)


def version_files(project: Project) -> list[Path]:
    return sorted((project.root / "migrations" / "versions").glob("*.py"))
