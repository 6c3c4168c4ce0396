"""Builders turn the generated Markdown folder into a static site. MkDocs is the one we ship.

The interface is deliberately small — a config file in, a site folder out — so
another builder that reads the same mkdocs.yml (Zensical) can be added beside it.

This is the only module that imports MkDocs (its public API and the private functions
a warm session needs: ``_build_page``, ``_populate_page``, ``livereload._timestamp``
and the live-reload server's internals), so an upgrade of MkDocs breaks this file and
no other. ``netkb serve`` uses it through two small interfaces: ``Session`` (a warm
build: ``full_build``, ``update``, ``write_index``) and ``LiveReload`` (MkDocs'
live-reload HTTP server, fed by netkb's own watcher).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import nh3
import yaml
from markupsafe import Markup, escape

from netkb.core.records import Settings
from netkb.core.write import OwnedFolder
from netkb.load.settings import ConfigLoader
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
# Material prints these settings into every page as they are (MkDocs' Jinja environment
# does not autoescape), in text and in attributes (title=, aria-label=, content=).
TEXT_SETTINGS = ("site_name", "site_description", "site_author")
# Material documents copyright as HTML (a link, &copy;): what stays of it.
COPYRIGHT_TAGS = {"a", "b", "strong", "em", "i", "small", "span", "br", "code"}


class BuildError(Exception):
    """The builder failed; the message says why in the user's terms."""


class Builder(Protocol):
    name: str

    def build(self, config_file: Path, *, dirty: bool = False) -> Path:
        """Build the site described by ``config_file``; return the site folder."""
        ...


class Session(Protocol):
    """A builder kept warm between edits (``netkb serve``)."""

    site_dir: Path | None

    def full_build(self) -> Path:
        """Build everything; return the site folder. Later updates start from it."""
        ...

    def update(self, changed: set[str], removed: set[str], *, write_index: bool = True) -> None:
        """Build the pages at ``changed`` (paths in docs_dir) again; drop ``removed``."""
        ...

    def write_index(self) -> None:
        """Write what updates with ``write_index=False`` left in memory (the search index)."""
        ...


def raw_config(config_file: Path) -> dict[str, Any]:
    """mkdocs.yml as YAML data (MkDocs' !ENV tags read as plain values); {} for no mapping."""
    loaded = yaml.load(config_file.read_text(encoding="utf-8-sig"), Loader=ConfigLoader)
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
    """MkDocs + Material, run in-process."""

    name = "mkdocs"

    def __init__(self) -> None:
        self.warnings: list[str] = []

    def load(self, config_file: Path) -> Any:
        from mkdocs.config import load_config

        try:
            return load_config(config_file=str(config_file), **config_overrides(config_file))
        except Exception as exc:  # MkDocs raises its own and YAML errors: report them all
            raise BuildError(self._explain(f"{config_file}: {exc}")) from exc

    def build(self, config_file: Path, *, dirty: bool = False) -> Path:
        from mkdocs.commands.build import build
        from mkdocs.exceptions import MkDocsException

        self.warnings = []
        with _quiet_mkdocs(self.warnings):
            config = self.load(config_file)
            try:
                build(config, dirty=dirty)
            except (MkDocsException, OSError) as exc:
                raise BuildError(self._explain(f"MkDocs could not build the site: {exc}")) from exc
        return Path(config["site_dir"])

    def _explain(self, message: str) -> str:
        """``message`` followed by what MkDocs logged: its exception alone often says only
        "Aborted with a configuration error!"."""
        return "\n  ".join([message, *self.warnings])


