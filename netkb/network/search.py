"""Find people by what you remember about them, and resolve what a command was given.

``find`` matches fuzzily (rapidfuzz) over names, aliases, organisations,
roles, expertise, interests, qualities, tags and notes, so "jon smth" still
finds John Smith and "machine lerning" the ML people. Accents, case and dots
are ignored (Zoë = zoe).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process
from slugify import slugify

from netkb.core.notes import public_text
from netkb.core.records import Person
from netkb.core.references import Index, name_key, slug_key
from netkb.link.derive import Facts
from netkb.link.followups import closeness_key

# How much a match in each field counts, and the raw score (0–100) a match needs.
FIELD_WEIGHTS = {
    "name": 1.0,
    "alias": 1.0,
    "organisation": 0.95,
    "expertise": 0.95,
    "role": 0.9,
    "tag": 0.9,
    "interest": 0.85,
    "quality": 0.85,
    "notes": 0.8,
}
CUTOFF = 70.0
NOTES_CUTOFF = 90.0  # notes are long: a short query finds a near match anywhere in them
SNIPPET = 60


@dataclass(frozen=True, slots=True)
class Match:
    slug: str
    score: float  # 0–100, weighted by the field
    field: str  # which field matched best ("" when only filters were given)
    text: str  # the value that matched (a snippet for notes)


_ACCENTS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Text as matching sees it: accents, case, dots and spacing ignored (Zoë = zoe).

    Like ``links.name_key``, but fast enough for every note of a big network.
    """
    if not text.isascii():
        text = _ACCENTS.sub("", unicodedata.normalize("NFKD", text))
    return " ".join(text.casefold().replace(".", " ").split())


def _fields(person: Person) -> Iterable[tuple[str, str]]:
    yield "name", person.name
    for alias in person.aliases:
        yield "alias", alias
    if person.organization:
        yield "organisation", person.organization
    if person.role:
        yield "role", person.role
    for field, values in (
        ("expertise", person.expertise),
        ("tag", person.tags),
        ("interest", person.interests),
        ("quality", person.qualities),
    ):
        for value in values:
            yield field, value


def _contains_or_close(wanted: str) -> Callable[[str], bool]:
    folded = fold(wanted)
    return lambda value: folded in fold(value) or fuzz.ratio(folded, fold(value)) >= 85


def _works_at(wanted: str, index: Index | None) -> Callable[[str], bool]:
    loose = _contains_or_close(wanted)
    if index is None:
        return loose

    def matches(organization: str) -> bool:
        if loose(organization) or index.same_organisation(organization, wanted):
            return True
        file = index.organisation_named(organization)
        if file is None:
            return False
        record = index.organisations[file]
        return any(loose(name) for name in (record.name, *record.aliases))

    return matches


def filter_people(
    people: Iterable[Person],
    *,
    expertise: str | None = None,
    tag: str | None = None,
    organisation: str | None = None,
    circles: Iterable[int] = (),
    index: Index | None = None,
) -> list[Person]:
    """People matching every filter given: expertise and organisation loosely, tags exactly.

    With ``index``, an organisation also matches by the shared organisation matcher
    (legal forms ignored, orgs/ aliases joining spellings) and by the names and aliases
    of the orgs/ file a person's ``organization`` names.
    """
    wanted_circles = set(circles)
    expert = _contains_or_close(expertise) if expertise else None
    at = _works_at(organisation, index) if organisation else None
    tagged = fold(tag) if tag else None
    return [
        p
        for p in people
        if (not wanted_circles or p.circle in wanted_circles)
        and (expert is None or any(expert(e) for e in p.expertise))
        and (at is None or (p.organization is not None and at(p.organization)))
        and (tagged is None or any(fold(t) == tagged for t in p.tags))
    ]


def find(
    people: Mapping[str, Person],
    text: str = "",
    *,
    notes: Callable[[Person], str] = lambda person: public_text(person.body),
    limit: int = 20,
    **filters: object,
) -> list[Match]:
    """The best matches for ``text`` among the people passing ``filters``, best first.

    Without ``text``, everyone passing the filters, closest first. ``notes`` says
    which part of a person's notes may be searched: by default the public part, so no
    output of a search ever holds private notes.
    """
    chosen = filter_people(people.values(), **filters)  # type: ignore[arg-type]
    query = fold(text)
    if not query:
        chosen.sort(key=closeness_key)
        return [Match(p.slug, 100.0, "", "") for p in chosen[:limit]]
    best: dict[str, Match] = {}
    values = [(p.slug, field, value) for p in chosen for field, value in _fields(p)]
    for _, score, at in process.extract(
        query, [fold(v) for _, _, v in values], scorer=_score, limit=None, score_cutoff=CUTOFF
    ):
        slug, field, value = values[at]
        _keep(best, Match(slug, score * FIELD_WEIGHTS[field], field, value))
    bodies = [(p.slug, notes(p)) for p in chosen]
    folded = [fold(body) for _, body in bodies]
    for _, score, at in process.extract(
        query, folded, scorer=fuzz.partial_ratio, limit=None, score_cutoff=NOTES_CUTOFF
    ):
        snippet = _snippet(query, folded[at])
        _keep(best, Match(bodies[at][0], score * FIELD_WEIGHTS["notes"], "notes", snippet))
    ranked = sorted(best.values(), key=lambda m: (-m.score, *closeness_key(people[m.slug])))
    return ranked[:limit]


