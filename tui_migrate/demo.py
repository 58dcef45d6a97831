"""The embedded demo: a small SQLite project with a branchy history.

``tui-migrate demo [DIR]`` creates it (once) and shows it. The history has
two heads, a merge, branch labels, a ``depends_on``, a data migration and a
downgrade that drops a table — every shape the tool has to draw.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from textwrap import dedent, indent

from engine.errors import CommandError


@dataclass(frozen=True)
class DemoRevision:
    rev: str
    message: str
    parents: tuple[str, ...]
    upgrade: str
    downgrade: str
    labels: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()


REVISIONS = (
    DemoRevision(
        "1b0c5e2a7d01",
        "create users table",
        (),
        """
        op.create_table(
            "users",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(100), nullable=False),
        )
        """,
        'op.drop_table("users")',
    ),
    DemoRevision(
        "3f2a9c4e8b12",
        "add email to users",
        ("1b0c5e2a7d01",),
        'op.add_column("users", sa.Column("email", sa.String(200)))',
        """
        with op.batch_alter_table("users") as batch:
            batch.drop_column("email")
        """,
    ),
    DemoRevision(
        "5d7e1a3b9c23",
        "create posts table",
        ("3f2a9c4e8b12",),
        """
        op.create_table(
            "posts",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
            sa.Column("title", sa.String(200), nullable=False),
        )
        """,
        'op.drop_table("posts")',
        labels=("content",),
    ),
    DemoRevision(
        "77ab4c2d6e34",
        "create audit log",
        ("3f2a9c4e8b12",),
        """
        op.create_table(
            "audit_log",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("event", sa.String(50), nullable=False),
        )
        """,
        'op.drop_table("audit_log")',
    ),
    DemoRevision(
        "9c1e6f8a2b45",
        "merge content and audit",
        ("5d7e1a3b9c23", "77ab4c2d6e34"),
        "pass",
        "pass",
    ),
    DemoRevision(
        "a4b8d2c6e056",
        "backfill display names",
        ("9c1e6f8a2b45",),
        """
        op.add_column("users", sa.Column("display_name", sa.String(100)))
        op.execute("UPDATE users SET display_name = name")
        """,
        """
        with op.batch_alter_table("users") as batch:
            batch.drop_column("display_name")
        """,
    ),
    DemoRevision(
        "c2e4a6b8d067",
        "add feature flags",
        ("3f2a9c4e8b12",),
        """
        op.create_table(
            "feature_flags",
            sa.Column("name", sa.String(50), primary_key=True),
            sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.false()),
        )
        """,
        'op.drop_table("feature_flags")',
        labels=("flags",),
        depends_on=("content",),
    ),
)


def _body(code: str) -> str:
    return indent(dedent(code).strip(), "    ").lstrip()


def create_demo_project(directory: str) -> bool:
    """Create the demo project in ``directory``; False if it is already there."""
    from engine.config import Config
    from engine.scripts.directory import ScriptDirectory
    from engine.scripts.init import init_project

    directory = os.path.abspath(directory)
    ini = os.path.join(directory, "alembic.ini")
    if os.path.isfile(ini):
        return False
    if os.path.isdir(directory) and os.listdir(directory):
        raise CommandError(
            f"{directory} exists and is not a tui-migrate demo project",
            hint="Give another directory: tui-migrate demo ./some-new-dir",
        )
    os.makedirs(directory, exist_ok=True)
    init_project(os.path.join(directory, "migrations"), "generic", config_file=ini)
    with open(ini, encoding="utf-8") as f:
        text = f.read()
    text = text.replace(
        "sqlalchemy.url = driver://user:pass@localhost/dbname",
        "sqlalchemy.url = sqlite:///%(here)s/demo.db",
    )
    from engine.scripts.writer import write_atomic

    write_atomic(ini, text, "utf-8")
    config = Config(ini)
    script = ScriptDirectory.from_config(config)
    for r in REVISIONS:
        script.generate_revision(
            r.rev,
            r.message,
            head=r.parents or "base",
            splice=True,
            branch_labels=r.labels or None,
            depends_on=r.depends_on or None,
            config=config,
            imports=set(),
            upgrades=_body(r.upgrade),
            downgrades=_body(r.downgrade),
        )
    return True


def graph_lines(scripts) -> str:  # noqa: ANN001 - a list of engine Scripts
    """The history drawn as lanes, newest first, with labels and messages."""
    from tui_migrate.graph_layout import GraphNode, layout_graph, render_text

    layout = layout_graph(GraphNode.from_revision(sc) for sc in scripts)
    labels = {}
    for sc in scripts:
        marks = [f"({lb})" for lb in sorted(sc._orig_branch_labels)]
        if sc.is_head:
            marks.append("(head)")
        labels[sc.revision] = " ".join([*marks, sc.doc])
    return render_text(layout.rows, labels)


def run_demo(directory: str, out) -> None:  # noqa: ANN001 - tui_migrate.output.Output
    from engine import commands
    from engine.config import Config

    created = create_demo_project(directory)
    ini = os.path.join(os.path.abspath(directory), "alembic.ini")
    out.line(("Created" if created else "Using") + f" the demo project in {os.path.dirname(ini)}")
    out.line("")
    config = Config(ini)
    scripts = commands.history(config)
    for line in graph_lines(scripts).splitlines():
        out.revision_line(line)
    out.line("")
    out.line(f"Try:  cd {os.path.dirname(ini)} && tui-migrate heads -v")
