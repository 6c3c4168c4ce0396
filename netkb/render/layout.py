"""Where things go on the maps: rings by circle split into organisation sectors, a
force-directed graph, nodes around a circle, and labels placed where they fit.

Pure geometry: positions in SVG user units (y grows downwards), angles in
radians clockwise from the top. Everything is deterministic: the same network
gives the same picture on every build.
"""

from __future__ import annotations

import math
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

Box = tuple[float, float, float, float]  # left, top, right, bottom


@dataclass(frozen=True, slots=True)
class Placed:
    x: float
    y: float
    angle: float = 0.0


def polar(cx: float, cy: float, radius: float, angle: float) -> tuple[float, float]:
    """The point at ``angle`` (clockwise from the top) on a circle around (cx, cy)."""
    return cx + radius * math.sin(angle), cy - radius * math.cos(angle)


def sectors(sizes: Sequence[tuple[str, float]], gap: float = 0.0) -> dict[str, tuple[float, float]]:
    """(start, end) angle of each group, in order, its width proportional to its size."""
    total = sum(size for _, size in sizes) or 1
    free = 2 * math.pi - gap * len(sizes)
    spans: dict[str, tuple[float, float]] = {}
    angle = gap / 2
    for key, size in sizes:
        width = free * size / total
        spans[key] = (angle, angle + width)
        angle += width + gap
    return spans


def rings(
    members: Sequence[tuple[str, int, str]],
    spans: dict[str, tuple[float, float]],
    radii: Sequence[float],
    centre: tuple[float, float],
    spacing: float = 16.0,
) -> dict[str, Placed]:
    """Positions of (slug, ring index, group) members: each on its ring, inside its
    group's sector, spread evenly in the order given.

    A ring too crowded for ``spacing`` between neighbours gets more tracks just
    inside it, and its people alternate between them.
    """
    cells: dict[tuple[str, int], list[str]] = defaultdict(list)
    crowd: dict[int, int] = defaultdict(int)
    for slug, ring, group in members:
        cells[group, ring].append(slug)
        crowd[ring] += 1
    tracks: dict[int, tuple[int, float]] = {}
    for ring, count in crowd.items():
        band = radii[ring] - (radii[ring - 1] if ring else 0.0)
        wanted = math.ceil(count * spacing / (2 * math.pi * radii[ring]))
        most = max(1, int(band * 0.7 // 11) + 1)
        number = max(1, min(wanted, most))
        tracks[ring] = (number, min(11.0, band * 0.7 / (number - 1)) if number > 1 else 0.0)
    placed = {}
    for (group, ring), slugs in cells.items():
        start, end = spans[group]
        number, step = tracks[ring]
        for n, slug in enumerate(slugs):
            angle = start + (end - start) * (n + 0.5) / len(slugs)
            radius = radii[ring] - (n % number) * step
            placed[slug] = Placed(*polar(*centre, radius, angle), angle)
    return placed


def around(nodes: Sequence[str], centre: tuple[float, float], radius: float) -> dict[str, Placed]:
    """Nodes evenly around one circle, the first at the top, clockwise."""
    count = max(len(nodes), 1)
    return {
        node: Placed(*polar(*centre, radius, 2 * math.pi * n / count), 2 * math.pi * n / count)
        for n, node in enumerate(nodes)
    }


def force(
    nodes: Sequence[str],
    edges: Sequence[tuple[str, str, float]],
    width: float,
    height: float,
    margin: float,
    iterations: int = 160,
) -> dict[str, Placed]:
    """A Fruchterman–Reingold layout fitted into the box: linked nodes near each other.

    Starts from the nodes around a circle in the order given (so groups that are
    next to each other in ``nodes`` start together), with a pull to the centre that
    keeps unconnected groups on the canvas.
    """
    count = len(nodes)
    if count == 0:
        return {}
    start = around(nodes, (0.0, 0.0), 1.0)
    xs = [start[n].x for n in nodes]
    ys = [start[n].y for n in nodes]
    index = {node: i for i, node in enumerate(nodes)}
    links = [(index[a], index[b], weight) for a, b, weight in edges if a in index and b in index]
    k = math.sqrt(4.0 / count)  # the ideal distance in a 2 × 2 square
    temperature = 0.2
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        dx = [0.0] * count
        dy = [0.0] * count
        for i in range(count):
            xi, yi = xs[i], ys[i]
            for j in range(i + 1, count):
                ox, oy = xi - xs[j], yi - ys[j]
                squared = ox * ox + oy * oy or 1e-6
                push = k * k / squared
                dx[i] += ox * push
                dy[i] += oy * push
                dx[j] -= ox * push
                dy[j] -= oy * push
        for i, j, weight in links:
            ox, oy = xs[i] - xs[j], ys[i] - ys[j]
            pull = math.sqrt(ox * ox + oy * oy) / k * weight
            dx[i] -= ox * pull
            dy[i] -= oy * pull
            dx[j] += ox * pull
            dy[j] += oy * pull
        for i in range(count):
            dx[i] -= xs[i] * 0.8 * k
            dy[i] -= ys[i] * 0.8 * k
            length = math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]) or 1e-9
            step = min(length, temperature) / length
            xs[i] += dx[i] * step
            ys[i] += dy[i] * step
        temperature -= cooling
    _widest_across(xs, ys)
    return _fit(nodes, xs, ys, width, height, margin)


