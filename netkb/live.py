"""Keep a built site in step with edits: reload what changed, re-render what depends on it.

``netkb serve`` calls ``LiveSite.update(changed_paths)`` after each burst of saves.
Parsed files are cached (only changed files are read again), the network is
re-linked, and only the pages whose content can depend on the changed records
are rendered, written and handed to the warm MkDocs session. A file that no
longer parses keeps its last good record, so its page stays and gains a banner.
"""

from __future__ import annotations

import posixpath
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import jinja2
from slugify import slugify

from netkb.builder import OVERRIDES_DIR, BuildError, MkDocsSession
from netkb.derive import Facts, derive
from netkb.generate import support_files, sync_folder, theme_overrides, write_files
from netkb.gitutil import GitError, git
from netkb.history import last_updated
from netkb.links import Index, find_wikilinks, name_key, slug_key
from netkb.loader import CONFIG, LOG_DIR, ORGS_DIR, PEOPLE_DIR, FileCache, _read_cached, load
from netkb.map_pages import highlighted
from netkb.problems import Problem, Severity, sort_key
from netkb.records import Interaction, Network, Organisation, Person
from netkb.render import SiteRenderer
from netkb.schema import interaction_from, organisation_from, person_from
from netkb.site import owned_folder, template_error
from netkb.validate import check_records

READERS = {PEOPLE_DIR: person_from, ORGS_DIR: organisation_from, LOG_DIR: interaction_from}

# Pages that summarise the whole network: rendered again after every edit.
ALWAYS = ("index.md", "people.md", "organisations.md", "tags.md", "expertise.md", "circles.md")


