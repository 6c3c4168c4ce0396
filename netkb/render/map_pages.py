"""A page family: the network map, with your circles, the relationships between people,
and a map per organisation and per tag to drill down into.

A picture stays readable at any size: up to DETAIL_LIMIT people everyone is a
dot; above it the map shows one bubble per organisation and circle plus the
inner circles person by person, and the pages per organisation and per tag
draw their people in detail.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from netkb.core.records import Person
from netkb.core.references import name_key
from netkb.link.followups import CIRCLE_NAMES
from netkb.network.graph import reasons
from netkb.render import svg
from netkb.render.network_pages import Work
from netkb.render.page_context import PageContext
from netkb.render.urls import MAP, circle_page, org_map_page, person_page

DETAIL_LIMIT = 150  # up to this many people, the circles map draws every one
INNER_LIMIT = 250  # on bigger networks, the inner circles drawn one by one
DRILL_LIMIT = 150  # people drawn on the map of one organisation or tag (all are listed)
LISTED = 250  # people listed under the map of one organisation or tag
GRAPH_LIMIT = 60  # people in a relationship graph
OVERVIEW_GROUPS = 12  # organisations with a sector of their own on the overview
SECTORS = 16  # most sectors on a map of people; smaller organisations share one
EGO = 6  # on a big network, the relationship graph shows each connector with this many
HIGHLIGHTED = 10  # the best-connected people, outlined on every map
OTHER = "Other organisations"
NONE = "No organisation"
CIRCLES: tuple[int | None, ...] = (1, 2, 3, 4, 5)


def highlighted(work: Work) -> set[str]:
    """The people every map outlines: the best connectors."""
    return {c.slug for c in work.connectors.people[:HIGHLIGHTED]}


def map_pages(context: PageContext, work: Work) -> dict[str, str]:
    """map.md, and a map per organisation (map/orgs/…) and per tag (map/tags/…)."""
    return _Maps(context, work).pages()


class _Maps:
    def __init__(self, context: PageContext, work: Work) -> None:
        self.context = context
        self.work = work
        self.facts = context.facts
        self.urls = context.urls
        self.highlighted = highlighted(work)

    def pages(self) -> dict[str, str]:
        close = self.work.closeness
        public = self.facts.public
        people = sorted(public.values(), key=lambda p: close[p.slug])
        pages = {}
        organisations = []
        for slug, org in self.facts.organisations.items():
            members = sorted((public[s] for s in org.people), key=lambda p: close[p.slug])
            if members:
                path = org_map_page(slug)
                if self.context.wanted(path):
                    pages[path] = self._drill(
                        path, org.name, members, self.context.linker(path).org(slug)
                    )
                organisations.append((org.name, path, members))
        tag_pages = []
        for group in self.context.tags:
            members = sorted((public[s] for s in group.people), key=lambda p: close[p.slug])
            path = f"map/tags/{self.context.tag_slugs(group.name)}.md"
            if self.context.wanted(path):
                pages[path] = self._drill(path, f"Tag: {group.name}", members, None)
            tag_pages.append((group.name, path, members))
        pages[MAP] = self._main(people, organisations, tag_pages)
        return pages

    # -- nodes and edges --------------------------------------------------------------------

    def _group(self, person: Person) -> str:
        """The key of the person's organisation ("" for none): its page slug."""
        return self.facts.person_org.get(person.slug, "")

    def _groups(self, page: str, keys: Sequence[str]) -> list[svg.Group]:
        """(key, label, URL of its map) for sector keys: organisations, OTHER, NONE or ""."""
        organisations = self.facts.organisations
        return [
            (k, organisations[k].name, self.urls.between(page, org_map_page(k)))
            if k in organisations
            else (k, k, None)
            for k in keys
        ]

    def _node(self, page: str, person: Person, group: str | None = None) -> svg.Node:
        position = " at ".join(p for p in (person.role, person.organization) if p)
        where = f"circle {person.circle}" if person.circle else "not placed in a circle"
        title = " · ".join(t for t in (person.name, position, where) if t)
        if person.decision_maker:
            title += " · decision-maker"
        return svg.Node(
            key=person.slug,
            label=person.name,
            title=title,
            href=self.urls.between(page, person_page(person.slug)),
            circle=person.circle,
            group=self._group(person) if group is None else group,
            decider=person.decision_maker,
            highlight=person.slug in self.highlighted,
        )

    def _circles_map(
        self, page: str, people: Sequence[Person], circles: Sequence[int | None] | None = None
    ) -> Markup:
        """People on rings by circle, in sectors: the biggest organisations each their own,
        the others together, and those without one (unlabelled) last."""
        sizes: dict[str, int] = defaultdict(int)
        for person in people:
            sizes[self._group(person)] += 1
        named = sorted((g for g in sizes if g), key=lambda g: (-sizes[g], g))
        kept = set(named[: SECTORS - 1] if len(named) > SECTORS else named)

        def sector(person: Person) -> str:
            group = self._group(person)
            return group if group in kept or not group else OTHER

        keys = [g for g in named if g in kept]
        keys += [OTHER] if len(kept) < len(named) else []
        keys += [""] if "" in sizes else []
        order = {g: n for n, g in enumerate(keys)}
        close = self.work.closeness
        ordered = sorted(people, key=lambda p: (order[sector(p)], *close[p.slug]))
        if circles is None:
            circles = CIRCLES + ((None,) if any(p.circle is None for p in people) else ())
        nodes = [self._node(page, p, sector(p)) for p in ordered]
        owner = self.facts.settings.owner
        return svg.circles_map(owner, nodes, circles, self._groups(page, keys), CIRCLE_NAMES)

    def _overview(self, page: str, people: Sequence[Person]) -> Markup:
        sizes: dict[str, int] = defaultdict(int)
        for person in people:
            sizes[self._group(person)] += 1
        own = sorted((g for g in sizes if g), key=lambda g: (-sizes[g], g))
        kept = set(own[:OVERVIEW_GROUPS])
        cells: dict[tuple[str, int | None], int] = defaultdict(int)
        for person in people:
            group = self._group(person)
            shown = group if group in kept else OTHER if group else NONE
            cells[shown, person.circle] += 1
        groups = self._groups(page, own[:OVERVIEW_GROUPS])
        groups += [(g, g, None) for g in (OTHER, NONE) if any(k[0] == g for k in cells)]
        circles = CIRCLES + ((None,) if any(p.circle is None for p in people) else ())
        hrefs = {key: href for key, _, href in groups}
        bubbles = [
            svg.Cell(group, circle, count, hrefs.get(group) or self._circle_url(page, circle))
            for (group, circle), count in cells.items()
        ]
        owner = self.facts.settings.owner
        return svg.circles_overview(owner, bubbles, circles, groups, CIRCLE_NAMES)

    def _circle_url(self, page: str, circle: int | None) -> str:
        return self.urls.between(page, circle_page(circle))

    def _edges(self, chosen: Sequence[str]) -> list[svg.Edge]:
        graph = self.work.graph
        # In the order of ``chosen``: graph.subgraph() iterates a set when it is small, so
        # its edge order and direction changed with the hash seed from build to build.
        position = {slug: number for number, slug in enumerate(chosen)}
        edges = []
        for a in chosen:
            for b, data in graph.adj[a].items():
                if position.get(b, -1) <= position[a]:
                    continue
                kind = "relation" if data.get("relations") else "together"
                if kind == "together" and data.get("introduced"):
                    kind = "introduction"
                names = f"{self.facts.public[a].name} – {self.facts.public[b].name}"
                title = f"{names}: {', '.join(reasons(data))}"
                edges.append(svg.Edge(a, b, kind, data.get("together", 0), title))
        return edges

    def _graph_people(self) -> tuple[list[Person], int]:
        """Who the main relationship graph shows, and how many people are linked at all.

        Everyone linked to someone when they fit; otherwise the top connectors, each
        with the closest of the people they link, so the picture shows whom they bridge.
        """
        graph = self.work.graph
        public = self.facts.public
        linked = [s for s in graph if graph.degree(s)]
        if len(linked) <= GRAPH_LIMIT:
            chosen = linked
        else:
            chosen = []
            for connector in self.work.connectors.people:
                around = sorted(
                    graph.adj[connector.slug],
                    key=lambda s: (self.work.closeness[s], -graph.degree(s)),
                )
                chosen += [connector.slug, *around[:EGO]]
                if len(dict.fromkeys(chosen)) >= GRAPH_LIMIT:
                    break
            chosen = list(dict.fromkeys(chosen))[:GRAPH_LIMIT]
        people = sorted(
            (public[s] for s in chosen),
            key=lambda p: (self._group(p), *self.work.closeness[p.slug]),
        )
        return people, len(linked)

    # -- pages ------------------------------------------------------------------------------

    def _main(
        self,
        people: list[Person],
        organisations: Sequence[tuple[str, str, list[Person]]] = (),
        tags: Sequence[tuple[str, str, list[Person]]] = (),
    ) -> str:
        page = MAP
        detail = len(people) <= DETAIL_LIMIT
        inner: list[Person] = []
        if not detail:
            for circle in (1, 2, 3):
                ring = [p for p in people if p.circle == circle]
                if inner and len(inner) + len(ring) > INNER_LIMIT:
                    break
                inner += ring
            inner = inner[:INNER_LIMIT]
        shown, linked = self._graph_people()
        return self.context.render(
            "map.md.j2",
            self.context.linker(page),
            detail=detail,
            people=people,
            circles_map=self._circles_map(page, people) if detail else self._overview(page, people),
            inner=inner,
            inner_circles=sorted({p.circle for p in inner}),
            inner_map=self._circles_map(page, inner, sorted({p.circle for p in inner if p.circle}))
            if inner
            else None,
            graph=svg.relationship_graph(
                [self._node(page, p) for p in shown], self._edges([p.slug for p in shown])
            )
            if shown
            else None,
            graph_people=len(shown),
            linked=linked,
            organisations=sorted(organisations, key=lambda o: (-len(o[2]), name_key(o[0]))),
            tags=sorted(tags, key=lambda t: (-len(t[2]), name_key(t[0]))),
            highlighted=len(self.highlighted),
            graph_limit=GRAPH_LIMIT,
            detail_limit=DETAIL_LIMIT,
        )

    def _drill(self, page: str, title: str, members: list[Person], org_link: Any) -> str:
        drawn = members[:DRILL_LIMIT]
        linked = members[:GRAPH_LIMIT]
        edges = self._edges([p.slug for p in linked])
        return self.context.render(
            "map_group.md.j2",
            self.context.linker(page),
            title=title,
            members=members,
            drawn=len(drawn),
            circles_map=self._circles_map(page, drawn),
            graph=svg.relationship_graph(
                [self._node(page, p) for p in linked], edges, shape="circle"
            )
            if edges
            else None,
            graph_people=len(linked),
            org_link=org_link,
            limit=LISTED,
        )
