"""The revision graph's lane layout, tested as text with literal DAGs."""

from __future__ import annotations

import random
import time
from textwrap import dedent

import pytest

from tui_migrate.graph_layout import (
    ASCII_NODE_GLYPH,
    NODE_GLYPH,
    ConnectorRow,
    GraphNode,
    NodeRow,
    layout_graph,
    render_text,
)


def dag(spec: str) -> list[GraphNode]:
    """``"m:a,b a:r b:r r"`` -> nodes in that order, ``id:parent,parent``."""
    nodes = []
    for item in spec.split():
        nid, _, parents = item.partition(":")
        nodes.append(GraphNode(nid, tuple(p for p in parents.split(",") if p)))
    return nodes


def draw(spec: str | list[GraphNode], *, ascii: bool = False, **labels: str) -> str:
    nodes = dag(spec) if isinstance(spec, str) else spec
    return render_text(layout_graph(nodes, ascii=ascii), labels)


def picture(text: str) -> str:
    return dedent(text).strip("\n")


# --- shapes -------------------------------------------------------------------


def test_linear():
    assert draw("c:b b:a a", c="(head)", a="(base)") == picture("""
        ● c (head)
        ● b
        ● a (base)
    """)


def test_fork_two_heads_from_one_branch_point():
    assert draw("h1:bp h2:bp bp:base base") == picture("""
        ● h1
        │ ● h2
        ├─╯
        ● bp
        ● base
    """)


def test_fork_with_longer_branches_joins_after_the_last_one():
    assert draw("h1:a1 h2:a2 a1:bp a2:bp bp") == picture("""
        ● h1
        │ ● h2
        ● │ a1
        │ ● a2
        ├─╯
        ● bp
    """)


def test_two_way_merge():
    assert draw("m:a,b a:r b:r r") == picture("""
        ● m
        ├─╮
        ● │ a
        │ ● b
        ├─╯
        ● r
    """)


def test_three_way_merge():
    assert draw("m:a,b,c a:r b:r c:r r") == picture("""
        ● m
        ├─┬─╮
        ● │ │ a
        │ ● │ b
        │ │ ● c
        ├─┴─╯
        ● r
    """)


def test_merge_whose_parent_is_already_on_another_lane():
    assert draw("x:b m:a,b a:b b") == picture("""
        ● x
        │ ● m
        ├─┤
        │ ● a
        ├─╯
        ● b
    """)


def test_two_bases_side_by_side():
    assert draw("a:b x:y b y") == picture("""
        ● a
        │ ● x
        ● │ b
          ● y
    """)


def test_a_head_below_a_base_takes_another_lane():
    # Drawn in lane 0 right under "b", "x" would read as b's parent.
    assert draw("a:b b x:y y") == picture("""
        ● a
        ● b
          ● x
          ● y
    """)


def test_head_that_is_not_the_first_row():
    assert draw("a:b h:b b") == picture("""
        ● a
        │ ● h
        ├─╯
        ● b
    """)


def test_heads_join_as_soon_as_they_are_on_the_right_edge():
    assert draw("a:c b:c x:c c") == picture("""
        ● a
        │ ● b
        ├─╯
        │ ● x
        ├─╯
        ● c
    """)


def test_freed_lane_is_reused_by_a_later_head():
    assert draw("a:r b:r h:r r") == picture("""
        ● a
        │ ● b
        ├─╯
        │ ● h
        ├─╯
        ● r
    """)
    layout = layout_graph(dag("a:r b:r h:r r"))
    assert layout.lanes == 2 and layout.width == 4


def test_filtered_view_missing_parents_end_in_a_tail():
    assert draw("m:a,gone a:b b:alsogone") == picture("""
        ● m
        ├─╮
        │ ┆
        ● a
        ● b
        ┆
    """)


def test_parent_listed_above_its_child_is_treated_as_missing():
    assert draw("p c:p") == picture("""
        ● p
          ● c
          ┆
    """)


def test_ascii_mode():
    assert draw("m:a,b,c a:r b:r c:r r h1:q h2:q q", ascii=True) == picture(r"""
        * m
        |\ \
        * | | a
        | * | b
        | | * c
        |/ /
        * r
          * h1
        * | h2
        |/
        * q
    """)
    assert draw("x:b m:a,b a:b b p:gone", ascii=True) == picture("""
        * x
        | * m
        |_|
        | * a
        |/
        * b
          * p
          :
    """)


def test_dependencies_are_annotated_not_drawn():
    nodes = [GraphNode("b", ("a",), ("x",)), GraphNode("x"), GraphNode("a")]
    assert draw(nodes, b="(head)") == picture("""
        ● b (head) (depends on x)
        │ ● x
        ● a
    """)


