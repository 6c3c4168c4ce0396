"""The link layer (DESIGN.md §6): what the records say about each other, derived once.

``link(network, today=…)`` returns ``Facts``, which the site's pages, ``show``, ``due``,
``stats``, ``path``, ``find`` and the home dashboard all read. Each part is worked out
the first time it is asked for and then kept: ``netkb due`` needs timelines and
standings but never mentions or organisation pages; a site build needs everything.

The rules live here and nowhere else:

- Who an interaction names: each ``with`` reference resolved as a slug (case- and
  NFC-insensitive, ``Index.person``), unknown ones dropped, **each person once per
  entry** (``[jane-doe, Jane-Doe]`` is Jane, once).
- A timeline is newest first and holds planned (future) entries too; what counts as
  contact (last contact, time invested, favours, due dates) is dated on or before
  ``today``.
- Relations: those written on a page and the inverses others wrote, each person once
  per type. Introductions: who introduced whom, and the chain back (a cycle stops it).
- Mentions: wikilinks in the public part of notes (``notes.public_wikilinks``).
- Organisation pages: the orgs/ file ``Index.organisation_named`` names, else one page per
  organisation name, for public people only.

Private people are in ``people`` (the commands show them to you) and not in ``public``;
everything the site shows is asked for ``among=facts.public``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from slugify import slugify

from netkb.core import clock
from netkb.core.records import RELATION_INVERSES, Interaction, Network, Organisation, Person
from netkb.core.references import Index, organisation_key
from netkb.link.followups import (
    BirthdaySoon,
    Relationship,
    last_contact,
    relationship,
    upcoming_birthdays,
)
from netkb.link.followups import due as due_first
from netkb.link.followups import favour_ledger as by_balance

People = Mapping[str, Person]


@dataclass(slots=True)
class OrgFacts:
    """An organisation as the site shows it: named by people, described by an orgs/ file."""

    slug: str
    name: str
    record: Organisation | None
    people: list[str] = field(default_factory=list)


def link(
    network: Network,
    *,
    today: dt.date | None = None,
    updated: Mapping[Path, dt.date] | None = None,
    index: Index | None = None,
    mentions: dict[str, list[tuple[str, str]]] | None = None,
    memo: dict[str, Any] | None = None,
) -> Facts:
    """Link the network as of ``today`` (default: $NETKB_TODAY, else the real date).

    ``updated``: the date each file was last committed (``netkb.git.history.last_updated``).
    ``index`` and ``mentions``, when given, are this network's (``netkb serve`` keeps
    them when an edit cannot change them); they are not copied. ``memo`` keeps whom
    each record's notes mention from one call to the next (an empty dict to start).
    """
    return Facts(network, today=today, updated=updated, index=index, mentions=mentions, memo=memo)


derive = link  # the name netkb.build.site and netkb.serve.live still call it by


class Facts:
    """Everything derived from the records, each part computed when first asked for."""

    def __init__(
        self,
        network: Network,
        *,
        today: dt.date | None = None,
        updated: Mapping[Path, dt.date] | None = None,
        index: Index | None = None,
        mentions: dict[str, list[tuple[str, str]]] | None = None,
        memo: dict[str, Any] | None = None,
    ) -> None:
        self.network = network
        self.people: People = network.people
        self.settings = network.settings
        self._today = today
        self._updated = updated
        self._memo = memo
        self._resolved: dict[str, str | None] = {}  # the same references come back often
        self._standing: dict[str, Relationship] = {}
        self._present: dict[int, tuple[str, ...]] = {}  # id(interaction) → present()
        if index is not None:
            self.index = index
        if mentions is not None:
            self.mentions = mentions

    def as_of(self, today: dt.date) -> Facts:
        """The same network linked as of another day (index and mentions are shared)."""
        if today == self.today:
            return self
        return link(
            self.network,
            today=today,
            updated=self._updated,
            index=self.index,
            mentions=self.__dict__.get("mentions"),
            memo=self._memo,
        )

    @cached_property
    def today(self) -> dt.date:
        """The day everything dated is counted up to."""
        return clock.today(self._today)

    @cached_property
    def index(self) -> Index:
        """Lookups by slug and by name of the people and organisations."""
        return Index(self.people, self.network.organisations)

    @cached_property
    def public(self) -> dict[str, Person]:
        """The people the site may show: everyone not marked private."""
        return {slug: p for slug, p in self.people.items() if not p.private}

    # -- interactions ----------------------------------------------------------------------

    def person(self, reference: str) -> str | None:
        """The slug a reference in ``with``, ``relations`` or ``introduced_by`` names."""
        try:
            return self._resolved[reference]
        except KeyError:
            slug = self._resolved[reference] = self.index.person(reference)
            return slug

    def present(self, interaction: Interaction) -> tuple[str, ...]:
        """The people an interaction names, by slug, each once, in the order written."""
        # Pages and the graph ask for every entry again and again: each is worked out once
        # (the network holds the entries, so their ids stay theirs while these facts live).
        slugs = self._present.get(id(interaction))
        if slugs is None:
            slugs = self._present[id(interaction)] = self._people_of(interaction)
        return slugs

    def _people_of(self, interaction: Interaction) -> tuple[str, ...]:
        """``present`` worked out: each ``with`` reference resolved, unknown ones and
        repeats dropped."""
        resolved = self._resolved
        references = interaction.with_
        if len(references) == 1:  # most entries: no repeats to drop
            reference = references[0]
            slug = resolved[reference] if reference in resolved else self.person(reference)
            return () if slug is None else (slug,)
        slugs = [resolved[r] if r in resolved else self.person(r) for r in references]
        return tuple(dict.fromkeys(s for s in slugs if s is not None))

    def others(
        self, interaction: Interaction, exclude: str | None = None, among: People | None = None
    ) -> list[str]:
        """The people of an interaction other than ``exclude`` (only those ``among``)."""
        return [
            s for s in self.present(interaction) if s != exclude and (among is None or s in among)
        ]

    @cached_property
    def timelines(self) -> dict[str, list[Interaction]]:
        """Each person's interactions, newest first, planned ones included."""
        found: dict[str, list[Interaction]] = defaultdict(list)
        person, resolved = self.person, self._resolved
        for interaction in reversed(self.network.interactions):  # loaded oldest first
            references = interaction.with_
            if len(references) == 1:  # _people_of, inlined: 50,000 entries at 10,000 people
                reference = references[0]
                slug = resolved[reference] if reference in resolved else person(reference)
                if slug is not None:
                    found[slug].append(interaction)
                continue
            for slug in self._people_of(interaction):
                found[slug].append(interaction)
        return dict(found)

    @cached_property
    def public_interactions(self) -> list[Interaction]:
        """The interactions that name at least one public person, newest first."""
        public, person, resolved = self.public, self.person, self._resolved
        found = []
        for interaction in reversed(self.network.interactions):
            references = interaction.with_
            # ``present`` inlined, as ``timelines`` does it: one public person is enough.
            for reference in references:
                slug = resolved[reference] if reference in resolved else person(reference)
                if slug in public:
                    found.append(interaction)
                    break
        return found

    def held(self, interactions: Iterable[Interaction]) -> list[Interaction]:
        """Those of ``interactions`` that took place: dated on or before today."""
        today = self.today
        return [i for i in interactions if i.date <= today]

    # -- where you stand, as of today -------------------------------------------------------

    def standing(self, slug: str) -> Relationship:
        """Where you stand with one person: last contact, next touch-point, favours, time."""
        found = self._standing.get(slug)
        if found is None:
            found = relationship(
                self.people[slug], self.timelines.get(slug, ()), self.settings, self.today
            )
            self._standing[slug] = found
        return found

    def last_contact(self, slug: str) -> dt.date | None:
        """The person's last contact: ``standing(slug).last_contact``, worked out alone."""
        if slug in self._standing:
            return self._standing[slug].last_contact
        return last_contact(self.people[slug], self.timelines.get(slug, ()), self.today)

    def standings(self, among: People | None = None) -> dict[str, Relationship]:
        """Where you stand with everyone (``among``, when given)."""
        people = self.people if among is None else among
        known = self._standing
        if any(slug not in known for slug in people):
            timelines, settings, today = self.timelines, self.settings, self.today
            for slug, person in people.items():
                if slug not in known:
                    timeline = timelines.get(slug, ())
                    known[slug] = relationship(person, timeline, settings, today)
        return {slug: known[slug] for slug in people}

    def due(self, within_days: int = 0, among: People | None = None) -> list[Relationship]:
        """Everyone overdue or due within ``within_days``: most overdue first, then closest."""
        people = self.people if among is None else among
        return due_first(people, self.standings(people), within_days)

    def birthdays(self, within_days: int, among: People | None = None) -> list[BirthdaySoon]:
        """Birthdays from today to ``within_days`` ahead, soonest first."""
        people = self.people if among is None else among
        return upcoming_birthdays(people.values(), self.today, within_days)

    def favour_ledger(
        self, among: People | None = None
    ) -> tuple[list[Relationship], list[Relationship]]:
        """(Those who owe you, those you owe), largest balance first."""
        return by_balance(self.standings(among))

    # -- relations and introductions ----------------------------------------------------------

    @cached_property
    def relations_written(self) -> dict[str, list[tuple[str, str]]]:
        """Each person's relations as written on their page: (type, slug), resolved, each
        pair once, never themselves."""
        found: dict[str, list[tuple[str, str]]] = {}
        for slug, person in self.people.items():
            pairs: dict[tuple[str, str], None] = {}
            for kind, targets in person.relations:
                for target in targets:
                    other = self.person(target)
                    if other is not None and other != slug:
                        pairs[kind, other] = None
            if pairs:
                found[slug] = list(pairs)
        return found

    @cached_property
    def inverse(self) -> dict[str, list[tuple[str, str]]]:
        """For each person, the relations others wrote about them, as (type seen from them,
        slug). Jane ``reports_to: [john]`` gives John ``("manages", "jane")``; a type with
        no known inverse comes back as ``"<type> (of)"``, so both pages show the link."""
        found: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for slug, pairs in self.relations_written.items():
            for kind, other in pairs:
                found[other].append((RELATION_INVERSES.get(kind, f"{kind} (of)"), slug))
        return dict(found)

    def relations(self, slug: str, among: People | None = None) -> list[tuple[str, list[str]]]:
        """(type, slugs): the person's relations and those others wrote about them, each
        person once per type, written ones first; only people ``among``, when given."""
        grouped: dict[str, list[str]] = defaultdict(list)
        for kind, other in (*self.relations_written.get(slug, ()), *self.inverse.get(slug, ())):
            if among is None or other in among:
                grouped[kind].append(other)
        return [(kind, list(dict.fromkeys(slugs))) for kind, slugs in grouped.items()]

    @cached_property
    def introducer(self) -> dict[str, str]:
        """Who introduced each person, by slug (nobody introduces themselves)."""
        found: dict[str, str] = {}
        for slug, person in self.people.items():
            if person.introduced_by:
                other = self.person(person.introduced_by)
                if other is not None and other != slug:
                    found[slug] = other
        return found

    @cached_property
    def introduced(self) -> dict[str, list[str]]:
        """Whom each person introduced you to, in the order of the people."""
        found: dict[str, list[str]] = defaultdict(list)
        for slug, introducer in self.introducer.items():
            found[introducer].append(slug)
        return dict(found)

    def introductions(self, slug: str, among: People | None = None) -> list[str]:
        """Whom ``slug`` introduced you to (only people ``among``, when given)."""
        return [s for s in self.introduced.get(slug, ()) if among is None or s in among]

    def chain(self, slug: str, among: People | None = None) -> tuple[str, ...]:
        """Who introduced the person, who introduced them, and so on; it stops at someone
        not ``among`` (when given) and never goes round a cycle."""
        chain: list[str] = []
        current = slug
        while (introducer := self.introducer.get(current)) is not None:
            if introducer == slug or introducer in chain:
                break
            if among is not None and introducer not in among:
                break
            chain.append(introducer)
            current = introducer
        return tuple(chain)

    # -- mentions and organisations -----------------------------------------------------------

    @cached_property
    def mentions(self) -> dict[str, list[tuple[str, str]]]:
        """Person → [(kind, slug)] of the public records whose notes link to them."""
        return _mentions(self.network, self.index, self.public, self._memo)

    def organisation_groups(
        self, among: People | None = None
    ) -> tuple[dict[str, OrgFacts], dict[str, str]]:
        """(Organisations by slug, person → organisation slug) for the people ``among``
        (everyone when None): every orgs/ file, and one group per other name they give."""
        if among is self.public:
            return self._public_organisations
        return _organisations(self.people if among is None else among, self.network, self.index)

    @cached_property
    def _public_organisations(self) -> tuple[dict[str, OrgFacts], dict[str, str]]:
        return _organisations(self.public, self.network, self.index)

    @property
    def organisations(self) -> dict[str, OrgFacts]:
        """The site's organisation pages by slug: every orgs/ file, and every other name
        public people give."""
        return self._public_organisations[0]

    @property
    def person_org(self) -> dict[str, str]:
        """Public person → the slug of their organisation's page."""
        return self._public_organisations[1]

    @cached_property
    def last_updated(self) -> dict[str, dt.date]:
        """Public person → the day their file was last committed (when known)."""
        updated = self._updated or {}
        return {
            slug: updated[p.source.path]
            for slug, p in self.public.items()
            if p.source.path in updated
        }


