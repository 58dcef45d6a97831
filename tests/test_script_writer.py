"""Writing new files: rev ids, file names, create dates, Mako rendering, atomic writes.

File names are compared with real Alembic's ``ScriptDirectory._rev_path``.
"""

from __future__ import annotations

import datetime
import os
import re
import stat
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from alembic.script.base import Script as AlembicScript

from engine.errors import CommandError
from engine.scripts.header import read_header
from engine.scripts.script import Script
from engine.scripts.writer import (
    create_date,
    new_rev_id,
    render_template,
    render_to_file,
    revision_path,
    slugify,
    write_atomic,
)

TEMPLATES = Path(__file__).resolve().parent.parent / "engine" / "scripts" / "templates"

MESSAGES = [
    None,
    "",
    "add users table",
    "Add 'Users' table; with  punctuation!!! & more",
    "ünïcödé Straße naïve café",
    "a" * 60,
    "one two three four five six seven eight nine ten eleven twelve",
    "word_with_underscores and-dashes.dots",
    "x" * 39 + " y",
    "   leading and trailing   ",
    "日本語 テスト",
]

FILE_TEMPLATES = [
    "%(rev)s_%(slug)s",
    "%(year)d_%(month).2d_%(day).2d_%(hour).2d%(minute).2d-%(rev)s_%(slug)s",
    "%(year)d/%(month).2d/%(day).2d_%(hour).2d%(minute).2d_%(second).2d_%(rev)s_%(slug)s",
    "%(epoch)s_%(rev)s",
    "%(rev)s",
]


def test_new_rev_id() -> None:
    ids = {new_rev_id() for _ in range(500)}
    assert len(ids) == 500
    assert all(re.fullmatch(r"[0-9a-f]{12}", i) for i in ids)


@pytest.mark.parametrize("truncate", [None, 0, 5, 10, 40, 200])
def test_revision_path_matches_alembic(tmp_path: Path, truncate: int | None) -> None:
    when = datetime.datetime(2024, 2, 3, 4, 5, 6)
    aware = datetime.datetime(2024, 12, 31, 23, 59, 58, tzinfo=datetime.timezone.utc)
    for file_template in FILE_TEMPLATES:
        sd = ScriptDirectory(str(tmp_path), file_template, truncate_slug_length=truncate)
        for message in MESSAGES:
            for date in (when, aware):
                theirs = str(sd._rev_path(tmp_path / "versions", "1a2b3c4d5e6f", message, date))
                ours = revision_path(
                    tmp_path / "versions", file_template, "1a2b3c4d5e6f", message, date, truncate
                )
                assert ours == theirs, (file_template, message)


def test_slugify() -> None:
    assert slugify("Add users, and roles!") == "add_users_and_roles"
    assert slugify("one two three", 9) == "one_two_"
    assert slugify("abcdefghij", 5) == "abcde_"
    assert slugify(None) == ""


def test_revision_path_epoch_override_and_bad_template(tmp_path: Path) -> None:
    when = datetime.datetime(2024, 2, 3, 4, 5, 6)
    assert revision_path("v", "%(epoch)s", "r", None, when, epoch=17) == os.path.join("v", "17.py")
    with pytest.raises(CommandError, match=r"Invalid file_template.*%\(nope\)s"):
        revision_path(tmp_path, "%(nope)s_%(rev)s", "r", "m", when)
    with pytest.raises(CommandError, match="Invalid file_template"):
        revision_path(tmp_path, "%(rev)s %", "r", "m", when)


def test_create_date() -> None:
    local = create_date(None)
    assert local.tzinfo is None
    assert abs((datetime.datetime.now() - local).total_seconds()) < 5
    assert create_date("").tzinfo is None
    utc = create_date("utc")  # tried upper-cased too, as Alembic does
    assert utc.utcoffset() == datetime.timedelta(0)
    paris = create_date("Europe/Paris")
    assert str(paris.tzinfo) == "Europe/Paris"
    assert abs((paris - utc).total_seconds()) < 5
    for bad in ("Nowhere/Land", "../etc", "/abs"):
        with pytest.raises(CommandError) as err:
            create_date(bad)
        assert err.value.message == f"Can't locate timezone: {bad}"


def test_create_date_error_text_matches_alembic(tmp_path: Path) -> None:
    sd = ScriptDirectory(str(tmp_path), timezone="Nowhere/Land")
    with pytest.raises(Exception) as theirs:
        sd._generate_create_date()
    with pytest.raises(CommandError) as ours:
        create_date("Nowhere/Land")
    assert str(ours.value) == str(theirs.value)


# --- Mako -----------------------------------------------------------------------------


