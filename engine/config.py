"""Configuration: ``alembic.ini`` and ``pyproject.toml`` ``[tool.alembic]``.

:class:`Config` is API-compatible with Alembic 1.20's ``alembic.config.Config``
(same constructor, attributes and methods, same values for the same files), so
``env.py`` files written for Alembic run unchanged. :func:`load_config` does what
Alembic's command line does with ``-c``, ``-n``, ``-x`` and ``ALEMBIC_CONFIG``.

Where tui-migrate differs (friendlier, never less compatible for valid files):

* Errors are :class:`engine.errors.ConfigError` with one line naming the file
  (and line): missing ``-c`` file, malformed ini or TOML, missing section,
  missing ``script_location``, bad ``path_separator``.
* A ``%`` that is not valid interpolation (a percent-encoded password such as
  ``postgresql://u:p%40ss@h/db``) is returned as written instead of raising
  ``InterpolationSyntaxError``; ``%%`` and ``%(here)s`` still work. Values
  containing such a ``%`` may be given to :meth:`Config.set_main_option` as is.
* ``%(name)s`` in ``[tool.alembic]`` strings that names no known variable is
  left as written instead of raising ``KeyError``.

Database URL from the environment
---------------------------------
If ``TUI_MIGRATE_URL`` is set (and not empty), it replaces ``sqlalchemy.url`` of
the main section (``[alembic]``, or the ``-n`` section): it is what
``get_main_option("sqlalchemy.url")``, ``get_section(config_ini_section)`` and
``get_alembic_option("sqlalchemy.url")`` return. For multi-database projects,
``TUI_MIGRATE_URL_<SECTION>`` (the section name upper-cased, every character
other than A-Z and 0-9 turned into ``_``; e.g. ``TUI_MIGRATE_URL_ENGINE1``)
replaces ``sqlalchemy.url`` of that section, through ``get_section_option`` and
``get_section``; it also wins over ``TUI_MIGRATE_URL`` for the main section. The
value is never written to any file. Values set with ``set_main_option`` /
``set_section_option`` do not beat the environment.
"""

from __future__ import annotations

import argparse
import configparser
import copy
import os
import re
import sys
import warnings
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, TextIO

from engine.config_files import (
    alembic_table,
    new_parser,
    read_ini,
    read_toml,
    resolve_script_location,
    substitute,
    toml_may_have_alembic,
)
from engine.errors import ConfigError

__all__ = ["Config", "load_config", "resolve_script_location", "env_url_variable"]

URL_ENV = "TUI_MIGRATE_URL"

_SEPARATORS = {"space": " ", "newline": "\n", "os": os.pathsep, ":": ":", ";": ";"}
# Legacy splitting (no path_separator): on ", " / "," / runs of spaces ...
_LEGACY_SPLIT = re.compile(r", *| +")
# ... and, for prepend_sys_path, on ':' as well.
_LEGACY_SPLIT_COLON = re.compile(r", *| +|:")


def env_url_variable(section: str) -> str:
    """Name of the environment variable overriding ``sqlalchemy.url`` of ``section``."""
    return f"{URL_ENV}_" + re.sub(r"[^A-Z0-9]", "_", section.upper())


