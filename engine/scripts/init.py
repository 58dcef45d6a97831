"""``init``: create a migration environment from one of our templates.

Same layout and behaviour as ``alembic init``: the script directory (env.py,
script.py.mako, README, versions/), plus alembic.ini (and, for the pyproject
templates, a ``[tool.alembic]`` section in pyproject.toml), so that both
Alembic and tui-migrate can run the project.

Nothing is printed: ``init_project`` returns an ``InitResult`` whose steps carry
the messages a front end shows.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from engine.errors import CommandError, ConfigError
from engine.scripts.writer import render_to_file, write_atomic

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

_MESSAGES = {
    "create_directory": "Creating directory {path}",
    "generate": "Generating {path}",
    "append": "Appending to existing {path}",
    "skip_exists": "File {path} already exists, skipping",
    "skip_has_section": "File {path} already exists and already has a [tool.alembic] "
    "section, skipping",
    "add": "Adding {path}",
}


@dataclass(frozen=True)
class InitStep:
    """One thing ``init_project`` did (or skipped), with an absolute path."""

    action: str  # a key of _MESSAGES
    path: str

    @property
    def message(self) -> str:
        return _MESSAGES[self.action].format(path=self.path)


@dataclass
class InitResult:
    directory: str
    template: str
    config_file: str
    toml_file: str | None  # set when the template writes pyproject.toml
    steps: list[InitStep] = field(default_factory=list)

    @property
    def final_message(self) -> str:
        """What to tell the user at the end (Alembic's wording)."""
        if self.toml_file:
            return (
                f"Please edit configuration settings in {self.toml_file} and "
                f"configuration/connection/logging settings in {self.config_file} "
                "before proceeding."
            )
        return (
            f"Please edit configuration/connection/logging settings in {self.config_file} "
            "before proceeding."
        )


def list_templates() -> list[tuple[str, str]]:
    """``(name, one-line description)`` of each template, sorted by name."""
    out = []
    for entry in sorted(TEMPLATES_DIR.iterdir()):
        readme = entry / "README"
        if entry.is_dir() and readme.is_file():
            with readme.open(encoding="utf-8") as f:
                out.append((entry.name, f.readline().rstrip()))
    return out


def template_path(template: str) -> Path:
    """The directory of a template; ``CommandError`` listing them if unknown."""
    names = [name for name, _ in list_templates()]
    if template not in names:
        raise CommandError(
            f"No such template {template!r}; available templates: {', '.join(names)}",
            hint="See 'list_templates'.",
        )
    return TEMPLATES_DIR / template


def init_project(
    directory: str | os.PathLike[str],
    template: str = "generic",
    package: bool = False,
    *,
    config_file: str | os.PathLike[str] | None = None,
    toml_file: str | os.PathLike[str] | None = None,
    output_encoding: str = "utf-8",
) -> InitResult:
    """Create the script directory ``directory`` from ``template``.

    ``config_file`` (default ``alembic.ini``) and ``toml_file`` (default
    ``pyproject.toml``), relative to the current directory, are where the
    configuration goes. An existing config file is left alone; an existing
    pyproject.toml gets the ``[tool.alembic]`` section appended unless it has
    one. ``package`` adds ``__init__.py`` to the directory and versions/.

    Errors (``CommandError``): ``directory`` exists and is not empty, unknown
    template, an existing pyproject.toml that is not valid TOML, a file that
    cannot be written.
    """
    target = Path(directory)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise CommandError(
            f"Directory {target} already exists and is not empty",
            hint="Choose a new or empty directory.",
        )
    source = template_path(template)
    ini_path = Path(config_file if config_file is not None else "alembic.ini").absolute()
    toml_path = Path(toml_file if toml_file is not None else "pyproject.toml").absolute()
    files = sorted(p for p in source.iterdir() if p.is_file() and not p.name.endswith(".pyc"))
    uses_toml = any(p.name == "pyproject.toml.mako" for p in files)
    existing_toml = _load_toml(toml_path) if uses_toml and toml_path.exists() else None

    result = InitResult(
        directory=str(target.absolute()),
        template=template,
        config_file=str(ini_path),
        toml_file=str(toml_path) if uses_toml else None,
    )
    steps = result.steps
    try:
        if not target.exists():
            target.mkdir(parents=True)
            steps.append(InitStep("create_directory", str(target.absolute())))
        versions = target / "versions"
        versions.mkdir()
        steps.append(InitStep("create_directory", str(versions.absolute())))
    except OSError as exc:
        raise CommandError(f"Cannot create directory {target}: {exc.strerror or exc}") from exc

    for file in files:
        if file.name == "alembic.ini.mako":
            if ini_path.exists():
                steps.append(InitStep("skip_exists", str(ini_path)))
                continue
            location = _script_location(target, ini_path)
            render_to_file(file, ini_path, output_encoding, script_location=location)
            steps.append(InitStep("generate", str(ini_path)))
        elif file.name == "pyproject.toml.mako":
            if (
                existing_toml is not None
                and isinstance(existing_toml.get("tool"), dict)
                and ("alembic" in existing_toml["tool"])
            ):
                steps.append(InitStep("skip_has_section", str(toml_path)))
                continue
            location = _toml_escape(_script_location(target, toml_path))
            append = existing_toml is not None
            render_to_file(
                file, toml_path, output_encoding, append=append, script_location=location
            )
            steps.append(InitStep("append" if append else "generate", str(toml_path)))
        else:
            dest = target / file.name
            write_atomic(dest, file.read_bytes())
            steps.append(InitStep("generate", str(dest.absolute())))

    if package:
        for init in (target / "__init__.py", versions / "__init__.py"):
            write_atomic(init, b"")
            steps.append(InitStep("add", str(init.absolute())))
    return result


def _script_location(directory: Path, config_path: Path) -> str:
    """``script_location`` as the config file must spell it (``%`` escaped).

    A relative directory is written relative to ``%(here)s`` (the config
    file's directory), an absolute one as is; forward slashes either way.
    """
    if directory.is_absolute():
        return directory.as_posix().replace("%", "%%")
    rel = os.path.relpath(directory.absolute(), config_path.parent)
    rel_posix = Path(rel).as_posix().replace("%", "%%")
    return "%(here)s" if rel_posix == "." else f"%(here)s/{rel_posix}"


def _toml_escape(value: str) -> str:
    """``value`` escaped for the inside of a TOML basic string ("...")."""
    return json.dumps(value, ensure_ascii=False)[1:-1].replace("\x7f", "\\u007f")


def _load_toml(path: Path) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path} is not valid TOML: {exc}",
            hint="Fix the file before adding a [tool.alembic] section to it.",
        ) from exc
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror or exc}") from exc
