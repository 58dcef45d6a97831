"""The command API shared by the CLI and the TUI.

Each function takes a ``Config`` and returns data (scripts, results); none of
them prints. Names and parameters follow ``alembic.command`` so code written
against Alembic's command API reads the same. Commands that need the
database (upgrade, downgrade, stamp, current) live with the runtime.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.config import Config
from engine.errors import CommandError
from engine.revisions.spec import parse_range
from engine.scripts.directory import ScriptDirectory
from engine.scripts.script import Script

if TYPE_CHECKING:
    from engine.scripts.init import InitResult

# init, the revision writer and subprocess are imported by the commands that use
# them: the CLI's start-up (``current`` on a small project) should not pay for them.


def script_directory(config: Config) -> ScriptDirectory:
    config.require_section()
    return ScriptDirectory.from_config(config)


# --- project -------------------------------------------------------------------


def list_templates(config: Config | None = None) -> list[tuple[str, str]]:
    """``(name, description)`` of each ``init`` template."""
    from engine.scripts.init import list_templates as _list_templates

    return _list_templates()


def init(
    config: Config, directory: str, template: str = "generic", package: bool = False
) -> InitResult:
    """Create a new script directory (``alembic init``)."""
    toml = config.toml_file_name
    from engine.scripts.init import init_project

    return init_project(
        directory,
        template,
        package,
        config_file=config.config_file_name,
        toml_file=toml or os.path.join(config.working_directory, "pyproject.toml"),
    )


# --- writing revisions -----------------------------------------------------------


def _new_rev_id() -> str:
    from engine.scripts.writer import new_rev_id

    return new_rev_id()


def revision(
    config: Config,
    message: str | None = None,
    autogenerate: bool = False,
    sql: bool = False,
    head: str = "head",
    splice: bool = False,
    branch_label: str | list[str] | None = None,
    version_path: str | None = None,
    rev_id: str | None = None,
    depends_on: str | list[str] | None = None,
    process_revision_directives: Any = None,
    decide_rename: Any = None,
    on_warning: Any = None,
) -> Script | list[Script] | None:
    """Write a new revision file and return its ``Script``.

    With ``autogenerate`` the body comes from comparing the models with the
    database; a ``process_revision_directives`` hook (here or in env.py) may
    then turn it into several scripts (a list) or none (None).
    ``decide_rename(candidate) -> bool`` and ``on_warning(warning)``: see
    ``engine.autogenerate.commands.revision_autogenerate``.
    """
    if autogenerate:
        from engine.autogenerate.commands import revision_autogenerate

        return revision_autogenerate(
            config,
            message,
            sql=sql,
            head=head,
            splice=splice,
            branch_label=branch_label,
            version_path=version_path,
            rev_id=rev_id,
            depends_on=depends_on,
            process_revision_directives=process_revision_directives,
            decide_rename=decide_rename,
            on_warning=on_warning,
        )
    script = script_directory(config)
    template_args = _revision_environment(config, script, sql)
    return script.generate_revision(
        rev_id or _new_rev_id(),
        message,
        head=head,
        splice=splice,
        branch_labels=branch_label,
        version_path=version_path,
        depends_on=depends_on,
        config=config,
        **{"imports": set(), "upgrades": None, "downgrades": None, **template_args},
    )


def _revision_environment(config: Config, script: ScriptDirectory, sql: bool) -> dict[str, Any]:
    """With ``revision_environment = true``, run env.py first (Alembic does) so that
    ``context.configure(template_args=...)`` reaches the new file's template."""
    if not config.get_alembic_boolean_option("revision_environment"):
        if sql:
            raise CommandError(
                "Using --sql with the revision command when revision_environment is not "
                "configured does not make any sense",
                hint="Set revision_environment = true in the configuration, or drop --sql.",
            )
        return {}
    from engine.migrate_commands import run_revision_environment

    return run_revision_environment(config, script, sql)


def merge(
    config: Config,
    revisions: str | list[str],
    message: str | None = None,
    branch_label: str | list[str] | None = None,
    rev_id: str | None = None,
) -> Script:
    """Write a revision whose parents are ``revisions`` (e.g. ``heads``)."""
    script = script_directory(config)
    wanted = [revisions] if isinstance(revisions, str) else list(revisions)
    found = script.get_revisions(wanted)
    if len(found) < 2:
        raise CommandError(
            f"Merge needs two or more revisions; {', '.join(wanted)} gives {len(found) or 'none'}",
            hint="Name the heads to merge, or use 'heads'.",
        )
    template_args = _revision_environment(config, script, False)
    return script.generate_revision(
        rev_id or _new_rev_id(),
        message,
        head=tuple(r.revision for r in found),
        splice=True,
        branch_labels=branch_label,
        config=config,
        **{"imports": set(), "upgrades": None, "downgrades": None, **template_args},
    )


