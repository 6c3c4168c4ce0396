"""A one-screen brief on a person before you meet them (``netkb show``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from netkb.core.records import Interaction, Person
from netkb.link.derive import Facts
from netkb.link.followups import BirthdaySoon, Relationship

RECENT = 5
YEAR = 365


@dataclass(frozen=True, slots=True)
class Brief:
    """What ``netkb show`` prints about one person."""

    person: Person
    standing: Relationship
    minutes_past_year: int
    chain: tuple[str, ...]  # who introduced them, who introduced that person, …
    introduced: tuple[str, ...]  # whom they introduced you to
    relations: tuple[tuple[str, tuple[str, ...]], ...]  # (type, slugs), theirs and others'
    recent: tuple[Interaction, ...]  # newest first, up to today
    birthday: BirthdaySoon | None  # their next birthday


def brief(facts: Facts, slug: str) -> Brief:
    """Everything worth knowing about ``slug`` as of ``facts.today``, private people included."""
    person = facts.people[slug]
    timeline = facts.held(facts.timelines.get(slug, ()))
    year_ago = facts.today - dt.timedelta(days=YEAR)
    birthdays = facts.birthdays(366, {slug: person})
    return Brief(
        person=person,
        standing=facts.standing(slug),
        minutes_past_year=sum(i.minutes for i in timeline if i.date > year_ago),
        chain=facts.chain(slug),
        introduced=tuple(facts.introductions(slug)),
        relations=tuple((kind, tuple(slugs)) for kind, slugs in facts.relations(slug)),
        recent=tuple(timeline[:RECENT]),
        birthday=birthdays[0] if birthdays else None,
    )
