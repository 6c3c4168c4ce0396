"""Page families that list people and interactions: the indexes (people A–Z, tags,
expertise, circles, organisations), the journal, and the home page."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from netkb.core.records import Interaction, Person
from netkb.core.references import name_key
from netkb.link.followups import CIRCLE_NAMES
from netkb.render.page_context import Group, PageContext, Slugs
from netkb.render.urls import (
    CIRCLES,
    HOME,
    JOURNAL,
    ORGANISATIONS,
    PEOPLE,
    circle_page,
    letter_of,
    letter_page,
    month_page,
)

# An index page lists everyone on it up to this size; above it, a page per letter.
SMALL_INDEX = 400
RECENT = 12  # interactions on the home page
JOURNAL_RECENT = 50  # interactions on the journal's first page


def index_pages(context: PageContext) -> dict[str, str]:
    """people.md (and a page per letter when big), tags, expertise, circles, organisations."""
    pages = _people_index(context)
    pages.update(_grouped(context, "tags", "tag", context.tags, context.tag_slugs))
    pages.update(_grouped(context, "expertise", "topic", context.topics, context.topic_slugs))
    pages.update(_circles(context))
    pages[ORGANISATIONS] = context.render(
        "organisations.md.j2",
        context.linker(ORGANISATIONS),
        organisations=sorted(context.facts.organisations.values(), key=lambda o: name_key(o.name)),
    )
    return pages


def journal_pages(context: PageContext) -> dict[str, str]:
    """journal.md and a page per month of interactions with someone public."""
    months: dict[str, list[Interaction]] = defaultdict(list)
    entries = context.facts.public_interactions
    for interaction in entries:
        months[interaction.date.strftime("%Y-%m")].append(interaction)
    pages = {}
    for month, items in months.items():
        path = month_page(items[0].date)
        if context.wanted(path):
            pages[path] = context.render(
                "journal_month.md.j2",
                context.linker(path),
                month=month,
                title=_month_title(month),
                entries=items,
            )
    pages[JOURNAL] = context.render(
        "journal.md.j2",
        context.linker(JOURNAL),
        months=[(m, _month_title(m), len(items)) for m, items in months.items()],
        recent=entries[:JOURNAL_RECENT],
    )
    return pages


def home_page(context: PageContext, dashboard: Mapping[str, Any] | None) -> dict[str, str]:
    """index.md: the counts, the dashboard (when given) and the latest interactions."""
    return {
        HOME: context.render(
            "home.md.j2",
            context.linker(HOME),
            recent=context.facts.public_interactions[:RECENT],
            dashboard=dashboard,
        )
    }


def _people_index(context: PageContext) -> dict[str, str]:
    letters: dict[str, list[Person]] = defaultdict(list)
    for person in context.sorted_people(context.public.values()):
        letters[letter_of(person.name)].append(person)
    ordered = dict(sorted(letters.items(), key=lambda kv: (len(kv[0]) > 1, kv[0])))
    small = len(context.public) <= SMALL_INDEX
    pages = {
        PEOPLE: context.render(
            "people.md.j2",
            context.linker(PEOPLE),
            letters=ordered,
            small=small,
            letter_slug=_letter_slug,
        )
    }
    if not small:
        for letter, people in ordered.items():
            path = letter_page(letter)
            if context.wanted(path):
                pages[path] = context.render(
                    "letter.md.j2", context.linker(path), letter=letter, people=people
                )
    return pages


def _grouped(
    context: PageContext, folder: str, kind: str, groups: list[Group], slugs: Slugs
) -> dict[str, str]:
    pages = {}
    listing = []
    for group in groups:
        slug = slugs(group.name)
        people = context.by_closeness(group.people)
        listing.append((group.name, slug, people))
        path = f"{folder}/{slug}.md"
        if context.wanted(path):
            pages[path] = context.render(
                f"{kind}.md.j2", context.linker(path), name=group.name, people=people
            )
    index = f"{folder}.md"
    pages[index] = context.render(f"{folder}.md.j2", context.linker(index), groups=listing)
    return pages


def _circles(context: PageContext) -> dict[str, str]:
    groups: dict[int, list[Person]] = {n: [] for n in (*CIRCLE_NAMES, 0)}
    for person in context.public.values():
        groups[person.circle or 0].append(person)
    pages = {}
    for number, people in groups.items():
        people.sort(key=lambda p: (name_key(p.name), p.slug))
        path = circle_page(number)
        if context.wanted(path):
            pages[path] = context.render(
                "circle.md.j2", context.linker(path), number=number, people=people
            )
    pages[CIRCLES] = context.render(
        "circles.md.j2",
        context.linker(CIRCLES),
        groups=groups,
        small=len(context.public) <= SMALL_INDEX,
    )
    return pages


def _letter_slug(letter: str) -> str:
    return letter.lower()


def _month_title(month: str) -> str:
    return dt.date.fromisoformat(f"{month}-01").strftime("%B %Y")
