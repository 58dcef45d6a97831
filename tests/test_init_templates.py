"""``init`` templates: our files must give projects that REAL Alembic runs.

Each template is initialised by ``init_project`` and then driven by the
``alembic`` command line (``revision``, ``upgrade --sql``, online ``upgrade``).
The configuration our templates write is compared with what ``alembic init``
writes (same keys and values, same files).
"""

from __future__ import annotations

import configparser
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config

from engine.errors import CommandError, ConfigError
from engine.scripts.files import iter_version_files
from engine.scripts.init import init_project, list_templates
from engine.scripts.script import Script

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ALEMBIC = str(Path(sys.executable).with_name("alembic"))
try:  # SQLAlchemy's asyncio extension (imported by the async env.py) needs greenlet
    import greenlet  # noqa: F401

    ASYNC_RUNS = True
except ImportError:  # pragma: no cover
    ASYNC_RUNS = False
TEMPLATES = ["async", "generic", "multidb", "pyproject", "pyproject_async"]


def set_option(ini: Path, key: str, value: str, section: str = "alembic") -> None:
    """Replace ``key = ...`` in ``[section]`` of an ini file, keeping the rest."""
    lines = ini.read_text().splitlines(keepends=True)
    current = None
    for i, line in enumerate(lines):
        if line.startswith("["):
            current = line.strip()[1:-1]
        elif current == section and line.split("=")[0].strip() == key:
            lines[i] = f"{key} = {value}\n"
            break
    else:
        raise AssertionError(f"{key} not in [{section}] of {ini}")
    ini.write_text("".join(lines))


def in_dir(path: Path):
    class _Chdir:
        def __enter__(self) -> None:
            self.old = os.getcwd()
            os.chdir(path)

        def __exit__(self, *exc: object) -> None:
            os.chdir(self.old)

    return _Chdir()


# Per template: how to point it at SQLite, and which alembic commands to run.
SCENARIOS = {
    "generic": (
        [("sqlalchemy.url", "sqlite:///db.sqlite", "alembic")],
        [["revision", "-m", "first one"], ["revision", "-m", "second: two!"],
         ["upgrade", "head", "--sql"], ["upgrade", "head"]],
    ),
    "async": (
        [("sqlalchemy.url", "sqlite+aiosqlite:///db.sqlite", "alembic")],
        [["revision", "-m", "first one"]] + ([["upgrade", "head"]] if ASYNC_RUNS else []),
    ),
    "pyproject": (
        [("sqlalchemy.url", "sqlite:///db.sqlite", "alembic")],
        [["revision", "-m", "first one"], ["upgrade", "head", "--sql"]],
    ),
    "pyproject_async": (
        [("sqlalchemy.url", "sqlite+aiosqlite:///db.sqlite", "alembic")],
        [["revision", "-m", "first one"]] + ([["upgrade", "head"]] if ASYNC_RUNS else []),
    ),
    "multidb": (
        [("sqlalchemy.url", "sqlite:///one.sqlite", "engine1"),
         ("sqlalchemy.url", "sqlite:///two.sqlite", "engine2")],
        [["revision", "-m", "first one"], ["upgrade", "head", "--sql"], ["upgrade", "head"]],
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, list]]:
    """Init every template, then run its alembic commands (templates in parallel)."""
    env = {k: v for k, v in os.environ.items() if k != "ALEMBIC_CONFIG"}
    projects = {}
    for name, (options, _) in SCENARIOS.items():
        root = tmp_path_factory.mktemp(name)
        with in_dir(root):
            init_project("migrations", name)
        for key, value, section in options:
            set_option(root / "alembic.ini", key, value, section)
        projects[name] = root
    running = {}
    for name, root in projects.items():
        script = " && ".join(
            " ".join([ALEMBIC, *(f"'{a}'" for a in args)]) + f" > out{i}.txt"
            for i, args in enumerate(SCENARIOS[name][1])
        )
        running[name] = subprocess.Popen(
            ["sh", "-c", script], cwd=root, env=env, stderr=subprocess.PIPE, text=True
        )
    results = {}
    for name, proc in running.items():
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, f"{name}: {err}"
        outs = [
            (projects[name] / f"out{i}.txt").read_text() for i in range(len(SCENARIOS[name][1]))
        ]
        results[name] = (projects[name], outs)
    return results


def version_scripts(root: Path, script_dir: str = "migrations") -> list[Script]:
    paths = iter_version_files([root / script_dir / "versions"], recursive=False, sourceless=False)
    return [s for s in (Script.from_path(p) for p in paths) if s is not None]


def test_list_templates() -> None:
    templates = list_templates()
    assert [name for name, _ in templates] == TEMPLATES
    assert all(description for _, description in templates)
    alembic_templates = Path(command.__file__).parent / "templates"
    assert sorted(p.name for p in alembic_templates.iterdir() if p.is_dir()) == TEMPLATES


@pytest.mark.parametrize("name", ["generic", "async", "pyproject", "pyproject_async"])
def test_real_alembic_runs_single_db_templates(ran: dict, name: str) -> None:
    root, outs = ran[name]
    scripts = version_scripts(root)
    assert len(scripts) == (2 if name == "generic" else 1)
    for script in scripts:  # written by Alembic from our script.py.mako: read without executing
        assert not script.module_loaded
        source = Path(script.path).read_text()
        assert "from alembic import op\nimport sqlalchemy as sa\n" in source
    by_doc = {s.doc: s for s in scripts}
    assert by_doc["first one"].down_revision is None
    if name == "generic":
        assert by_doc["second: two!"].down_revision == by_doc["first one"].revision
        assert by_doc["second: two!"].create_date
    commands = SCENARIOS[name][1]
    if commands[-1][0] != "upgrade":  # the async env.py needs greenlet to run
        assert "async" in name and not ASYNC_RUNS
    elif "--sql" in commands[-1]:
        sql = outs[-1]
        assert "CREATE TABLE alembic_version" in sql
        for s in scripts:
            assert s.revision in sql
    else:
        with sqlite3.connect(root / "db.sqlite") as db:
            rows = db.execute("SELECT version_num FROM alembic_version").fetchall()
        head = by_doc["second: two!" if name == "generic" else "first one"]
        assert rows == [(head.revision,)]
    if name == "generic":
        assert "CREATE TABLE alembic_version" in outs[2]


