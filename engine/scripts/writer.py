"""Writing new files: revision ids, file names, create dates, Mako, atomic writes.

File names follow Alembic's ``file_template`` rules exactly (tokens ``rev``,
``slug``, ``epoch``, ``year``, ``month``, ``day``, ``hour``, ``minute``,
``second``; a ``/`` in the template makes sub-directories), so a project gets
the same file names from either tool.

Mako is imported only when a template is rendered.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import stat
from pathlib import Path
from typing import Any

from engine.errors import CommandError
from engine.scripts.script import format_as_comma

DEFAULT_FILE_TEMPLATE = "%(rev)s_%(slug)s"
DEFAULT_TRUNCATE_SLUG_LENGTH = 40
FILE_TEMPLATE_TOKENS = ("rev", "slug", "epoch", "year", "month", "day", "hour", "minute", "second")

_WORD_RE = re.compile(r"\w+")


def new_rev_id() -> str:
    """A new revision id: 12 lowercase hex characters."""
    return os.urandom(6).hex()


def slugify(
    message: str | None, truncate_slug_length: int | None = DEFAULT_TRUNCATE_SLUG_LENGTH
) -> str:
    """The ``%(slug)s`` of a message: its words joined by "_", lowercased.

    A slug longer than ``truncate_slug_length`` (None or 0: 40, as in Alembic)
    is cut there, back to the last whole word, and ends with "_".
    """
    limit = truncate_slug_length or DEFAULT_TRUNCATE_SLUG_LENGTH
    slug = "_".join(_WORD_RE.findall(message or "")).lower()
    if len(slug) > limit:
        head = slug[:limit]
        cut = head.rfind("_")
        slug = (head[:cut] if cut != -1 else head) + "_"
    return slug


def file_template_tokens(
    rev_id: str,
    message: str | None,
    create_date: datetime.datetime,
    truncate_slug_length: int | None = DEFAULT_TRUNCATE_SLUG_LENGTH,
    epoch: int | None = None,
) -> dict[str, Any]:
    """The values ``file_template`` is formatted with."""
    return {
        "rev": rev_id,
        "slug": slugify(message, truncate_slug_length),
        "epoch": int(create_date.timestamp()) if epoch is None else epoch,
        "year": create_date.year,
        "month": create_date.month,
        "day": create_date.day,
        "hour": create_date.hour,
        "minute": create_date.minute,
        "second": create_date.second,
    }


def revision_path(
    version_dir: str | os.PathLike[str],
    file_template: str,
    rev_id: str,
    message: str | None,
    create_date: datetime.datetime,
    truncate_slug_length: int | None = DEFAULT_TRUNCATE_SLUG_LENGTH,
    epoch: int | None = None,
) -> str:
    """Where a new revision file goes: ``version_dir / (file_template % tokens) + ".py"``.

    Pure: nothing is created (``write_atomic`` creates missing directories).
    """
    tokens = file_template_tokens(rev_id, message, create_date, truncate_slug_length, epoch)
    try:
        name = file_template % tokens
    except (KeyError, ValueError, TypeError) as exc:
        detail = f"unknown token %({exc.args[0]})s" if isinstance(exc, KeyError) else str(exc)
        raise CommandError(
            f"Invalid file_template {file_template!r}: {detail}",
            hint="Tokens: "
            + ", ".join(f"%({t})s" for t in FILE_TEMPLATE_TOKENS)
            + "; a literal '%' is written '%%'.",
        ) from exc
    return str(Path(version_dir) / f"{name}.py")


def create_date(timezone: str | None = None) -> datetime.datetime:
    """Now: local naive time, or aware in ``timezone`` (an IANA name).

    As in Alembic, the name is tried as given, then upper-cased ("utc" ->
    "UTC"). An empty name means local time.
    """
    if not timezone:
        return datetime.datetime.now()
    from zoneinfo import ZoneInfo

    tzinfo = None
    for key in dict.fromkeys((timezone, timezone.upper())):
        try:
            tzinfo = ZoneInfo(key)
            break
        except (KeyError, ValueError, OSError):
            continue
    if tzinfo is None:
        raise CommandError(
            f"Can't locate timezone: {timezone}",
            hint="Use an IANA time zone name such as 'UTC' or 'Europe/Paris' "
            "(the tzdata package provides them where the system has none).",
        )
    return datetime.datetime.now(tz=datetime.timezone.utc).astimezone(tzinfo)


# --- Mako --------------------------------------------------------------------------


def render_template(template_path: str | os.PathLike[str], **kw: Any) -> str:
    """Render a Mako template file with ``kw``.

    ``comma`` (format a revision or a tuple of them as "a, b") is provided in
    the namespace unless given. Template errors raise ``CommandError`` naming
    the template and the line.
    """
    from mako import exceptions as mako_exceptions
    from mako.template import Template

    path = os.fspath(template_path)
    kw.setdefault("comma", format_as_comma)
    try:
        template = Template(filename=path)
    except mako_exceptions.MakoException as exc:
        line = getattr(exc, "lineno", None)
        where = f" line {line}" if line else ""
        raise CommandError(
            f"Template {path}{where} is invalid: {_first_line(exc)}",
            hint="Fix the Mako syntax of the template.",
        ) from exc
    except OSError as exc:
        raise CommandError(f"Cannot read template {path}: {exc.strerror}") from exc
    try:
        return template.render_unicode(**kw)
    except Exception as exc:
        line = _template_line(mako_exceptions.RichTraceback(), path)
        where = f" line {line}" if line else ""
        raise CommandError(
            f"Template rendering failed in {path}{where}: {type(exc).__name__}: {_first_line(exc)}",
        ) from exc


def _template_line(tb: Any, path: str) -> int | None:
    name = os.path.basename(path)
    for record in reversed(tb.records):
        template_file, template_line = record[4], record[5]
        if template_file and template_line and os.path.basename(template_file) == name:
            return int(template_line)
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def render_to_file(
    template_path: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    encoding: str = "utf-8",
    *,
    append: bool = False,
    **kw: Any,
) -> str:
    """Render a template into ``dest`` atomically; ``append`` adds it after a blank line.

    Returns the rendered text.
    """
    text = render_template(template_path, **kw)
    if append and os.path.exists(dest):
        with open(dest, "rb") as f:
            existing = f.read()
        write_atomic(dest, existing + b"\n\n" + _encode(text, encoding, os.fspath(dest)))
    else:
        write_atomic(dest, text, encoding)
    return text


# --- atomic writes -----------------------------------------------------------------


def _encode(text: str, encoding: str, path: str) -> bytes:
    try:
        return text.encode(encoding)
    except LookupError as exc:
        raise CommandError(f"Unknown output encoding {encoding!r} for {path}") from exc
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start : exc.end]
        raise CommandError(
            f"Cannot write {path} as {encoding}: character {bad!r} cannot be encoded",
            hint="Set output_encoding (e.g. utf-8) or remove the character.",
        ) from exc


def write_atomic(
    path: str | os.PathLike[str],
    data: str | bytes,
    encoding: str = "utf-8",
    *,
    make_dirs: bool = True,
) -> None:
    """Write ``data`` to ``path`` all at once or not at all.

    A temporary file in the same directory is written, fsynced and renamed over
    ``path`` (``os.replace``); on any failure it is removed and ``path`` is
    untouched. An existing file keeps its permission bits; a new one gets the
    usual ones (0666 minus the umask). Missing parent directories are created
    unless ``make_dirs`` is false. Text is encoded with ``encoding`` as is (no
    newline translation).
    """
    path = os.fspath(path)
    payload = _encode(data, encoding, path) if isinstance(data, str) else bytes(data)
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{os.urandom(4).hex()}.tmp")
    try:
        if make_dirs:
            os.makedirs(directory, exist_ok=True)
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            mode = None
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:
        raise CommandError(f"Cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "wb") as f:
            if mode is not None:
                os.chmod(tmp, mode)
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise CommandError(f"Cannot write {path}: {exc.strerror or exc}") from exc
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: str) -> None:
    """Make the rename durable (POSIX); best effort elsewhere."""
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
