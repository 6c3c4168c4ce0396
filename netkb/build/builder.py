"""Builders turn the generated Markdown folder into a static site. MkDocs is the one we ship.

The interface is deliberately small — a config file in, a site folder out — so
another builder that reads the same mkdocs.yml (Zensical) can be added beside it.

This is the only module that imports MkDocs (its public API and the private functions
a warm session needs: ``_build_page``, ``_populate_page``, ``livereload._timestamp``
and the live-reload server's internals), so an upgrade of MkDocs breaks this file and
no other. ``netkb serve`` uses it through two small interfaces: ``Session`` (a warm
build: ``build``, ``update``, ``write_index``) and ``LiveReload`` (MkDocs'
live-reload HTTP server, fed by netkb's own watcher).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import json
import logging
import os
import posixpath
import re
import threading
import time
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import jinja2
import nh3
from markdown.extensions.toc import TocTreeprocessor
from markupsafe import Markup, escape

from netkb.core.inline_pass import use_in
from netkb.core.parallel import can_fork, in_forks
from netkb.core.records import Settings
from netkb.core.write import OwnedFolder
from netkb.load.settings import code_in_config, load_config_text
from netkb.render.blocks import HtmlBlocks, converted_directly
from netkb.render.sandbox import Sandbox
from netkb.render.template_cache import bytecode_cache
from netkb.render.urls import NOT_IN_NAV as HIDDEN_FOLDERS

# What netkb's pages need from MkDocs when mkdocs.yml does not say it itself.
NAV = [
    {"Home": "index.md"},
    {"People": "people.md"},
    {"Organisations": "organisations.md"},
    {"Expertise": "expertise.md"},
    {"Tags": "tags.md"},
    {"Circles": "circles.md"},
    {"Journal": "journal.md"},
    {"Follow-ups": "followups.md"},
    {"Favours": "favours.md"},
    {"Time budget": "budget.md"},
    {"Network map": "map.md"},
    {"Connectors": "connectors.md"},
]
NOT_IN_NAV = "\n".join(f"/{folder}/" for folder in HIDDEN_FOLDERS)
OVERRIDES_DIR = ".netkb/overrides"
BUILD_STATE_DIR = ".netkb/build"  # what the last build made, to build only what changed
SEARCH_INDEX = "search/search_index.json"
# Material prints these settings into every page as they are (MkDocs' Jinja environment
# does not autoescape), in text and in attributes (title=, aria-label=, content=).
TEXT_SETTINGS = ("site_name", "site_description", "site_author")
# Material documents copyright as HTML (a link, &copy;): what stays of it.
COPYRIGHT_TAGS = {"a", "b", "strong", "em", "i", "small", "span", "br", "code"}


class BuildError(Exception):
    """The builder failed; the message says why in the user's terms."""


class Builder(Protocol):
    name: str
    warnings: list[str]

    def build(
        self,
        config_file: Path,
        *,
        clean: bool = False,
        search_docs: Callable[[], list[dict[str, str]]] | None = None,
        workers: int = 1,
        progress: Callable[[int, int], None] | None = None,
        overrides: dict[str, Any] | None = None,
        first: Iterable[str] = (),
        state_dir: str = BUILD_STATE_DIR,
        unchanged: bool = False,
    ) -> BuildReport:
        """Bring the site described by ``config_file`` up to date (from scratch with
        ``clean``); ``search_docs()``: the search index's documents, asked for once the
        pages are built (they may still be in the making; None: the index is current);
        ``first``: pages (paths in docs_dir) to build before the others; ``state_dir``:
        where what it built is recorded (in the KB); ``unchanged``: the generated folder is
        as the last build left it."""
        ...


class Session(Protocol):
    """A builder kept warm between edits (``netkb serve``)."""

    site_dir: Path | None

    def build(
        self,
        *,
        clean: bool = False,
        search_docs: Callable[[], list[dict[str, str]]] | None = None,
        workers: int = 1,
        progress: Callable[[int, int], None] | None = None,
        first: Iterable[str] = (),
        writing: Callable[[set[str]], None] | None = None,
    ) -> BuildReport:
        """Bring the site up to date with the generated folder. Later updates start from it.
        ``writing(files)``: told every site file the build may write, before it writes any."""
        ...

    def update(self, changed: set[str], removed: set[str], *, write_index: bool = True) -> set[str]:
        """Build the pages at ``changed`` (paths in docs_dir) again; drop ``removed``;
        returns the site files written (for the audit)."""
        ...

    def forget(self, pages: set[str] | None) -> None:
        """Drop what was recorded of the built ``pages`` (site paths; None: every page),
        so the next build builds them again: pages the audit withheld or removed."""
        ...

    def audited(self) -> None:
        """Record that the audit read what was built: until then nothing is trusted."""
        ...

    def set_search_docs(self, docs: list[dict[str, str]]) -> None:
        """The search index's documents from now on."""
        ...

    def write_index(self) -> None:
        """Write the search index if it changed since it was last written."""
        ...


def raw_config(config_file: Path) -> dict[str, Any]:
    """mkdocs.yml as YAML data (MkDocs' !ENV tags read as plain values); {} for no mapping."""
    loaded = load_config_text(config_file.read_text(encoding="utf-8-sig"))
    return loaded if isinstance(loaded, dict) else {}


def config_overrides(config_file: Path) -> dict[str, Any]:
    """Settings netkb enforces on top of mkdocs.yml: a small nav, the privacy switches, and
    the site's name and description as text wherever Material prints them."""
    raw = raw_config(config_file)
    overrides: dict[str, Any] = {}
    # netkb writes its pages where Settings says; MkDocs must read them from there too.
    if "docs_dir" not in raw:
        overrides["docs_dir"] = Settings().docs_dir
    if not raw.get("nav"):
        overrides["nav"] = NAV
    if not raw.get("not_in_nav"):
        overrides["not_in_nav"] = NOT_IN_NAV
    theme = raw.get("theme")
    theme = dict(theme) if isinstance(theme, dict) else {"name": theme or "material"}
    theme["font"] = False  # no Google Fonts
    theme.setdefault("custom_dir", OVERRIDES_DIR)
    overrides["theme"] = theme
    extra = raw.get("extra") if isinstance(raw.get("extra"), dict) else {}
    overrides["extra"] = {**extra, "generator": False}
    # Escaped once here and marked as Markup: printed raw they show as text, and
    # Material's own "| e" leaves Markup alone, so nothing shows as &amp;amp;.
    for key in TEXT_SETTINGS:
        if isinstance(raw.get(key), str):
            overrides[key] = escape(raw[key])
    if isinstance(raw.get("copyright"), str):
        allowed = nh3.clean(
            raw["copyright"],
            tags=COPYRIGHT_TAGS,
            attributes={"a": {"href", "title"}},
            url_schemes={"http", "https", "mailto", "tel"},
        )
        overrides["copyright"] = Markup(allowed)
    return overrides


@contextmanager
def _quiet_mkdocs(messages: list[str]) -> Iterator[None]:
    """Collect MkDocs' warnings instead of letting them go to the terminal unformatted."""

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    logger = logging.getLogger("mkdocs")
    handler = Collect(logging.WARNING)
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


