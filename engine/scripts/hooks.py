"""``post_write_hooks``: run formatters/linters on a newly written revision file.

Hook types (Alembic's): ``console_scripts`` (an installed entry point such as
``black`` or ``ruff``), ``exec`` (an executable) and ``module`` (``python -m
module``). ``options`` is split like a shell would (no shell is started); the
token ``REVISION_SCRIPT_FILENAME`` stands for the new file, which is appended
when the token is absent. ``cwd`` sets the working directory.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

from engine.errors import CommandError

TOKEN = "REVISION_SCRIPT_FILENAME"


def _args(path: str, options: str | None) -> list[str]:
    parts = shlex.split(options or "", posix=sys.platform != "win32")
    if TOKEN in (options or ""):
        return [p.replace(TOKEN, path) for p in parts]
    return [*parts, path]


def _console_script(name: str, hook: str) -> list[str]:
    from importlib.metadata import entry_points

    for ep in entry_points(group="console_scripts"):
        if ep.name == name:
            module, _, attr = ep.value.partition(":")
            call = attr.strip() or "main"
            code = f"import sys; from {module} import {call.split('.')[0]} as _f; "
            rest = ".".join(call.split(".")[1:])
            code += f"sys.exit(_f{'.' + rest if rest else ''}())"
            return [sys.executable, "-c", code]
    raise CommandError(
        f"post_write_hooks {hook!r}: could not find entrypoint console_scripts.{name}",
        hint=f"Install the package that provides {name!r} in this environment.",
    )


def command_for(hook: dict[str, Any], path: str) -> list[str]:
    name = hook.get("_hook_name", "?")
    kind = hook.get("type")
    if kind == "console_scripts":
        entry = hook.get("entrypoint")
        if not entry:
            raise CommandError(f"post_write_hooks {name!r}: key 'entrypoint' is required")
        return _console_script(entry, name) + _args(path, hook.get("options"))
    if kind == "exec":
        exe = hook.get("executable")
        if not exe:
            raise CommandError(f"post_write_hooks {name!r}: key 'executable' is required")
        found = shutil.which(exe) or exe
        return [found, *_args(path, hook.get("options"))]
    if kind == "module":
        module = hook.get("module")
        if not module:
            raise CommandError(f"post_write_hooks {name!r}: key 'module' is required")
        return [sys.executable, "-m", module, *_args(path, hook.get("options"))]
    raise CommandError(
        f"post_write_hooks {name!r}: unknown type {kind!r}",
        hint="Use one of: console_scripts, exec, module.",
    )


def run_hooks(path: str, hooks: Sequence[dict[str, Any]]) -> list[str]:
    """Run every hook on ``path``; return the names run. A failing hook raises."""
    done = []
    for hook in hooks:
        argv = command_for(hook, path)
        try:
            proc = subprocess.run(
                argv, cwd=hook.get("cwd") or None, capture_output=True, text=True, check=False
            )
        except OSError as err:
            raise CommandError(
                f"post_write_hooks {hook.get('_hook_name')!r}: cannot run {argv[0]}: {err.strerror}"
            ) from err
        if proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            raise CommandError(
                f"post_write_hooks {hook.get('_hook_name')!r} failed with exit code "
                f"{proc.returncode}" + (f": {detail[-1]}" if detail else ""),
                hint=f"The revision file was written: {path}",
            )
        done.append(str(hook.get("_hook_name")))
    return done
