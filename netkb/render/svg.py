"""Charts and maps as inline SVG, drawn at build time: no JavaScript, no requests.

Every text is XML-escaped here; every link is a relative URL to a page of the
site that the caller computed. The functions take plain values (nodes, edges,
weeks) and return Markup ready to drop into a generated Markdown page.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from netkb.core.memo import DigestMemo, digest_of
from netkb.load.cache import code_signature
from netkb.render.layout import Labels, Placed, around, force, polar, rings, sectors, text_width

CIRCLE_COLOURS = {1: "#1a237e", 2: "#3949ab", 3: "#5c6bc0", 4: "#9fa8da", 5: "#c5cae9"}
NOT_PLACED_COLOUR = "#cfd8dc"
NODE_RADIUS = {1: 8.0, 2: 7.0, 3: 6.0, 4: 5.0, 5: 4.5}
OWNER_COLOUR = "#ef6c00"
DECIDER_COLOUR = "#e65100"
CONNECTOR_COLOUR = "#00897b"
FONT = 13.0
EDGE_STYLE = {
    "relation": 'stroke="#3949ab" stroke-opacity="0.75"',
    "introduction": 'stroke="#ef6c00" stroke-opacity="0.8" stroke-dasharray="5 3"',
    "together": 'stroke="#78909c" stroke-opacity="0.7"',
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Node:
    key: str  # the person's slug
    label: str  # what is written next to the dot
    title: str  # the tooltip
    href: str | None  # a relative URL to a page of the site
    circle: int | None
    group: str = ""  # organisation (rings are split into one sector per group)
    decider: bool = False
    highlight: bool = False  # a connector: drawn with a ring around it


@dataclass(frozen=True, slots=True)
class Edge:
    a: str
    b: str
    kind: str  # relation, introduction or together
    weight: int = 1
    title: str = ""


@dataclass(frozen=True, slots=True)
class Cell:
    """A bubble of the overview map: how many people of a group are in a circle."""

    group: str
    circle: int | None
    count: int
    href: str | None


def _people(count: int) -> str:
    return "person" if count == 1 else "people"


def xml_text(text: object) -> str:
    """Text for SVG: control characters dropped, markup characters escaped."""
    return str(escape(_CONTROL.sub("", str(text))))


def _link(href: str | None, inner: str) -> str:
    return f'<a href="{xml_text(href)}">{inner}</a>' if href else inner


READABLE_PX = 11.0  # the smallest label size, in CSS pixels, a map may be shown at
_FONT_SIZE = re.compile(r'font-size="([0-9.]+)"')


def _svg(width: float, height: float, label: str, body: list[str], css: str = "") -> Markup:
    """A responsive SVG in a div: one line, so Markdown passes it through untouched.

    SVG text scales with the picture, so the picture is never drawn narrower than the
    width at which its smallest text is READABLE_PX; a narrower screen scrolls it inside
    its own box (netkb.css). A picture with links is a group, not an image: an image's
    parts are hidden from assistive technology, and links must not be.
    """
    sizes = [float(size) for size in _FONT_SIZE.findall("".join(body))]
    smallest = min(sizes, default=READABLE_PX)
    least = math.ceil(width * READABLE_PX / smallest) if sizes else 0
    role = "group" if any("<a " in part for part in body) else "img"
    return Markup(
        # The box may scroll sideways: keyboard users reach it (tabindex) and hear its name.
        f'<div class="netkb-figure{css}" tabindex="0" role="region" '
        f'aria-label="{xml_text(label)}"><svg viewBox="0 0 {width:.0f} {height:.0f}" '
        f'role="{role}" aria-label="{xml_text(label)}" class="netkb-svg" '
        f'style="min-width: {least}px" '
        f'font-family="-apple-system, BlinkMacSystemFont, Helvetica, Arial, sans-serif">'
        + "".join(body)
        + "</svg></div>"
    )


HALO = ' stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"'


def _text(
    px: float,
    py: float,
    text: str,
    size: float,
    anchor: str = "start",
    extra: str = "",
    halo: bool = True,
) -> str:
    """A text; with a white halo it stays readable over lines and other dots."""
    fill = "" if "fill=" in extra else ' fill="#37474f"'
    return (
        f'<text x="{px:.1f}" y="{py:.1f}" font-size="{size:.1f}" text-anchor="{anchor}"'
        f"{fill}{extra}{HALO if halo else ''}>{xml_text(text)}</text>"
    )


def _dot(node: Node, place: Placed, radius: float) -> str:
    colour = CIRCLE_COLOURS.get(node.circle or 0, NOT_PLACED_COLOUR)
    stroke = f'stroke="{DECIDER_COLOUR}" stroke-width="2.5"' if node.decider else ""
    stroke = stroke or 'stroke="#ffffff" stroke-width="1.5"'
    halo = (
        f'<circle cx="{place.x:.1f}" cy="{place.y:.1f}" r="{radius + 4:.1f}" fill="none" '
        f'stroke="{CONNECTOR_COLOUR}" stroke-width="2.5"/>'
        if node.highlight
        else ""
    )
    circle = (
        f'<circle cx="{place.x:.1f}" cy="{place.y:.1f}" r="{radius:.1f}" fill="{colour}" '
        f"{stroke}><title>{xml_text(node.title)}</title></circle>"
    )
    return _link(node.href, halo + circle)


def _legend(
    px: float,
    py: float,
    circles: Sequence[int | None],
    names: Mapping[int, str],
    deciders: bool,
    connectors: bool,
) -> list[str]:
    """What the colours and outlines mean, in the top left corner."""
    body = []
    rows: list[tuple[str, str]] = []
    for circle in circles:
        colour = CIRCLE_COLOURS.get(circle or 0, NOT_PLACED_COLOUR)
        label = f"{circle} · {names[circle]}" if circle else "not placed"
        rows.append((f'r="6" fill="{colour}"', label))
    if deciders:
        rows.append(
            (
                f'r="5.5" fill="#ffffff" stroke="{DECIDER_COLOUR}" stroke-width="2.5"',
                "decision-maker",
            )
        )
    if connectors:
        rows.append(
            (f'r="6" fill="none" stroke="{CONNECTOR_COLOUR}" stroke-width="2.5"', "top connector")
        )
    for number, (style, label) in enumerate(rows):
        top = py + number * 19
        body.append(f'<circle cx="{px + 7}" cy="{top}" {style}/>')
        body.append(_text(px + 19, top + 4.5, label, 12))
    return body


# -- your circles ----------------------------------------------------------------------------

WIDTH, HEIGHT = 1040.0, 880.0  # room for organisation names left and right
OUTER = 330.0


def _radii(count: int) -> list[float]:
    return [OUTER * (n + 1) / count for n in range(count)]


Group = tuple[str, str, str | None]  # key, label (empty: none shown), URL of its own map


def circles_map(
    owner: str,
    nodes: Sequence[Node],
    circles: Sequence[int | None],
    groups: Sequence[Group],
    circle_names: Mapping[int, str],
) -> Markup:
    """You at the centre, people on rings by circle, each organisation its own sector.

    ``groups`` gives the sector order; ``nodes`` come in the order to spread them in;
    ``circle_names`` says what each circle means in the legend.
    """
    centre = (WIDTH / 2, HEIGHT / 2)
    radii = _radii(len(circles))
    ring_of = {circle: n for n, circle in enumerate(circles)}
    sizes = {key: 0 for key, _, _ in groups}
    for node in nodes:
        sizes[node.group] += 1
    gap = 0.04 if len(groups) > 1 else 0.0
    spans = sectors([(g, sizes[g]) for g, _, _ in groups if sizes[g]], gap)
    places = rings([(n.key, ring_of[n.circle], n.group) for n in nodes], spans, radii, centre)
    body = _rings_background(centre, radii, spans if len(spans) > 1 else {})
    labels = Labels((4, 4, WIDTH - 4, HEIGHT - 4))
    labels.block((centre[0] - 30, centre[1] - 30, centre[0] + 30, centre[1] + 30))
    body += _ring_numbers(centre, radii, circles, labels)
    for node in nodes:
        place, radius = places[node.key], NODE_RADIUS.get(node.circle or 0, 4.0)
        labels.block((place.x - radius, place.y - radius, place.x + radius, place.y + radius))
    body += _group_labels(centre, spans if len(spans) > 1 else {}, labels, groups)
    for node in nodes:
        body.append(_dot(node, places[node.key], NODE_RADIUS.get(node.circle or 0, 4.0)))
    body += _owner(centre, owner)
    small = len(nodes) <= 400
    for node in sorted(nodes, key=lambda n: (n.circle or 6, not n.decider)) if small else ():
        place = places[node.key]
        spot = labels.place(
            place.x, place.y, NODE_RADIUS.get(node.circle or 0, 4.0), node.label, FONT,
            math.sin(place.angle),
        )  # fmt: skip
        if spot:
            body.append(_text(spot[0], spot[1], node.label, FONT, spot[2]))
    deciders, connectors = any(n.decider for n in nodes), any(n.highlight for n in nodes)
    body += _legend(12, 20, circles, circle_names, deciders, connectors)
    return _svg(WIDTH, HEIGHT, f"{owner}'s circles", body)


def _ring_numbers(
    centre: tuple[float, float],
    radii: Sequence[float],
    circles: Sequence[int | None],
    labels: Labels,
) -> list[str]:
    """Each ring's circle number, at its top, where node labels then keep off."""
    body = []
    for radius, circle in zip(radii, circles, strict=True):
        text = str(circle) if circle else "–"
        ty = centre[1] - radius + 4
        labels.block((centre[0] - 8, ty - 10, centre[0] + 8, ty + 3))
        body.append(_text(centre[0], ty, text, 11, "middle", ' fill="#7986cb" font-weight="600"'))
    return body


