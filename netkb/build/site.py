"""The whole build: load → validate → link → render → write → MkDocs → audit.

``Generator`` is the one render path, from the files to the generated folder.
``netkb build`` runs it once over everything (``generate``, then ``build`` hands the
folder to the builder and audits the result); ``netkb serve`` (``netkb.serve.live``) keeps
one for as long as it runs, and after each edit renders only the pages the edit can
change (``only``), through the same steps.
"""

from __future__ import annotations

import datetime as dt
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from netkb.build.audit import Finding, audit_site, record_pages, withhold
from netkb.build.builder import OVERRIDES_DIR, Builder, BuildError, MkDocsBuilder
from netkb.build.generate import (
    WriteStats,
    photo_files,
    remove_files,
    support_files,
    sync_folder,
    theme_overrides,
    write_files,
)
from netkb.core.problems import Problem, Severity
from netkb.core.records import Network
from netkb.core.references import Index
from netkb.core.write import OutsideKnowledgeBase, OwnedFolder
from netkb.git.history import last_updated
from netkb.link.derive import Facts, derive
from netkb.load.cache import CACHE_DIR
from netkb.load.loader import (
    CONFIG,
    LOG_DIR,
    ORGS_DIR,
    PEOPLE_DIR,
    TEMPLATES_DIR,
    RecordCache,
    load,
)
from netkb.render import escape
from netkb.render.map_pages import highlighted
from netkb.render.render import SiteRenderer
from netkb.render.urls import (
    circle_page,
    letter_of,
    letter_page,
    org_map_page,
    org_page,
    person_page,
    tag_page_prefixes,
    topic_page_prefix,
)

SOURCE_FOLDERS = (PEOPLE_DIR, LOG_DIR, ORGS_DIR, TEMPLATES_DIR)


@dataclass
class BuildResult:
    network: Network
    pages: int = 0
    stats: WriteStats | None = None
    site_dir: Path | None = None
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
    for source in (*SOURCE_FOLDERS, CONFIG, OVERRIDES_DIR, CACHE_DIR):
        source_path = (root / source).resolve()
        if folder == source_path or folder in source_path.parents or source_path in folder.parents:
            raise BuildError(
                f"{what} {setting!r} overlaps {source}; netkb replaces what is in {what}, "
                "so it must be a folder of its own (the defaults are .netkb/docs and site)"
            )
    return folder


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


