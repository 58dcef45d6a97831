"""engine.config / engine.urls, compared with real Alembic where it makes sense."""

from __future__ import annotations

import io
import os
import sys
import textwrap
import warnings
from argparse import Namespace
from pathlib import Path

import pytest

from engine.config import Config, env_url_variable, load_config, resolve_script_location
from engine.errors import ConfigError, MigrateError
from engine.urls import mask_secrets, mask_url


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key == "ALEMBIC_CONFIG" or key.startswith("TUI_MIGRATE_URL"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def oracle(ini: Path | str | None = None, toml: Path | str | None = None, **kw):
    from alembic.config import Config as AlembicConfig

    return AlembicConfig(
        file_=str(ini) if ini else None, toml_file=str(toml) if toml else None, **kw
    )


def quietly(fn, *args):
    """Call fn, returning (result, [warning categories])."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn(*args)
    return result, sorted({w.category.__name__ for w in caught})


INI_ALL_KEYS = """
[alembic]
script_location = %(here)s/migrations
prepend_sys_path = .
path_separator = os
version_locations = %(here)s/migrations/versions:%(here)s/other
recursive_version_locations = true
file_template = %%(year)d_%%(month).2d_%%(rev)s_%%(slug)s
timezone = UTC
truncate_slug_length = 30
revision_environment = true
sourceless = false
output_encoding = utf-8
sqlalchemy.url = postgresql://scott:tiger@localhost/test

[post_write_hooks]
hooks = black, ruff
black.type = console_scripts
black.entrypoint = black
black.options = -l 79 REVISION_SCRIPT_FILENAME
ruff.type = exec
ruff.executable = %(here)s/.venv/bin/ruff
ruff.options = check --fix REVISION_SCRIPT_FILENAME
"""

TOML_ALL_KEYS = """
[project]
name = "x"

[tool.alembic]
script_location = "%(here)s/migrations"
prepend_sys_path = [".", "%(here)s/src"]
version_locations = ["%(here)s/migrations/versions", "%(here)s/other"]
recursive_version_locations = true
file_template = "%%(year)d_%%(month).2d_%%(rev)s_%%(slug)s"
timezone = "UTC"
truncate_slug_length = 30
revision_environment = true
sourceless = false
output_encoding = "utf-8"

[[tool.alembic.post_write_hooks]]
name = "black"
type = "console_scripts"
entrypoint = "black"
options = "-l 79 REVISION_SCRIPT_FILENAME"

[[tool.alembic.post_write_hooks]]
name = "ruff"
type = "exec"
executable = "%(here)s/.venv/bin/ruff"
options = "check --fix REVISION_SCRIPT_FILENAME"
"""

STRING_KEYS = [
    "script_location",
    "file_template",
    "timezone",
    "truncate_slug_length",
    "output_encoding",
    "sqlalchemy.url",
    "missing_key",
]
BOOL_KEYS = ["recursive_version_locations", "revision_environment", "sourceless", "nope"]


def assert_same(ours: Config, theirs) -> None:
    for key in STRING_KEYS:
        assert ours.get_alembic_option(key) == theirs.get_alembic_option(key), key
        assert ours.get_alembic_option(key, "dflt") == theirs.get_alembic_option(key, "dflt")
    for key in BOOL_KEYS:
        assert ours.get_alembic_boolean_option(key) == theirs.get_alembic_boolean_option(key)
    assert quietly(ours.get_version_locations_list) == quietly(theirs.get_version_locations_list)
    assert quietly(ours.get_prepend_sys_paths_list) == quietly(theirs.get_prepend_sys_paths_list)
    assert ours.get_hooks_list() == [dict(h) for h in theirs.get_hooks_list()]
    for section in ("alembic", "post_write_hooks", "nosuch"):
        mine, expected = ours.get_section(section), theirs.get_section(section)
        if theirs.config_file_name is None and expected is not None:
            # No ini: Alembic's %(here)s is "."; ours is the pyproject's directory.
            assert expected.pop("here") == "."
            assert mine.pop("here") == ours.config_args["here"]
        assert mine == expected


def test_every_ini_key_matches_alembic(tmp_path: Path) -> None:
    ini = write(tmp_path / "proj" / "alembic.ini", INI_ALL_KEYS)
    ours, theirs = Config(ini), oracle(ini)
    assert_same(ours, theirs)
    here = (tmp_path / "proj").as_posix()
    assert ours.get_alembic_option("script_location") == f"{here}/migrations"
    assert ours.get_alembic_option("file_template") == "%(year)d_%(month).2d_%(rev)s_%(slug)s"
    assert ours.get_version_locations_list() == [f"{here}/migrations/versions", f"{here}/other"]
    assert ours.get_alembic_boolean_option("recursive_version_locations") is True
    assert ours.get_hooks_list()[1] == {
        "type": "exec",
        "executable": f"{here}/.venv/bin/ruff",
        "options": "check --fix REVISION_SCRIPT_FILENAME",
        "_hook_name": "ruff",
    }
    assert ours.get_main_option("sqlalchemy.url") == theirs.get_main_option("sqlalchemy.url")
    assert ours.config_args["here"] == here


def test_every_toml_key_matches_alembic(tmp_path: Path) -> None:
    toml = write(tmp_path / "pyproject.toml", TOML_ALL_KEYS)
    ours, theirs = Config(toml_file=toml), oracle(toml=toml)
    assert_same(ours, theirs)
    here = tmp_path.as_posix()
    assert ours.get_alembic_option("truncate_slug_length") == 30
    assert ours.get_prepend_sys_paths_list() == [".", f"{here}/src"]
    assert ours.get_alembic_option("file_template") == "%(year)d_%(month).2d_%(rev)s_%(slug)s"
    assert ours.toml_alembic_config["script_location"] == f"{here}/migrations"
    assert [h["_hook_name"] for h in ours.get_hooks_list()] == ["black", "ruff"]
    assert ours.get_hooks_list()[1]["executable"] == f"{here}/.venv/bin/ruff"
    assert ours.has_toml_config()


@pytest.mark.parametrize(
    "separator_line, value",
    [
        ("path_separator = os", "a:b c:d"),
        ("path_separator = space", "a b  c"),
        ("path_separator = newline", "\n    a\n    b c\n    d"),
        ("path_separator = :", "a:b: c"),
        ("path_separator = ;", "a;b; ;c d"),
        ("version_path_separator = ;", "a;b c"),
        ("version_path_separator = os", "a:b"),
        ("path_separator = ;\nversion_path_separator = space", "a;b c"),
        ("", "a b,c, d,  e"),
        ("", "a:b"),
    ],
)
def test_path_separators_match_alembic(tmp_path: Path, separator_line: str, value: str) -> None:
    ini = tmp_path / "alembic.ini"
    ini.write_text(
        f"[alembic]\n{separator_line}\nversion_locations = {value}\nprepend_sys_path = {value}\n"
    )
    ours, theirs = Config(ini), oracle(ini)
    for method in ("get_version_locations_list", "get_prepend_sys_paths_list"):
        mine = quietly(getattr(ours, method))
        assert mine == quietly(getattr(theirs, method)), method
    if not separator_line:
        assert quietly(ours.get_version_locations_list)[1] == ["DeprecationWarning"]


def test_legacy_prepend_splits_on_colon_too(tmp_path: Path) -> None:
    ini = write(tmp_path / "alembic.ini", "[alembic]\nprepend_sys_path = a:b c,d\n")
    assert quietly(Config(ini).get_prepend_sys_paths_list)[0] == ["a", "b", "c", "d"]


def test_bad_path_separator(tmp_path: Path) -> None:
    ini = write(
        tmp_path / "alembic.ini", "[alembic]\npath_separator = comma\nversion_locations = a\n"
    )
    with pytest.raises(ValueError):
        oracle(ini).get_version_locations_list()
    with pytest.raises(ConfigError, match=r"alembic.ini: 'comma' is not a valid value"):
        Config(ini).get_version_locations_list()


def test_ini_and_toml_together(tmp_path: Path) -> None:
    ini = write(
        tmp_path / "conf" / "alembic.ini",
        """
        [alembic]
        script_location = %(here)s/from_ini
        sourceless = true
        sqlalchemy.url = sqlite:///%(here)s/db.sqlite
        """,
    )
    toml = write(tmp_path / "pyproject.toml", TOML_ALL_KEYS)
    ours, theirs = Config(ini, toml), oracle(ini, toml)
    assert_same(ours, theirs)
    # ini first, then TOML; each file has its own %(here)s.
    assert (
        ours.get_alembic_option("script_location") == f"{(tmp_path / 'conf').as_posix()}/from_ini"
    )
    assert ours.get_alembic_option("timezone") == "UTC"
    assert ours.get_alembic_boolean_option("sourceless") is True
    assert ours.get_version_locations_list()[1] == f"{tmp_path.as_posix()}/other"
    assert ours.describe_files() == f"{ini} and {toml}"


def test_toml_expansion_is_lenient(tmp_path: Path) -> None:
    toml = write(
        tmp_path / "pyproject.toml",
        """
        [tool.alembic]
        script_location = "%(here)s/m"
        timezone = "100%"
        file_template = "%(rev)s_%(slug)s"
        flag = "yes"
        """,
    )
    cfg = Config(toml_file=toml)
    assert cfg.get_alembic_option("timezone") == "100%"
    assert cfg.get_alembic_option("file_template") == "%(rev)s_%(slug)s"
    with pytest.raises(ConfigError, match="pyproject.toml: \\[tool.alembic\\] flag must be true"):
        cfg.get_alembic_boolean_option("flag")


def test_in_memory_config_matches_alembic() -> None:
    ours, theirs = Config(), oracle()
    assert ours.file_config.sections() == theirs.file_config.sections() == ["alembic"]
    assert ours.get_main_option("x") is None
    ours.set_main_option("script_location", "myapp:migrations")
    assert ours.get_main_option("script_location") == "myapp:migrations"
    assert ours.config_args["here"] == Path.cwd().as_posix()
    assert ours.toml_alembic_config == {}
    assert ours.get_hooks_list() == []
    assert ours.get_version_locations_list() is None


def test_missing_file_reads_empty_like_alembic(tmp_path: Path) -> None:
    ours, theirs = Config(tmp_path / "nope.ini"), oracle(tmp_path / "nope.ini")
    assert ours.file_config.sections() == theirs.file_config.sections() == []
    assert ours.get_section("alembic", {"d": "1"}) == {"d": "1"}
    with pytest.raises(ConfigError, match="nope.ini.*has no '\\[alembic\\]' section"):
        ours.get_main_option("script_location")
    with pytest.raises(ConfigError, match="No config file .*nope.ini' found"):
        ours.require_section()


def test_attributes_stdout_and_messaging() -> None:
    out = io.StringIO()
    shared = {"connection": object()}
    cfg = Config(stdout=out, attributes=shared, cmd_opts=Namespace(quiet=False))
    assert cfg.attributes == shared and cfg.attributes is cfg.attributes
    cfg.attributes["x"] = 1
    assert cfg.attributes["x"] == 1
    cfg.print_stdout("hello %s %d", "world", 3)
    cfg.print_stdout("100%")
    assert out.getvalue() == "hello world 3\n100%\n"
    assert cfg.messaging_opts == {"quiet": False}
    quiet = Config(stdout=out, cmd_opts=Namespace(quiet=True))
    quiet.print_stdout("nothing")
    assert out.getvalue() == "hello world 3\n100%\n"
    assert quiet.messaging_opts == {"quiet": True}
    assert Config().messaging_opts == {"quiet": False}
    assert (
        Config().get_template_directory().endswith(os.path.join("engine", "scripts", "templates"))
    )
    assert os.path.isabs(Config().get_template_directory())


# ----------------------------------------------------------------- load_config


def alembic_pick(config: list[str] | None) -> tuple[str, str]:
    from alembic.config import CommandLine

    return CommandLine()._inis_from_config(Namespace(config=config))


@pytest.mark.parametrize(
    "argv, env",
    [
        (None, None),
        (["custom.ini"], None),
        (["pyproject.toml"], None),
        (["custom.ini", "pyproject.toml"], None),
        (["pyproject.toml", "custom.ini"], None),
        (None, "custom.ini"),
        (None, "pyproject.toml"),
        (["custom.ini"], "pyproject.toml"),
    ],
)
def test_file_choice_matches_alembic_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv, env
) -> None:
    write(tmp_path / "custom.ini", "[alembic]\nscript_location = c\n")
    write(tmp_path / "alembic.ini", "[alembic]\nscript_location = a\n")
    write(tmp_path / "pyproject.toml", '[tool.alembic]\nscript_location = "t"\n')
    if env:
        monkeypatch.setenv("ALEMBIC_CONFIG", env)
    toml, ini = alembic_pick(argv)
    cfg = load_config(argv)
    assert (cfg.toml_file_name, cfg.config_file_name) == (toml, ini)


def test_default_pyproject_needs_tool_alembic(tmp_path: Path) -> None:
    write(tmp_path / "alembic.ini", "[alembic]\nscript_location = a\n")
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    cfg = load_config(None)
    assert (cfg.config_file_name, cfg.toml_file_name) == ("alembic.ini", None)
    # a broken pyproject that is not about alembic does not matter
    write(tmp_path / "pyproject.toml", "[project\nname=")
    assert load_config(None).toml_file_name is None
    # ... but one that is about alembic does
    write(tmp_path / "pyproject.toml", "[tool.alembic]\nscript_location = \n")
    with pytest.raises(ConfigError, match=r"pyproject.toml: invalid TOML: .*line 2"):
        load_config(None)


def test_pyproject_only(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.alembic]\nscript_location = "%(here)s/m"\n')
    cfg = load_config(None)
    assert cfg.config_file_name == "alembic.ini"  # as Alembic: the default, even if missing
    assert cfg.toml_file_name == "pyproject.toml"
    cfg.require_section()
    assert cfg.get_script_location() == str(tmp_path / "m")


def test_cli_options(tmp_path: Path) -> None:
    write(tmp_path / "sub" / "alembic.ini", "[alembic]\n[other]\nscript_location = %(here)s/o\n")
    cfg = load_config(
        ["alembic.ini"], name="other", x_args=["a=1", "b", "c=x=y"], quiet=True, cwd="sub"
    )
    assert cfg.config_file_name == os.path.join("sub", "alembic.ini")
    assert cfg.config_ini_section == "other"
    opts = cfg.cmd_opts
    assert (opts.x, opts.name, opts.config, opts.raiseerr, opts.quiet) == (
        ["a=1", "b", "c=x=y"],
        "other",
        ["alembic.ini"],
        False,
        True,
    )
    assert cfg.get_script_location() == str(tmp_path / "sub" / "o")
    assert cfg.messaging_opts == {"quiet": True}
    plain = load_config(["sub/alembic.ini"])
    assert plain.cmd_opts.x == [] and plain.cmd_opts.name == "alembic"


def test_x_arguments_match_alembic(tmp_path: Path) -> None:
    from alembic.runtime.environment import EnvironmentContext

    cfg = load_config(None, x_args=["a=1", "b", "c=x=y", "a=2"])
    theirs = oracle(cmd_opts=Namespace(x=["a=1", "b", "c=x=y", "a=2"]))
    env = EnvironmentContext(theirs, None)
    assert cfg.x_arguments() == env.get_x_argument()
    assert cfg.x_arguments(as_dictionary=True) == env.get_x_argument(as_dictionary=True)
    assert load_config(None).x_arguments(as_dictionary=True) == {}


def test_alembic_config_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "deploy" / "prod.ini", "[alembic]\nscript_location = %(here)s/m\n")
    monkeypatch.setenv("ALEMBIC_CONFIG", str(tmp_path / "deploy" / "prod.ini"))
    cfg = load_config(None)
    assert cfg.config_file_name == str(tmp_path / "deploy" / "prod.ini")
    assert cfg.get_script_location() == str(tmp_path / "deploy" / "m")
    monkeypatch.setenv("ALEMBIC_CONFIG", "missing.ini")
    with pytest.raises(ConfigError, match=r"^Config file missing.ini not found \(from ALEMBIC"):
        load_config(None)


def test_config_path_errors(tmp_path: Path) -> None:
    write(tmp_path / "a.ini", "[alembic]\n")
    write(tmp_path / "b.ini", "[alembic]\n")
    with pytest.raises(ConfigError, match="^Config file nope.ini not found \\(from -c\\)$"):
        load_config(["nope.ini"])
    with pytest.raises(ConfigError, match="not a file"):
        load_config([str(tmp_path)])
    with pytest.raises(ConfigError, match="only one ini file may be indicated"):
        load_config(["a.ini", "b.ini"])
    with pytest.raises(ConfigError, match="pyproject.toml indicated more than once"):
        load_config(["pyproject.toml", "x/pyproject.toml"])


@pytest.mark.parametrize(
    "text, match",
    [
        (
            "script_location = x\n[alembic]\n",
            r"alembic.ini, line 1: option before the first \[section\] header",
        ),
        (
            "[alembic]\nscript_location = a\nscript_location = b\n",
            r"line 3: option 'script_location' appears more than once",
        ),
        ("[alembic]\n[alembic]\n", r"line 2: section \[alembic\] appears more than once"),
        (
            "[alembic]\nx = 1\nsecret hunter2\n",
            r"alembic.ini, line 3: cannot parse",
        ),
    ],
)
def test_malformed_ini(tmp_path: Path, text: str, match: str) -> None:
    write(tmp_path / "alembic.ini", text)
    with pytest.raises(ConfigError, match=match) as info:
        load_config(None)
    assert "hunter2" not in str(info.value)
    assert "\n" not in str(info.value)
    with pytest.raises(ConfigError):  # lazily too
        Config(tmp_path / "alembic.ini").get_main_option("x")


def test_malformed_toml(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.alembic]\nscript_location = "a"\nx = \n')
    with pytest.raises(ConfigError, match=r"^pyproject.toml: invalid TOML: .*line 3") as info:
        load_config(["pyproject.toml"])
    assert "\n" not in str(info.value)
    write(tmp_path / "pyproject.toml", '[tool]\nalembic = "x"\n')
    with pytest.raises(ConfigError, match=r"\[tool.alembic\] must be a table"):
        load_config(["pyproject.toml"])


def test_missing_section_and_script_location(tmp_path: Path) -> None:
    write(tmp_path / "alembic.ini", "[other]\nx = 1\n")
    cfg = load_config(None)  # loading is fine: `init` needs no section
    with pytest.raises(ConfigError, match=r"^alembic.ini has no \[alembic\] section$"):
        cfg.require_section()
    write(tmp_path / "alembic.ini", "[alembic]\nx = 1\n")
    cfg = load_config(None)
    cfg.require_section()
    with pytest.raises(ConfigError, match="No 'script_location' key found in configuration") as e:
        cfg.get_script_location()
    assert "alembic.ini" in str(e.value)
    (tmp_path / "alembic.ini").unlink()
    with pytest.raises(ConfigError, match="^No config file 'alembic.ini' found$") as e:
        load_config(None).require_section()
    assert e.value.hint and isinstance(e.value, MigrateError)


# ------------------------------------------------------------ env-var URLs


MULTIDB = """
[alembic]
script_location = m
databases = engine1, engine-2
sqlalchemy.url = sqlite:///main.db

[engine1]
sqlalchemy.url = sqlite:///one.db

[engine-2]
sqlalchemy.url = sqlite:///two.db
"""


def test_env_url_main_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "alembic.ini", MULTIDB)
    monkeypatch.setenv("TUI_MIGRATE_URL", "postgresql://u:p@h/db")
    cfg = load_config(None)
    assert cfg.get_main_option("sqlalchemy.url") == "postgresql://u:p@h/db"
    assert cfg.get_section(cfg.config_ini_section)["sqlalchemy.url"] == "postgresql://u:p@h/db"
    assert cfg.get_alembic_option("sqlalchemy.url") == "postgresql://u:p@h/db"
    assert cfg.get_section_option("engine1", "sqlalchemy.url") == "sqlite:///one.db"
    cfg.set_main_option("sqlalchemy.url", "sqlite:///other.db")
    assert cfg.get_main_option("sqlalchemy.url") == "postgresql://u:p@h/db"
    monkeypatch.setenv("TUI_MIGRATE_URL", "")
    assert cfg.get_main_option("sqlalchemy.url") == "sqlite:///other.db"


def test_env_url_per_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "alembic.ini", MULTIDB)
    assert env_url_variable("engine-2") == "TUI_MIGRATE_URL_ENGINE_2"
    monkeypatch.setenv("TUI_MIGRATE_URL_ENGINE_2", "sqlite:///env2.db")
    monkeypatch.setenv("TUI_MIGRATE_URL_ENGINE1", "sqlite:///env1.db")
    cfg = load_config(None)
    assert cfg.get_section_option("engine-2", "sqlalchemy.url") == "sqlite:///env2.db"
    assert cfg.get_section("engine1")["sqlalchemy.url"] == "sqlite:///env1.db"
    assert cfg.get_main_option("sqlalchemy.url") == "sqlite:///main.db"
    # -n engine1: the main section is engine1, TUI_MIGRATE_URL applies to it,
    # but the section's own variable wins.
    monkeypatch.setenv("TUI_MIGRATE_URL", "sqlite:///generic.db")
    named = load_config(None, name="engine1")
    assert named.get_main_option("sqlalchemy.url") == "sqlite:///env1.db"
    monkeypatch.delenv("TUI_MIGRATE_URL_ENGINE1")
    assert named.get_main_option("sqlalchemy.url") == "sqlite:///generic.db"
    assert named.get_section_option("engine-2", "sqlalchemy.url") == "sqlite:///env2.db"


def test_env_url_without_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "pyproject.toml", '[tool.alembic]\nscript_location = "m"\n')
    monkeypatch.setenv("TUI_MIGRATE_URL", "sqlite:///x.db")
    cfg = load_config(None)  # no alembic.ini at all
    assert cfg.get_main_option("sqlalchemy.url") == "sqlite:///x.db"
    assert cfg.get_section("alembic", {}) == {"sqlalchemy.url": "sqlite:///x.db"}


# --------------------------------------------------------------- percent signs


def test_percent_in_ini_password(tmp_path: Path) -> None:
    ini = write(
        tmp_path / "alembic.ini",
        """
        [alembic]
        sqlalchemy.url = postgresql://u:p%40ss@h/db
        escaped = postgresql://u:p%%40ss@h/db
        mixed = sqlite:///%(here)s/a%20b.db
        other = %(escaped)s
        """,
    )
    cfg = Config(ini)
    assert cfg.get_main_option("sqlalchemy.url") == "postgresql://u:p%40ss@h/db"
    assert cfg.get_main_option("escaped") == "postgresql://u:p%40ss@h/db"
    assert cfg.get_main_option("mixed") == f"sqlite:///{tmp_path.as_posix()}/a%20b.db"
    assert cfg.get_main_option("other") == "postgresql://u:p%40ss@h/db"
    assert cfg.get_section("alembic")["sqlalchemy.url"] == "postgresql://u:p%40ss@h/db"
    assert oracle(ini).get_main_option("escaped") == "postgresql://u:p%40ss@h/db"


def test_percent_in_set_main_option() -> None:
    cfg = Config()
    cfg.set_main_option("sqlalchemy.url", "postgresql://u:p%40ss@h/db")
    assert cfg.get_main_option("sqlalchemy.url") == "postgresql://u:p%40ss@h/db"
    # Alembic's documented workaround (escape as %%) keeps working.
    cfg.set_main_option("sqlalchemy.url", "postgresql://u:p%%40ss@h/db")
    assert cfg.get_main_option("sqlalchemy.url") == "postgresql://u:p%40ss@h/db"
    cfg.set_section_option("db2", "sqlalchemy.url", "mysql://u:%zz@h/db")
    assert cfg.get_section_option("db2", "sqlalchemy.url") == "mysql://u:%zz@h/db"
    cfg.set_main_option("path", "%(here)s/x")
    assert cfg.get_main_option("path") == f"{Path.cwd().as_posix()}/x"


def test_missing_interpolation_reference(tmp_path: Path) -> None:
    ini = write(tmp_path / "alembic.ini", "[alembic]\nx = %(nosuch)s/y\n")
    with pytest.raises(ConfigError, match=r"alembic.ini: cannot expand option 'x'"):
        Config(ini).get_main_option("x")


# ------------------------------------------------------------ script location


def test_resolve_script_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_script_location("/abs/dir", "/else") == os.path.abspath("/abs/dir")
    assert resolve_script_location("rel/dir", str(tmp_path)) == str(tmp_path / "rel" / "dir")
    pkg = tmp_path / "site" / "myapp_cfgtest"
    write(pkg / "__init__.py", "")
    (pkg / "migrations").mkdir()
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    assert resolve_script_location("myapp_cfgtest:migrations", "/x") == str(pkg / "migrations")
    with pytest.raises(ConfigError, match="package 'no_such_pkg_xyz' cannot be imported"):
        resolve_script_location("no_such_pkg_xyz:migrations", "/x")
    cfg = Config()
    cfg.set_main_option("script_location", "myapp_cfgtest:migrations")
    assert cfg.get_script_location() == str(pkg / "migrations")
    sys.modules.pop("myapp_cfgtest", None)


# ------------------------------------------------------------------------ urls


@pytest.mark.parametrize(
    "url, masked",
    [
        ("postgresql://app:s3cret@db1/app", "postgresql://app:***@db1/app"),
        (
            "postgresql+psycopg://app:s3cret@db1:5432/app?x=1",
            "postgresql+psycopg://app:***@db1:5432/app?x=1",
        ),
        ("postgresql://app:p@ss:w/rd@db1/app", "postgresql://app:***@db1/app"),
        ("postgresql://u:p?x@ss@host/db?e=a@b", "postgresql://u:***@host/db?e=a@b"),
        ("postgresql://u:p%40ss@h/db", "postgresql://u:***@h/db"),
        ("postgresql://app@db1/app", "postgresql://app@db1/app"),
        ("sqlite:///x.db?k=a:b@c", "sqlite:///x.db?k=a:b@c"),
        ("sqlite:///relative.db", "sqlite:///relative.db"),
        ("not a url", "not a url"),
    ],
)
def test_mask_url(url: str, masked: str) -> None:
    assert mask_url(url) == masked


def test_mask_url_sqlalchemy_object() -> None:
    from sqlalchemy.engine import make_url

    assert mask_url(make_url("postgresql://app:s3cret@db1/app")) == "postgresql://app:***@db1/app"
    assert mask_url(None) == ""


def test_mask_secrets() -> None:
    text = (
        "could not connect to 'postgresql://app:s3cret@db1/app' nor "
        "mysql+pymysql://root:hunter2@127.0.0.1/x; dsn host=db password=topsecret user=u "
        "and a://u:one@h,b://u:two@h2"
    )
    out = mask_secrets(text)
    for secret in ("s3cret", "hunter2", "topsecret", "one@", "two@"):
        assert secret not in out
    assert "'postgresql://app:***@db1/app'" in out
    assert "password=***" in out
    assert mask_secrets("nothing here") == "nothing here"
    assert mask_secrets("") == ""


def test_percent_in_directory_name(tmp_path: Path) -> None:
    proj = tmp_path / "50% off"
    ini = write(proj / "alembic.ini", "[alembic]\nscript_location = %(here)s/m\n")
    toml = write(proj / "pyproject.toml", '[tool.alembic]\nversion_locations = ["%(here)s/v"]\n')
    cfg = Config(ini, toml)
    assert cfg.get_alembic_option("script_location") == f"{proj.as_posix()}/m"
    assert cfg.get_version_locations_list() == [f"{proj.as_posix()}/v"]


def test_import_is_light() -> None:
    import subprocess

    code = "import sys, engine.config, engine.urls; print('sqlalchemy' in sys.modules)"
    root = str(Path(__file__).resolve().parents[1])
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True
    )
    assert out.stdout.strip() == "False"