def _rings_background(
    centre: tuple[float, float], radii: Sequence[float], spans: dict[str, tuple[float, float]]
) -> list[str]:
    body = [
        f'<circle cx="{centre[0]}" cy="{centre[1]}" r="{r:.1f}" fill="none" '
        f'stroke="#c5cae9" stroke-width="1"/>'
        for r in radii
    ]
    for start, _end in spans.values():
        x1, y1 = polar(*centre, radii[0] * 0.5, start - 0.02)
        x2, y2 = polar(*centre, OUTER + 14, start - 0.02)
        body.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="#e8eaf6" stroke-width="1.5"/>'
        )
    return body


def _group_labels(
    centre: tuple[float, float],
    spans: dict[str, tuple[float, float]],
    labels: Labels,
    groups: Sequence[Group],
) -> list[str]:
    """Each sector's name outside the outer ring, where there is room for it."""
    body = []
    for key, label, href in groups:
        if key not in spans or not label:
            continue
        start, end = spans[key]
        if (end - start) * OUTER < 12:
            continue
        middle = (start + end) / 2
        gx, gy = polar(*centre, OUTER + 26, middle)
        sine = math.sin(middle)
        anchor = "start" if sine > 0.15 else "end" if sine < -0.15 else "middle"
        text = label if len(label) <= 28 else label[:27] + "…"
        width = text_width(text, 12)
        left = gx if anchor == "start" else gx - width if anchor == "end" else gx - width / 2
        if not labels.reserve((left, gy - 10, left + width, gy + 4)):
            continue
        shown = _text(gx, gy, text, 12, anchor, ' font-weight="600" fill="#283593"')
        body.append(_link(href, shown))
    return body


