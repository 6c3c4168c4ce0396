"""Render the site's Markdown pages from the linked network with Jinja2 templates."""

from __future__ import annotations

import datetime as dt
import html
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup
from slugify import slugify

from netkb import clock, escape
from netkb.derive import Facts
from netkb.links import name_key
from netkb.network_pages import NetworkPages
from netkb.notes import NoteRenderer, Target
from netkb.privacy import public_fields
from netkb.records import RELATION_INVERSES, Birthday, Cadence, Interaction, Person
from netkb.urls import SiteUrls

CIRCLES = {1: "inner circle", 2: "close", 3: "regular", 4: "occasional", 5: "acquaintance"}
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
# An index page lists everyone on it up to this size; above it, a page per letter.
SMALL_INDEX = 400
RECENT = 12


def _finalize(value: Any) -> Any:
    """Everything a template prints is text unless a helper built it as Markup."""
    if value is None:
        return ""
    return value if isinstance(value, Markup) else escape.text(value)


def environment(kb_templates: Path | None) -> jinja2.Environment:
    """Templates from the KB's templates/ first, then netkb's own, by file name."""
    loaders: list[jinja2.BaseLoader] = []
    if kb_templates is not None and kb_templates.is_dir():
        loaders.append(jinja2.FileSystemLoader(kb_templates))
    loaders.append(jinja2.PackageLoader("netkb", "templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        finalize=_finalize,
        autoescape=False,  # Markdown, not HTML: _finalize escapes for both
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        # Templates do not change during one render (serve makes a new environment per
        # update), so looking one up need not stat its file: thousands of pages use each.
        auto_reload=False,
    )
    env.filters["date"] = lambda d: d.isoformat() if d else ""
    env.filters["count"] = _count
    env.filters["yaml"] = _front_matter_value
    env.globals.update(
        mailto=lambda email: escape.link(email, escape.mailto(email)),
        tel=lambda phone: escape.link(phone, escape.tel(phone)),
        external=escape.external,
        birthday=_birthday,
        interval=_interval,
    )
    return env


def _front_matter_value(value: object) -> Markup:
    """A front matter value such as the page title, as literal text.

    Themes print ``page.meta.title`` as HTML (Material's <title> and header) and MkDocs
    puts it in the search index, so it is HTML-escaped here; a JSON string is a valid YAML
    scalar, whatever the text.
    """
    shown = html.escape(" ".join(str(value).split()))
    return Markup(json.dumps(shown, ensure_ascii=False))


def _birthday(birthday: Birthday) -> str:
    day = dt.date(2000, birthday.month, birthday.day).strftime("%-d %B")
    return f"{day} {birthday.year}" if birthday.year else day


def _interval(cadence: Cadence) -> str:
    unit = {"d": "day", "w": "week", "m": "month", "y": "year"}[cadence.unit]
    return unit if cadence.count == 1 else f"{cadence.count} {unit}s"


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number:,} {singular if number == 1 else plural or singular + 's'}"


class Slugs:
    """Unique page slugs within one folder (C++ and C must not share tags/c.md)."""

    def __init__(self) -> None:
        self.by_value: dict[str, str] = {}
        self.taken: set[str] = set()

    def __call__(self, value: str) -> str:
        key = name_key(value)
        if key not in self.by_value:
            base = slugify(value, max_length=80) or "x"
            slug, number = base, 1
            while slug in self.taken:
                number += 1
                slug = f"{base}-{number}"
            self.taken.add(slug)
            self.by_value[key] = slug
        return self.by_value[key]


