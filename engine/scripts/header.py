"""Read a version file's identity without executing it.

``read_header(path)`` returns the module-level ``revision``, ``down_revision``,
``branch_labels`` and ``depends_on`` values, the module docstring and its
``Create Date:`` line, straight from the source text.

Two paths:

* **fast path** (the common case, a file written from ``script.py.mako``):
  ``str.find`` for the four names, a regex on each line they occur in, and
  the right-hand sides parsed as literals (~40 us a file). It is only taken
  when the text shows nothing that could rebind those names (another
  assignment, an import, ``for``/``as`` targets, ``globals()``, ``exec`` ...).
  The fast path does NOT compile the whole file: a syntax error further down
  (in ``upgrade()``, say) is reported when the module is executed
  (``load_module`` raises ``ScriptError`` with file and line). Pass
  ``validate=True`` to always compile.
* **full path**: ``ast.parse`` and an exact look at the module-level
  statements. A ``SyntaxError`` becomes ``ScriptError`` naming file and line.

When a value is not a literal (computed, imported, conditional ...),
``Header.literal`` is False and the caller must execute the module
(``load_module``) to learn it, as Alembic always does.

``load_module`` (re-exported from ``engine.scripts.loader``) executes a file.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass

from engine.errors import ScriptError
from engine.scripts.loader import load_module, module_name_for, syntax_error

__all__ = ["Header", "create_date_of", "load_module", "module_name_for", "read_header"]

NAMES = ("revision", "down_revision", "branch_labels", "depends_on")
_NAME_SET = frozenset(NAMES)
_NAME_ALT = "revision|down_revision|branch_labels|depends_on"

# `name = value` / `name: annotation = value` at column 0, one whole line.
_ASSIGN_RE = re.compile(rf"({_NAME_ALT})[ \t]*(?::[^=\n]*)?=(?!=)[ \t]*(.*?)[ \t]*\r?")
# A plain string or None: the common right-hand sides, parsed without ast.
_SIMPLE_RE = re.compile(r"'([^'\\\n]*)'|\"([^\"\\\n]*)\"|(None)")
# Seeing any of these sends the file to the full path: they can bind module
# names out of sight of a line scan.
_DYNAMIC_MARKS = (
    "globals", "locals(", "vars(", "exec(", "eval(", "sys.modules", "import *", "import*"
)  # fmt: skip
_DECLARATION_RE = re.compile(r"^[ \t]*(?:global|nonlocal)\b", re.MULTILINE)
_SCAN_WORDS = ("revision", "branch_labels", "depends_on")  # "revision" finds down_revision
# Around an occurrence of a name: what may make it a binding.
_BIND_AFTER_RE = re.compile(r"[ \t]*[)\]]*[ \t]*(?:,|:|=(?!=)|[-+*/%&|^@<>]=|\*\*=|//=|>>=|<<=)")
_BIND_BEFORE_RE = re.compile(
    r"\b(?:for|as|import|from|def|class|del|global|nonlocal|case|lambda|type)\b"
)
# The module docstring: comments / blank lines, then a string literal alone on
# its (last) line.
_LEAD_RE = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\r?\n)*")
_DOC_RE = re.compile(
    r"""(?P<lit>[rRuU]?(?:\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''"""
    r"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'))"""
    r"""[ \t]*(?:;[ \t]*)?(?:#[^\n]*)?(?:\r?\n|\Z)""",
    re.DOTALL,
)
_STRING_START_RE = re.compile(r"[a-zA-Z]{0,2}['\"]")
_CREATE_DATE_RE = re.compile(r"^Create Date:[ \t]*(.*?)[ \t]*\r?$", re.MULTILINE)
_CODING_RE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_LEGACY_REV_RE = re.compile(r"([a-f0-9]+)\.py$")
_DYNAMIC_CALLS = frozenset({"globals", "locals", "vars", "exec", "eval"})

Value = str | tuple[str, ...] | None


@dataclass(frozen=True)
class Header:
    """What a version file declares about itself, read from its source."""

    path: str
    revision: str | None
    down_revision: Value
    branch_labels: Value
    depends_on: Value
    docstring: str | None
    create_date: str | None
    literal: bool = True
    nonliteral: tuple[str, ...] = ()
    """Names whose value needs the module executed (empty when ``literal``)."""


# --- source text -------------------------------------------------------------------


def read_source(path: str) -> str:
    """The decoded text of a Python source file (PEP 263 cookie, BOM, utf-8)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise ScriptError(f"Cannot read version file {path}: {exc.strerror}", path=path) from exc
    encoding = "utf-8-sig"
    if b"coding" in data[:400]:
        for line in data.split(b"\n", 2)[:2]:
            m = _CODING_RE.match(line)
            if m:
                encoding = m.group(1).decode("ascii")
                break
            if line.strip() and not line.lstrip().startswith(b"#"):
                break
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ScriptError(
            f"Cannot decode version file {path} as {encoding}: {exc}", path=path
        ) from exc
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:  # what Python's own source decoding does
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


# --- values ------------------------------------------------------------------------


class _NotLiteral(Exception):
    pass


def _check_value(path: str, name: str, value: object) -> Value:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (tuple, list, set, frozenset)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ScriptError(
        f"{name} in {path} must be a string, a tuple of strings or None, not {value!r}",
        path=path,
    )


def _literal(path: str, name: str, source: str | ast.expr) -> Value:
    if isinstance(source, str):
        m = _SIMPLE_RE.fullmatch(source)
        if m is not None:
            return m.group(1) if m.group(1) is not None else m.group(2)
    try:
        value = ast.literal_eval(source)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as exc:
        raise _NotLiteral from exc
    return _check_value(path, name, value)


# --- docstring ---------------------------------------------------------------------


def _docstring(text: str) -> tuple[str | None, int] | None:
    """(docstring, end offset), or None when only the full path can tell."""
    pos = _LEAD_RE.match(text).end()  # type: ignore[union-attr]
    m = _DOC_RE.match(text, pos)
    if m is None:
        if _STRING_START_RE.match(text, pos):
            return None  # an unusual string statement (f-string, bytes, concatenation)
        return (None, pos)
    lit = m.group("lit")
    if "\\" not in lit:
        body = lit.lstrip("rRuU")
        q = 3 if body[:3] in ('"""', "'''") else 1
        return (body[q:-q], m.end())
    try:
        doc = ast.literal_eval(lit)
    except (ValueError, SyntaxError):
        return None
    if not isinstance(doc, str):
        return None
    return (doc, m.end())


def create_date_of(doc: str | None) -> str | None:
    """The value of the docstring's ``Create Date:`` line, if any."""
    if not doc:
        return None
    m = _CREATE_DATE_RE.search(doc)
    return m.group(1) if m else None


# --- public API --------------------------------------------------------------------


def read_header(path: str | os.PathLike[str], *, validate: bool = False) -> Header | None:
    """Read ``path``'s header from its source text, without executing it.

    None for compiled files (``.pyc``/``.pyo``): only executing them tells.

    Raises ``ScriptError`` for an unreadable file, a syntax error (always on
    the full path, on the fast path only with ``validate=True``), a file that
    declares no ``revision`` (except Alembic's legacy ``<hex>.py`` names) or no
    ``down_revision``, and a literal of the wrong type.
    """
    path = os.fspath(path)
    if path.endswith((".pyc", ".pyo")):
        return None
    text = read_source(path)
    if validate:
        try:
            compile(text, path, "exec", dont_inherit=True)
        except SyntaxError as exc:
            raise syntax_error(path, exc) from exc
        except ValueError as exc:  # null bytes
            raise ScriptError(f"Cannot compile {path}: {exc}", path=path) from exc
    header = _fast(path, text)
    if header is not None:
        return header
    return _full(path, text)


def _fast(path: str, text: str) -> Header | None:
    doc_info = _docstring(text)
    if doc_info is None:
        return None
    doc, start = doc_info
    if _has_dynamic_marks(text):
        return None
    found = _scan_assignments(text, start)
    if found is None or "revision" not in found or "down_revision" not in found:
        return None
    values: dict[str, Value] = {}
    try:
        for name, rhs in found.items():
            values[name] = _literal(path, name, rhs)
    except _NotLiteral:
        return None
    return _make(path, values, doc)


def _has_dynamic_marks(text: str) -> bool:
    """Does the text show something that can bind names out of sight of a line scan?"""
    for mark in _DYNAMIC_MARKS:
        if mark in text:
            return True
    return ("global" in text or "nonlocal" in text) and bool(_DECLARATION_RE.search(text))


def _scan_assignments(text: str, start: int) -> dict[str, str] | None:
    """Right-hand sides of the column-0 assignments to NAMES.

    Every other occurrence of one of the names is looked at: harmless in a
    comment, as an attribute (``x.revision``) or in running text ("Apply this
    revision."); anything that may bind it (``=``, ``,``, ``:`` after it;
    ``for``/``as``/``import``/``def``/``del``/... before it on the line), or a
    second column-0 assignment, returns None and the full path decides.
    """
    found: dict[str, str] = {}
    assign_lines: set[int] = set()
    n = len(text)
    for word in _SCAN_WORDS:
        i = text.find(word, start)
        while i != -1:
            begin, end = i, i + len(word)
            i = text.find(word, end)
            while begin > 0 and (text[begin - 1] in _IDENT or _is_ident_char(text[begin - 1])):
                begin -= 1
            while end < n and (text[end] in _IDENT or _is_ident_char(text[end])):
                end += 1
            if text[begin:end] not in _NAME_SET:
                continue  # e.g. "revisions", "revision_id"
            line_start = text.rfind("\n", 0, begin) + 1
            if line_start in assign_lines:
                continue
            line_end = text.find("\n", end)
            if line_end == -1:
                line_end = n
            if begin == line_start:
                m = _ASSIGN_RE.fullmatch(text, line_start, line_end)
                if m is not None:
                    if m.group(1) in found:
                        return None
                    found[m.group(1)] = m.group(2)
                    assign_lines.add(line_start)
                    continue
            before = text[line_start:begin]
            if before.lstrip().startswith("#") or before.endswith("."):
                continue
            if _BIND_AFTER_RE.match(text, end, line_end) or _BIND_BEFORE_RE.search(before):
                return None
    return found


_IDENT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _is_ident_char(c: str) -> bool:
    return c > "\x7f" and c.isalnum()


def _make(path: str, values: dict[str, Value], doc: str | None, nonliteral=()) -> Header:
    revision = values.get("revision")
    if "revision" not in nonliteral and not isinstance(revision, str):
        raise ScriptError(f"revision in {path} must be a string, not {revision!r}", path=path)
    return Header(
        path=path,
        revision=revision,  # type: ignore[arg-type]
        down_revision=values.get("down_revision"),
        branch_labels=values.get("branch_labels"),
        depends_on=values.get("depends_on"),
        docstring=doc,
        create_date=create_date_of(doc),
        literal=not nonliteral,
        nonliteral=tuple(n for n in NAMES if n in nonliteral),
    )


def _full(path: str, text: str) -> Header:
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        raise syntax_error(path, exc) from exc
    except ValueError as exc:  # source with null bytes
        raise ScriptError(f"Cannot compile {path}: {exc}", path=path) from exc
    doc = ast.get_docstring(tree, clean=False)
    values: dict[str, Value] = {}
    nonliteral: set[str] = set()
    dynamic = _has_dynamic_marks(text) and _is_dynamic(tree)

    def bind(name: str, value: ast.expr | None) -> None:
        if value is None:
            nonliteral.add(name)
            values.pop(name, None)
            return
        try:
            values[name] = _literal(path, name, value)
            nonliteral.discard(name)
        except _NotLiteral:
            nonliteral.add(name)
            values.pop(name, None)

    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets):
            for t in stmt.targets:
                if t.id in _NAME_SET:  # type: ignore[attr-defined]
                    bind(t.id, stmt.value)  # type: ignore[attr-defined]
            continue
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            if stmt.target.id in _NAME_SET and stmt.value is not None:
                bind(stmt.target.id, stmt.value)
            continue
        for name in _bound_names(stmt):
            bind(name, None)
    if dynamic:
        nonliteral.update(NAMES)
    bound = set(values) | nonliteral
    if "revision" not in bound:
        m = _LEGACY_REV_RE.match(os.path.basename(path))
        if m is None:
            raise ScriptError(
                f"Could not determine revision id from version file {path}",
                path=path,
                hint='Declare revision = "<id>" at module level in the file.',
            )
        values["revision"] = m.group(1)
    if "down_revision" not in bound:
        raise ScriptError(
            f"Version file {path} does not declare down_revision",
            path=path,
            hint="Declare down_revision = None (a base) or the parent revision id.",
        )
    return _make(path, values, doc, nonliteral)


