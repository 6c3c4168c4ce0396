"""Where things go on the maps (netkb/render/layout.py): angles clockwise from the top, y down."""

from __future__ import annotations

import math

import pytest

from netkb.render.layout import Labels, around, force, polar, rings, sectors, text_width


def close(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return math.dist(a, b) < 1e-9


def test_polar_angles_run_clockwise_from_the_top() -> None:
    assert close(polar(100, 100, 10, 0), (100, 90))  # top: y grows downwards
    assert close(polar(100, 100, 10, math.pi / 2), (110, 100))  # a quarter turn: right
    assert close(polar(100, 100, 10, math.pi), (100, 110))  # bottom
    assert close(polar(100, 100, 10, 3 * math.pi / 2), (90, 100))  # left


def test_sectors_are_proportional_and_fill_the_circle_with_their_gaps() -> None:
    spans = sectors([("small", 1), ("big", 3)])
    assert spans == {"small": (0.0, math.pi / 2), "big": (math.pi / 2, 2 * math.pi)}
    gapped = sectors([("a", 1), ("b", 1)], gap=0.2)
    assert gapped["a"] == pytest.approx((0.1, math.pi - 0.1))
    assert gapped["b"] == pytest.approx((math.pi + 0.1, 2 * math.pi - 0.1))
    widths = [end - start for start, end in gapped.values()]
    assert sum(widths) + 2 * 0.2 == pytest.approx(2 * math.pi)


def test_rings_put_each_member_on_its_ring_inside_its_sector() -> None:
    spans = sectors([("acme", 1), ("globex", 1)])  # acme: right half, globex: left half
    placed = rings(
        [("ana", 0, "acme"), ("bob", 0, "acme"), ("cleo", 1, "globex")],
        spans,
        radii=[100.0, 200.0],
        centre=(0.0, 0.0),
    )
    # Spread evenly in the order given: ana at 1/4 of acme's half, bob at 3/4.
    assert placed["ana"].angle == pytest.approx(math.pi / 4)
    assert placed["bob"].angle == pytest.approx(3 * math.pi / 4)
    assert (placed["ana"].x, placed["ana"].y) == pytest.approx((70.7107, -70.7107), abs=1e-3)
    assert placed["cleo"].angle == pytest.approx(3 * math.pi / 2)
    assert (placed["cleo"].x, placed["cleo"].y) == pytest.approx((-200.0, 0.0), abs=1e-9)
    for slug, ring in (("ana", 0), ("bob", 0), ("cleo", 1)):
        assert math.hypot(placed[slug].x, placed[slug].y) == pytest.approx([100, 200][ring])


def test_a_crowded_ring_gets_more_tracks_inside_it() -> None:
    # 100 people 16 apart need 1,600 units; a ring of radius 100 has 628: three tracks,
    # 11 apart, its people alternating between them.
    members = [(f"p{n}", 0, "all") for n in range(100)]
    placed = rings(members, {"all": (0.0, 2 * math.pi)}, [100.0], (0.0, 0.0))
    radius = {s: round(math.hypot(p.x, p.y), 6) for s, p in placed.items()}
    assert sorted(set(radius.values())) == [78.0, 89.0, 100.0]
    assert [radius[f"p{n}"] for n in range(4)] == [100.0, 89.0, 78.0, 100.0]


def test_around_spreads_nodes_evenly_from_the_top() -> None:
    placed = around(["a", "b", "c", "d"], (50.0, 50.0), 10.0)
    assert [(round(p.x, 9), round(p.y, 9)) for p in placed.values()] == [
        (50.0, 40.0),
        (60.0, 50.0),
        (50.0, 60.0),
        (40.0, 50.0),
    ]
    assert [p.angle for p in placed.values()] == pytest.approx(
        [0, math.pi / 2, math.pi, 3 * math.pi / 2]
    )


def test_force_keeps_linked_nodes_together_inside_the_box() -> None:
    nodes = ["a", "b", "c", "d"]
    edges = [("a", "b", 1.0), ("c", "d", 1.0)]
    placed = force(nodes, edges, width=400, height=300, margin=20)
    assert placed == force(nodes, edges, width=400, height=300, margin=20)  # deterministic
    for p in placed.values():
        assert 20 - 1e-6 <= p.x <= 380 + 1e-6 and 20 - 1e-6 <= p.y <= 280 + 1e-6
    xs = [p.x for p in placed.values()]
    assert min(xs) == pytest.approx(20) and max(xs) == pytest.approx(380)  # fills the width

    def apart(u: str, v: str) -> float:
        return math.dist((placed[u].x, placed[u].y), (placed[v].x, placed[v].y))

    assert apart("a", "b") < apart("a", "c") and apart("c", "d") < apart("b", "d")
    assert force([], [], 400, 300, 20) == {}


def test_text_width_counts_wide_characters_double() -> None:
    assert text_width("abc", 10) == pytest.approx(16.8)  # 0.56 em a character
    assert text_width("王", 10) == 10.0  # a full em
    assert text_width("王a", 20) == pytest.approx(20 + 11.2)


def test_labels_go_right_then_left_then_above_and_never_overlap() -> None:
    labels = Labels((0, 0, 200, 100))
    # A node at (50, 50) of radius 5: the label starts 3 units right of its edge,
    # its baseline 0.35 em below the centre.
    assert labels.place(50, 50, 5, "abc", 10) == (58, 53.5, "start")
    assert labels.place(50, 50, 5, "abc", 10) == (42, 53.5, "end")  # the right is taken
    assert labels.place(50, 50, 5, "abc", 10) == (50, 39.5, "middle")  # above
    # ``outward`` < 0 tries the left first; near the right edge only the left fits.
    assert Labels((0, 0, 200, 100)).place(50, 50, 5, "abc", 10, -1) == (42, 53.5, "end")
    assert Labels((0, 0, 200, 100)).place(195, 50, 5, "abcdef", 10) == (187, 53.5, "end")


def test_labels_that_fit_nowhere_are_left_out() -> None:
    labels = Labels((0, 0, 60, 20))
    labels.block((0, 0, 60, 20))  # a title over the whole canvas
    assert labels.place(30, 10, 4, "Jane", 10) is None
    free = Labels((0, 0, 100, 100))
    assert free.reserve((10, 10, 30, 20)) is True
    assert free.reserve((25, 15, 40, 30)) is False  # overlaps the first
    assert free.reserve((30, 20, 40, 30)) is True  # touching is not overlapping
    assert free.reserve((90, 90, 110, 95)) is False  # outside the bounds
