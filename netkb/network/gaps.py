"""Gaps in your network: organisations where you know nobody who decides, expertise
nobody close to you has, and close people you know too little about.

"Close" means circles 1–3: the people you keep in regular touch with.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from netkb.core.records import Person
from netkb.core.references import name_key
from netkb.link.followups import closeness_key

CLOSE = 3
ABOUT = ("expertise", "interests", "qualities")


@dataclass(frozen=True, slots=True)
class OrganisationGap:
    key: str  # the caller's key for the organisation (the site's page slug)
    name: str
    people: int
    deciders: tuple[str, ...]  # decision-makers you know there, none of them close


@dataclass(frozen=True, slots=True)
class ExpertiseGap:
    topic: str
    people: tuple[str, ...]  # who has it, closest first; nobody in circles 1–3


@dataclass(slots=True)
class Gaps:
    no_decider: list[OrganisationGap] = field(default_factory=list)
    distant_deciders: list[OrganisationGap] = field(default_factory=list)
    distant_expertise: list[ExpertiseGap] = field(default_factory=list)
    unknown: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # slug, missing


def _close(person: Person) -> bool:
    return person.circle is not None and person.circle <= CLOSE


def find_gaps(
    people: Mapping[str, Person], organisations: Iterable[tuple[str, str, Sequence[str]]]
) -> Gaps:
    """Gaps among ``people``; ``organisations`` are (key, name, member slugs)."""
    gaps = Gaps()
    for key, name, members in organisations:
        staff = [people[s] for s in members if s in people]
        if not staff:
            continue
        deciders = sorted((p for p in staff if p.decision_maker), key=closeness_key)
        if not deciders:
            gaps.no_decider.append(OrganisationGap(key, name, len(staff), ()))
        elif not any(_close(p) for p in deciders):
            gaps.distant_deciders.append(
                OrganisationGap(key, name, len(staff), tuple(p.slug for p in deciders))
            )
    for group in (gaps.no_decider, gaps.distant_deciders):
        group.sort(key=lambda g: (-g.people, name_key(g.name)))
    by_topic: dict[str, list[Person]] = defaultdict(list)
    names: dict[str, str] = {}
    for person in people.values():
        for topic in person.expertise:
            names.setdefault(name_key(topic), topic)
            by_topic[name_key(topic)].append(person)
    for key, experts in by_topic.items():
        if not any(_close(p) for p in experts):
            experts.sort(key=closeness_key)
            gaps.distant_expertise.append(ExpertiseGap(names[key], tuple(p.slug for p in experts)))
    gaps.distant_expertise.sort(key=lambda g: (-len(g.people), name_key(g.topic)))
    for person in sorted(filter(_close, people.values()), key=closeness_key):
        missing = tuple(about for about in ABOUT if not getattr(person, about))
        if missing:
            gaps.unknown.append((person.slug, missing))
    return gaps
