"""The revision graph on literal graphs: shapes, every grammar form, every error.

Each answer is written out by hand, and where Alembic gives one too it is
checked against Alembic (the oracle) as well.
"""

from __future__ import annotations

import pytest

from engine.errors import (
    AmbiguousRevision,
    CycleDetected,
    DependencyCycleDetected,
    DuplicateLabelError,
    DuplicateRevisionError,
    LoopDetected,
    MissingParentError,
    MultipleHeads,
    ResolutionError,
    RevisionError,
)
from engine.revisions.iteration import iterate_revisions
from engine.revisions.revision import Revision
from engine.revisions.revision_map import RevisionMap
from tests.revisions.graphs import Node, linear, ours, theirs

# A branchy history, newest last:
#
#   a1 - a2 - a3 -+- b1 (label feature) - b2 -+
#          \      +- c1 - c2 ----------------+- m1 (3-way merge) - e1 (depends_on x1)
#           \     +- d1 ---------------------+
#            f1 (head)
#   x1 - x2 (label other)                    second base
BRANCHY = [
    Node("a1aaaaaaaaaa"),
    Node("a2aaaaaaaaaa", ("a1aaaaaaaaaa",)),
    Node("a3aaaaaaaaaa", ("a2aaaaaaaaaa",)),
    Node("b1bbbbbbbbbb", ("a3aaaaaaaaaa",), labels=("feature",)),
    Node("b2bbbbbbbbbb", ("b1bbbbbbbbbb",)),
    Node("c1cccccccccc", ("a3aaaaaaaaaa",)),
    Node("c2cccccccccc", ("c1cccccccccc",)),
    Node("d1dddddddddd", ("a3aaaaaaaaaa",)),
    Node("m1mmmmmmmmmm", ("b2bbbbbbbbbb", "c2cccccccccc", "d1dddddddddd")),
    Node("e1eeeeeeeeee", ("m1mmmmmmmmmm",), deps=("x1xxxxxxxxxx",)),
    Node("f1ffffffffff", ("a2aaaaaaaaaa",)),
    Node("x1xxxxxxxxxx"),
    Node("x2xxxxxxxxxx", ("x1xxxxxxxxxx",), labels=("other",)),
]


@pytest.fixture(scope="module")
def branchy():
    return ours(BRANCHY)


@pytest.fixture(scope="module")
def oracle():
    pytest.importorskip("alembic")
    return theirs(BRANCHY)


def names(revs):
    return [r if isinstance(r, str) or r is None else r.revision[:2] for r in revs]


# --- shape ------------------------------------------------------------------


def test_heads_bases_points(branchy, oracle):
    assert branchy.heads == ("e1eeeeeeeeee", "f1ffffffffff", "x2xxxxxxxxxx")
    assert branchy.bases == ("a1aaaaaaaaaa", "x1xxxxxxxxxx")
    assert branchy.real_bases == ("a1aaaaaaaaaa", "x1xxxxxxxxxx")
    assert branchy.heads == oracle.heads and branchy.real_heads == oracle._real_heads
    r = branchy.revisions
    assert r["a3aaaaaaaaaa"].is_branch_point and r["a2aaaaaaaaaa"].is_branch_point
    assert r["m1mmmmmmmmmm"].is_merge_point
    assert r["x1xxxxxxxxxx"].is_real_branch_point and not r["x1xxxxxxxxxx"].is_branch_point
    assert r["e1eeeeeeeeee"].resolved_dependencies == ("x1xxxxxxxxxx",)


