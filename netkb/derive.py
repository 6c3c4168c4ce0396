"""Facts derived from the records, shared by the site and the commands (DESIGN.md §6 link)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slugify import slugify

from netkb.links import Index, inverse_relations, name_key
from netkb.notes import public_wikilinks
from netkb.records import Interaction, Network, Organisation, Person


@dataclass(slots=True)
class OrgFacts:
    """An organisation as the site shows it: named by people, described by an orgs/ file."""

    slug: str
    name: str
    record: Organisation | None
    people: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Facts:
    """Everything the pages need beyond the records themselves. Private people are left out."""

    network: Network
    index: Index
    public: dict[str, Person]
    interactions: dict[str, list[Interaction]]  # person → newest first
    last_contact: dict[str, dt.date]
    inverse: dict[str, list[tuple[str, str]]]
    introduced: dict[str, list[str]]
    mentions: dict[str, list[tuple[str, str]]]  # person → [(kind, slug)] of records naming them
    organisations: dict[str, OrgFacts]
    person_org: dict[str, str]
    last_updated: dict[str, dt.date] = field(default_factory=dict)  # person → last commit


def derive(
    network: Network,
    updated: Mapping[Path, dt.date] | None = None,
    *,
    index: Index | None = None,
    mentions: dict[str, list[tuple[str, str]]] | None = None,
    memo: dict[str, Any] | None = None,
) -> Facts:
    """Link the network: inverses, introductions, timelines, mentions, organisation pages.

    ``updated``: the date each file was last committed (``netkb.history.last_updated``).
    ``index`` and ``mentions``, when given, are this network's (``netkb serve`` keeps
    them when an edit cannot change them); they are not copied. ``memo`` keeps whom
    each record's notes mention from one call to the next (an empty dict to start).
    """
    people = network.people
    if index is None:
        index = Index(people, network.organisations)
    public = {slug: p for slug, p in people.items() if not p.private}
    interactions: dict[str, list[Interaction]] = defaultdict(list)
    for interaction in network.interactions:
        for reference in interaction.with_:
            slug = index.person(reference)
            if slug is not None:
                interactions[slug].append(interaction)
    last_contact: dict[str, dt.date] = {}
    for slug, person in people.items():
        timeline = interactions.get(slug, [])
        timeline.reverse()  # newest first; network.interactions is oldest first
        dates = [d for d in (person.last_contact, timeline[0].date if timeline else None) if d]
        if dates:
            last_contact[slug] = max(dates)
    introduced: dict[str, list[str]] = defaultdict(list)
    for slug, person in public.items():
        if person.introduced_by:
            introducer = index.person(person.introduced_by)
            if introducer is not None and introducer != slug:
                introduced[introducer].append(slug)
    organisations, person_org = _organisations(public, network.organisations, index)
    return Facts(
        network=network,
        index=index,
        public=public,
        interactions=dict(interactions),
        last_contact=last_contact,
        inverse=inverse_relations(public),
        introduced=dict(introduced),
        mentions=_mentions(network, index, public, memo) if mentions is None else mentions,
        organisations=organisations,
        person_org=person_org,
        last_updated={
            slug: updated[p.source.path]
            for slug, p in public.items()
            if updated and p.source.path in updated
        },
    )


def _organisations(
    public: Mapping[str, Person], records: Mapping[str, Organisation], index: Index
) -> tuple[dict[str, OrgFacts], dict[str, str]]:
    pages: dict[str, OrgFacts] = {
        slug: OrgFacts(slug, org.name, org) for slug, org in records.items()
    }
    by_name: dict[str, str] = {}
    person_org: dict[str, str] = {}
    for slug, person in public.items():
        if not person.organization:
            continue
        org_slug = index.organisation_of(person.organization)
        if org_slug is None:
            key = name_key(person.organization)
            org_slug = by_name.get(key)
            if org_slug is None:
                base = slugify(person.organization, max_length=80) or "organisation"
                org_slug, number = base, 1
                while org_slug in pages:
                    number += 1
                    org_slug = f"{base}-{number}"
                pages[org_slug] = OrgFacts(org_slug, person.organization, None)
                by_name[key] = org_slug
        pages[org_slug].people.append(slug)
        person_org[slug] = org_slug
    return pages, person_org


def _mentions(
    network: Network,
    index: Index,
    public: Mapping[str, Person],
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
