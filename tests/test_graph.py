"""The network graph, warm introduction paths and connectors (tests/network_kb.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from network_kb import PRIVATE_SLUG, TODAY, write_network

from netkb.cli import cli
from netkb.link.derive import link
from netkb.load.loader import load
from netkb.network import graph as graph_module
from netkb.network.graph import (
    OWNER,
    SCORES,
    connectors,
    network_graph,
    reasons,
    warm_paths,
)


@pytest.fixture
def network(tmp_path: Path):
    return load(write_network(tmp_path / "kb"))


def graph_of(network, with_owner: bool = True):
    return network_graph(link(network, today=TODAY), with_owner=with_owner)


def test_links_and_why(network) -> None:
    graph = graph_of(network)
    assert reasons(graph.edges["bob-stone", "ana-lee"]) == ["colleague"]
    assert reasons(graph.edges["cleo-park", "bob-stone"]) == ["introduction"]
    assert reasons(graph.edges["dan-roe", "eve-moss"]) == ["met once, last 2026-10-20"]
    # You: linked to everyone in a circle or met; Hal has neither.
    assert reasons(graph.edges[OWNER, "ana-lee"]) == ["circle 1", "met 2 times, last 2026-11-25"]
    assert not graph.has_edge(OWNER, "hal-kim")
    assert graph.has_edge(OWNER, "gus-hart")  # circle 3, never met


def test_shortest_warm_paths_to_decision_makers(network) -> None:
    # Globex's deciders: Dan (circle 4, met once) and Hal (no circle, never met).
    # To Hal there are two chains of two: via Dan (Hal reports to him) and via Cleo (Hal
    # only "knows" her). The chain is as strong as its coldest link, so Dan's comes first.
    paths = warm_paths(graph_of(network), OWNER, ["dan-roe", "hal-kim"], limit=5)
    assert [(p.nodes, p.weakest) for p in paths] == [
        ((OWNER, "dan-roe"), 2.5),
        ((OWNER, "dan-roe", "hal-kim"), 2.0),
        ((OWNER, "cleo-park", "hal-kim"), 1.0),
    ]


def test_paths_from_someone_else_do_not_pass_through_you(network) -> None:
    paths = warm_paths(graph_of(network), "ana-lee", ["eve-moss"])
    assert [p.nodes for p in paths] == [
        ("ana-lee", "bob-stone", "cleo-park", "dan-roe", "eve-moss")
    ]
    assert warm_paths(graph_of(network), "ana-lee", ["nobody"]) == []


def test_top_connector_is_the_bridge(network) -> None:
    # Without you: ana–bob–cleo–dan–eve–fay, gus–cleo, hal–cleo, hal–dan. Cleo sits on
    # 14 shortest paths between others, Dan on 10, Bob and Eve on 6 each.
    facts = link(network, today=TODAY)
    public = facts.public
    graph = network_graph(facts, public, with_owner=False)
    found = connectors(graph, public)
    assert [c.slug for c in found.people] == ["cleo-park", "dan-roe", "bob-stone", "eve-moss"]
    assert round(found.people[0].score * 21) == 14  # 14 of the 21 pairs of the other 7
    assert found.people[0].groups == ("Globex", "Acme", "no organisation")
    assert found.method == "Betweenness centrality of everyone linked to someone else (8 people)."
    assert PRIVATE_SLUG not in graph


def test_big_networks_sample_with_a_fixed_seed(network, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(graph_module, "EXACT_LIMIT", 3)
    monkeypatch.setattr(graph_module, "SAMPLE", 4)
    graph = graph_of(network, with_owner=False)
    first, again = connectors(graph, network.people), connectors(graph, network.people)
    assert "estimated from 4 sampled starting points (fixed seed 1" in first.method
    assert first == again


def test_path_command(tmp_path: Path) -> None:
    root = write_network(tmp_path / "kb")
    result = CliRunner().invoke(cli, ["--kb", str(root), "path", "Head of Sales at Globex"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Warm paths from you to Head of Sales at Globex:\n"
        "\n"
        "1. you → Cleo Park\n"
        "     → Cleo Park: circle 3, met once, last 2026-10-01\n"
    )
    result = CliRunner().invoke(cli, ["--kb", str(root), "path", "hal-kim", "--format", "csv"])
    assert result.output.splitlines() == [
        "path,hop,slug,name,link",
        f"1,0,{OWNER},you,",
        '1,1,dan-roe,Dan Roe,"circle 4, met once, last 2026-10-20"',
        "1,2,hal-kim,Hal Kim,reports to",
        f"2,0,{OWNER},you,",
        '2,1,cleo-park,Cleo Park,"circle 3, met once, last 2026-10-01"',
        "2,2,hal-kim,Hal Kim,knows",
    ]


def test_path_command_from_someone_and_unknown_targets(tmp_path: Path) -> None:
    root = write_network(tmp_path / "kb")
    result = CliRunner().invoke(cli, ["--kb", str(root), "path", "gus-hart", "Fay Wu"])
    assert result.output.splitlines()[:3] == [
        "Warm paths from Gus Hart to Fay Wu:",
        "",
        "1. Gus Hart → Cleo Park → Dan Roe → Eve Moss → Fay Wu",
    ]
    result = CliRunner().invoke(cli, ["--kb", str(root), "path", "Initech"])
    assert result.exit_code == 2
    assert "no person or organisation matches 'Initech'" in result.output
    result = CliRunner().invoke(cli, ["--kb", str(root), "path", "Acme"])
    # Ana is Acme's decider, in your circle 1: one hop.
    assert "Warm paths from you to the decision-makers at Acme:" in result.output
    assert "1. you → Ana Lee" in result.output


# -- connectors' scores are remembered by the graph's digest -----------------------------


def public_graph(network):
    facts = link(network, today=TODAY)
    return facts.public, network_graph(facts, facts.public, with_owner=False)


def test_scores_kept_for_a_new_process_equal_a_fresh_computation(network) -> None:
    import networkx as nx

    public, graph = public_graph(network)
    SCORES.clear()
    fresh = connectors(graph, public)
    kept = SCORES.latest()
    assert list(kept.values()) == [nx.betweenness_centrality(graph)]  # 8 linked: exact
    SCORES.clear()  # a new process, given what the last one kept
    SCORES.restore(json.loads(json.dumps(kept)))
    calls = []
    original = nx.betweenness_centrality
    nx.betweenness_centrality = lambda *a, **k: calls.append(a) or original(*a, **k)
    try:
        again = connectors(graph, public)
    finally:
        nx.betweenness_centrality = original
    assert calls == []  # the same graph: nothing computed again
    assert again == fresh


def test_a_changed_graph_gets_its_own_scores(network) -> None:
    public, graph = public_graph(network)
    SCORES.clear()
    before = connectors(graph, public)
    graph.add_edge("ana-lee", "fay-wu")  # a shortcut round Cleo and Dan
    after = connectors(graph, public)
    SCORES.clear()
    assert after == connectors(graph, public)  # as computed from nothing
    assert after != before
    assert len(SCORES.latest()) == 1  # the last graph's only


def test_the_order_of_the_same_links_is_another_shape(network) -> None:
    # A sample of starting points follows the order of the nodes: not the same scores.
    _, graph = public_graph(network)
    reordered = type(graph)()
    reordered.add_nodes_from(reversed(list(graph)))
    reordered.add_edges_from(graph.edges)
    assert nx_edges(reordered) == nx_edges(graph)
    assert graph_module.shape_digest(reordered) != graph_module.shape_digest(graph)
    _, built_again = public_graph(network)  # as the next build draws it
    assert graph_module.shape_digest(built_again) == graph_module.shape_digest(graph)


def nx_edges(graph) -> set[frozenset[str]]:
    return {frozenset(edge) for edge in graph.edges}


def test_scores_from_a_damaged_file_are_skipped(network) -> None:
    public, graph = public_graph(network)
    SCORES.clear()
    fresh = connectors(graph, public)
    (digest,) = SCORES.latest()
    for damaged in (
        {digest: {"cleo-park": "high"}},
        {digest: ["cleo-park", 1]},
        {digest: {"cleo-park": True}},
        {7: {"cleo-park": 1.0}},
    ):
        SCORES.clear()
        SCORES.restore(damaged)
        assert SCORES.latest() == {}
        assert connectors(graph, public) == fresh