def _organisations(
    people: People, network: Network, index: Index
) -> tuple[dict[str, OrgFacts], dict[str, str]]:
    """A person's organisation is the orgs/ file ``Index.organisation_named`` names, else
    the group of everyone who writes the same name (``organisation_key``: "Acme" and
    "ACME Inc." are one page, named as the first person spells it)."""
    pages: dict[str, OrgFacts] = {
        slug: OrgFacts(slug, org.name, org) for slug, org in network.organisations.items()
    }
    by_name: dict[str, str] = {}
    person_org: dict[str, str] = {}
    spelt: dict[str, str] = {}  # as written → its page: 10,000 people, a few hundred names
    for slug, person in people.items():
        written = person.organization
        if not written:
            continue
        org_slug = spelt.get(written)
        if org_slug is None:
            org_slug = index.organisation_named(written)
        if org_slug is None:
            key = organisation_key(written)
            org_slug = by_name.get(key)
            if org_slug is None:
                base = slugify(written, max_length=80) or "organisation"
                org_slug, number = base, 1
                while org_slug in pages:
                    number += 1
                    org_slug = f"{base}-{number}"
                pages[org_slug] = OrgFacts(org_slug, written, None)
                by_name[key] = org_slug
        spelt[written] = org_slug
        pages[org_slug].people.append(slug)
        person_org[slug] = org_slug
    return pages, person_org