# --- reading the graph -------------------------------------------------------------


def heads(
    config: Config, verbose: bool = False, resolve_dependencies: bool = False
) -> list[Script]:
    script = script_directory(config)
    if resolve_dependencies:
        return list(script.get_revisions("heads"))
    return list(script.get_revisions(script.get_heads()))


@dataclass
class BranchPoint:
    script: Script
    children: list[Script]


def branches(config: Config, verbose: bool = False) -> list[BranchPoint]:
    script = script_directory(config)
    rmap = script.revision_map
    out = []
    for sc in script.walk_revisions():
        if sc.is_branch_point:
            kids = [script.get_revision(r) for r in rmap._sorted(sc.nextrev)]
            out.append(BranchPoint(sc, kids))
    return out


def history(
    config: Config,
    rev_range: str | None = None,
    verbose: bool = False,
    indicate_current: bool = False,
    current_heads: tuple[str, ...] | None = None,
) -> list[Script]:
    """Revisions from newest to oldest, optionally within ``[start]:[end]``.

    ``current`` as an end, and ``indicate_current``, need the database's
    current heads: pass them as ``current_heads`` (the CLI reads them).
    """
    script = script_directory(config)
    base = head = None
    if rev_range is not None:
        if ":" not in rev_range:
            raise CommandError(
                f"History range {rev_range!r} requires [start]:[end], [start]:, or :[end]"
            )
        parsed = parse_range(rev_range)
        base = parsed.lower.text if parsed.lower else None
        head = parsed.upper.text if parsed.upper else None
    needs_db = indicate_current or "current" in (base, head)
    if needs_db and current_heads is None:
        raise CommandError("Showing the current revision needs the database's current heads")
    cur = tuple(current_heads or ())
    # As Alembic: an empty database makes "current" mean base (lower end) or
    # all heads (upper end).
    upper: Any = cur if head == "current" else head
    lower: Any = cur if base == "current" else base
    scripts = list(script.walk_revisions(base=lower or "base", head=upper or "heads"))
    for sc in scripts:
        sc._db_current_indicator = sc.revision in cur if indicate_current else None
    return scripts


def show(config: Config, rev: str, current_heads: tuple[str, ...] | None = None) -> list[Script]:
    script = script_directory(config)
    if rev == "current":
        if current_heads is None:
            raise CommandError("'show current' needs the database's current heads")
        return list(script.get_revisions(current_heads))
    return list(script.get_revisions(rev))


def edit(config: Config, rev: str, *, launch: bool = True) -> list[str]:
    """Open the file(s) of ``rev`` in ``$VISUAL`` / ``$EDITOR`` (no shell)."""
    script = script_directory(config)
    found = [s for s in script.get_revisions(rev) if s is not None]
    if not found:
        raise CommandError(f"No revision files found for {rev!r}")
    paths = [s.path for s in found]
    if launch:
        open_in_editor(paths)
    return paths


def open_in_editor(paths: list[str], environ: dict[str, str] | None = None) -> None:
    env = os.environ if environ is None else environ
    editor = env.get("VISUAL") or env.get("EDITOR")
    if not editor:
        raise CommandError(
            "No editor is configured",
            hint="Set $VISUAL or $EDITOR, e.g. export EDITOR=vim",
        )
    argv = shlex.split(editor) + list(paths)
    try:
        import subprocess

        proc = subprocess.run(argv, check=False)
    except OSError as err:
        raise CommandError(f"Cannot start editor {argv[0]!r}: {err.strerror}") from err
    if proc.returncode != 0:
        raise CommandError(f"Editor {argv[0]!r} exited with code {proc.returncode}")


# --- commands that touch the database (engine.migrate_commands) -------------------
# Imported on first use: they need SQLAlchemy, which `heads`/`history` must not load.

_DATABASE_COMMANDS = frozenset(
    {
        "CurrentResult",
        "current",
        "current_heads",
        "downgrade",
        "ensure_version",
        "plan_downgrade",
        "plan_stamp",
        "plan_upgrade",
        "stamp",
        "upgrade",
    }
)


def __getattr__(name: str) -> Any:
    if name in _DATABASE_COMMANDS:
        from engine import migrate_commands

        return getattr(migrate_commands, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