def _score(query: str, value: str, **options: Any) -> float:
    """WRatio, which also finds ``jane`` in ``jane doe``; but a value much shorter than the
    query is compared whole, so ``machine lerning`` does not match ``m&a`` for its "ma"."""
    if len(value) * 1.5 < len(query):
        return fuzz.ratio(query, value, **options)
    return fuzz.WRatio(query, value, **options)


def _keep(best: dict[str, Match], match: Match) -> None:
    if match.slug not in best or match.score > best[match.slug].score:
        best[match.slug] = match


def _snippet(query: str, text: str) -> str:
    """The words around where ``query`` matched in ``text``."""
    alignment = fuzz.partial_ratio_alignment(query, text)
    start = max(0, alignment.dest_start - SNIPPET // 2)
    end = min(len(text), alignment.dest_end + SNIPPET // 2)
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


# -- what a command was given --------------------------------------------------------------


def suggest(reference: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a mistyped slug, if any is close (difflib)."""
    close = difflib.get_close_matches(reference.lower(), list(candidates), n=1, cutoff=0.6)
    return close[0] if close else None


def person_named(reference: str, people: Mapping[str, Person], index: Index) -> list[str]:
    """The people a slug, name or alias names (several when a name is shared)."""
    slug = index.person(reference)
    if slug is not None and slug in people:
        return [slug]
    return [s for s in index.people_by_name.get(name_key(reference), []) if s in people]


@dataclass(frozen=True, slots=True)
class Target:
    """Whom a path leads to: one person, or the decision-makers of an organisation."""

    label: str
    slugs: tuple[str, ...]
    note: str = ""


def organisation_members(query: str, facts: Facts) -> tuple[str, list[str]] | None:
    """(the organisation's name, its people) for an organisation's slug, name or alias,
    or a part of its name that no other organisation shares (``globex``).

    Organisations are the link layer's groups (``Facts.organisation_groups``) of
    everyone, private people included: you are asking, not the site."""
    groups, _ = facts.organisation_groups()
    names: dict[str, set[str]] = {}  # group → every name it goes by, folded
    for slug, group in groups.items():
        known = {slug_key(slug)}
        if group.record is not None:
            known |= {fold(n) for n in (group.record.name, *group.record.aliases)}
        for member in group.people:
            written = facts.people[member].organization or ""
            known |= {fold(written), slugify(written)}
        names[slug] = known
    wanted = {fold(query), slugify(query), slug_key(query)}
    exact = [k for k in groups if names[k] & wanted]
    partial = [k for k in groups if any(fold(query) in n for n in names[k])]
    for found in (exact, partial):
        if len(found) == 1:
            return groups[found[0]].name, list(groups[found[0]].people)
    return None


def resolve_target(query: str, facts: Facts) -> Target | None:
    """A person (slug, name or alias), an organisation's decision-makers, or "ROLE at ORG"."""
    people = facts.people
    named = person_named(query, people, facts.index)
    if named:
        return Target(people[named[0]].name if len(named) == 1 else query, tuple(named))
    organisation = organisation_members(query, facts)
    if organisation is not None:
        return _deciders(*organisation, people)
    role, separator, where = query.rpartition(" at ")
    organisation = organisation_members(where, facts) if separator else None
    if organisation is None:
        return None
    name, members = organisation
    wanted = fold(role)
    holders = [
        s
        for s in members
        if people[s].role and fuzz.token_set_ratio(wanted, fold(people[s].role or "")) >= 80
    ]
    if holders:
        return Target(f"{role.strip()} at {name}", tuple(holders))
    fallback = _deciders(name, members, people)
    note = f"nobody at {name} has the role {role.strip()!r}; " + (
        fallback.note or "showing its decision-makers"
    )
    return Target(fallback.label, fallback.slugs, note)


def _deciders(name: str, members: list[str], people: Mapping[str, Person]) -> Target:
    deciders = [s for s in members if people[s].decision_maker]
    if deciders:
        return Target(f"the decision-makers at {name}", tuple(deciders))
    return Target(
        f"the people at {name}",
        tuple(members),
        f"nobody at {name} is marked 'decision_maker: true'; showing everyone there",
    )