def test_labels_follow_the_branch(branchy, oracle):
    labelled = {rid for rid, r in branchy.revisions.items() if "feature" in r.branch_labels}
    # all descendants of b1; not below it, since a3 is a branch point
    assert labelled == {"b1bbbbbbbbbb", "b2bbbbbbbbbb", "m1mmmmmmmmmm", "e1eeeeeeeeee"}
    # a label on a line with no forks names the whole line down to its base;
    # here x1 is a branch point (e1 depends on it), so the label stops at x2
    assert "other" not in branchy.revisions["x1xxxxxxxxxx"].branch_labels
    line = ours(
        [
            Node("p1pppppppppp"),
            Node("p2pppppppppp", ("p1pppppppppp",), labels=("ln",)),
            Node("p3pppppppppp", ("p2pppppppppp",)),
        ]
    )
    assert all("ln" in r.branch_labels for r in line)
    for rid, r in branchy.revisions.items():
        assert r.branch_labels == oracle.get_revision(rid).branch_labels


# --- grammar ------------------------------------------------------------------

GRAMMAR = [
    ("heads", ["e1", "f1", "x2"]),
    ("base", []),
    ("a3aaaaaaaaaa", ["a3"]),
    ("c2cc", ["c2"]),  # partial id
    ("c2", ["c2"]),  # short but unique
    ("feature", ["b1"]),  # a label names its revision
    ("feature@head", ["e1"]),
    ("feature@heads", ["e1"]),
    ("feature@base", []),
    ("feature@b2bb", ["b2"]),
    ("other@head", ["x2"]),
    ("other@x1xxxxxxxxxx", ["x1"]),
    ("-1", ["m1", "a2", "x1"]),  # each head, one down
    ("other@-1", ["x1"]),
    (("c2cccccccccc", "d1dddddddddd"), ["c2", "d1"]),
]


@pytest.mark.parametrize(("spec", "expected"), GRAMMAR)
def test_get_revisions(branchy, oracle, spec, expected):
    assert names(branchy.get_revisions(spec)) == expected
    assert names(branchy.get_revisions(spec)) == names(oracle.get_revisions(spec))


RELATIVE = [  # (upper, lower, downgrade?) -> revisions, newest first
    ("a1aaaaaaaaaa+1", "base", False, ["a2", "a1"]),
    ("+1", "b1bbbbbbbbbb", False, ["b2"]),
    ("x1xxxxxxxxxx+1", "base", False, ["x2", "x1"]),
    ("b1bbbbbbbbbb+1", "a3aaaaaaaaaa", False, ["b2", "b1"]),
    ("feature@+1", "b1bbbbbbbbbb", False, ["b2"]),
    ("other@+1", "x1xxxxxxxxxx", False, ["x2"]),
    ("other@base+1", "base", False, ["x1"]),
    ("x2xxxxxxxxxx", "-1", True, ["x2"]),
    ("x2xxxxxxxxxx", "x2xxxxxxxxxx-2", True, ["x2", "x1"]),
    ("e1eeeeeeeeee", "m1mmmmmmmmmm", True, ["e1"]),
    ("e1eeeeeeeeee", "feature@-1", True, ["e1"]),
]


@pytest.mark.parametrize(("upper", "lower", "down", "expected"), RELATIVE)
def test_relative_and_label_moves(branchy, oracle, upper, lower, down, expected):
    got = list(iterate_revisions(branchy, upper, lower, select_for_downgrade=down))
    assert names(got) == expected
    want = list(oracle.iterate_revisions(upper, lower, select_for_downgrade=down))
    assert names(got) == names(want)


def test_history_order_is_alembics(branchy, oracle):
    got = iterate_revisions(branchy, "heads", "base", inclusive=True, assert_relative_length=False)
    want = oracle.iterate_revisions("heads", "base", inclusive=True, assert_relative_length=False)
    assert names(got) == names(want)
    assert names(iterate_revisions(branchy, "heads", "base", inclusive=True)) == [
        # lanes in file order; a lane waits while another still needs its revision
        "e1",
        "m1",
        "b2",
        "b1",
        "c2",
        "c1",
        "x2",
        "f1",
        "d1",
        "x1",
        "a3",
        "a2",
        "a1",
    ]


# --- errors -------------------------------------------------------------------


