"""A one-screen brief on a person before you meet them (``netkb show``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from netkb.followups import BirthdaySoon, Relationship, relationship, upcoming_birthdays
from netkb.links import Index, inverse_relations
from netkb.records import Interaction, Network, Person

RECENT = 5
YEAR = 365


@dataclass(frozen=True, slots=True)
class Brief:
    person: Person
    standing: Relationship
    minutes_past_year: int
    chain: tuple[str, ...]  # who introduced them, who introduced that person, …
    introduced: tuple[str, ...]  # whom they introduced you to
    relations: tuple[tuple[str, tuple[str, ...]], ...]  # (type, slugs), theirs and others'
    recent: tuple[Interaction, ...]  # newest first
    birthday: BirthdaySoon | None  # their next birthday


def brief(
    slug: str,
    network: Network,
    index: Index,
    timelines: Mapping[str, Sequence[Interaction]],
    today: dt.date,
) -> Brief:
    """Everything worth knowing about ``slug`` as of ``today``."""
    people = network.people
    person = people[slug]
    timeline = [i for i in timelines.get(slug, ()) if i.date <= today]
    year_ago = today - dt.timedelta(days=YEAR)
    birthdays = upcoming_birthdays([person], today, 366)
    return Brief(
        person=person,
        standing=relationship(person, timeline, network.settings, today),
        minutes_past_year=sum(i.minutes for i in timeline if i.date > year_ago),
        chain=introduction_chain(person, people, index),
        introduced=tuple(
            s
            for s, p in people.items()
            if p.introduced_by and index.person(p.introduced_by) == slug
        ),
        relations=_relations(person, people, index),
        recent=tuple(timeline[:RECENT]),
        birthday=birthdays[0] if birthdays else None,
    )


def introduction_chain(
    person: Person, people: Mapping[str, Person], index: Index
) -> tuple[str, ...]:
    """Who introduced ``person``, who introduced them, and so on (a cycle stops it)."""
    chain: list[str] = []
    current = person
    while current.introduced_by:
        slug = index.person(current.introduced_by)
        if slug is None or slug in chain or slug == person.slug or slug not in people:
            break
        chain.append(slug)
        current = people[slug]
    return tuple(chain)


def _relations(
    person: Person, people: Mapping[str, Person], index: Index
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for kind, targets in person.relations:
        for target in targets:
            slug = index.person(target)
            if slug is not None and slug != person.slug:
                grouped[kind].append(slug)
    for kind, slug in inverse_relations(people).get(person.slug, []):
        grouped[kind].append(slug)
    return tuple((kind, tuple(dict.fromkeys(slugs))) for kind, slugs in grouped.items())
