"""A page family: one page per public person and one per organisation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from netkb.core.privacy import public_fields
from netkb.core.records import RELATION_INVERSES, Person
from netkb.link.followups import cadence_of
from netkb.render.page_context import PageContext
from netkb.render.urls import org_page, person_page

RELATION_LABELS = {
    "reports_to": "Reports to",
    "manages": "Manages",
    "mentor": "Mentored by",  # mentor: [x] — x is this person's mentor
    "mentee": "Mentor of",  # mentee: [x] — x is this person's mentee
    "colleague": "Colleague of",
    "friend": "Friend of",
    "family": "Family of",
    "partner": "Partner of",
    "knows": "Knows",
}
PROGRESS_EVERY = 250


def record_pages(
    context: PageContext,
    progress: Callable[[int, int], None] | None = None,
    people: Sequence[Person] | None = None,
) -> dict[str, str]:
    """The pages of people and organisations that ``context.only`` wants.

    ``progress(done, total)`` is called now and then while person pages render;
    ``people``: only these, in this order (default: every public person, by name).
    """
    pages: dict[str, str] = {}
    if people is None:
        people = context.sorted_people(context.public.values())
    total = len(people)
    for number, person in enumerate(people, 1):
        if progress and (number % PROGRESS_EVERY == 0 or number == total):
            progress(number, total)
        path = person_page(person.slug)
        if context.wanted(path):
            pages[path] = context.render(
                "person.md.j2", context.linker(path), p=person, **person_context(context, person)
            )
    for slug, org in context.facts.organisations.items():
        path = org_page(slug)
        if context.wanted(path):
            pages[path] = context.render(
                "organisation.md.j2",
                context.linker(path),
                org=org,
                people=context.org_people(org.people),
            )
    return pages


def person_context(context: PageContext, person: Person) -> dict[str, Any]:
    """What a person's page shows beyond their own fields, all read from the facts."""
    facts = context.facts
    public = facts.public
    slug = person.slug
    standing = facts.standing(slug) if context.working else None
    relations = sorted(facts.relations(slug, among=public), key=lambda r: _relation_order(r[0]))
    return {
        "org_slug": facts.person_org.get(slug),
        "relations": [(_relation_label(kind), slugs) for kind, slugs in relations],
        "chain": list(facts.chain(slug, among=public)),
        "introduced": context.sorted_people(
            public[s] for s in facts.introductions(slug, among=public)
        ),
        "timeline": facts.timelines.get(slug, []),
        "last_contact": standing.last_contact if standing else facts.last_contact(slug),
        "last_updated": facts.last_updated.get(slug),
        "standing": standing,
        "mentions": facts.mentions.get(slug, []),
        "other_fields": [(key, _show_value(value)) for key, value in public_fields(person.extra)],
        "cadence": cadence_of(person, facts.settings),
    }


def _relation_order(kind: str) -> tuple[int, str]:
    order = list(RELATION_LABELS)
    return (order.index(kind) if kind in order else len(order), kind)


def _relation_label(kind: str) -> str:
    if kind in RELATION_LABELS:
        return RELATION_LABELS[kind]
    if kind.endswith(" (of)") and kind[:-5] not in RELATION_INVERSES:
        return f"{kind[:-5].replace('_', ' ').capitalize()} (of)"
    return kind.replace("_", " ").capitalize()


def _show_value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_show_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_show_value(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)
