"""``ScriptDirectory``: a project's migration scripts and their revision graph.

Ties the pieces together: the configuration says where the scripts live;
``files`` finds the version files; ``Script.from_path`` reads each header
without executing it; ``RevisionMap`` builds the graph (lazily, once); and
``generate_revision`` writes a new file from the project's ``script.py.mako``.
The API mirrors Alembic's ``alembic.script.ScriptDirectory``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from engine.compat import alembic_served
from engine.errors import CommandError, MigrateError, RevisionError
from engine.revisions.iteration import iterate_revisions
from engine.revisions.plans import downgrade_plan, stamp_steps, upgrade_plan
from engine.revisions.revision import Revision, to_tuple, tuple_as_scalar, verify_rev_id
from engine.revisions.revision_map import RevisionMap
from engine.scripts.files import iter_version_files
from engine.scripts.header import read_header
from engine.scripts.header_cache import HeaderCache
from engine.scripts.script import Script
from engine.scripts.writer import (
    DEFAULT_FILE_TEMPLATE,
    DEFAULT_TRUNCATE_SLUG_LENGTH,
    create_date,
    render_template,
    revision_path,
    write_atomic,
)


class ScriptDirectory:
    def __init__(
        self,
        dir: str | os.PathLike[str],  # noqa: A002 - Alembic's name
        file_template: str = DEFAULT_FILE_TEMPLATE,
        truncate_slug_length: int | None = DEFAULT_TRUNCATE_SLUG_LENGTH,
        version_locations: Sequence[str | os.PathLike[str]] | None = None,
        sourceless: bool = False,
        output_encoding: str = "utf-8",
        timezone: str | None = None,
        hooks: Sequence[dict[str, Any]] = (),
        recursive_version_locations: bool = False,
        messaging_opts: dict[str, Any] | None = None,
    ) -> None:
        self.dir = os.fspath(dir)
        self.file_template = file_template
        self.truncate_slug_length = (
            DEFAULT_TRUNCATE_SLUG_LENGTH if truncate_slug_length is None else truncate_slug_length
        )
        self.version_locations = [os.fspath(v) for v in version_locations or ()]
        self.sourceless = sourceless
        self.output_encoding = output_encoding
        self.timezone = timezone
        self.hooks = list(hooks)
        self.recursive_version_locations = recursive_version_locations
        self.messaging_opts = messaging_opts or {}
        self._map: RevisionMap | None = None
        if not os.path.isdir(self.dir):
            raise CommandError(
                f"Path doesn't exist: {self.dir!r}",
                hint="Use the 'init' command to create a new scripts folder, "
                "or fix script_location in the configuration.",
            )

    @classmethod
    def from_config(cls, config: Any) -> ScriptDirectory:
        location = config.get_script_location()
        tsl = config.get_alembic_option("truncate_slug_length")
        try:
            truncate = int(tsl) if tsl not in (None, "") else None
        except ValueError as err:
            raise CommandError(
                f"truncate_slug_length must be a number, not {tsl!r}",
                hint=f"Fix it in {config.describe_files()}.",
            ) from err
        prepend = config.get_prepend_sys_paths_list()
        if prepend:
            sys.path[:0] = prepend
        return cls(
            location,
            file_template=config.get_alembic_option("file_template", DEFAULT_FILE_TEMPLATE),
            truncate_slug_length=truncate,
            sourceless=config.get_alembic_boolean_option("sourceless"),
            output_encoding=config.get_alembic_option("output_encoding", "utf-8"),
            version_locations=config.get_version_locations_list(),
            timezone=config.get_alembic_option("timezone"),
            hooks=config.get_hooks_list(),
            recursive_version_locations=config.get_alembic_boolean_option(
                "recursive_version_locations"
            ),
            messaging_opts=config.messaging_opts,
        )

    # ------------------------------------------------------------- locations

    @property
    def versions(self) -> str:
        """The single version directory (the first version location)."""
        return str(self._version_dirs()[0])

    def _version_dirs(self) -> list[Path]:
        if self.version_locations:
            return [Path(v) for v in self.version_locations]
        return [Path(self.dir) / "versions"]

    @property
    def env_py_location(self) -> str:
        return os.path.abspath(os.path.join(self.dir, "env.py"))

    # ------------------------------------------------------------- the graph

    def _load_scripts(self) -> Iterator[Script]:
        dirs = self._version_dirs()
        if not self.version_locations and not dirs[0].is_dir():
            raise CommandError(
                f"Version directory {str(dirs[0])!r} doesn't exist",
                hint="Create it, or set version_locations in the configuration.",
            )
        caches: dict[str, HeaderCache] = {}
        with alembic_served():
            for path in iter_version_files(
                dirs, recursive=self.recursive_version_locations, sourceless=self.sourceless
            ):
                directory = os.path.dirname(path)
                cache = caches.get(directory)
                if cache is None:
                    cache = caches[directory] = HeaderCache(directory)
                script = self._script_for(path, cache)
                if script is not None:
                    yield script
        for cache in caches.values():
            cache.save()

    def _script_for(self, path: str, cache: HeaderCache) -> Script | None:
        if not path.endswith(".py"):
            return Script.from_path(path, sourceless=self.sourceless)
        try:
            stat = os.stat(path)
        except OSError:
            return Script.from_path(path, sourceless=self.sourceless)
        fields = cache.get(path, stat)
        if fields is not None:
            rev, down, deps, labels, doc, created = fields
            return Script(rev, down, deps, labels, path=path, docstring=doc, create_date=created)
        # Not cached: check that Python can compile it (Alembic would import
        # it), then read the header.
        read_header(path, validate=True)
        script = Script.from_path(path, sourceless=self.sourceless)
        if script is not None and not script.module_loaded:
            cache.put(
                path,
                stat,
                (
                    script.revision,
                    script.down_revision,
                    script.dependencies,
                    tuple(sorted(script._orig_branch_labels)) or None,
                    script.docstring,
                    script.create_date,
                ),
            )
        return script

    @property
    def revision_map(self) -> RevisionMap:
        if self._map is None:
            self._map = RevisionMap(list(self._load_scripts()))
        return self._map

    def walk_revisions(self, base: str = "base", head: str = "heads") -> Iterator[Script]:
        """Every revision from ``head`` down to ``base``, newest first."""
        yield from iterate_revisions(  # type: ignore[misc]
            self.revision_map, head, base, inclusive=True, assert_relative_length=False
        )

    def get_revisions(self, id_: Any) -> tuple[Script, ...]:
        return self.revision_map.get_revisions(id_)  # type: ignore[return-value]

    def get_all_current(self, id_: tuple[str, ...]) -> set[Script]:
        return self.revision_map.all_current(id_)  # type: ignore[return-value]

    def get_revision(self, id_: str) -> Script:
        return self.revision_map.get_revision(id_)  # type: ignore[return-value]

    def as_revision_number(self, id_: str | None) -> str | tuple[str, ...] | None:
        ids, _ = self.revision_map.resolve_revision_number(id_)
        if not ids:
            return None
        if id_ == "heads":
            return ids
        return ids[0]

    def iterate_revisions(self, upper: Any, lower: Any, **kw: Any) -> Iterator[Script]:
        return iterate_revisions(self.revision_map, upper, lower, **kw)  # type: ignore[return-value]

    def get_current_head(self) -> str | None:
        return self.revision_map.get_current_head()

    def get_heads(self) -> list[str]:
        return list(self.revision_map.heads)

    def get_base(self) -> str | None:
        bases = self.get_bases()
        if len(bases) > 1:
            raise CommandError(
                "The script directory has multiple bases: " + ", ".join(bases),
                hint="Use get_bases() to get all of them.",
            )
        return bases[0] if bases else None

    def get_bases(self) -> list[str]:
        return list(self.revision_map.bases)

    # ------------------------------------------------------------- running

    def run_env(self) -> None:
        """Execute env.py, with ``import alembic`` answered by the engine."""
        import sqlalchemy.exc

        from engine.scripts.loader import load_module

        with alembic_served():
            load_module(
                self.env_py_location,
                what="env.py",
                passthrough=(
                    MigrateError,
                    sqlalchemy.exc.SQLAlchemyError,
                    KeyboardInterrupt,
                    BrokenPipeError,  # `--sql | head`: the reader left, not an env.py bug
                ),
            )

    def _upgrade_revs(self, destination: str, current_rev: Sequence[str]) -> list[Any]:
        return [p.step for p in upgrade_plan(self.revision_map, destination, current_rev).steps]

    def _downgrade_revs(self, destination: str, current_rev: Sequence[str]) -> list[Any]:
        plan = downgrade_plan(self.revision_map, destination, current_rev)
        return [p.step for p in plan.steps]

    def _stamp_revs(self, revision: Any, heads: Sequence[str]) -> list[Any]:
        return list(stamp_steps(self.revision_map, revision, heads))

    # ------------------------------------------------------------- writing

    def generate_revision(
        self,
        revid: str,
        message: str | None,
        head: str | Sequence[str] | None = None,
        splice: bool | None = False,
        branch_labels: str | Sequence[str] | None = None,
        version_path: str | os.PathLike[str] | None = None,
        file_template: str | None = None,
        depends_on: str | Sequence[str] | None = None,
        **kw: Any,
    ) -> Script:
        """Write a new revision file from ``script.py.mako``; return its ``Script``."""
        try:
            verify_rev_id(revid)
        except RevisionError as err:
            raise CommandError(str(err)) from err
        rmap = self.revision_map
        if revid in rmap:
            raise CommandError(
                f"Revision {revid} is already present in {rmap.revisions[revid].path}",  # type: ignore[attr-defined]
                hint="Choose another --rev-id, or leave it out to get a new one.",
            )
        heads = self._heads_for_new_revision(head if head is not None else "head")
        if not splice:
            for h in heads:
                if not h.is_head:
                    raise CommandError(
                        f"Revision {h.revision} is not a head revision; please specify "
                        "--splice to create a new branch from this revision"
                    )
        labels = to_tuple(branch_labels)
        for label in labels:
            if label in rmap.branch_labels or label in rmap:
                holder = rmap.branch_labels.get(label) or rmap.revisions.get(label)
                raise CommandError(
                    f"Branch label {label!r} is already used by revision {holder.revision}"  # type: ignore[union-attr]
                )
        deps = self._resolve_depends_on(depends_on)
        when = create_date(self.timezone)
        directory = self._version_dir_for(heads, version_path)
        path = revision_path(
            directory,
            file_template or self.file_template,
            revid,
            message,
            when,
            self.truncate_slug_length,
        )
        if os.path.exists(path):
            raise CommandError(f"File {path} already exists; not overwriting it")
        template = Path(self.dir) / "script.py.mako"
        if not template.is_file():
            raise CommandError(
                f"Template {template} is missing",
                hint="Every script directory needs a script.py.mako; 'init' writes one.",
            )
        text = render_template(
            template,
            up_revision=str(revid),
            down_revision=tuple_as_scalar(tuple(h.revision for h in heads)),
            branch_labels=labels or None,
            depends_on=tuple_as_scalar(tuple(deps)),
            create_date=when,
            message=message if message is not None else "empty message",
            **kw,
        )
        write_atomic(path, text, self.output_encoding)
        if self.hooks:
            from engine.scripts.hooks import run_hooks

            run_hooks(path, self.hooks)
        try:
            script = Script.from_path(path, sourceless=False)
        except MigrateError:
            raise
        if script is None:
            raise CommandError(f"The new file {path} is not a version file (check file_template)")
        if labels and not script.branch_labels:
            raise CommandError(
                f"Version {script.revision} specified branch_labels {', '.join(labels)}, "
                f"however the migration file {path} does not have them",
                hint="Add the branch_labels line to script.py.mako.",
            )
        self._map = None  # rebuilt with the new file on next use
        return script

    def _heads_for_new_revision(self, head: str | Sequence[str]) -> list[Revision]:
        from engine.errors import MultipleHeads

        try:
            found = self.revision_map.get_revisions(head)
        except MultipleHeads as err:
            raise CommandError(
                "Multiple heads are present; please specify the head revision on which "
                "the new revision should be based, or perform a merge.",
                hint="Heads: " + ", ".join(err.heads),
            ) from err
        heads = [h for h in found if isinstance(h, Revision)]
        if len(heads) != len(found):
            raise CommandError(f"--head {head!r} does not name a revision")
        if len({h.revision for h in heads}) != len(heads):
            raise CommandError("Duplicate head revisions specified")
        return heads

    def _resolve_depends_on(self, depends_on: str | Sequence[str] | None) -> list[str]:
        out = []
        for dep in to_tuple(depends_on):
            rev = self.revision_map.get_revision(dep)
            if rev is None:
                raise CommandError(f"--depends-on {dep!r} does not name a revision")
            # keep a branch label as written; resolve partial ids
            out.append(dep if dep in rev.branch_labels else rev.revision)
        return out

    def _version_dir_for(
        self, heads: Sequence[Revision], version_path: str | os.PathLike[str] | None
    ) -> Path:
        dirs = self._version_dirs()
        if version_path is None:
            if len(dirs) > 1:
                for h in heads:
                    return Path(h.path).parent  # type: ignore[attr-defined]
                raise CommandError(
                    "Multiple version locations present, please specify --version-path",
                    hint="One of: " + ", ".join(str(d) for d in dirs),
                )
            chosen = dirs[0]
        else:
            chosen = Path(version_path)
        wanted = chosen.absolute()
        if not any(d.absolute() == wanted for d in dirs):
            raise CommandError(
                f"Path {chosen} is not represented in current version locations",
                hint="One of: " + ", ".join(str(d) for d in dirs),
            )
        return chosen
