""" "Did you mean": the fast lookup gives difflib's answer, and many broken files do not
make a check slow."""

from __future__ import annotations

import difflib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from network_kb import write_network

from netkb.core.references import CloseMatches
from netkb.load.loader import load

# A small alphabet, so that words are often close to each other.
slugs = st.text(alphabet="abcde-2éß", min_size=0, max_size=12)


@settings(max_examples=400, deadline=None)
@given(word=slugs, possibilities=st.lists(slugs, max_size=30, unique=True))
def test_the_closest_match_is_difflibs(word: str, possibilities: list[str]) -> None:
    expected = difflib.get_close_matches(word, possibilities, n=1)
    assert CloseMatches(possibilities).closest(word) == (expected[0] if expected else None)


def test_ties_and_cutoff_as_difflib() -> None:
    """Equal ratios: difflib returns the larger text; below 0.6 nothing."""
    possibilities = ["ana-lea", "ana-lee", "bob"]
    assert difflib.get_close_matches("ana-le", possibilities, n=1) == ["ana-lee"]
    assert CloseMatches(possibilities).closest("ana-le") == "ana-lee"
    assert CloseMatches(possibilities).closest("zzzzzz") is None


def test_a_word_is_looked_up_once(monkeypatch) -> None:
    matches = CloseMatches(["fay-wu", "ana-lee"])
    assert matches.closest("fay-wo") == "fay-wu"
    monkeypatch.setattr(matches, "possibilities", [])  # a second search would find nothing
    assert matches.closest("fay-wo") == "fay-wu"


def test_every_reference_to_a_broken_file_suggests_a_slug(tmp_path: Path) -> None:
    """Fay's file has a duplicate key: she is not loaded, and each reference to her is
    an error at its own line that suggests the closest slug, Fay Woo's."""
    root = write_network(tmp_path / "kb")
    (root / "contacts/fay-wu.md").write_text("---\nname: Fay Wu\nname: Fay\n---\n")
    (root / "contacts/fay-woo.md").write_text("---\nname: Fay Woo\n---\n")
    for number in range(2):
        (root / f"contacts/friend-{number}.md").write_text(
            f"---\nname: Friend {number}\nrelations:\n  friend: [fay-wu]\n---\n"
        )
    unknown = "no person has the slug 'fay-wu'; did you mean 'fay-woo'?"
    assert [p.format(root) for p in load(root).problems] == [
        f"contacts/eve-moss.md:8:12: error NK140: relations.friend: {unknown}",
        "contacts/fay-wu.md:3:1: error NK114: duplicate key 'name': also on line 2; "
        "keep one of them",
        f"contacts/friend-0.md:4:12: error NK140: relations.friend: {unknown}",
        f"contacts/friend-1.md:4:12: error NK140: relations.friend: {unknown}",
        f"log/2026/fay-coffee.md:3:8: error NK140: with: {unknown}",
    ]