def _owner(centre: tuple[float, float], owner: str) -> list[str]:
    return [
        f'<circle cx="{centre[0]}" cy="{centre[1]}" r="24" fill="{OWNER_COLOUR}">'
        f"<title>{xml_text(owner)}</title></circle>",
        _text(
            centre[0],
            centre[1] + 4.5,
            "You",
            13,
            "middle",
            ' fill="#ffffff" font-weight="700"',
            False,
        ),
    ]


def circles_overview(
    owner: str,
    cells: Sequence[Cell],
    circles: Sequence[int | None],
    groups: Sequence[Group],
    circle_names: Mapping[int, str],
) -> Markup:
    """The whole network at any size: one bubble per (organisation, circle), its area
    growing with the logarithm of how many people are in it (the number is written in
    it). ``groups`` are in sector order and get sectors of the same width."""
    centre = (WIDTH / 2, HEIGHT / 2)
    radii = _radii(len(circles))
    ring_of = {circle: n for n, circle in enumerate(circles)}
    totals = {key: 0 for key, _, _ in groups}
    for cell in cells:
        totals[cell.group] += cell.count
    spans = sectors([(g, 1.0) for g, _, _ in groups if totals[g]], 0.03)
    names = {key: label for key, label, _ in groups}
    body = _rings_background(centre, radii, spans)
    labels = Labels((4, 4, WIDTH - 4, HEIGHT - 4))
    body += _group_labels(centre, spans, labels, groups)
    biggest = max((c.count for c in cells), default=1)
    step = radii[1] - radii[0] if len(radii) > 1 else OUTER
    for cell in cells:
        if cell.group not in spans:
            continue
        start, end = spans[cell.group]
        ring = radii[ring_of[cell.circle]]
        room = min(step * 0.46, (end - start) * ring * 0.48, 30.0)
        radius = max(3.0, room * math.log1p(cell.count) / math.log1p(biggest))
        cx, cy = polar(*centre, ring, (start + end) / 2)
        colour = CIRCLE_COLOURS.get(cell.circle or 0, NOT_PLACED_COLOUR)
        where = f"circle {cell.circle}" if cell.circle else "not placed"
        title = f"{names[cell.group]} · {where}: {cell.count:,} {_people(cell.count)}"
        bubble = (
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius:.1f}" fill="{colour}" '
            f'fill-opacity="0.85" stroke="#ffffff" stroke-width="1">'
            f"<title>{xml_text(title)}</title></circle>"
        )
        count = f"{cell.count:,}"
        size = min(12.0, 1.7 * radius / (len(count) * 0.56))
        if size >= 10:  # a smaller number is unreadable; the title keeps it
            ink = "#ffffff" if (cell.circle or 6) <= 3 else "#1a237e"
            bubble += _text(cx, cy + size * 0.35, count, size, "middle", f' fill="{ink}"', False)
        body.append(_link(cell.href, bubble))
    body += _owner(centre, owner)
    body += _legend(12, 20, circles, circle_names, False, False)
    return _svg(WIDTH, HEIGHT, f"{owner}'s network by circle and organisation", body)


