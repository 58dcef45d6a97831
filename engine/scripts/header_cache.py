"""A cache of version-file headers, so big histories load in milliseconds.

Reading a header needs the file's text and, to report a syntax error the way
Alembic would (it imports every file), a compile. For 10,000 files that is
about a second, every time. Like Python's own ``__pycache__``, we keep what we
learnt per file, keyed by its size and modification time, in
``<version dir>/__pycache__/tui_migrate_headers.marshal``; a file whose stat
changed is read and compiled again. Only headers whose values are literals are
cached (others must be executed anyway). A cache that cannot be read or
written is ignored: it is an optimisation, never a source of truth.
"""

from __future__ import annotations

import marshal
import os
from typing import Any

from engine.errors import MigrateError
from engine.scripts.writer import write_atomic

CACHE_NAME = "tui_migrate_headers.marshal"
FORMAT = 1

Entry = tuple[int, int, tuple[Any, ...]]  # (mtime_ns, size, header fields)


class HeaderCache:
    def __init__(self, directory: str) -> None:
        self.path = os.path.join(directory, "__pycache__", CACHE_NAME)
        self.entries: dict[str, Entry] = {}
        self.dirty = False
        try:
            # One read, then loads(): marshal.load(f) reads a file object piece
            # by piece (a call per value), several times slower on a big cache.
            with open(self.path, "rb") as f:
                data = marshal.loads(f.read())
            if isinstance(data, dict) and data.get("format") == FORMAT:
                self.entries = data["entries"]
        except (OSError, EOFError, ValueError, TypeError, KeyError):
            self.entries = {}
        self.seen: set[str] = set()

    def get(self, path: str, stat: os.stat_result) -> tuple[Any, ...] | None:
        self.seen.add(path)
        # By path, else by file name (when dirname(path) is empty the two are one).
        entry = self.entries.get(path) or self.entries.get(os.path.basename(path))
        if entry and entry[0] == stat.st_mtime_ns and entry[1] == stat.st_size:
            return entry[2]
        return None

    def put(self, path: str, stat: os.stat_result, fields: tuple[Any, ...]) -> None:
        self.entries[path] = (stat.st_mtime_ns, stat.st_size, fields)
        self.seen.add(path)
        self.dirty = True

    def save(self) -> None:
        stale = set(self.entries) - self.seen
        for key in stale:
            del self.entries[key]
        if not (self.dirty or stale):
            return
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            write_atomic(self.path, marshal.dumps({"format": FORMAT, "entries": self.entries}))
        except (OSError, ValueError, MigrateError):
            pass  # read-only project, or an unmarshallable value: just don't cache
