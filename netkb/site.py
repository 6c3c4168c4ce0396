"""The whole build: load → validate → link → render → write → MkDocs → audit."""

from __future__ import annotations

import shutil
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from netkb.audit import Finding, audit_site, record_pages, withhold
from netkb.builder import OVERRIDES_DIR, Builder, BuildError, MkDocsBuilder
from netkb.derive import derive
from netkb.generate import WriteStats, support_files, sync_folder, theme_overrides
from netkb.history import last_updated
from netkb.loader import CONFIG, LOG_DIR, ORGS_DIR, PEOPLE_DIR, load
from netkb.records import Network
from netkb.render import SiteRenderer

SOURCE_FOLDERS = (PEOPLE_DIR, LOG_DIR, ORGS_DIR, "templates")


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
    for source in (*SOURCE_FOLDERS, CONFIG, OVERRIDES_DIR):
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


def generate(root: Path, progress: Callable[[int, int], None] | None = None) -> BuildResult:
    """Load the KB and write its pages into the generated folder (no MkDocs yet)."""
    started = time.perf_counter()
    network = load(root)
    root = network.root  # resolved: owned_folder compares real paths
    result = BuildResult(network)
    result.timings["load"] = time.perf_counter() - started
    if network.errors:
        return result
    settings = network.settings
    docs_dir = owned_folder(root, settings.docs_dir, "docs_dir")
    owned_folder(root, settings.site_dir, "site_dir")
    mark = time.perf_counter()
    facts = derive(network, updated=last_updated(root))
    try:
        pages = SiteRenderer(facts, root / "templates").pages(progress)
    except jinja2.TemplateError as exc:
        raise BuildError(template_error(exc)) from None
    result.timings["render"] = time.perf_counter() - mark
    mark = time.perf_counter()
    files = {path: text.encode("utf-8") for path, text in pages.items()}
    files.update(support_files())
    result.pages = len(pages)
    result.stats = sync_folder(docs_dir, files)
    sync_folder(root / OVERRIDES_DIR, theme_overrides())
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
        shutil.rmtree(result.site_dir, ignore_errors=True)
        result.site_deleted = True
    elif result.findings:
        # Only pages made from single records: those are withheld, the rest of the site
        # stays. One received note or file is never the reason a whole site goes.
        result.withheld = withhold(result.site_dir, result.findings, result.network.root)
    return result
