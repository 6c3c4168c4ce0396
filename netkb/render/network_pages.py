"""A page family about working the network: follow-ups, the favour ledger, the time
budget, connectors and gaps (the map is ``map_pages``), and the home page's dashboard.

Everything here reads the link layer (``context.facts``) for public people only:
private people are not in ``facts.public``, and an interaction counts when it names
a public person (``facts.public_interactions``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from netkb.core.records import Interaction
from netkb.link.derive import Facts
from netkb.link.followups import closeness_key
from netkb.network import budget
from netkb.network.budget import duration
from netkb.network.gaps import find_gaps
from netkb.network.graph import Connectors, connectors, network_graph
from netkb.render import svg
from netkb.render.page_context import PageContext

if TYPE_CHECKING:
    import networkx as nx

DUE_SOON_DAYS = 14
BIRTHDAY_DAYS = 30
HOME_DUE = 8
HOME_BIRTHDAYS = 10
WEEK = 7
ROWS = 200  # longest table on a page; the rest is counted
WEEKS = 52
MONTHS = 12
CONNECTORS = 25
TOP_PEOPLE = 15


class Work:
    """The network of public people as the working pages and the map draw it: computed
    once per build, when first asked for."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts

    @cached_property
    def closeness(self) -> dict[str, tuple[int, str, str]]:
        """Each public person's place in lists: closest first, then by name."""
        return {slug: closeness_key(p) for slug, p in self.facts.public.items()}

    @cached_property
    def graph(self) -> nx.Graph:
        """Public people linked by relations, introductions and time together (not you)."""
        return network_graph(self.facts, self.facts.public, with_owner=False)

    @cached_property
    def connectors(self) -> Connectors:
        """The people who bridge parts of the network, best first."""
        return connectors(self.graph, self.facts.public, CONNECTORS, self.employer_name)

    def employer_name(self, slug: str) -> str:
        """The name of the organisation page a person is listed on."""
        org = self.facts.person_org.get(slug)
        return self.facts.organisations[org].name if org else "no organisation"


@dataclass(frozen=True, slots=True)
class MonthToDate:
    """This month's time invested against its target, and where the target puts you today."""

    period: budget.Period
    expected: float
    bar: Markup

    @property
    def on_pace(self) -> bool:
        return self.period.minutes >= self.expected


