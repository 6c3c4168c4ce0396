"""The disk cache's file: what a warm ``netkb check`` reads instead of 30,000 files.

It is JSON read by orjson, so a planted or garbled file can only cost speed: it never
runs code and never gives a traceback. Records come back equal to the loader's, field
locations included, and the locations a problem asked for are kept, so a warm check
does not read those files again.
"""

from __future__ import annotations

import json
import marshal
import pickle
from pathlib import Path

import pytest
from network_kb import write_network

from netkb.load import frontmatter
from netkb.load.cache import CACHE_FILE, DiskCache
from netkb.load.loader import load


def formatted(root: Path) -> list[str]:
    return [p.format(root) for p in load(root, cache=DiskCache(root)).problems]


def expected(root: Path) -> list[str]:
    return [p.format(root) for p in load(root).problems]


class _Planted:
    """What a planted pickle would do when unpickled: create a file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


@pytest.mark.parametrize("kind", ["pickle", "marshal"])
def test_a_planted_cache_cannot_run_code(tmp_path: Path, kind: str) -> None:
    """A KB may come from someone else's pull request, .netkb/cache included."""
    root = write_network(tmp_path / "kb")
    marker = tmp_path / "ran"
    if kind == "pickle":
        payload = pickle.dumps({"files": _Planted(marker)})
    else:
        payload = marshal.dumps(compile(f"open({str(marker)!r}, 'w')", "x", "exec"))
    (root / CACHE_FILE).parent.mkdir(parents=True)
    (root / CACHE_FILE).write_bytes(payload)
    assert formatted(root) == expected(root)
    assert not marker.exists()
    assert json.loads((root / CACHE_FILE).read_bytes())["files"]  # replaced by netkb's own


def test_entries_of_the_right_length_but_wrong_values_are_parsed_again(tmp_path: Path) -> None:
    """An entry whose signature matches (as this code writes it) but whose values this
    code did not write: the file is parsed, never a traceback."""
    root = write_network(tmp_path / "kb")
    load(root, cache=DiskCache(root))
    data = json.loads((root / CACHE_FILE).read_bytes())
    garbles = [
        lambda e: [e[0], 1, {"name": "x"}, None, None, None, None],  # fields as an object
        lambda e: [e[0], "two", e[2], None, None, None, None],  # body line as text
        lambda e: [e[0], 1, [*e[2], "one too many"], None, None, None, None],
        lambda e: [e[0], 1, e[2], [[1, 1, "NK999", "fatal", "x"]], None, None, None],
        lambda e: [e[0], 1, e[2], 7, None, None, None],  # problems as a number
        lambda e: [e[0], 1, e[2], None, None, [[["name"], "x"]], None],  # locations cut short
        lambda e: [e[0], 1, e[2], None, "[[x]]", None, None],  # link targets as text
        lambda e: [e[0], 1, e[2], None, ["ana-lee", 7], None, None],  # a target not text
        lambda e: [*e[:6], [["eana@x"], [], []]],  # a person's keys cut short
        lambda e: [*e[:6], [["eana@x"], [1], [], []]],  # a key not text
        lambda e: [*e[:6], {"a": 1, "b": 2, "c": 3, "d": 4}],  # keys as an object
        lambda e: e[:6],  # an entry of an older format
    ]
    for number, key in enumerate(sorted(k for k, e in data["files"].items() if e[2])):
        data["files"][key] = garbles[number % len(garbles)](data["files"][key])
    (root / CACHE_FILE).write_text(json.dumps(data), encoding="utf-8")
    network = load(root, cache=DiskCache(root))
    assert [p.format(root) for p in network.problems] == expected(root)
    assert network.people == load(root).people


