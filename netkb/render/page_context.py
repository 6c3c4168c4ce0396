"""What every page family receives: the facts, the settings, the template environment,
links between pages, and where to report the pages it makes (``PageContext``).

A page family (``record_pages``, ``index_pages``, ``network_pages``, ``map_pages``) is
a function of a ``PageContext`` that returns ``{path: Markdown}``; ``render`` runs them
in turn. None of them knows about the others or about the runner.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import posixpath
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from netkb.core.notes import NoteRenderer, Target, public_text
from netkb.core.privacy import public_fields
from netkb.core.records import Birthday, Cadence, Interaction, Organisation, Person, Settings
from netkb.core.references import name_key
from netkb.link.derive import Facts
from netkb.link.followups import CIRCLE_NAMES, NOT_PLACED, FollowUp
from netkb.network.budget import duration
from netkb.render import escape
from netkb.render.blocks import mark, one_block
from netkb.render.sandbox import Sandbox
from netkb.render.template_cache import bytecode_cache
from netkb.render.urls import SiteUrls, org_page, person_page, value_slug

# netkb's own page templates (not the partials they import, whose names start with "_").
NETKB_TEMPLATES = frozenset(
    path.name for path in (Path(__file__).parent.parent / "templates").glob("[!_]*.md.j2")
)


class Notes:
    """A record's notes as a template of the KB's own sees them: ``L.notes`` renders their
    public part; printed, they are that part as plain text (never the ``## Private``
    part, whatever the template does with them: ``_raw`` is out of the sandbox's reach)."""

    __slots__ = ("_raw",)

    def __init__(self, raw: str) -> None:
        self._raw = raw

    def __str__(self) -> str:
        return public_text(self._raw)

    def __repr__(self) -> str:
        return str(self)

    def __bool__(self) -> bool:
        return bool(str(self).strip())


_RECORDS = (Person, Organisation, Interaction)


# What a template of the KB's own may read of the facts: the people the site shows.
FACTS_SHOWN = frozenset({"public", "organisations", "settings", "today"})


class KbSandbox(Sandbox):
    """The sandbox (``render/sandbox.py``), for a KB with templates of its own: a record
    shows only what may be shown (``body`` is ``Notes``, ``extra`` the public fields),
    and of the facts only ``FACTS_SHOWN`` (``facts.network`` holds private people)."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, _RECORDS) and attr in ("body", "extra"):
            return False  # only through ``getattr`` below (not ``attr``, not ``[...]``)
        if isinstance(obj, Facts) and attr not in FACTS_SHOWN:
            return False
        if isinstance(obj, PageContext) and attr in ("facts", "env", "notes"):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, _RECORDS):
            if attribute == "body":
                return Notes(obj.body)
            if attribute == "extra":
                return tuple(public_fields(obj.extra))
        return super().getattr(obj, attribute)


def _finalize(value: Any) -> Any:
    """Everything a template prints is text unless a helper built it as Markup."""
    if value is None:
        return ""
    return value if isinstance(value, Markup) else escape.text(value)


def environment(kb_templates: Path | None) -> jinja2.Environment:
    """Templates from the KB's templates/ first, then netkb's own, by file name."""
    loaders: list[jinja2.BaseLoader] = []
    overridden: set[str] = set()
    if kb_templates is not None and kb_templates.is_dir():
        loaders.append(jinja2.FileSystemLoader(kb_templates))
        overridden = {p.relative_to(kb_templates).as_posix() for p in kb_templates.rglob("*.j2")}
    loaders.append(jinja2.PackageLoader("netkb", "templates"))
    # A template of the KB's own is hostile input (a pull request can change it): in the
    # sandbox, `cycler.__init__.__globals__.os` and its like are refused, so it cannot
    # run code. netkb's own templates alone need no sandbox (and render faster without).
    # (Whenever templates/ exists: a file system that ignores case finds PERSON.MD.J2 too.)
    kind = KbSandbox if kb_templates is not None and kb_templates.is_dir() else jinja2.Environment
    env = kind(
        loader=jinja2.ChoiceLoader(loaders),
        finalize=_finalize,
        autoescape=False,  # pages are Markdown with HTML blocks: _finalize escapes for both
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        # Templates do not change during one render (serve makes a new environment per
        # update), so looking one up need not stat its file: thousands of pages use each.
        auto_reload=False,
    )
    env.bytecode_cache = bytecode_cache("pages", env)  # compiled once, kept; not a sandbox's
    # netkb's own templates write headings over HTML blocks (blocks.py); the KB's may not.
    # A partial of its own (_photo.md.j2, …) may be in any page: then none is marked.
    partials = any(posixpath.basename(name).startswith("_") for name in overridden)
    env.extend(netkb_own=frozenset() if partials else frozenset(NETKB_TEMPLATES - overridden))
    env.filters["date"] = lambda d: d.isoformat() if d else ""
    env.filters["count"] = _count
    env.filters["yaml"] = _front_matter_value
    env.filters["duration"] = duration
    env.globals.update(
        mailto=lambda email: escape.link(email, escape.mailto(email)),
        tel=lambda phone: escape.link(phone, escape.tel(phone)),
        external=escape.external,
        birthday=_birthday,
        interval=_interval,
        due_text=due_text,
        balance_text=balance_text,
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


# -- groups of people and their page slugs ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Group:
    """People who share a tag or an expertise, under its first spelling."""

    name: str
    people: tuple[str, ...]  # slugs, in the order of the people


def groups(people: Iterable[Person], values: Callable[[Person], Iterable[str]]) -> list[Group]:
    """People grouped by each value they have (spelling, case and accents aside),
    the biggest group first."""
    members: dict[str, list[str]] = defaultdict(list)
    names: dict[str, str] = {}
    for person in people:
        seen: set[str] = set()  # tagged "Golf" and "golf", a person counts once
        for value in values(person):
            key = name_key(value)
            if key not in seen:
                seen.add(key)
                names.setdefault(key, value)
                members[key].append(person.slug)
    ordered = sorted(members, key=lambda k: (-len(members[k]), k))
    return [Group(names[key], tuple(members[key])) for key in ordered]


class Slugs:
    """Unique page slugs within one folder (C++ and C must not share tags/c.md).

    Given out up front in the order of ``values``, so every page agrees on them
    whichever renders first (``netkb serve`` renders only some).
    """

    def __init__(self, values: Iterable[str] = ()) -> None:
        self.by_value: dict[str, str] = {}
        self.taken: set[str] = set()
        for value in values:
            self(value)

    def __call__(self, value: str) -> str:
        key = name_key(value)
        if key not in self.by_value:
            base = value_slug(value)
            slug, number = base, 1
            while slug in self.taken:
                number += 1
                slug = f"{base}-{number}"
            self.taken.add(slug)
            self.by_value[key] = slug
        return self.by_value[key]


# -- the context --------------------------------------------------------------------------------


@dataclass
class PageContext:
    """What page families share while the site renders.

    ``only(path)`` false: the page is listed in ``all_paths`` but not rendered
    (``netkb serve`` re-renders just the pages an edit touched). ``working`` false
    leaves out what is about working the network (follow-ups, favours, time).
    """

    facts: Facts
    env: jinja2.Environment
    only: Callable[[str], bool] = lambda path: True
    working: bool = True
    all_paths: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.urls = SiteUrls(self.settings.use_directory_urls)
        self.notes = NoteRenderer()
        self._linkers: dict[str, Linker] = {}

    @property
    def settings(self) -> Settings:
        """``extra.netkb`` and the MkDocs settings the pages depend on."""
        return self.facts.settings

    @property
    def today(self) -> dt.date:
        """The day the pages count from."""
        return self.facts.today

    @property
    def public(self) -> dict[str, Person]:
        """The people the site shows."""
        return self.facts.public

    def wanted(self, path: str) -> bool:
        """List the page; whether to render it (``only``)."""
        self.all_paths.add(path)
        return self.only(path)

    def render(self, template: str, linker: Linker, **context: Any) -> str:
        """A template rendered with the shared names (``L``, ``site``, ``facts``, …);
        marked as headings over HTML blocks when it is netkb's own (``blocks.mark``)."""
        page = self.env.get_template(template).render(
            L=linker,
            site=self,
            facts=self.facts,
            settings=self.settings,
            circles=CIRCLE_NAMES,
            **context,
        )
        return mark(page) if template in getattr(self.env, "netkb_own", ()) else page

    def linker(self, page: str) -> Linker:
        """Links from the generated page ``page`` (``people/jane-doe.md``) to others.

        One Linker per depth of URL, shared by every page at that depth: links from
        ``people/a.md`` and ``people/b.md`` are the same, and each is built once.
        """
        up = self.urls.up(page)
        linker = self._linkers.get(up)
        if linker is None:
            linker = self._linkers[up] = Linker(self, page)
        return linker

    @cached_property
    def tags(self) -> list[Group]:
        """Public people by tag, the biggest group first."""
        return groups(self.public.values(), lambda p: p.tags)

    @cached_property
    def topics(self) -> list[Group]:
        """Public people by expertise, the biggest group first."""
        return groups(self.public.values(), lambda p: p.expertise)

    @cached_property
    def tag_slugs(self) -> Slugs:
        """The page slug of each tag (tags/…, map/tags/…)."""
        return Slugs(g.name for g in self.tags)

    @cached_property
    def topic_slugs(self) -> Slugs:
        """The page slug of each expertise (expertise/…)."""
        return Slugs(g.name for g in self.topics)

    # -- what templates ask (as ``site``) ----------------------------------------------------

    def others(self, interaction: Interaction, exclude: str | None = None) -> list[str]:
        """The public people of an interaction, each once, without ``exclude``."""
        public = self.facts.public  # every timeline row asks: one call, not two
        return [s for s in self.facts.present(interaction) if s != exclude and s in public]

    def public_interactions(self) -> list[Interaction]:
        """Interactions with at least one public person, newest first (do not modify it)."""
        return self.facts.public_interactions

    @staticmethod
    def sorted_people(people: Iterable[Person]) -> list[Person]:
        """By name (the order of every A–Z list)."""
        return sorted(people, key=lambda p: (name_key(p.name), p.slug))

    def by_closeness(self, slugs: Iterable[str]) -> list[Person]:
        """The public people among ``slugs``, closest first, then by name."""
        people = [self.public[s] for s in slugs if s in self.public]
        return sorted(people, key=lambda p: (p.circle or NOT_PLACED, name_key(p.name), p.slug))

    def org_people(self, slugs: Iterable[str]) -> list[Person]:
        """An organisation's people: decision-makers first, then by closeness."""
        return sorted(self.by_closeness(slugs), key=lambda p: not p.decision_maker)


class Linker:
    """HTML links from one page (``here``, a docs path) to others, with their final URLs.

    Any page at the same depth of URL may share it: the links are relative.
    """

    def __init__(self, context: PageContext, page: str) -> None:
        self.context = context
        self.facts = context.facts
        self.here = page
        # The same people are linked from many pages: build each link once.
        self._people: dict[str, Markup] = {}
        self._summaries: dict[str, Markup] = {}

    def person(self, slug: str, label: str | None = None) -> Markup:
        """A link to a public person's page; a private person is text, never a link."""
        if label is None and slug in self._people:
            return self._people[slug]
        person = self.facts.public.get(slug)
        if person is None:
            return escape.text(label or "(private)")
        link = self.to(person_page(slug), label or person.name)
        if label is None:
            self._people[slug] = link
        return link

    def org(self, slug: str, label: str | None = None) -> Markup:
        """A link to an organisation's page."""
        org = self.facts.organisations[slug]
        return self.to(org_page(slug), label or org.name)

    def org_of(self, person: Person) -> Markup:
        """A link to the page of the person's organisation, under the name they give."""
        slug = self.facts.person_org.get(person.slug)
        return self.org(slug, person.organization) if slug else escape.text("")

    def tag(self, tag: str) -> Markup:
        """A link to the page of a tag."""
        return self.to(f"tags/{self.context.tag_slugs(tag)}.md", tag)

    def topic(self, topic: str) -> Markup:
        """A link to the page of an expertise."""
        return self.to(f"expertise/{self.context.topic_slugs(topic)}.md", topic)

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
            parts.append(Markup(" · <strong>decision-maker</strong>"))
        return Markup("").join(parts)

    def page(self, path: str, label: str) -> Markup:
        """A link to any generated page by its path (``budget.md``)."""
        return self.to(path, label)

    def to(self, path: str, label: object) -> Markup:
        """An HTML link to the generated page ``path`` (``people/jane.md``, may end in
        ``#fragment``) with its final URL, percent-encoded.

        Slugs come from file names, which other people choose: whatever they hold, the
        target stays one URL path.
        """
        return escape.link(label, self.url(path))

    def url(self, path: str) -> str:
        """The URL of the generated page ``path`` from this page (``../people/jane.html``)."""
        return self.context.urls.between(self.here, path)

    def image(self, path: str, alt: object = "") -> Markup:
        """An ``<img>`` of the file ``path`` of the site (``photos/jane.jpg``)."""
        return escape.image(quote(self.context.urls.up(self.here) + path, safe="/.-_~"), alt)

    def notes(self, body: str | Notes, page: str | None = None) -> Markup:
        """The public part of a record's notes as sanitised HTML, wikilinks resolved.

        ``page`` is the generated page the notes appear on (``people/jane-doe.md``; by
        default this Linker's); the links in them are made relative to it. The HTML is
        a block of its own, which Markdown passes through untouched.
        """
        here = page or self.here
        fragment = self.context.notes.html(
            body._raw if isinstance(body, Notes) else body,
            resolve=self._wikilink_page,
            page_url=lambda target: self.context.urls.between(here, target),
        )
        if not fragment.strip():
            return Markup("")
        return Markup(f'<div class="netkb-notes">\n{one_block(fragment.strip())}\n</div>\n')

    def _wikilink_page(self, target: str) -> Target | None:
        facts = self.facts
        resolution = facts.index.resolve(target)
        slug = resolution.slug
        if resolution.kind == "person" and slug in facts.public:
            return Target(person_page(slug), facts.public[slug].name)
        if resolution.kind == "organisation" and slug in facts.organisations:
            return Target(org_page(slug), facts.organisations[slug].name)
        return None
