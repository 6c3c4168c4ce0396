"""Keep a built site in step with edits: reload what changed, re-render what depends on it.

``netkb serve`` calls ``LiveSite.update(changed_paths)`` after each burst of saves.
It runs the same render path as ``netkb build`` (``netkb.build.site.Generator``) with a
memory cache (only changed files are read again) and ``only`` the pages whose
content can depend on the changed records; those go to the warm builder session
(``netkb.build.builder.Session``). A file that no longer parses keeps its last good
record, so its page stays and gains a banner.
"""

from __future__ import annotations

import posixpath
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from netkb.build.builder import MkDocsSession, Session
from netkb.build.site import Generator, pages_listing
from netkb.core.problems import Problem
from netkb.core.records import Network, Organisation, Person
from netkb.core.references import find_wikilinks, name_key, slug_key
from netkb.git.repo import GitError, git
from netkb.link.derive import Facts
from netkb.load.cache import MemoryCache
from netkb.load.loader import CONFIG, PEOPLE_DIR, TEMPLATES_DIR, load_edits
from netkb.render.urls import (
    RECORD_FOLDERS,
    SUMMARIES,
    month_page,
    org_map_page,
    org_page,
    person_page,
)


@dataclass
class SiteUpdate:
    """What one update did, for the terminal and the tests."""

    problems: list[Problem]
    rendered: int = 0
    written: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    seconds: float = 0.0
    early: bool = False  # the first phase: the edited records' pages; the summaries follow
    superseded: bool = False  # newer changes came first: the next update finishes this one
    shown: frozenset[Problem] = frozenset()  # problems the first phase reported already