# -- the relationship graph -------------------------------------------------------------------

GRAPH_WIDTH = 900.0
GRAPH_HEIGHT = 620.0


def relationship_graph(
    nodes: Sequence[Node], edges: Sequence[Edge], shape: str = "force"
) -> Markup:
    """People and the links between them: relations, introductions, time spent together.

    ``shape`` "force" lets linked people pull together (groups and the people who
    bridge them show); "circle" puts everyone on one circle, which stays readable
    for a small group drawn many times (one per organisation).
    """
    keys = [n.key for n in nodes]
    degree = {k: 0 for k in keys}
    for edge in edges:
        degree[edge.a] += 1
        degree[edge.b] += 1
    if shape == "circle":
        # Room for the longest label outside the circle; a small group gets a small canvas,
        # which the page then draws larger.
        radius = max(110.0, min(230.0, len(nodes) * 9.0))
        width = height = 2 * radius + 2 * 140.0
        places = around(keys, (width / 2, height / 2), radius)
    else:
        width, height = GRAPH_WIDTH, GRAPH_HEIGHT
        weights = [(e.a, e.b, 1.0 if e.kind != "together" else 0.6) for e in edges]
        places = force_layout(keys, weights, width, height, 70.0)
    body = [_edge_line(e, places, (width / 2, height / 2), shape) for e in edges]
    radius_of = {k: 4.5 + min(degree[k], 16) ** 0.5 * 1.6 for k in keys}
    for node in nodes:
        body.append(_dot(node, places[node.key], radius_of[node.key]))
    if shape == "circle":
        body += _radial_labels(nodes, places, (width / 2, height / 2), radius_of)
    else:
        labels = Labels((2, 2, width - 2, height - 2))
        for node in nodes:
            p, r = places[node.key], radius_of[node.key]
            labels.block((p.x - r, p.y - r, p.x + r, p.y + r))
        for node in sorted(nodes, key=lambda n: (-degree[n.key], n.circle or 6)):
            p = places[node.key]
            spot = labels.place(p.x, p.y, radius_of[node.key], node.label, FONT, p.x - width / 2)
            if spot:
                body.append(_text(spot[0], spot[1], node.label, FONT, spot[2]))
    body += _edge_legend(width - 170, 18, {e.kind for e in edges})
    return _svg(width, height, "relationships between people", body)