def _widest_across(xs: list[float], ys: list[float]) -> None:
    """Rotate the points in place so that their longest extent lies horizontally."""
    count = len(xs)
    mean_x, mean_y = sum(xs) / count, sum(ys) / count
    sxx = sum((v - mean_x) ** 2 for v in xs)
    syy = sum((v - mean_y) ** 2 for v in ys)
    sxy = sum((a - mean_x) * (b - mean_y) for a, b in zip(xs, ys, strict=True))
    angle = 0.5 * math.atan2(2 * sxy, sxx - syy)
    cos, sin = math.cos(-angle), math.sin(-angle)
    for i in range(count):
        px, py = xs[i] - mean_x, ys[i] - mean_y
        xs[i], ys[i] = px * cos - py * sin, px * sin + py * cos


def _fit(
    nodes: Sequence[str],
    xs: list[float],
    ys: list[float],
    width: float,
    height: float,
    margin: float,
) -> dict[str, Placed]:
    low_x, high_x, low_y, high_y = min(xs), max(xs), min(ys), max(ys)
    scale = min(
        (width - 2 * margin) / ((high_x - low_x) or 1),
        (height - 2 * margin) / ((high_y - low_y) or 1),
    )
    offset_x = (width - (high_x - low_x) * scale) / 2
    offset_y = (height - (high_y - low_y) * scale) / 2
    return {
        node: Placed(offset_x + (xs[i] - low_x) * scale, offset_y + (ys[i] - low_y) * scale)
        for i, node in enumerate(nodes)
    }


# -- labels ----------------------------------------------------------------------------------


def text_width(text: str, size: float) -> float:
    """Roughly how wide ``text`` is in a sans-serif font of ``size`` (wide CJK counts double)."""
    wide = sum(unicodedata.east_asian_width(c) in "WF" for c in text)
    return (len(text) - wide) * size * 0.56 + wide * size


class Labels:
    """Places labels next to their nodes where they overlap nothing already placed.

    A label that fits nowhere is left out; the node keeps its tooltip and the
    page lists everyone below the picture.
    """

    CELL = 48.0

    def __init__(self, bounds: Box) -> None:
        self.bounds = bounds
        self.grid: dict[tuple[int, int], list[Box]] = defaultdict(list)

    def block(self, box: Box) -> None:
        """Keep labels off ``box`` (a node, a title)."""
        for cell in self._cells(box):
            self.grid[cell].append(box)

    def place(
        self, x: float, y: float, radius: float, text: str, size: float, outward: float = 1.0
    ) -> tuple[float, float, str] | None:
        """(x, y, text-anchor) for a label of node (x, y, radius), or None if it fits nowhere.

        ``outward`` > 0 tries the right side first, < 0 the left side.
        """
        width, height = text_width(text, size), size * 1.2
        gap = radius + 3
        corner = radius * 0.75 + 2
        middle = y + size * 0.35
        right: list[tuple[float, float, str, Box]] = [
            (x + gap, middle, "start", (x + gap, y - height / 2, x + gap + width, y + height / 2)),
            (
                x + corner,
                y - corner,
                "start",
                (
                    x + corner,
                    y - corner - height * 0.8,
                    x + corner + width,
                    y - corner + height * 0.2,
                ),
            ),
            (
                x + corner,
                y + corner + size * 0.8,
                "start",
                (x + corner, y + corner, x + corner + width, y + corner + height),
            ),
        ]
        left: list[tuple[float, float, str, Box]] = [
            (x - gap, middle, "end", (x - gap - width, y - height / 2, x - gap, y + height / 2)),
            (
                x - corner,
                y - corner,
                "end",
                (
                    x - corner - width,
                    y - corner - height * 0.8,
                    x - corner,
                    y - corner + height * 0.2,
                ),
            ),
            (
                x - corner,
                y + corner + size * 0.8,
                "end",
                (x - corner - width, y + corner, x - corner, y + corner + height),
            ),
        ]
        above = (
            x,
            y - gap - size * 0.25,
            "middle",
            (x - width / 2, y - gap - height, x + width / 2, y - gap),
        )
        below = (
            x,
            y + gap + size * 0.9,
            "middle",
            (x - width / 2, y + gap, x + width / 2, y + gap + height),
        )
        first, second = (right, left) if outward >= 0 else (left, right)
        for lx, ly, anchor, box in [first[0], second[0], above, below, *first[1:], *second[1:]]:
            if self._free(box):
                self.block(box)
                return lx, ly, anchor
        return None

    def reserve(self, box: Box) -> bool:
        """Take ``box`` for a label if it is free; whether it was."""
        if not self._free(box):
            return False
        self.block(box)
        return True

    def _free(self, box: Box) -> bool:
        left, top, right, bottom = self.bounds
        if box[0] < left or box[1] < top or box[2] > right or box[3] > bottom:
            return False
        for cell in self._cells(box):
            for other in self.grid.get(cell, ()):
                if (
                    box[0] < other[2]
                    and other[0] < box[2]
                    and box[1] < other[3]
                    and other[1] < box[3]
                ):
                    return False
        return True

    def _cells(self, box: Box) -> list[tuple[int, int]]:
        size = self.CELL
        return [
            (cx, cy)
            for cx in range(int(box[0] // size), int(box[2] // size) + 1)
            for cy in range(int(box[1] // size), int(box[3] // size) + 1)
        ]
