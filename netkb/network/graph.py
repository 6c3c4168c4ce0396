"""Your network as a graph: who is linked to whom, warm introduction paths, connectors.

People are nodes. Two people are linked when one names the other in
``relations`` or ``introduced_by``, or when they were at the same logged
interaction. You are a node too (``OWNER``), linked to everyone you have met
(a logged interaction) or placed in a circle. Who names whom comes from the link
layer (``netkb.link.derive.Facts``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations, pairwise
from typing import TYPE_CHECKING, Any

from netkb.core.memo import DigestMemo, digest_of
from netkb.core.records import Person
from netkb.link.derive import Facts

if TYPE_CHECKING:
    import networkx as nx

OWNER = "/you"  # slugs are file names and never contain "/", so this never collides
CIRCLE_WARMTH = {1: 5.0, 2: 4.0, 3: 3.0, 4: 2.0, 5: 1.0}
RELATION_WARMTH = {
    "family": 3.0,
    "partner": 3.0,
    "friend": 3.0,
    "mentor": 2.5,
    "mentee": 2.5,
    "colleague": 2.0,
    "reports_to": 2.0,
    "manages": 2.0,
}
MAX_PATHS_PER_TARGET = 200  # shortest paths enumerated per target before ranking
# Betweenness: exact up to EXACT_LIMIT linked people; above LARGE_NETWORK only circles
# 1–3 count; above EXACT_LIMIT it is estimated from SAMPLE sources with a fixed seed.
EXACT_LIMIT = 500
LARGE_NETWORK = 2000
SAMPLE = 32
SEED = 1


def network_graph(
    facts: Facts, people: Mapping[str, Person] | None = None, *, with_owner: bool = True
) -> nx.Graph:
    """The graph of ``people`` (default: everyone; only they become nodes) and, optionally, you.

    Links are what the link layer found: relations and introductions, and interactions
    held up to ``facts.today`` (a planned lunch is no meeting yet). Each link's data says
    why it exists: ``relations`` (the types written), ``introduced``, ``together``
    (interactions shared) and ``last`` (the latest), ``circle`` (yours).
    """
    import networkx as nx  # imported when needed: it takes a while, and most commands do not

    if people is None:
        people = facts.people
    links: dict[tuple[str, str], dict[str, Any]] = {}

    def link(a: str, b: str) -> dict[str, Any]:
        key = (a, b) if a < b else (b, a)
        data = links.get(key)
        if data is None:
            data = links[key] = {}
        return data

    # Person by person, as the links' order is the order pictures draw them in.
    for slug, person in people.items():
        for kind, other in facts.relations_written.get(slug, ()):
            if other in people:
                link(slug, other).setdefault("relations", set()).add(kind)
        introducer = facts.introducer.get(slug)
        if introducer in people:
            link(slug, introducer)["introduced"] = True
        if with_owner and person.circle:
            link(OWNER, slug)["circle"] = person.circle
    for interaction in facts.held(facts.network.interactions):
        present = [s for s in facts.present(interaction) if s in people]
        if with_owner:
            for slug in present:
                _together(link(OWNER, slug), interaction.date)
        for a, b in combinations(present, 2):
            _together(link(a, b), interaction.date)
    graph = nx.Graph()
    graph.add_nodes_from(people)
    graph.add_edges_from((a, b, data) for (a, b), data in links.items())
    return graph


def _together(data: dict[str, Any], day: dt.date) -> None:
    data["together"] = data.get("together", 0) + 1
    if day > data.get("last", dt.date.min):
        data["last"] = day


def warmth(data: Mapping[str, Any]) -> float:
    """How warm a link is: closeness, relation type, introductions, time spent together."""
    value = CIRCLE_WARMTH.get(data.get("circle") or 0, 0.0)
    value += max((RELATION_WARMTH.get(r, 1.0) for r in data.get("relations", ())), default=0.0)
    value += 2.0 if data.get("introduced") else 0.0
    return value + min(data.get("together", 0), 6) * 0.5


def reasons(data: Mapping[str, Any]) -> list[str]:
    """Why two nodes are linked, in words: ``["circle 2", "colleague", "3 times together"]``."""
    found = []
    if data.get("circle"):
        found.append(f"circle {data['circle']}")
    found += [kind.replace("_", " ") for kind in sorted(data.get("relations", ()))]
    if data.get("introduced"):
        found.append("introduction")
    together = data.get("together", 0)
    if together:
        times = "once" if together == 1 else f"{together} times"
        found.append(f"met {times}, last {data['last'].isoformat()}")
    return found


# -- warm paths ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WarmPath:
    """A chain of introductions from ``nodes[0]`` to ``nodes[-1]``."""

    nodes: tuple[str, ...]
    weakest: float  # the warmth of its coldest link: a chain is as strong as that
    total: float

    @property
    def hops(self) -> int:
        return len(self.nodes) - 1


def warm_paths(
    graph: nx.Graph, source: str, targets: Iterable[str], limit: int = 3
) -> list[WarmPath]:
    """The shortest chains from ``source`` to any target, warmest first.

    Fewest hops wins; among equally short chains the one whose coldest link is
    warmest comes first. From someone other than you, chains do not pass through you.
    """
    if source not in graph:
        return []
    avoid = {OWNER} if source != OWNER else set()
    distance, parents = _breadth_first(graph, source, avoid)
    found: list[WarmPath] = []
    for target in dict.fromkeys(targets):
        if target == source or target not in distance:
            continue
        for nodes in _paths_back(parents, source, target):
            links = [warmth(graph.edges[a, b]) for a, b in pairwise(nodes)]
            found.append(WarmPath(tuple(nodes), min(links), sum(links)))
    found.sort(key=lambda p: (p.hops, -p.weakest, -p.total, p.nodes))
    return found[:limit]


def _breadth_first(
    graph: nx.Graph, source: str, avoid: set[str]
) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Distance of every reachable node and its parents on shortest paths from ``source``."""
    distance = {source: 0}
    parents: dict[str, list[str]] = {source: []}
    queue = deque([source])
    adjacency = graph.adj
    while queue:
        node = queue.popleft()
        step = distance[node] + 1
        for neighbour in adjacency[node]:
            if neighbour in avoid:
                continue
            seen = distance.get(neighbour)
            if seen is None:
                distance[neighbour] = step
                parents[neighbour] = [node]
                queue.append(neighbour)
            elif seen == step:
                parents[neighbour].append(node)
    return distance, parents