def force_layout(
    nodes: list[str],
    edges: list[tuple[str, str, float]],
    width: float,
    height: float,
    margin: float,
) -> dict[str, Placed]:
    """``layout.force``, remembered by a digest of its input (``LAYOUTS``): the map's
    picture of the top connectors seldom changes, and at 10,000 people it takes 0.2 s."""
    # netkb's code is part of the input: a change to layout.force gives other places.
    digest = digest_of([code_signature(), nodes, edges, width, height, margin])
    places = LAYOUTS.get(digest)
    if places is None:
        places = force(nodes, edges, width, height, margin)
        LAYOUTS.put(digest, places)
    return places


def _places_from_json(data: Any) -> dict[str, Placed] | None:
    if not isinstance(data, dict):
        return None
    places = {}
    for key, value in data.items():
        if not (
            isinstance(key, str)
            and isinstance(value, list)
            and len(value) == 3
            and all(type(v) in (int, float) for v in value)
        ):
            return None
        places[key] = Placed(*(float(v) for v in value))
    return places


LAYOUTS: DigestMemo[dict[str, Placed]] = DigestMemo(
    4, lambda places: {k: [p.x, p.y, p.angle] for k, p in places.items()}, _places_from_json
)


def _edge_line(
    edge: Edge, places: dict[str, Placed], centre: tuple[float, float], shape: str
) -> str:
    a, b = places[edge.a], places[edge.b]
    width = 1.2 if edge.kind != "together" else 0.8 + min(edge.weight, 6) * 0.35
    style = f'{EDGE_STYLE[edge.kind]} stroke-width="{width:.1f}" fill="none"'
    title = f"<title>{xml_text(edge.title)}</title>" if edge.title else ""
    if shape == "circle":
        mx, my = (a.x + b.x) / 2, (a.y + b.y) / 2
        cx, cy = centre[0] + (mx - centre[0]) * 0.35, centre[1] + (my - centre[1]) * 0.35
        path = f"M{a.x:.1f},{a.y:.1f} Q{cx:.1f},{cy:.1f} {b.x:.1f},{b.y:.1f}"
        return f'<path d="{path}" {style}>{title}</path>'
    return (
        f'<line x1="{a.x:.1f}" y1="{a.y:.1f}" x2="{b.x:.1f}" y2="{b.y:.1f}" {style}>{title}</line>'
    )


def _radial_labels(
    nodes: Sequence[Node],
    places: dict[str, Placed],
    centre: tuple[float, float],
    radius_of: dict[str, float],
) -> list[str]:
    """Labels pointing away from the centre, so neighbours on the circle never overlap."""
    body = []
    ring = math.dist((places[nodes[0].key].x, places[nodes[0].key].y), centre) if nodes else 0
    size = max(9.0, min(11.0, 2 * math.pi * ring / max(len(nodes), 1) * 0.8))
    for node in nodes:
        p = places[node.key]
        degrees = math.degrees(p.angle) - 90
        lx, ly = polar(*centre, ring + radius_of[node.key] + 9, p.angle)  # past a halo
        text = node.label if len(node.label) <= 24 else node.label[:23] + "…"
        if math.sin(p.angle) >= -1e-9:
            rotate, anchor = degrees, "start"
        else:
            rotate, anchor = degrees + 180, "end"
        body.append(
            _text(lx, ly + size * 0.35, text, size, anchor, f' transform="rotate({rotate:.1f} '
            f'{lx:.1f} {ly:.1f})"')
        )  # fmt: skip
    return body


def _edge_legend(px: float, py: float, kinds: set[str]) -> list[str]:
    body = []
    names = {"relation": "relation", "introduction": "introduction", "together": "met together"}
    for number, kind in enumerate(k for k in names if k in kinds):
        top = py + number * 17
        body.append(
            f'<line x1="{px}" y1="{top}" x2="{px + 26}" y2="{top}" {EDGE_STYLE[kind]} '
            f'stroke-width="2"/>'
        )
        body.append(_text(px + 32, top + 4, names[kind], 12))
    return body


# -- the time budget ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bar:
    """One week of the budget chart: its Monday, the minutes invested, its tooltip."""

    start: dt.date
    minutes: float
    title: str


