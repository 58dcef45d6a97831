"""Loading version files from their ``__pycache__`` bytecode (engine/scripts/loader.py).

The fast path must give the module the import system would give, and must never
run stale bytecode: a changed source, a hash-based or damaged cache file, or a
sourceless project goes through importlib as before.
"""

from __future__ import annotations

import importlib.util
import os
import py_compile
import sys
from pathlib import Path

import pytest

from engine.scripts import loader
from engine.scripts.loader import load_module, module_name_for

SOURCE = 'revision = "r1"\nVALUE = {value}\n\n\ndef upgrade():\n    return __name__\n'


def write(path: Path, value: int) -> str:
    path.write_text(SOURCE.format(value=value))
    return str(path)


def compiled(path: str, **kw: object) -> str:
    cached = py_compile.compile(path, doraise=True, **kw)  # type: ignore[arg-type]
    assert cached == importlib.util.cache_from_source(path)
    return cached


@pytest.fixture
def fast_path_calls(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each load used the bytecode fast path."""
    calls: list[bool] = []
    original = loader._fresh_bytecode

    def spy(path: str) -> object:
        fresh = original(path)
        calls.append(fresh is not None)
        return fresh

    monkeypatch.setattr(loader, "_fresh_bytecode", spy)
    return calls


def test_fast_path_module_is_what_importlib_makes(tmp_path: Path, fast_path_calls: list) -> None:
    path = write(tmp_path / "abc_step.py", 1)
    compiled(path)
    module = load_module(path)
    assert fast_path_calls == [True]
    name = module_name_for(path)
    spec = importlib.util.spec_from_file_location(
        name, path, loader=importlib.machinery.SourceFileLoader(name, path)
    )
    assert spec is not None
    reference = importlib.util.module_from_spec(spec)
    for attr in ("__name__", "__file__", "__cached__", "__package__"):
        assert getattr(module, attr) == getattr(reference, attr), attr
    spec_attrs = ("name", "origin", "cached", "has_location", "parent")
    for attr in (*spec_attrs, "submodule_search_locations"):
        assert getattr(module.__spec__, attr) == getattr(reference.__spec__, attr), attr
    assert type(module.__loader__) is type(reference.__loader__)
    assert module.__loader__.path == path
    assert module.VALUE == 1
    assert module.upgrade() == name
    # the source is still there for tracebacks and inspect
    assert "VALUE = 1" in module.__loader__.get_source(name)


def test_changed_source_is_never_run_from_stale_bytecode(
    tmp_path: Path, fast_path_calls: list
) -> None:
    path = write(tmp_path / "abc_step.py", 1)
    compiled(path)
    stat = os.stat(path)
    # same size, different mtime
    write(tmp_path / "abc_step.py", 2)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    assert load_module(path).VALUE == 2
    # same mtime, different size
    write(tmp_path / "abc_step.py", 345)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert load_module(path).VALUE == 345
    assert fast_path_calls == [False, False]
    if not sys.dont_write_bytecode:
        # importlib rewrote the cache on the way: the next load takes the fast path
        assert load_module(path).VALUE == 345
        assert fast_path_calls[-1] is True


def test_hash_based_and_damaged_caches_go_through_importlib(
    tmp_path: Path, fast_path_calls: list
) -> None:
    path = write(tmp_path / "abc_step.py", 7)
    cached = compiled(path, invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
    assert load_module(path).VALUE == 7
    Path(cached).write_bytes(importlib.util.MAGIC_NUMBER + b"\0\0\0\0" + b"\xff" * 8)
    assert load_module(path).VALUE == 7
    Path(cached).write_bytes(b"junk")
    assert load_module(path).VALUE == 7
    assert fast_path_calls == [False, False, False]


def test_missing_cache_is_written_then_used(tmp_path: Path, fast_path_calls: list) -> None:
    path = write(tmp_path / "abc_step.py", 3)
    assert load_module(path).VALUE == 3
    assert os.path.exists(importlib.util.cache_from_source(path)) != sys.dont_write_bytecode
    if not sys.dont_write_bytecode:
        assert load_module(path).VALUE == 3
        assert fast_path_calls == [False, True]


def test_sourceless_files_still_load(tmp_path: Path) -> None:
    path = write(tmp_path / "abc_step.py", 9)
    cached = compiled(path)
    os.replace(cached, tmp_path / "abc_step.pyc")
    os.remove(path)
    assert load_module(path).VALUE == 9


def test_errors_on_the_fast_path_name_the_file(tmp_path: Path, fast_path_calls: list) -> None:
    path = tmp_path / "abc_step.py"
    path.write_text("revision = 'r1'\nraise RuntimeError('boom')\n")
    compiled(str(path))
    with pytest.raises(Exception) as info:
        load_module(str(path))
    assert fast_path_calls == [True]
    assert str(path) in str(info.value) and "line 2" in str(info.value)
    assert "boom" in str(info.value)


def test_moved_project_names_its_files_as_they_are_now(
    tmp_path: Path, fast_path_calls: list
) -> None:
    """Bytecode compiled under another path still runs (its mtime and size still
    match), but tracebacks and error messages name the file where it is now."""
    before = tmp_path / "before"
    before.mkdir()
    path = before / "abc_step.py"
    path.write_text("revision = 'r1'\n\n\ndef upgrade():\n    raise RuntimeError('boom')\n")
    compiled(str(path))
    after = tmp_path / "after"
    os.rename(before, after)
    moved = str(after / "abc_step.py")
    module = load_module(moved)
    assert fast_path_calls == [True]
    assert module.upgrade.__code__.co_filename == moved
    with pytest.raises(RuntimeError) as info:
        module.upgrade()
    assert info.traceback[-1].path == Path(moved)
