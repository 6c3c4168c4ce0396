"""The site's pages about working the network: follow-ups, the favour ledger, the time
budget, connectors and gaps (the map is in ``map_pages``), and what the home page and
each person's page show of them.

Everything here is computed from ``Facts``, so private people never get in: they
are not in ``facts.public``, and interactions count only when they list a public person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from netkb import budget, svg
from netkb.budget import duration
from netkb.followups import (
    FollowUp,
    closeness_key,
    due,
    favour_ledger,
    relationships,
    upcoming_birthdays,
)
from netkb.gaps import find_gaps
from netkb.graph import Connectors, connectors, network_graph
from netkb.map_pages import MapPages
from netkb.records import Interaction

if TYPE_CHECKING:
    import networkx as nx

    from netkb.render import SiteRenderer

DUE_SOON_DAYS = 14
BIRTHDAY_DAYS = 30
HOME_DUE = 8
HOME_BIRTHDAYS = 10
WEEK = 7
ROWS = 200  # longest table on a page; the rest is counted
WEEKS = 52
MONTHS = 12
CONNECTORS = 25


def due_text(follow_up: FollowUp | None) -> str:
    """ "overdue by 5 days", "due today", "due in 3 days"."""
    if follow_up is None:
        return ""
    days = follow_up.days_overdue
    if days > 0:
        return f"overdue by {days} day{'s' if days != 1 else ''}"
    if days == 0:
        return "due today"
    return f"due in {-days} day{'s' if days != -1 else ''}"


def balance_text(balance: int) -> str:
    """What a favour balance means, in words."""
    if balance > 0:
        return f"+{balance}: they owe you {'one' if balance == 1 else balance}"
    if balance < 0:
        return f"{balance}: you owe them {'one' if balance == -1 else -balance}"
    return "even"


@dataclass(frozen=True, slots=True)
class MonthToDate:
    """This month's time invested against its target, and where the target puts you today."""

    period: budget.Period
    expected: float
    bar: Any  # Markup

    @property
    def on_pace(self) -> bool:
        return self.period.minutes >= self.expected


