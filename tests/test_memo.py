"""Results remembered by the digest of their input (``netkb.core.memo``), and the map's
layout remembered that way (``netkb.render.svg.force_layout``)."""

from __future__ import annotations

import json

import pytest

from netkb.core.memo import DigestMemo, digest_of
from netkb.render import svg
from netkb.render.layout import force


def numbers(data: object) -> list[int] | None:
    return data if isinstance(data, list) and all(type(n) is int for n in data) else None


def test_the_least_recently_used_is_dropped_first() -> None:
    memo: DigestMemo[list[int]] = DigestMemo(2, list, numbers)
    memo.put("a", [1])
    memo.put("b", [2])
    assert memo.get("a") == [1]  # now "b" is the least recently used
    memo.put("c", [3])
    assert (memo.get("a"), memo.get("b"), memo.get("c")) == ([1], None, [3])
    assert memo.latest() == {"c": [3]}


def test_results_restored_are_older_than_those_used_here_and_checked() -> None:
    memo: DigestMemo[list[int]] = DigestMemo(2, list, numbers)
    memo.put("here", [1])
    memo.restore({"here": [9], "earlier": [2], "bad": ["x"], 7: [3], "older": [4]})
    assert memo.get("here") == [1]  # this process's result wins
    assert memo.get("bad") is None
    assert memo.latest() == {"here": [1]}
    memo.restore(["not", "a", "mapping"])
    assert memo.latest() == {"here": [1]}
    memo.clear()
    assert memo.latest() == {}


def test_digests_tell_apart_what_plain_joins_would_not() -> None:
    assert digest_of(["a", ["bc"]]) != digest_of(["ab", ["c"]])
    assert digest_of(["a\x00b"]) != digest_of(["a", "b"])
    assert digest_of(["\udcff"]) == digest_of(["\udcff"])  # any file name: no error


EDGES = [("ana", "bob", 1.0), ("bob", "cleo", 0.6), ("cleo", "dan", 1.0)]


def test_the_layout_is_computed_once_for_the_same_input(monkeypatch: pytest.MonkeyPatch) -> None:
    svg.LAYOUTS.clear()
    calls = []
    monkeypatch.setattr(svg, "force", lambda *a: calls.append(a) or force(*a))
    nodes = ["ana", "bob", "cleo", "dan"]
    first = svg.force_layout(nodes, EDGES, 900.0, 620.0, 70.0)
    again = svg.force_layout(list(nodes), list(EDGES), 900.0, 620.0, 70.0)
    assert len(calls) == 1 and again == first == force(nodes, EDGES, 900.0, 620.0, 70.0)
    other = svg.force_layout(nodes, EDGES[:2], 900.0, 620.0, 70.0)  # a link less
    assert len(calls) == 2 and other != first


def test_a_layout_kept_by_an_earlier_process_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    svg.LAYOUTS.clear()
    nodes = ["ana", "bob", "cleo", "dan"]
    first = svg.force_layout(nodes, EDGES, 900.0, 620.0, 70.0)
    kept = json.loads(json.dumps(svg.LAYOUTS.latest()))
    svg.LAYOUTS.clear()
    svg.LAYOUTS.restore(kept)
    monkeypatch.setattr(svg, "force", lambda *a: pytest.fail("computed again"))
    assert svg.force_layout(nodes, EDGES, 900.0, 620.0, 70.0) == first
    svg.LAYOUTS.clear()
    svg.LAYOUTS.restore({digest: {"ana": [1.0, "x", 0.0]} for digest in kept})  # damaged
    assert svg.LAYOUTS.latest() == {}
