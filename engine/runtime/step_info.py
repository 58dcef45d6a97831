"""``MigrationInfo``: what ``on_version_apply`` callbacks receive for each step."""

from __future__ import annotations

from typing import Any

from engine.revisions.plans import MigrationStep, StampStep


class MigrationInfo:
    """A read-only description of one applied step (Alembic's ``MigrationInfo``)."""

    def __init__(self, revision_map: Any, step: MigrationStep | StampStep) -> None:
        self.revision_map = revision_map
        self.is_upgrade = step.is_upgrade
        self.is_stamp = step.is_stamp
        if step.is_upgrade:
            self.up_revision_ids = tuple(step.to_revisions_no_deps)
            self.down_revision_ids = tuple(step.from_revisions_no_deps)
        else:
            self.up_revision_ids = tuple(step.from_revisions_no_deps)
            self.down_revision_ids = tuple(step.to_revisions_no_deps)
        self.up_revision_id = self.up_revision_ids[0] if self.up_revision_ids else None

    @property
    def is_migration(self) -> bool:
        return not self.is_stamp

    @property
    def source_revision_ids(self) -> tuple[str, ...]:
        return self.down_revision_ids if self.is_upgrade else self.up_revision_ids

    @property
    def destination_revision_ids(self) -> tuple[str, ...]:
        return self.up_revision_ids if self.is_upgrade else self.down_revision_ids

    @property
    def up_revision(self) -> Any:
        return self.revision_map.get_revision(self.up_revision_id)

    @property
    def up_revisions(self) -> tuple[Any, ...]:
        return self.revision_map.get_revisions(self.up_revision_ids)

    @property
    def down_revisions(self) -> tuple[Any, ...]:
        return self.revision_map.get_revisions(self.down_revision_ids)

    @property
    def source_revisions(self) -> tuple[Any, ...]:
        return self.revision_map.get_revisions(self.source_revision_ids)

    @property
    def destination_revisions(self) -> tuple[Any, ...]:
        return self.revision_map.get_revisions(self.destination_revision_ids)

    def __repr__(self) -> str:
        kind = "stamp" if self.is_stamp else ("upgrade" if self.is_upgrade else "downgrade")
        return f"<MigrationInfo {kind} {self.down_revision_ids} -> {self.up_revision_ids}>"