def test_cycle_names_its_revisions():
    revs = [
        Revision("aaaa1", "cccc3"),
        Revision("bbbb2", "aaaa1"),
        Revision("cccc3", "bbbb2"),
        Revision("dddd4", None),
        Revision("eeee5", "dddd4"),
    ]
    with pytest.raises(CycleDetected) as err:
        RevisionMap(revs)
    # named in parent order: aaaa1 comes after cccc3, which comes after bbbb2...
    assert err.value.revisions == ["aaaa1", "cccc3", "bbbb2"]
    assert "aaaa1, cccc3, bbbb2" in str(err.value)


def test_dependency_cycle():
    revs = [
        Revision("aaaa1", None, dependencies="bbbb2"),
        Revision("bbbb2", None, dependencies="aaaa1"),
    ]
    with pytest.raises(DependencyCycleDetected, match="aaaa1, bbbb2"):
        RevisionMap(revs)


def test_self_loop():
    with pytest.raises(LoopDetected, match="aaaa1"):
        Revision("aaaa1", "aaaa1")


def test_duplicate_revision_names_both_files():
    class P(Revision):
        pass

    one, two = P("aaaa1", None), P("aaaa1", None)
    one.path, two.path = "versions/one.py", "versions/two.py"
    with pytest.raises(DuplicateRevisionError, match="versions/one.py, versions/two.py"):
        RevisionMap([one, two])


def test_missing_parent_and_dependency():
    with pytest.raises(MissingParentError, match="down_revision 'zzzz9'"):
        RevisionMap([Revision("aaaa1", "zzzz9")])
    with pytest.raises(MissingParentError, match="depends_on 'nolabel'"):
        RevisionMap([Revision("aaaa1", None, dependencies="nolabel")])


def test_duplicate_label():
    with pytest.raises(DuplicateLabelError, match="'dup'.*aaaa1, bbbb2"):
        RevisionMap(
            [
                Revision("aaaa1", None, branch_labels="dup"),
                Revision("bbbb2", None, branch_labels="dup"),
            ]
        )


def test_illegal_revision_id():
    with pytest.raises(RevisionError, match="not allowed"):
        Revision("ab-cd", None)


def test_unknown_and_ambiguous_specs(branchy):
    with pytest.raises(ResolutionError, match="'nosuch'"):
        branchy.get_revisions("nosuch")
    amb = ours([Node("abcd11111111"), Node("abcd22222222", ("abcd11111111",))])
    with pytest.raises(AmbiguousRevision) as err:
        amb.get_revision("abcd")
    assert err.value.candidates == ["abcd11111111", "abcd22222222"]
    with pytest.raises(ResolutionError, match="No such branch"):
        branchy.get_revisions("nobranch@head")
    with pytest.raises(ResolutionError, match="not a member of branch 'feature'"):
        branchy.get_revisions("feature@f1ffffffffff")


def test_multiple_heads(branchy):
    with pytest.raises(MultipleHeads) as err:
        branchy.get_revision("head")
    assert err.value.heads == ["e1eeeeeeeeee", "f1ffffffffff", "x2xxxxxxxxxx"]


def test_impossible_relative_moves(branchy):
    line = ours(linear(3))
    with pytest.raises(RevisionError, match="didn't produce 5 migrations"):
        list(iterate_revisions(line, line.heads[0], "-5", select_for_downgrade=True))
    with pytest.raises(RevisionError):
        list(iterate_revisions(line, "+5", "base"))
    with pytest.raises(RevisionError, match="Ambiguous walk"):
        list(iterate_revisions(branchy, "a3aaaaaaaaaa+1", "base"))


def test_range_not_ancestor(branchy):
    from engine.errors import RangeNotAncestorError

    with pytest.raises(RangeNotAncestorError):
        list(iterate_revisions(branchy, "f1ffffffffff", "c1cccccccccc"))


def test_map_builds_in_linear_time():
    """10,000 revisions build quickly (a quadratic build would take minutes)."""
    import time

    nodes = linear(10_000)
    start = time.perf_counter()
    rmap = ours(nodes)
    assert len(rmap) == 10_000 and rmap.heads == (nodes[-1].rev,)
    assert time.perf_counter() - start < 2.0