class LiveSite:
    """A KB's site kept up to date in memory and on disk."""

    def __init__(self, root: Path, session: Session | None = None) -> None:
        self.root = root.resolve()
        self.cache = MemoryCache(keep_last_good=True)
        self.generator = Generator(self.root, cache=self.cache)
        self.session: Session = session or MkDocsSession(self.root / CONFIG)
        self.facts: Facts | None = None
        self.paths: set[str] = set()
        self.outlined: set[str] = set()  # the connectors the maps outline
        # git dates: read again only when HEAD moves (a commit, a checkout), not on every save
        self.head = _git_head(self.root)
        # Changes whose second phase gave way to newer ones: the next update includes them.
        self.owed: set[Path] = set()
        self.owed_redated: set[Path] = set()

    def _load(self) -> Facts:
        network = self.generator.load()
        self.generator.settle(network)
        return self.generator.link(network)

    def build(self) -> SiteUpdate:
        """Everything from scratch: load, render every page, full build."""
        started = time.perf_counter()
        self.facts = None  # until this build succeeds, each update starts from scratch again
        self.owed, self.owed_redated = set(), set()
        self.generator.forget_templates()
        facts = self._load()
        rendered = self.generator.render(facts)
        self.generator.write_all(rendered.pages)
        self.session.full_build()
        self.facts, self.paths, self.outlined = facts, rendered.paths, rendered.outlined
        return SiteUpdate(
            list(facts.network.problems),
            rendered=len(rendered.pages),
            written=set(rendered.pages),
            seconds=time.perf_counter() - started,
        )

    def update(
        self,
        changed: Iterable[Path],
        publish: Callable[[SiteUpdate], None] | None = None,
        hold: Callable[[], None] | None = None,
        superseded: Callable[[], bool] | None = None,
    ) -> SiteUpdate:
        """Bring the site up to date after ``changed`` files were written or deleted.

        ``changed`` is what the watcher saw; files whose size, times or inode differ from
        the last load count as changed too, so a missed event cannot leave a page stale.

        Two phases. When ``changed`` are edits of known files, the pages of their records
        (and the people and organisations next to them) are built first and ``publish`` is
        called: the server shows them. Then everything is loaded again and every affected
        page (the summaries too) is rendered; ``hold`` is called before their HTML is
        written (the server holds requests until ``update`` returns). When ``superseded()``
        says newer changes wait, the second phase stops before it writes anything, and the
        next update does its work too.
        """
        started = time.perf_counter()
        changed = {Path(p).resolve() for p in changed} | self.owed
        if self.facts is None or any(_is_setup(self.root, p) for p in changed):
            return self.build()
        old = self.facts
        redated = self._refresh_git_dates() | self.owed_redated
        self.owed, self.owed_redated = changed, redated  # until the second phase is done

        def give_way() -> SiteUpdate | None:
            if superseded is None or not superseded():
                return None
            self.owed |= changed
            return SiteUpdate(
                first_problems,
                rendered=first_rendered,
                written=first_written,
                seconds=time.perf_counter() - started,
                superseded=True,
            )

        before = self.cache.signatures()
        try:
            first = self._preview(changed)
        except BaseException:
            self.facts = None  # the HTML may be half updated: the next change rebuilds all
            raise
        first_rendered, first_written, first_problems = first or (0, set(), [])
        shown: frozenset[Problem] = frozenset()
        if first_written and publish is not None:
            publish(
                SiteUpdate(
                    first_problems,
                    rendered=first_rendered,
                    written=first_written,
                    seconds=time.perf_counter() - started,
                    early=True,
                )
            )
            shown = frozenset(first_problems)
        if stop := give_way():
            return stop
        facts = self._load()
        after = self.cache.signatures()
        changed |= {
            self.root / key
            for key in before.keys() | after.keys()
            if before.get(key) != after.get(key)
        }
        only, prefixes = _affected_by(self.root, old, changed)
        new_only, new_prefixes = _affected_by(self.root, facts, changed)
        only |= new_only | {
            person_page(s) for s, p in facts.public.items() if p.source.path in redated
        }
        prefixes |= new_prefixes
        if stop := give_way():
            return stop
        rendered = self.generator.render(facts, only, prefixes, outlined=self.outlined)
        missing = rendered.paths - self.paths - rendered.pages.keys()
        if missing:  # a new page none of the rules foresaw: render it rather than serve a 404
            rendered = self.generator.render(
                facts, only | missing, prefixes, outlined=self.outlined
            )
        if stop := give_way():
            return stop
        removed = self.paths - rendered.paths
        written = self.generator.write_some(rendered.pages, removed)
        try:
            if written or removed:
                if hold is not None:
                    hold()
                self.session.update(written, removed)
            else:
                self.session.write_index()  # the first phase's pages
        except BaseException:
            self.facts = None  # the HTML may be half updated: the next change rebuilds all
            raise
        self.facts, self.paths, self.outlined = facts, rendered.paths, rendered.outlined
        self.owed, self.owed_redated = set(), set()
        return SiteUpdate(
            list(facts.network.problems),
            rendered=first_rendered + len(rendered.pages),
            written=written | first_written,
            removed=removed,
            seconds=time.perf_counter() - started,
            shown=shown,
        )

    def _preview(self, changed: set[Path]) -> tuple[int, set[str], list[Problem]] | None:
        """The first phase: when every path in ``changed`` is an edit of a file the last
        load read (no file new, deleted or renamed), read those again, link them into the
        last network and build the pages of people and organisations they affect.

        Returns how many pages were rendered, which were written and the problems as
        far as known, or None when this does not apply. The second phase (``update``)
        makes the site exact anyway.
        """
        assert self.facts is not None
        old = self.facts
        edited = load_edits(old.network, changed, cache=self.cache)
        if edited is None:
            return None
        # Who mentions whom depends on the notes and on names (how links resolve).
        before = _records_from(old.network, changed)
        same_links = all(
            _same_links(new, before.get(path))
            for path, new in _records_from(edited.network, changed).items()
        )
        facts = self.generator.link(
            edited.network, index=edited.index, mentions=old.mentions if same_links else None
        )
        wanted = {
            page
            for page in _affected_by(self.root, old, changed)[0]
            | _affected_by(self.root, facts, changed)[0]
            if page.startswith(tuple(f"{folder}/" for folder in RECORD_FOLDERS))
        }
        pages = self.generator.render_records(facts, wanted)
        if any(_links_to_new_pages(path, text, self.paths) for path, text in pages.items()):
            return None  # MkDocs resolves links when it builds a page: the target comes first
        written = self.generator.write_some(pages)
        if written:
            self.session.update(written, set(), write_index=False)
        return len(pages), written, list(edited.network.problems)

    def _refresh_git_dates(self) -> set[Path]:
        """Files whose last-commit date changed since HEAD last moved (shown on person pages)."""
        head = _git_head(self.root)
        if head == self.head:
            return set()
        self.head = head
        return self.generator.reread_git_dates()


def _records_from(network: Network, paths: set[Path]) -> dict[Path, Person | Organisation]:
    """The people and organisations of ``network`` read from files in ``paths``."""
    return {
        record.source.path: record
        for record in (*network.people.values(), *network.organisations.values())
        if record.source.path in paths
    }


