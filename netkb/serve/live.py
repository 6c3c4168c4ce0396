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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from netkb.build.audit import Finding
from netkb.build.builder import MkDocsSession, Session
from netkb.build.incremental import (
    RenderState,
    affected_pages,
    is_setup,
    setup_signatures,
    source_signatures,
)
from netkb.build.site import (
    RECORD_PREFIXES,
    Generator,
    Guarded,
    Target,
    audited_if_it_fails,
    guard_site,
    owned_folder,
    refresh,
    search_docs,
)
from netkb.core.problems import Problem
from netkb.core.records import Network, Organisation, Person
from netkb.git.repo import head as git_head
from netkb.link.derive import Facts
from netkb.load.cache import MemoryCache
from netkb.load.loader import CONFIG, load_edits
from netkb.load.settings import read_settings
from netkb.render.search_index import search_documents
from netkb.render.urls import (
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
    # What the audit found in the pages written, as ``netkb build`` reports it: pages made
    # from one record are withheld; anything else and the whole site is removed.
    findings: list[Finding] = field(default_factory=list)
    withheld: list[Path] = field(default_factory=list)
    site_deleted: bool = False


class LiveSite:
    """A KB's site kept up to date in memory and on disk."""

    def __init__(
        self,
        root: Path,
        session: Session | None = None,
        *,
        redact: Sequence[str] | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> None:
        """``redact``: keep a redacted site (``netkb serve --redact``) in its own folders;
        an empty list hides what the settings' ``redact`` names. ``progress(stage, done,
        total)`` hears how far a whole build got (the terminal draws it)."""
        self.on_progress = progress
        self.root = root.resolve()
        self.cache = MemoryCache(keep_last_good=True)
        settings, _problems = read_settings(self.root / CONFIG)
        self.target = Target.of(settings, redact)
        self.generator = Generator(self.root, cache=self.cache, target=self.target)
        self.session: Session = session or MkDocsSession(
            self.root / CONFIG,
            overrides=self.target.builder_overrides(settings),
            state_dir=self.target.state_dir,
        )
        self.facts: Facts | None = None
        self.paths: set[str] = set()
        self.outlined: set[str] = set()  # the connectors the maps outline
        # git dates: read again only when HEAD moves (a commit, a checkout), not on every save
        self.head = git_head(self.root)
        # Changes whose second phase gave way to newer ones: the next update includes them.
        self.owed: set[Path] = set()
        self.owed_redated: set[Path] = set()
        self.search: dict[str, dict[str, str]] = {}  # the search index's documents by page
        self.progress: tuple[str, int, int] | None = None  # of the first build, while it runs
        self.site_deleted = False  # the audit removed the site; a change builds it again
        self.setup_read: dict[str, str] = {}  # mkdocs.yml and templates as the build read them

    def _load(self) -> Facts:
        network = self.generator.load()
        self.generator.settle(network)
        return self.generator.link(network)

    def site_dir(self) -> Path:
        """Where the site is (or will be) built: mkdocs.yml's site_dir, or site-redacted/."""
        return owned_folder(self.root, self.target.site_dir, "site_dir")

    def _built_site(self) -> Path:
        """Where the session builds the site (as MkDocs resolved it, once it has)."""
        return self.session.site_dir or self.site_dir()

    def build(
        self, workers: int = 1, writing: Callable[[set[str]], None] | None = None
    ) -> SiteUpdate:
        """Bring the site up to date from what the last build left (everything when
        there is none): load, render what changed, build what changed (``workers``:
        processes that render and build pages, where forking is safe). ``writing(files)``
        hears which site files the build may write before it writes any: the server
        holds requests for them until this returns, audited."""
        started = time.perf_counter()
        self.facts = None  # until this build succeeds, each update starts from scratch again
        self.owed, self.owed_redated = set(), set()
        self.generator.forget_templates()
        head = git_head(self.root)  # before the dates are read: a later move redates pages
        self.setup_read = setup_signatures(self.root)  # before the files are read
        network = self.generator.load()
        self.generator.settle(network)
        generated = refresh(
            self.generator,
            network,
            progress=lambda d, t: self._progress("render", d, t),
            workers=workers,
        )
        found = generated.search  # first: a child may be making them, and the state waits
        records = sorted(p for p in generated.rendered if p.startswith(RECORD_PREFIXES))
        docs = search_docs(generated, self.generator, self.site_dir())
        if found is not None:
            self.search = dict(found)
        else:  # nothing changed since the last build: its documents are current
            state = RenderState.read(self.root, self.target.state_dir)
            self.search = dict(state.search) if state is not None else {}
        forget = self.session.forget
        with audited_if_it_fails(self.root, self._built_site(), network, forget, workers):
            report = self.session.build(
                search_docs=docs,
                progress=lambda d, t: self._progress("build", d, t),
                first=records,
                workers=workers,
                writing=writing,
            )
        guarded = self._guard(network, report.built, workers)
        self.progress = None
        if not guarded.deleted:
            self.facts, self.outlined = generated.facts, generated.outlined
            self.paths = {path for path in generated.files if path.endswith(".md")}
            self.head = head
        return SiteUpdate(
            list(self.generator.problems),
            rendered=len(generated.rendered),
            written=report.built,
            removed=report.removed,
            seconds=time.perf_counter() - started,
            findings=guarded.findings,
            withheld=guarded.withheld,
            site_deleted=guarded.deleted,
        )

    def _session_update(
        self, network: Network, written: set[str], removed: set[str], write_index: bool = True
    ) -> set[str]:
        """The session builds ``written`` pages and drops ``removed``; when it fails
        partway, the whole site is audited before anything else is shown."""
        if not written and not removed:
            return set()
        with audited_if_it_fails(self.root, self._built_site(), network, self.session.forget):
            return self.session.update(written, removed, write_index=write_index)

    def missed(self) -> set[Path]:
        """The files changed since the last build read them, for a first build that ran
        before the watcher started: record files (new, gone, or not as the load read
        them), mkdocs.yml and templates."""
        read, now = self.cache.signatures(), source_signatures(self.root)
        setup_now = setup_signatures(self.root)
        return {
            self.root / key
            for before, after in ((read, now), (self.setup_read, setup_now))
            for key in before.keys() | after.keys()
            if before.get(key) != after.get(key)
        }

    def _guard(self, network: Network, built: Iterable[str], workers: int = 1) -> Guarded:
        """Audit the site files the session just wrote before the server shows them, and
        withhold or remove what breaks the rules, as ``netkb build`` does (``guard_site``)."""
        session = self.session
        guarded = guard_site(
            self.root,
            self._built_site(),
            network,
            built,
            session.forget,
            session.audited,
            workers=workers,
        )
        self.site_deleted = guarded.deleted
        if guarded.deleted:
            self.facts = None  # nothing of it is left: the next change builds it all again
        return guarded

    def _progress(self, stage: str, done: int, total: int) -> None:
        self.progress = (stage, done, total)
        if self.on_progress is not None:
            self.on_progress(stage, done, total)

    def update(
        self,
        changed: Iterable[Path],
        publish: Callable[[SiteUpdate], None] | None = None,
        hold: Callable[[], None] | None = None,
        superseded: Callable[[], bool] | None = None,
        writing: Callable[[set[str]], None] | None = None,
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
        next update does its work too. ``writing``: as for ``build``, when it builds all.
        """
        started = time.perf_counter()
        changed = {Path(p).resolve() for p in changed} | self.owed
        if self.facts is None or any(is_setup(self.root, p) for p in changed):
            return self.build(writing=writing)
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
        first_rendered, first_written, first_problems, first_guarded = first or (
            0,
            set(),
            [],
            Guarded([], []),
        )
        if first_guarded.deleted:  # nothing is left to show: the next change builds it all
            return SiteUpdate(
                first_problems,
                rendered=first_rendered,
                written=first_written,
                seconds=time.perf_counter() - started,
                findings=first_guarded.findings,
                site_deleted=True,
            )
        shown: frozenset[Problem] = frozenset()
        if first_written and publish is not None:
            publish(
                SiteUpdate(
                    first_problems,
                    rendered=first_rendered,
                    written=first_written,
                    seconds=time.perf_counter() - started,
                    early=True,
                    findings=first_guarded.findings,
                    withheld=first_guarded.withheld,
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
        only, prefixes = affected_pages(self.root, old, changed)
        new_only, new_prefixes = affected_pages(self.root, facts, changed)
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
        extras = self.generator.extras()  # photos, calendar
        # Pages gone, and photos no page shows any more (a person made private, say).
        removed = (self.paths - rendered.paths) | (self.generator.photos_on_disk() - set(extras))
        written = self.generator.write_some(rendered.pages, removed)
        written |= self.generator.write_files(extras)
        self._update_search(facts, rendered.pages, removed)
        built: set[str] = set()
        try:
            if written or removed:
                if hold is not None:
                    hold()
                built = self._session_update(facts.network, written, removed)
            else:
                self.session.write_index()  # the first phase's pages
        except BaseException:
            self.facts = None  # the HTML may be half updated: the next change rebuilds all
            raise
        guarded = self._guard(facts.network, built)
        if not guarded.deleted:
            self.facts, self.paths, self.outlined = facts, rendered.paths, rendered.outlined
            self.owed, self.owed_redated = set(), set()
        done = SiteUpdate(
            list(self.generator.problems),
            rendered=first_rendered + len(rendered.pages),
            written=written | first_written,
            removed=removed,
            seconds=time.perf_counter() - started,
            shown=shown,
            findings=guarded.findings,
            withheld=guarded.withheld,
            site_deleted=guarded.deleted,
        )
        if guarded.deleted:
            return done
        if git_head(self.root) != self.head:
            # git moves HEAD after it has written the files (a checkout, a pull): the files
            # woke this update, HEAD moved during it, and nothing else will wake the next
            # one. The dates on person pages come from HEAD: bring them up to date now.
            more = self.update(set(), hold=hold, superseded=superseded, writing=writing)
            done.rendered += more.rendered
            done.written |= more.written
            done.removed |= more.removed
            done.problems = more.problems
            done.findings += more.findings
            done.withheld += more.withheld
            done.site_deleted = more.site_deleted
            done.seconds = time.perf_counter() - started
        return done

    def _update_search(self, facts: Facts, rendered: Iterable[str], removed: set[str]) -> None:
        """The search documents of the pages rendered again, for the next index write."""
        rendered = set(rendered)
        for path in rendered | removed:
            self.search.pop(path, None)
        directory = facts.network.settings.use_directory_urls
        self.search.update(search_documents(facts, directory, rendered))
        self.session.set_search_docs([self.search[p] for p in sorted(self.search)])

    def _preview(self, changed: set[Path]) -> tuple[int, set[str], list[Problem], Guarded] | None:
        """The first phase: when every path in ``changed`` is an edit of a file the last
        load read (no file new, deleted or renamed), read those again, link them into the
        last network and build the pages of people and organisations they affect.

        Returns how many pages were rendered, which were written, the problems as far
        as known and what the audit of those pages found, or None when this does not
        apply. The second phase (``update``)
        makes the site exact anyway.
        """
        assert self.facts is not None
        if self.generator.redacting:
            return None  # the records read again would not be redacted: the full path does
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
            for page in affected_pages(self.root, old, changed)[0]
            | affected_pages(self.root, facts, changed)[0]
            if page.startswith(RECORD_PREFIXES)
        }
        pages = self.generator.render_records(facts, wanted)
        if any(_links_to_new_pages(path, text, self.paths) for path, text in pages.items()):
            return None  # MkDocs resolves links when it builds a page: the target comes first
        written = self.generator.write_some(pages)
        built = self._session_update(edited.network, written, set(), write_index=False)
        guarded = self._guard(edited.network, built)
        return len(pages), written, list(edited.network.problems), guarded

    def _refresh_git_dates(self) -> set[Path]:
        """Files whose last-commit date changed since HEAD last moved (shown on person pages)."""
        head = git_head(self.root)
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
