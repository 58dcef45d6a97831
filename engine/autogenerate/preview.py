"""Autogenerate without writing: what ``revision --autogenerate`` would write.

``preview_revision(config, ...)`` runs the same comparison as
``revision --autogenerate`` (env.py with an autogenerate hook; no migration
step runs) and returns a ``RevisionPreview``: the detected changes, one
readable line each (as ``check`` lists them), the risk warnings, the rename
candidates with the decisions ``decide_rename`` gave, and the source of every
file that would be written, rendered through the project's ``script.py.mako``.
Nothing touches the disk until ``write_preview(preview)``, which writes exactly
what was previewed (and runs the ``post_write_hooks``).

A front end that asks the rename questions itself (the TUI) previews with
``decide_rename=refuse_all``, shows ``preview.candidates``, and previews again
with the answers: accepting a table rename can bring up column candidates in
that table, so the candidates of the last preview are the ones to ask about.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.autogenerate.renames import RenameCandidate, rename_candidates
from engine.autogenerate.risks import RiskWarning, script_warnings
from engine.operations import ops


@dataclass
class RevisionPreview:
    """What ``revision --autogenerate`` would write; see ``preview_revision``.

    ``changes``: one line per difference (``"add table 'people'"``);
    ``warnings``: risky changes; ``candidates``: possible renames, each with
    ``accepted`` set; ``sources``: the text of each file that would be written
    (none when a ``process_revision_directives`` hook removed the revision);
    ``rev_ids``: their revision ids; ``revision_context``: the comparison's
    ``RevisionContext``, which ``write_preview`` writes from.
    """

    changes: list[str]
    warnings: list[RiskWarning]
    candidates: list[RenameCandidate]
    sources: list[str]
    rev_ids: list[str]
    revision_context: Any = field(repr=False, default=None)

    @property
    def source(self) -> str:
        """Every file that would be written, one after the other."""
        return "\n\n".join(self.sources)

    @property
    def empty(self) -> bool:
        """True when the models match the database (the revision would be empty)."""
        return not self.changes


def rename_key(candidate: RenameCandidate) -> tuple[str, str | None, str, str, str]:
    """What identifies a candidate across previews (its decision and score aside)."""
    return (candidate.kind, candidate.schema, candidate.table, candidate.old, candidate.new)


def decide_from(
    answers: dict[tuple[str, str | None, str, str, str], bool],
) -> Callable[[RenameCandidate], bool]:
    """A ``decide_rename`` that answers from ``answers`` (keyed by ``rename_key``);
    a candidate not in it is refused."""

    def decide(candidate: RenameCandidate) -> bool:
        return bool(answers.get(rename_key(candidate), False))

    return decide


def _changes(migration_script: ops.MigrationScript) -> list[str]:
    from engine.autogenerate.commands import describe, leaf_ops

    lines: list[str] = []
    for upgrade_ops in migration_script.upgrade_ops_list:
        for op in leaf_ops(upgrade_ops):
            lines.extend(describe(op))
    return lines


def render_source(revision_context: Any, migration_script: ops.MigrationScript) -> str:
    """The text ``RevisionContext._write`` would give the file of ``migration_script``,
    without writing it (the creation date is now; the written file gets its own)."""
    from pathlib import Path

    from engine.errors import CommandError
    from engine.revisions.revision import to_tuple, tuple_as_scalar
    from engine.scripts.writer import create_date, render_template

    script_directory = revision_context.script_directory
    template_args = revision_context.render_template_args(migration_script)
    template_args.pop("config", None)
    head = migration_script.head if migration_script.head is not None else "head"
    heads = script_directory._heads_for_new_revision(head)
    if not migration_script.splice:
        for h in heads:
            if not h.is_head:
                raise CommandError(
                    f"Revision {h.revision} is not a head revision; please specify "
                    "--splice to create a new branch from this revision"
                )
    depends_on = script_directory._resolve_depends_on(migration_script.depends_on)
    template = Path(script_directory.dir) / "script.py.mako"
    if not template.is_file():
        raise CommandError(
            f"Template {template} is missing",
            hint="Every script directory needs a script.py.mako; 'init' writes one.",
        )
    message = migration_script.message
    return render_template(
        template,
        up_revision=str(migration_script.rev_id),
        down_revision=tuple_as_scalar(tuple(h.revision for h in heads)),
        branch_labels=to_tuple(migration_script.branch_label) or None,
        depends_on=tuple_as_scalar(tuple(depends_on)),
        create_date=create_date(script_directory.timezone),
        message=message if message is not None else "empty message",
        **template_args,
    )


def preview_revision(
    config: Any,
    message: str | None = None,
    head: str = "head",
    splice: bool = False,
    branch_label: str | list[str] | None = None,
    version_path: str | None = None,
    rev_id: str | None = None,
    depends_on: str | list[str] | None = None,
    process_revision_directives: Any = None,
    decide_rename: Callable[[RenameCandidate], bool] | None = None,
) -> RevisionPreview:
    """Compare the models with the database as ``revision --autogenerate`` does
    (same arguments; refuses the same way when the database is not at the heads)
    and return what it would write, writing nothing."""
    from engine.autogenerate.commands import _run_comparison, _script_directory

    script = _script_directory(config)
    command_args = {
        "message": message,
        "rev_id": rev_id,
        "head": head,
        "splice": splice,
        "branch_label": branch_label,
        "version_path": version_path,
        "depends_on": depends_on,
    }
    revision_context = _run_comparison(
        config, script, "revision", command_args, process_revision_directives, decide_rename
    )
    changes: list[str] = []
    warnings: list[RiskWarning] = []
    candidates: list[RenameCandidate] = []
    sources: list[str] = []
    rev_ids: list[str] = []
    for migration_script in revision_context.generated_revisions:
        changes.extend(_changes(migration_script))
        warnings.extend(script_warnings(migration_script))
        candidates.extend(rename_candidates(migration_script))
        sources.append(render_source(revision_context, migration_script))
        rev_ids.append(str(migration_script.rev_id))
    return RevisionPreview(changes, warnings, candidates, sources, rev_ids, revision_context)


def write_preview(preview: RevisionPreview) -> Any:
    """Write the files ``preview`` showed; returns the ``Script`` (a list when there
    are several, None when there is none), as ``revision`` does."""
    written = list(preview.revision_context.generate_scripts())
    if not written:
        return None
    return written[0] if len(written) == 1 else written


__all__ = [
    "RevisionPreview",
    "decide_from",
    "preview_revision",
    "render_source",
    "rename_key",
    "write_preview",
]
