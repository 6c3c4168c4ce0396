"""``possible_duplicates`` looks only at keys two people share (``check`` runs it over
every contact on every run); it must find exactly what comparing every key finds.

The reference below is the rule written the plain way, key by key, every earlier person
who had the key, as netkb did before the blocking: same pairs, same order, same reasons.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from pathlib import Path

import pytest

from netkb.core import identity
from netkb.core.identity import Lookalike, PossibleDuplicate, possible_duplicates
from netkb.core.records import Organisation, Source
from netkb.core.references import Index, name_key, slug_key

NOT_WORD = re.compile(r"[^\w\s]|_")


def first_last(name: str) -> str:
    words = NOT_WORD.sub(" ", name_key(name)).split()
    return " ".join(sorted((words[0], words[-1]))) if words else ""


def reference(people: list[Lookalike], index: Index | None) -> list[PossibleDuplicate]:
    matcher = index or Index({}, {})
    found, apart = [], set()
    claims: dict[tuple[str, str], list[tuple[Lookalike, str, frozenset[str]]]] = defaultdict(list)
    for person in people:
        for other in person.distinct_from:
            apart.add(frozenset((slug_key(person.slug), slug_key(other))))
        organisation = matcher.organisation_id(person.organization) if person.organization else ""
        profiles = frozenset(k for k in map(identity.linkedin_key, person.links) if k)
        seen = (person, organisation, profiles)
        full_aliases = [a for a in person.aliases if len(a.split()) >= 2]
        written = [n for n in (person.name, *full_aliases) if n.strip()]
        names = sorted({identity.person_name_key(n) for n in written})
        keys = [("email", identity.item_key("email", e)) for e in person.emails]
        keys += [("LinkedIn URL", p) for p in sorted(profiles)]
        if organisation:
            keys += [("at", f"{organisation}|{n}") for n in names]
            keys += [("at", f"{organisation}|{first_last(n)}") for n in written]
        keys += [("name", n) for n in names]
        reasons: dict[str, str] = {}
        for what, value in keys:
            for earlier in claims[(what, value)]:
                other = earlier[0].slug
                if other != person.slug and other not in reasons:
                    reason = why(what, earlier, seen)
                    if reason:
                        reasons[other] = reason
            claims[(what, value)].append(seen)
        found += [PossibleDuplicate(slug, person.slug, r) for slug, r in reasons.items()]
    return [d for d in found if frozenset((slug_key(d.first), slug_key(d.second))) not in apart]


def why(what: str, earlier: tuple, later: tuple) -> str:
    if what in ("email", "LinkedIn URL"):
        return f"same {what}"
    if what == "at":
        return f"same name at {earlier[0].organization}"
    if earlier[2] and later[2] and not earlier[2] & later[2]:
        return ""
    if earlier[1] and later[1]:
        return ""
    return "same name"


FIRST = ["Jane", "Zoë", "Bob", "Ana", "José", "", "...", "J.", "Lee"]
LAST = ["Doe", "Müller", "Lee", "Stone", "A. Doe", "Doe-Smith", "van der Berg"]
ORGS = [None, "", "Acme", "ACME Inc.", "Acme Corp", "Globex", "Globex Software GmbH"]
LINKS = [
    "https://www.linkedin.com/in/jane",
    "linkedin.com/in/bob/",
    "https://example.com",
    "https://de.linkedin.com/in/jane?x=1",
]
EMAILS = ["jane@x.example", " Jane@X.example", "bob@y.example"]
ALIASES = ["Jane Doe", "Bob", "Doe Jane", "J. Lee", "Jane A. Doe"]


def someone(rng: random.Random, number: int) -> Lookalike:
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}".strip()
    return Lookalike(
        slug=f"p{number}" if rng.random() < 0.9 else "p0",  # imports may repeat a slug
        name=name if rng.random() < 0.9 else rng.choice(LAST),
        organization=rng.choice(ORGS),
        aliases=tuple(rng.sample(ALIASES, rng.randint(0, 2))),
        emails=tuple(rng.sample(EMAILS, rng.randint(0, 2))),
        links=tuple(rng.sample(LINKS, rng.randint(0, 2))),
        distinct_from=tuple(rng.sample(["p0", "p1", "P2"], rng.randint(0, 1))),
    )


ACME = Organisation(slug="acme", name="Acme Corp", source=Source(Path("orgs/acme.md")))


@pytest.mark.parametrize("seed", range(4))
def test_blocking_finds_what_comparing_every_key_finds(seed: int) -> None:
    rng = random.Random(seed)
    with_orgs = Index({}, {"acme": ACME})
    compared = 0
    for _ in range(500):
        people = [someone(rng, n) for n in range(rng.randint(0, 9))]
        for index in (None, with_orgs):
            expected = reference(people, index)
            assert possible_duplicates(people, index) == expected, people
            compared += len(expected)
    assert compared > 1000  # the people above do look alike, in many ways
