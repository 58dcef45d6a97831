"""Commands that touch the database: upgrade, downgrade, stamp, current, ensure_version.

Same names and parameters as ``alembic.command``; each runs the project's
env.py through ``engine.runtime.runner`` and returns what happened instead of
printing. Pass a ``RunControl`` to receive step events (and to stop a run
between steps from another thread).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.config import Config
from engine.errors import CommandError
from engine.revisions.plans import Plan, downgrade_plan, stamp_plan, upgrade_plan
from engine.runtime.events import RunControl
from engine.runtime.runner import RunResult, run_environment
from engine.scripts.directory import ScriptDirectory
from engine.scripts.script import Script
from engine.urls import mask_url


def _script(config: Config) -> ScriptDirectory:
    config.require_section()
    return ScriptDirectory.from_config(config)


def _split_range(revision: str, sql: bool, verb: str) -> tuple[str | None, str]:
    if ":" not in revision:
        return None, revision
    if not sql:
        raise CommandError(
            f"A revision range ({revision}) is only allowed with --sql",
            hint=f"Online, give one target: `tui-migrate {verb} <revision>`.",
        )
    start, end = revision.split(":", 1)
    return start or None, end


def upgrade(
    config: Config,
    revision: str,
    sql: bool = False,
    tag: str | None = None,
    *,
    control: RunControl | None = None,
    script: ScriptDirectory | None = None,
) -> RunResult:
    """Upgrade to ``revision`` (``alembic upgrade``); ``start:end`` with ``sql``.

    ``script``: the project's ``ScriptDirectory`` when the caller has it already.
    """
    script = script or _script(config)
    starting_rev, destination = _split_range(revision, sql, "upgrade")

    def fn(heads: tuple[str, ...], context: Any) -> list[Any]:
        steps = script._upgrade_revs(destination, heads)
        if not steps:
            _refuse_backwards(script, destination, heads)
        return steps

    return run_environment(
        config,
        script,
        fn,
        command="upgrade",
        control=control,
        as_sql=sql,
        starting_rev=starting_rev,
        destination_rev=destination,
        tag=tag,
    )


def _refuse_backwards(script: Any, destination: str, heads: tuple[str, ...]) -> None:
    """An upgrade whose target is already behind the database says so."""
    rmap = script.revision_map
    wanted = [r.revision for r in rmap.get_revisions(destination) if r is not None]
    behind = [r for r in wanted if r not in heads]
    if behind and heads and set(behind) <= rmap.ancestors(heads):
        raise CommandError(
            f"Destination {destination} is not a valid upgrade target from current head(s) "
            f"{', '.join(heads)}: the database is already past it",
            hint=f"To go back to it, run `tui-migrate downgrade {destination}`.",
        )


def downgrade(
    config: Config,
    revision: str,
    sql: bool = False,
    tag: str | None = None,
    *,
    control: RunControl | None = None,
    script: ScriptDirectory | None = None,
) -> RunResult:
    """Downgrade to ``revision``; offline it needs ``start:end``.

    ``script``: the project's ``ScriptDirectory`` when the caller has it already.
    """
    script = script or _script(config)
    starting_rev, destination = _split_range(revision, sql, "downgrade")
    if sql and starting_rev is None:
        raise CommandError(
            "downgrade with --sql requires <fromrev>:<torev>",
            hint="For example: tui-migrate downgrade head:base --sql",
        )

    def fn(heads: tuple[str, ...], context: Any) -> list[Any]:
        return script._downgrade_revs(destination, heads)

    return run_environment(
        config,
        script,
        fn,
        command="downgrade",
        control=control,
        as_sql=sql,
        starting_rev=starting_rev,
        destination_rev=destination,
        tag=tag,
    )


def stamp(
    config: Config,
    revision: str | list[str] | tuple[str, ...],
    sql: bool = False,
    tag: str | None = None,
    purge: bool = False,
    *,
    control: RunControl | None = None,
) -> RunResult:
    """Set the version table to ``revision`` (one or several) without running code."""
    script = _script(config)
    if sql and purge:
        raise CommandError(
            "--purge cannot be used with --sql",
            hint="Offline SQL starts from the revision you give; there is no table to purge.",
        )
    revisions = [revision] if isinstance(revision, str) else list(revision)
    starting_rev = None
    destinations: list[str] = []
    for rev in revisions:
        if ":" in rev:
            if not sql:
                raise CommandError(
                    f"A revision range ({rev}) is only allowed with --sql",
                    hint="Online, stamp one or more target revisions.",
                )
            if starting_rev is not None:
                raise CommandError("Stamp operation with --sql only supports one start revision")
            starting_rev, rev = rev.split(":", 1)
        destinations.append(rev)
    target: Any = tuple(destinations) if len(destinations) > 1 else destinations[0]

    def fn(heads: tuple[str, ...], context: Any) -> list[Any]:
        return script._stamp_revs(target, heads)

    return run_environment(
        config,
        script,
        fn,
        command="stamp",
        control=control,
        as_sql=sql,
        starting_rev=starting_rev,
        destination_rev=destinations[-1],
        tag=tag,
        purge=purge,
    )


@dataclass
class CurrentResult:
    url: str | None  # masked
    heads: tuple[str, ...]
    scripts: list[Script]
    script_heads: tuple[str, ...]

    @property
    def at_head(self) -> bool:
        return set(self.heads) == set(self.script_heads)


def run_revision_environment(config: Config, script: Any, sql: bool) -> dict[str, Any]:
    """Run env.py for ``revision``/``merge``; returns the template_args it set."""
    template_args: dict[str, Any] = {}

    def fn(heads: tuple[str, ...], context: Any) -> list[Any]:
        return []

    run_environment(
        config,
        script,
        fn,
        command="revision",
        as_sql=sql,
        template_args=template_args,
        dont_mutate=True,
    )
    return template_args


def current_heads(config: Config, script: Any = None) -> tuple[tuple[str, ...], str | None]:
    """The version table's rows, read through env.py; and the masked URL."""
    script = script or _script(config)
    seen: dict[str, Any] = {}

    def fn(heads: tuple[str, ...], context: Any) -> list[Any]:
        seen["heads"] = tuple(heads)
        url = getattr(getattr(context.connection, "engine", None), "url", None)
        seen["url"] = mask_url(url) if url is not None else None
        return []

    run_environment(config, script, fn, command="current", dont_mutate=True)
    return seen.get("heads", ()), seen.get("url")


