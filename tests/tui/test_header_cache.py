"""The version-file header cache the TUI opens big projects on (engine/scripts/header_cache.py).

The cache is what lets 10,000 revisions open in about a second; these tests pin
that it is written, read back to the same revision map, refreshed for a file
that changed, and ignored when it is damaged. Real files, no database.
"""

from __future__ import annotations

import os
from pathlib import Path

from engine import commands
from engine.config import Config
from engine.scripts.header_cache import CACHE_NAME
from tests.tui.helpers import demo_project


def _map(config: Config) -> dict[str, tuple[object, ...]]:
    """Each revision's identity, links and message, read freshly from the files."""
    rmap = commands.script_directory(config).revision_map
    return {
        r.revision: (
            r.versioned_down_revisions,
            r.dependencies,
            tuple(sorted(r._orig_branch_labels)),
            r.doc,
            r.path,
        )
        for r in rmap
    }


def test_the_cache_is_written_read_back_and_follows_edits(tmp_path: Path) -> None:
    config = demo_project(tmp_path, f"sqlite:///{tmp_path / 'demo.db'}")
    versions = tmp_path / "migrations" / "versions"
    cache = versions / "__pycache__" / CACHE_NAME
    first = _map(config)
    assert cache.is_file()
    written = cache.stat().st_mtime_ns
    assert _map(config) == first  # read from the cache: the same map
    assert cache.stat().st_mtime_ns == written  # nothing changed: not rewritten

    # A file whose content (and so its size and mtime) changed is read again.
    path = Path(next(p for p in first.values() if p[3])[4])  # type: ignore[arg-type]
    rev_id = next(k for k, v in first.items() if v[4] == str(path))
    old_doc = first[rev_id][3]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(str(old_doc), "renamed in place", 1), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    again = _map(config)
    assert again[rev_id][3] == "renamed in place"
    assert {k: v for k, v in again.items() if k != rev_id} == {
        k: v for k, v in first.items() if k != rev_id
    }


def test_a_damaged_cache_is_ignored_and_rewritten(tmp_path: Path) -> None:
    config = demo_project(tmp_path, f"sqlite:///{tmp_path / 'demo.db'}")
    cache = tmp_path / "migrations" / "versions" / "__pycache__" / CACHE_NAME
    first = _map(config)
    for damage in (b"", b"\x00not marshal data", cache.read_bytes()[:100]):
        cache.write_bytes(damage)
        assert _map(config) == first
        assert cache.read_bytes() != damage  # rewritten whole