class Linker:
    """Links from one page (``base`` is the way back to the site root) to others."""

    def __init__(self, site: SiteRenderer, base: str) -> None:
        self.site = site
        self.base = base
        # The same people are linked from many pages: build each link once.
        self._people: dict[str, Markup] = {}
        self._summaries: dict[str, Markup] = {}

    def person(self, slug: str, label: str | None = None) -> Markup:
        if label is None and slug in self._people:
            return self._people[slug]
        person = self.site.facts.public.get(slug)
        if person is None:
            return escape.text(label or "(private)")
        link = self.to(f"people/{slug}.md", label or person.name)
        if label is None:
            self._people[slug] = link
        return link

    def org(self, slug: str, label: str | None = None) -> Markup:
        org = self.site.facts.organisations[slug]
        return self.to(f"orgs/{slug}.md", label or org.name)

    def org_of(self, person: Person) -> Markup:
        slug = self.site.facts.person_org.get(person.slug)
        return self.org(slug, person.organization) if slug else escape.text("")

    def tag(self, tag: str) -> Markup:
        return self.to(f"tags/{self.site.tag_slugs(tag)}.md", tag)

    def topic(self, topic: str) -> Markup:
        return self.to(f"expertise/{self.site.topic_slugs(topic)}.md", topic)

    def summary(self, person: Person) -> Markup:
        """A one-line description of a person for lists: name, role at organisation, circle."""
        if person.slug not in self._summaries:
            self._summaries[person.slug] = self._summary(person)
        return self._summaries[person.slug]

    def _summary(self, person: Person) -> Markup:
        parts = [self.person(person.slug)]
        position = " at ".join(
            str(x)
            for x in (
                escape.text(person.role) if person.role else None,
                self.org_of(person) if person.organization else None,
            )
            if x
        )
        if position:
            parts.append(Markup(" — ") + Markup(position))
        if person.circle:
            parts.append(Markup(" · circle ") + escape.text(person.circle))
        if person.decision_maker:
            parts.append(Markup(" · **decision-maker**"))
        return Markup("").join(parts)

    def page(self, path: str, label: str) -> Markup:
        return self.to(path, label)

    def to(self, path: str, label: object) -> Markup:
        """A Markdown link to the generated page ``path``, its target percent-encoded.

        Slugs come from file names, which other people choose: whatever they hold, the
        target stays one URL path (MkDocs decodes it to find the page).
        """
        return escape.link(label, self.base + quote(path, safe="/.-_~#"))

    def notes(self, body: str, page: str | None = None) -> Markup:
        """The public part of a record's notes as sanitised HTML, wikilinks resolved.

        ``page`` is the generated page the notes appear on (``people/jane-doe.md``); the
        links in them are made relative to it. The HTML is a block of its own, which
        Markdown passes through untouched.
        """
        here = page or f"{self.base.count('../') * 'x/'}x.md"
        fragment = self.site.notes.html(
            body,
            resolve=self._wikilink_page,
            page_url=lambda target: self.site.urls.between(here, target),
        )
        if not fragment.strip():
            return Markup("")
        return Markup(f'<div class="netkb-notes">\n{fragment.strip()}\n</div>\n')

    def _wikilink_page(self, target: str) -> Target | None:
        facts = self.site.facts
        resolution = facts.index.resolve(target)
        slug = resolution.slug
        if resolution.kind == "person" and slug in facts.public:
            return Target(f"people/{slug}.md", facts.public[slug].name)
        if resolution.kind == "organisation" and slug in facts.organisations:
            return Target(f"orgs/{slug}.md", facts.organisations[slug].name)
        return None


