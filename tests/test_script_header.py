"""Version files: header reading, module loading, file discovery, Script formats.

Real Alembic is the oracle: projects are made with ``alembic.command`` and the
results compared with Alembic's own ``ScriptDirectory`` / ``Script`` objects.
"""

from __future__ import annotations

import itertools
import os
import py_compile
import sys
import time
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from engine.errors import ScriptError
from engine.scripts.files import is_version_filename, iter_version_files
from engine.scripts.header import _full, load_module, module_name_for, read_header, read_source
from engine.scripts.script import Script

# --- helpers -------------------------------------------------------------------------


def alembic_project(tmp_path: Path, **options: str) -> Config:
    cfg = Config(str(tmp_path / "alembic.ini"))
    command.init(cfg, str(tmp_path / "mig"))
    cfg = Config(str(tmp_path / "alembic.ini"))
    for key, value in options.items():
        cfg.set_main_option(key, value)
    return cfg


def write(path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


HEADER = '''"""{doc}

Revision ID: {rev}
Revises:
Create Date: 2024-01-02 03:04:05.000006

"""
from typing import Sequence, Union
from alembic import op
import sqlalchemy as sa

'''


def version_file(tmp_path: Path, name: str, body: str, rev: str = "abc", doc: str = "msg") -> str:
    return write(tmp_path / name, HEADER.format(doc=doc, rev=rev) + body)


def _as_tuple(value: object) -> object:
    """Headers give sequences as tuples, whatever the file wrote."""
    return tuple(value) if isinstance(value, list) else value


def full_header(path: str):
    return _full(path, read_source(path))


# --- the graph used by the format tests ---------------------------------------------


@pytest.fixture(scope="module")
def graph_project(tmp_path_factory: pytest.TempPathFactory) -> Config:
    tmp = tmp_path_factory.mktemp("graph")
    cfg = alembic_project(tmp)
    rev = command.revision
    rev(cfg, "first\n\nlonger text\nsecond line", rev_id="aaaa00000001")
    rev(cfg, "second", rev_id="bbbb00000002")
    rev(cfg, "left", rev_id="cccc00000003", head="bbbb00000002")
    rev(cfg, "right", rev_id="dddd00000004", head="bbbb00000002", splice=True)
    command.merge(cfg, ["cccc00000003", "dddd00000004"], message="merge", rev_id="eeee00000005")
    rev(cfg, "after merge", rev_id="ffff00000006", head="eeee00000005")
    rev(cfg, "other root", rev_id="a1a1a1a1a1a1", head="base", branch_label="other")
    rev(cfg, "other 2", rev_id="b2b2b2b2b2b2", head="other@head", depends_on="cccc00000003")
    rev(cfg, "lib", rev_id="c3c3c3c3c3c3", head="base", branch_label="lib")
    rev(cfg, "uses lib", rev_id="d4d4d4d4d4d4", head="ffff00000006", depends_on=["lib", "a1a1a1"])
    rev(cfg, "", rev_id="e5e5e5e5e5e5", head="other@head", branch_label=["x2", "a0"])
    return cfg


def _alembic_and_ours(cfg: Config) -> list[tuple[object, Script]]:
    sd = ScriptDirectory.from_config(cfg)
    pairs = []
    for theirs in sd.walk_revisions():
        ours = Script.from_path(theirs.path)
        assert ours is not None and not ours.module_loaded
        # what our RevisionMap does; make Alembic's set order deterministic
        ours.nextrev = frozenset(theirs.nextrev)
        ours.all_nextrev = frozenset(theirs._all_nextrev)
        ours.branch_labels = set(theirs.branch_labels)
        theirs.branch_labels = sorted(theirs.branch_labels)
        theirs.nextrev = tuple(sorted(theirs.nextrev))
        pairs.append((theirs, ours))
    return pairs


def test_script_formats_match_alembic(graph_project: Config) -> None:
    pairs = _alembic_and_ours(graph_project)
    assert len(pairs) == 11
    flags = list(itertools.product([False, True], repeat=4))
    shapes = set()
    for theirs, ours in pairs:
        for current in (None, True):
            theirs._db_current_indicator = current
            ours._db_current_indicator = current
            assert ours.log_entry == theirs.log_entry
            assert str(ours) == str(theirs)
            assert ours.cmd_format(True) == theirs.cmd_format(True)
            for branches, doc, parents, tree in flags:
                assert ours.cmd_format(False, branches, doc, parents, tree) == theirs.cmd_format(
                    False, branches, doc, parents, tree
                )
        assert (ours.doc, ours.longdoc) == (theirs.doc, theirs.longdoc)
        shapes.update(
            name
            for name in ("is_head", "is_branch_point", "is_merge_point", "is_base")
            if getattr(ours, name)
        )
        if ours.is_head and not ours.is_real_head:
            shapes.add("effective head")
        if len(ours.branch_labels) > 1:
            shapes.add("labels")
    assert shapes == {
        "is_head", "is_branch_point", "is_merge_point", "is_base", "effective head", "labels"
    }  # fmt: skip


def test_head_indicators_off(graph_project: Config) -> None:
    _, ours = next(p for p in _alembic_and_ours(graph_project) if p[1].revision == "c3c3c3c3c3c3")
    assert ours.cmd_format(False, tree_indicators=False) == "c3c3c3c3c3c3 (effective head)"
    assert ours.cmd_format(False, tree_indicators=False, head_indicators=False) == "c3c3c3c3c3c3"


def test_headers_match_alembic_modules(graph_project: Config) -> None:
    for theirs, ours in _alembic_and_ours(graph_project):
        module = theirs.module
        header = read_header(theirs.path)
        assert header is not None and header.literal
        assert header.revision == module.revision
        assert header.down_revision == _as_tuple(module.down_revision)
        assert header.branch_labels == _as_tuple(module.branch_labels)
        assert header.depends_on == _as_tuple(module.depends_on)
        assert header.docstring == module.__doc__
        assert header.create_date and module.__doc__.count(header.create_date) == 1
        assert header == full_header(theirs.path)
        assert ours.down_revision == theirs.down_revision
        assert ours.dependencies == theirs.dependencies
        assert ours._orig_branch_labels == frozenset(theirs._orig_branch_labels)
        assert ours.path == theirs.path


# --- header reading --------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, expected",
    [
        ("revision = 'r1'\ndown_revision = None\n", ("r1", None, None, None)),
        (
            'revision: str = "r1"\ndown_revision: Union[str, Sequence[str], None] = ("a", "b")\n'
            "branch_labels = ['x']\ndepends_on: tuple = ('c',)  # a comment\n",
            ("r1", ("a", "b"), ("x",), ("c",)),
        ),
        (  # multi-line value: the full path reads it
            "revision = 'r1'\ndown_revision = (\n    'a',\n    'b',\n)\n",
            ("r1", ("a", "b"), None, None),
        ),
        (  # a local variable in a function is not the module's
            "revision = 'r1'\ndown_revision = 'p'\n\ndef upgrade():\n    revision = 'zz'\n"
            "    op.execute('revision = 1')\n",
            ("r1", "p", None, None),
        ),
        (  # the last top-level assignment wins, as when executed
            "revision = 'old'\ndown_revision = None\nrevision = 'new'\n",
            ("new", None, None, None),
        ),
        ("revision = 'r1'; down_revision = 'p'\n", ("r1", "p", None, None)),
        ("revision = r'r\\1'\ndown_revision = u'p'\n", ("r\\1", "p", None, None)),
    ],
)
def test_literal_headers(tmp_path: Path, body: str, expected: tuple) -> None:
    path = version_file(tmp_path, "x_1.py", body)
    header = read_header(path)
    assert header is not None and header.literal
    assert (header.revision, header.down_revision, header.branch_labels, header.depends_on) == (
        expected
    )
    assert header == full_header(path)
    assert header.create_date == "2024-01-02 03:04:05.000006"
    module = load_module(path)
    assert header.docstring == module.__doc__
    assert header.revision == module.revision
    assert header.down_revision == _as_tuple(module.down_revision)


