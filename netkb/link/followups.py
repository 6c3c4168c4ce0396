"""The rules of your relationship with one person as of a given day: last contact, when
the next touch-point is due (by cadence), the balance of favours, the time invested; and
upcoming birthdays. Every function takes ``today``; nothing reads the clock.
``netkb.link.derive`` applies them to the network once, for the site and the commands alike.

Only interactions dated on or before ``today`` count: a log entry for a lunch
planned next week is not contact yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from netkb.core.records import Cadence, Interaction, Person, Settings
from netkb.core.references import name_key

NOT_PLACED = 6  # sorts people without a circle after circle 5
# What each circle means, in words: every page, picture and command says it this way.
CIRCLE_NAMES: Mapping[int, str] = {
    1: "inner circle",
    2: "close",
    3: "regular",
    4: "occasional",
    5: "acquaintance",
}


@dataclass(frozen=True, slots=True)
class Favours:
    """Favours between you and one person; the balance is given minus received."""

    given: int = 0
    received: int = 0

    @property
    def balance(self) -> int:
        return self.given - self.received


@dataclass(frozen=True, slots=True)
class FollowUp:
    """When the next touch-point with a person is due, by their cadence."""

    slug: str
    cadence: Cadence
    due: dt.date
    days_overdue: int  # negative: due in that many days
    never: bool  # no contact recorded: due from the day you met, or today

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass(frozen=True, slots=True)
class Relationship:
    """Where you stand with one person on a given day."""

    slug: str
    last_contact: dt.date | None
    last: Interaction | None  # the latest logged interaction up to today
    follow_up: FollowUp | None  # None: no cadence (circle 5, or no circle)
    favours: Favours
    minutes: int  # time invested with them, all time up to today
    interactions: int


@dataclass(frozen=True, slots=True)
class BirthdaySoon:
    """Someone's next birthday, and how far off it is."""

    slug: str
    date: dt.date  # the next occurrence, on or after today
    days: int  # from today
    age: int | None  # the age they turn, when the year is known


def people_in(
    people: Mapping[str, Person], circles: Iterable[int] = (), tags: Iterable[str] = ()
) -> dict[str, Person]:
    """The people in any of ``circles`` (all when none) with any of ``tags`` (all when none)."""
    wanted_circles = set(circles)
    wanted_tags = {name_key(t) for t in tags}
    return {
        slug: p
        for slug, p in people.items()
        if (not wanted_circles or p.circle in wanted_circles)
        and (not wanted_tags or any(name_key(t) in wanted_tags for t in p.tags))
    }


def cadence_of(person: Person, settings: Settings) -> Cadence | None:
    """The person's own cadence, else the default of their circle (None: not tracked)."""
    if person.cadence is not None:
        return person.cadence
    return settings.cadence_by_circle.get(person.circle) if person.circle else None


def relationship(
    person: Person, timeline: Sequence[Interaction], settings: Settings, today: dt.date
) -> Relationship:
    """Where you stand with ``person``; ``timeline`` is theirs, newest first."""
    last = None
    given = received = minutes = count = 0
    for interaction in timeline:
        if interaction.date > today:
            continue
        last = last or interaction
        given += interaction.favor == "given"
        received += interaction.favor == "received"
        minutes += interaction.minutes
        count += 1
    last_contact = _latest(person, last, today)
    return Relationship(
        slug=person.slug,
        last_contact=last_contact,
        last=last,
        follow_up=_follow_up(person, last_contact, settings, today),
        favours=Favours(given, received),
        minutes=minutes,
        interactions=count,
    )


def last_contact(person: Person, timeline: Sequence[Interaction], today: dt.date) -> dt.date | None:
    """The person's last contact as ``relationship`` has it, without the rest."""
    return _latest(person, next((i for i in timeline if i.date <= today), None), today)


def _latest(person: Person, last: Interaction | None, today: dt.date) -> dt.date | None:
    """The later of the latest interaction and the ``last_contact`` field, up to today."""
    dates = [d for d in (person.last_contact, last.date if last else None) if d and d <= today]
    return max(dates) if dates else None


def _follow_up(
    person: Person, last_contact: dt.date | None, settings: Settings, today: dt.date
) -> FollowUp | None:
    cadence = cadence_of(person, settings)
    if cadence is None:
        return None
    since = last_contact or (person.met if person.met and person.met <= today else None)
    due = cadence.after(since) if since else today
    return FollowUp(person.slug, cadence, due, (today - due).days, last_contact is None)


def closeness_key(person: Person) -> tuple[int, str, str]:
    """Closest first, then by name: the order of every list of people."""
    return (person.circle or NOT_PLACED, name_key(person.name), person.slug)


def due(
    people: Mapping[str, Person],
    standing: Mapping[str, Relationship],
    within_days: int = 0,
) -> list[Relationship]:
    """Everyone overdue or due within ``within_days``: most overdue first, then closest."""
    found = [
        r
        for slug, r in standing.items()
        if slug in people and r.follow_up and r.follow_up.days_overdue >= -within_days
    ]
    found.sort(key=lambda r: (-_days_overdue(r), *closeness_key(people[r.slug])))
    return found


def _days_overdue(standing: Relationship) -> int:
    return standing.follow_up.days_overdue if standing.follow_up else 0


def upcoming_birthdays(
    people: Iterable[Person], today: dt.date, within_days: int
) -> list[BirthdaySoon]:
    """Birthdays from today to ``within_days`` ahead, soonest first."""
    found = []
    for person in people:
        if person.birthday is None:
            continue
        day = person.birthday.next_after(today)
        days = (day - today).days
        if days <= within_days:
            year = person.birthday.year
            age = day.year - year if year and day.year > year else None
            found.append(BirthdaySoon(person.slug, day, days, age))
    found.sort(key=lambda b: (b.date, b.slug))
    return found


def favour_ledger(
    standing: Mapping[str, Relationship],
) -> tuple[list[Relationship], list[Relationship]]:
    """(Those who owe you, those you owe): balances above and below zero, largest first."""
    owe_you = [r for r in standing.values() if r.favours.balance > 0]
    you_owe = [r for r in standing.values() if r.favours.balance < 0]
    owe_you.sort(key=lambda r: (-r.favours.balance, -r.favours.given, r.slug))
    you_owe.sort(key=lambda r: (r.favours.balance, -r.favours.received, r.slug))
    return owe_you, you_owe