def _mentions(
    network: Network,
    index: Index,
    public: People,
    memo: dict[str, Any] | None = None,
) -> dict[str, list[tuple[str, str]]]:
    """Who is mentioned where: wikilinks in public notes of people and organisations.

    ``memo``: each record's targets from the last call, reused for the same record
    (object) while every link resolves the same way (equal ``index.key()``)."""
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    sources: list[tuple[str, str, Person | Organisation]] = [
        ("person", slug, p) for slug, p in public.items()
    ]
    sources += [("organisation", slug, o) for slug, o in network.organisations.items()]
    known: dict[int, tuple[object, list[str]]] = {}
    fresh: dict[int, tuple[object, list[str]]] = {}
    if memo is not None:
        key = index.key()
        if memo.get("key") == key:
            known = memo["found"]
        memo["key"], memo["found"] = key, fresh
    for kind, slug, record in sources:
        hit = known.get(id(record))
        targets = hit[1] if hit and hit[0] is record else _targets(record, index)
        fresh[id(record)] = (record, targets)
        for target in targets:
            found[target].append((kind, slug))
    return dict(found)


def _targets(record: Person | Organisation, index: Index) -> list[str]:
    """The people the public notes of ``record`` link to, each once, in order."""
    # Imported here: the notes module loads Python-Markdown, which `check` never needs.
    from netkb.core.notes import public_wikilinks

    targets: list[str] = []
    for link_target in public_wikilinks(record.body):
        resolution = index.resolve(link_target)
        target = resolution.slug
        if (
            resolution.kind == "person"
            and target
            and target != record.slug
            and target not in targets
        ):
            targets.append(target)
    return targets