def test_a_warm_check_points_at_a_duplicate_without_reading_its_file(
    tmp_path: Path, monkeypatch
) -> None:
    """NK150 is found again on every run (a check between records) and points at the
    top of the later file: the line the run that first asked for it kept."""
    root = write_network(tmp_path / "kb")
    (root / "contacts/zed-one.md").write_text(
        "---\n# a comment first\nname: Zed One\nemail: [zed@example.org]\n---\n",
        encoding="utf-8",
    )
    (root / "contacts/zed-two.md").write_text(
        "---\n\nname: Zed Two\nemail: [ZED@example.org]\n---\n", encoding="utf-8"
    )
    want = expected(root)
    assert [line for line in want if "NK150" in line] == [
        "contacts/zed-two.md:3:1: warning NK150: Zed Two (zed-two) may be the same person "
        "as Zed One (zed-one): same email. If so: netkb merge zed-one zed-two; if not, add "
        "distinct_from: [zed-one] to this file"
    ]
    assert formatted(root) == want  # cold: parses every file
    assert formatted(root) == want  # warm: reads zed-two.md again to point at it
    located: list[str] = []
    real = frontmatter.read_document

    def counting(path, *args, **kwargs):
        located.append(path.name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(frontmatter, "read_document", counting)
    assert formatted(root) == want
    assert located == []


@pytest.mark.parametrize(
    ("value", "written"),
    [(".inf", "infinity"), ("123456789012345678901234567890", "a 30-digit number")],
)
def test_a_value_json_cannot_hold_leaves_only_its_file_uncached(
    tmp_path: Path, monkeypatch, value: str, written: str
) -> None:
    root = write_network(tmp_path / "kb")
    (root / "contacts/odd.md").write_text(
        f"---\nname: Odd Value\nscore: {value}\n---\n", encoding="utf-8"
    )
    cold = load(root, cache=DiskCache(root))
    assert cold.people["odd"] == load(root).people["odd"], written
    from netkb.load import loader

    parsed: list[str] = []
    real = loader.read_file

    def counting(path, folder, data=None, **options):
        parsed.append(path.name)
        return real(path, folder, data, **options)

    monkeypatch.setattr(loader, "read_file", counting)
    warm = load(root, cache=DiskCache(root))
    assert parsed == ["odd.md"]  # the others came from the cache written beside it
    assert warm.people == cold.people
    assert [p.format(root) for p in warm.problems] == expected(root)


def test_entries_that_are_not_lists_are_parsed_again(tmp_path: Path) -> None:
    """A cache file of this very code whose entries are anything else: ignored one by
    one, and ``signatures`` (what a build compares) lists none of them."""
    root = write_network(tmp_path / "kb")
    load(root, cache=DiskCache(root))
    data = json.loads((root / CACHE_FILE).read_bytes())
    odd = [1, {"0": "x"}, [], "text", None, [None], [1.5, 2]]
    for number, key in enumerate(sorted(data["files"])):
        data["files"][key] = odd[number % len(odd)]
    (root / CACHE_FILE).write_text(json.dumps(data), encoding="utf-8")
    assert DiskCache(root).signatures() == {}
    assert formatted(root) == expected(root)
    assert len(DiskCache(root).signatures()) == len(data["files"])  # written again


def test_keys_of_the_right_shape_but_nonsense_give_no_traceback(
    tmp_path: Path, monkeypatch
) -> None:
    """What the cache keeps beside a record (wikilink targets, a person's keys) is only
    looked up: text that this code did not write costs right answers, never a crash."""
    root = write_network(tmp_path / "kb")
    load(root, cache=DiskCache(root))
    data = json.loads((root / CACHE_FILE).read_bytes())
    nonsense = [["", "x", "é"], ["", "a|", "n"], ["", "n", "l"], ["", "?"]]
    for key, entry in data["files"].items():
        entry[4] = ["", "[[", "]]"]
        if key.startswith("contacts/"):
            entry[6] = nonsense
    (root / CACHE_FILE).write_text(json.dumps(data), encoding="utf-8")
    from netkb.load import loader

    parsed: list[str] = []
    real = loader.read_file
    monkeypatch.setattr(loader, "read_file", lambda *a, **k: parsed.append(a[0]) or real(*a, **k))
    network = load(root, cache=DiskCache(root))
    assert parsed == []  # every record came from the cache, nonsense and all
    assert network.people == load(root).people
    assert {p.code for p in network.problems} <= {"NK141", "NK150"}