@pytest.mark.parametrize(
    "body, nonliteral, values",
    [
        ("REV = 'r' + '1'\nrevision = REV\ndown_revision = None\n", ("revision",), ("r1", None)),
        (
            "from os.path import sep as down_revision\nrevision = 'r1'\n",
            ("down_revision",),
            ("r1", os.sep),
        ),
        (
            "revision = 'r1'\ndown_revision = None\nif True:\n    down_revision = 'p'\n",
            ("down_revision",),
            ("r1", "p"),
        ),
        (
            "revision = 'r1'\ndown_revision = None\nglobals()['down_revision'] = 'q'\n",
            ("revision", "down_revision", "branch_labels", "depends_on"),
            ("r1", "q"),
        ),
        (
            "revision = 'r1'\nfrom os.path import *\ndown_revision = None\n",
            ("revision", "branch_labels", "depends_on"),  # the later literal still wins
            ("r1", None),
        ),
        (
            "revision = 'r1'\ndown_revision = None\ndef _f():\n    global down_revision\n"
            "    down_revision = 'g'\n_f()\n",
            ("revision", "down_revision", "branch_labels", "depends_on"),
            ("r1", "g"),
        ),
    ],
)
def test_nonliteral_headers_fall_back_to_executing(
    tmp_path: Path, body: str, nonliteral: tuple, values: tuple
) -> None:
    path = version_file(tmp_path, "x_1.py", body)
    header = read_header(path)
    assert header is not None and not header.literal
    assert header.nonliteral == nonliteral
    script = Script.from_path(path)
    assert script is not None and script.module_loaded
    assert (script.revision, script.down_revision) == values
    assert script.doc == "msg" and script.create_date == "2024-01-02 03:04:05.000006"


