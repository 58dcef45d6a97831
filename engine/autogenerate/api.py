"""The programmatic face of autogenerate.

* ``AutogenContext``: what every comparison (and the renderer) works from: the
  migration context, the target metadata, the filters, the imports a rendered
  script needs.
* ``compare_metadata`` / ``produce_migrations``: compare a MetaData with the
  database behind a ``MigrationContext`` and return diff tuples / a
  ``MigrationScript`` of operation objects.
* ``RevisionContext`` / ``autogenerate_script``: what ``revision --autogenerate``
  runs inside env.py's ``fn`` hook, and how its result becomes a file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine.reflection import Inspector

from engine.errors import CommandError
from engine.operations.ops import (
    DowngradeOps,
    MigrationScript,
    OpContainer,
    UpgradeOps,
)

NameFilter = Callable[[Any, str, dict[str, Any]], bool]
ObjectFilter = Callable[[Any, Any, str, bool, Any], bool]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


class AutogenContext:
    """State shared by the comparison functions and the renderer of one run.

    ``AutogenContext(migration_context, metadata=None, opts=None, autogenerate=True)``:
    ``opts`` default to the migration context's options (``include_name``,
    ``include_object``, ``include_schemas``, ``compare_type``,
    ``compare_server_default``, ``render_item``, module prefixes, ``render_as_batch``,
    ``target_metadata`` ...); ``metadata`` defaults to ``opts["target_metadata"]``.
    With ``autogenerate=False`` (rendering only) neither a database nor metadata is
    needed.
    """

    def __init__(
        self,
        migration_context: Any,
        metadata: Any = None,
        opts: dict[str, Any] | None = None,
        autogenerate: bool = True,
    ) -> None:
        if autogenerate and migration_context is not None and migration_context.as_sql:
            raise CommandError(
                "autogenerate can't use as_sql=True as it prevents querying the database "
                "for schema information",
                hint="Run autogenerate online (without --sql).",
            )
        if opts is None:
            opts = dict(getattr(migration_context, "opts", None) or {})
        self.opts: dict[str, Any] = opts
        if metadata is None:
            metadata = opts.get("target_metadata")
        if autogenerate and metadata is None:
            raise CommandError(
                "Can't proceed with --autogenerate option; environment script does not "
                "provide a MetaData object or sequence of objects to the context",
                hint="In env.py, pass target_metadata=<your models' MetaData> to "
                "context.configure().",
            )
        if autogenerate and migration_context is None:
            raise CommandError("autogenerate needs a MigrationContext with a connection")
        self.migration_context = migration_context
        self.metadata = metadata
        self.connection = getattr(migration_context, "bind", None)
        self.dialect = getattr(migration_context, "dialect", None)
        self.imports: set[str] = set()
        self._has_batch = False
        self._name_filters: list[NameFilter] = _as_list(opts.get("include_name"))
        self._object_filters: list[ObjectFilter] = _as_list(opts.get("include_object"))
        self._inspector: Inspector | None = None
        self._sorted_tables: list[sa.Table] | None = None
        self._table_keys: dict[str, sa.Table] | None = None
        #: warnings found while comparing (also issued through ``warnings.warn``)
        self.warnings: list[str] = []

    # -- database -------------------------------------------------------------

    @property
    def inspector(self) -> Inspector:
        """One ``Inspector`` per run, so its cache serves every comparison."""
        if self._inspector is None:
            if self.connection is None:
                raise CommandError("autogenerate needs a database connection")
            self._inspector = sa.inspect(self.connection)
        return self._inspector

    # -- metadata -------------------------------------------------------------

    @property
    def _metadatas(self) -> list[sa.MetaData]:
        return _as_list(self.metadata)

    @property
    def sorted_tables(self) -> list[sa.Table]:
        """The tables of every target MetaData, each MetaData in dependency order."""
        if self._sorted_tables is None:
            tables: list[sa.Table] = []
            for m in self._metadatas:
                tables.extend(m.sorted_tables)
            self._sorted_tables = tables
        return self._sorted_tables

    @property
    def table_key_to_table(self) -> dict[str, sa.Table]:
        """``schema.name`` (or ``name``) -> Table over all target MetaData objects."""
        if self._table_keys is None:
            keys: dict[str, sa.Table] = {}
            for m in self._metadatas:
                dupes = set(keys).intersection(m.tables)
                if dupes:
                    raise ValueError(
                        "Duplicate table keys across multiple MetaData objects: "
                        + ", ".join(f'"{k}"' for k in sorted(dupes))
                    )
                keys.update(m.tables)
            self._table_keys = keys
        return self._table_keys

    # -- filters --------------------------------------------------------------

    def run_name_filters(self, name: Any, type_: str, parent_names: dict[str, Any]) -> bool:
        """``include_name`` hooks: may this reflected name be considered at all?"""
        if not self._name_filters:
            return True
        parents = dict(parent_names)
        if "table_name" in parents:
            schema = parents.get("schema_name")
            table = parents["table_name"]
            parents["schema_qualified_table_name"] = f"{schema}.{table}" if schema else table
        return all(fn(name, type_, parents) for fn in self._name_filters)

    def run_object_filters(
        self, object_: Any, name: Any, type_: str, reflected: bool, compare_to: Any
    ) -> bool:
        """``include_object`` hooks: may this object take part in the comparison?"""
        return all(fn(object_, name, type_, reflected, compare_to) for fn in self._object_filters)

    run_filters = run_object_filters

    def warn(self, message: str) -> None:
        import warnings

        self.warnings.append(message)
        warnings.warn(message, UserWarning, stacklevel=3)


# --------------------------------------------------------------------- comparing


def _compare_into(autogen_context: AutogenContext, upgrade_ops: UpgradeOps) -> None:
    # the built-in comparisons register themselves on import (compare_checks imports
    # the column and constraint comparisons first, so they run before its own)
    from engine.autogenerate import (  # noqa: F401
        compare_checks,
        compare_columns,
        compare_constraints,
        compare_defaults,
        compare_enums,
        compare_tables,
        compare_types,
    )
    from engine.autogenerate.compare_registry import comparators
    from engine.autogenerate.compare_tables import schemas_to_compare

    comparators.run("schema", autogen_context, upgrade_ops, schemas_to_compare(autogen_context))


def populate_migration_script(
    autogen_context: AutogenContext,
    migration_script: MigrationScript,
    decide_rename: Callable[[Any], bool] | None = None,
) -> None:
    """Fill the last upgrade/downgrade containers of ``migration_script``.

    Rename candidates (``engine.autogenerate.renames``) go to
    ``migration_script.info["rename_candidates"]``; ``decide_rename(candidate)``
    says which become renames (None: none, the drop and add stay). Warnings about
    risky changes (``engine.autogenerate.risks``) go to ``info["warnings"]``.
    """
    from engine.autogenerate.renames import INFO_KEY, resolve_renames
    from engine.autogenerate.risks import annotate_script

    upgrade_ops = migration_script.upgrade_ops_list[-1]
    _compare_into(autogen_context, upgrade_ops)
    candidates = resolve_renames(autogen_context, upgrade_ops, decide_rename)
    migration_script.info.setdefault(INFO_KEY, []).extend(candidates)
    upgrade_ops.reverse_into(migration_script.downgrade_ops_list[-1])
    annotate_script(migration_script, autogen_context.dialect)


def produce_migrations(context: Any, metadata: Any) -> MigrationScript:
    """Compare ``metadata`` with the database of ``context``; return a
    ``MigrationScript`` whose ``downgrade_ops`` are the reverse of its ``upgrade_ops``."""
    autogen_context = AutogenContext(context, metadata=metadata)
    script = MigrationScript(
        rev_id=None, upgrade_ops=UpgradeOps([]), downgrade_ops=DowngradeOps([])
    )
    populate_migration_script(autogen_context, script)
    return script


def _diffs(container: OpContainer) -> Iterator[Any]:
    for op in container.ops:
        if isinstance(op, OpContainer):
            yield from _diffs(op)
        else:
            # an AlterColumnOp gives one list per column, with one tuple per changed
            # attribute (Alembic's form); everything else one tuple
            yield op.to_diff_tuple()


def compare_metadata(context: Any, metadata: Any) -> list[Any]:
    """Diff tuples describing how the database of ``context`` differs from
    ``metadata``, e.g. ``("add_table", Table)``, ``("remove_column", schema, table,
    Column)``, or for a changed column a list of ``("modify_type", schema, table,
    column, {existing...}, old_type, new_type)``-style tuples."""
    return list(_diffs(produce_migrations(context, metadata).upgrade_ops))


# --------------------------------------------------------------- revision files


def _db_not_up_to_date(script: Any, db_heads: Sequence[str]) -> bool:
    current = {s.revision for s in script.get_revisions(tuple(db_heads)) if s is not None}
    heads = {s.revision for s in script.get_revisions("heads") if s is not None}
    return current != heads


class RevisionContext:
    """Builds the ``MigrationScript`` of ``revision`` (with or without autogenerate)
    inside env.py's ``fn(heads, context)`` hook, then writes the file(s).

    ``command_args``: ``message``, ``rev_id``, ``head``, ``splice``, ``branch_label``,
    ``version_path``, ``depends_on`` (as ``command.revision`` takes them).
    ``template_args`` is the dict env.py's ``context.configure(template_args=...)``
    should update (pass it to the environment run).
    """

    def __init__(
        self,
        config: Any,
        script_directory: Any,
        command_args: dict[str, Any],
        process_revision_directives: Callable[..., Any] | None = None,
        decide_rename: Callable[[Any], bool] | None = None,
    ) -> None:
        self.config = config
        self.script_directory = script_directory
        self.command_args = dict(command_args)
        self.process_revision_directives = process_revision_directives
        #: asked about each rename candidate (None: keep every drop + add)
        self.decide_rename = decide_rename
        self.template_args: dict[str, Any] = {"config": config}
        self.generated_revisions: list[MigrationScript] = [self._blank_script()]
        self.autogen_context: AutogenContext | None = None
        self._ran = False

    def _blank_script(self) -> MigrationScript:
        from engine.scripts.writer import new_rev_id

        args = self.command_args
        return MigrationScript(
            rev_id=args.get("rev_id") or new_rev_id(),
            upgrade_ops=UpgradeOps([]),
            downgrade_ops=DowngradeOps([]),
            message=args.get("message"),
            head=args.get("head", "head"),
            splice=args.get("splice", False),
            branch_label=args.get("branch_label"),
            version_path=args.get("version_path"),
            depends_on=args.get("depends_on"),
        )

    # -- inside env.py ----------------------------------------------------------

    def run_autogenerate(self, rev: Sequence[str], migration_context: Any) -> None:
        """Compare the target metadata with the database and record the result.

        Refuses when the database is not at the script directory's heads: the
        comparison would otherwise re-discover changes made by revisions not yet run.
        """
        script = self.script_directory
        if script is not None and _db_not_up_to_date(script, rev):
            raise CommandError(
                "Target database is not up to date.",
                hint="Run `tui-migrate upgrade heads` first, then autogenerate again.",
            )
        self._run(rev, migration_context, autogenerate=True)

    def run_no_autogenerate(self, rev: Sequence[str], migration_context: Any) -> None:
        """A blank revision, still passed through ``process_revision_directives``."""
        self._run(rev, migration_context, autogenerate=False)

    def _run(self, rev: Sequence[str], migration_context: Any, autogenerate: bool) -> None:
        opts = migration_context.opts
        upgrade_token = opts.get("upgrade_token") or "upgrades"
        downgrade_token = opts.get("downgrade_token") or "downgrades"
        script = self.generated_revisions[-1]
        if self._ran:
            # multi-database env.py: one upgrade_<token>() section per database
            script._upgrade_ops.append(UpgradeOps([], upgrade_token=upgrade_token))
            script._downgrade_ops.append(DowngradeOps([], downgrade_token=downgrade_token))
        else:
            script.upgrade_ops_list[-1].upgrade_token = upgrade_token
            script.downgrade_ops_list[-1].downgrade_token = downgrade_token
        self._ran = True
        autogen_context = AutogenContext(migration_context, autogenerate=autogenerate)
        self.autogen_context = autogen_context
        if autogenerate:
            populate_migration_script(autogen_context, script, self.decide_rename)
        for hook in (opts.get("process_revision_directives"), self.process_revision_directives):
            for fn in _as_list(hook):
                fn(migration_context, rev, self.generated_revisions)
        if autogenerate:
            from engine.autogenerate.risks import annotate_script

            for generated in self.generated_revisions:  # as the hooks left them
                annotate_script(generated, autogen_context.dialect)
        for generated in self.generated_revisions:
            generated._needs_render = True  # type: ignore[attr-defined]

    # -- after env.py -----------------------------------------------------------

    def generate_scripts(self) -> Iterator[Any]:
        """Write one file per ``MigrationScript`` left in ``generated_revisions``."""
        for migration_script in self.generated_revisions:
            yield self._write(migration_script)

    def render_template_args(self, migration_script: MigrationScript) -> dict[str, Any]:
        """The template variables of one script: ``imports``, ``upgrades``,
        ``downgrades`` (or the multi-database tokens), plus env.py's template_args."""
        template_args = dict(self.template_args)
        if not getattr(migration_script, "_needs_render", False):
            template_args.setdefault("imports", "")
            for up in migration_script.upgrade_ops_list:
                template_args.setdefault(up.upgrade_token, None)
            for down in migration_script.downgrade_ops_list:
                template_args.setdefault(down.downgrade_token, None)
            return template_args
        from engine.autogenerate.render import _render_cmd_body, indent_body

        autogen_context = self.autogen_context or AutogenContext(None, autogenerate=False)
        autogen_context.imports = set(migration_script.imports)
        for up, down in zip(
            migration_script.upgrade_ops_list, migration_script.downgrade_ops_list, strict=False
        ):
            template_args[up.upgrade_token] = indent_body(_render_cmd_body(up, autogen_context))
            template_args[down.downgrade_token] = indent_body(
                _render_cmd_body(down, autogen_context)
            )
        template_args["imports"] = "\n".join(sorted(autogen_context.imports))
        return template_args

    def _write(self, migration_script: MigrationScript) -> Any:
        template_args = self.render_template_args(migration_script)
        template_args.pop("config", None)
        return self.script_directory.generate_revision(
            migration_script.rev_id,
            migration_script.message,
            head=migration_script.head,
            splice=migration_script.splice,
            branch_labels=migration_script.branch_label,
            version_path=migration_script.version_path,
            depends_on=migration_script.depends_on,
            config=self.config,
            **template_args,
        )