def _same_links(new: Person | Organisation, old: Person | Organisation | None) -> bool:
    """Whether ``new`` mentions the same people as ``old`` and is named the same."""
    return (
        old is not None
        and new.body == old.body
        and new.name == old.name
        and new.aliases == old.aliases
        and getattr(new, "private", False) == getattr(old, "private", False)
    )


_PAGE_LINK = re.compile(r"\]\(([^()\s#]+\.md)(?:#[^()\s]*)?\)")


def _links_to_new_pages(page: str, text: str, known: set[str]) -> bool:
    """Whether the Markdown at ``page`` links to a page not among ``known`` ones."""
    folder = posixpath.dirname(page)
    return any(
        posixpath.normpath(posixpath.join(folder, target)) not in known
        for target in _PAGE_LINK.findall(text)
        if "://" not in target
    )


def _git_head(root: Path) -> str | None:
    try:
        return git(root, ["rev-parse", "-q", "--verify", "HEAD"]).decode().strip()
    except GitError:
        return None


def _affected_by(root: Path, facts: Facts, changed: set[Path]) -> tuple[set[str], set[str]]:
    """Pages whose content can depend on the records in ``changed`` files (per ``facts``):
    page paths, and path prefixes for the pages of tags and topics (their slugs vary)."""
    network = facts.network
    index = facts.index
    people = {s for s, p in network.people.items() if p.source.path in changed}
    orgs = {s for s, o in network.organisations.items() if o.source.path in changed}
    interactions = [i for i in network.interactions if i.source.path in changed]
    # A contact file that is new or deleted may be missing from these facts.
    people |= {p.stem for p in changed if p.suffix == ".md" and (root / PEOPLE_DIR) in p.parents}
    pages: set[str] = set(SUMMARIES)
    prefixes: set[str] = set()
    months = {month_page(i.date) for i in interactions}
    touched = set(people)  # person pages to render again
    listed = set(people)  # people whose line on index pages (tags, circles, maps…) may change
    for slug in people:
        person = network.people.get(slug)
        if person is not None:
            for _, targets in person.relations:
                touched.update(index.person(t) or "" for t in targets)
            if person.introduced_by:
                touched.add(index.person(person.introduced_by) or "")
            for link in find_wikilinks(person.body):
                touched.update(index.resolve(link.target).slugs)
            # Pages that link to someone else of the same name: the link may now be ambiguous.
            for name in (person.name, *person.aliases):
                for namesake in index.people_by_name.get(name_key(name), []):
                    touched.update(
                        s for kind, s in facts.mentions.get(namesake, []) if kind == "person"
                    )
        touched.update(s for _, s in facts.inverse.get(slug, []))
        touched.update(facts.introduced.get(slug, []))
        touched.update(s for kind, s in facts.mentions.get(slug, []) if kind == "person")
        pages.update(
            org_page(s) for kind, s in facts.mentions.get(slug, []) if kind == "organisation"
        )
        for interaction in facts.timelines.get(slug, []):
            touched.update(facts.present(interaction))
            months.add(month_page(interaction.date))
    for interaction in interactions:
        together = set(facts.present(interaction))
        touched |= together
        listed |= together  # the maps draw time spent together
    for slug in orgs:
        pages.update((org_page(slug), org_map_page(slug)))
        if slug in facts.organisations:
            members = facts.organisations[slug].people
            touched.update(members)
            listed.update(members)  # their links to the organisation may point elsewhere now
        organisation = network.organisations.get(slug)
        if organisation is not None:  # people its notes mention list it under "Mentioned in"
            for link in find_wikilinks(organisation.body):
                touched.update(index.resolve(link.target).slugs)
        touched |= _naming(facts, organisation)
    for slug in listed:
        listing, listing_prefixes = pages_listing(facts, slug)
        pages |= listing
        prefixes |= listing_prefixes
    pages.update(person_page(slug) for slug in touched if slug)
    return pages | months, prefixes


def _naming(facts: Facts, organisation: Organisation | None) -> set[str]:
    """People whose notes have a wikilink that names ``organisation`` (by slug, name or alias)."""
    if organisation is None:
        return set()
    keys = {name_key(n) for n in (organisation.name, *organisation.aliases)}
    slug = slug_key(organisation.slug)
    return {
        person_slug
        for person_slug, person in facts.public.items()
        if "[[" in person.body
        and any(
            slug_key(link.target) == slug or name_key(link.target) in keys
            for link in find_wikilinks(person.body)
        )
    }


def _is_setup(root: Path, path: Path) -> bool:
    """A change to mkdocs.yml or a template changes every page."""
    return path == root / CONFIG or (root / TEMPLATES_DIR) in path.parents
