"""One duplicate finder for check, new and every import (``possible_duplicates``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers_import import make_kb as make_import_kb
from helpers_import import run

from netkb.core.identity import Lookalike, PossibleDuplicate, person_name_key, possible_duplicates
from netkb.load.loader import load


def test_names_compare_transliterated_and_in_any_order():
    assert person_name_key("Zoë Müller") == person_name_key("Muller, Zoe") == "muller zoe"


@pytest.mark.parametrize(
    ("first", "second", "reason"),
    [
        (
            Lookalike("a", "Ana", emails=("ana@x.example",)),
            Lookalike("b", "B", emails=("ANA@x.example",)),
            "same email",
        ),
        (
            Lookalike("a", "Ana", links=("https://www.linkedin.com/in/ana/",)),
            Lookalike("b", "Ana L.", links=("http://linkedin.com/in/ana?trk=1",)),
            "same LinkedIn URL",
        ),
        (Lookalike("a", "Zoë Müller"), Lookalike("b", "Muller, Zoe"), "same name"),
        (Lookalike("a", "Zoë Müller", "Globex"), Lookalike("b", "Zoe Muller"), "same name"),
        (
            Lookalike("a", "Jane Doe", "Acme"),
            Lookalike("b", "Jane A. Doe", "ACME Inc."),
            "same name at Acme",
        ),
        (
            Lookalike("a", "Jane Doe", "Acme", links=("https://linkedin.com/in/j1",)),
            Lookalike("b", "Jane Doe", "Acme", links=("https://linkedin.com/in/j2",)),
            "same name at Acme",
        ),
        (Lookalike("a", "Janie", aliases=("Jane Doe",)), Lookalike("b", "Doe Jane"), "same name"),
    ],
)
def test_what_makes_a_possible_duplicate(first, second, reason):
    assert possible_duplicates([first, second]) == [PossibleDuplicate("a", "b", reason)]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (Lookalike("a", "Jane Doe", "Acme"), Lookalike("b", "Jane Doe", "Globex")),
        (
            Lookalike("a", "Jane Doe", links=("https://linkedin.com/in/j1",)),
            Lookalike("b", "Jane Doe", links=("https://linkedin.com/in/j2",)),
        ),
        (Lookalike("a", "Jane Doe"), Lookalike("b", "Jane Doe", distinct_from=("a",))),
        (Lookalike("a", "Jane Doe", distinct_from=("B",)), Lookalike("b", "Jane Doe")),
    ],
)
def test_what_is_not_a_possible_duplicate(first, second):
    assert possible_duplicates([first, second]) == []


def test_distinct_from_silences_the_pair_from_either_file(make_kb, problems_of):
    jane = "---\nname: Jane Doe\n---\n"
    other = "---\nname: Jane Doe\ndistinct_from: [jane-doe]\n---\n"
    root = make_kb({"contacts/jane-doe.md": jane, "contacts/jane-doe-2.md": other})
    assert problems_of(root) == []
    root = make_kb(
        {
            "contacts/jane-doe.md": other.replace("jane-doe]", "jane-doe-2]"),
            "contacts/jane-doe-2.md": jane,
        }
    )
    assert problems_of(root) == []


def test_without_distinct_from_check_warns_with_both_ways_forward(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/zoe-muller.md": "---\nname: Zoë Müller\n---\n",
            "contacts/muller-zoe.md": "---\nname: Muller, Zoe\n---\n",
        }
    )
    assert problems_of(root) == [
        "contacts/zoe-muller.md:2:1: warning NK150: Zoë Müller (zoe-muller) may be the same "
        "person as Muller, Zoe (muller-zoe): same name. If so: netkb merge muller-zoe "
        "zoe-muller; if not, add distinct_from: [muller-zoe] to this file"
    ]


def test_distinct_from_is_checked_like_any_reference(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/jane-doe.md": "---\nname: Jane Doe\ndistinct_from: [jane-do2]\n---\n",
            "contacts/jane-doe-2.md": "---\nname: Jane Doe\norganization: Acme\n---\n",
        }
    )
    assert problems_of(root) == [
        "contacts/jane-doe.md:2:1: warning NK150: Jane Doe (jane-doe) may be the same "
        "person as Jane Doe (jane-doe-2): same name. If so: netkb merge jane-doe-2 jane-doe; "
        "if not, add distinct_from: [jane-doe-2] to this file",
        "contacts/jane-doe.md:3:17: error NK140: distinct_from: no person has the slug "
        "'jane-do2'; did you mean 'jane-doe-2'?",
    ]


# --- a 2,000-row import and the check after it --------------------------------------------

HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
FIRST = [f"First{chr(65 + i // 26)}{chr(97 + i % 26)}" for i in range(40)]
LAST = [f"Last{chr(65 + i // 26)}{chr(97 + i % 26)}" for i in range(50)]
COMPANIES = ["Acme", "Globex Software GmbH", "Initech", "Hooli", "Vandelay", "Kiln Labs", ""]


def _rows() -> str:
    """2,000 connections: 1,980 different people, then 10 namesakes with another LinkedIn
    profile (9 at the same company spelt another way: possible duplicates; one at a
    company where the first gave none: two people) and 10 with first and last name
    swapped and nothing else (possible duplicates)."""
    rows = []
    for i in range(1980):
        company = COMPANIES[i % 7]
        rows.append(
            f"{FIRST[i % 40]},{LAST[i // 40]},https://www.linkedin.com/in/p{i},,{company},,\n"
        )
    for i in range(7, 17):
        company = f'"{COMPANIES[i % 7].upper()}, Inc."' if COMPANIES[i % 7] else "Acme"
        rows.append(
            f"{FIRST[i % 40]},{LAST[i // 40]},https://www.linkedin.com/in/q{i},,{company},,\n"
        )
    for i in range(20, 30):
        rows.append(f"{LAST[i // 40]},{FIRST[i % 40]},,,,,\n")
    return HEADER + "".join(rows)


def _import_pairs(output: str) -> set[frozenset[str]]:
    pairs = set()
    for new, others in re.findall(r"\((\S+)\) looks like (.*); if it is", output):
        for slug in re.findall(r"(\S+) \([^)]*\)", others):
            pairs.add(frozenset((new, slug.strip(","))))
    return pairs


def test_an_import_and_the_check_after_it_report_the_same_possible_duplicates(
    tmp_path: Path,
) -> None:
    root = make_import_kb(tmp_path / "kb", {"contacts/zoe.md": "---\nname: Zoë Müller\n---\n"})
    path = tmp_path / "Connections.csv"
    path.write_text(_rows() + "Muller,Zoe,https://www.linkedin.com/in/zm,,,,\n", encoding="utf-8")
    dry = run(root, "import", "linkedin", str(path))
    assert "Possible duplicates (20), imported as new people:" in dry.output
    assert (
        "  ? Connections.csv:1982: FirstAh LastAa (firstah-lastaa-2) looks like firstah-lastaa "
        "(same name at Acme); if it is the same person: netkb merge firstah-lastaa "
        "firstah-lastaa-2"
    ) in dry.output
    assert (
        "  ? Connections.csv:2002: Muller Zoe (muller-zoe) looks like zoe (same name); if it is "
        "the same person: netkb merge zoe muller-zoe"
    ) in dry.output
    planned = _import_pairs(dry.output)
    applied = run(root, "import", "linkedin", str(path), "--apply")
    assert applied.exit_code == 0
    assert _import_pairs(applied.output) == planned
    checked = {
        frozenset((p.path.stem, re.findall(r"same person as .*? \((\S+)\):", p.message)[0]))
        for p in load(root).problems
        if p.code == "NK150"
    }
    assert len(planned) == 20
    assert checked == planned


def test_a_shared_nickname_is_not_a_duplicate_but_a_shared_full_name_is(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/aleksey-kozlov.md": (
                "---\nname: Алексей Козлов\naliases: [Лёша]\norganization: Zephyr\n---\n"
            ),
            "contacts/aleksey-fyodorov.md": (
                "---\nname: Алексей Фёдоров\naliases: [Лёша]\norganization: Zephyr\n---\n"
            ),
            "contacts/a-kozlov.md": (
                "---\nname: A. Kozlov\naliases: [Алексей Козлов]\norganization: Zephyr\n---\n"
            ),
        }
    )
    flagged = [line for line in problems_of(root) if "NK150" in line]
    assert len(flagged) == 1
    assert "aleksey-kozlov" in flagged[0] and "a-kozlov" in flagged[0]
    assert "fyodorov" not in flagged[0]