def test_docstring_forms(tmp_path: Path) -> None:
    cases = {
        "#!/usr/bin/env python\n# comment\n\n'single line' # c\n"
        "revision='a'\ndown_revision=None\n": "single line",
        '"""esc\\taped\n\\"quote\\" """\nrevision="a"\ndown_revision=None\n': 'esc\taped\n"quote" ',
        "revision='a'\ndown_revision=None\n": None,
        "f'''not a docstring'''\nrevision='a'\ndown_revision=None\n": None,
        '"""a""" "b"\nrevision="a"\ndown_revision=None\n': "ab",
    }
    for i, (text, doc) in enumerate(cases.items()):
        path = write(tmp_path / f"d{i}.py", text)
        header = read_header(path)
        assert header is not None
        assert header.docstring == doc == load_module(path).__doc__, text
        assert header == full_header(path)


def test_encodings_and_newlines(tmp_path: Path) -> None:
    doc = "Caf\u00e9 r\u00e9sum\u00e9\n\nCreate Date: x\n"
    text = f'"""{doc}"""\nrevision = "a"\ndown_revision = None\n'.replace("\n", "\r\n")
    crlf = tmp_path / "crlf.py"
    crlf.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    latin = tmp_path / "latin.py"
    latin.write_bytes(b"# -*- coding: latin-1 -*-\n" + text.encode("latin-1"))
    for path in (crlf, latin):
        header = read_header(path)
        assert header is not None and header.literal
        assert (
            header.docstring
            == load_module(path).__doc__
            == "Caf\u00e9 r\u00e9sum\u00e9\n\nCreate Date: x\n"
        )
        assert header.create_date == "x"


def test_syntax_errors(tmp_path: Path) -> None:
    broken_header = version_file(tmp_path, "b1.py", "revision = 'a'\ndown_revision = (\n")
    with pytest.raises(ScriptError) as err:
        read_header(broken_header)
    assert broken_header in err.value.message and "line" in err.value.message
    assert isinstance(err.value.__cause__, SyntaxError)

    # fast path: the header is readable, the broken body is found on compile/execute
    broken_body = version_file(
        tmp_path, "b2.py", "revision = 'a'\ndown_revision = None\n\ndef upgrade(:\n    pass\n"
    )
    assert read_header(broken_body).revision == "a"
    with pytest.raises(ScriptError, match=r"b2\.py line 15") as err:
        read_header(broken_body, validate=True)
    with pytest.raises(ScriptError, match=r"b2\.py line 15") as err:
        load_module(broken_body)
    assert isinstance(err.value.__cause__, SyntaxError)
    assert err.value.path == broken_body