class MkDocsBuilder:
    """MkDocs + Material, run in-process, page by page (``MkDocsSession``)."""

    name = "mkdocs"

    def __init__(self) -> None:
        self.warnings: list[str] = []

    def load(self, config_file: Path, logged: list[str] | None = None, **extra: Any) -> Any:
        """mkdocs.yml with netkb's overrides (and ``extra`` ones, e.g. ``site_dir``);
        ``logged``: where MkDocs' messages are being collected (they explain its errors)."""
        from mkdocs.config import load_config

        try:
            data = config_file.read_bytes()
            text = data.decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise BuildError(f"{config_file}: {exc}") from exc
        # MkDocs reads mkdocs.yml with PyYAML's unsafe loader: it gets only text that was
        # checked (these very bytes, not the file read again).
        for line, column, message in code_in_config(text):
            raise BuildError(f"{config_file}:{line}:{column}: {message}")
        checked = io.BytesIO(data)
        checked.name = str(config_file)  # type: ignore[attr-defined]  # where MkDocs resolves paths from
        try:
            overrides = config_overrides(config_file)
            more_extra = extra.pop("extra", None)
            overrides.update(extra)
            if more_extra:
                overrides["extra"] = {**overrides["extra"], **more_extra}
            return load_config(config_file=checked, **overrides)
        except Exception as exc:  # MkDocs raises its own and YAML errors: report them all
            if logged is not None:
                self.warnings = logged
            raise BuildError(self._explain(f"{config_file}: {exc}")) from exc

    def build(
        self,
        config_file: Path,
        *,
        clean: bool = False,
        search_docs: Callable[[], list[dict[str, str]]] | None = None,
        workers: int = 1,
        progress: Callable[[int, int], None] | None = None,
        overrides: dict[str, Any] | None = None,
        first: Iterable[str] = (),
        state_dir: str = BUILD_STATE_DIR,
        unchanged: bool = False,
    ) -> BuildReport:
        """Build the pages whose inputs changed since the last build (all with ``clean``)."""
        session = MkDocsSession(config_file, overrides=overrides, state_dir=state_dir)
        try:
            return session.build(
                clean=clean,
                search_docs=search_docs,
                workers=workers,
                progress=progress,
                first=first,
                unchanged=unchanged,
            )
        finally:
            self.warnings = session.warnings

    def _explain(self, message: str) -> str:
        """``message`` followed by what MkDocs logged: its exception alone often says only
        "Aborted with a configuration error!"."""
        return "\n  ".join([message, *self.warnings])


@dataclass
class BuildReport:
    """What one build of the site did."""

    site_dir: Path
    built: set[str] = field(default_factory=set)  # files written, relative to site_dir
    removed: set[str] = field(default_factory=set)  # files deleted (their page is gone)
    pages: int = 0  # pages in the site
    pages_built: int = 0  # of those, built this time
    warnings: list[str] = field(default_factory=list)


# What a page's HTML depends on besides its own source, in one digest (``_site_digest``).
PAGES_STATE = "pages.json"
# Present from before a build writes its first file until the audit has read them all:
# nothing recorded is trusted meanwhile (an interrupted build leaves it behind).
UNAUDITED = "unaudited"
STATE_FORMAT = 2
TRUSTED_AGE_NS = 2_000_000_000  # a file time this close to the last record is not trusted
# Fewer pages than this are built in this process: forking costs more than it saves.
PARALLEL_FROM = 200
_MD_LINK = re.compile(rb"\]\(<?([^()<>\s]+?\.md)(?:#[^()\s]*)?>?\)")