class Generator:
    """Load → link → render → write the generated folder, for one KB.

    ``cache`` (``netkb.load.cache.MemoryCache``) keeps parsed files, and what linking and
    rendering can reuse is kept too (whom each record mentions, compiled templates),
    so a Generator run again after an edit does only what the edit needs.
    """

    def __init__(self, root: Path, *, cache: RecordCache | None = None) -> None:
        self.root = root.resolve()
        self.cache = cache
        self._updated: dict[Path, dt.date] | None = None
        self.mentioned: dict[str, Any] = {}  # derive's memo: whom each record mentions
        self.env: jinja2.Environment | None = None  # templates, compiled once
        self.docs_dir = self.root / ".netkb" / "docs"
        self.photos: dict[str, bytes] = {}  # of public people, as the last render saw them

    @property
    def updated(self) -> dict[Path, dt.date]:
        """The date of each file's last commit (shown on person pages), read once."""
        if self._updated is None:
            self._updated = last_updated(self.root)
        return self._updated

    def load(self) -> Network:
        """Every record, through the cache."""
        return load(self.root, cache=self.cache)

    def settle(self, network: Network) -> None:
        """Take the folders the settings name (docs_dir, site_dir), once they are checked."""
        settings = network.settings
        self.docs_dir = owned_folder(self.root, settings.docs_dir, "docs_dir")
        owned_folder(self.root, settings.site_dir, "site_dir")

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
    ) -> Rendered:
        """Render every page (``only`` None), or those in ``only`` or under ``prefixes``.

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
            marked = highlighted(renderer.work) if renderer.work is not None else set()
            if wanted_paths is not None and outlined is not None:
                # Any edit can change who the best connectors are; every map outlines them.
                for slug in marked ^ outlined:
                    listed, listed_prefixes = pages_listing(facts, slug)
                    wanted_paths |= listed
                    starts += tuple(listed_prefixes)
            pages = renderer.pages(progress)
        except jinja2.TemplateError as exc:  # the KB's own templates/: the user's to fix
            raise BuildError(template_error(exc)) from None
        add_banners(pages, facts, facts.network.errors)
        self.photos = photo_files(self.root, facts.public)
        return Rendered(facts, renderer.all_paths, pages, marked)

    def render_records(self, facts: Facts, only: set[str]) -> dict[str, str]:
        """The pages of people and organisations in ``only``, no summary pages."""
        try:
            pages = self._renderer(facts, only.__contains__).record_pages()
        except jinja2.TemplateError as exc:
            raise BuildError(template_error(exc)) from None
        add_banners(pages, facts, facts.network.errors)
        return pages

    def write_all(self, pages: dict[str, str]) -> WriteStats:
        """Make the generated folder hold exactly ``pages`` and the support files."""
        files = {path: text.encode("utf-8") for path, text in pages.items()}
        files.update(support_files())
        files.update(self.photos)
        try:
            stats = sync_folder(self.docs_dir, files, inside=self.root)
            sync_folder(self.root / OVERRIDES_DIR, theme_overrides(), inside=self.root)
        except OutsideKnowledgeBase as exc:  # a symlink planted in netkb's own folders
            raise BuildError(str(exc)) from None
        return stats

    def write_some(self, pages: dict[str, str], removed: Iterable[str] = ()) -> set[str]:
        """Write the ``pages`` that changed and delete ``removed``; returns what was written."""
        files = {path: text.encode("utf-8") for path, text in pages.items()}
        try:
            written = write_files(self.docs_dir, files, inside=self.root)
            remove_files(self.docs_dir, set(removed), inside=self.root)
        except OutsideKnowledgeBase as exc:
            raise BuildError(str(exc)) from None
        return written


def pages_listing(facts: Facts, slug: str) -> tuple[set[str], set[str]]:
    """The index and map pages that list a person: paths, and the starts of the paths
    of their tags' and topics' pages (the exact ones depend on the other tags)."""
    person = facts.public.get(slug)
    if person is None:
        return set(), set()
    pages = {letter_page(letter_of(person.name)), circle_page(person.circle)}
    if slug in facts.person_org:
        organisation = facts.person_org[slug]
        pages.update((org_page(organisation), org_map_page(organisation)))
    prefixes = {prefix for tag in person.tags for prefix in tag_page_prefixes(tag)}
    prefixes.update(topic_page_prefix(topic) for topic in person.expertise)
    return pages, prefixes


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
    progress: Callable[[int, int], None] | None = None,
    dirty: bool = False,
) -> BuildResult:
    """Generate the pages, run the builder, and audit what it produced."""
    result = generate(root, progress)
    if result.network.errors:
        return result
    root = result.network.root
    builder = builder or MkDocsBuilder()
    mark = time.perf_counter()
    result.site_dir = builder.build(root / CONFIG, dirty=dirty)
    result.builder_warnings = list(getattr(builder, "warnings", []))
    result.timings["builder"] = time.perf_counter() - mark
    mark = time.perf_counter()
    result.findings = audit_site(result.site_dir, record_pages(result.network))
    result.timings["audit"] = time.perf_counter() - mark
    if any(f.source is None for f in result.findings):
        # A page no single record makes: the theme, mkdocs.yml, a page template (or netkb)
        # is at fault. Nobody should open a site that leaks requests: it is removed.
        OwnedFolder(result.site_dir, inside=root).remove_all()
        result.site_deleted = True
    elif result.findings:
        # Only pages made from single records: those are withheld, the rest of the site
        # stays. One received note or file is never the reason a whole site goes.
        result.withheld = withhold(result.site_dir, result.findings, root)
    return result
