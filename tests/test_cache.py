"""The caches ``load`` reads through: the loader's records, faster.

``DiskCache`` (the everyday commands) and ``MemoryCache`` (``netkb serve``) are options
of the one ``loader.load``; whatever the cache, the records are the loader's.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from network_kb import write_network

import netkb.core.write as write_module
from netkb.load import cache, loader, validate
from netkb.load.cache import CACHE_FILE, DiskCache
from netkb.load.loader import load


def load_records(root: Path, folders: tuple[str, ...] = loader.ALL_FOLDERS):
    """As the everyday commands load (``commands/working.py``)."""
    return load(root, cache=DiskCache(root), folders=folders, cross_checks=False)


def counting_parses(monkeypatch) -> list[str]:
    """The names of the files ``load`` parses from now on (cache misses)."""
    parsed: list[str] = []
    real = loader.read_file

    def counting(path: Path, folder: str, data=None, **options):
        parsed.append(path.name)
        return real(path, folder, data, **options)

    monkeypatch.setattr(loader, "read_file", counting)
    return parsed


def same_records(root: Path) -> None:
    """load_records gives what load gives, field locations included (a cached record
    reads them from its file when asked)."""
    full, fast = load(root), load_records(root)
    assert list(fast.people) == list(full.people)
    assert list(full.people.values()) == list(fast.people.values())
    assert list(full.organisations.values()) == list(fast.organisations.values())
    assert list(full.interactions) == list(fast.interactions)
    for cached, parsed in zip(fast.people.values(), full.people.values(), strict=True):
        assert dict(cached.source.locations) == dict(parsed.source.locations)
        assert dict(cached.source.keys) == dict(parsed.source.keys)
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
    parsed = counting_parses(monkeypatch)
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

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    monkeypatch.setattr(write_module, "_counted_temp", refuse)
    assert len(load_records(root).people) == 9
    assert not (root / CACHE_FILE).exists()


@pytest.mark.parametrize("use_cache", [True, False])
def test_settings_are_read_every_time(tmp_path: Path, use_cache: bool) -> None:
    root = write_network(tmp_path / "kb")
    load_records(root)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("0.05", "0.1"), encoding="utf-8")
    again = load_records(root) if use_cache else load(root, cross_checks=False)
    assert again.settings.networking_share == 0.1


def test_reading_only_contacts_keeps_the_log_in_the_cache(tmp_path: Path, monkeypatch) -> None:
    root = write_network(tmp_path / "kb")
    load_records(root)
    (root / "contacts/fay-wu.md").write_text("---\nname: Fay W.\n---\n", encoding="utf-8")
    people_only = load_records(root, folders=("contacts",))
    assert people_only.interactions == () and people_only.people["fay-wu"].name == "Fay W."
    parsed = counting_parses(monkeypatch)
    assert len(load_records(root).interactions) == 8
    assert parsed == []  # the log entries came from the cache, Fay from her new entry


# --- what the disk cache is keyed on ---------------------------------------------------------


def fake_package(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder / "__init__.py"


def test_the_code_signature_follows_modules_wherever_they_move(tmp_path, monkeypatch) -> None:
    """Keyed on every module found by walking the package, not on a list of file names:
    moving ``loader.py`` into a subpackage changes the key and breaks nothing."""
    import netkb

    package = tmp_path / "netkb"
    init = fake_package(package, {"__init__.py": "", "loader.py": "LOADER = 1\n"})
    monkeypatch.setattr(netkb, "__file__", str(init))
    first = cache.code_signature()
    assert cache.code_signature() == first  # nothing changed: the cache stays valid
    (package / "load").mkdir()
    os.rename(package / "loader.py", package / "load/loader.py")
    moved = cache.code_signature()
    assert moved != first
    (package / "load/loader.py").write_text("LOADER = 22\n", encoding="utf-8")
    assert cache.code_signature() != moved  # an edited module too
    (package / "__pycache__").mkdir()
    (package / "__pycache__/loader.cpython-311.pyc").write_bytes(b"compiled")
    assert cache.code_signature() == cache.code_signature()
    assert first[:2] == [cache.FORMAT, netkb.__version__]


def test_a_cache_from_other_code_is_parsed_again_and_replaced(tmp_path, monkeypatch) -> None:
    root = write_network(tmp_path / "kb")
    load_records(root)
    monkeypatch.setattr(cache, "code_signature", lambda: [cache.FORMAT, "other", "code"])
    parsed = counting_parses(monkeypatch)
    same = load_records(root)
    assert len(parsed) == 9 + 8 + len(list((root / "orgs").glob("*.md")))
    assert len(same.people) == 9
    parsed.clear()
    load_records(root)
    assert parsed == []  # the cache was written again for the new code


def test_check_through_the_disk_cache_finds_the_same_problems(tmp_path) -> None:
    """A cached record reads its field locations from its file when a cross-record
    problem needs its line; the checks between records run again."""
    root = write_network(tmp_path / "kb")
    (root / "contacts/gus.md").write_text(
        "---\nname: Gus\nintroduced_by: fay-wo\nrelations:\n  friend: [nobody-here]\n---\n"
        "See [[Nobody At All]].\n",
        encoding="utf-8",
    )
    expected = [p.format(root) for p in load(root).problems]
    assert expected[:1] == [
        "contacts/gus.md:3:16: error NK140: introduced_by: no person has the slug 'fay-wo'; "
        "did you mean 'fay-wu'?"
    ]
    cold = load(root, cache=DiskCache(root))  # parses, checks, writes the cache
    warm = load(root, cache=DiskCache(root))  # records and their checks from the cache
    assert [p.format(root) for p in cold.problems] == expected
    assert [p.format(root) for p in warm.problems] == expected


def test_a_warm_check_checks_unchanged_files_against_the_others_again(tmp_path) -> None:
    """Nothing between records is remembered from the last run: when fay-wu.md is
    deleted, the unchanged files that name her are errors at once, and a new file with
    the name of an unchanged one is a possible duplicate."""
    root = write_network(tmp_path / "kb")
    assert load(root, cache=DiskCache(root)).problems == ()
    (root / "contacts/fay-wu.md").unlink()
    (root / "contacts/eve-moss-2.md").write_text("---\nname: Eve Moss\n---\n", encoding="utf-8")
    warm = load(root, cache=DiskCache(root))
    slug = "no person has the slug 'fay-wu'; a slug is a file name in contacts/ without .md"
    assert [p.format(root) for p in warm.problems] == [
        "contacts/eve-moss.md:2:1: warning NK150: Eve Moss (eve-moss) may be the same person "
        "as Eve Moss (eve-moss-2): same name. If so: netkb merge eve-moss-2 eve-moss; if not, "
        "add distinct_from: [eve-moss-2] to this file",
        f"contacts/eve-moss.md:8:12: error NK140: relations.friend: {slug}",
        f"log/2026/fay-coffee.md:3:8: error NK140: with: {slug}",
    ]
    assert warm.problems == load(root).problems


def test_an_unchanged_file_whose_link_target_went_away_is_warned_about(tmp_path) -> None:
    """The notes of ana.md did not change, but the person they link to was deleted: the
    warm check resolves her links again and warns at the line of the link."""
    root = write_network(tmp_path / "kb")
    (root / "contacts/ana.md").write_text(
        "---\nname: Ana\n---\nMet [[Gus Gone]] at a fair.\n", encoding="utf-8"
    )
    (root / "contacts/gus-gone.md").write_text("---\nname: Gus Gone\n---\n", encoding="utf-8")
    assert not [p for p in load(root, cache=DiskCache(root)).problems if p.code == "NK141"]
    (root / "contacts/gus-gone.md").unlink()
    warm = load(root, cache=DiskCache(root))
    assert [p.format(root) for p in warm.problems if p.code == "NK141"] == [
        "contacts/ana.md:4:5: warning NK141: [[Gus Gone]] names no person or organisation; "
        "use a slug, a name or an alias"
    ]
    assert warm.problems == load(root).problems


def test_notes_are_scanned_again_only_when_a_link_does_not_resolve(tmp_path, monkeypatch):
    """The targets of each file's wikilinks are kept with it: a warm check looks them
    up, and scans the notes for lines only when one names no one, or several."""
    root = write_network(tmp_path / "kb")
    (root / "contacts/ana.md").write_text(
        "---\nname: Ana\n---\nSee [[fay-wu]] and [[Nobody Known]].\n", encoding="utf-8"
    )
    (root / "contacts/bo.md").write_text(
        "---\nname: Bo\n---\nSee [[fay-wu]], [[Fay Wu]] and [[fay-wu|Fay]].\n", encoding="utf-8"
    )
    load(root, cache=DiskCache(root))
    scanned: list[str] = []
    real = validate.find_wikilinks

    def counting(body):
        scanned.append(body)
        return real(body)

    monkeypatch.setattr(validate, "find_wikilinks", counting)
    warm = load(root, cache=DiskCache(root))
    assert scanned == ["See [[fay-wu]] and [[Nobody Known]].\n"]
    assert warm.problems == load(root).problems
    assert [p.code for p in warm.problems if p.path.name == "ana.md"] == ["NK141"]


# --- the memory cache (netkb serve) -----------------------------------------------------------


def test_the_memory_cache_reads_only_changed_files(tmp_path, monkeypatch) -> None:
    root = write_network(tmp_path / "kb")
    memory = cache.MemoryCache()
    first = load(root, cache=memory)
    parsed = counting_parses(monkeypatch)
    (root / "contacts/fay-wu.md").write_text("---\nname: Fay Wu-Lin\n---\n", encoding="utf-8")
    second = load(root, cache=memory)
    assert parsed == ["fay-wu.md"]
    assert second.people["fay-wu"].name == "Fay Wu-Lin"
    # The other records are the very objects of the first load (validate's memo needs that).
    assert all(second.people[s] is p for s, p in first.people.items() if s != "fay-wu")
    assert second.problems == load(root).problems


@pytest.mark.parametrize("keep", [True, False])
def test_a_broken_file_keeps_its_last_good_record_only_when_asked(tmp_path, keep) -> None:
    root = write_network(tmp_path / "kb")
    memory = cache.MemoryCache(keep_last_good=keep)
    load(root, cache=memory)
    (root / "contacts/fay-wu.md").write_text("---\nname: [Fay\n---\n", encoding="utf-8")
    network = load(root, cache=memory)
    assert [p.code for p in network.errors if p.path.name == "fay-wu.md"] == ["NK110"]
    assert ("fay-wu" in network.people) is keep
    (root / "contacts/fay-wu.md").unlink()
    assert "fay-wu" not in load(root, cache=memory).people  # deleted: nothing to keep
    assert "contacts/fay-wu.md" not in memory.signatures()


def test_a_person_with_every_field_comes_from_the_cache(tmp_path, monkeypatch) -> None:
    """No field makes a record uncacheable (distinct_from once did: 3,695 of 10,000
    generated people were parsed on every run)."""
    root = write_network(tmp_path / "kb")
    (root / "contacts/jane-doe.md").write_text(
        "---\nname: Jane Doe\naliases: [Janie]\norganization: Acme Corp\nrole: CTO\n"
        "email: [jane@acme.example]\nphone: ['+49 30 1234567']\n"
        "links: [https://www.linkedin.com/in/janedoe]\nlocation: Berlin\n"
        "birthday: 1985-04-12\ntags: [golf]\nexpertise: [hiring]\ninterests: [jazz]\n"
        "qualities: [generous]\ncircle: 2\ndecision_maker: true\nmet: 2019-06-29\n"
        "met_at: PyCon\nintroduced_by: ana-lee\nrelations:\n  colleague: [bob-stone]\n"
        "distinct_from: [fay-wu]\ncadence: 30d\nlast_contact: 2026-10-02\n"
        "private: false\nshoe_size: 44\n---\nNotes.\n",
        encoding="utf-8",
    )
    first = load(root, cache=DiskCache(root))
    parsed = counting_parses(monkeypatch)
    again = load(root, cache=DiskCache(root))
    assert parsed == []
    assert again.people["jane-doe"] == first.people["jane-doe"] == load(root).people["jane-doe"]
    assert again.people["jane-doe"].distinct_from == ("fay-wu",)


def test_a_garbled_entry_is_parsed_again_not_a_traceback(tmp_path) -> None:
    """A cache file with this code's signature but entries it did not write (edited by
    hand, or planted) only costs speed."""
    root = write_network(tmp_path / "kb")
    load(root, cache=DiskCache(root))
    data = json.loads((root / CACHE_FILE).read_text(encoding="utf-8"))
    for number, (key, entry) in enumerate(sorted(data["files"].items())):
        garbled = [entry[0], [1], "x", 7] if number % 2 else [entry[0], None, [[1]], None]
        data["files"][key] = garbled
    (root / CACHE_FILE).write_text(json.dumps(data), encoding="utf-8")
    network = load(root, cache=DiskCache(root))
    assert [p.format(root) for p in network.problems] == [
        p.format(root) for p in load(root).problems
    ]
    assert network.people == load(root).people


def test_an_edit_in_place_of_the_same_size_and_time_is_seen(tmp_path) -> None:
    """Written over in place (same inode), to the same size, its modification time set
    back: the change time still differs, so the file is read again."""
    root = write_network(tmp_path / "kb")
    fay = root / "contacts/fay-wu.md"
    assert "Fay Wu" in load(root, cache=DiskCache(root)).people["fay-wu"].name
    before = fay.stat()
    text = fay.read_text(encoding="utf-8")
    with fay.open("r+", encoding="utf-8") as handle:  # the same inode, the same length
        handle.write(text.replace("name: Fay Wu", "name: Fay Xu"))
    os.utime(fay, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = fay.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    )
    assert load(root, cache=DiskCache(root)).people["fay-wu"].name == "Fay Xu"
