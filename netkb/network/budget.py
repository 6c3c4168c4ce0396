"""Time invested in people against the budget: ``work_hours_per_week × networking_share``.

The essay's rule of thumb is 5% of working time: 2 hours of a 40-hour week.
Weeks are ISO weeks (Monday to Sunday); a month's target is the weekly target
times the month's days / 7. Only interactions dated on or before ``today`` count.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from netkb.core.records import Interaction, Person, Settings
from netkb.link.followups import Favours


@dataclass(frozen=True, slots=True)
class Period:
    """Minutes invested in one ISO week or one calendar month, and the target for it."""

    start: dt.date  # the Monday of the week, or the 1st of the month
    label: str  # "2026-W48" or "2026-11"
    minutes: int
    interactions: int
    target: float

    @property
    def share(self) -> float:
        """Minutes invested as a fraction of the target (1.0: on target)."""
        return self.minutes / self.target if self.target else 0.0


@dataclass(frozen=True, slots=True)
class KindTotal:
    kind: str
    interactions: int
    minutes: int


@dataclass(frozen=True, slots=True)
class Stats:
    """What ``netkb stats`` reports: the budget by week and month, kinds, favours, circles."""

    today: dt.date
    since: dt.date  # kinds, favours and totals count from here to today
    weekly_target: float
    weeks: list[Period]
    months: list[Period]
    kinds: list[KindTotal]
    favours: Favours
    circles: list[tuple[int | None, int]]  # (circle or None, people)
    people: int


def duration(minutes: float) -> str:
    """Minutes as people say them: 45 min, 2 h, 1 h 30."""
    hours, rest = divmod(round(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours:,} h" if not rest else f"{hours:,} h {rest:02d}"


def weekly_target(settings: Settings) -> float:
    """Minutes per week to invest in people (40 h × 5% = 120)."""
    return settings.work_hours_per_week * 60 * settings.networking_share


def month_target(settings: Settings, year: int, month: int) -> float:
    return weekly_target(settings) * calendar.monthrange(year, month)[1] / 7


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_label(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def weeks(
    interactions: Iterable[Interaction], settings: Settings, today: dt.date, count: int
) -> list[Period]:
    """The ``count`` ISO weeks up to and including today's, oldest first, empty weeks too."""
    first = monday(today) - dt.timedelta(weeks=count - 1)
    minutes: dict[dt.date, int] = defaultdict(int)
    number: Counter[dt.date] = Counter()
    for interaction in interactions:
        if first <= interaction.date <= today:
            start = monday(interaction.date)
            minutes[start] += interaction.minutes
            number[start] += 1
    target = weekly_target(settings)
    starts = [first + dt.timedelta(weeks=n) for n in range(count)]
    return [Period(s, week_label(s), minutes[s], number[s], target) for s in starts]


def months(
    interactions: Iterable[Interaction], settings: Settings, today: dt.date, count: int
) -> list[Period]:
    """The ``count`` calendar months up to and including today's, oldest first."""
    starts = [_month_start(today, -n) for n in reversed(range(count))]
    minutes: dict[dt.date, int] = defaultdict(int)
    number: Counter[dt.date] = Counter()
    for interaction in interactions:
        if starts[0] <= interaction.date <= today:
            start = interaction.date.replace(day=1)
            minutes[start] += interaction.minutes
            number[start] += 1
    return [
        Period(
            s,
            f"{s.year}-{s.month:02d}",
            minutes[s],
            number[s],
            month_target(settings, s.year, s.month),
        )
        for s in starts
    ]


def _month_start(day: dt.date, shift: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 + shift, 12)
    return dt.date(year, month + 1, 1)


def by_kind(interactions: Iterable[Interaction], since: dt.date, today: dt.date) -> list[KindTotal]:
    """Interactions and minutes per kind from ``since`` to today, most time first."""
    number: Counter[str] = Counter()
    minutes: Counter[str] = Counter()
    for interaction in interactions:
        if since <= interaction.date <= today:
            number[interaction.kind] += 1
            minutes[interaction.kind] += interaction.minutes
    totals = [KindTotal(kind, number[kind], minutes[kind]) for kind in number]
    totals.sort(key=lambda t: (-t.minutes, -t.interactions, t.kind))
    return totals


def favours(interactions: Iterable[Interaction], since: dt.date, today: dt.date) -> Favours:
    """Favours given and received from ``since`` to today (an interaction counts once)."""
    given = received = 0
    for interaction in interactions:
        if since <= interaction.date <= today:
            given += interaction.favor == "given"
            received += interaction.favor == "received"
    return Favours(given, received)


def circle_sizes(people: Iterable[Person]) -> list[tuple[int | None, int]]:
    """People per circle 1–5, then those without a circle."""
    sizes = Counter(p.circle for p in people)
    return [(circle, sizes[circle]) for circle in (1, 2, 3, 4, 5, None)]


def network_stats(
    people: Mapping[str, Person],
    interactions: Iterable[Interaction],
    settings: Settings,
    today: dt.date,
    week_count: int = 12,
    month_count: int = 12,
) -> Stats:
    """Everything ``netkb stats`` shows; kinds and favours cover the months shown."""
    entries = list(interactions)
    since = _month_start(today, -(month_count - 1))
    return Stats(
        today=today,
        since=since,
        weekly_target=weekly_target(settings),
        weeks=weeks(entries, settings, today, week_count),
        months=months(entries, settings, today, month_count),
        kinds=by_kind(entries, since, today),
        favours=favours(entries, since, today),
        circles=circle_sizes(people.values()),
        people=len(people),
    )