class MkDocsSession:
    """MkDocs kept warm between edits (``netkb serve``): after one full build, only the
    pages that changed are rendered again, and the search index is patched, not rebuilt.

    This drives MkDocs' own build steps (files, navigation, page rendering, theme
    templates, the search plugin) rather than re-implementing any of them.
    """

    def __init__(self, config_file: Path, site_url: str | None = None) -> None:
        self.config_file = config_file
        self.site_url = site_url
        self.warnings: list[str] = []
        self._state: dict[str, Any] | None = None
        self.site_dir: Path | None = None

    def full_build(self) -> Path:
        """A clean build of everything; the next ``update`` starts from it."""
        from mkdocs.commands.build import build

        self.warnings = []
        with _quiet_mkdocs(self.warnings):
            config = MkDocsBuilder().load(self.config_file)
            if self.site_url:
                config["site_url"] = self.site_url
            # MkDocs keeps plugin instances for the whole process. Started for a dirty
            # "serve", Material's search keeps each build's index and merges the next
            # build into it: a second full build (a template edited) listed every page twice.
            config.plugins.on_startup(command="build", dirty=False)
            build(config, serve_url=self.site_url)
            # The files and navigation of this build, before the next edit changes docs_dir:
            # gathered after it, they would miss a page deleted by that edit (its HTML stayed).
            self._state = self._prepare()
        self.site_dir = Path(config["site_dir"])
        return self.site_dir

    def _prepare(self) -> dict[str, Any]:
        from mkdocs.structure.files import get_files, set_exclusions
        from mkdocs.structure.nav import get_navigation

        config = MkDocsBuilder().load(self.config_file)
        if self.site_url:
            config["site_url"] = self.site_url
        config.plugins.on_startup(command="build", dirty=False)
        config = config.plugins.on_config(config)
        files = get_files(config)
        env = config.theme.get_env()
        files.add_files_from_theme(env, config)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        nav = get_navigation(files, config)
        nav = config.plugins.on_nav(nav, config=config, files=files)
        env = config.plugins.on_env(env, config=config, files=files)
        search = next(
            (p for name, p in config.plugins.items() if name.split("/")[-1] == "search"), None
        )
        index_path = Path(config["site_dir"], "search", "search_index.json")
        index: dict[str, Any] | None = None
        if search is not None and index_path.exists():
            index = json.loads(index_path.read_text(encoding="utf-8"))
        return {
            "config": config,
            "files": files,
            "nav": nav,
            "env": env,
            "search": search,
            "index": index,
            "index_path": index_path,
        }

    def update(self, changed: set[str], removed: set[str], *, write_index: bool = True) -> None:
        """Render the pages at ``changed`` (paths in docs_dir) again; drop ``removed``.

        ``write_index=False`` patches the search index in memory only: ``write_index``
        writes it (a site-wide file, rewritten once for a burst of updates)."""
        from mkdocs.commands.build import _build_page, _populate_page
        from mkdocs.structure.files import File, InclusionLevel, set_exclusions
        from mkdocs.structure.pages import Page

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
            fresh = []
            for uri in sorted(changed):
                file = files.get_file_from_path(uri)
                if file is None:
                    file = File(
                        uri, config["docs_dir"], config["site_dir"], config["use_directory_urls"]
                    )
                    files.append(file)
                    fresh.append(file)
            set_exclusions(fresh, config)
            for file in fresh:
                if file.inclusion == InclusionLevel.UNDEFINED:
                    file.inclusion = InclusionLevel.NOT_IN_NAV
            pages = []
            for uri in sorted(changed):
                file = files.get_file_from_path(uri)
                if file is None or not file.is_documentation_page():
                    continue
                page = file.page or Page(None, file, config)
                _populate_page(page, config, files)
                pages.append(page)
            search = state["search"]
            if search is not None:
                search.search_index = type(search.search_index)(**search.config)
            doc_files = files.documentation_pages()
            for page in pages:
                _build_page(page, config, doc_files, state["nav"], state["env"])
            if search is not None and state["index"] is not None:
                self._patch_search_index(state, pages, removed)
                state["index_dirty"] = True
            if write_index:
                self.write_index()

    def write_index(self) -> None:
        """Write the search index if an update changed it since it was last written."""
        state = self._state
        if state is None or not state.get("index_dirty"):
            return
        path: Path = state["index_path"]
        text = json.dumps(state["index"], separators=(",", ":"), default=str)
        site_dir = Path(state["config"]["site_dir"])
        self._site().write(path.relative_to(site_dir).as_posix(), text.encode("utf-8"))
        state["index_dirty"] = False

    def _site(self) -> OwnedFolder:
        """The built site, written only inside the KB (the folder of mkdocs.yml)."""
        assert self._state is not None
        site_dir = Path(self._state["config"]["site_dir"])
        return OwnedFolder(site_dir, inside=self.config_file.parent.resolve())

    def _patch_search_index(self, state: dict[str, Any], pages: list[Any], removed: set[str]):
        index = state["index"]
        gone = {p.url for p in pages}
        for uri in removed:
            gone.add(uri[:-3] + (".html" if not state["config"]["use_directory_urls"] else "/"))
        docs = [d for d in index["docs"] if d["location"].split("#", 1)[0] not in gone]
        docs += state["search"].search_index.entries
        index["docs"] = docs


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

        # MkDocs logs every reload at INFO; netkb prints its own lines instead.
        logging.getLogger("mkdocs.livereload").setLevel(logging.WARNING)

        class Server(LiveReloadServer):
            def serve_request(self, environ: dict[str, Any], start_response: Any) -> Any:
                if not allow(environ):
                    start_response("403 Forbidden", [("Content-Type", "text/plain; charset=utf-8")])
                    return [
                        b"403 Forbidden: unknown Host header (netkb serves only its own address)\n"
                    ]
                return super().serve_request(environ, start_response)

        self._server = Server(builder=rebuild, host=host, port=port, root=str(site_dir))
        self._server.observer = _NoObserver()  # type: ignore[assignment]
        # A watched path makes MkDocs put its reload script into the pages it serves.
        self._server._watched_paths = {str(site_dir): 1}

    def bind(self) -> None:
        """Take the address and listen now (OSError when it is in use), so ``serve``
        cannot fail on it; connections wait in the backlog until ``serve`` answers them."""
        self._server.server_bind()
        self._server.server_activate()
        self._server.server_bind = lambda: None  # type: ignore[method-assign]
        self._server.server_activate = lambda: None  # type: ignore[method-assign]

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
