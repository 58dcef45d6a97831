"""``Script``: a revision backed by a version file.

The header (identity, links, docstring) usually comes from the file's source
text without executing it (``header.read_header``); the module itself is
executed only when something asks for ``Script.module`` (running the
migration, or a value in the header that is not a literal).

The text formats (``log_entry``, ``cmd_format``, ``__str__``) are the ones
``alembic history`` / ``heads`` / ``branches`` / ``show`` print, character for
character, so that scripts parsing Alembic's output keep working. One
deliberate difference: where Alembic lists a *set* (branch names, "Branches
into"), in the set's arbitrary iteration order, we list it sorted.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from engine.errors import ScriptError
from engine.revisions.revision import Revision
from engine.scripts.files import is_version_filename, shadowed_compiled
from engine.scripts.header import create_date_of, load_module, read_header

_LEGACY_REV_RE = re.compile(r"([a-f0-9]+)\.py$")


def format_as_comma(value: str | Iterable[str] | None) -> str:
    """``None`` -> "", a string as is, an iterable joined with ", "."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return ", ".join(value)


class Script(Revision):
    """A node of the revision graph that is a version file."""

    _db_current_indicator: bool | None = None
    """When true, the text formats mark this revision "(current)"."""

    def __init__(
        self,
        revision: str,
        down_revision: str | Iterable[str] | None,
        dependencies: str | Iterable[str] | None = None,
        branch_labels: str | Iterable[str] | None = None,
        *,
        path: str,
        docstring: str | None = None,
        create_date: str | None = None,
        module: ModuleType | None = None,
    ) -> None:
        super().__init__(revision, down_revision, dependencies, branch_labels)
        self.path = path
        self.docstring = docstring
        self.create_date = create_date
        self._module = module

    # --- construction ------------------------------------------------------------

    @classmethod
    def from_path(cls, path: str | os.PathLike[str], *, sourceless: bool = False) -> Script | None:
        """The ``Script`` of a version file, or None when ``path`` is not one.

        Not version files (by Alembic's rules): names not ending in ``.py``
        (sourceless: ``.py``/``.pyc``/``.pyo``), ``__init__*``, ``.#*`` editor
        locks, and a compiled file shadowed by its source in the same
        directory. Raises ``ScriptError`` for a file that cannot be read or
        executed, or that declares no revision.
        """
        path = os.fspath(path)
        directory, name = os.path.split(path)
        if not is_version_filename(name, sourceless=sourceless):
            return None
        if name.endswith((".pyc", ".pyo")):
            if shadowed_compiled(name, None, directory):
                return None
            return cls.from_module(load_module(path), path)
        header = read_header(path)
        assert header is not None
        if header.literal:
            return cls(
                header.revision,  # type: ignore[arg-type]
                header.down_revision,
                header.depends_on,
                header.branch_labels,
                path=path,
                docstring=header.docstring,
                create_date=header.create_date,
            )
        return cls.from_module(load_module(path), path)

    @classmethod
    def from_module(cls, module: ModuleType, path: str) -> Script:
        """A ``Script`` from an executed version file (Alembic's rules)."""
        name = os.path.basename(path)
        revision = getattr(module, "revision", None)
        if not hasattr(module, "revision"):
            m = _LEGACY_REV_RE.match(name)
            if m is None:
                raise ScriptError(
                    f"Could not determine revision id from version file {path}",
                    path=path,
                    hint='Declare revision = "<id>" at module level in the file.',
                )
            revision = m.group(1)
        if not hasattr(module, "down_revision"):
            raise ScriptError(
                f"Version file {path} does not declare down_revision",
                path=path,
                hint="Declare down_revision = None (a base) or the parent revision id.",
            )
        doc = module.__doc__ if isinstance(module.__doc__, str) else None
        return cls(
            revision,
            module.down_revision,
            getattr(module, "depends_on", None),
            getattr(module, "branch_labels", None),
            path=path,
            docstring=doc,
            create_date=create_date_of(doc),
            module=module,
        )

    # --- the module --------------------------------------------------------------

    @property
    def module(self) -> ModuleType:
        """The executed version file (executed on first access)."""
        if self._module is None:
            self._module = load_module(self.path)
        return self._module

    @module.setter
    def module(self, value: ModuleType) -> None:
        self._module = value

    @property
    def module_loaded(self) -> bool:
        return self._module is not None

    @property
    def _script_path(self) -> Path:
        return Path(self.path)

    # --- docs --------------------------------------------------------------------

    @property
    def longdoc(self) -> str:
        """The docstring, stripped ("" when there is none)."""
        return self.docstring.strip() if self.docstring else ""

    @property
    def doc(self) -> str:
        """The docstring's first paragraph (the revision message)."""
        return self.longdoc.split("\n\n", 1)[0]

    # --- text formats (Alembic's) ------------------------------------------------

    def _format_down_revision(self) -> str:
        if not self.down_revision:
            return "<base>"
        return format_as_comma(self.versioned_down_revisions)

    def _flags(self, *names: str) -> str:
        out = []
        for flag in names:
            if flag == "head" and self.is_head:
                out.append(" (head)")
            elif flag == "branchpoint" and self.is_branch_point:
                out.append(" (branchpoint)")
            elif flag == "mergepoint" and self.is_merge_point:
                out.append(" (mergepoint)")
            elif flag == "current" and self._db_current_indicator:
                out.append(" (current)")
        return "".join(out)

    @property
    def log_entry(self) -> str:
        """The block ``history --verbose`` and ``show`` print for this revision."""
        flags = self._flags("head", "branchpoint", "mergepoint", "current")
        lines = [f"Rev: {self.revision}{flags}"]
        if self.is_merge_point:
            lines.append(f"Merges: {self._format_down_revision()}")
        else:
            lines.append(f"Parent: {self._format_down_revision()}")
        if self.dependencies:
            lines.append(f"Also depends on: {format_as_comma(self.dependencies)}")
        if self.is_branch_point:
            lines.append(f"Branches into: {format_as_comma(sorted(self.nextrev))}")
        if self.branch_labels:
            lines.append(f"Branch names: {format_as_comma(sorted(self.branch_labels))}")
        lines.append(f"Path: {self.path}")
        lines.append("")
        lines.append("\n".join(f"    {para}" for para in self.longdoc.splitlines()))
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return (
            f"{self._format_down_revision()} -> {self.revision}"
            f"{self._flags('head', 'branchpoint', 'mergepoint')}, {self.doc}"
        )

    def _head_only(
        self,
        include_branches: bool = False,
        include_doc: bool = False,
        include_parents: bool = False,
        tree_indicators: bool = True,
        head_indicators: bool = True,
    ) -> str:
        text = self.revision
        if include_parents:
            if self.dependencies:
                text = (
                    f"{self._format_down_revision()} "
                    f"({format_as_comma(self.dependencies)}) -> {text}"
                )
            else:
                text = f"{self._format_down_revision()} -> {text}"
        if include_branches and self.branch_labels:
            text += f" ({format_as_comma(sorted(self.branch_labels))})"
        if head_indicators or tree_indicators:
            if self.is_real_head:
                text += " (head)"
            if self.is_head and not self.is_real_head:
                text += " (effective head)"
            if self._db_current_indicator:
                text += " (current)"
        if tree_indicators:
            text += self._flags("branchpoint", "mergepoint")
        if include_doc:
            text += f", {self.doc}"
        return text

    def cmd_format(
        self,
        verbose: bool,
        include_branches: bool = False,
        include_doc: bool = False,
        include_parents: bool = False,
        tree_indicators: bool = True,
        head_indicators: bool = True,
    ) -> str:
        """One revision as ``history`` / ``heads`` / ``branches`` print it."""
        if verbose:
            return self.log_entry
        return self._head_only(
            include_branches, include_doc, include_parents, tree_indicators, head_indicators
        )