def test_real_alembic_runs_multidb(ran: dict) -> None:
    root, _ = ran["multidb"]
    (script,) = version_scripts(root)
    source = Path(script.path).read_text()
    for fn in ("upgrade_engine1", "downgrade_engine1", "upgrade_engine2", "downgrade_engine2"):
        assert f"def {fn}() -> None:" in source
    for db, file in (("engine1", "one.sqlite"), ("engine2", "two.sqlite")):
        sql = (root / f"{db}.sql").read_text()
        assert "CREATE TABLE alembic_version" in sql and script.revision in sql
        with sqlite3.connect(root / file) as conn:
            rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        assert rows == [(script.revision,)]


def _ours_and_theirs(tmp_path: Path, template: str) -> tuple[Path, Path]:
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    for root in (ours, theirs):
        root.mkdir()
        (root / "pyproject.toml").write_text('[project]\nname = "app"\n')
    with in_dir(ours):
        init_project("migrations", template)
    with in_dir(theirs):
        cfg = Config("alembic.ini", toml_file="pyproject.toml")
        command.init(cfg, "migrations", template=template)
    return ours, theirs


def _ini_values(path: Path) -> dict:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    return {s: dict(parser[s]) for s in parser.sections()}


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("template", TEMPLATES)
def test_same_configuration_as_alembic_init(tmp_path: Path, template: str) -> None:
    ours, theirs = _ours_and_theirs(tmp_path, template)
    assert _files(ours) == _files(theirs)
    assert _ini_values(ours / "alembic.ini") == _ini_values(theirs / "alembic.ini")
    with (ours / "pyproject.toml").open("rb") as f:
        our_toml = tomllib.load(f)
    with (theirs / "pyproject.toml").open("rb") as f:
        their_toml = tomllib.load(f)
    assert our_toml == their_toml
    assert our_toml["project"] == {"name": "app"}


def test_pyproject_toml_section_exists_or_invalid(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.alembic]\nscript_location = "x"\n')
    with in_dir(tmp_path):
        result = init_project("migrations", "pyproject")
    assert (tmp_path / "pyproject.toml").read_text() == '[tool.alembic]\nscript_location = "x"\n'
    assert [s.action for s in result.steps].count("skip_has_section") == 1
    assert "already has a [tool.alembic] section" in next(
        s.message for s in result.steps if s.action == "skip_has_section"
    )
    assert result.final_message.startswith("Please edit configuration settings in ")

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "pyproject.toml").write_text("[project\n")
    with in_dir(bad), pytest.raises(ConfigError, match="pyproject.toml is not valid TOML"):
        init_project("migrations", "pyproject")
    assert sorted(p.name for p in bad.iterdir()) == ["pyproject.toml"]  # nothing half-done


def test_errors(tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("")
    with in_dir(tmp_path):
        with pytest.raises(CommandError, match="Directory full already exists and is not empty"):
            init_project("full")
        with pytest.raises(CommandError) as err:
            init_project("new", "nope")
        assert "No such template 'nope'" in err.value.message
        for name in TEMPLATES:
            assert name in err.value.message
        assert not (tmp_path / "new").exists()


def test_existing_config_package_and_paths(tmp_path: Path) -> None:
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = elsewhere\n")
    (tmp_path / "empty").mkdir()
    with in_dir(tmp_path):
        result = init_project("empty", package=True)
    assert (tmp_path / "alembic.ini").read_text() == "[alembic]\nscript_location = elsewhere\n"
    assert (tmp_path / "empty" / "__init__.py").read_text() == ""
    assert (tmp_path / "empty" / "versions" / "__init__.py").read_text() == ""
    actions = [s.action for s in result.steps]
    assert "skip_exists" in actions and actions.count("add") == 2
    assert "create_directory" in actions  # versions/ (empty/ existed)
    assert result.final_message == (
        f"Please edit configuration/connection/logging settings in {tmp_path / 'alembic.ini'} "
        "before proceeding."
    )

    # config file in another directory: script_location relative to %(here)s
    with in_dir(tmp_path):
        init_project("mig2", config_file="conf/alembic.ini")
    assert _ini_values(tmp_path / "conf" / "alembic.ini")["alembic"]["script_location"] == (
        "%(here)s/../mig2"
    )
    absolute = tmp_path / "50%" / "mig3"
    init_project(absolute, config_file=tmp_path / "abs.ini")
    location = _ini_values(tmp_path / "abs.ini")["alembic"]["script_location"]
    assert location == absolute.as_posix().replace("%", "%%")
    cfg = Config(str(tmp_path / "abs.ini"))
    assert cfg.get_main_option("script_location") == absolute.as_posix()


def test_relative_config_runs_with_alembic(tmp_path: Path) -> None:
    with in_dir(tmp_path):
        init_project("mig", config_file="conf/alembic.ini")
    proc = subprocess.run(
        [ALEMBIC, "-c", "conf/alembic.ini", "revision", "-m", "hello"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    (script,) = version_scripts(tmp_path, "mig")
    assert script.doc == "hello"