def _script_kw(**kw: object) -> dict:
    base = dict(
        up_revision="1a2b3c4d5e6f",
        down_revision=("aaaaaaaaaaaa", "bbbbbbbbbbbb"),
        branch_labels=("feature",),
        depends_on="cccccccccccc",
        create_date=datetime.datetime(2024, 2, 3, 4, 5, 6, 7),
        message="merge the two branches",
    )
    base.update(kw)
    return base


def test_render_generic_script_template(tmp_path: Path) -> None:
    text = render_template(TEMPLATES / "generic" / "script.py.mako", **_script_kw())
    assert "Revises: aaaaaaaaaaaa, bbbbbbbbbbbb\n" in text
    assert "from alembic import op\nimport sqlalchemy as sa\n" in text
    assert "    pass\n" in text
    path = tmp_path / "1a2b3c4d5e6f_merge.py"
    write_atomic(path, text)
    header = read_header(path)
    assert header is not None and header.literal
    assert header.revision == "1a2b3c4d5e6f"
    assert header.down_revision == ("aaaaaaaaaaaa", "bbbbbbbbbbbb")
    assert header.branch_labels == ("feature",)
    assert header.depends_on == "cccccccccccc"
    assert header.create_date == "2024-02-03 04:05:06.000007"
    ours = Script.from_path(path)
    theirs = AlembicScript._from_path(ScriptDirectory(str(tmp_path)), path)
    assert ours is not None and theirs is not None
    assert (ours.doc, ours.down_revision, ours.dependencies) == (
        theirs.doc,
        theirs.down_revision,
        theirs.dependencies,
    )


def test_render_with_upgrades_and_imports() -> None:
    text = render_template(
        TEMPLATES / "generic" / "script.py.mako",
        **_script_kw(
            down_revision=None,
            imports="import json",
            upgrades="op.create_table('t')",
            downgrades="op.drop_table('t')",
        ),
    )
    assert "Revises: \n" in text
    assert "down_revision: Union[str, Sequence[str], None] = None\n" in text
    assert "import json\n" in text
    assert "    op.create_table('t')\n" in text and "    op.drop_table('t')\n" in text
    compile(text, "x.py", "exec")


def test_template_errors_name_template_and_line(tmp_path: Path) -> None:
    bad_syntax = tmp_path / "bad_syntax.mako"
    bad_syntax.write_text("line 1\nline 2 ${ oops(\n")
    with pytest.raises(CommandError, match=r"bad_syntax\.mako line 2"):
        render_template(bad_syntax)
    bad_runtime = tmp_path / "bad_runtime.mako"
    bad_runtime.write_text("one ${a}\ntwo\nthree ${missing.attr}\n")
    with pytest.raises(CommandError, match=r"bad_runtime\.mako line 3: AttributeError") as err:
        render_template(bad_runtime, a=1)
    assert isinstance(err.value.__cause__, AttributeError)
    with pytest.raises(CommandError, match="no_such.mako"):
        render_template(tmp_path / "no_such.mako")


def test_render_to_file_append(tmp_path: Path) -> None:
    template = tmp_path / "t.mako"
    template.write_text("[section]\nkey = ${value}\n")
    dest = tmp_path / "out.toml"
    render_to_file(template, dest, value="1")
    assert dest.read_text() == "[section]\nkey = 1\n"
    render_to_file(template, dest, append=True, value="2")
    assert dest.read_text() == "[section]\nkey = 1\n\n\n[section]\nkey = 2\n"


# --- atomic writes ----------------------------------------------------------------------


def _leftovers(directory: Path) -> list[str]:
    return [p.name for p in directory.iterdir() if p.name.endswith(".tmp")]


def test_write_atomic(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "dir" / "file.py"
    write_atomic(target, "héllo\r\n", "utf-8")  # parents made, no newline translation
    assert target.read_bytes() == "héllo\r\n".encode()
    os.chmod(target, 0o640)
    write_atomic(target, b"bytes")
    assert target.read_bytes() == b"bytes"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # existing mode kept
    write_atomic(target, "latin é", "latin-1")
    assert target.read_bytes() == "latin é".encode("latin-1")
    assert _leftovers(target.parent) == []


def test_write_atomic_failures_leave_nothing(tmp_path: Path) -> None:
    target = tmp_path / "keep.py"
    target.write_text("original")
    with pytest.raises(CommandError, match=r"keep\.py.*ascii"):
        write_atomic(target, "naïve", "ascii")
    with pytest.raises(CommandError, match="Unknown output encoding"):
        write_atomic(target, "x", "no-such-codec")
    assert target.read_text() == "original"
    occupied = tmp_path / "a_directory"
    (occupied / "inside").mkdir(parents=True)
    with pytest.raises(CommandError, match="a_directory"):
        write_atomic(occupied, "x")  # os.replace onto a non-empty directory fails
    with pytest.raises(CommandError, match="Cannot write"):
        write_atomic(target / "below_a_file.py", "x")
    assert _leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_directory", "keep.py"]
