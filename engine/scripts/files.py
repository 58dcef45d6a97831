"""Finding version files in version locations.

The rules are Alembic's, so the same files count as revisions:

* a version file ends in ``.py`` (sourceless mode: also ``.pyc`` / ``.pyo``)
  and its name does not start with ``__init__`` or ``.#`` (an editor lock);
* sourceless mode prefers ``x.py`` over ``x.pyc`` over ``x.pyo`` in the same
  directory, and also takes ``__pycache__/x.cpython-XY.pyc`` files whose
  module has no file of that name in the directory itself;
* order: file names sorted within a directory (then its ``__pycache__``
  extras), then, when ``recursive``, each sub-directory in sorted order, depth
  first. ``__pycache__`` directories and symlinked directories are not walked
  into, and a location that does not exist yields nothing.

Paths are resolved (absolute, symlinks followed), as Alembic resolves them:
the same strings it shows as ``Path:`` in ``history --verbose``. A file seen
twice (overlapping locations) is yielded once; Alembic warns about it, so the
repeats are appended to ``duplicates`` when a list is given. The resolving
costs one ``realpath`` per location (and per symlinked file), not per file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

_COMPILED = (".pyc", ".pyo")


def is_version_filename(name: str, *, sourceless: bool = False) -> bool:
    """Does a file of this name count as a version file (by its name alone)?"""
    if name.startswith(("__init__", ".#")) or "\n" in name:
        return False
    if name.endswith(".py"):
        return True
    return sourceless and name.endswith(_COMPILED)


def shadowed_compiled(name: str, siblings: set[str] | None, directory: str = "") -> bool:
    """Is ``x.pyc`` / ``x.pyo`` shadowed by ``x.py`` (or ``x.pyo`` by ``x.pyc``)?

    ``siblings`` is the set of names in the directory; when None, the file
    system is asked (``directory`` is then the file's directory).
    """
    if not name.endswith(_COMPILED):
        return False
    source = name[:-1]
    candidates = [source]
    if name.endswith(".pyo"):
        candidates.append(source + "c")
    if siblings is not None:
        return any(c in siblings for c in candidates)
    return any(os.path.exists(os.path.join(directory, c)) for c in candidates)


def iter_version_files(
    locations: Sequence[str | os.PathLike[str]],
    *,
    recursive: bool,
    sourceless: bool,
    duplicates: list[str] | None = None,
) -> Iterator[str]:
    """Yield the version files of ``locations``, in a deterministic order."""
    seen: set[str] = set()
    for location in locations:
        root = os.path.realpath(os.fspath(location))
        for path in _walk(root, recursive, sourceless):
            if path in seen:
                if duplicates is not None:
                    duplicates.append(path)
                continue
            seen.add(path)
            yield path


def _scan(directory: str) -> tuple[list[str], list[str], set[str], set[str]] | None:
    """(sorted file names, sorted sub-directories to walk, all dir names, symlinked files)."""
    try:
        with os.scandir(directory) as it:
            entries = list(it)
    except OSError:
        return None
    files: list[str] = []
    walk: list[str] = []
    dirs: set[str] = set()
    links: set[str] = set()
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if not is_dir:
            files.append(entry.name)
            if entry.is_symlink():
                links.add(entry.name)
            continue
        dirs.add(entry.name)
        if not entry.name.endswith("__pycache__") and not entry.is_symlink():
            walk.append(entry.name)
    files.sort()
    walk.sort()
    return files, walk, dirs, links


def _walk(directory: str, recursive: bool, sourceless: bool) -> Iterator[str]:
    scanned = _scan(directory)
    if scanned is None:
        return
    files, subdirs, dirs, links = scanned
    names = set(files) if sourceless else None
    for name in files:
        if name in links:
            path = _linked_version_file(os.path.join(directory, name), sourceless)
            if path is not None:
                yield path
        elif is_version_filename(name, sourceless=sourceless) and not (
            sourceless and shadowed_compiled(name, names)
        ):
            yield os.path.join(directory, name)
    if sourceless and "__pycache__" in dirs:
        yield from _pycache_extras(directory, files)
    if recursive:
        for sub in subdirs:
            yield from _walk(os.path.join(directory, sub), recursive, sourceless)


def _pycache_extras(directory: str, files: list[str]) -> Iterator[str]:
    """``__pycache__`` files for modules that have no file in ``directory``."""
    cache = os.path.join(directory, "__pycache__")
    scanned = _scan(cache)
    if scanned is None:
        return
    stems = {name.split(".")[0] for name in files}
    cached, links = scanned[0], scanned[3]
    names = set(cached)
    for name in cached:
        if name.split(".")[0] in stems:
            continue
        if name in links:
            path = _linked_version_file(os.path.join(cache, name), True)
            if path is not None:
                yield path
        elif is_version_filename(name, sourceless=True) and not shadowed_compiled(name, names):
            yield os.path.join(cache, name)


def _linked_version_file(path: str, sourceless: bool) -> str | None:
    """A symlinked file counts by the name of what it points to (Alembic resolves first)."""
    real = os.path.realpath(path)
    directory, name = os.path.split(real)
    if not is_version_filename(name, sourceless=sourceless):
        return None
    if sourceless and shadowed_compiled(name, None, directory):
        return None
    return real