def month_to_date(facts: Facts) -> MonthToDate:
    """Time invested with public people this month, against the month's target."""
    today = facts.today
    period = budget.months(facts.public_interactions, facts.settings, today, 1)[0]
    days = (period.start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - period.start
    expected = period.target * today.day / days.days
    return MonthToDate(period, expected, svg.progress(period.minutes, period.target, expected))


def dashboard(context: PageContext) -> dict[str, Any]:
    """The home page's part: who is due this week, birthdays, this month's time."""
    facts = context.facts
    due_now = facts.due(WEEK, among=facts.public)
    birthdays = facts.birthdays(WEEK, among=facts.public)
    return {
        "due": due_now[:HOME_DUE],
        "due_more": len(due_now) - HOME_DUE,
        "overdue": sum(1 for r in due_now if r.follow_up and r.follow_up.overdue),
        "birthdays": birthdays[:HOME_BIRTHDAYS],
        "birthdays_more": len(birthdays) - HOME_BIRTHDAYS,
        "month": month_to_date(facts),
    }


def network_pages(context: PageContext, work: Work) -> dict[str, str]:
    """followups.md, favours.md, budget.md and connectors.md."""
    return {
        "followups.md": _followups(context),
        "favours.md": _favours(context),
        "budget.md": _budget(context),
        "connectors.md": _connectors(context, work),
    }


def _render(context: PageContext, template: str, **values: Any) -> str:
    # The working pages are at the top of the site (followups.md.j2 → followups.md).
    page = template.removesuffix(".j2")
    return context.render(template, context.linker(page), today=context.today, **values)


def _followups(context: PageContext) -> str:
    facts = context.facts
    listed = facts.due(DUE_SOON_DAYS, among=facts.public)
    birthdays = facts.birthdays(BIRTHDAY_DAYS, among=facts.public)
    tracked = [r for r in facts.standings(facts.public).values() if r.follow_up]
    return _render(
        context,
        "followups.md.j2",
        due=listed[:ROWS],
        more=max(0, len(listed) - ROWS),
        overdue=sum(1 for r in listed if r.follow_up and r.follow_up.overdue),
        never=sum(1 for r in listed if r.follow_up and r.follow_up.never),
        tracked=len(tracked),
        soon_days=DUE_SOON_DAYS,
        cadences=facts.settings.cadence_by_circle,
        birthdays=birthdays[:ROWS],
        more_birthdays=max(0, len(birthdays) - ROWS),
        birthday_days=BIRTHDAY_DAYS,
    )


def _favours(context: PageContext) -> str:
    facts = context.facts
    owe_you, you_owe = facts.favour_ledger(among=facts.public)
    totals = budget.favours(facts.public_interactions, dt.date.min, facts.today)
    standings = facts.standings(facts.public).values()
    return _render(
        context,
        "favours.md.j2",
        owe_you=owe_you[:ROWS],
        you_owe=you_owe[:ROWS],
        more_owe_you=max(0, len(owe_you) - ROWS),
        more_you_owe=max(0, len(you_owe) - ROWS),
        given=totals.given,
        received=totals.received,
        even=sum(1 for r in standings if r.favours.given and not r.favours.balance),
        last_favour=_last_favours(facts),
    )


def _last_favours(facts: Facts) -> dict[str, Interaction]:
    """Public person → the latest interaction up to today with a favour either way."""
    latest: dict[str, Interaction] = {}
    for slug in facts.public:
        timeline = facts.timelines.get(slug, ())
        found = next((i for i in timeline if i.favor and i.date <= facts.today), None)
        if found is not None:
            latest[slug] = found
    return latest


def _budget(context: PageContext) -> str:
    facts = context.facts
    entries, settings, today = facts.public_interactions, facts.settings, facts.today
    weeks = budget.weeks(entries, settings, today, WEEKS)
    months = budget.months(entries, settings, today, MONTHS)
    target = budget.weekly_target(settings)
    since = months[0].start
    invested = sum(w.minutes for w in weeks)
    bars = [
        svg.Bar(
            w.start,
            w.minutes,
            f"Week {w.label} (from {w.start:%-d %b %Y}): {duration(w.minutes)}, "
            f"{w.interactions} interaction{'s' if w.interactions != 1 else ''}",
        )
        for w in weeks
    ]
    return _render(
        context,
        "budget.md.j2",
        chart=svg.week_chart(bars, target, f"target {duration(target)} a week", duration),
        weeks=weeks,
        months=months[::-1],
        target=target,
        month_now=month_to_date(facts),
        on_target=sum(1 for w in weeks if w.minutes >= target),
        average=invested / len(weeks),
        kinds=budget.by_kind(entries, since, today),
        since=since,
        top_people=_time_by_person(facts, since)[:TOP_PEOPLE],
    )


def _time_by_person(facts: Facts, since: dt.date) -> list[tuple[str, int, int]]:
    """(slug, minutes, interactions) of public people from ``since`` to today, most first."""
    found = []
    for slug in facts.public:
        timeline = facts.timelines.get(slug, ())
        spent = [i.minutes for i in timeline if since <= i.date <= facts.today]
        if sum(spent):
            found.append((slug, sum(spent), len(spent)))
    return sorted(found, key=lambda t: (-t[1], -t[2], t[0]))


def _connectors(context: PageContext, work: Work) -> str:
    facts = context.facts
    organisations = [(o.slug, o.name, o.people) for o in facts.organisations.values()]
    return _render(
        context,
        "connectors.md.j2",
        connectors=work.connectors,
        degree=work.graph.degree,
        gaps=find_gaps(facts.public, organisations),
        rows=ROWS,
    )
