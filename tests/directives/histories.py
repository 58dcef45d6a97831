"""Multi-revision histories for the round-trip and interop suites.

Everything here runs on SQLite, PostgreSQL and MariaDB: constraint changes go
through ``batch_alter_table`` (move-and-copy on SQLite, plain ALTER elsewhere).
"""

from __future__ import annotations

from tests.directives.project import Revision

LINEAR_IDS = [f"{i:02d}c0ffee{i:05d}" for i in range(1, 9)]
MIDDLE = LINEAR_IDS[3]  # after four of the eight steps


def _linear_bodies() -> list[tuple[str, str]]:
    return [
        (
            """
            op.create_table(
                "users",
                sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("email", sa.String(100), nullable=False),
                sa.Column("name", sa.String(50)),
            )
            """,
            'op.drop_table("users")',
        ),
        (
            """
            op.create_table(
                "posts",
                sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", name="fk_posts_user")),
                sa.Column("title", sa.String(200)),
                sa.Column("body", sa.Text),
            )
            """,
            'op.drop_table("posts")',
        ),
        (
            """
            # A constant default: rows must compare equal between runs.
            op.add_column("users", sa.Column("created_at", sa.DateTime,
                                             server_default="2000-01-01 00:00:00"))
            op.create_index("ix_posts_title", "posts", ["title"])
            """,
            """
            op.drop_index("ix_posts_title", table_name="posts")
            op.drop_column("users", "created_at")
            """,
        ),
        (
            """
            with op.batch_alter_table("users") as batch_op:
                batch_op.create_unique_constraint("uq_users_email", ["email"])
            """,
            """
            with op.batch_alter_table("users") as batch_op:
                batch_op.drop_constraint("uq_users_email", type_="unique")
            """,
        ),
        (
            """
            users = sa.table("users", sa.column("id", sa.Integer), sa.column("email", sa.String),
                             sa.column("name", sa.String))
            posts = sa.table("posts", sa.column("id", sa.Integer), sa.column("user_id", sa.Integer),
                             sa.column("title", sa.String), sa.column("body", sa.Text))
            op.bulk_insert(users, [
                {"id": 1, "email": "ann@example.com", "name": "ann"},
                {"id": 2, "email": "bob@example.com", "name": "bob"},
            ])
            op.bulk_insert(posts, [
                {"id": 1, "user_id": 1, "title": "hello", "body": "first"},
                {"id": 2, "user_id": 2, "title": "again", "body": None},
            ], multiinsert=False)
            """,
            """
            op.execute("DELETE FROM posts")
            op.execute("DELETE FROM users")
            """,
        ),
        (
            """
            with op.batch_alter_table("posts") as batch_op:
                batch_op.alter_column("title", existing_type=sa.String(200), nullable=False)
                batch_op.create_check_constraint("ck_posts_title", sa.text("title <> ''"))
            """,
            """
            with op.batch_alter_table("posts") as batch_op:
                batch_op.drop_constraint("ck_posts_title", type_="check")
                batch_op.alter_column("title", existing_type=sa.String(200), nullable=True)
            """,
        ),
        (
            """
            op.add_column("users", sa.Column("active", sa.Boolean, nullable=False,
                                             server_default=sa.true()))
            op.execute("UPDATE users SET name = upper(name)")
            """,
            """
            op.execute("UPDATE users SET name = lower(name)")
            op.drop_column("users", "active")
            """,
        ),
        (
            """
            op.create_table(
                "tags",
                sa.Column("post_id", sa.Integer, sa.ForeignKey("posts.id"), primary_key=True),
                sa.Column("tag", sa.String(30), primary_key=True),
            )
            op.create_index("ix_tags_tag", "tags", ["tag"])
            op.execute("INSERT INTO tags (post_id, tag) VALUES (1, 'news'), (2, 'misc')")
            """,
            'op.drop_table("tags")',
        ),
    ]


def linear_history() -> list[Revision]:
    revs = []
    down = None
    for rev, (up, dn) in zip(LINEAR_IDS, _linear_bodies()):
        revs.append(Revision(rev, down, up, dn))
        down = rev
    return revs


# A branched history: base -> (left, right) -> merge -> after. Walking it moves
# version rows by INSERT (second branch), UPDATE (along a branch) and DELETE (merge).
BASE, LEFT, RIGHT, MERGE, AFTER = (
    "1a5e00000001",
    "1ef700000002",
    "a16b00000003",
    "0e6e00000004",
    "af7e00000005",
)


def _table(name: str) -> tuple[str, str]:
    return (
        f'op.create_table("{name}", sa.Column("id", sa.Integer, primary_key=True))\n'
        f'op.execute("INSERT INTO {name} (id) VALUES (1)")',
        f'op.drop_table("{name}")',
    )


def branched_history() -> list[Revision]:
    return [
        Revision(BASE, None, *_table("t_base")),
        Revision(LEFT, BASE, *_table("t_left")),
        Revision(RIGHT, BASE, *_table("t_right")),
        Revision(MERGE, (LEFT, RIGHT), *_table("t_merge")),
        Revision(AFTER, MERGE, *_table("t_after")),
    ]


# Steps walked through the branched history: (command, target), with the
# version rows Alembic leaves after each. Together they insert a second head
# row, delete one of two head rows, update rows along a branch, collapse two
# rows into one at the merge and split them again when the merge is undone.
BRANCH_WALK = [
    ("upgrade", BASE),  # {base}: INSERT
    ("upgrade", LEFT),  # {left}: UPDATE
    ("upgrade", RIGHT),  # {left, right}: INSERT a second head
    ("downgrade", f"{RIGHT}@-1"),  # {left}: DELETE one head of two
    ("upgrade", "heads"),  # {after}: INSERT right, merge (DELETE + UPDATE), UPDATE
    ("downgrade", MERGE),  # {merge}: UPDATE
    ("downgrade", LEFT),  # {left, right}: undo the merge (UPDATE + INSERT)
    ("upgrade", MERGE),  # {merge}: DELETE + UPDATE
    ("downgrade", f"{LEFT}@{BASE}"),  # {right}: undo the merge, drop the left branch
    ("downgrade", "base"),  # {}: DELETE
]
