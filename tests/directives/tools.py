"""The migration tool under test, as a parameter: real Alembic or our engine.

``subject()`` is the tool the suites test. It is our engine unless the
environment says ``TUI_MIGRATE_DIRECTIVES_TOOL=alembic``, which runs every
suite with Alembic on both sides (used to validate the cases and checks
themselves). ``ALEMBIC`` is always the oracle.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

TOOL_ENV = "TUI_MIGRATE_DIRECTIVES_TOOL"


@dataclass(frozen=True)
class Tool:
    name: str  # "alembic" or "engine"

    def _modules(self):  # type: ignore[no-untyped-def]
        if self.name == "alembic":
            from alembic import command, config

            return command, config.Config
        import engine.commands as command
        from engine.config import Config

        return command, Config

    def upgrade(self, ini: Path, revision: str = "head") -> None:
        command, config_cls = self._modules()
        command.upgrade(config_cls(str(ini)), revision)

    def downgrade(self, ini: Path, revision: str = "base") -> None:
        command, config_cls = self._modules()
        command.downgrade(config_cls(str(ini)), revision)

    def upgrade_sql(self, ini: Path, revision: str = "head") -> str:
        command, config_cls = self._modules()
        buf = io.StringIO()
        command.upgrade(config_cls(str(ini), output_buffer=buf), revision, sql=True)
        return buf.getvalue()

    def downgrade_sql(self, ini: Path, revision: str = "head:base") -> str:
        command, config_cls = self._modules()
        buf = io.StringIO()
        command.downgrade(config_cls(str(ini), output_buffer=buf), revision, sql=True)
        return buf.getvalue()


ALEMBIC = Tool("alembic")
ENGINE = Tool("engine")


def subject() -> Tool:
    name = os.environ.get(TOOL_ENV, "engine").strip().lower() or "engine"
    if name not in {"alembic", "engine"}:
        raise ValueError(f"{TOOL_ENV} must be 'alembic' or 'engine', not {name!r}")
    return Tool(name)


def normalise_sql(text: str) -> str:
    """Whitespace-insensitive form of offline SQL output: one space between tokens."""
    return re.sub(r"\s+", " ", text).strip()
