"""Charts and maps as inline SVG (netkb/render/svg.py): positions, sizes, escaping, links."""

from __future__ import annotations

import datetime as dt
import math
import re

import pytest

from netkb.link.followups import CIRCLE_NAMES
from netkb.render import svg

CENTRE = (svg.WIDTH / 2, svg.HEIGHT / 2)  # (520, 440): you, on every circles map


def dots(markup: str) -> dict[str, tuple[float, float, float]]:
    """Tooltip → (cx, cy, r) of each filled dot (people, bubbles)."""
    found = re.findall(
        r'<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)" fill="#\w+"[^>]*><title>([^<]*)</title>',
        markup,
    )
    return {title: (float(x), float(y), float(r)) for x, y, r, title in found}


def texts(markup: str) -> list[tuple[float, str]]:
    """(font size, text) of every <text>, in order."""
    found = re.findall(r'<text [^>]*font-size="([\d.]+)"[^>]*>([^<]*)</text>', markup)
    return [(float(size), text) for size, text in found]


def test_xml_text_escapes_markup_and_drops_control_characters() -> None:
    assert svg.xml_text('<a href="x">&\'') == "&lt;a href=&#34;x&#34;&gt;&amp;&#39;"
    assert svg.xml_text("Ana\x01\x1b[31m Lee\x7f") == "Ana[31m Lee"
    assert svg.xml_text(42) == "42"


def test_circles_map_places_people_on_the_ring_of_their_circle() -> None:
    nodes = [
        svg.Node("ana", "Ana <b>&", "Ana\x01 Lee", 'people/ana.html?x="1"', 1, "acme", True, True),
        svg.Node("bob", "Bob", "Bob Stone", None, 2, "acme"),
        svg.Node("cy", "Cy", "Cy Unplaced", "people/cy.html", None, ""),
    ]
    groups = [("acme", "Acme", "map/orgs/acme.html"), ("", "", None)]
    markup = svg.circles_map("Me & <You>", nodes, (1, 2, None), groups, CIRCLE_NAMES)
    # Three rings, evenly out to OUTER (330): circle 1 at 110, circle 2 at 220, "not placed" last.
    rings = re.findall(r'<circle cx="520.0" cy="440.0" r="([\d.]+)" fill="none"', markup)
    assert rings == ["110.0", "220.0", "330.0"]
    placed = dots(markup)
    for title, ring, radius in (
        ("Ana Lee", 110, 8.0),
        ("Bob Stone", 220, 7.0),
        ("Cy Unplaced", 330, 4.0),
    ):
        x, y, r = placed[title]
        assert math.dist((x, y), CENTRE) == pytest.approx(ring, abs=0.2), title
        assert r == radius, title  # closer circles draw bigger dots
    # Ana and Bob share Acme's sector (the right half, after the gap); Cy is in the other.
    assert placed["Ana Lee"][0] > CENTRE[0] and placed["Bob Stone"][0] > CENTRE[0]
    assert placed["Cy Unplaced"][0] < CENTRE[0]
    # A decision-maker's orange outline; a connector's ring 4 units outside the dot.
    assert 'r="8.0" fill="#1a237e" stroke="#e65100" stroke-width="2.5"><title>' in markup
    assert 'r="12.0" fill="none" stroke="#00897b"' in markup
    # Every value is escaped for where it lands; a dot without a page has no link.
    assert '<a href="people/ana.html?x=&#34;1&#34;">' in markup
    assert 'aria-label="Me &amp; &lt;You&gt;&#39;s circles"' in markup
    assert (13.0, "Ana &lt;b&gt;&amp;") in texts(markup)
    assert "<title>Bob Stone</title></circle></a>" not in markup
    assert '<a href="map/orgs/acme.html"><text' in markup  # the sector's name links its map
    legend = [text for size, text in texts(markup) if size == 12.0]
    assert legend[-5:] == [
        "1 · inner circle",
        "2 · close",
        "not placed",
        "decision-maker",
        "top connector",
    ]


def test_circles_map_uses_the_names_it_is_given() -> None:
    nodes = [svg.Node("ana", "Ana", "Ana", None, 1)]
    markup = svg.circles_map("Me", nodes, (1,), [("", "", None)], {1: "family"})
    assert "1 · family" in markup and "inner circle" not in markup


def test_overview_bubbles_grow_with_the_logarithm_of_their_count() -> None:
    cells = [
        svg.Cell("acme", 1, 1, "map/orgs/acme.html"),
        svg.Cell("acme", 2, 100, "map/orgs/acme.html"),
        svg.Cell("Other organisations", 2, 5, None),
    ]
    groups = [
        ("acme", "Acme <Inc>", "map/orgs/acme.html"),
        ("Other organisations", "Other organisations", None),
    ]
    markup = svg.circles_overview("Me", cells, (1, 2), groups, CIRCLE_NAMES)
    bubbles = dots(markup)
    # The biggest bubble gets the room there is (30); the others log(1 + n) / log(101) of it.
    assert bubbles["Acme &lt;Inc&gt; · circle 2: 100 people"][2] == 30.0
    assert bubbles["Acme &lt;Inc&gt; · circle 1: 1 person"][2] == pytest.approx(
        30 * math.log(2) / math.log(101), abs=0.05
    )
    assert bubbles["Other organisations · circle 2: 5 people"][2] == pytest.approx(
        30 * math.log(6) / math.log(101), abs=0.05
    )
    # On the ring of their circle (two rings: 165 and 330), in their group's sector.
    x, y, _ = bubbles["Acme &lt;Inc&gt; · circle 1: 1 person"]
    assert (x, y) == (CENTRE[0] + 165, CENTRE[1])
    assert bubbles["Other organisations · circle 2: 5 people"][:2] == (CENTRE[0] - 330, CENTRE[1])
    assert [t for _, t in texts(markup)][2:5] == ["1", "100", "5"]  # the counts, written in
    assert markup.count('<a href="map/orgs/acme.html">') == 3  # its name and its two bubbles