def test_missing_or_bad_values(tmp_path: Path) -> None:
    no_rev = version_file(tmp_path, "x_norev.py", "down_revision = None\n")
    with pytest.raises(ScriptError, match="x_norev.py"):
        read_header(no_rev)
    with pytest.raises(ScriptError, match="x_norev.py"):
        Script.from_path(no_rev)
    no_down = version_file(tmp_path, "x_nodown.py", "revision = 'a'\n")
    with pytest.raises(ScriptError, match="x_nodown.py.*down_revision"):
        read_header(no_down)
    bad = version_file(tmp_path, "x_bad.py", "revision = 'a'\ndown_revision = 5\n")
    with pytest.raises(ScriptError, match="down_revision in .*x_bad.py"):
        read_header(bad)


def test_legacy_revision_from_filename(tmp_path: Path) -> None:
    cfg = alembic_project(tmp_path)
    path = version_file(tmp_path / "mig" / "versions", "1a2b3c.py", "down_revision = None\n")
    theirs = ScriptDirectory.from_config(cfg).get_revision("1a2b3c")
    ours = Script.from_path(path)
    assert ours is not None and ours.revision == theirs.revision == "1a2b3c"


# --- load_module -------------------------------------------------------------------------


def test_load_module_errors_and_namespace(tmp_path: Path) -> None:
    failing = version_file(
        tmp_path, "f_1.py", "revision = 'a'\ndown_revision = None\nimport no_such_module_xyz\n"
    )
    before = set(sys.modules)
    with pytest.raises(ScriptError, match=r"f_1\.py line 14.*No module named") as err:
        load_module(failing)
    assert isinstance(err.value.__cause__, ImportError)
    ok = version_file(
        tmp_path, "ok-1.py", "revision = 'a'\ndown_revision = None\nNAME = __name__\n"
    )
    module = load_module(ok)
    assert module.NAME == module_name_for(ok) == "ok_1_py"  # Alembic's module name
    assert set(sys.modules) - before <= {"no_such_module_xyz"}
    assert "ok_1_py" not in sys.modules


# --- file discovery ---------------------------------------------------------------------


def test_version_filenames() -> None:
    assert is_version_filename("abc_x.py")
    assert not is_version_filename("__init__.py")
    assert not is_version_filename(".#abc_x.py")
    assert not is_version_filename("abc_x.pyc")
    assert not is_version_filename("abc.py~")
    assert is_version_filename("abc_x.pyc", sourceless=True)
    assert is_version_filename("abc_x.pyo", sourceless=True)
    assert Script.from_path("/nowhere/__init__.py") is None


def _populate(versions: Path) -> None:
    def rev(rel: str, rev_id: str, down: str | None) -> None:
        write(
            versions / rel,
            f'"""{rev_id}"""\nrevision = {rev_id!r}\ndown_revision = {down!r}\n'
            "def upgrade():\n    pass\n\ndef downgrade():\n    pass\n",
        )

    rev("b_2.py", "b2", "a1")
    rev("a_1.py", "a1", None)
    rev("2024/01/c_3.py", "c3", "b2")
    rev("2024/d_4.py", "d4", "c3")
    rev("2023/e_5.py", "e5", "d4")
    write(versions / "__init__.py", "")
    write(versions / ".#a_1.py", "lock")
    write(versions / "notes.txt", "x")
    write(versions / "__pycache__" / "junk.cpython-311.pyc", "x")


@pytest.mark.parametrize("recursive", [False, True])
def test_iter_version_files_matches_alembic(tmp_path: Path, recursive: bool) -> None:
    cfg = alembic_project(tmp_path, recursive_version_locations=str(recursive).lower())
    versions = tmp_path / "mig" / "versions"
    _populate(versions)
    theirs = [s.path for s in ScriptDirectory.from_config(cfg)._load_revisions()]
    ours = list(iter_version_files([versions], recursive=recursive, sourceless=False))
    assert ours == theirs
    assert len(ours) == (5 if recursive else 2)
    dupes: list[str] = []
    again = list(
        iter_version_files(
            [versions, str(versions) + "/"], recursive=recursive, sourceless=False, duplicates=dupes
        )
    )
    assert again == ours and dupes == ours
    assert list(iter_version_files([tmp_path / "missing"], recursive=True, sourceless=False)) == []


