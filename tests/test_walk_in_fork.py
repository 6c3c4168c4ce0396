"""A load through a big record cache walks the KB in a forked child while it decodes the
cache's records (``loader._walked_meanwhile``, ``DiskCache.ahead``): the network, its
problems and the cache it leaves are those of a load that walks here, after any edits,
with symlinks and unreadable files, when the cache lists its files in another order, and
when the child fails. ``parallel.started`` is the fork it uses."""

from __future__ import annotations

import os
import random
import threading
from pathlib import Path

import orjson
import pytest
from network_kb import write_network
from test_cache import counting_parses
from test_cache_differential import EDITS, assert_same_networks
from test_cache_differential import assert_same_as_parsing_everything as same_network

import netkb.load.loader as loader_module
from netkb.core import parallel
from netkb.core.records import Interaction
from netkb.load import cache as cache_module
from netkb.load.cache import CACHE_FILE, DiskCache
from netkb.load.loader import load


@pytest.fixture
def walk_in_fork(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Walk in a forked child however small the cache, on a machine of two cores; one
    item for each fork started."""
    monkeypatch.setattr(loader_module, "WALK_IN_FORK_FROM", 1)
    monkeypatch.setattr(loader_module.os, "cpu_count", lambda: 2)
    forks: list[int] = []
    original = parallel.started

    def counting(work):
        forks.append(1)
        return original(work)

    monkeypatch.setattr(parallel, "started", counting)  # the loader imports it when it forks
    return forks


def test_a_warm_load_walks_in_another_process(
    tmp_path: Path, walk_in_fork: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_network(tmp_path / "kb")
    load(root, cache=DiskCache(root))  # cold: no cache file yet, walked here
    assert walk_in_fork == []
    walkers = tmp_path / "walkers"
    walk = loader_module._walk_to_send

    def walk_and_say_where(root: Path, folder: str):
        with walkers.open("a") as out:  # written by the child: it shares no memory
            out.write(f"{os.getpid()}\n")
        return walk(root, folder)

    monkeypatch.setattr(loader_module, "_walk_to_send", walk_and_say_where)
    parsed = counting_parses(monkeypatch)
    warm = load(root, cache=DiskCache(root))
    assert walk_in_fork == [1]
    pids = walkers.read_text().split()
    assert len(pids) == 3 and str(os.getpid()) not in pids  # each folder, by the child
    assert parsed == []  # every record decoded ahead, none parsed
    assert warm.people and warm.interactions


@pytest.mark.parametrize("seed", range(3))
def test_a_load_walked_in_a_fork_is_a_load_walked_here(
    tmp_path: Path, seed: int, walk_in_fork: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_network(tmp_path / "kb")
    rng = random.Random(seed)
    same_network(root)
    for _ in range(8):
        for edit in rng.sample(EDITS, rng.randrange(1, 4)):
            edit(root, rng)
        assert_same_cache_left(root, monkeypatch)
        same_network(root)  # the edited files parsed here, the others decoded ahead
        same_network(root)
    assert len(walk_in_fork) >= 16


def assert_same_cache_left(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache a load walked in a fork writes back is the one a load walked here
    writes, from the same cache before it."""
    before = (root / CACHE_FILE).read_bytes()
    monkeypatch.setattr(loader_module, "WALK_IN_FORK_FROM", 1 << 60)
    load(root, cache=DiskCache(root), workers=2)
    here = orjson.loads((root / CACHE_FILE).read_bytes())
    (root / CACHE_FILE).write_bytes(before)
    monkeypatch.setattr(loader_module, "WALK_IN_FORK_FROM", 1)
    load(root, cache=DiskCache(root), workers=2)
    assert orjson.loads((root / CACHE_FILE).read_bytes()) == here


def test_the_cache_a_forked_walk_leaves_is_the_one_a_walk_here_leaves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deleted files leave it, edited ones are kept as they are now."""
    root = write_network(tmp_path / "kb")
    load(root, cache=DiskCache(root))
    files = sorted((root / "contacts").glob("*.md"))
    files[0].unlink()
    files[1].write_text(files[1].read_text(encoding="utf-8") + "\nMore notes.\n", "utf-8")
    saved = (root / CACHE_FILE).read_bytes()

    def cache_after(in_fork: bool) -> dict:
        (root / CACHE_FILE).write_bytes(saved)
        monkeypatch.setattr(loader_module, "WALK_IN_FORK_FROM", 1 if in_fork else 1 << 60)
        load(root, cache=DiskCache(root), workers=2)
        return orjson.loads((root / CACHE_FILE).read_bytes())

    here, forked = cache_after(False), cache_after(True)
    assert forked == here
    assert f"contacts/{files[0].name}" not in forked["files"]
    assert f"contacts/{files[1].name}" in forked["files"]


def test_a_cache_in_another_order_than_the_walk(
    tmp_path: Path, walk_in_fork: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The records decoded ahead are matched to the walk by key when the cache does not
    list the files in the walk's order."""
    root = write_network(tmp_path / "kb")
    load(root, cache=DiskCache(root))
    stored = orjson.loads((root / CACHE_FILE).read_bytes())
    stored["files"] = dict(reversed(list(stored["files"].items())))
    (root / CACHE_FILE).write_bytes(orjson.dumps(stored))
    parsed = counting_parses(monkeypatch)
    cached = load(root, cache=DiskCache(root))
    assert walk_in_fork and parsed == []  # every record matched to its file by key
    assert_same_networks(cached, load(root))


def test_hard_links_listed_in_another_order_get_their_own_records(
    tmp_path: Path, walk_in_fork: list[int]
) -> None:
    """Two names of one file have one signature: only the key tells their entries apart."""
    root = write_network(tmp_path / "kb")
    first = sorted((root / "contacts").glob("*.md"))[0]
    os.link(first, root / "contacts/zz-same-file.md")
    load(root, cache=DiskCache(root))
    stored = orjson.loads((root / CACHE_FILE).read_bytes())
    stored["files"] = dict(reversed(list(stored["files"].items())))
    (root / CACHE_FILE).write_bytes(orjson.dumps(stored))
    network = load(root, cache=DiskCache(root))
    assert network.people[first.stem].source.path == first
    assert network.people["zz-same-file"].source.path == root / "contacts/zz-same-file.md"
    assert_same_networks(network, load(root))


def test_symlinks_and_unreadable_files_through_a_forked_walk(
    tmp_path: Path, walk_in_fork: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_network(tmp_path / "kb")
    outside = tmp_path / "secret.md"
    outside.write_text("---\nname: Secret\n---\n", encoding="utf-8")
    (root / "contacts/secret.md").symlink_to(outside)  # NK107
    (root / "contacts/dangling.md").symlink_to(root / "contacts/nobody-here.md")
    (root / "contacts/linked.md").symlink_to(
        root
        / "contacts"
        / sorted(p.name for p in (root / "contacts").glob("*.md") if not p.is_symlink())[0]
    )
    (root / "contacts/folder").mkdir()
    (root / "contacts/linked-folder").symlink_to(root / "contacts/folder")  # NK109
    (root / "contacts/.hidden.md").write_text("---\nname: Hidden\n---\n", encoding="utf-8")
    same_network(root)
    assert_same_cache_left(root, monkeypatch)
    same_network(root)
    codes = {p.code for p in load(root, cache=DiskCache(root)).problems}
    assert {"NK107", "NK109"} <= codes
    assert walk_in_fork


def test_a_failed_walk_in_the_child_is_done_here(
    tmp_path: Path, walk_in_fork: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_network(tmp_path / "kb")
    load(root, cache=DiskCache(root))

    here, walk = os.getpid(), loader_module._walk_to_send

    def failing(root, folder):
        if os.getpid() != here:
            raise OSError("the child cannot walk")
        return walk(root, folder)

    monkeypatch.setattr(loader_module, "_walk_to_send", failing)
    parsed = counting_parses(monkeypatch)
    cached = load(root, cache=DiskCache(root))
    assert walk_in_fork  # it was tried,
    assert parsed == []  # the records decoded ahead were used,
    assert_same_networks(cached, load(root))  # and the load is whole all the same


def test_where_forking_is_not_safe_the_walk_is_done_here(
    tmp_path: Path, walk_in_fork: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_network(tmp_path / "kb")
    load(root, cache=DiskCache(root))
    parsed = counting_parses(monkeypatch)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # as in ``netkb serve``, or the LSP server
    other.start()
    try:
        cached = load(root, cache=DiskCache(root))
    finally:
        stop.set()
        other.join()
    assert walk_in_fork and parsed == []
    assert_same_networks(cached, load(root))


def test_a_small_cache_or_one_core_walks_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_network(tmp_path / "kb")
    load(root, cache=DiskCache(root))
    forks: list[int] = []
    monkeypatch.setattr(parallel, "started", lambda work: forks.append(1) or (lambda: None))
    load(root, cache=DiskCache(root), workers=2)  # the cache file is small
    monkeypatch.setattr(loader_module, "WALK_IN_FORK_FROM", 1)
    load(root, cache=DiskCache(root), workers=1)
    assert forks == []
    load(root, cache=DiskCache(root), workers=2)
    assert forks == [1]


def test_ahead_decodes_only_the_folders_asked_for(tmp_path: Path) -> None:
    root = write_network(tmp_path / "kb")
    load(root, cache=DiskCache(root))
    cache = DiskCache(root)
    cache.ahead(("contacts", "orgs"))
    assert set(cache._ahead) == {"contacts", "orgs"}
    assert all(key.startswith("contacts/") for key in cache._ahead["contacts"].keys)
    assert cache.stored_bytes() == (root / CACHE_FILE).stat().st_size
    assert DiskCache(tmp_path).stored_bytes() == 0  # no cache file


def test_a_planted_cache_entry_decoded_ahead_is_never_kept(
    tmp_path: Path, walk_in_fork: list[int]
) -> None:
    """An entry of a file the walk does not find (a planted key) is decoded for nothing:
    it gives no record and leaves the cache when it is written back."""
    root = write_network(tmp_path / "kb")
    load(root, cache=DiskCache(root))
    stored = orjson.loads((root / CACHE_FILE).read_bytes())
    some_key, some_entry = next(iter(stored["files"].items()))
    planted = "contacts/../../planted.md"
    stored["files"][planted] = some_entry
    (root / CACHE_FILE).write_bytes(orjson.dumps(stored))
    cache = DiskCache(root)
    cache.ahead(("contacts", "orgs", "log"))
    assert planted in cache._ahead["contacts"].keys
    network = load(root, cache=cache, workers=2)
    assert all(p.source.path.name != "planted.md" for p in network.people.values())
    assert len(network.people) == len(load(root).people)
    assert walk_in_fork
    assert planted not in orjson.loads((root / CACHE_FILE).read_bytes())["files"]
    assert some_key in orjson.loads((root / CACHE_FILE).read_bytes())["files"]


def test_planted_entries_that_cannot_be_decoded_are_passed_over(
    tmp_path: Path, walk_in_fork: list[int]
) -> None:
    """Entries of files that do not exist are decoded ahead too: a date past the
    calendar's end or a value nested a thousand deep gives no record, and no error."""
    root = write_network(tmp_path / "kb")
    load(root, cache=DiskCache(root))
    stored = orjson.loads((root / CACHE_FILE).read_bytes())
    entry = next(e for k, e in stored["files"].items() if k.startswith("log/"))
    names = [name for name, _, _ in cache_module._SPECS[Interaction]]
    far, deep = [*entry], [*entry]
    far[2] = [*entry[2]]
    far[2][names.index("date")] = 2**40
    deep[2] = [*entry[2]]
    deep[2][names.index("extra")] = [["nested", {"m": []}]]
    nested = "[" * 1000 + "]" * 1000
    stored["files"]["log/far.md"] = far
    stored["files"]["log/deep.md"] = deep
    text = orjson.dumps(stored).decode().replace('{"m":[]}', nested, 1)
    (root / CACHE_FILE).write_text(text, encoding="utf-8")
    network = load(root, cache=DiskCache(root))
    assert walk_in_fork
    assert_same_networks(network, load(root))


def test_an_error_while_decoding_ahead_leaves_no_child_behind(
    tmp_path: Path, walk_in_fork: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_network(tmp_path / "kb")
    load(root, cache=DiskCache(root))

    def failing(self, folders):
        raise RuntimeError("a bug while decoding")

    monkeypatch.setattr(DiskCache, "ahead", failing)
    before = set(children())  # another test's, if any
    with pytest.raises(RuntimeError, match="a bug while decoding"):
        load(root, cache=DiskCache(root))
    assert walk_in_fork
    assert set(children()) <= before  # the walking child was waited for


def children() -> list[int]:
    """The processes whose parent is this one (Linux's /proc)."""
    mine = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                stat = Path(f"/proc/{name}/stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == os.getpid():
                mine.append(int(name))
    return mine


# -- parallel.started ---------------------------------------------------------------------


def test_started_gives_the_childs_result() -> None:
    result = parallel.started(lambda: ("walked", os.getpid()))
    value = result()
    assert value is not None and value[0] == "walked"
    assert value[1] != os.getpid()


def test_started_gives_none_when_the_child_fails() -> None:
    def failing() -> int:
        raise ValueError("no")

    assert parallel.started(failing)() is None


def test_started_gives_none_where_forking_is_not_safe() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert parallel.started(lambda: 1)() is None
    finally:
        stop.set()
        other.join()


def test_started_gives_none_when_the_child_dies_halfway_through_its_result() -> None:
    def work() -> list[int]:
        real = os.write

        def half(fd: int, data) -> int:  # in the child only: its memory is its own
            real(fd, bytes(data[: len(data) // 2]))
            os._exit(1)

        os.write = half
        return list(range(100_000))

    before = set(children())
    assert parallel.started(work)() is None
    assert set(children()) <= before


def test_started_carries_a_large_result_through_the_pipe() -> None:
    """More than a pipe holds at once: the child blocks until this process reads."""
    big = [f"contacts/person-{n}.md" for n in range(200_000)]
    assert parallel.started(lambda: big)() == big


def test_ahead_keeps_no_entry_of_a_key_outside_the_folders(tmp_path: Path) -> None:
    """``ahead`` skips keys of no folder netkb reads (a cache someone else wrote)."""
    root = write_network(tmp_path / "kb")
    load(root, cache=DiskCache(root))
    stored = orjson.loads((root / CACHE_FILE).read_bytes())
    entry = next(iter(stored["files"].values()))
    stored["files"]["elsewhere/x.md"] = entry
    stored["files"]["no-folder.md"] = entry
    (root / CACHE_FILE).write_bytes(orjson.dumps(stored))
    cache = DiskCache(root)
    cache.ahead(("contacts", "orgs", "log"))
    every = [key for ahead in cache._ahead.values() for key in ahead.keys]
    assert "elsewhere/x.md" not in every and "no-folder.md" not in every