def _paths_back(parents: Mapping[str, list[str]], source: str, target: str) -> list[list[str]]:
    """Up to MAX_PATHS_PER_TARGET shortest paths, walked back from ``target``."""
    paths: list[list[str]] = []
    stack = [[target]]
    while stack and len(paths) < MAX_PATHS_PER_TARGET:
        partial = stack.pop()
        head = partial[-1]
        if head == source:
            paths.append(partial[::-1])
            continue
        stack.extend([*partial, parent] for parent in sorted(parents[head], reverse=True))
    return paths


# -- connectors ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Connector:
    slug: str
    score: float  # betweenness centrality, 0 to 1
    groups: tuple[str, ...]  # the organisations of the people they link, most first


@dataclass(frozen=True, slots=True)
class Connectors:
    method: str  # how the scores were computed, in words, for the page
    people: list[Connector]


def connectors(
    graph: nx.Graph,
    people: Mapping[str, Person],
    limit: int = 20,
    group_of: Callable[[str], str] | None = None,
) -> Connectors:
    """People who bridge otherwise separate parts of your network (you left out).

    Ranked by betweenness centrality: the share of shortest paths between two
    others that run through them. ``group_of(slug)`` names the part of the network
    a person belongs to (default: their ``organization`` as written).
    """
    nodes = [n for n in graph if n != OWNER and n in people]
    scope = "everyone"
    if len(nodes) > LARGE_NETWORK:
        nodes = [n for n in nodes if (people[n].circle or 6) <= 3]
        scope = "the people in circles 1–3"
    core = _linked_among(graph, nodes)
    linked = core.number_of_nodes()
    scores = betweenness(core)
    if linked <= EXACT_LIMIT:
        method = f"Betweenness centrality of {scope} linked to someone else ({linked:,} people)."
    else:
        method = (
            f"Betweenness centrality of {scope} linked to someone else ({linked:,} people), "
            f"estimated from {SAMPLE} sampled starting points (fixed seed {SEED}, so every "
            "build agrees)."
        )
    ranked = sorted((s for s in scores if scores[s] > 0), key=lambda s: (-scores[s], s))[:limit]
    group = group_of or (lambda slug: people[slug].organization or "no organisation")
    return Connectors(method, [Connector(s, scores[s], _groups(core, group, s)) for s in ranked])


def betweenness(core: nx.Graph) -> dict[str, float]:
    """The betweenness centrality of every node of ``core``: exact up to EXACT_LIMIT nodes,
    else estimated from SAMPLE starting points drawn with the fixed SEED.

    The same graph (nodes, links and their order) gives the same scores, so they are
    remembered by the graph's digest (``SCORES``): ``netkb serve`` asks again after every
    edit, ``netkb build`` finds the last build's, and most edits change no link."""
    import networkx as nx

    digest = shape_digest(core)
    scores = SCORES.get(digest)
    if scores is None:
        if core.number_of_nodes() <= EXACT_LIMIT:
            scores = nx.betweenness_centrality(core)
        else:
            scores = nx.betweenness_centrality(core, k=SAMPLE, seed=SEED)
        SCORES.put(digest, scores)
    return scores


def shape_digest(core: nx.Graph) -> str:
    """What betweenness scores depend on, as a digest: the nodes and each one's links in
    their order (the sample of starting points and the sums follow it), the method and
    networkx's version."""
    import networkx as nx

    shape = [nx.__version__, EXACT_LIMIT, SAMPLE, SEED]
    shape += [[node, list(neighbours)] for node, neighbours in core.adj.items()]
    return digest_of(shape)


def _scores_from_json(data: Any) -> dict[str, float] | None:
    if isinstance(data, dict) and all(
        isinstance(k, str) and type(v) in (int, float) for k, v in data.items()
    ):
        return {k: float(v) for k, v in data.items()}
    return None


# Graph digest → betweenness scores: the full site's graph and a redacted one's, and so on.
SCORES: DigestMemo[dict[str, float]] = DigestMemo(4, dict, _scores_from_json)


def _linked_among(graph: nx.Graph, nodes: list[str]) -> nx.Graph:
    """The graph between ``nodes`` without the unlinked, its nodes in the order given.

    Not ``graph.subgraph``: for a small share of the nodes it iterates a set, so the
    order, and with it the sample of starting points, would change from run to run.
    """
    import networkx as nx

    inside = set(nodes)
    core = nx.Graph()
    for node in nodes:
        for other in graph.adj[node]:
            if other in inside:
                core.add_edge(node, other)
    return core


def _groups(graph: nx.Graph, group_of: Callable[[str], str], slug: str) -> tuple[str, ...]:
    """The groups of the people ``slug`` is linked to, the most common first."""
    counts = Counter(group_of(n) for n in graph.adj[slug])
    return tuple(name for name, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