class NetworkPages:
    """Computes once per build what the working-the-network pages need, and renders them."""

    def __init__(self, site: SiteRenderer, today: dt.date) -> None:
        self.site = site
        self.facts = site.facts
        self.today = today
        self.settings = site.facts.network.settings
        self.standing = relationships(
            self.facts.public, self.facts.interactions, self.settings, today
        )
        self.urls = site.urls
        site.env.filters["duration"] = duration
        site.env.globals.update(due_text=due_text, balance_text=balance_text)

    @cached_property
    def entries(self) -> list[Interaction]:
        """Interactions with at least one public person, oldest first."""
        timelines = self.facts.interactions
        public = {id(i) for slug in self.facts.public for i in timelines.get(slug, ())}
        return [i for i in self.facts.network.interactions if id(i) in public]

    @cached_property
    def closeness(self) -> dict[str, tuple[int, str, str]]:
        """Each public person's place in lists: closest first, then by name."""
        return {slug: closeness_key(p) for slug, p in self.facts.public.items()}

    @cached_property
    def graph(self) -> nx.Graph:
        facts = self.facts
        return network_graph(
            facts.public, facts.network.interactions, facts.index, with_owner=False
        )

    @cached_property
    def connectors(self) -> Connectors:
        return connectors(self.graph, self.facts.public, CONNECTORS, self.organisation_of)

    def organisation_of(self, slug: str) -> str:
        """The name of the organisation page a person is listed on."""
        org = self.facts.person_org.get(slug)
        return self.facts.organisations[org].name if org else "no organisation"

    def person(self, slug: str) -> dict[str, Any]:
        """What a person's page adds: where you stand with them."""
        return {"standing": self.standing.get(slug)}

    def home(self) -> dict[str, Any]:
        """The home page's dashboard."""
        due_now = due(self.facts.public, self.standing, WEEK)
        birthdays = upcoming_birthdays(self.facts.public.values(), self.today, WEEK)
        return {
            "due": due_now[:HOME_DUE],
            "due_more": len(due_now) - HOME_DUE,
            "overdue": sum(1 for r in due_now if r.follow_up and r.follow_up.overdue),
            "birthdays": birthdays[:HOME_BIRTHDAYS],
            "birthdays_more": len(birthdays) - HOME_BIRTHDAYS,
            "month": self.month_to_date(),
        }

    def month_to_date(self) -> MonthToDate:
        period = budget.months(self.entries, self.settings, self.today, 1)[0]
        days = (period.start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - period.start
        expected = period.target * self.today.day / days.days
        return MonthToDate(period, expected, svg.progress(period.minutes, period.target, expected))

    def pages(self) -> dict[str, str]:
        pages = {
            "followups.md": self._followups(),
            "favours.md": self._favours(),
            "budget.md": self._budget(),
            "connectors.md": self._connectors(),
        }
        pages.update(MapPages(self).pages())
        return pages

    def _render(self, template: str, **context: Any) -> str:
        return self.site.render(template, self.site.top, today=self.today, **context)

    def _followups(self) -> str:
        listed = due(self.facts.public, self.standing, DUE_SOON_DAYS)
        birthdays = upcoming_birthdays(self.facts.public.values(), self.today, BIRTHDAY_DAYS)
        tracked = [r for r in self.standing.values() if r.follow_up]
        return self._render(
            "followups.md.j2",
            due=listed[:ROWS],
            more=max(0, len(listed) - ROWS),
            overdue=sum(1 for r in listed if r.follow_up and r.follow_up.overdue),
            never=sum(1 for r in listed if r.follow_up and r.follow_up.never),
            tracked=len(tracked),
            soon_days=DUE_SOON_DAYS,
            cadences=self.settings.cadence_by_circle,
            birthdays=birthdays[:ROWS],
            more_birthdays=max(0, len(birthdays) - ROWS),
            birthday_days=BIRTHDAY_DAYS,
        )

    def _favours(self) -> str:
        owe_you, you_owe = favour_ledger(self.standing)
        totals = budget.favours(self.entries, dt.date.min, self.today)
        return self._render(
            "favours.md.j2",
            owe_you=owe_you[:ROWS],
            you_owe=you_owe[:ROWS],
            more_owe_you=max(0, len(owe_you) - ROWS),
            more_you_owe=max(0, len(you_owe) - ROWS),
            given=totals.given,
            received=totals.received,
            even=sum(
                1 for r in self.standing.values() if r.favours.given and not r.favours.balance
            ),
            last_favour=self._last_favours(),
        )

    def _last_favours(self) -> dict[str, Interaction]:
        latest: dict[str, Interaction] = {}
        for slug, timeline in self.facts.interactions.items():
            if slug in self.standing:
                found = next((i for i in timeline if i.favor and i.date <= self.today), None)
                if found is not None:
                    latest[slug] = found
        return latest

    def _budget(self) -> str:
        weeks = budget.weeks(self.entries, self.settings, self.today, WEEKS)
        months = budget.months(self.entries, self.settings, self.today, MONTHS)
        target = budget.weekly_target(self.settings)
        since = months[0].start
        invested = sum(w.minutes for w in weeks)
        caption = f"target {duration(target)} a week"
        return self._render(
            "budget.md.j2",
            chart=svg.week_chart(weeks, target, caption),
            weeks=weeks,
            months=months[::-1],
            target=target,
            month_now=self.month_to_date(),
            on_target=sum(1 for w in weeks if w.minutes >= target),
            average=invested / len(weeks),
            kinds=budget.by_kind(self.entries, since, self.today),
            since=since,
            top_people=self._time_by_person(since)[:15],
        )

    def _time_by_person(self, since: dt.date) -> list[tuple[str, int, int]]:
        """(slug, minutes, interactions) from ``since`` to today, most time first."""
        found = []
        for slug, timeline in self.facts.interactions.items():
            if slug in self.facts.public:
                spent = [i.minutes for i in timeline if since <= i.date <= self.today]
                if sum(spent):
                    found.append((slug, sum(spent), len(spent)))
        return sorted(found, key=lambda t: (-t[1], -t[2], t[0]))

    def _connectors(self) -> str:
        organisations = [(o.slug, o.name, o.people) for o in self.facts.organisations.values()]
        gaps = find_gaps(self.facts.public, organisations)
        return self._render(
            "connectors.md.j2",
            connectors=self.connectors,
            degree=self.graph.degree,
            gaps=gaps,
            rows=ROWS,
        )