@dataclass
class Update:
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

    def __init__(self, root: Path, session: MkDocsSession | None = None) -> None:
        self.root = root.resolve()
        self.cache = FileCache(keep_last_good=True)
        self.session = session or MkDocsSession(self.root / CONFIG)
        self.facts: Facts | None = None
        self.paths: set[str] = set()
        self.highlighted: set[str] = set()  # the connectors the maps outline
        # git dates: read again only when HEAD moves (a commit, a checkout), not on every save
        self.head = _git_head(self.root)
        self.updated = last_updated(self.root)
        self.docs_dir = self.root / ".netkb" / "docs"
        # Changes whose second phase gave way to newer ones: the next update includes them.
        self.owed: set[Path] = set()
        self.owed_redated: set[Path] = set()
        self.mentioned: dict[str, object] = {}  # derive's memo: whom each record mentions
        self.templates: jinja2.Environment | None = None  # the first phase's, kept compiled

    def _load(self) -> Facts:
        network = load(self.root, self.cache)
        self.docs_dir = owned_folder(self.root, network.settings.docs_dir, "docs_dir")
        return derive(network, updated=self.updated, memo=self.mentioned)

    def _render(
        self, facts: Facts, only: set[str] | None, prefixes: Iterable[str] = ()
    ) -> tuple[set[str], dict[str, str], set[str]]:
        """Render the pages in ``only`` or under ``prefixes`` (every page when ``only`` is None).

        Returns every page path of the site, the rendered pages, and the people the maps
        outline. Banners go on the pages of files with errors.
        """
        wanted_paths = None if only is None else set(only)
        starts = tuple(prefixes)

        def wanted(path: str) -> bool:
            return wanted_paths is None or path in wanted_paths or path.startswith(starts)

        try:
            renderer = SiteRenderer(facts, self.root / "templates", only=wanted)
            marked = highlighted(renderer.work) if renderer.work is not None else set()
            if wanted_paths is not None:
                # Any edit can change who the best connectors are; every map outlines them.
                for slug in marked ^ self.highlighted:
                    listed, listed_prefixes = _listings(facts, slug)
                    wanted_paths |= listed
                    starts += tuple(listed_prefixes)
            pages = renderer.pages()
        except jinja2.TemplateError as exc:  # the KB's own templates/: the user's to fix
            raise BuildError(template_error(exc)) from None
        _add_banners(pages, facts, facts.network.errors)
        return renderer.all_paths, pages, marked

    def build(self) -> Update:
        """Everything from scratch: load, render every page, full MkDocs build."""
        started = time.perf_counter()
        self.facts = None  # until this build succeeds, each update starts from scratch again
        self.owed, self.owed_redated = set(), set()
        self.templates = None
        facts = self._load()
        paths, pages, marked = self._render(facts, None)
        files = {path: text.encode("utf-8") for path, text in pages.items()}
        files.update(support_files())
        sync_folder(self.docs_dir, files)
        sync_folder(self.root / OVERRIDES_DIR, theme_overrides())
        self.session.full_build()
        self.facts, self.paths, self.highlighted = facts, paths, marked
        return Update(
            list(facts.network.problems),
            rendered=len(pages),
            written=set(pages),
            seconds=time.perf_counter() - started,
        )

    def update(
        self,
        changed: Iterable[Path],
        publish: Callable[[Update], None] | None = None,
        hold: Callable[[], None] | None = None,
        superseded: Callable[[], bool] | None = None,
    ) -> Update:
        """Bring the site up to date after ``changed`` files were written or deleted.

        ``changed`` is what the watcher saw; files whose size, mtime or inode differ from
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

        def give_way() -> Update | None:
            if superseded is None or not superseded():
                return None
            self.owed |= changed
            return Update(
                first_problems,
                rendered=first_rendered,
                written=first_written,
                seconds=time.perf_counter() - started,
                superseded=True,
            )

        before = {path: entry[0] for path, entry in self.cache.entries.items()}
        try:
            first = self._preview(changed)
        except BaseException:
            self.facts = None  # the HTML may be half updated: the next change rebuilds all
            raise
        first_rendered, first_written, first_problems = first or (0, set(), [])
        shown: frozenset[Problem] = frozenset()
        if first_written and publish is not None:
            publish(
                Update(
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
        after = self.cache.entries
        changed |= {
            path
            for path in before.keys() | after.keys()
            if before.get(path) != (after[path][0] if path in after else None)
        }
        only, prefixes = _affected_by(self.root, old, changed)
        new_only, new_prefixes = _affected_by(self.root, facts, changed)
        only |= new_only | {
            f"people/{s}.md" for s, p in facts.public.items() if p.source.path in redated
        }
        prefixes |= new_prefixes
        if stop := give_way():
            return stop
        paths, pages, marked = self._render(facts, only, prefixes)
        missing = paths - self.paths - pages.keys()
        if missing:  # a new page none of the rules foresaw: render it rather than serve a 404
            paths, pages, marked = self._render(facts, only | missing, prefixes)
        if stop := give_way():
            return stop
        written = write_files(self.docs_dir, {p: t.encode("utf-8") for p, t in pages.items()})
        removed = self.paths - paths
        for path in removed:
            (self.docs_dir / path).unlink(missing_ok=True)
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
        self.facts, self.paths, self.highlighted = facts, paths, marked
        self.owed, self.owed_redated = set(), set()
        return Update(
            list(facts.network.problems),
            rendered=first_rendered + len(pages),
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
        network = old.network
        people, orgs = dict(network.people), dict(network.organisations)
        interactions = {i.source.path: i for i in network.interactions}
        records: list[Person | Organisation | Interaction] = []
        old_records: dict[Path, Person | Organisation] = {}
        file_problems: list[Problem] = []
        for path in changed:
            folder = next((f for f in READERS if (self.root / f) in path.parents), None)
            if folder is None or path.suffix != ".md" or path not in self.cache.entries:
                return None
            record, found = _read_cached(path, READERS[folder], self.cache)
            if isinstance(record, Person) and record.slug in people:
                if people[record.slug].source.path != path:
                    return None
                old_records[path] = people[record.slug]
                people[record.slug] = record
            elif isinstance(record, Organisation) and record.slug in orgs:
                if orgs[record.slug].source.path != path:
                    return None
                old_records[path] = orgs[record.slug]
                orgs[record.slug] = record
            elif isinstance(record, Interaction) and path in interactions:
                interactions[path] = record
            else:  # new, deleted, unreadable or a slug taken twice: the second phase alone
                return None
            records.append(record)
            file_problems += found
        index = Index(people, orgs)
        problems = [p for p in network.problems if p.path not in changed] + file_problems
        problems += check_records(
            index,
            [r for r in records if isinstance(r, Person)],
            [r for r in records if isinstance(r, Organisation)],
            [r for r in records if isinstance(r, Interaction)],
        )
        problems.sort(key=sort_key)
        # Who mentions whom depends on the notes and on names (how links resolve).
        same_links = all(
            isinstance(r, Interaction) or _same_links(r, old_records.get(r.source.path))
            for r in records
        )
        facts = derive(
            Network(
                root=network.root,
                people=MappingProxyType(people),
                organisations=MappingProxyType(orgs),
                interactions=tuple(
                    sorted(interactions.values(), key=lambda i: (i.date, str(i.source.path)))
                )
                if any(isinstance(r, Interaction) for r in records)
                else network.interactions,
                settings=network.settings,
                problems=tuple(problems),
            ),
            updated=self.updated,
            index=index,
            mentions=old.mentions if same_links else None,
            memo=self.mentioned,
        )
        wanted = {
            page
            for page in _affected_by(self.root, old, changed)[0]
            | _affected_by(self.root, facts, changed)[0]
            if page.startswith(("people/", "orgs/"))
        }
        try:
            renderer = SiteRenderer(facts, self.root / "templates", only=wanted.__contains__)
            if self.templates is None:
                self.templates = renderer.env
            else:  # compiled once (a change to templates/ builds everything, and resets it)
                renderer.env = self.templates
            pages = renderer.record_pages()
        except jinja2.TemplateError as exc:
            raise BuildError(template_error(exc)) from None
        if any(_links_to_new_pages(path, text, self.paths) for path, text in pages.items()):
            return None  # MkDocs resolves links when it builds a page: the target comes first
        _add_banners(pages, facts, facts.network.errors)
        written = write_files(self.docs_dir, {p: t.encode("utf-8") for p, t in pages.items()})
        if written:
            self.session.update(written, set(), write_index=False)
        return len(pages), written, problems

    def _refresh_git_dates(self) -> set[Path]:
        """Files whose last-commit date changed since HEAD last moved (shown on person pages)."""
        head = _git_head(self.root)
        if head == self.head:
            return set()
        old, self.updated, self.head = self.updated, last_updated(self.root), head
        return {
            path
            for path in old.keys() | self.updated.keys()
            if old.get(path) != self.updated.get(path)
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
    pages: set[str] = {*ALWAYS, "journal.md"}
    prefixes: set[str] = set()
    months = {i.date.strftime("%Y-%m") for i in interactions}
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
            f"orgs/{s}.md" for kind, s in facts.mentions.get(slug, []) if kind == "organisation"
        )
        for interaction in facts.interactions.get(slug, []):
            touched.update(index.person(s) or "" for s in interaction.with_)
            months.add(interaction.date.strftime("%Y-%m"))
    for interaction in interactions:
        together = {index.person(s) or "" for s in interaction.with_}
        touched |= together
        listed |= together  # the maps draw time spent together
    for slug in orgs:
        pages.update((f"orgs/{slug}.md", f"map/orgs/{slug}.md"))
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
        listing, listing_prefixes = _listings(facts, slug)
        pages |= listing
        prefixes |= listing_prefixes
    pages.update(f"people/{slug}.md" for slug in touched if slug)
    pages.update(f"journal/{month}.md" for month in months)
    return pages, prefixes


def _listings(facts: Facts, slug: str) -> tuple[set[str], set[str]]:
    """The index and map pages that list a person (and prefixes of their tag/topic pages)."""
    person = facts.public.get(slug)
    if person is None:
        return set(), set()
    letter = name_key(person.name)[:1].lower()
    pages = {
        f"letters/{letter if 'a' <= letter <= 'z' else 'other'}.md",
        f"circles/{person.circle or 0}.md",
    }
    if slug in facts.person_org:
        pages.update((f"orgs/{facts.person_org[slug]}.md", f"map/orgs/{facts.person_org[slug]}.md"))
    prefixes = set()
    for tag in person.tags:
        prefixes.update(
            (f"tags/{slugify(tag, max_length=80)}", f"map/tags/{slugify(tag, max_length=80)}")
        )
    for topic in person.expertise:
        prefixes.add(f"expertise/{slugify(topic, max_length=80)}")
    return pages, prefixes


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
    return path == root / CONFIG or (root / "templates") in path.parents


def _add_banners(pages: dict[str, str], facts: Facts, errors: Iterable[Problem]) -> None:
    """A visible banner on the page of each record whose file has errors, until it is fixed."""
    by_page: dict[str, list[Problem]] = {}
    network = facts.network
    paths = {p.source.path: f"people/{s}.md" for s, p in network.people.items()}
    paths.update({o.source.path: f"orgs/{s}.md" for s, o in network.organisations.items()})
    for problem in errors:
        if problem.severity != Severity.ERROR:
            continue
        by_page.setdefault(paths.get(problem.path, "index.md"), []).append(problem)
    for page, problems in by_page.items():
        if page in pages:
            pages[page] = _with_banner(pages[page], problems, network.root)


def _with_banner(text: str, problems: list[Problem], root: Path) -> str:
    from netkb import escape

    lines = "\n".join(f"    - {escape.text(p.format(root))}" for p in problems[:20])
    banner = (
        '!!! failure "This page shows the last good version: a file has errors"\n\n'
        f"{lines}\n\n    Fix the file and save it; this page updates by itself.\n\n"
    )
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            head, rest = text[: end + 5], text[end + 5 :]
            # After the first heading, so the page title stays on top.
            title_end = rest.find("\n", rest.find("# ")) + 1 if "# " in rest else 0
            return head + rest[:title_end] + "\n" + banner + rest[title_end:]
    return banner + text