class Config:
    """Configuration of one migration environment (Alembic's ``Config``).

    ``file_`` is the ini file, ``toml_file`` the ``pyproject.toml``; either may be
    None or name a file that does not exist (it then reads as empty).
    ``ini_section`` is the main section (``-n``); TOML always uses
    ``[tool.alembic]``.
    """

    cmd_opts: argparse.Namespace | None = None
    config_file_name: str | None = None
    toml_file_name: str | None = None
    config_ini_section: str = "alembic"

    def __init__(
        self,
        file_: str | os.PathLike[str] | None = None,
        toml_file: str | os.PathLike[str] | None = None,
        ini_section: str = "alembic",
        output_buffer: TextIO | None = None,
        stdout: TextIO | None = None,
        cmd_opts: argparse.Namespace | None = None,
        config_args: Mapping[str, Any] | None = None,
        attributes: dict[str, Any] | None = None,
    ) -> None:
        self.config_file_name = os.fspath(file_) if file_ else None
        self.toml_file_name = os.fspath(toml_file) if toml_file else None
        self.config_ini_section = ini_section
        self.output_buffer = output_buffer
        # None: whatever sys.stdout is when something is printed (not at import time).
        self._stdout = stdout
        self.cmd_opts = cmd_opts
        self.config_args: dict[str, Any] = dict(config_args or {})
        self.toml_args: dict[str, Any] = dict(self.config_args)
        # "here": the ini's directory, else the pyproject's, else the cwd.
        anchor = self.config_file_name or self.toml_file_name
        here = Path(anchor).absolute().parent if anchor else Path.cwd()
        self.config_args["here"] = here.as_posix()
        if self.toml_file_name:
            self.toml_args["here"] = Path(self.toml_file_name).absolute().parent.as_posix()
        self._cwd: str | None = None
        if attributes:
            self.attributes.update(attributes)

    def with_output_buffer(self, buffer: TextIO) -> Config:
        """A copy of this configuration that writes offline SQL to ``buffer``
        (its parsed files and attributes are shared, so it costs nothing)."""
        clone = copy.copy(self)
        clone.output_buffer = buffer
        return clone

    # ------------------------------------------------------------------ state

    @cached_property
    def attributes(self) -> dict[str, Any]:
        """Free-form state shared with ``env.py`` (connections, engines, ...)."""
        return {}

    @property
    def messaging_opts(self) -> dict[str, bool]:
        return {"quiet": bool(getattr(self.cmd_opts, "quiet", False))}

    @property
    def working_directory(self) -> str:
        """Directory that relative ``script_location`` / version paths are relative to."""
        return self._cwd or os.getcwd()

    @property
    def stdout(self) -> TextIO:
        return self._stdout if self._stdout is not None else sys.stdout

    @stdout.setter
    def stdout(self, value: TextIO | None) -> None:
        self._stdout = value

    def print_stdout(self, text: str, *arg: Any) -> None:
        """Write ``text`` (``%``-formatted with ``arg`` if given) and a newline to
        :attr:`stdout`, unless the quiet option is on."""
        if self.messaging_opts["quiet"]:
            return
        output = str(text) % arg if arg else str(text)
        encoding = getattr(self.stdout, "encoding", None) or "ascii"
        for piece in (output, "\n"):
            piece = piece.encode(encoding, "replace").decode(encoding)
            try:
                self.stdout.write(piece)
            except OSError:  # broken pipe
                break

    def describe_files(self) -> str:
        """The configuration files in use, for messages ("alembic.ini", ...)."""
        names = [n for n in (self.config_file_name, self.toml_file_name) if n]
        return " and ".join(names) if names else "the in-memory configuration"

    # ------------------------------------------------------------------ files

    @cached_property
    def file_config(self) -> configparser.ConfigParser:
        """The parsed ini file (``%(here)s`` and the ``config_args`` interpolate)."""
        parser = new_parser(self.config_args)
        if self.config_file_name:
            read_ini(parser, self.config_file_name)
        else:
            parser.add_section(self.config_ini_section)
        return parser

    @cached_property
    def _toml_document(self) -> dict[str, Any] | None:
        if not self.toml_file_name:
            return None
        return alembic_table(read_toml(self.toml_file_name), self.toml_file_name)

    @cached_property
    def toml_alembic_config(self) -> dict[str, Any]:
        """The ``[tool.alembic]`` table, ``%(here)s`` (the pyproject's directory) and
        ``%%`` expanded in its strings."""
        table = self._toml_document
        return substitute(table, self.toml_args) if table else {}

    def has_toml_config(self) -> bool:
        """True when the pyproject has a ``[tool.alembic]`` table."""
        return self._toml_document is not None

    def get_template_directory(self) -> str:
        """Directory of the ``init`` templates shipped with the engine."""
        return str(Path(__file__).absolute().parent / "scripts" / "templates")

    # --------------------------------------------------------------- sections

    def _env_url(self, section: str) -> str | None:
        value = os.environ.get(env_url_variable(section))
        if not value and section == self.config_ini_section:
            value = os.environ.get(URL_ENV)
        return value or None

    def _get(self, section: str, name: str) -> str:
        try:
            return self.file_config.get(section, name)
        except configparser.InterpolationError as exc:
            raise ConfigError(
                f"{self.config_file_name or 'config'}: cannot expand option {name!r} "
                f"in section [{section}]: {type(exc).__name__}",
                hint="Write a literal '%' as '%%'.",
            ) from exc

    def get_section(self, name: str, default: Any = None) -> Any:
        """All options of ini section ``name`` as a dict (``here`` included, as in
        Alembic), or ``default`` when there is no such section."""
        env = self._env_url(name)
        if not self.file_config.has_section(name):
            if env is None:
                return default
            result = dict(default) if default is not None else {}
        else:
            try:
                result = dict(self.file_config.items(name))
            except configparser.InterpolationError:
                result = {key: self._get(name, key) for key in self.file_config.options(name)}
        if env is not None:
            result["sqlalchemy.url"] = env
        return result

    def set_main_option(self, name: str, value: str) -> None:
        """Set an option of the main section (``%(here)s``/``%%`` interpolate on
        reading; a stray ``%`` is kept as written)."""
        self.set_section_option(self.config_ini_section, name, value)

    def remove_main_option(self, name: str) -> None:
        self.file_config.remove_option(self.config_ini_section, name)

    def set_section_option(self, section: str, name: str, value: str) -> None:
        """Set an option of ini section ``section``, creating the section if needed."""
        if not self.file_config.has_section(section):
            self.file_config.add_section(section)
        self.file_config.set(section, name, value)

    def require_section(self) -> None:
        """Raise ConfigError unless there is configuration to run a command with:
        the ini's main section, or a pyproject ``[tool.alembic]`` table."""
        if self.file_config.has_section(self.config_ini_section) or self.has_toml_config():
            return
        name = self.config_file_name
        if name and not os.path.exists(name):
            raise ConfigError(
                f"No config file {name!r} found",
                hint="Create one with 'tui-migrate init DIRECTORY', or point -c / "
                "ALEMBIC_CONFIG at it.",
            )
        raise ConfigError(
            f"{name} has no [{self.config_ini_section}] section",
            hint="Check the -n/--name option, or add the section.",
        )

    def get_section_option(self, section: str, name: str, default: str | None = None) -> Any:
        """Option ``name`` of ini section ``section``; ``default`` if the option is
        absent; ConfigError if the section is."""
        if name == "sqlalchemy.url":
            env = self._env_url(section)
            if env is not None:
                return env
        if not self.file_config.has_section(section):
            raise ConfigError(
                f"No config file {self.config_file_name!r} found, "
                f"or file has no '[{section}]' section",
                hint="Check the -c and -n options.",
            )
        if self.file_config.has_option(section, name):
            return self._get(section, name)
        return default

    def get_main_option(self, name: str, default: str | None = None) -> Any:
        """Option ``name`` of the main ini section (not the TOML)."""
        return self.get_section_option(self.config_ini_section, name, default)

    # ------------------------------------------------------- alembic options

    def get_alembic_option(self, name: str, default: Any = None) -> Any:
        """Option ``name`` from the ini's main section if it is there, else from
        ``[tool.alembic]`` (strings, lists, tables, integers), else ``default``."""
        if name == "sqlalchemy.url":
            env = self._env_url(self.config_ini_section)
            if env is not None:
                return env
        if self.file_config.has_option(self.config_ini_section, name):
            return self._get(self.config_ini_section, name)
        return self.toml_alembic_config.get(name, default)

    def get_alembic_boolean_option(self, name: str) -> bool:
        """A boolean option: ini value ``true`` (exactly, as in Alembic), or a TOML
        boolean; False when absent."""
        if self.file_config.has_option(self.config_ini_section, name):
            return self._get(self.config_ini_section, name) == "true"
        value = self.toml_alembic_config.get(name, False)
        if not isinstance(value, bool):
            raise ConfigError(
                f"{self.toml_file_name}: [tool.alembic] {name} must be true or false",
                hint="Write a TOML boolean without quotes.",
            )
        return value

    def _separator(self, *names: str) -> str | None:
        for name in names:
            value = self.get_main_option(name)
            if value is not None:
                break
        else:
            return None
        if value not in _SEPARATORS:
            raise ConfigError(
                f"{self.config_file_name}: {value!r} is not a valid value for {name}; "
                "expected 'space', 'newline', 'os', ':', ';'"
            )
        if name == "version_path_separator":
            warnings.warn(
                "The version_path_separator configuration parameter is deprecated; "
                "use path_separator",
                DeprecationWarning,
                stacklevel=4,
            )
        return _SEPARATORS[value]

    def _path_list(self, key: str, separators: tuple[str, ...], legacy: re.Pattern[str]) -> Any:
        raw = self.file_config.get(self.config_ini_section, key, fallback=None)
        if raw:
            sep = self._separator(*separators)
            if sep is None:
                warnings.warn(
                    f"No path_separator found in configuration; splitting {key} the "
                    "legacy way. Consider adding path_separator=os to the config.",
                    DeprecationWarning,
                    stacklevel=3,
                )
                return legacy.split(raw)
            return [part.strip() for part in raw.split(sep) if part]
        value = self.toml_alembic_config.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(
                f"{self.toml_file_name}: [tool.alembic] {key} must be a list of strings"
            )
        return value

    def get_version_locations_list(self) -> list[str] | None:
        """``version_locations`` split by ``path_separator`` (or the deprecated
        ``version_path_separator``, or legacy space/comma splitting); or the
        TOML list; None when not configured."""
        return self._path_list(
            "version_locations", ("path_separator", "version_path_separator"), _LEGACY_SPLIT
        )

    def get_prepend_sys_paths_list(self) -> list[str] | None:
        """``prepend_sys_path`` split by ``path_separator`` (legacy: space, comma,
        colon); or the TOML list; None when not configured."""
        return self._path_list("prepend_sys_path", ("path_separator",), _LEGACY_SPLIT_COLON)

    def get_hooks_list(self) -> list[dict[str, Any]]:
        """Post-write hooks, each a dict of its options plus ``_hook_name``."""
        hooks: list[dict[str, Any]] = []
        if self.file_config.has_section("post_write_hooks"):
            section = self.get_section("post_write_hooks", {})
            for name in _LEGACY_SPLIT.split(section.get("hooks", "")):
                if not name:
                    continue
                prefix = name + "."
                opts = {k[len(prefix) :]: v for k, v in section.items() if k.startswith(prefix)}
                opts["_hook_name"] = name
                hooks.append(opts)
            return hooks
        entries = self.toml_alembic_config.get("post_write_hooks", [])
        if not isinstance(entries, list):
            raise ConfigError(
                f"{self.toml_file_name}: [tool.alembic] post_write_hooks must be an "
                "array of tables ([[tool.alembic.post_write_hooks]])"
            )
        for index, entry in enumerate(entries, 1):
            if not isinstance(entry, dict) or "name" not in entry:
                raise ConfigError(
                    f"{self.toml_file_name}: post_write_hooks entry {index} has no 'name'"
                )
            opts = dict(entry)
            opts["_hook_name"] = opts.pop("name")
            hooks.append(opts)
        return hooks

    def get_script_location(self) -> str:
        """Absolute directory of the migration environment (``script_location``,
        ``package:resource`` resolved); ConfigError when it is not configured."""
        value = self.get_alembic_option("script_location")
        if value is None or value == "":
            raise ConfigError(
                f"No 'script_location' key found in configuration ({self.describe_files()})",
                hint="Add script_location to the [alembic] section or to [tool.alembic].",
            )
        if not isinstance(value, str):
            raise ConfigError(f"{self.describe_files()}: script_location must be a string")
        return resolve_script_location(value, self.working_directory)

    def x_arguments(self, as_dictionary: bool = False) -> Any:
        """The ``-x`` arguments: a list, or a dict (``key=value``; ``key`` -> "")."""
        values = list(getattr(self.cmd_opts, "x", None) or [])
        if not as_dictionary:
            return values
        return dict(arg.split("=", 1) if "=" in arg else (arg, "") for arg in values)


