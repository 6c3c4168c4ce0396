"""Files the record cache does not hold are parsed in forked workers when there are many
(``loader._parse``): the network is the same as parsing them all in one process, with
the same problems in the same order, and the cache is then as warm as after a load in
one process."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from network_kb import write_network
from test_cache_differential import EDITS
from test_cache_differential import assert_same_as_parsing_everything as same_network

import netkb.load.loader as loader_module
from netkb.core import parallel
from netkb.load.cache import DiskCache
from netkb.load.loader import load
from tests.hostile import HOSTILE_NOTES

asked: list[int] = []  # the workers each share-out was given


@pytest.fixture
def in_forks_from_two(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Parse in forks from two files on, and count how often that happened."""
    monkeypatch.setattr(loader_module, "PARSE_IN_FORKS_FROM", 2)
    forked: list[int] = []
    asked.clear()
    original = parallel.in_forks

    def counting(work, shares, workers, **options):
        forked.append(len(shares))
        asked.append(workers)
        return original(work, shares, workers, **options)

    monkeypatch.setattr(parallel, "in_forks", counting)  # the loader imports it when it forks
    monkeypatch.setattr(loader_module.os, "cpu_count", lambda: 2)
    return forked


@pytest.mark.parametrize("seed", range(3))
def test_a_load_parsed_in_forks_is_a_load_parsed_here(
    tmp_path: Path, seed: int, in_forks_from_two: list[int]
) -> None:
    root = write_network(tmp_path / "kb")
    rng = random.Random(seed)
    same_network(root)  # cold: every file parsed in the workers
    assert len(in_forks_from_two) == 1 and in_forks_from_two[0] >= 2  # one round, all folders
    for _ in range(6):
        for edit in rng.sample(EDITS, rng.randrange(1, 4)):
            edit(root, rng)
        same_network(root)
        same_network(root)


def test_hostile_and_broken_files_parsed_in_forks(
    tmp_path: Path, in_forks_from_two: list[int]
) -> None:
    root = write_network(tmp_path / "kb")
    for number, note in enumerate(HOSTILE_NOTES):
        (root / "contacts" / f"hostile-{number}.md").write_text(
            f"---\nname: Hostile {number}\n---\n{note}\n", encoding="utf-8"
        )
    (root / "contacts" / "broken.md").write_text("---\nname: [unclosed\n---\n", "utf-8")
    (root / "contacts" / "binary.md").write_bytes(b"---\nname: B\x00\n---\n")
    (root / "contacts" / "huge-number.md").write_text(
        "---\nname: Big\nscore: 123456789012345678901234567890\n---\n", encoding="utf-8"
    )
    same_network(root)
    assert in_forks_from_two
    codes = {p.code for p in load(root, cache=DiskCache(root)).problems}
    assert "NK102" in codes  # the NUL byte, found by a worker and reported here
    same_network(root)  # warm, from what the workers handed back


def test_one_worker_parses_in_this_process(tmp_path: Path, in_forks_from_two: list[int]) -> None:
    root = write_network(tmp_path / "kb")
    alone = load(root, cache=DiskCache(root), workers=1)
    assert asked == []  # parsed here, as the cache always did, not handed back as entries
    assert [p.format(root) for p in alone.problems] == [p.format(root) for p in load(root).problems]