def current(config: Config, verbose: bool = False, check_heads: bool = False) -> CurrentResult:
    """The database's current revision(s) (``alembic current``)."""
    script = _script(config)
    heads, url = current_heads(config, script)
    seen = {"url": url}
    rmap = script.revision_map
    unknown = [h for h in heads if h not in rmap]
    if unknown:
        raise CommandError(
            f"The database is at revision {', '.join(unknown)}, which none of the scripts in "
            f"{script.dir} defines",
            hint="The database is ahead of these scripts (or was stamped with another "
            "project): pull the missing version files, or stamp a known revision.",
        )
    result = CurrentResult(
        url=seen.get("url"),
        heads=heads,
        scripts=sorted(script.get_all_current(heads), key=lambda s: rmap.order_of(s.revision)),
        script_heads=tuple(script.get_heads()),
    )
    if check_heads and not result.at_head:
        raise CommandError(
            f"Current revision(s) for {result.url or 'the database'} are not at head: "
            f"{', '.join(heads) or 'base'} (heads: {', '.join(result.script_heads)})",
            hint="Run `tui-migrate upgrade heads`.",
        )
    return result


def ensure_version(config: Config, sql: bool = False) -> RunResult:
    """Create the version table if it does not exist yet."""
    script = _script(config)

    def fn(heads: tuple[str, ...], context: Any) -> list[Any]:
        context._ensure_version_table()
        return []

    return run_environment(config, script, fn, command="ensure_version", as_sql=sql)


# --- plans for previews (no database work) ----------------------------------------
# Pass ``script`` (a loaded ScriptDirectory) to reuse its revision map: loading
# a 10,000-revision project again for every preview would cost a second each.


def plan_upgrade(
    config: Config, revision: str, current_heads: tuple[str, ...], script: Any = None
) -> Plan:
    return upgrade_plan((script or _script(config)).revision_map, revision, current_heads)


def plan_downgrade(
    config: Config, revision: str, current_heads: tuple[str, ...], script: Any = None
) -> Plan:
    return downgrade_plan((script or _script(config)).revision_map, revision, current_heads)


def plan_stamp(
    config: Config,
    revision: Any,
    current_heads: tuple[str, ...],
    purge: bool = False,
    script: Any = None,
) -> Plan:
    rmap = (script or _script(config)).revision_map
    return stamp_plan(rmap, revision, current_heads, purge=purge)
