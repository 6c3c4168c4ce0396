"""Completing a person's slug from what is typed: for the editor (``netkb lsp``) and the
shell (``netkb completion``), ranked the same way in both."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from netkb.core.records import Person
from netkb.core.references import name_key, slug_key


@dataclass(frozen=True, slots=True)
class Candidate:
    """A person as completion offers them: the slug, what is matched, what is shown."""

    slug: str
    key: str  # slug_key(slug)
    names: str  # name_key of the name and of each alias, each after a space
    name: str
    detail: str  # "Jane Doe · Acme Corp · circle 2"


def candidates_of(people: Mapping[str, Person]) -> tuple[Candidate, ...]:
    """Every person as a completion candidate, in slug order."""
    found = []
    for slug in sorted(people, key=slug_key):
        person = people[slug]
        shown = [person.name, person.organization or ""]
        shown += [f"circle {person.circle}"] if person.circle else []
        names = "".join(
            " " + n for n in dict.fromkeys(name_key(n) for n in (person.name, *person.aliases))
        )
        detail = " · ".join(s for s in shown if s)
        found.append(Candidate(slug, slug_key(slug), names, person.name, detail))
    return tuple(found)


def grade(candidate: Candidate, typed: str, typed_name: str) -> int | None:
    """How well ``candidate`` matches what is typed (``slug_key`` and ``name_key`` of
    it): 0 the slug starts with it, 1 a name or a word of one does, 2 the slug or a name
    holds it; None: no match."""
    # Plain string tests, no loop: this runs for every person on every key typed.
    if candidate.key.startswith(typed):
        return 0
    if " " + typed_name in candidate.names:  # a name, or a word of one, starts with it
        return 1
    if typed in candidate.key or typed_name in candidate.names:
        return 2
    return None


def matching(
    candidates: tuple[Candidate, ...], typed: str, limit: int
) -> tuple[list[tuple[int, Candidate]], bool]:
    """Up to ``limit`` (grade, candidate) pairs for ``typed``, best first, slug order
    within a grade (everyone, in slug order, when nothing is typed); and whether more
    matched than were kept."""
    typed = typed.strip()
    if not typed:
        return [(0, c) for c in candidates[:limit]], len(candidates) > limit
    folded, folded_name = slug_key(typed), name_key(typed)
    ranked = []
    for candidate in candidates:
        found = grade(candidate, folded, folded_name)
        if found is not None:
            ranked.append((found, candidate))
    ranked.sort(key=lambda pair: pair[0])  # stable: slug order within a grade
    return ranked[:limit], len(ranked) > limit


def people_matching(
    people: Mapping[str, Person], typed: str, limit: int
) -> list[tuple[int, Candidate]]:
    """``matching`` over ``people`` without making a candidate of everyone first: the
    shell asks once per key press, from a fresh process. Only people who may match are
    made candidates (an ASCII slug or name must hold what is typed; other names are
    folded first, since "zoe" finds Zoë)."""
    typed = typed.strip()
    folded, folded_name = slug_key(typed), name_key(typed)

    def may_match(name: str) -> bool:
        if not name.isascii():
            return True  # accents and other scripts: only name_key can tell
        return folded_name in " ".join(name.casefold().replace(".", " ").split())

    possible = {
        slug: person
        for slug, person in people.items()
        if not typed
        or folded in slug_key(slug)
        or any(may_match(n) for n in (person.name, *person.aliases))
    }
    return matching(candidates_of(possible), typed, limit)[0]