def test_relationship_graph_on_a_circle_keeps_labels_readable() -> None:
    nodes = [svg.Node(k, "N" * 30 if k == "a" else k, k, None, 1) for k in "abcdefgh"]
    edges = [
        svg.Edge("a", "b", "relation", 1, "a – b: <colleague>"),
        svg.Edge("b", "c", "together", 3),
    ]
    markup = svg.relationship_graph(nodes, edges, shape="circle")
    assert 'viewBox="0 0 500 500"' in markup  # a radius of 110 and 140 around it for labels
    placed = dots(markup)
    assert all(math.dist(p[:2], (250, 250)) == pytest.approx(110, abs=0.1) for p in placed.values())
    # A dot grows with the square root of its links: b has two.
    assert (placed["a"][2], placed["b"][2], placed["d"][2]) == (6.1, 6.8, 4.5)
    labels = texts(markup)
    assert labels[0] == (11.0, "N" * 23 + "…")  # long names are cut at 24 characters
    assert [t for _, t in labels[-2:]] == ["relation", "met together"]  # only kinds drawn
    assert "<title>a – b: &lt;colleague&gt;</title></path>" in markup
    assert 'stroke-width="1.8"' in markup  # together three times: 0.8 + 3 × 0.35


def test_a_crowded_circle_shrinks_its_labels_to_nine_and_widens_the_picture() -> None:
    nodes = [svg.Node(f"p{n}", f"P{n}", f"P{n}", None, 2) for n in range(200)]
    markup = svg.relationship_graph(nodes, [svg.Edge("p0", "p1", "relation")], shape="circle")
    assert {size for size, text in texts(markup) if text.startswith("P")} == {9.0}
    assert 'viewBox="0 0 740 740"' in markup  # the radius stops at 230
    # Never drawn so narrow that a 9-unit label is under 11 px: 740 × 11 / 9 = 904.4.
    assert 'style="min-width: 905px"' in markup
    assert 'role="img"' in markup  # no links: an image


def test_a_picture_with_links_is_a_group_in_a_box_the_keyboard_reaches() -> None:
    nodes = [svg.Node("ana", "Ana", "Ana Lee", "people/ana.html", 2)]
    markup = svg.relationship_graph(nodes, [], shape="circle")
    # role="img" would hide the links inside from assistive technology (axe: nested-interactive).
    assert '<svg viewBox="0 0 500 500" role="group"' in markup
    assert markup.startswith(
        '<div class="netkb-figure" tabindex="0" role="region" '
        'aria-label="relationships between people">'
    )


def test_week_chart_bars_scale_to_the_highest_week() -> None:
    start = dt.date(2026, 11, 9)
    minutes = [0, 60, 120, 300]
    bars = [svg.Bar(start + dt.timedelta(weeks=n), m, f"W{n} <{m}>") for n, m in enumerate(minutes)]
    markup = svg.week_chart(bars, 120, "target <2 h> a week", lambda m: f"{m}m")
    drawn = re.findall(
        r'<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)" fill="(#\w+)"[^>]*>'
        r"<title>([^<]*)</title>",
        markup,
    )
    # The plot is 204 high and tops out at 300 (the highest week, in steps of 60).
    assert [(float(h), colour, title) for _, h, colour, title in drawn] == [
        (0.0, "#9fa8da", "W0 &lt;0&gt;"),
        (40.8, "#9fa8da", "W1 &lt;60&gt;"),
        (81.6, "#3949ab", "W2 &lt;120&gt;"),  # on target: dark
        (204.0, "#3949ab", "W3 &lt;300&gt;"),
    ]
    assert [float(top) for top, *_ in drawn] == [234.0, 193.2, 152.4, 30.0]
    written = [t for _, t in texts(markup)]
    assert written[:6] == ["0", "60m", "120m", "180m", "240m", "300m"]
    assert "Dec 2026" in written  # the week of 1 December, the first month labelled
    assert written[-1] == "target &lt;2 h&gt; a week"


def test_progress_bar_and_the_mark_of_where_you_should_be() -> None:
    markup = svg.progress(150, 600, 300)
    assert '<rect x="4" y="8" width="148.0" height="14" rx="7" fill="#9fa8da"/>' in markup
    assert '<line x1="300.0" y1="3" x2="300.0"' in markup  # half the target by today
    ahead = svg.progress(900, 600, 300)
    assert 'width="592.0" height="14" rx="7" fill="#3949ab"' in ahead  # full, never past
