"""The site's working-the-network pages: the right people, escaped, and no private person."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path

import pytest
from network_kb import PRIVATE_NAME, PRIVATE_SLUG, TODAY, write_network

from netkb.build.site import build
from netkb.link.derive import link
from netkb.load.loader import load
from netkb.render.map_pages import DETAIL_LIMIT, DRILL_LIMIT, GRAPH_LIMIT, INNER_LIMIT
from netkb.render.render import SiteRenderer

NEW_PAGES = ("followups.md", "favours.md", "budget.md", "map.md", "connectors.md")


def render(root: Path, **options) -> dict[str, str]:
    return SiteRenderer(link(load(root)), today=TODAY, **options).pages()


@pytest.fixture
def pages(tmp_path: Path) -> dict[str, str]:
    return render(write_network(tmp_path / "kb"))


# The first cell of a table row, when it is a link: pages are HTML blocks under headings.
FIRST_CELL_LINK = re.compile(r'^<tr>\n<td><a href="[^"]*">([^<]+)</a>', re.M)


def rows(page: str, heading: str) -> list[str]:
    """The first cell (a person's name) of each table row under ``## heading``."""
    section = page.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return FIRST_CELL_LINK.findall(section)


def test_every_page_is_there(pages) -> None:
    for path in NEW_PAGES:
        assert path in pages
    assert {"map/orgs/acme.md", "map/orgs/globex.md", "map/tags/golf.md"} <= set(pages)


def test_follow_ups_most_overdue_first(pages) -> None:
    page = pages["followups.md"]
    assert FIRST_CELL_LINK.findall(page) == [
        "Gus Hart",
        "Fay Wu",
        "Eve Moss",
        "Ana Lee",
    ]
    assert (
        '<tr>\n<td><a href="people/gus-hart.html">Gus Hart</a></td>\n'
        '<td style="text-align: right;">3</td>\n<td>90 days</td>\n<td>never</td>\n<td></td>\n'
        "<td>2026-04-10</td>" in page
    )
    assert "<strong>overdue by 230 days</strong>" in page
    assert "<td>2026-12-09</td>\n<td>due in 13 days</td>" in page
    assert (
        '<li>26 November: <a href="people/bob-stone.html">Bob Stone</a> · <strong>today</strong>'
        in page
    )


def test_favour_ledger(pages) -> None:
    page = pages["favours.md"]
    assert rows(page, "Whom you owe") == ["Bob Stone", "Fay Wu"]
    assert rows(page, "Who owes you") == ["Ana Lee", "Cleo Park"]
    assert "<strong>2</strong> favours given · <strong>2</strong> received" in page


def test_time_budget_counts_only_public_interactions(pages) -> None:
    page = pages["budget.md"]
    # W47: Bob's call (45); the 240 minutes of golf were with the private person only.
    assert "Week 2026-W47 (from 16 Nov 2026): 45 min, 1 interaction" in page
    assert "Week 2026-W48 (from 23 Nov 2026): 2 h, 2 interactions" in page
    right = '\n<td style="text-align: right;">'
    assert (
        f"<tr>\n<td>November 2026</td>{right}2 h 45</td>{right}8 h 34</td>{right}32%</td>" in page
    )
    assert page.count("<title>Week ") == 52  # a bar per week of the past year


def test_person_page_shows_where_you_stand(pages) -> None:
    page = pages["people/ana-lee.md"]
    assert "<tr>\n<td>Next touch-point</td>\n<td>2026-12-09 (due in 13 days)</td>\n</tr>" in page
    assert (
        "<tr>\n<td>Favours</td>\n<td>1 given, 0 received (+1: they owe you one)</td>\n</tr>" in page
    )
    assert "<tr>\n<td>Time invested</td>\n<td>2 h over 2 interactions</td>\n</tr>" in page
    bob = pages["people/bob-stone.md"]
    assert (
        "<tr>\n<td>Favours</td>\n<td>0 given, 1 received (-1: you owe them one)</td>\n</tr>" in bob
    )


def test_home_dashboard(pages) -> None:
    page = pages["index.md"]
    assert rows(page, "Whom to call") == ["Gus Hart", "Fay Wu", "Eve Moss"]
    assert "<strong>Time invested this month:</strong> 2 h 45 of 8 h 34 (32%)" in page
    assert (
        '<strong>Birthdays this week:</strong> <a href="people/bob-stone.html">Bob Stone</a> '
        "<strong>today</strong> · " in page
    )


def test_connectors_and_gaps(pages) -> None:
    page = pages["connectors.md"]
    assert rows(page, "Connectors")[:2] == ["Cleo Park", "Dan Roe"]
    assert (
        '<tr>\n<td><a href="people/cleo-park.html">Cleo Park</a></td>\n'
        '<td style="text-align: right;">4</td>\n<td>Globex, Acme, no organisation</td>\n'
        '<td style="text-align: right;">0.667</td>\n</tr>' in page
    )
    # Globex's deciders (Dan, circle 4; Hal, none) are all far; Acme has Ana in circle 1.
    gaps = page.split("### Decision-makers you know only from afar", 1)[1]
    assert gaps.split("###", 1)[0].count('<a href="orgs/globex.html">') == 1
    assert '<a href="expertise/machine-learning.html">' not in page
    assert (
        '<tr>\n<td><a href="people/fay-wu.html">Fay Wu</a></td>\n'
        '<td style="text-align: right;">2</td>\n'
        "<td>expertise, interests, qualities</td>\n</tr>" in page
    )


def test_map_links_nodes_to_person_pages(pages) -> None:
    page = pages["map.md"]
    assert page.count("<svg ") == 2  # your circles, and the relationships
    # use_directory_urls: false, so a link from map.html is people/ana-lee.html.
    assert '<a href="people/ana-lee.html"><circle' in page
    drill = pages["map/orgs/globex.md"]
    assert '<a href="../../people/dan-roe.html">' in drill
    assert '<a href="../../map.html">Network map</a>' in drill
    drawings = "".join(re.findall(r"<svg .*?</svg>", drill, re.S))
    assert drawings.count('href="../../people/') >= 2
    assert re.findall(r"href=\"(?!\.\./\.\./people/|\.\./\.\./map/)[^\"]*\"", drawings) == []
    # Every other link on the page is HTML too, with its final URL from map/orgs/.
    assert re.findall(r'href="(?!\.\./\.\./)[^"]*"', drill) == []
    assert ".md" not in "".join(re.findall(r'href="[^"]*"', drill))


def test_no_private_person_on_any_page(pages) -> None:
    for path, text in pages.items():
        assert PRIVATE_NAME not in text, path
        assert PRIVATE_SLUG not in text, path
        assert "Secret Employer" not in text, path


def test_user_values_are_escaped_in_svg_and_markdown(tmp_path: Path) -> None:
    root = write_network(tmp_path / "kb")
    (root / "contacts/mal.md").write_text(
        '---\nname: "<script>alert(1)</script> & Co"\norganization: "Evil <b>Corp</b>"\n'
        "circle: 1\nrelations:\n  friend: [ana-lee]\n---\n",
        encoding="utf-8",
    )
    pages = render(root)
    for path in ("map.md", "followups.md", "map/orgs/evil-b-corp-b.md"):
        assert "<script" not in pages[path], path
        assert "<b>" not in pages[path], path
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in pages["map.md"]


def test_without_the_working_pages(tmp_path: Path) -> None:
    pages = render(write_network(tmp_path / "kb"), working=False)
    assert not set(NEW_PAGES) & set(pages)
    assert "Next touch-point" not in pages["people/ana-lee.md"]
    assert "Whom to call" not in pages["index.md"]


def test_built_site_has_no_private_person_anywhere(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NETKB_TODAY", TODAY.isoformat())
    root = write_network(tmp_path / "kb")
    result = build(root)
    assert result.ok, [f.format(root) for f in result.findings]
    site = result.site_dir
    assert (site / "map.html").is_file() and (site / "search" / "search_index.json").is_file()
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".json", ".svg", ".xml", ".js"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            assert PRIVATE_NAME not in text and PRIVATE_SLUG not in text, path


def _generate(root: Path, people: int, seed: int) -> None:
    """benchmarks/generate.py (loaded by path: benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "netkb_map_generate", Path(__file__).parent.parent / "benchmarks/generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    module.generate(root, people=people, seed=seed)


def test_above_the_detail_limit_the_map_draws_bubbles(tmp_path: Path) -> None:
    """Past DETAIL_LIMIT (150) public people, one dot each is unreadable: the map draws
    one bubble per organisation and circle, then the inner circles person by person."""
    _generate(tmp_path / "kb", DETAIL_LIMIT + 30, seed=3)
    facts = link(load(tmp_path / "kb"), today=TODAY)
    public = facts.public
    assert len(public) == 178 > DETAIL_LIMIT
    pages = SiteRenderer(facts).pages()
    page = pages["map.md"]
    overview, inner = page.split("### Your inner circles, person by person", 1)
    inner, graph = inner.split("## Relationships", 1)
    assert "by circle and organisation" in overview and 'href="people/' not in overview
    cells = re.findall(
        r"<title>([^<]*) · (circle \d|not placed): ([\d,]+) (?:person|people)</title>", overview
    )
    assert sum(int(n) for *_, n in cells) == len(public)  # everyone, in exactly one bubble
    biggest = max(facts.organisations.values(), key=lambda o: len(o.people))
    circles = Counter(public[s].circle for s in biggest.people)
    drawn = {where: int(n) for name, where, n in cells if name == biggest.name}
    assert drawn == {f"circle {c}" if c else "not placed": n for c, n in circles.items()}
    # The inner circles: 1, then 2, then 3 while they fit in INNER_LIMIT, a dot each.
    close = [p for p in public.values() if p.circle in (1, 2, 3)]
    assert len(close) <= INNER_LIMIT
    assert len(re.findall(r'<a href="people/[^"]+"><circle', inner)) == len(close)
    # The relationship graph: the top connectors and those around them, GRAPH_LIMIT at most.
    linked = sum(1 for s in public if facts.relations_written.get(s) or facts.inverse.get(s))
    assert f"this shows {GRAPH_LIMIT}: your top connectors" in graph
    assert len(re.findall(r'<a href="people/[^"]+"><circle', graph)) == GRAPH_LIMIT < linked
    # Every organisation with people gets a map of its own, person by person.
    for slug, org in facts.organisations.items():
        members = [s for s in org.people if s in public]
        if members:
            drill = pages[f"map/orgs/{slug}.md"].split("## ", 1)[0]  # its circles
            shown = len(re.findall(r'<a href="../../people/[^"]+"><circle', drill))
            assert shown == min(len(members), DRILL_LIMIT), slug
