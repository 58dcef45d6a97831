"""Operations as data: one class per directive, plus the containers autogenerate fills.

This is the public face of the ``ops_*`` modules (``from engine.operations import ops;
ops.AddColumnOp``). Like them it needs nothing from the engine but ``engine.errors``
and the SQLAlchemy object builder ``schemaobj``; the runtime is reached only through
the ``operations`` argument of the directive classmethods.
"""

from __future__ import annotations

from engine.operations.ops_base import (
    AlterTableOp,
    DowngradeOps,
    InvalidOperationError,
    IrreversibleOperationError,
    MigrateOperation,
    MigrationScript,
    ModifyTableOps,
    OpContainer,
    UpgradeOps,
)
from engine.operations.ops_column import AddColumnOp, AlterColumnOp, DropColumnOp
from engine.operations.ops_constraint import (
    AddConstraintOp,
    CreateCheckConstraintOp,
    CreateForeignKeyOp,
    CreatePrimaryKeyOp,
    CreateUniqueConstraintOp,
    DropConstraintOp,
)
from engine.operations.ops_index import CreateIndexOp, DropIndexOp
from engine.operations.ops_misc import BulkInsertOp, ExecuteSQLOp
from engine.operations.ops_postgresql import CreateExcludeConstraintOp
from engine.operations.ops_table import (
    CreateTableCommentOp,
    CreateTableOp,
    DropTableCommentOp,
    DropTableOp,
    RenameTableOp,
)

__all__ = [
    "AddColumnOp",
    "AddConstraintOp",
    "AlterColumnOp",
    "AlterTableOp",
    "BulkInsertOp",
    "CreateCheckConstraintOp",
    "CreateExcludeConstraintOp",
    "CreateForeignKeyOp",
    "CreateIndexOp",
    "CreatePrimaryKeyOp",
    "CreateTableCommentOp",
    "CreateTableOp",
    "CreateUniqueConstraintOp",
    "DowngradeOps",
    "DropColumnOp",
    "DropConstraintOp",
    "DropIndexOp",
    "DropTableCommentOp",
    "DropTableOp",
    "ExecuteSQLOp",
    "InvalidOperationError",
    "IrreversibleOperationError",
    "MigrateOperation",
    "MigrationScript",
    "ModifyTableOps",
    "OpContainer",
    "RenameTableOp",
    "UpgradeOps",
]