def _bound_names(stmt: ast.stmt) -> set[str]:
    """Which of NAMES a module-level statement may (re)bind or delete.

    Function and class bodies are not entered: their bindings are local (a
    ``global`` statement in them makes the module "dynamic", see below).
    """
    out: set[str] = set()
    todo: list[ast.AST] = [stmt]
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name in _NAME_SET:
                out.add(node.name)
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            if node.id in _NAME_SET:
                out.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    out.update(NAMES)
                elif (alias.asname or alias.name.split(".")[0]) in _NAME_SET:
                    out.add(alias.asname or alias.name.split(".")[0])
        elif getattr(node, "name", None) in _NAME_SET and isinstance(
            node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)
        ):
            out.add(node.name)  # type: ignore[attr-defined]
        todo.extend(ast.iter_child_nodes(node))
    return out


def _is_dynamic(tree: ast.Module) -> bool:
    """Could the module's namespace be changed out of sight (globals(), exec ...)?"""
    return any(_dynamic_node(node) for node in ast.walk(tree))


def _dynamic_node(node: ast.AST) -> bool:
    if isinstance(node, ast.Call):
        return isinstance(node.func, ast.Name) and node.func.id in _DYNAMIC_CALLS
    if isinstance(node, ast.Attribute):  # sys.modules[__name__]
        return (
            node.attr == "modules" and isinstance(node.value, ast.Name) and node.value.id == "sys"
        )
    if isinstance(node, ast.Global):
        return any(n in _NAME_SET for n in node.names)
    return False
