"""A second golden fixture: 300 generated people, built with ``use_directory_urls: true``.

The demo (tests/test_golden.py) is small and uses ``page.html`` URLs. This KB comes from
benchmarks/generate.py (seed 1, its fixed TODAY), with mkdocs.yml switched to directory
URLs (``people/jane/``), so every relative link a page makes is one level deeper. Its
pages are compared with tests/golden_generated/ page by page; accept an intended change
with

    python -m pytest tests/test_golden_generated.py --update-golden

The same KB is then built for real and every internal link in the HTML must reach a file.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from conftest import REPO
from golden_pages import check_golden
from site_links import broken_links
from test_golden import scrub

from netkb.build.site import BuildResult
from netkb.build.site import build as build_site
from netkb.link.derive import derive
from netkb.load.loader import load
from netkb.render.render import SiteRenderer

GOLDEN = Path(__file__).resolve().parent / "golden_generated"
UPDATE_HINT = "python -m pytest tests/test_golden_generated.py --update-golden"
PEOPLE = 300
SEED = 1
FALSE_URLS = "use_directory_urls: false\n"
TRUE_URLS = "use_directory_urls: true\n"


def generator() -> ModuleType:
    """benchmarks/generate.py, loaded by path (benchmarks/ is not a package on sys.path)."""
    spec = importlib.util.spec_from_file_location(
        "netkb_bench_generate", REPO / "benchmarks/generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


GENERATE = generator()


@pytest.fixture(scope="module")
def generated_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 people, 600 interactions, seed 1; mkdocs.yml as ``netkb init`` writes it but
    with directory URLs."""
    root = tmp_path_factory.mktemp("generated") / "kb"
    GENERATE.generate(root, people=PEOPLE, seed=SEED)
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert text.count(FALSE_URLS) == 1, "the generated mkdocs.yml no longer sets directory URLs"
    config.write_text(text.replace(FALSE_URLS, TRUE_URLS), encoding="utf-8")
    return root


def render_generated(root: Path) -> dict[str, str]:
    """The pages of the generated KB as of the generator's TODAY, absolute paths scrubbed."""
    network = load(root)
    assert list(network.problems) == [], [p.format(root) for p in network.problems]
    assert network.settings.use_directory_urls is True
    pages = SiteRenderer(derive(network), root / "templates", today=GENERATE.TODAY).pages()
    return {path: scrub(text, root) for path, text in sorted(pages.items())}


def test_generated_pages_match_the_golden_files(
    generated_kb: Path, request: pytest.FixtureRequest
) -> None:
    pages = render_generated(generated_kb)
    # The fixture is what it claims: every public person has a page (4 of the 300 are
    # private), and the links inside the map's SVG (raw HTML, which MkDocs leaves alone)
    # are directory URLs, one level up from the page's own folder.
    assert sum(path.startswith("people/") for path in pages) == 296
    assert '<a href="../map/orgs/bright-path-studios/">' in pages["map.md"]
    assert ".html" not in pages["map.md"]
    check_golden(request, GOLDEN, pages, "the generated KB's pages (300 people)", UPDATE_HINT)


def test_the_golden_folder_stays_small() -> None:
    """Every page of 300 people is kept, which is fine while the folder stays under 3 MB."""
    size = sum(path.stat().st_size for path in GOLDEN.rglob("*.md"))
    assert 0 < size < 3_000_000, f"tests/golden_generated/ holds {size:,} bytes"


@pytest.fixture(scope="module")
def built_generated(generated_kb: Path) -> Iterator[BuildResult]:
    """The generated KB built through ``netkb.build.site.build`` (MkDocs and the audit)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NETKB_TODAY", GENERATE.TODAY.isoformat())
        result = build_site(generated_kb)
    assert result.ok, [p.format() for p in result.network.errors] + [
        f.format(generated_kb) for f in result.findings
    ]
    yield result


def test_every_page_is_built_at_its_directory_url(built_generated: BuildResult) -> None:
    site = built_generated.site_dir
    docs = built_generated.network.root / ".netkb/docs"
    expected = {
        "index.html" if page == "index.md" else page[: -len(".md")] + "/index.html"
        for page in (p.relative_to(docs).as_posix() for p in docs.rglob("*.md"))
    }
    built = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    assert len(expected) == built_generated.pages == 420
    assert expected - built == set()
    assert built - expected == {"404.html"}


def test_every_internal_link_of_the_generated_site_resolves(
    built_generated: BuildResult,
) -> None:
    checked, broken = broken_links(built_generated.site_dir)
    assert broken == []
    assert checked > 19_000  # about 45 links a page: the checker saw the pages' links


def test_every_internal_link_of_the_demo_site_resolves(built_demo: BuildResult) -> None:
    """The demo uses ``page.html`` URLs: the other way links can go wrong."""
    checked, broken = broken_links(built_demo.site_dir)
    assert broken == []
    assert checked > 5_000


def test_the_link_checker_reports_what_a_browser_would_not_find(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "people/jane").mkdir(parents=True)
    (site / "index.html").write_text(
        '<a href="people/jane/">ok</a> <a href="people/ana/">gone</a>'
        ' <a href="https://example.org/x">external</a> <a href="mailto:a@b.example">mail</a>',
        encoding="utf-8",
    )
    (site / "people/jane/index.html").write_text(
        '<h2 id="notes">Notes</h2> <a href="../../">home</a> <a href="#notes">here</a>'
        ' <a href="../../#missing">no such id</a> <img src="../../photo.jpg">'
        ' <a href="../jane">no slash</a>',
        encoding="utf-8",
    )
    checked, broken = broken_links(site)
    assert checked == 7
    assert broken == [
        'index.html: <a href="people/ana/"> → no file people/ana/index.html',
        "people/jane/index.html: <a href=\"../../#missing\"> → no id 'missing' in that page",
        'people/jane/index.html: <img src="../../photo.jpg"> → no file photo.jpg',
        'people/jane/index.html: <a href="../jane"> → no file people/jane',
    ]
