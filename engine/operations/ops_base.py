"""The root of the operation classes and the containers that group them.

Operations are plain data: building one does nothing; handing it to
``Operations.invoke`` runs it, handing it to the renderer prints it. This module
(like every ``ops_*`` module and ``schemaobj``) needs nothing but SQLAlchemy and
``engine.errors``: it sits at the bottom of the house.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from engine.errors import CommandError


class IrreversibleOperationError(CommandError, NotImplementedError):
    """``reverse()`` was asked of an operation that cannot be undone from its data."""


class InvalidOperationError(CommandError, ValueError):
    """An operation was given arguments it cannot work with."""


class MigrateOperation:
    """Base of every operation.

    Subclasses hold the arguments of one directive. ``info`` is a free-form dict
    for extensions (autogenerate hooks, the TUI) that travels with the object.
    """

    _mutations: frozenset[Any] = frozenset()

    @property
    def info(self) -> dict[Any, Any]:
        return self.__dict__.setdefault("_info", {})

    @info.setter
    def info(self, value: dict[Any, Any]) -> None:
        self.__dict__["_info"] = value

    def reverse(self) -> MigrateOperation:
        raise IrreversibleOperationError(
            f"{type(self).__name__} cannot be reversed automatically",
            hint="Write the downgrade step by hand.",
        )

    def to_diff_tuple(self) -> tuple[Any, ...]:
        raise NotImplementedError(f"{type(self).__name__} has no autogenerate diff form")

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_") and v is not None
        )
        return f"{type(self).__name__}({fields})"


class AlterTableOp(MigrateOperation):
    """An operation on one existing table."""

    def __init__(self, table_name: str, *, schema: str | None = None) -> None:
        self.table_name = table_name
        self.schema = schema


# ---------------------------------------------------------------------------
# containers


class OpContainer(MigrateOperation):
    """An ordered group of operations."""

    def __init__(self, ops: Sequence[MigrateOperation] = ()) -> None:
        self.ops: list[MigrateOperation] = list(ops)

    def is_empty(self) -> bool:
        return not self.ops

    def as_diffs(self) -> list[Any]:
        return list(self._ops_as_diffs(self))

    @classmethod
    def _ops_as_diffs(cls, container: OpContainer) -> Iterator[Any]:
        for op in container.ops:
            if isinstance(op, OpContainer):
                yield from cls._ops_as_diffs(op)
                continue
            diff = op.to_diff_tuple()
            # alter_column gives a list of tuples, one per changed attribute
            if isinstance(diff, list):
                yield from diff
            else:
                yield diff

    def _reversed_ops(self) -> list[MigrateOperation]:
        return [op.reverse() for op in reversed(self.ops)]

    def reverse(self) -> OpContainer:
        return type(self)(self._reversed_ops())


class ModifyTableOps(OpContainer):
    """Operations on one table (what autogenerate groups, and what batch mode renders)."""

    def __init__(
        self, table_name: str, ops: Sequence[MigrateOperation], *, schema: str | None = None
    ) -> None:
        super().__init__(ops)
        self.table_name = table_name
        self.schema = schema

    def reverse(self) -> ModifyTableOps:
        return ModifyTableOps(self.table_name, self._reversed_ops(), schema=self.schema)


class UpgradeOps(OpContainer):
    """The body of ``upgrade()``."""

    def __init__(
        self, ops: Sequence[MigrateOperation] = (), upgrade_token: str = "upgrades"
    ) -> None:
        super().__init__(ops)
        self.upgrade_token = upgrade_token

    def reverse_into(self, downgrade_ops: DowngradeOps) -> DowngradeOps:
        downgrade_ops.ops[:] = self._reversed_ops()
        return downgrade_ops

    def reverse(self) -> DowngradeOps:
        return self.reverse_into(DowngradeOps(ops=[]))


class DowngradeOps(OpContainer):
    """The body of ``downgrade()``."""

    def __init__(
        self, ops: Sequence[MigrateOperation] = (), downgrade_token: str = "downgrades"
    ) -> None:
        super().__init__(ops)
        self.downgrade_token = downgrade_token

    def reverse(self) -> UpgradeOps:
        return UpgradeOps(ops=self._reversed_ops())


class MigrationScript(MigrateOperation):
    """A whole revision file to be written: its header data plus upgrade/downgrade ops.

    ``upgrade_ops`` / ``downgrade_ops`` hold a single container, or a list of them when
    a multi-database template has several ``upgrade_<token>()`` sections.
    """

    def __init__(
        self,
        rev_id: str | None,
        upgrade_ops: UpgradeOps,
        downgrade_ops: DowngradeOps,
        *,
        message: str | None = None,
        imports: set[str] | None = None,
        head: str | None = None,
        splice: bool | None = None,
        branch_label: Any = None,
        version_path: Any = None,
        depends_on: Any = None,
    ) -> None:
        self.rev_id = rev_id
        self.message = message
        self.imports = set() if imports is None else imports
        self.head = head
        self.splice = splice
        self.branch_label = branch_label
        self.version_path = version_path
        self.depends_on = depends_on
        self.upgrade_ops = upgrade_ops
        self.downgrade_ops = downgrade_ops

    @staticmethod
    def _as_list(value: Any, kind: type[OpContainer]) -> list[Any]:
        items = value if isinstance(value, list) else [value]
        for item in items:
            if not isinstance(item, kind):
                raise InvalidOperationError(f"expected {kind.__name__}, got {item!r}")
        return items

    @property
    def upgrade_ops(self) -> UpgradeOps:
        if len(self._upgrade_ops) > 1:
            raise InvalidOperationError(
                "This MigrationScript has several UpgradeOps; use upgrade_ops_list"
            )
        return self._upgrade_ops[0]

    @upgrade_ops.setter
    def upgrade_ops(self, value: Any) -> None:
        self._upgrade_ops = self._as_list(value, UpgradeOps)

    @property
    def downgrade_ops(self) -> DowngradeOps:
        if len(self._downgrade_ops) > 1:
            raise InvalidOperationError(
                "This MigrationScript has several DowngradeOps; use downgrade_ops_list"
            )
        return self._downgrade_ops[0]

    @downgrade_ops.setter
    def downgrade_ops(self, value: Any) -> None:
        self._downgrade_ops = self._as_list(value, DowngradeOps)

    @property
    def upgrade_ops_list(self) -> list[UpgradeOps]:
        return self._upgrade_ops

    @property
    def downgrade_ops_list(self) -> list[DowngradeOps]:
        return self._downgrade_ops


_PREFIXED = re.compile(r"^(existing|modify)_(.+)$")


def swap_existing_and_modify(kw: dict[str, Any]) -> dict[str, Any]:
    """For ``alter_column`` reversal: every attribute that is modified gets its
    ``existing_X`` and ``modify_X`` values exchanged."""
    out = dict(kw)
    attrs = {m.group(2) for m in map(_PREFIXED.match, kw) if m}
    for attr in attrs:
        new, old = f"modify_{attr}", f"existing_{attr}"
        if new in kw:
            out[new], out[old] = kw.get(old), kw[new]
    return out
