"""The record cache behind the everyday commands: the loader's records, faster."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from network_kb import write_network

from netkb import cache
from netkb.cache import CACHE_FILE, load_records
from netkb.loader import load


def without_locations(record):
    """The record as the cache gives it: its source keeps only the path and the body's line."""
    source = type(record.source)(path=record.source.path, body_line=record.source.body_line)
    return dataclasses.replace(record, source=source)


def same_records(root: Path) -> None:
    """load_records gives what load gives, field locations aside."""
    full, fast = load(root), load_records(root)
    assert list(fast.people) == list(full.people)
    assert [without_locations(p) for p in full.people.values()] == list(fast.people.values())
    assert [without_locations(o) for o in full.organisations.values()] == list(
        fast.organisations.values()
    )
    assert [without_locations(i) for i in full.interactions] == list(fast.interactions)
    assert fast.settings == full.settings


def test_cached_records_are_the_loaders(tmp_path: Path) -> None:
    root = write_network(tmp_path / "kb")
    (root / "contacts/odd.md").write_text(
        "---\nname: Odd Fields\nshoe_size: 44\nnext_review: 2027-01-05\n"
        "seen: 2026-03-01T10:30:00\nscores: {a: [1, 2.5, true], b: null}\n---\nBody\n",
        encoding="utf-8",
    )
    same_records(root)  # parses everything and writes the cache
    assert (root / CACHE_FILE).is_file()
    same_records(root)  # now from the cache


def test_only_changed_files_are_parsed_again(tmp_path: Path, monkeypatch) -> None:
    root = write_network(tmp_path / "kb")
    load_records(root)
    parsed: list[str] = []
    real = cache._parse

    def counting(path: Path, *args):
        parsed.append(path.name)
        return real(path, *args)

    monkeypatch.setattr(cache, "_parse", counting)
    fay = root / "contacts/fay-wu.md"
    fay.write_text("---\nname: Fay Wu-Lin\ncircle: 1\n---\n", encoding="utf-8")
    (root / "log/2026/event.md").unlink()
    (root / "contacts/new-person.md").write_text("---\nname: New Person\n---\n", encoding="utf-8")
    network = load_records(root)
    assert sorted(parsed) == ["fay-wu.md", "new-person.md"]
    assert network.people["fay-wu"].name == "Fay Wu-Lin"
    assert "new-person" in network.people
    assert len(network.interactions) == 7
    same_records(root)


def test_problems_of_a_file_are_kept(tmp_path: Path) -> None:
    root = write_network(tmp_path / "kb")
    (root / "contacts/broken.md").write_text("---\nname: [unclosed\n---\n", encoding="utf-8")
    first = [p.format(root) for p in load_records(root).errors]
    again = [p.format(root) for p in load_records(root).errors]
    assert first == again and len(first) == 1
    assert first[0].startswith("contacts/broken.md:") and "error NK110: YAML" in first[0]


def test_a_broken_or_foreign_cache_is_ignored(tmp_path: Path) -> None:
    root = write_network(tmp_path / "kb")
    (root / CACHE_FILE).parent.mkdir(parents=True)
    (root / CACHE_FILE).write_text('{"code": "not ours", "files": {"x": 1}}', encoding="utf-8")
    same_records(root)
    (root / CACHE_FILE).write_text("{broken", encoding="utf-8")
    same_records(root)


def test_symlinks_go_through_the_loaders_own_walk(tmp_path: Path) -> None:
    root = write_network(tmp_path / "kb")
    outside = tmp_path / "elsewhere.md"
    outside.write_text("---\nname: Outsider\n---\n", encoding="utf-8")
    os.symlink(outside, root / "contacts/outsider.md")
    network = load_records(root)
    assert "outsider" not in network.people
    assert [p.format(root) for p in network.problems] == [
        f"contacts/outsider.md:1:1: error NK107: outsider.md is a symlink to {outside}, "
        "outside the knowledge base; netkb refuses to read it"
    ]


def test_a_read_only_knowledge_base_still_loads(tmp_path: Path, monkeypatch) -> None:
    root = write_network(tmp_path / "kb")

    def refuse(*args, **kwargs):
        raise PermissionError("read-only")

    monkeypatch.setattr(cache.tempfile, "mkstemp", refuse)
    assert len(load_records(root).people) == 9
    assert not (root / CACHE_FILE).exists()


@pytest.mark.parametrize("use_cache", [True, False])
def test_settings_are_read_every_time(tmp_path: Path, use_cache: bool) -> None:
    root = write_network(tmp_path / "kb")
    load_records(root)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("0.05", "0.1"), encoding="utf-8")
    assert load_records(root, use_cache=use_cache).settings.networking_share == 0.1


def test_reading_only_contacts_keeps_the_log_in_the_cache(tmp_path: Path, monkeypatch) -> None:
    root = write_network(tmp_path / "kb")
    load_records(root)
    (root / "contacts/fay-wu.md").write_text("---\nname: Fay W.\n---\n", encoding="utf-8")
    people_only = load_records(root, folders=("contacts",))
    assert people_only.interactions == () and people_only.people["fay-wu"].name == "Fay W."
    parsed: list[str] = []
    real = cache._parse

    def counting(path: Path, *args):
        parsed.append(path.name)
        return real(path, *args)

    monkeypatch.setattr(cache, "_parse", counting)
    assert len(load_records(root).interactions) == 8
    assert parsed == []  # the log entries came from the cache, Fay from her new entry
