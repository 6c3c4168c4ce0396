"""The disk cache changes nothing but speed: after any sequence of edits, a check through
it finds the same problems (codes, positions, messages, order) and the same records as
a load that parses every file.

Edits are written as editors and netkb write them (a new file renamed over the old
one), so every edit gives the file a new signature (size, times, inode).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from network_kb import write_network

from netkb.core.records import Network
from netkb.load.cache import DiskCache
from netkb.load.loader import load


def replace(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` as an editor saves: a new file renamed over the old."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def people(root: Path) -> list[Path]:
    return sorted((root / "contacts").rglob("*.md"))


# Each edit takes the KB and a random source and changes one file (or a few).


def misspell_a_reference(root: Path, rng: random.Random) -> None:
    """A relation to a slug with a typo: an error with a "did you mean"."""
    target = rng.choice(people(root)).stem
    typo = target[:-1] + ("x" if target[-1] != "x" else "y")
    replace(
        root / f"contacts/typo-{rng.randrange(1000)}.md",
        f"---\nname: Typo Person\nrelations:\n  friend: [{typo}]\nintroduced_by: {typo}\n---\n",
    )


def duplicate_a_key(root: Path, rng: random.Random) -> None:
    """One file in a few broken: every reference to that person dangles."""
    path = rng.choice(people(root))
    text = path.read_text(encoding="utf-8")
    replace(path, text.replace("---\n", "---\nname: Again\n", 1))


def fix_a_file(root: Path, rng: random.Random) -> None:
    broken = [p for p in people(root) if "name: Again" in p.read_text(encoding="utf-8")]
    if broken:
        path = rng.choice(broken)
        replace(path, path.read_text(encoding="utf-8").replace("name: Again\n", "", 1))


def rename_a_person(root: Path, rng: random.Random) -> None:
    """A new slug: the lookups change, so every record is checked again."""
    path = rng.choice(people(root))
    os.rename(path, path.with_name(f"{path.stem}-renamed.md"))


def delete_a_file(root: Path, rng: random.Random) -> None:
    files = people(root) + sorted((root / "log").rglob("*.md"))
    if len(files) > 3:
        rng.choice(files).unlink()


def add_a_namesake(root: Path, rng: random.Random) -> None:
    """Someone with the name of another: a possible duplicate between records."""
    text = rng.choice(people(root)).read_text(encoding="utf-8")
    name = next((line for line in text.splitlines() if line.startswith("name:")), "name: X")
    replace(root / f"contacts/namesake-{rng.randrange(1000)}.md", f"---\n{name}\n---\n")


def edit_notes(root: Path, rng: random.Random) -> None:
    """A wikilink in the notes, to a person, a name, or no one."""
    path = rng.choice(people(root))
    target = rng.choice([rng.choice(people(root)).stem, "Nobody Known", "ana-le"])
    replace(path, path.read_text(encoding="utf-8") + f"\nMet [[{target}]] again.\n")


def log_an_interaction(root: Path, rng: random.Random) -> None:
    who = rng.choice(people(root)).stem
    other = rng.choice([who, who + "-typo", rng.choice(people(root)).stem])
    replace(
        root / f"log/2026/edit-{rng.randrange(1000)}.md",
        f"---\ndate: 2026-0{rng.randrange(1, 10)}-1{rng.randrange(10)}\n"
        f"with: [{who}, {other}]\nkind: call\n---\n",
    )


def change_an_alias(root: Path, rng: random.Random) -> None:
    """A new alias: a name lookup changes (wikilinks by name resolve differently)."""
    path = rng.choice(people(root))
    text = path.read_text(encoding="utf-8")
    if "\naliases:" not in text and text.startswith("---\n"):
        alias = f"aliases: [Nobody Known {rng.randrange(3)}]"
        replace(path, text.replace("---\n", f"---\n{alias}\n", 1))


EDITS = [
    misspell_a_reference,
    duplicate_a_key,
    fix_a_file,
    rename_a_person,
    delete_a_file,
    add_a_namesake,
    edit_notes,
    log_an_interaction,
    change_an_alias,
]


def assert_same_as_parsing_everything(root: Path) -> None:
    assert_same_networks(load(root, cache=DiskCache(root)), load(root))


def assert_same_networks(cached: Network, parsed: Network) -> None:
    """The same problems (codes, positions, messages, order) and the same records."""
    root = parsed.root
    assert [p.format(root) for p in cached.problems] == [p.format(root) for p in parsed.problems]
    assert cached.people == parsed.people
    assert cached.organisations == parsed.organisations
    assert cached.interactions == parsed.interactions


@pytest.mark.parametrize("seed", range(6))
def test_random_edits_between_checks_give_what_a_full_parse_gives(tmp_path, seed) -> None:
    root = write_network(tmp_path / "kb")
    rng = random.Random(seed)
    assert_same_as_parsing_everything(root)  # cold: parses and writes the cache
    for _ in range(12):
        for edit in rng.sample(EDITS, rng.randrange(1, 4)):
            edit(root, rng)
        assert_same_as_parsing_everything(root)
        assert_same_as_parsing_everything(root)  # warm: nothing changed in between


def test_the_edits_make_problems_of_every_kind(tmp_path) -> None:
    """The differential test above means something: its edits produce the problems
    whose positions and suggestions the cache must get right."""
    root = write_network(tmp_path / "kb")
    rng = random.Random(1)
    for edit in EDITS:
        if edit is not fix_a_file:
            edit(root, rng)
    codes = {p.code for p in load(root, cache=DiskCache(root)).problems}
    assert {"NK114", "NK140", "NK150"} <= codes
    assert any("did you mean" in p.message for p in load(root, cache=DiskCache(root)).problems)