# --------------------------------------------------------------------- loading


def _config_targets(names: Sequence[str] | None) -> tuple[str | None, str | None, str, str]:
    """(explicit ini, explicit toml, default ini, default toml) as Alembic's CLI sees them."""
    env = os.environ.get("ALEMBIC_CONFIG")
    default_ini, default_toml = "alembic.ini", "pyproject.toml"
    explicit_ini = explicit_toml = None
    if env and os.path.basename(env) == "pyproject.toml":
        explicit_toml = env
    elif env:
        explicit_ini = env
    if not names:
        return explicit_ini, explicit_toml, default_ini, default_toml
    ini = toml = None
    for name in names:
        if os.path.basename(name) == "pyproject.toml":
            if toml is not None:
                raise ConfigError(f"pyproject.toml indicated more than once ({toml}, {name})")
            toml = name
        else:
            if ini is not None:
                raise ConfigError(f"only one ini file may be indicated ({ini}, {name})")
            ini = name
    return (ini or explicit_ini), (toml or explicit_toml), default_ini, default_toml


def load_config(
    config_paths: Sequence[str] | None,
    *,
    name: str = "alembic",
    x_args: Sequence[str] = (),
    quiet: bool = False,
    raiseerr: bool = False,
    cwd: str | None = None,
) -> Config:
    """Build the :class:`Config` that ``alembic -c ... -n ... -x ...`` would build.

    ``config_paths`` are the ``-c`` values: at most one ini file and at most one
    file named ``pyproject.toml``, in any order. Without ``-c``, ``$ALEMBIC_CONFIG``
    names the ini (or the pyproject, when so named); the other file defaults to
    ``./alembic.ini`` / ``./pyproject.toml`` (the latter used only when it has a
    ``[tool.alembic]`` table). A named file must exist. Relative paths are taken
    relative to ``cwd`` when given. Both files are parsed now, so malformed ones
    raise here. Call :meth:`Config.require_section` before a command that needs
    configuration (every command but ``init`` and ``list_templates``).
    """

    def place(path: str) -> str:
        return path if cwd is None or os.path.isabs(path) else os.path.join(cwd, path)

    ini, toml, default_ini, default_toml = _config_targets(config_paths)
    for path in (ini, toml):
        if path is not None and not os.path.isfile(place(path)):
            what = "is not a file" if os.path.exists(place(path)) else "not found"
            source = "-c" if path in (config_paths or ()) else "ALEMBIC_CONFIG"
            raise ConfigError(
                f"Config file {path} {what} (from {source})",
                hint=f"Check the {source} value" + (f" (relative to {cwd})." if cwd else "."),
            )
    ini_path = place(ini if ini is not None else default_ini)
    toml_path: str | None
    if toml is not None:
        toml_path = place(toml)
    else:
        candidate = place(default_toml)
        toml_path = candidate if toml_may_have_alembic(candidate) else None
        if toml_path is not None and alembic_table(read_toml(toml_path), toml_path) is None:
            toml_path = None

    opts = argparse.Namespace(
        config=list(config_paths) if config_paths else None,
        name=name,
        x=list(x_args),
        raiseerr=raiseerr,
        quiet=quiet,
    )
    config = Config(file_=ini_path, toml_file=toml_path, ini_section=name, cmd_opts=opts)
    config._cwd = os.path.abspath(cwd) if cwd is not None else None
    config.file_config  # noqa: B018 - parse now: malformed files fail early
    config.toml_alembic_config  # noqa: B018
    return config