def test_sourceless_matches_alembic(tmp_path: Path) -> None:
    cfg = alembic_project(tmp_path, sourceless="true", recursive_version_locations="true")
    versions = tmp_path / "mig" / "versions"
    _populate(versions)
    (versions / "__pycache__" / "junk.cpython-311.pyc").unlink()
    # a.pyc next to a_1.py: shadowed; legacy-style compiled files without source
    py_compile.compile(str(versions / "a_1.py"), cfile=str(versions / "a_1.pyc"))
    py_compile.compile(str(versions / "b_2.py"))  # __pycache__/b_2.cpython-XY.pyc
    os.unlink(versions / "b_2.py")
    py_compile.compile(str(versions / "2024" / "d_4.py"), cfile=str(versions / "2024" / "d_4.pyc"))
    os.unlink(versions / "2024" / "d_4.py")
    theirs = [(s.path, s.revision) for s in ScriptDirectory.from_config(cfg)._load_revisions()]
    ours = []
    for path in iter_version_files([versions], recursive=True, sourceless=True):
        script = Script.from_path(path, sourceless=True)
        if script is not None:
            ours.append((script.path, script.revision))
    assert ours == theirs
    assert {rev for _, rev in ours} == {"a1", "b2", "c3", "d4", "e5"}
    assert Script.from_path(versions / "a_1.pyc", sourceless=True) is None  # shadowed by a_1.py
    b2 = Script.from_path(next(p for p, r in ours if r == "b2"), sourceless=True)
    assert b2.doc == "b2" and b2.module_loaded


def test_reading_many_headers_is_fast(tmp_path: Path) -> None:
    cfg = alembic_project(tmp_path)
    command.revision(cfg, "template", rev_id="000000000000")
    versions = tmp_path / "mig" / "versions"
    text = next(versions.iterdir()).read_text()
    for i in range(1, 1000):
        body = text.replace("'000000000000'", repr(f"{i:012x}")).replace(
            "down_revision: Union[str, Sequence[str], None] = None",
            f"down_revision: Union[str, Sequence[str], None] = '{i - 1:012x}'",
        )
        (versions / f"{i:012x}_x.py").write_text(body)
    start = time.perf_counter()
    paths = iter_version_files([versions], recursive=False, sourceless=False)
    scripts = [Script.from_path(p) for p in paths]
    elapsed = time.perf_counter() - start
    assert len(scripts) == 1000
    assert not any(s.module_loaded for s in scripts)
    assert scripts[5].down_revision == "000000000004"
    assert elapsed < 1.0, elapsed  # ~0.05 s here; executing them takes ~1 ms each


def test_symlinks_match_alembic(tmp_path: Path) -> None:
    cfg = alembic_project(tmp_path, recursive_version_locations="true")
    versions = tmp_path / "mig" / "versions"
    _populate(versions)
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere / "f_6.txt", '"""f6"""\nrevision = "f6"\ndown_revision = "e5"\n')
    write(elsewhere / "sub" / "g_7.py", '"""g7"""\nrevision = "g7"\ndown_revision = "f6"\n')
    (versions / "link_f.py").symlink_to(elsewhere / "f_6.txt")  # not a .py once resolved
    (versions / "link_g.txt").symlink_to(elsewhere / "sub" / "g_7.py")  # a .py once resolved
    (versions / "linked_dir").symlink_to(elsewhere / "sub")  # not walked into
    theirs = [s.path for s in ScriptDirectory.from_config(cfg)._load_revisions()]
    ours = list(iter_version_files([versions], recursive=True, sourceless=False))
    assert ours == theirs
    assert str(elsewhere / "sub" / "g_7.py") in ours