def autogenerate_scripts(
    migration_context: Any,
    metadata: Any = None,
    *,
    rev_id: str | None = None,
    message: str | None = None,
    head: str = "head",
    splice: bool = False,
    branch_label: Any = None,
    version_path: Any = None,
    depends_on: Any = None,
    db_heads: Sequence[str] | None = None,
    process_revision_directives: Callable[..., Any] | None = None,
) -> list[MigrationScript]:
    """Every ``MigrationScript`` of an autogenerated revision (usually one; a
    ``process_revision_directives`` hook may remove it or add more)."""
    if metadata is not None:
        migration_context.opts = {**migration_context.opts, "target_metadata": metadata}
    revision_context = RevisionContext(
        getattr(migration_context, "config", None),
        migration_context.script,
        {
            "rev_id": rev_id,
            "message": message,
            "head": head,
            "splice": splice,
            "branch_label": branch_label,
            "version_path": version_path,
            "depends_on": depends_on,
        },
        process_revision_directives=process_revision_directives,
    )
    heads = tuple(db_heads) if db_heads is not None else migration_context.get_current_heads()
    revision_context.run_autogenerate(heads, migration_context)
    return list(revision_context.generated_revisions)


def autogenerate_script(
    migration_context: Any,
    metadata: Any = None,
    *,
    rev_id: str | None = None,
    message: str | None = None,
    head: str = "head",
    splice: bool = False,
    branch_label: Any = None,
    version_path: Any = None,
    depends_on: Any = None,
    db_heads: Sequence[str] | None = None,
) -> MigrationScript | None:
    """The ``MigrationScript`` of ``revision --autogenerate``, built with the live
    connection env.py configured (call it from the ``fn(heads, context)`` hook).

    Raises ``CommandError("Target database is not up to date.")`` when the
    database is not at the heads. Applies ``process_revision_directives`` from
    ``context.configure()``; returns None when that hook removed the script.
    """
    scripts = autogenerate_scripts(
        migration_context,
        metadata,
        rev_id=rev_id,
        message=message,
        head=head,
        splice=splice,
        branch_label=branch_label,
        version_path=version_path,
        depends_on=depends_on,
        db_heads=db_heads,
    )
    return scripts[0] if scripts else None


__all__ = [
    "AutogenContext",
    "RevisionContext",
    "autogenerate_script",
    "autogenerate_scripts",
    "compare_metadata",
    "populate_migration_script",
    "produce_migrations",
]
