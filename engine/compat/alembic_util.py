"""``alembic.util`` as scripts use it: the error classes and a few helpers."""

from __future__ import annotations

from engine.errors import CommandError, MigrateError, RevisionError
from engine.revisions.revision import to_tuple
from engine.scripts.writer import new_rev_id as rev_id
from engine.urls import mask_url as obfuscate_url_pw

__all__ = [
    "CommandError",
    "MigrateError",
    "RevisionError",
    "obfuscate_url_pw",
    "rev_id",
    "to_tuple",
]
