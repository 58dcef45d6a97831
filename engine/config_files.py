"""Reading the files behind :class:`engine.config.Config`: ini, TOML, script locations.

Everything here raises :class:`engine.errors.ConfigError` with a one-line message
naming the file (and line) at fault. Nothing here imports SQLAlchemy.
"""

from __future__ import annotations

import atexit
import configparser
import os
import re
import sys
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from engine.errors import ConfigError
from engine.urls import mask_secrets

# "%%" or "%(name)s"; any other '%' is left alone by the lenient expansion.
_PERCENT_TOKEN = re.compile(r"%%|%\(([^)]*)\)s")
_MAX_DEPTH = configparser.MAX_INTERPOLATION_DEPTH


def expand_percent(value: str, lookup: Callable[[str], str | None]) -> str:
    """Expand ``%%`` and ``%(name)s`` in ``value``; leave anything else as it is.

    ``lookup(name)`` gives the replacement or None (the token then stays).
    """

    def _sub(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return "%"
        found = lookup(match.group(1))
        return match.group(0) if found is None else found

    return _PERCENT_TOKEN.sub(_sub, value)


class LenientInterpolation(configparser.BasicInterpolation):
    """``%(name)s`` interpolation that tolerates stray ``%`` signs.

    Valid values behave exactly as with :class:`configparser.BasicInterpolation`.
    A value with a ``%`` that is not ``%%`` nor ``%(name)s`` (typically a
    percent-encoded password such as ``p%40ss``) is returned with its valid
    references expanded and its stray ``%`` signs kept, instead of raising
    :class:`configparser.InterpolationSyntaxError`. Setting such a value is
    allowed too.
    """

    def before_get(self, parser, section, option, value, defaults):  # type: ignore[override]
        try:
            return super().before_get(parser, section, option, value, defaults)
        except configparser.InterpolationSyntaxError:
            return self._lenient(parser, value, defaults, 1)

    def before_set(self, parser, section, option, value):  # type: ignore[override]
        return value

    def _lenient(self, parser: Any, value: str, defaults: Mapping[str, str], depth: int) -> str:
        def lookup(name: str) -> str | None:
            key = parser.optionxform(name)
            if key not in defaults or depth >= _MAX_DEPTH:
                return None
            raw = defaults[key]
            return None if raw is None else self._lenient(parser, raw, defaults, depth + 1)

        return expand_percent(value, lookup)


def new_parser(defaults: Mapping[str, str]) -> configparser.ConfigParser:
    return configparser.ConfigParser(dict(defaults), interpolation=LenientInterpolation())


def read_ini(parser: configparser.ConfigParser, path: str) -> bool:
    """Read ``path`` into ``parser``. A missing file reads as empty (returns False)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise ConfigError(f"Cannot read config file {path}: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode(sys.getfilesystemencoding(), "replace")
    try:
        parser.read_string(text, source=path)
    except configparser.Error as exc:
        raise ConfigError(_ini_error_message(path, exc)) from exc
    return True


def _ini_error_message(path: str, exc: configparser.Error) -> str:
    # The offending line is not quoted: it may hold a password.
    if isinstance(exc, configparser.MissingSectionHeaderError):
        return f"{path}, line {exc.lineno}: option before the first [section] header"
    if isinstance(exc, configparser.DuplicateSectionError):
        return f"{path}, line {exc.lineno}: section [{exc.section}] appears more than once"
    if isinstance(exc, configparser.DuplicateOptionError):
        return (
            f"{path}, line {exc.lineno}: option {exc.option!r} appears more than once "
            f"in section [{exc.section}]"
        )
    if isinstance(exc, configparser.ParsingError) and exc.errors:
        lineno = exc.errors[0][0]
        more = f" (and {len(exc.errors) - 1} more)" if len(exc.errors) > 1 else ""
        return f"{path}, line {lineno}: cannot parse; expected 'key = value'{more}"
    return f"{path}: {type(exc).__name__}"


def _tomllib() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    try:  # pragma: no cover - Python 3.10 only
        import tomli
    except ModuleNotFoundError as exc:  # pragma: no cover
        raise ConfigError(
            "Reading pyproject.toml on Python 3.10 needs the 'tomli' package",
            hint="pip install tomli",
        ) from exc
    return tomli  # pragma: no cover


def read_toml(path: str) -> dict[str, Any]:
    """Parse a TOML file; a missing file is an empty document."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    toml = _tomllib()
    try:
        return toml.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 text") from exc
    except toml.TOMLDecodeError as exc:
        detail = mask_secrets(str(exc).splitlines()[0])
        raise ConfigError(f"{path}: invalid TOML: {detail}") from exc


def alembic_table(document: Mapping[str, Any], path: str) -> dict[str, Any] | None:
    """The ``[tool.alembic]`` table of a parsed pyproject, or None when absent."""
    tool = document.get("tool")
    if not isinstance(tool, dict) or "alembic" not in tool:
        return None
    table = tool["alembic"]
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.alembic] must be a table")
    return table


def toml_may_have_alembic(path: str) -> bool:
    """Cheap test: does ``path`` exist and mention ``alembic`` at all?"""
    try:
        with open(path, "rb") as f:
            return b"alembic" in f.read()
    except OSError:
        return False


def substitute(value: Any, args: Mapping[str, Any]) -> Any:
    """Expand ``%(name)s`` / ``%%`` in strings, recursively through lists and tables."""
    if isinstance(value, str):

        def lookup(name: str) -> str | None:
            return str(args[name]) if name in args else None

        return expand_percent(value, lookup)
    if isinstance(value, list):
        return [substitute(v, args) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, args) for k, v in value.items()}
    return value


_resource_stack: ExitStack | None = None


def resolve_script_location(value: str, here: str) -> str:
    """Return the absolute directory that a ``script_location`` value names.

    ``value`` has had ``%(here)s`` substituted already. ``package:resource``
    (e.g. ``myapp:migrations``, ``myapp.db:alembic/scripts``) is found through
    :mod:`importlib.resources` (the package is imported). Any other relative path
    is taken relative to ``here`` (to match Alembic, pass the working directory).
    The directory is not required to exist.
    """
    value = os.fspath(value)
    if ":" in value and not os.path.isabs(value):
        return _resolve_resource(value)
    return os.path.abspath(os.path.join(here, value))


def _resolve_resource(value: str) -> str:
    from importlib import resources

    package, *parts = value.split(":")
    if not package:
        raise ConfigError(f"script_location {value!r}: no package name before ':'")
    try:
        ref: Any = resources.files(package)
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"script_location {value!r}: package {package!r} cannot be imported",
            hint="Install the package, or list its directory in prepend_sys_path.",
        ) from exc
    except Exception as exc:  # the package's own import failed
        raise ConfigError(
            f"script_location {value!r}: importing {package!r} failed: "
            f"{type(exc).__name__}: {mask_secrets(str(exc).splitlines()[0] if str(exc) else '')}"
        ) from exc
    for part in parts:
        for piece in part.split("/"):
            if piece:
                ref = ref / piece
    if isinstance(ref, Path):
        return os.path.abspath(ref)
    global _resource_stack
    if _resource_stack is None:
        _resource_stack = ExitStack()
        atexit.register(_resource_stack.close)
    return os.path.abspath(_resource_stack.enter_context(resources.as_file(ref)))