def week_chart(
    weeks: Sequence[Bar], target: float, caption: str, minutes_label: Callable[[int], str]
) -> Markup:
    """Minutes invested per week as bars, the target as a dashed line.

    ``minutes_label`` writes the axis' ticks (a whole number of minutes) as text.
    """
    width, height = 900.0, 270.0
    left, right, top, bottom = 52.0, 14.0, 30.0, 36.0
    plot_w, plot_h = width - left - right, height - top - bottom
    highest = max([w.minutes for w in weeks] + [target * 1.25, 60.0])
    steps = (15, 30, 60, 120, 180, 240, 360, 600, 1200, 2400)
    # Past 200 hours a week (a big synthetic KB), whole multiples of 10 hours.
    step = next((s for s in steps if highest / s <= 5), math.ceil(highest / 5 / 600) * 600)
    ceiling = math.ceil(highest / step) * step

    def y_of(minutes: float) -> float:
        return top + plot_h * (1 - minutes / ceiling)

    body = []
    for tick in range(0, int(ceiling) + 1, step):
        ty = y_of(tick)
        body.append(
            f'<line x1="{left}" y1="{ty:.1f}" x2="{width - right}" y2="{ty:.1f}" '
            f'stroke="#eceff1" stroke-width="1"/>'
        )
        body.append(_text(left - 6, ty + 4, minutes_label(tick) if tick else "0", 12, "end"))
    slot = plot_w / max(len(weeks), 1)
    labelled = -10
    for number, week in enumerate(weeks):
        bx = left + number * slot
        colour = "#3949ab" if week.minutes >= target else "#9fa8da"
        bar_top = y_of(week.minutes)
        body.append(
            f'<rect x="{bx + slot * 0.14:.1f}" y="{bar_top:.1f}" width="{slot * 0.72:.1f}" '
            f'height="{top + plot_h - bar_top:.1f}" fill="{colour}" rx="1.5">'
            f"<title>{xml_text(week.title)}</title></rect>"
        )
        days = [week.start + dt.timedelta(days=d) for d in range(7)]
        first = next((d for d in days if d.day == 1), None)
        if first is not None and number - labelled >= 3:
            label = f"{first:%b %Y}" if first.month == 1 or labelled < 0 else f"{first:%b}"
            body.append(_text(bx + slot / 2, height - bottom + 17, label, 12, "middle"))
            labelled = number
    line_y = y_of(target)
    body.append(
        f'<line x1="{left}" y1="{line_y:.1f}" x2="{width - right}" y2="{line_y:.1f}" '
        f'stroke="{OWNER_COLOUR}" stroke-width="2" stroke-dasharray="7 4"/>'
    )
    # The key sits above the plot, top right, where no bar can hide it.
    key_x = width - right - text_width(caption, 12) - 4
    body.append(
        f'<line x1="{key_x - 34:.1f}" y1="10" x2="{key_x - 6:.1f}" y2="10" '
        f'stroke="{OWNER_COLOUR}" stroke-width="2" stroke-dasharray="7 4"/>'
    )
    body.append(_text(width - right - 4, 14, caption, 12, "end", f' fill="{OWNER_COLOUR}"'))
    body.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="#90a4ae" stroke-width="1"/>'
    )
    return _svg(width, height, "minutes invested per week against the target", body)


def progress(minutes: float, target: float, expected: float) -> Markup:
    """A bar: minutes invested so far against a target, with where you should be by now."""
    width, height = 600.0, 30.0
    share = min(minutes / target, 1.0) if target else 0.0
    colour = "#3949ab" if minutes >= expected else "#9fa8da"
    mark = 4 + 592 * min(expected / target, 1.0) if target else 4
    body = [
        '<rect x="4" y="8" width="592" height="14" rx="7" fill="#e8eaf6"/>',
        f'<rect x="4" y="8" width="{592 * share:.1f}" height="14" rx="7" fill="{colour}"/>',
        f'<line x1="{mark:.1f}" y1="3" x2="{mark:.1f}" y2="27" stroke="{OWNER_COLOUR}" '
        f'stroke-width="2"><title>where the target puts you by today</title></line>',
    ]
    return _svg(width, height, "time invested this month against the target", body, " small")