# --- the data the TUI uses ----------------------------------------------------


def test_rows_expose_the_glyph_column_width_and_index():
    layout = layout_graph(dag("m:a,b,c a:r b:r c:r r"))
    node_rows = [r for r in layout if isinstance(r, NodeRow)]
    assert [r.node_id for r in node_rows] == ["m", "a", "b", "c", "r"]
    assert [r.lane for r in node_rows] == [0, 0, 1, 2, 0]
    for row in node_rows:
        assert row.cells[row.column] == NODE_GLYPH
        assert layout[layout.row_of(row.node_id)] is row
    assert layout.width == max(len(r.cells) for r in layout) == 6
    assert isinstance(layout[1], ConnectorRow) and layout[1].cells.rstrip() == "├─┬─╮"
    ascii_rows = layout_graph(dag("m:a,b,c a:r b:r c:r r"), ascii=True)
    assert all(r.cells[r.column] == ASCII_NODE_GLYPH for r in ascii_rows if isinstance(r, NodeRow))


def test_window_is_a_slice_of_the_rows():
    layout = layout_graph(dag("m:a,b a:r b:r r"))
    assert layout.window(1, 3) == layout.rows[1:4]
    assert layout.window(5, 3) == layout.rows[-3:]  # clamped to the end
    assert layout.window(0, 100) == layout.rows
    assert layout_graph([]).rows == () and layout_graph([]).width == 0


def test_from_revision_uses_versioned_parents():
    from engine.revisions.revision import Revision

    node = GraphNode.from_revision(Revision("b", ("a", "c"), dependencies="x"))
    assert node == GraphNode("b", ("a", "c"), ("x",))


def test_duplicate_ids_are_refused():
    with pytest.raises(ValueError, match="'a' appears twice"):
        layout_graph(dag("a b a"))


# --- every line connects, on random DAGs ----------------------------------------

_DOWN = set("│├┤┼╮╭┬")
_UP = set("│├┤┼╯╰┴┆")


def random_dag(n: int, *, seed: int, max_tips: int = 100, missing: float = 0.0) -> list[GraphNode]:
    """A branchy history, newest first: long-lived branches, forks and merges."""
    rnd = random.Random(seed)
    nodes = [GraphNode("n0")]
    tips = ["n0"]
    for i in range(1, n):
        roll = rnd.random()
        if roll < 0.1 and len(tips) >= 2:
            parents = tuple(rnd.sample(tips, rnd.choice((2, 2, 3)) if len(tips) > 2 else 2))
            for p in parents:
                tips.remove(p)
        elif roll < 0.35 and len(tips) < max_tips:
            parents = (rnd.choice(nodes[-50:]).id,)
        elif roll < 0.38 and len(tips) < max_tips:
            parents = ()  # another base
        else:
            parents = (tips.pop(rnd.randrange(len(tips))),)
        tips.append(f"n{i}")
        nodes.append(GraphNode(f"n{i}", parents))
    nodes.reverse()
    if missing:
        nodes = [node for node in nodes if rnd.random() > missing]
    return nodes


@pytest.mark.parametrize("seed", range(8))
def test_lines_are_continuous(seed):
    nodes = random_dag(300, seed=seed, max_tips=12, missing=0.1 if seed % 2 else 0.0)
    layout = layout_graph(nodes)
    assert [r.node_id for r in layout if isinstance(r, NodeRow)] == [n.id for n in nodes]
    rows = [r.cells for r in layout]
    for above, below in zip(rows, rows[1:]):
        for col in range(0, max(len(above), len(below)), 2):
            a = above[col] if col < len(above) else " "
            b = below[col] if col < len(below) else " "
            if NODE_GLYPH in (a, b):
                continue  # a node may start (head) or end (base) a line
            assert (a in _DOWN) == (b in _UP), (col, above, below)
    assert not (set(rows[-1]) & _DOWN)


# --- speed ----------------------------------------------------------------------


def test_ten_thousand_linear_nodes_are_fast():
    nodes = [GraphNode(f"r{i}", (f"r{i - 1}",) if i else ()) for i in range(10_000)][::-1]
    start = time.perf_counter()
    layout = layout_graph(nodes)
    elapsed = time.perf_counter() - start
    assert len(layout) == 10_000 and layout.width == 2
    assert elapsed < 0.5


def test_branchy_two_thousand_nodes_are_fast():
    nodes = random_dag(2_000, seed=1)
    start = time.perf_counter()
    layout = layout_graph(nodes)
    elapsed = time.perf_counter() - start
    assert 50 <= layout.lanes <= 150
    assert elapsed < 0.5
