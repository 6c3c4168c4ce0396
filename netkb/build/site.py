"""The whole build: load → validate → link → render → write → MkDocs → audit.

``Generator`` is the one render path, from the files to the generated folder.
``netkb build`` runs it once over everything (``generate``, then ``build`` hands the
folder to the builder and audits the result); ``netkb serve`` (``netkb.serve.live``) keeps
one for as long as it runs, and after each edit renders only the pages the edit can
change (``only``), through the same steps.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import jinja2

from netkb.build.audit import Finding, audit_site, record_pages, withhold
from netkb.build.builder import (
    BUILD_STATE_DIR,
    OVERRIDES_DIR,
    SEARCH_INDEX,
    Builder,
    BuildError,
    MkDocsBuilder,
    forget_pages,
    mark_audited,
)
from netkb.build.generate import (
    WriteStats,
    claim,
    photo_files,
    remove_files,
    support_files,
    sync_folder,
    theme_overrides,
    write_files,
)
from netkb.build.incremental import (
    RenderState,
    affected_pages,
    commit_dates,
    network_before,
    pages_listing,
    read_sources,
    setup_digest,
    source_signatures,
)
from netkb.core.parallel import Later, frozen, started
from netkb.core.problems import Problem, Severity
from netkb.core.records import Network, Settings
from netkb.core.references import Index
from netkb.core.write import OutsideKnowledgeBase, OwnedFolder
from netkb.git.history import last_updated
from netkb.git.repo import head as git_head
from netkb.link.derive import Facts, derive
from netkb.link.redact import redact
from netkb.load.cache import CACHE_DIR, DiskCache, code_signature
from netkb.load.loader import (
    CONFIG,
    LOG_DIR,
    ORGS_DIR,
    PEOPLE_DIR,
    TEMPLATES_DIR,
    RecordCache,
    load,
)
from netkb.load.photos import PHOTOS_DIR
from netkb.load.settings import read_settings
from netkb.render import escape
from netkb.render.calendar_feed import event_chunks, feed
from netkb.render.map_pages import highlighted
from netkb.render.render import SiteRenderer
from netkb.render.search_index import search_documents
from netkb.render.urls import RECORD_FOLDERS, org_page, person_page

SOURCE_FOLDERS = (PEOPLE_DIR, LOG_DIR, ORGS_DIR, TEMPLATES_DIR)
REDACTED_DOCS = ".netkb/docs-redacted"
REDACTED_SITE = "site-redacted"
REDACTED_STATE = ".netkb/build-redacted"
STATE_DIRS = (BUILD_STATE_DIR, REDACTED_STATE)
RECORD_PREFIXES = tuple(f"{folder}/" for folder in RECORD_FOLDERS)
CALENDAR = "calendar.ics"  # the site's feed of follow-ups and birthdays, to subscribe to
CALENDAR_STATE = "calendar.json"  # the key of each event of the last feed (build state)
APART_FROM = 400  # public people from which a child writes the feed, makes the search documents


@dataclass
class BuildResult:
    network: Network
    pages: int = 0  # pages rendered this time
    stats: WriteStats | None = None
    site_dir: Path | None = None
    rendered: set[str] = field(default_factory=set)  # generated pages rendered this time
    built: set[str] = field(default_factory=set)  # site files the builder wrote this time
    site_pages: int = 0  # pages in the site
    pages_built: int = 0  # of those, built this time
    findings: list[Finding] = field(default_factory=list)
    withheld: list[Path] = field(default_factory=list)  # pages replaced by a notice
    site_deleted: bool = False  # a finding outside any record's page: nothing is kept
    builder_warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.network.errors and not self.findings and self.site_dir is not None


def owned_folder(root: Path, setting: str, what: str) -> Path:
    """A folder netkb may empty (docs_dir, site_dir): inside the KB, apart from the sources."""
    folder = (root / setting).resolve()
    if folder == root or not folder.is_relative_to(root):
        raise BuildError(f"{what} {setting!r} must be a folder inside the knowledge base")
    for source in (*SOURCE_FOLDERS, CONFIG, OVERRIDES_DIR, CACHE_DIR, *STATE_DIRS):
        source_path = (root / source).resolve()
        if folder == source_path or folder in source_path.parents or source_path in folder.parents:
            raise BuildError(
                f"{what} {setting!r} overlaps {source}; netkb replaces what is in {what}, "
                "so it must be a folder of its own (the defaults are .netkb/docs and site)"
            )
    return folder


@dataclass(frozen=True)
class Target:
    """Where one site is built from: its generated folder, its site folder, what the last
    build of it recorded, and what it hides. The full site follows mkdocs.yml; a redacted
    one (``--redact``) has folders of its own, so neither can be taken for the other."""

    docs_dir: str
    site_dir: str
    state_dir: str = BUILD_STATE_DIR
    redacted: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        settings: Settings,
        redact: Sequence[str] | None = None,
        site_dir: str | None = None,
    ) -> Target:
        """The full site (``redact`` None) or a site without the values of ``redact``
        (empty: the settings' ``redact`` list), in ``site_dir`` or site-redacted/."""
        if redact is None:
            if site_dir is not None:
                return cls(settings.docs_dir, site_dir)
            return cls(settings.docs_dir, settings.site_dir)
        fields = tuple(redact) or settings.redact
        folder = site_dir or REDACTED_SITE
        if os.path.normpath(folder) == os.path.normpath(settings.site_dir):
            raise BuildError(
                f"a redacted site cannot go to {folder!r}, the full site's folder: "
                "choose another --site-dir"
            )
        return cls(REDACTED_DOCS, folder, REDACTED_STATE, fields)

    def builder_overrides(self, settings: Settings) -> dict[str, Any]:
        """What the builder must use instead of mkdocs.yml for this site."""
        overrides: dict[str, Any] = {}
        if self.docs_dir != settings.docs_dir:
            overrides["docs_dir"] = self.docs_dir
        if self.site_dir != settings.site_dir:
            overrides["site_dir"] = self.site_dir
        if self.redacted:
            overrides["extra"] = {"netkb_redacted": ", ".join(self.redacted)}
        return overrides


def template_error(exc: jinja2.TemplateError) -> str:
    """``file:line: message`` for an error in a page template, the KB's own or netkb's."""
    where = ""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        where = f"{exc.filename}:{exc.lineno}: "
    else:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
        if frames:
            where = f"{frames[-1].filename}:{frames[-1].lineno}: "
    return f"{where}template error: {exc.message or exc}"


# -- the render path ----------------------------------------------------------------------


@dataclass
class Rendered:
    """What one render produced."""

    facts: Facts
    paths: set[str]  # every page of the site, rendered this time or not
    pages: dict[str, str]  # the pages rendered this time: path → Markdown
    outlined: set[str]  # the people every map outlines (the best connectors)
    # Pages rendered this time that the workers wrote themselves (``render(write=True)``),
    # each with whether its file changed.
    apart: dict[str, bool] = field(default_factory=dict)

    @property
    def rendered(self) -> set[str]:
        """Every page rendered this time, written already or not."""
        return set(self.pages) | set(self.apart)


class WrittenCalendar(NamedTuple):
    """The calendar feed (calendar.ics), the key of each of its events in order, and what
    it was written from (``Feed.key``)."""

    ics: bytes
    events: list[str]
    key: str


class Generator:
    """Load → link → render → write the generated folder, for one KB.

    ``cache`` (``netkb.load.cache.MemoryCache``) keeps parsed files, and what linking and
    rendering can reuse is kept too (whom each record mentions, compiled templates),
    so a Generator run again after an edit does only what the edit needs.
    """

    def __init__(
        self,
        root: Path,
        *,
        cache: RecordCache | None = None,
        target: Target | None = None,
    ) -> None:
        self.root = root.resolve()
        self.cache = cache
        self.target = target
        self.problems: tuple[Problem, ...] = ()  # of the last load, before any redaction
        self._updated: dict[Path, dt.date] | None = None
        self.mentioned: dict[str, Any] = {}  # derive's memo: whom each record mentions
        self.env: jinja2.Environment | None = None  # templates, compiled once
        self.docs_dir = self.root / ".netkb" / "docs"
        self.photos: dict[str, bytes] = {}  # of public people, as the last render saw them
        self.calendar = b""  # the calendar feed (calendar.ics) of the last render
        self.calendar_key: str | None = None  # what it was written from (Feed.key)
        self.calendar_events: list[str] = []  # the key of each of its events, in order

    @property
    def updated(self) -> dict[Path, dt.date]:
        """The date of each file's last commit (shown on person pages), read once."""
        if self._updated is None:
            self._updated = last_updated(self.root)
        return self._updated

    @updated.setter
    def updated(self, dates: dict[Path, dt.date]) -> None:
        """Dates known already (read by the last build at the same HEAD)."""
        self._updated = dates

    def load(self, workers: int | None = None) -> Network:
        """Every record, through the cache; redacted when the target says so (``problems``
        keeps what the files said, before redaction took values out of the messages);
        ``workers``: processes that parse files (default: one per CPU core)."""
        network = load(self.root, cache=self.cache, workers=workers)
        self.problems = network.problems
        # Even with errors: `serve --redact` builds despite them (pages keep banners).
        if self.target is not None and self.target.redacted:
            network = redact(network, self.target.redacted)
        return network

    @property
    def redacting(self) -> bool:
        return self.target is not None and bool(self.target.redacted)

    def settle(self, network: Network) -> None:
        """Take the folders the settings name (docs_dir, site_dir), once they are checked."""
        self.settle_settings(network.settings)

    def settle_settings(self, settings: Settings) -> None:
        """``settle`` from the settings alone."""
        if self.target is None:
            self.target = Target.of(settings)
        self.docs_dir = owned_folder(self.root, self.target.docs_dir, "docs_dir")
        owned_folder(self.root, self.target.site_dir, "site_dir")

    @property
    def state_dir(self) -> str:
        return self.target.state_dir if self.target is not None else BUILD_STATE_DIR

    def link(
        self,
        network: Network,
        *,
        index: Index | None = None,
        mentions: dict[str, list[tuple[str, str]]] | None = None,
    ) -> Facts:
        """The derived facts of ``network`` (``index``, ``mentions``: reuse these)."""
        return derive(
            network, updated=self.updated, index=index, mentions=mentions, memo=self.mentioned
        )

    def reread_git_dates(self) -> set[Path]:
        """Read the last-commit dates again; returns the files whose date changed."""
        old, new = self.updated, last_updated(self.root)
        self._updated = new
        return {path for path in old.keys() | new.keys() if old.get(path) != new.get(path)}

    def forget_templates(self) -> None:
        """Compile the templates again at the next render (templates/ changed)."""
        self.env = None

    def _renderer(self, facts: Facts, only: Callable[[str], bool] | None) -> SiteRenderer:
        renderer = SiteRenderer(facts, self.root / TEMPLATES_DIR, only=only)
        if self.env is None:
            self.env = renderer.env
        else:  # compiled once: a change to templates/ calls forget_templates
            renderer.env = self.env
        return renderer

    def render(
        self,
        facts: Facts,
        only: set[str] | None = None,
        prefixes: Iterable[str] = (),
        outlined: set[str] | None = None,
        progress: Callable[[int, int], None] | None = None,
        workers: int = 1,
        meanwhile: Callable[[], None] | None = None,
        write: bool = False,
    ) -> Rendered:
        """Render every page (``only`` None), or those in ``only`` or under ``prefixes``;
        ``meanwhile`` runs in this process while workers render person pages. With
        ``write``, the workers write the person pages they render into the generated
        folder (``write_all`` then writes the rest): writing 10,000 files takes a
        process a third of a second, and all of it came after the render.

        ``outlined``: whom the maps outlined before; when the best connectors changed,
        every page that lists one of them is rendered too. Pages of files with errors
        get a banner (``netkb serve`` keeps their last good version).
        """
        wanted_paths = None if only is None else set(only)
        starts = tuple(prefixes)

        def wanted(path: str) -> bool:
            return wanted_paths is None or path in wanted_paths or path.startswith(starts)

        try:
            renderer = self._renderer(facts, wanted)
            if wanted_paths is not None and outlined is not None:
                # Any edit can change who the best connectors are; every map outlines them.
                marked = highlighted(renderer.work) if renderer.work is not None else set()
                for slug in marked ^ outlined:
                    listed, listed_prefixes = pages_listing(facts, slug)
                    wanted_paths |= listed
                    starts += tuple(listed_prefixes)

            # icalendar writes 10,000 events in a second or two: on a full render a child
            # writes the feed while workers render person pages and this process the rest.
            calendar = None
            if wanted_paths is None and workers > 1 and len(facts.public) >= APART_FROM:
                calendar = started(lambda: self._written_calendar(facts))

            def also() -> None:  # while workers render person pages
                nonlocal calendar
                if meanwhile is not None:
                    meanwhile()
                written = calendar() if calendar is not None else None
                calendar = None
                self._take_calendar(written or self._written_calendar(facts))

            try:
                pages = renderer.pages(
                    progress, workers, also=also, write=self._writer(facts) if write else None
                )
            finally:
                if calendar is not None:  # the render failed before ``also``: no child is left
                    calendar()
            # Person pages do not show the connectors: when all pages are rendered, the maps
            # work them out in this process while workers render person pages.
            marked = highlighted(renderer.work) if renderer.work is not None else set()
        except jinja2.TemplateError as exc:  # the KB's own templates/: the user's to fix
            raise BuildError(template_error(exc)) from None
        except OutsideKnowledgeBase as exc:  # a symlink planted in netkb's own folders
            raise BuildError(str(exc)) from None
        add_banners(pages, facts, facts.network.errors)
        self.photos = photo_files(self.root, facts.public)
        return Rendered(facts, renderer.all_paths, dict(pages), marked, pages.apart)

    def _writer(self, facts: Facts) -> Callable[[dict[str, str]], set[str]]:
        """What writes a worker's person pages into the generated folder (with their
        banners), once it is netkb's: returns the paths whose file changed."""
        claim(OwnedFolder(self.docs_dir, inside=self.root))

        def write(pages: dict[str, str]) -> set[str]:
            add_banners(pages, facts, facts.network.errors)
            return self.write_files({path: text.encode("utf-8") for path, text in pages.items()})

        return write

    def _written_calendar(self, facts: Facts) -> WrittenCalendar:
        """The calendar feed of ``facts``, written again only when what it holds changed."""
        events = feed(facts, site_url=facts.network.settings.site_url, today=facts.today)
        if events.key() == self.calendar_key and self.calendar:
            return WrittenCalendar(self.calendar, self.calendar_events, events.key())
        # Writing the feed is slow (icalendar: 1.4 s for 10,000 events); what it holds
        # changes far less often, and an edit changes an event or two of it.
        chunks = event_chunks(self.calendar)
        known = {}
        if chunks and len(chunks) == len(self.calendar_events):
            known = dict(zip(self.calendar_events, chunks, strict=True))
        ics, keys = events.written(known)
        return WrittenCalendar(ics, keys, events.key())

    def _take_calendar(self, written: WrittenCalendar) -> None:
        self.calendar, self.calendar_events, self.calendar_key = written

    def render_records(self, facts: Facts, only: set[str]) -> dict[str, str]:
        """The pages of people and organisations in ``only``, no summary pages."""
        try:
            pages = self._renderer(facts, only.__contains__).record_pages()
        except jinja2.TemplateError as exc:
            raise BuildError(template_error(exc)) from None
        add_banners(pages, facts, facts.network.errors)
        return pages

    def write_all(self, pages: dict[str, str], apart: dict[str, bool] | None = None) -> WriteStats:
        """Make the generated folder hold exactly ``pages``, the support files and the
        pages written ``apart`` already (each with whether it changed)."""
        files = {path: text.encode("utf-8") for path, text in pages.items()}
        files.update(support_files())
        files.update(self.extras())
        try:
            stats = sync_folder(self.docs_dir, files, inside=self.root, kept=apart)
            sync_folder(self.root / OVERRIDES_DIR, theme_overrides(), inside=self.root)
        except OutsideKnowledgeBase as exc:  # a symlink planted in netkb's own folders
            raise BuildError(str(exc)) from None
        return stats

    def extras(self) -> dict[str, bytes]:
        """The files of the site besides its pages, as the last render made them: photos
        and the calendar feed (the stylesheet is ``support_files``)."""
        return {**self.photos, CALENDAR: self.calendar}

    def photos_on_disk(self) -> set[str]:
        """The photos in the generated folder (paths in it), whoever wrote them."""
        try:
            names = os.listdir(self.docs_dir / PHOTOS_DIR)
        except OSError:
            return set()
        return {f"{PHOTOS_DIR}/{name}" for name in names if not name.startswith(".")}

    def write_files(self, files: dict[str, bytes]) -> set[str]:
        """Write the support files and photos whose content changed; returns those written."""
        try:
            return write_files(self.docs_dir, files, inside=self.root)
        except OutsideKnowledgeBase as exc:
            raise BuildError(str(exc)) from None

    def write_some(self, pages: dict[str, str], removed: Iterable[str] = ()) -> set[str]:
        """Write the ``pages`` that changed and delete ``removed``; returns what was written."""
        files = {path: text.encode("utf-8") for path, text in pages.items()}
        try:
            written = write_files(self.docs_dir, files, inside=self.root)
            remove_files(self.docs_dir, set(removed), inside=self.root)
        except OutsideKnowledgeBase as exc:
            raise BuildError(str(exc)) from None
        return written


def add_banners(pages: dict[str, str], facts: Facts, errors: Iterable[Problem]) -> None:
    """A visible banner on the page of each record whose file has errors, until it is fixed."""
    by_page: dict[str, list[Problem]] = {}
    network = facts.network
    paths = {p.source.path: person_page(s) for s, p in network.people.items()}
    paths.update({o.source.path: org_page(s) for s, o in network.organisations.items()})
    for problem in errors:
        if problem.severity != Severity.ERROR:
            continue
        by_page.setdefault(paths.get(problem.path, "index.md"), []).append(problem)
    for page, problems in by_page.items():
        if page in pages:
            pages[page] = _with_banner(pages[page], problems, network.root)


def _with_banner(text: str, problems: list[Problem], root: Path) -> str:
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


# -- netkb build ----------------------------------------------------------------------------


@dataclass
class Generated:
    """What bringing the generated folder up to date did."""

    facts: Facts
    written: set[str]  # files of the generated folder written this time
    removed: set[str]  # files deleted from it (their page is gone)
    rendered: set[str]  # pages rendered (written or found unchanged)
    files: set[str]  # every file the generated folder holds now
    outlined: set[str]  # the connectors the maps outline
    # The search documents by page (None: unchanged), given when first asked for: after
    # a full render they are made in a child while the site is built, and the state for
    # the next build is kept once they are in.
    found: Callable[[], dict[str, dict[str, str]]] | None
    full: bool  # every page was rendered
    drop: Callable[[], None] = lambda: None  # ends the child making the documents

    @property
    def search(self) -> dict[str, dict[str, str]] | None:
        """The search documents by page; None: unchanged (waits for them if need be)."""
        return self.found() if self.found is not None else None

    def finish(self, keep: bool = True) -> None:
        """Keep the state for the next build (the generated folder is current, whatever
        came after), waiting for the search documents if need be; with ``keep`` False
        (the build was interrupted) the child making them ends instead."""
        if not keep:
            self.drop()
        elif self.found is not None:
            self.found()

    @property
    def stats(self) -> WriteStats:
        """Files of the generated folder written, rendered but unchanged, deleted."""
        unchanged = len(self.rendered - self.written)
        return WriteStats(len(self.written), unchanged, len(self.removed))


def refresh(
    generator: Generator,
    network: Network,
    *,
    clean: bool = False,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> Generated:
    """Make the generated folder current for ``network``, rendering only what changed
    since the last build (every page with ``clean``, a new day, another netkb, a changed
    mkdocs.yml or template), and keep what it rendered from for the next time
    (``workers``: processes that render pages when many are rendered)."""
    root = generator.root
    directory = network.settings.use_directory_urls
    head = git_head(root)  # before the dates are read: if HEAD moves later, the next build redates
    state = None if clean else RenderState.read(root, generator.state_dir)
    if state is not None and head is not None and head == state.head:
        # HEAD has not moved: the dates are those the last build read (no `git log`).
        generator.updated = {root / k: dt.date.fromisoformat(v) for k, v in state.updated.items()}
    facts = generator.link(network)
    dates = commit_dates(root, generator.updated)
    # The last commit of each file is shown on person pages: which dates HEAD's move changed.
    redated = {
        root / k
        for k in dates.keys() | (state.updated if state else {}).keys()
        if state is not None and dates.get(k) != state.updated.get(k)
    }
    # What a redacted site hides is part of every page's Markdown (--hide changes it all).
    hidden = generator.target.redacted if generator.target is not None else ()
    setup = setup_digest(root, facts.today, repr((code_signature(), hidden)))
    # What the load saw of every record file (the cache stats them all anyway).
    signatures = generator.cache.signatures() if generator.cache else source_signatures(root)
    if state is not None and not _docs_intact(generator.docs_dir, state):
        state = None  # someone deleted generated files: render them all again
    if state is not None and state.calendar_key and generator.calendar_key is None:
        # The feed the last build wrote, and what from: written again only if that changed,
        # and then only the events that changed.
        generator.calendar = (generator.docs_dir / CALENDAR).read_bytes()
        generator.calendar_key = state.calendar_key
        generator.calendar_events = _calendar_events(root, generator)
    if state is None or state.setup != setup:
        made: dict[str, Any] = {}

        def meanwhile() -> None:
            made["texts"] = read_sources(root, signatures)

        rendered = generator.render(
            facts, progress=progress, workers=workers, meanwhile=meanwhile, write=True
        )
        # The search documents are made in a child from now on (a quarter of a second at
        # 4,000 people): writing the generated folder and setting MkDocs up leave a core
        # free, which the render did not.
        searching = Later(
            lambda: search_documents(facts, directory, names_only=generator.redacting),
            apart=workers > 1 and len(facts.public) >= APART_FROM,
        )
        try:
            stats = generator.write_all(rendered.pages, rendered.apart)
        except BaseException:
            searching.discard()  # the child ends: none is left behind
            raise
        files = rendered.rendered | set(support_files()) | set(generator.extras())
        written = set(stats.paths)
        old_files = set(state.files) if state is not None else set()
        new_state = RenderState(setup, head, sorted(files), sorted(rendered.outlined), signatures)
        kept: list[bool] = []

        def found() -> dict[str, dict[str, str]]:
            if not kept:  # the state is complete with the documents
                _keep(new_state, generator, made["texts"], searching(), dates)
                kept.append(True)
            return new_state.search

        return Generated(
            facts,
            written,
            old_files - files,
            rendered.rendered,
            files,
            rendered.outlined,
            found,
            full=True,
            drop=searching.discard,
        )
    changed_keys = {
        key
        for key in signatures.keys() | state.signatures.keys()
        if signatures.get(key) != state.signatures.get(key)
    }
    if not changed_keys and not redated:
        if head != state.head:  # HEAD moved, no date with it: read git once more, not again
            state.head, state.updated = head, dates
            state.write(root, generator.state_dir)
        return Generated(
            facts,
            set(),
            set(),
            set(),
            set(state.files),
            set(state.outlined),
            None,
            full=False,
        )
    changed = {root / key for key in changed_keys}
    texts = state.texts()
    old_texts = {root / k: texts.get(k) if k in state.signatures else None for k in changed_keys}
    # Unchanged records are the same objects in both: whom their notes mention is reused.
    before = derive(
        network_before(network, old_texts), updated=generator.updated, memo=generator.mentioned
    )
    only, prefixes = affected_pages(root, before, changed)
    new_only, new_prefixes = affected_pages(root, facts, changed)
    only |= new_only | {person_page(s) for s, p in facts.public.items() if p.source.path in redated}
    prefixes |= new_prefixes
    outlined = set(state.outlined)
    rendered = generator.render(facts, only, prefixes, outlined=outlined, progress=progress)
    known = set(state.files)
    missing = rendered.paths - known - rendered.pages.keys()
    if missing:  # a new page none of the rules foresaw: render it too
        rendered = generator.render(facts, only | missing, prefixes, outlined=outlined)
    extra = {**support_files(), **generator.extras()}
    files = rendered.paths | set(extra)
    # (photos ``netkb serve`` wrote are not in the state: what is on disk counts too)
    removed = (known | generator.photos_on_disk()) - files
    written = generator.write_some(rendered.pages, removed)
    written |= generator.write_files(extra)
    search = dict(state.search)
    for path in removed:
        search.pop(path, None)
    for path in rendered.pages:
        search.pop(path, None)
    search.update(
        search_documents(facts, directory, rendered.pages, names_only=generator.redacting)
    )
    texts = dict(texts)
    for key in changed_keys - signatures.keys():
        texts.pop(key, None)
    texts.update(read_sources(root, changed_keys & signatures.keys()))
    new_state = RenderState(setup, head, sorted(files), sorted(rendered.outlined), signatures)
    _keep(new_state, generator, texts, search, dates)
    return Generated(
        facts,
        written,
        removed,
        set(rendered.pages),
        files,
        rendered.outlined,
        lambda: new_state.search,
        full=False,
    )


def _keep(
    state: RenderState,
    generator: Generator,
    texts: dict[str, str],
    search: dict[str, dict[str, str]],
    dates: dict[str, str],
) -> None:
    """Write what this render was made from, for the next build."""
    state.keep_texts(texts)
    state.search = {path: search[path] for path in sorted(search)}
    state.updated = dates
    state.calendar_key = generator.calendar_key or ""
    state.write(generator.root, generator.state_dir)
    events = {
        "ics": hashlib.sha256(generator.calendar).hexdigest(),
        "events": generator.calendar_events,
    }
    folder = OwnedFolder(generator.root / generator.state_dir, inside=generator.root)
    folder.write(CALENDAR_STATE, json.dumps(events).encode("ascii"))


def _calendar_events(root: Path, generator: Generator) -> list[str]:
    """The keys of the events of the feed the last build wrote ([] when they are not
    known for exactly that feed: it is then written whole)."""
    try:
        data = json.loads((root / generator.state_dir / CALENDAR_STATE).read_bytes())
    except (OSError, ValueError):
        return []
    if (
        not isinstance(data, dict)
        or data.get("ics") != hashlib.sha256(generator.calendar).hexdigest()
    ):
        return []
    events = data.get("events")
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        return []
    return events


def search_docs(
    generated: Generated, generator: Generator, site_dir: Path
) -> Callable[[], list[dict[str, str]]] | None:
    """What gives the search index's documents when it must be written: after a render
    (they may still be in the making), or when the site has none (those of the last
    build); None when it is current."""
    found = generated.found
    if found is not None:
        return lambda: list(found().values())
    if (site_dir / SEARCH_INDEX).is_file():
        return None
    state = RenderState.read(generator.root, generator.state_dir)
    documents = list(state.search.values()) if state is not None else []
    return lambda: documents


def _docs_intact(docs_dir: Path, state: RenderState) -> bool:
    """Whether every file the last build generated is still there."""
    return all(os.path.exists(docs_dir / path) for path in state.files)


@dataclass(frozen=True)
class Guarded:
    """What the audit of a build found, and what was done about it."""

    findings: list[Finding]
    withheld: list[Path]  # pages replaced by a notice
    deleted: bool = False  # a finding outside any record's page: the site was removed


def guard_site(
    root: Path,
    site_dir: Path,
    network: Network,
    built: Iterable[str] | None,
    forget: Callable[[set[str] | None], None],
    audited: Callable[[], None],
    *,
    workers: int = 1,
) -> Guarded:
    """Audit the site files a build wrote (``built``: site paths; None: every file of the
    site) before anyone opens them, as ``netkb build`` and ``netkb serve`` both do.
    ``forget(pages)`` drops what the builder recorded of those pages (None: of every
    page), so that the next build builds and audits them again; ``audited()`` records
    that the audit ended (what the builder recorded is trusted only from then on)."""
    built = None if built is None else set(built)
    findings = audit_site(site_dir, only=built, workers=workers)
    if findings:  # which record each page comes from (worked out for all: rarely needed)
        findings = audit_site(site_dir, record_pages(network), only=built, workers=workers)
    if any(f.source is None for f in findings):
        # A page no single record makes: the theme, mkdocs.yml, a page template (or netkb)
        # is at fault. Nobody should open a site that leaks requests: it is removed.
        OwnedFolder(site_dir, inside=root).remove_all()
        forget(None)
        return Guarded(findings, [], deleted=True)
    withheld = []
    if findings:
        # Only pages made from single records: those are withheld, the rest of the site
        # stays. One received note or file is never the reason a whole site goes.
        withheld = withhold(site_dir, findings, root)
        forget({f.path.relative_to(site_dir).as_posix() for f in findings})
    audited()
    return Guarded(findings, withheld)


@contextmanager
def audited_if_it_fails(
    root: Path,
    site_dir: Path,
    network: Network,
    forget: Callable[[set[str] | None], None],
    workers: int = 1,
) -> Iterator[None]:
    """The builder's work in this block. If it fails partway, nothing it recorded is
    trusted and every file of the site is audited now (which of them it wrote is not
    known), so that what is left is safe to open; then the error goes on."""
    try:
        yield
    except Exception:
        forget(None)
        if site_dir.is_dir():
            guard_site(root, site_dir, network, None, forget, lambda: None, workers=workers)
        raise


def generate(root: Path, progress: Callable[[int, int], None] | None = None) -> BuildResult:
    """Load the KB and write its pages into the generated folder (no MkDocs yet)."""
    started = time.perf_counter()
    generator = Generator(root)
    network = generator.load()
    result = BuildResult(network)
    result.timings["load"] = time.perf_counter() - started
    if network.errors:
        return result
    generator.settle(network)
    mark = time.perf_counter()
    rendered = generator.render(generator.link(network), progress=progress)
    result.timings["render"] = time.perf_counter() - mark
    mark = time.perf_counter()
    result.pages = len(rendered.pages)
    result.stats = generator.write_all(rendered.pages)
    result.timings["write"] = time.perf_counter() - mark
    return result


def build(
    root: Path,
    builder: Builder | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    *,
    clean: bool = False,
    workers: int | None = None,
    redact: Sequence[str] | None = None,
    site_dir: str | None = None,
) -> BuildResult:
    """Bring the site up to date: load, render what changed, let the builder build the
    pages whose sources changed, audit what it wrote (``clean``: everything, from scratch).

    ``progress(stage, done, total)`` for the stages "render" and "build"; ``workers``
    processes build the pages (default: one per CPU core). ``redact``: build a site
    without these values (empty: the settings' list) into its own folder (``site_dir``,
    default site-redacted/); the full site is left as it is."""
    started = time.perf_counter()
    root = root.resolve()
    settings, _problems = read_settings(root / CONFIG)
    target = Target.of(settings, redact, site_dir)
    generator = Generator(root, cache=DiskCache(root), target=target)
    generator.settle_settings(settings)  # before anything is written, even the cache
    workers = workers or os.cpu_count() or 1
    site_network = generator.load(workers)
    # The records live as long as the build: the collector need not scan them again
    # (its full passes took about a second of an edit's build at 10,000 people).
    with frozen():
        network = replace(site_network, problems=generator.problems)
        result = BuildResult(network)
        result.timings["load"] = time.perf_counter() - started
        if network.errors:
            return result
        generator.settle(network)
        mark = time.perf_counter()

        def stage(name: str) -> Callable[[int, int], None] | None:
            if progress is None:
                return None
            return lambda done, total: progress(name, done, total)

        generated = refresh(
            generator, site_network, clean=clean, progress=stage("render"), workers=workers
        )
        try:
            result.pages = len(generated.rendered)
            result.stats = generated.stats
            result.rendered = generated.rendered
            result.timings["render"] = time.perf_counter() - mark
            mark = time.perf_counter()
            builder = builder or MkDocsBuilder()
            forget = partial(forget_pages, root, target.state_dir)
            with audited_if_it_fails(root, root / target.site_dir, network, forget, workers):
                report = builder.build(
                    root / CONFIG,
                    overrides=target.builder_overrides(settings),
                    state_dir=target.state_dir,
                    clean=clean,
                    search_docs=search_docs(generated, generator, root / target.site_dir),
                    workers=workers,
                    progress=stage("build"),
                    unchanged=not generated.written and not generated.removed,
                )
        except Exception:
            generated.finish()  # whatever the builder did: the generated folder is current
            raise
        except BaseException:
            generated.finish(keep=False)  # interrupted: nothing more is waited for
            raise
        generated.finish()
        result.site_dir = report.site_dir
        result.built = report.built
        result.site_pages = report.pages
        result.pages_built = report.pages_built
        result.builder_warnings = list(report.warnings)
        result.timings["builder"] = time.perf_counter() - mark
        mark = time.perf_counter()
        audited = partial(mark_audited, root, target.state_dir)
        guarded = guard_site(
            root, report.site_dir, result.network, report.built, forget, audited, workers=workers
        )
        result.findings, result.withheld = guarded.findings, guarded.withheld
        result.site_deleted = guarded.deleted
        result.timings["audit"] = time.perf_counter() - mark
        return result