class MkDocsSession:
    """MkDocs driven page by page, so that a build writes only what changed.

    Every output page is recorded with a digest of everything its HTML depends on (its
    Markdown, the links in it that resolve, the navigation, mkdocs.yml, netkb's theme
    overrides, the versions of MkDocs, Material and netkb); a build renders the pages
    whose digest changed or whose HTML is missing, copies static files that changed,
    deletes what no longer belongs, and rebuilds the site-wide templates (404, sitemap).
    The result is the same as a clean build's, byte for byte (``tests/test_incremental``).

    The search index is not MkDocs': netkb passes documents made from records
    (``search_docs``) and they are written in the format Material's search reads;
    Material's search plugin is told to skip every page, so it parses no HTML.

    Kept alive (``netkb serve``), ``update`` renders named pages at once.
    """

    def __init__(
        self,
        config_file: Path,
        site_url: str | None = None,
        *,
        overrides: dict[str, Any] | None = None,
        state_dir: str = BUILD_STATE_DIR,
    ) -> None:
        self.config_file = config_file
        self.root = config_file.parent.resolve()
        self.state_dir = state_dir
        self.site_url = site_url
        self.overrides = dict(overrides or {})
        self.warnings: list[str] = []
        self._state: dict[str, Any] | None = None
        self.site_dir: Path | None = None
        self.digests: dict[str, str] = {}  # output file → digest of what it was made from
        # page source → [mtime_ns, size, digest, .md links] (``_source``), as last recorded
        self.sources: dict[str, list[Any]] = {}
        self._known_sources: dict[str, Any] = {}
        self._trusted_before = 0  # file times from this on (ns) are too recent to trust
        self.outputs: set[str] = set()  # every file a clean build would put in the site
        self.search_docs: list[dict[str, str]] | None = None

    # -- a whole build ---------------------------------------------------------------------

    def build(
        self,
        *,
        clean: bool = False,
        search_docs: Callable[[], list[dict[str, str]]] | None = None,
        workers: int = 1,
        progress: Callable[[int, int], None] | None = None,
        first: Iterable[str] = (),
        unchanged: bool = False,
        writing: Callable[[set[str]], None] | None = None,
    ) -> BuildReport:
        """Bring the site up to date with the generated folder; ``first``: pages (paths in
        docs_dir) to build before the others (``netkb serve`` shows them sooner);
        ``writing(files)``: told every site file the build may write, before it writes any.

        ``unchanged``: the generated folder is as the last build left it. Then, when
        nothing else a page depends on changed either (``_quick_digest``) and every page
        is still in the site, MkDocs is not even started."""
        from mkdocs.commands.build import _build_theme_template
        from mkdocs.exceptions import MkDocsException

        self.warnings = []
        if unchanged and not clean and search_docs is None:
            current = self._current_site()
            if current is not None:
                return current
        with _quiet_mkdocs(self.warnings):
            state = self._state = self._prepare()
            config, files = state["config"], state["files"]
            site_dir = self.site_dir = Path(config["site_dir"])
            site = self._site()
            if clean:
                site.remove_all()
            old = {} if clean else self._read_digests()
            report = BuildReport(site_dir)
            pages = files.documentation_pages()
            report.pages = len(pages)
            digests: dict[str, str] = {}
            todo = []
            self.sources = {}
            # Nothing recorded: every page is built, and its digest worked out where it is.
            later = not old
            for file in pages:
                if later:
                    todo.append(file)
                    continue
                digest = self._page_digest(state, file)
                digests[file.dest_uri] = digest
                if old.get(file.dest_uri) != digest or not os.path.exists(file.abs_dest_path):
                    todo.append(file)
            # The pages asked for first, then the biggest first: the maps and the circles
            # (60 times a person page) built last would keep one worker busy alone.
            wanted_first = set(first)
            todo.sort(key=lambda f: (f.src_uri not in wanted_first, -_size(f.abs_src_path)))
            if writing is not None:
                writing(
                    {f.dest_uri for f in todo}
                    | {f.dest_uri for f in files if not f.is_documentation_page()}
                    | set(config.theme.static_templates)
                )
            self._state_folder().write(UNAUDITED, b"")

            def site_files() -> None:  # here, while workers build the pages
                report.built |= self._copy_static(state)
                for template in config.theme.static_templates:
                    # 404.html shows the navigation; the sitemap lists every page, dated.
                    digest = self._template_digest(state, template)
                    digests[template] = digest
                    if old.get(template) == digest and os.path.exists(site_dir / template):
                        continue
                    self._titles(state)
                    _build_theme_template(template, state["env"], files, config, state["nav"])
                    if template != "sitemap.xml":
                        report.built.add(template)

            try:
                digests |= self._build_pages(
                    state, todo, workers, progress, digests=later, meanwhile=site_files
                )
                report.built |= {f.dest_uri for f in todo}
                report.pages_built = len(todo)
                report.removed = self._remove_stale(state)
                self._post_build(state)
            except (MkDocsException, OSError, jinja2.TemplateError) as exc:
                self.digests = {}
                self._write_digests()  # nothing can be trusted until a build succeeds
                raise BuildError(self._failed(f"MkDocs could not build the site: {exc}")) from exc
            if search_docs is not None:  # None: the index in the site is current
                self.search_docs = search_docs()
                self._write_search_index(state)
            self.digests = digests
            self._write_digests()
        report.warnings = list(self.warnings)
        return report

    def _prepare(self) -> dict[str, Any]:
        """Config, files, navigation and theme, as MkDocs' own build prepares them."""
        from mkdocs.structure.files import get_files, set_exclusions
        from mkdocs.structure.nav import get_navigation

        config = MkDocsBuilder().load(self.config_file, self.warnings, **self.overrides)
        if self.site_url:
            config["site_url"] = self.site_url
        # netkb's pages are headings over HTML blocks: Markdown need not parse the blocks.
        config["markdown_extensions"].append(HtmlBlocks())
        # MkDocs keeps plugin instances for the whole process: a fresh start each time.
        config.plugins.on_startup(command="build", dirty=False)
        config = config.plugins.on_config(config)
        config.plugins.on_pre_build(config=config)
        files = get_files(config)
        env = config.theme.get_env()
        if config.theme.custom_dir and Path(config.theme.custom_dir) != self.root / OVERRIDES_DIR:
            _sandbox(env)  # the KB's own theme templates: hostile input like any file
        files.add_files_from_theme(env, config)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        nav = get_navigation(files, config)
        nav = config.plugins.on_nav(nav, config=config, files=files)
        make_page = _page_maker(config)
        for file in files.documentation_pages():
            make_page(file)
        env = config.plugins.on_env(env, config=config, files=files)
        # An installed theme's templates (a sandbox gets none): compiled once and kept.
        env.bytecode_cache = bytecode_cache("theme", env)
        if NAV_ONCE and config.theme.name == "material":
            _theme_parts_once(env, nav, config.theme.custom_dir)
        search = next(
            (p for name, p in config.plugins.items() if name.split("/")[-1] == "search"), None
        )
        state = {
            "config": config,
            "files": files,
            "nav": nav,
            "env": env,
            "search": search,
            "populated": set(),
            "make_page": make_page,
        }
        state["site_digest"] = self._site_digest(state)
        return state

    def _setup_digest(self) -> Any:  # a hashlib object, updated further by the callers
        """What every page depends on besides the generated folder, worked out without
        MkDocs: the versions of MkDocs, Material and netkb, mkdocs.yml and netkb's
        overrides of it, and the theme folder (the KB's own custom_dir, or netkb's)."""
        from importlib.metadata import version

        from netkb.load.cache import code_signature

        digest = hashlib.sha256()
        for part in (
            version("mkdocs"),
            version("mkdocs-material"),
            repr(code_signature()),
            repr(sorted(self.overrides.items())),
            self.site_url or "",
        ):
            digest.update(part.encode() + b"\0")
        digest.update(self.config_file.read_bytes())
        theme = config_overrides(self.config_file)["theme"]
        custom = self.root / str(theme.get("custom_dir") or OVERRIDES_DIR)
        for path in sorted(custom.rglob("*")) if custom.is_dir() else ():
            if path.is_file():
                digest.update(f"\0{path.relative_to(custom)}\0".encode() + path.read_bytes())
        return digest

    def _site_digest(self, state: dict[str, Any]) -> str:
        """A digest of what every page's HTML depends on besides its own source: the
        setup, and the navigation's titles."""
        digest = self._setup_digest()
        for page in state["nav"].pages:
            # A nav entry without a title in mkdocs.yml takes it from its page.
            digest.update(f"{page.file.src_uri}\0{page.title}\0".encode())
            if page.title is None:
                digest.update(page.file.content_bytes)
        return digest.hexdigest()

    def _template_digest(self, state: dict[str, Any], template: str) -> str:
        """What a site-wide page (404.html, sitemap.xml) is made from."""
        from mkdocs.utils import get_build_date

        digest = hashlib.sha256(f"{state['site_digest']}\0{template}\0".encode())
        if template.startswith("sitemap"):
            digest.update(get_build_date().encode())
            for file in state["files"].documentation_pages():
                digest.update(f"\0{file.dest_uri}".encode())
        return digest.hexdigest()

    def _page_digest(self, state: dict[str, Any], file: Any) -> str:
        source, targets = self._source(file)
        digest = hashlib.sha256(state["site_digest"].encode())
        digest.update(f"\0{file.src_uri}\0{file.inclusion}\0{source}".encode())
        if targets:  # Markdown links MkDocs resolves: whether each target exists
            folder = posixpath.dirname(file.src_uri)
            files = state["files"]
            for target in targets:
                path = posixpath.normpath(posixpath.join(folder, target))
                digest.update(f"\0{target}:{files.get_file_from_path(path) is not None:d}".encode())
        return digest.hexdigest()

    def _source(self, file: Any) -> tuple[str, list[str]]:
        """A digest of a page's Markdown and the .md files it links to, read again only
        when its size or time changed (netkb writes the generated folder anew: a file
        written is a new file). As git does, a time too close to the last record is not
        trusted: the file may have changed again within the same clock tick."""
        try:
            stat = os.stat(file.abs_src_path)
            seen = [stat.st_mtime_ns, stat.st_size]
        except OSError:
            seen = [0, -1]
        known = self._known_sources.get(file.src_uri)
        if (
            isinstance(known, list)
            and len(known) == 4
            and known[:2] == seen
            and seen[0] < self._trusted_before
        ):
            entry = known
        else:
            source = file.content_bytes
            targets = []
            if b".md" in source:
                found = {t.decode("utf-8", "replace") for t in _MD_LINK.findall(source)}
                targets = sorted(found)
            entry = [*seen, hashlib.sha256(source).hexdigest(), targets]
        self.sources[file.src_uri] = entry
        return entry[2], entry[3]

    def _build_pages(
        self,
        state: dict[str, Any],
        todo: list[Any],
        workers: int,
        progress: Callable[[int, int], None] | None,
        digests: bool = False,
        meanwhile: Callable[[], None] | None = None,
    ) -> dict[str, str]:
        """Render ``todo`` (files of pages), in forked processes when it pays; with
        ``digests``, the digest of each page built (``_page_digest``) by its site path.
        ``meanwhile()`` runs in this process while the workers build, or after."""
        if not todo:
            if meanwhile is not None:
                meanwhile()
            return {}
        self._titles(state)
        total = len(todo)
        if progress is not None:
            progress(0, total)
        if workers > 1 and total >= PARALLEL_FROM and can_fork():
            shares = [
                [f.src_uri for f in todo[i : i + 50]] for i in range(0, total, 50)
            ]  # small shares: the pages first asked for come first
            counts = [len(share) for share in shares]

            def finished(number: int) -> None:
                if progress is not None:
                    progress(sum(counts[:number]), total)

            results, _ = in_forks(
                lambda uris: _build_share(self, state, uris, digests),
                shares,
                workers,
                meanwhile=meanwhile,
                done=finished,
            )
            found: dict[str, str] = {}
            for warnings, share_digests, sources in results:
                self.warnings += warnings
                found |= share_digests
                self.sources |= sources
            return found
        found = {}
        for done, file in enumerate(todo, 1):
            self._build_one(state, file.page)
            if digests:
                found[file.dest_uri] = self._page_digest(state, file)
            if progress is not None and (done % 25 == 0 or done == total):
                progress(done, total)
        if meanwhile is not None:
            meanwhile()
        return found

    def _titles(self, state: dict[str, Any]) -> None:
        """The navigation shows the titles of its pages: read the pages whose title
        mkdocs.yml does not give before any page is built."""
        for page in state["nav"].pages:
            if page.title is None:
                self._populate(state, page)

    def _populate(self, state: dict[str, Any], page: Any) -> None:
        from mkdocs.commands.build import _populate_page

        if page.file.src_uri not in state["populated"]:
            _populate_page(page, state["config"], state["files"])
            # netkb writes the search index from records: Material's search skips the page
            # (it would parse the whole HTML of each).
            page.meta["search"] = {"exclude": True}
            state["populated"].add(page.file.src_uri)

    def _build_one(self, state: dict[str, Any], page: Any) -> None:
        from mkdocs.commands.build import _build_page

        self._populate(state, page)
        if "doc_files" not in state:  # asked for by every page: worked out once
            state["doc_files"] = state["files"].documentation_pages()
        doc_files = state["doc_files"]
        _build_page(page, state["config"], doc_files, state["nav"], state["env"])
        if page.file.src_uri not in {p.file.src_uri for p in state["nav"].pages}:
            # Built once: the HTML is on disk; what MkDocs kept of it is not needed again.
            page.markdown = page.content = None
            state["populated"].discard(page.file.src_uri)

    def _copy_static(self, state: dict[str, Any]) -> set[str]:
        """Copy the static files (theme assets, stylesheets, photos) that changed."""
        copied = set()
        for file in state["files"]:
            if file.is_documentation_page():
                continue
            if not os.path.exists(file.abs_dest_path) or file.is_modified():
                file.copy_file()
                copied.add(file.dest_uri)
        return copied

    def _remove_stale(self, state: dict[str, Any]) -> set[str]:
        """Delete what a clean build would not make (pages and files whose source is gone)."""
        config, files = state["config"], state["files"]
        site_dir = Path(config["site_dir"])
        wanted = {f.dest_uri for f in files}
        wanted |= set(config.theme.static_templates)
        if "sitemap.xml" in wanted:
            wanted.add("sitemap.xml.gz")
        if state["search"] is not None:
            wanted.add(SEARCH_INDEX)
        self.outputs = wanted
        site = self._site()
        removed = set()
        for current, _dirs, names in os.walk(site_dir, topdown=False):
            relative = Path(current).relative_to(site_dir).as_posix()
            for name in names:
                path = name if relative == "." else f"{relative}/{name}"
                if path not in wanted:
                    site.remove(path)
                    removed.add(path)
            if current != str(site_dir) and not os.listdir(current):
                site.remove_folder(relative)
        return removed

    # -- netkb serve: named pages at once ----------------------------------------------------

    def update(self, changed: set[str], removed: set[str], *, write_index: bool = True) -> set[str]:
        """Render the pages at ``changed`` (paths in docs_dir) again; drop ``removed``;
        returns the site files written (pages and copied files, for the audit).

        ``write_index=False`` leaves the search index as it is: ``write_index`` writes it
        (a site-wide file, rewritten once for a burst of updates)."""
        from mkdocs.exceptions import MkDocsException
        from mkdocs.structure.files import File, InclusionLevel, set_exclusions

        self.warnings = []
        with _quiet_mkdocs(self.warnings):
            if self._state is None:
                self._state = self._prepare()
            state = self._state
            config, files = state["config"], state["files"]
            for uri in removed:
                file = files.get_file_from_path(uri)
                if file is not None:
                    files.remove(file)
                else:  # where it would have been built
                    file = File(
                        uri, config["docs_dir"], config["site_dir"], config["use_directory_urls"]
                    )
                self._site().remove(file.dest_uri)
                self.digests.pop(file.dest_uri, None)
                self.sources.pop(uri, None)
            fresh = []
            for uri in sorted(changed):
                if files.get_file_from_path(uri) is None:
                    file = File(
                        uri, config["docs_dir"], config["site_dir"], config["use_directory_urls"]
                    )
                    files.append(file)
                    fresh.append(file)
            set_exclusions(fresh, config)
            for file in fresh:
                if file.inclusion == InclusionLevel.UNDEFINED:
                    file.inclusion = InclusionLevel.NOT_IN_NAV
            state.pop("doc_files", None)
            written = set()
            self._state_folder().write(UNAUDITED, b"")
            try:
                for uri in sorted(changed):
                    file = files.get_file_from_path(uri)
                    if file is None:
                        continue
                    written.add(file.dest_uri)
                    if not file.is_documentation_page():
                        file.copy_file()
                        continue
                    page = state["make_page"](file)
                    state["populated"].discard(uri)
                    self._build_one(state, page)
                    self.digests[file.dest_uri] = self._page_digest(state, file)
            except (MkDocsException, OSError, jinja2.TemplateError) as exc:
                raise BuildError(self._failed(f"MkDocs could not build the pages: {exc}")) from exc
            # The digests are written by ``audited`` (the audit follows every update): the
            # last ones written stay trusted for nothing meanwhile (``UNAUDITED``).
            if write_index:
                self.write_index()
        return written

    def _failed(self, message: str) -> str:
        """``message`` and what MkDocs logged meanwhile, each on a line of its own."""
        return "\n  ".join(_clipped(line) for line in [message, *self.warnings])

    def forget(self, pages: set[str] | None) -> None:
        """Drop what was recorded of the built ``pages`` (site paths; None: every page),
        so the next build builds them again: pages the audit withheld or removed."""
        if pages is None:
            self.digests = {}
            forget_build(self.root, self.state_dir)
            return
        for page in pages:
            self.digests.pop(page, None)
        self._write_digests()

    def audited(self) -> None:
        """Record that the audit read every page built so far: a build that has written
        its digests but was stopped before the audit ended is not trusted (``_read_digests``
        and ``_current_site`` ignore it, so the next build builds and audits all again).
        Nothing to do without ``UNAUDITED``: nothing was built since the last audit."""
        if not os.path.lexists(self.state_path / UNAUDITED):
            return
        self._write_digests(audited=True)
        self._state_folder().remove(UNAUDITED)

    def set_search_docs(self, docs: list[dict[str, str]]) -> None:
        """The search index's documents from now on (``write_index`` writes them)."""
        self.search_docs = docs
        if self._state is not None:
            self._state["index_dirty"] = True

    def write_index(self) -> None:
        """Write the search index if it changed since it was last written."""
        state = self._state
        if state is None or not state.get("index_dirty"):
            return
        self._write_search_index(state)

    def _post_build(self, state: dict[str, Any]) -> None:
        """The plugins' end of a build, except the search index: netkb writes that (the
        plugin would write one without documents over it)."""
        search = state["search"]
        enabled = search is not None and search.config.enabled
        if enabled:
            search.config.enabled = False
        try:
            state["config"].plugins.on_post_build(config=state["config"])
        finally:
            if enabled:
                search.config.enabled = True

    def _write_search_index(self, state: dict[str, Any]) -> None:
        """The index in the format of Material's search plugin, with netkb's documents."""
        search = state["search"]
        state["index_dirty"] = False
        if search is None or self.search_docs is None:
            return
        config = {k: search.config[k] for k in ("lang", "separator", "pipeline", "fields")}
        data = {"config": config, "docs": self.search_docs}
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)
        self._site().write(SEARCH_INDEX, text.encode("utf-8"))

    # -- state ---------------------------------------------------------------------------

    @property
    def state_path(self) -> Path:
        return self.root / self.state_dir

    def _state_folder(self) -> OwnedFolder:
        return OwnedFolder(self.state_path, inside=self.root)

    def _quick_digest(self) -> str:
        """The setup and the day (the sitemap is dated): when neither changed, nor the
        generated folder, no page can have."""
        digest = self._setup_digest()
        day = os.environ.get("SOURCE_DATE_EPOCH", "") or dt.datetime.now(dt.UTC).date().isoformat()
        digest.update(f"\0{day}".encode())
        return digest.hexdigest()

    def _current_site(self) -> BuildReport | None:
        """The report of a build with nothing to do, if the last build left the site
        complete and nothing it depends on changed since; else None."""
        try:
            data = json.loads((self.root / self.state_dir / PAGES_STATE).read_bytes())
            site_dir, pages, quick = Path(data["site_dir"]), data["pages"], data["quick"]
            outputs = set(data["outputs"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if data.get("format") != STATE_FORMAT or not quick or quick != self._quick_digest():
            return None
        if not _trusted(data, self.state_path):  # the audit of the last build did not end
            return None
        found = set()
        for current, _dirs, names in os.walk(site_dir):
            relative = os.path.relpath(current, site_dir)
            found.update(name if relative == "." else f"{relative}/{name}" for name in names)
        if found != outputs:  # a page gone, or a file a clean build would not make
            return None
        templates = {"404.html", "sitemap.xml"}
        self.site_dir = site_dir
        return BuildReport(site_dir, pages=sum(1 for page in pages if page not in templates))

    def _read_digests(self) -> dict[str, str]:
        """The digests of the last build into the same site folder; {} when unknown."""
        try:
            data = json.loads((self.root / self.state_dir / PAGES_STATE).read_bytes())
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
            return {}
        if data.get("site_dir") != str(self.site_dir) or not _trusted(data, self.state_path):
            return {}
        sources, recorded = data.get("sources"), data.get("recorded")
        if isinstance(sources, dict) and isinstance(recorded, int):
            self._known_sources = sources
            self._trusted_before = recorded - TRUSTED_AGE_NS
        pages = data.get("pages")
        return pages if isinstance(pages, dict) else {}

    def _write_digests(self, audited: bool = False) -> None:
        data = {
            "format": STATE_FORMAT,
            "audited": audited,
            "site_dir": str(self.site_dir),
            "pages": self.digests,
            "sources": self.sources if self.digests else {},
            "recorded": time.time_ns(),
            "quick": self._quick_digest() if self.digests else "",
            "outputs": sorted(self.outputs),
        }
        self._state_folder().write(PAGES_STATE, json.dumps(data).encode())

    def _site(self) -> OwnedFolder:
        """The built site, written only inside the KB (the folder of mkdocs.yml)."""
        assert self._state is not None
        site_dir = Path(self._state["config"]["site_dir"])
        return OwnedFolder(site_dir, inside=self.root)


def forget_pages(root: Path, state_dir: str, pages: set[str] | None) -> None:
    """Drop the digests of built ``pages`` (site paths; None: of every page): the next
    build builds them again."""
    if pages is None:
        return forget_build(root, state_dir)
    path = root / state_dir / PAGES_STATE
    try:
        data = json.loads(path.read_bytes())
        for page in pages:
            data["pages"].pop(page, None)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return forget_build(root, state_dir)
    OwnedFolder(root / state_dir, inside=root).write(PAGES_STATE, json.dumps(data).encode())


def mark_audited(root: Path, state_dir: str) -> None:
    """Record that the audit read what the last build wrote (``MkDocsSession.audited``,
    for a build whose session is gone). Nothing to do without ``UNAUDITED``: no build
    wrote anything since the last audit ended. A state that cannot be read stays
    untrusted (``_trusted``)."""
    state = root / state_dir
    if not os.path.lexists(state / UNAUDITED):
        return
    folder = OwnedFolder(state, inside=root)
    try:
        data = json.loads((state / PAGES_STATE).read_bytes())
    except (OSError, ValueError):
        data = None
    if isinstance(data, dict):
        data["audited"] = True
        folder.write(PAGES_STATE, json.dumps(data).encode())
    folder.remove(UNAUDITED)


def trusted(root: Path, state_dir: str) -> bool:
    """Whether what the last build recorded may be trusted: its audit ended (the site it
    left was read whole). False after a build or an audit that was stopped."""
    try:
        data = json.loads((root / state_dir / PAGES_STATE).read_bytes())
    except (OSError, ValueError):
        return False
    return _trusted(data, root / state_dir)


def _trusted(data: Any, state: Path) -> bool:
    """``trusted`` of the build state ``data`` read from the folder ``state``."""
    audited = isinstance(data, dict) and data.get("audited") is True
    return audited and not os.path.lexists(state / UNAUDITED)


def forget_build(root: Path, state_dir: str = BUILD_STATE_DIR) -> None:
    """Drop what the last build recorded of the site: the next one builds every page."""
    OwnedFolder(root / state_dir, inside=root).remove(PAGES_STATE)


def _build_share(
    session: MkDocsSession, state: dict[str, Any], uris: list[str], digests: bool
) -> tuple[list[str], dict[str, str], dict[str, list[Any]]]:
    """In a forked worker: build the pages at ``uris``; returns MkDocs' warnings and, with
    ``digests``, the pages' digests and what ``_source`` recorded of their sources."""
    warnings: list[str] = []
    found: dict[str, str] = {}
    files = state["files"]
    with _quiet_mkdocs(warnings):
        for uri in uris:
            file = files.get_file_from_path(uri)
            session._build_one(state, file.page)
            if digests:
                found[file.dest_uri] = session._page_digest(state, file)
    if not digests:  # the parent worked every digest out before forking: it has them
        return warnings, found, {}
    return warnings, found, {uri: session.sources[uri] for uri in uris}


# Markdown extensions whose state ``Markdown.reset()`` clears (Python-Markdown's own and
# netkb's): with only these configured, one Markdown converts every page of a process.
RESETTABLE = ("markdown.extensions.", "netkb.")
ONE_MARKDOWN = True  # tests turn it off to compare


def _extension_module(extension: Any) -> str:
    """The module an entry of ``markdown_extensions`` comes from."""
    if not isinstance(extension, str):
        return type(extension).__module__
    name = extension.split(":")[0]
    if "." in name:
        return name
    from importlib.metadata import entry_points

    found = list(entry_points(group="markdown.extensions", name=name))
    return found[0].value.split(":")[0] if found else name


def one_markdown_for(extensions: Iterable[Any]) -> bool:
    """Whether one Markdown may convert page after page with these extensions."""
    return all(_extension_module(e).startswith(RESETTABLE) for e in extensions)


def _page_maker(config: Any) -> Callable[[Any], Any]:
    """How a page of the build is made ready: as MkDocs makes it, or — when every
    extension clears its state on ``reset()`` — converting with the one Markdown of this
    build (making a Markdown costs a quarter of a person page's conversion;
    ``tests/test_one_markdown.py`` holds the site equal). MkDocs makes the pages (its
    navigation makes most): a plain Page becomes one that shares, in place."""
    from mkdocs.structure.pages import Page

    if not ONE_MARKDOWN or not one_markdown_for(config["markdown_extensions"]):
        return lambda file: file.page or Page(None, file, config)
    shared = _OneMarkdown(config)
    page_class = _one_markdown_page()

    def make(file: Any) -> Any:
        page = file.page or Page(None, file, config)
        if type(page) is Page:  # a subclass of a plugin's keeps its own ways
            page.__class__ = page_class
            page.one_markdown = shared
        return page

    return make


def _size(path: str) -> int:
    """The size of a page's source (0: gone)."""
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


class _OneMarkdown:
    """One Markdown for every page of a build (and of each worker, which inherits it)."""

    def __init__(self, config: Any) -> None:
        self.config = config
        self.md: Any = None

    def fresh(self) -> Any:
        """The Markdown, reset for a new page."""
        import markdown

        if self.md is None:
            self.md = markdown.Markdown(
                extensions=self.config["markdown_extensions"],
                extension_configs=self.config["mdx_configs"] or {},
            )
            if TOKENS_ONLY:
                _toc_tokens_only(self.md)
            use_in(self.md)  # Markdown's inline pass, trying only patterns that could match
        else:
            self.md.reset()
        return self.md


TOKENS_ONLY = True  # tests turn it off to compare


def _toc_tokens_only(md: Any) -> None:
    """Let the ``toc`` extension of ``md`` skip the table of contents as HTML (its
    ``md.toc``), made, tidied, serialized and post-processed for every page, a fifth of
    converting a person page: MkDocs reads only its ``toc_tokens`` (the theme's "On this
    page"). A page that asks for the HTML with the extension's marker (``[TOC]``) gets
    it, as the extension makes it."""
    current = md.treeprocessors["toc"] if "toc" in md.treeprocessors else None  # noqa: SIM401 (a Registry has no get)
    if type(current) is TocTreeprocessor:  # not another's subclass: that is left alone
        current.__class__ = _TokensOnly  # a subclass with no state of its own


class _TokensOnly(TocTreeprocessor):
    """The ``toc`` extension's tree processor, making its HTML only for a page that
    places it (``_toc_tokens_only``)."""

    wanted = False

    def run(self, doc: etree.Element) -> None:
        marker = self.marker
        # As ``replace_marker`` finds the marker: an element whose whole text it is.
        self.wanted = bool(marker) and any(
            el.text is not None and el.text.strip() == marker and len(el) == 0 for el in doc.iter()
        )
        super().run(doc)

    def build_toc_div(self, toc_list: list[Any]) -> etree.Element:
        if self.wanted:
            return super().build_toc_div(toc_list)
        return etree.Element("div")  # becomes ``md.toc``, which MkDocs does not read

    def replace_marker(self, root: etree.Element, elem: etree.Element) -> None:
        if self.wanted:  # else no element holds the marker: nothing to replace
            super().replace_marker(root, elem)


@functools.cache
def _one_markdown_page() -> type:
    """MkDocs' Page, converting with a shared Markdown; the rest of ``Page.render`` as
    MkDocs 1.6 does it: its per-page processors are made anew and replace the last
    page's (a registry keeps one item per name)."""
    from mkdocs.structure.pages import (
        Page,
        _ExtractAnchorsTreeprocessor,
        _ExtractTitleTreeprocessor,
        _RawHTMLPreprocessor,
        _RelativePathTreeprocessor,
        get_toc,
    )

    class OneMarkdownPage(Page):
        one_markdown: _OneMarkdown

        def render(self, config: Any, files: Any) -> None:
            if self.markdown is None:
                raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
            md = self.one_markdown.fresh()
            made = converted_directly(md, self.markdown)
            if made is not None:  # what Markdown and MkDocs' processors would make of it
                self.content = made.content
                self.toc = get_toc(made.toc_tokens)
                self._title_from_render = made.title
                self.present_anchor_ids = made.anchors
                if logging.getLogger("mkdocs.structure.pages").getEffectiveLevel() > logging.DEBUG:
                    self.links_to_anchors = {}
                return
            raw_html = _RawHTMLPreprocessor()
            raw_html._register(md)
            anchors = _ExtractAnchorsTreeprocessor(self.file, files, config)
            anchors._register(md)
            relative = _RelativePathTreeprocessor(self.file, files, config)
            relative._register(md)
            title = _ExtractTitleTreeprocessor()
            title._register(md)
            self.content = md.convert(self.markdown)
            self.toc = get_toc(getattr(md, "toc_tokens", []))
            self._title_from_render = title.title
            self.present_anchor_ids = anchors.present_anchor_ids | raw_html.present_anchor_ids
            if logging.getLogger("mkdocs.structure.pages").getEffectiveLevel() > logging.DEBUG:
                self.links_to_anchors = relative.links_to_anchors

    return OneMarkdownPage


# The theme's navigation partial, and the name under which the theme's own sources stay
# reachable.
NAV_PARTIAL = "partials/nav.html"
THEME_OWN = "netkb-theme-own/"
NAV_ONCE = True  # tests turn it off to compare
# Material's partials that show nothing of the page but links relative to its folder
# (the search box, the logo, the "back to top" button, the scripts that read the
# reader's stored settings, the progress bar, the analytics of mkdocs.yml): made once
# per folder.
FOLDER_PARTIALS = ("partials/search.html", "partials/logo.html", "partials/top.html")
FOLDER_PARTIALS += ("partials/javascripts/base.html", "partials/javascripts/announce.html")
FOLDER_PARTIALS += ("partials/javascripts/outdated.html", "partials/javascripts/content.html")
FOLDER_PARTIALS += ("partials/javascripts/consent.html", "partials/progress.html")
FOLDER_PARTIALS += ("partials/integrations/analytics.html",)
# The footer block: made once per folder for pages outside the navigation (it links to a
# page's neighbours in the navigation; they have none). netkb's main.html names the
# blocks it wants made once (``netkb_block``).
FOOTER_BLOCK = "block:footer"
# The header block: for a page outside the navigation it shows of the page only its
# title; made once per folder with stand-in titles (``netkb_titled``), the first of which
# each page's title then replaces.
HEADER_BLOCK = "block:header"
STAND_IN_TITLES = ("netkb-title-6f1d0c2ab7e94b53", "netkb-title-b1e07c55d9")
# Imported with the page's context by every page, for its translations macro, which
# reads nothing of the page: made once per language.
LANGUAGE_PARTIAL = "partials/language.html"
# The page's table of contents ("On this page"): it shows of the page only the entries of
# its table of contents, and most person pages have the same headings.
TOC_PARTIAL = "partials/toc.html"


class _OnceLoader(jinja2.BaseLoader):
    """The theme's loader, except that each partial made once calls ``netkb_once``."""

    def __init__(self, loader: jinja2.BaseLoader, once: Iterable[str]) -> None:
        self.loader = loader
        self.once = frozenset(once)

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        if template in self.once:
            return "{{ netkb_once(" + json.dumps(template) + ") }}", None, lambda: True
        if template.startswith(THEME_OWN):
            template = template[len(THEME_OWN) :]
        return self.loader.get_source(environment, template)

    def list_templates(self) -> list[str]:
        return self.loader.list_templates()


def _clipped(text: str, longest: int = 300) -> str:
    """``text`` on one line, at most ``longest`` characters (a sandbox's refusal quotes
    whole objects: MkDocs' config, thousands of characters)."""
    text = " ".join(text.split())
    if len(text) <= longest:
        return text
    half = longest // 2  # the end says what went wrong ("… is not safely callable")
    return f"{text[:half]} … {text[-half:]}"


def _sandbox(env: jinja2.Environment) -> None:
    """Make the theme's fresh environment (``Theme.get_env``, nothing compiled yet) a
    sandboxed one (``render/sandbox.py``): a template of the KB's own cannot reach
    Python's internals (``cycler.__init__.__globals__.os``) nor call MkDocs' objects
    (``config.theme.get_env()``), so it cannot run code. Templates compiled from
    now on call through the sandbox's checks (its code generator asks ``sandboxed``)."""
    from jinja2.sandbox import safe_range

    env.__class__ = Sandbox
    env.globals["range"] = safe_range  # what SandboxedEnvironment.__init__ adds
    env.binop_table = Sandbox.default_binop_table.copy()  # type: ignore[attr-defined]
    env.unop_table = Sandbox.default_unop_table.copy()  # type: ignore[attr-defined]


def _theme_parts_once(env: jinja2.Environment, nav: Any, custom_dir: str | None) -> None:
    """Make the navigation of pages outside it, and the partials that show nothing of a
    page, once per folder.

    Material renders the whole navigation into every page: a third of the time a page
    takes. A page that is not in the navigation marks none of its entries as current,
    so its navigation differs from another such page's only in its links, which are
    relative to the page's folder: every person page of people/ shows the same HTML.
    The search box, the logo and the "back to top" button show no more of any page, nor
    do the blocks of netkb's main.html that call ``netkb_block`` (stylesheets, scripts,
    the theme's configuration, and the footer of a page outside the navigation). The
    table of contents of a page ("On this page") shows its entries and nothing else: it
    is made once per set of entries, which most person pages share. Pages
    in the navigation get its partial and footer rendered as always; a partial of the
    KB's own theme folder is always rendered, and any partial, icon or base.html there
    turns off what is made per folder, which may include it
    (``tests/test_navigation_once.py`` holds the site equal).
    """
    own_theme = Path(custom_dir) if custom_dir else None

    def theirs(template: str) -> bool:
        """The theme's own template (not the KB's), and it exists."""
        try:
            _source, filename, _uptodate = env.loader.get_source(env, template)
        except jinja2.TemplateNotFound:
            return False
        return filename is not None and not (
            own_theme is not None and Path(filename).is_relative_to(own_theme)
        )

    customised = own_theme is not None and any(
        (own_theme / name).exists() for name in ("partials", ".icons", "base.html")
    )
    once = [NAV_PARTIAL] if theirs(NAV_PARTIAL) else []
    if not customised:
        once += [template for template in (*FOLDER_PARTIALS, TOC_PARTIAL) if theirs(template)]
    in_nav = {id(page) for page in nav.pages}
    made: dict[tuple[str | None, ...], Markup] = {}

    def key_of(page: Any, name: str) -> tuple[str | None, ...] | None:
        """What ``name`` (a partial or a block) shows of ``page``; None: all of it."""
        if page is None or getattr(page, "url", None) is None:
            return None
        if name == TOC_PARTIAL:
            shown = _toc_shown(getattr(page, "toc", None))
            return None if shown is None else (name, shown)
        url = page.url
        # Links are relative to the page's folder.
        folder = url if url.endswith("/") or not url else posixpath.dirname(url)
        if name not in (NAV_PARTIAL, FOOTER_BLOCK, HEADER_BLOCK):
            return (name, folder)
        if id(page) in in_nav:
            return None  # it marks the page as current, and links to its neighbours
        if name == FOOTER_BLOCK:
            return (name, folder)
        # It names the listed pages' titles (``netkb serve`` may read one anew); the
        # header does too, with the tabs of the navigation.
        return (name, folder, *(listed.title for listed in nav.pages))

    @jinja2.pass_context
    def netkb_once(context: Any, template: str) -> Markup:
        key = key_of(context.get("page"), template)
        if key is not None and key in made:
            return made[key]
        own = context.environment.get_template(THEME_OWN + template)
        # As {% include %} renders a partial: with the including page's context.
        html = Markup("".join(own.root_render_func(own.new_context(context.get_all(), True))))
        if key is not None:
            made[key] = html
        return html

    @jinja2.pass_context
    def netkb_block(context: Any, name: str, theme_block: Callable[[], Markup]) -> Markup:
        """A block of netkb's main.html: the theme's (``super()``), made once per key."""
        key = key_of(context.get("page"), "block:" + name)
        if key is not None and key in made:
            return made[key]
        html = theme_block()
        if key is not None:
            made[key] = html
        return html

    titled: dict[tuple[str | None, ...], str | None] = {}

    @jinja2.pass_context
    def netkb_titled(context: Any, name: str, theme_block: Callable[[], Markup]) -> Markup:
        """A block of netkb's main.html that shows of a page outside the navigation its
        title and nothing else: the theme's, made once per key with a stand-in title that
        each page's own replaces, printed as the theme prints it (``page.meta.title``).
        Made with two stand-ins: unless they show exactly where the title does (not in
        the site's name, say), the block is made for every page."""
        page = context.get("page")
        key = key_of(page, "block:" + name)
        meta = getattr(page, "meta", None)
        title = meta.get("title") if isinstance(meta, dict) else None
        if key is None or not isinstance(title, str) or not title:
            return theme_block()
        if key not in titled:
            shown = []
            for stand_in in STAND_IN_TITLES:
                meta["title"] = stand_in
                try:
                    shown.append(str(theme_block()))
                finally:
                    meta["title"] = title
            first, second = shown
            same = first.replace(*STAND_IN_TITLES) == second
            titled[key] = first if same and STAND_IN_TITLES[1] not in first else None
        skeleton = titled[key]
        if skeleton is None:
            return theme_block()
        printed = str(escape(title)) if context.eval_ctx.autoescape else title
        return Markup(skeleton.replace(STAND_IN_TITLES[0], printed))

    if once:
        env.globals["netkb_once"] = netkb_once
        env.loader = _OnceLoader(env.loader, once)
    if not customised:
        env.globals["netkb_block"] = netkb_block
        env.globals["netkb_titled"] = netkb_titled
        if theirs(LANGUAGE_PARTIAL):
            _language_once(env.get_template(LANGUAGE_PARTIAL))


def _toc_shown(toc: Any) -> tuple[Any, ...] | None:
    """What the theme's table of contents shows of a page's ``toc``: each entry's level,
    link, title and entries below, in order, from the entries below the first when that
    is the page's title (level 1), else from all of them. None when an entry holds more
    (a plugin's ``typeset``) or is not MkDocs' own. Person pages differ in their title,
    rarely in the rest."""
    from mkdocs.structure.toc import AnchorLink

    def shown(entries: Any) -> tuple[Any, ...] | None:
        made = []
        for item in entries:
            if type(item) is not AnchorLink or hasattr(item, "typeset"):
                return None
            below = shown(item.children)
            if below is None:
                return None
            made.append((item.level, item.id, type(item.title), item.title, below))
        return tuple(made)

    if toc is None:
        return None
    entries = list(toc)
    if entries and type(entries[0]) is AnchorLink and entries[0].level == 1:
        return shown(entries[0].children)
    return shown(entries)


def _language_once(language: jinja2.Template) -> None:
    """Make the module of Material's translations partial once per language: base.html
    imports it ``with context`` (Jinja then runs it anew for every page), yet it reads
    only ``config.theme.language`` and its macro nothing of the context."""
    make_module = language.make_module
    modules: dict[str, Any] = {}

    def once(
        vars: dict[str, Any] | None = None,
        shared: bool = False,
        locals: dict[str, Any] | None = None,
    ) -> Any:
        try:
            key = str((vars or {})["config"]["theme"]["language"])
        except (KeyError, TypeError):
            return make_module(vars, shared, locals)
        if key not in modules:
            modules[key] = make_module(vars, shared, locals)
        return modules[key]

    language.make_module = once  # type: ignore[method-assign]


class _NoObserver:
    """Stands in for MkDocs' polling observer: netkb's own watcher reports changes."""

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def join(self, timeout: float | None = None) -> None:
        pass


class LiveReload:
    """MkDocs' live-reload server: serves ``site_dir``, puts into every page the script
    that reloads it when the site changes, and holds requests while a rebuild runs.

    netkb drives it. Its own watcher calls ``request_rebuild`` (MkDocs' polling observer
    is not used); the build loop waits for a burst of changes to settle, then calls
    ``rebuild``, and shows the new site when that returns. ``show_built`` and
    ``hold_requests`` let a two-phase update publish its first phase early. A request
    for which ``allow(environ)`` is false is answered 403.
    """

    def __init__(
        self,
        site_dir: Path,
        host: str,
        port: int,
        rebuild: Callable[[], None],
        allow: Callable[[dict[str, Any]], bool],
    ) -> None:
        from mkdocs.livereload import LiveReloadServer

        # MkDocs logs every reload at INFO and every page not built yet (the progress page
        # of a first build) at WARNING; netkb prints its own lines instead.
        logging.getLogger("mkdocs.livereload").setLevel(logging.ERROR)

        quarantine = self

        class Server(LiveReloadServer):
            def serve_request(self, environ: dict[str, Any], start_response: Any) -> Any:
                if not allow(environ):
                    start_response("403 Forbidden", [("Content-Type", "text/plain; charset=utf-8")])
                    return [
                        b"403 Forbidden: unknown Host header (netkb serves only its own address)\n"
                    ]
                quarantine.wait_for(environ, self.mount_path)
                return super().serve_request(environ, start_response)

        self._quarantined: set[str] = set()  # site files a build writes and has not audited
        self._quarantine_cond = threading.Condition()

        self._server = Server(builder=rebuild, host=host, port=port, root=str(site_dir))
        self._server.observer = _NoObserver()  # type: ignore[assignment]
        # A watched path makes MkDocs put its reload script into the pages it serves.
        self._server._watched_paths = {str(site_dir): 1}

    def quarantine(self, paths: Iterable[str]) -> None:
        """Hold requests for these site files (paths in site_dir) until ``release``: a build
        that answers from the site built before meanwhile is about to write them, and they
        may be shown only once the audit has read them."""
        with self._quarantine_cond:
            self._quarantined |= set(paths)

    def release(self) -> None:
        """Let the requests held by ``quarantine`` go ahead."""
        with self._quarantine_cond:
            self._quarantined.clear()
            self._quarantine_cond.notify_all()

    def wait_for(self, environ: dict[str, Any], mount_path: str) -> None:
        """Wait while the file a request asks for is quarantined (the file as MkDocs'
        server finds it: the path below ``mount_path``, index.html for a folder)."""
        path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "ignore")
        if path.startswith("/livereload/") or not (path + "/").startswith(mount_path):
            return
        relative = path[len(mount_path) :] + ("index.html" if path.endswith("/") else "")
        relative = posixpath.normpath("/" + relative).lstrip("/")
        with self._quarantine_cond:
            self._quarantine_cond.wait_for(
                lambda: (
                    relative not in self._quarantined
                    and posixpath.join(relative, "index.html") not in self._quarantined
                )
            )

    def error_page(self, page: Callable[[int], bytes | None]) -> None:
        """What to answer for a missing page (``page(status)``; None: MkDocs' own text)."""
        self._server.error_handler = page

    def bind(self) -> None:
        """Take the address and listen now (OSError when it is in use), so ``serve``
        cannot fail on it; connections wait in the backlog until ``serve`` answers them."""
        self._server.server_bind()
        self._server.server_activate()
        self._server.server_bind = lambda: None  # type: ignore[method-assign]
        self._server.server_activate = lambda: None  # type: ignore[method-assign]

    def listener(self) -> Any:
        """The listening socket ``bind`` made (a socket.socket)."""
        return self._server.socket

    def serve(self) -> None:
        """Answer requests and run rebuilds until ``shutdown`` (or KeyboardInterrupt)."""
        self._server.serve()

    def request_rebuild(self) -> None:
        """Wake the build loop (it waits for changes to stop coming, then rebuilds)."""
        with self._server._rebuild_cond:
            self._server._want_rebuild = True
            self._server._rebuild_cond.notify_all()

    def show_built(self) -> None:
        """Requests waiting for the running rebuild go ahead now, with what is built so far."""
        with self._server._epoch_cond:
            self._server._visible_epoch = self._server._wanted_epoch
            self._server._epoch_cond.notify_all()

    def hold_requests(self) -> None:
        """Requests wait from now until the running rebuild returns."""
        from mkdocs.livereload import _timestamp

        with self._server._epoch_cond:
            self._server._wanted_epoch = max(_timestamp(), self._server._visible_epoch + 1)

    def shutdown(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