class SiteRenderer:
    """Turns Facts into ``{relative path: Markdown}`` for every page of the site."""

    def __init__(
        self,
        facts: Facts,
        kb_templates: Path | None = None,
        only: Callable[[str], bool] | None = None,
        today: dt.date | None = None,
        working: bool = True,
    ) -> None:
        self.facts = facts
        # ``only(path)`` false: the page is listed in ``all_paths`` but not rendered
        # (``netkb serve`` re-renders just the pages an edit touched).
        self.only = only or (lambda path: True)
        self.all_paths: set[str] = set()
        self.env = environment(kb_templates)
        self.tag_slugs = Slugs()
        self.topic_slugs = Slugs()
        self._public_interactions: list[Interaction] | None = None
        self.urls = SiteUrls(facts.network.settings.use_directory_urls)
        self.notes = NoteRenderer()
        self.top = Linker(self, "")
        self.inner = Linker(self, "../")
        # The pages about working the network (follow-ups, favours, budget, map, connectors)
        # as of ``today``; ``working=False`` leaves them out (the benchmark compares both).
        self.work = NetworkPages(self, clock.today(today)) if working else None

    def render(self, template: str, linker: Linker, **context: Any) -> str:
        return self.env.get_template(template).render(
            L=linker,
            site=self,
            facts=self.facts,
            settings=self.facts.network.settings,
            circles=CIRCLES,
            **context,
        )

    def pages(self, progress: Callable[[int, int], None] | None = None) -> dict[str, str]:
        """Every page of the site by path relative to the docs folder.

        ``progress(done, total)`` is called now and then while person pages render.
        """
        pages = self.record_pages(progress)
        pages.update(self._people_index())
        pages.update(self._grouped("tags", "tag", self.tag_slugs, lambda p: p.tags))
        pages.update(self._grouped("expertise", "topic", self.topic_slugs, lambda p: p.expertise))
        pages.update(self._circles())
        pages.update(self._journal())
        pages["organisations.md"] = self.render(
            "organisations.md.j2",
            self.top,
            organisations=sorted(self.facts.organisations.values(), key=lambda o: name_key(o.name)),
        )
        if self.work is not None:
            pages.update(self.work.pages())
        pages["index.md"] = self.render(
            "home.md.j2",
            self.top,
            recent=self.public_interactions()[:RECENT],
            dashboard=self.work.home() if self.work else None,
        )
        self.all_paths.update(pages)
        return pages

    def record_pages(self, progress: Callable[[int, int], None] | None = None) -> dict[str, str]:
        """The pages of people and organisations that ``only`` wants (no summary pages)."""
        pages: dict[str, str] = {}
        total = len(self.facts.public)
        for number, person in enumerate(self.sorted_people(self.facts.public.values()), 1):
            if progress and (number % 250 == 0 or number == total):
                progress(number, total)
            path = f"people/{person.slug}.md"
            self.all_paths.add(path)
            if not self.only(path):
                continue
            pages[path] = self.render(
                "person.md.j2", self.inner, p=person, **self.person_context(person)
            )
        for slug, org in self.facts.organisations.items():
            path = f"orgs/{slug}.md"
            self.all_paths.add(path)
            if self.only(path):
                pages[path] = self.render(
                    "organisation.md.j2", self.inner, org=org, people=self.org_people(org.people)
                )
        return pages

    # -- the parts of pages ------------------------------------------------------------

    @staticmethod
    def sorted_people(people: Iterable[Person]) -> list[Person]:
        return sorted(people, key=lambda p: (name_key(p.name), p.slug))

    def by_closeness(self, slugs: Iterable[str]) -> list[Person]:
        people = [self.facts.public[s] for s in slugs if s in self.facts.public]
        return sorted(people, key=lambda p: (p.circle or 6, name_key(p.name), p.slug))

    def org_people(self, slugs: Iterable[str]) -> list[Person]:
        return sorted(self.by_closeness(slugs), key=lambda p: not p.decision_maker)

    def relations_of(self, person: Person) -> list[tuple[str, list[str]]]:
        """Relations written on this page and by others about this person, deduplicated."""
        grouped: dict[str, list[str]] = defaultdict(list)
        index = self.facts.index
        for kind, targets in person.relations:
            for target in targets:
                slug = index.person(target)
                if slug in self.facts.public and slug != person.slug:
                    grouped[kind].append(slug)
        for kind, slug in self.facts.inverse.get(person.slug, []):
            grouped[kind].append(slug)
        ordered = sorted(grouped.items(), key=lambda kv: _relation_order(kv[0]))
        return [
            (_relation_label(kind), list(dict.fromkeys(slugs))) for kind, slugs in ordered if slugs
        ]

    def introduction_chain(self, person: Person) -> list[str]:
        """Who introduced this person, who introduced them, and so on (cycles stop it)."""
        chain: list[str] = []
        current = person
        while current.introduced_by:
            slug = self.facts.index.person(current.introduced_by)
            if slug is None or slug in chain or slug == person.slug:
                break
            if slug not in self.facts.public:
                break
            chain.append(slug)
            current = self.facts.public[slug]
        return chain

    def person_context(self, person: Person) -> dict[str, Any]:
        facts = self.facts
        timeline = facts.interactions.get(person.slug, [])
        return {
            "org_slug": facts.person_org.get(person.slug),
            "relations": self.relations_of(person),
            "chain": self.introduction_chain(person),
            "introduced": self.sorted_people(
                facts.public[s] for s in facts.introduced.get(person.slug, [])
            ),
            "timeline": timeline,
            "last_contact": facts.last_contact.get(person.slug),
            "last_updated": facts.last_updated.get(person.slug),
            "standing": self.work.standing.get(person.slug) if self.work else None,
            "mentions": facts.mentions.get(person.slug, []),
            "other_fields": [
                (key, _show_value(value)) for key, value in public_fields(person.extra)
            ],
            "cadence": person.cadence
            or (
                facts.network.settings.cadence_by_circle.get(person.circle)
                if person.circle
                else None
            ),
        }

    def others(self, interaction: Interaction, exclude: str | None = None) -> list[str]:
        """The public people of an interaction, by slug, without ``exclude``."""
        slugs = (self.facts.index.person(s) for s in interaction.with_)
        return [s for s in slugs if s in self.facts.public and s != exclude]

    def public_interactions(self) -> list[Interaction]:
        """Interactions with at least one public person, newest first (do not modify it)."""
        if self._public_interactions is None:  # four pages ask; 20,000 entries take a while
            interactions = reversed(self.facts.network.interactions)
            self._public_interactions = [i for i in interactions if self.others(i)]
        return self._public_interactions

    def _people_index(self) -> dict[str, str]:
        letters: dict[str, list[Person]] = defaultdict(list)
        for person in self.sorted_people(self.facts.public.values()):
            first = name_key(person.name)[:1].upper()
            letters[first if "A" <= first <= "Z" else "Other"].append(person)
        ordered = dict(sorted(letters.items(), key=lambda kv: (len(kv[0]) > 1, kv[0])))
        small = len(self.facts.public) <= SMALL_INDEX
        pages = {
            "people.md": self.render(
                "people.md.j2", self.top, letters=ordered, small=small, letter_slug=_letter_slug
            )
        }
        if not small:
            for letter, people in ordered.items():
                path = f"letters/{_letter_slug(letter)}.md"
                self.all_paths.add(path)
                if self.only(path):
                    pages[path] = self.render(
                        "letter.md.j2", self.inner, letter=letter, people=people
                    )
        return pages

    def _grouped(
        self, folder: str, kind: str, slugs: Slugs, values: Callable[[Person], Iterable[str]]
    ) -> dict[str, str]:
        groups: dict[str, list[str]] = defaultdict(list)
        names: dict[str, str] = {}
        for person in self.facts.public.values():
            for value in values(person):
                key = name_key(value)
                names.setdefault(key, value)
                groups[key].append(person.slug)
        pages = {}
        listing = []
        for key in sorted(groups, key=lambda k: (-len(groups[k]), k)):
            name = names[key]
            slug = slugs(name)
            people = self.by_closeness(groups[key])
            listing.append((name, slug, people))
            path = f"{folder}/{slug}.md"
            self.all_paths.add(path)
            if self.only(path):
                pages[path] = self.render(f"{kind}.md.j2", self.inner, name=name, people=people)
        pages[f"{folder}.md"] = self.render(f"{folder}.md.j2", self.top, groups=listing)
        return pages

    def _circles(self) -> dict[str, str]:
        groups: dict[int, list[Person]] = {n: [] for n in (*CIRCLES, 0)}
        for person in self.facts.public.values():
            groups[person.circle or 0].append(person)
        pages = {}
        for number, people in groups.items():
            people.sort(key=lambda p: (name_key(p.name), p.slug))
            path = f"circles/{number}.md"
            self.all_paths.add(path)
            if self.only(path):
                pages[path] = self.render("circle.md.j2", self.inner, number=number, people=people)
        pages["circles.md"] = self.render(
            "circles.md.j2", self.top, groups=groups, small=len(self.facts.public) <= SMALL_INDEX
        )
        return pages

    def _journal(self) -> dict[str, str]:
        months: dict[str, list[Interaction]] = defaultdict(list)
        entries = self.public_interactions()
        for interaction in entries:
            months[interaction.date.strftime("%Y-%m")].append(interaction)
        self.all_paths.update(f"journal/{month}.md" for month in months)
        pages = {
            f"journal/{month}.md": self.render(
                "journal_month.md.j2",
                self.inner,
                month=month,
                title=_month_title(month),
                entries=items,
            )
            for month, items in months.items()
            if self.only(f"journal/{month}.md")
        }
        pages["journal.md"] = self.render(
            "journal.md.j2",
            self.top,
            months=[(m, _month_title(m), len(items)) for m, items in months.items()],
            recent=entries[:50],
        )
        return pages


def _relation_order(kind: str) -> tuple[int, str]:
    order = list(RELATION_LABELS)
    return (order.index(kind) if kind in order else len(order), kind)


def _relation_label(kind: str) -> str:
    if kind in RELATION_LABELS:
        return RELATION_LABELS[kind]
    if kind.endswith(" (of)") and kind[:-5] not in RELATION_INVERSES:
        return f"{kind[:-5].replace('_', ' ').capitalize()} (of)"
    return kind.replace("_", " ").capitalize()


def _letter_slug(letter: str) -> str:
    return letter.lower()


def _month_title(month: str) -> str:
    return dt.date.fromisoformat(f"{month}-01").strftime("%B %Y")


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
