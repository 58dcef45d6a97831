"""Helpers for database URLs that must never show a password.

* :func:`mask_url` hides the password of one URL (``postgresql://app:***@db/app``).
* :func:`mask_secrets` hides the passwords of every URL inside free text (error
  messages, log lines), and ``password=...`` pairs of libpq-style DSNs.

Neither imports SQLAlchemy: plain strings are parsed here. SQLAlchemy ``URL``
objects are accepted too (anything with ``render_as_string``).

Masking errs on the side of hiding too much: when a password contains an
unescaped ``@``, everything up to the last ``@`` of the authority is hidden.
"""

from __future__ import annotations

import re
from typing import Any

MASK = "***"

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
# A URL inside free text: a scheme, then everything up to white space.
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://\S+")
# key=value secrets as found in libpq DSNs, ODBC strings and query strings.
_KEY_VALUE_SECRET = re.compile(
    r"""(?P<key>\b(?:password|passwd|pwd)\s*=\s*)(?P<value>'[^']*'|"[^"]*"|[^\s&;,'")]+)""",
    re.IGNORECASE,
)


def mask_url(url: Any) -> str:
    """Return ``url`` as a string with its password replaced by ``***``.

    Accepts a string or a SQLAlchemy ``URL``. A string that is not a URL with
    credentials comes back unchanged.
    """
    if url is None:
        return ""
    render = getattr(url, "render_as_string", None)
    if callable(render):
        return str(render(hide_password=True))
    return _mask_one(str(url))


def _mask_one(url: str) -> str:
    match = _SCHEME.match(url)
    if match is None:
        return url
    head, rest = url[: match.end()], url[match.end() :]
    first_at = rest.find("@")
    if first_at < 0:
        return url
    # The userinfo ends at the last '@' before the query string (a '?' after the
    # first '@'); a '?' or '@' before that may belong to the password.
    query = rest.find("?", first_at)
    last_at = rest.rfind("@", 0, query if query >= 0 else len(rest))
    userinfo = rest[:last_at]
    user, colon, _password = userinfo.partition(":")
    if not colon or "/" in user:
        return url
    return f"{head}{user}:{MASK}@{rest[last_at + 1 :]}"


def mask_secrets(text: str) -> str:
    """Mask the passwords of all URLs (and ``password=`` pairs) found in ``text``."""
    if not text:
        return text

    def _url(match: re.Match[str]) -> str:
        token = match.group(0)
        # Several URLs glued together ("a://..,b://..") are masked one by one.
        starts = [m.start() for m in _SCHEME.finditer(token)]
        if len(starts) <= 1:
            return _mask_one(token)
        pieces = [token[: starts[0]]]
        for begin, end in zip(starts, starts[1:] + [len(token)]):
            pieces.append(_mask_one(token[begin:end]))
        return "".join(pieces)

    text = _URL_IN_TEXT.sub(_url, text)
    return _KEY_VALUE_SECRET.sub(lambda m: m.group("key") + MASK, text)
