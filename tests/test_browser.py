"""The built site in a real browser: headless Chromium clicks through it like a user.

Every request the browser makes is recorded, and any that would leave 127.0.0.1 is
blocked and reported. Debian's Chromium is used (Playwright's own download does not
work here); CI installs it. A screenshot of a person page is saved in tests/output/.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import write_kb
from playwright.sync_api import Browser, Page, Route, sync_playwright

from netkb.build.site import BuildResult, build

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT_MS = 15_000


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """``folder`` over HTTP on 127.0.0.1 and a free port, shut down afterwards; yields the URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        message = f"no Chromium at {CHROMIUM}: install Debian's chromium (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message + "; .ci/run installs it, so CI must have it")
        # A developer's machine without a browser: say so plainly rather than crash.
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Visit:
    """One browser tab on a served site, with everything it asked for and everything it raised."""

    page: Page
    base: str
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def xss(self) -> Any:
        return self.page.evaluate("window.__xss")

    def heading(self) -> str:
        return self.page.locator("article h1").inner_text()


@contextmanager
def visit(browser: Browser, site: Path) -> Iterator[Visit]:
    with serve(site) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        tab = Visit(page, base)

        def route(route: Route) -> None:
            url = route.request.url
            tab.requests.append(url)
            if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).hostname == "127.0.0.1":
                route.continue_()
            else:
                tab.blocked.append(url)
                route.abort()

        context.route("**/*", route)
        page.on("pageerror", lambda error: tab.errors.append(str(error)))
        page.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
        try:
            yield tab
        finally:
            context.close()
    assert tab.blocked == [], f"requests that would have left 127.0.0.1: {tab.blocked}"
    assert all(urlsplit(u).hostname in ("127.0.0.1", None) for u in tab.requests)


def click(page: Page, link: Any) -> None:
    """Click a link like a user and wait for the page it opens."""
    with page.expect_navigation():
        link.click()


# --- the demo -----------------------------------------------------------------------


def test_a_user_browses_the_demo_without_leaving_localhost(
    browser: Browser, built_demo: BuildResult, output_dir: Path
) -> None:
    assert built_demo.site_dir is not None
    with visit(browser, built_demo.site_dir) as tab:
        page = tab.page
        page.goto(tab.base + "index.html")
        assert tab.heading() == "Pablo Valle's network"

        click(page, page.locator("article a", has_text="Jonas Weber").first)
        assert page.url.endswith("/people/jonas-weber.html")
        assert tab.heading() == "Jonas Weber"
        assert page.locator("article").get_by_text("CEO & co-founder").count() == 1
        page.screenshot(path=str(output_dir / "person-jonas-weber.png"), full_page=True)

        organisation = page.locator("article a[href*='orgs/']").first
        name = organisation.inner_text()
        click(page, organisation)
        assert "/orgs/" in page.url
        assert tab.heading() == name
        assert page.locator("article a", has_text="Jonas Weber").count() >= 1

        expertise = page.locator("nav.md-nav--primary").get_by_role(
            "link", name="Expertise", exact=True
        )
        click(page, expertise)
        assert page.url.endswith("/expertise.html")
        assert tab.heading() == "Expertise"
        click(page, page.locator("article a", has_text="fundraising").first)
        assert page.locator("article a", has_text="Jonas Weber").count() == 1

        page.locator("input[data-md-component='search-query']").click()
        page.keyboard.type("Kowalska")
        result = page.locator(".md-search-result__item a[href*='people/anna-kowalska']").first
        result.wait_for()
        assert "Anna Kowalska" in result.inner_text()
        click(page, result)
        assert tab.heading() == "Anna Kowalska"

    assert tab.errors == []
    assert any(u.endswith("search/search_index.json") for u in tab.requests)
    assert (output_dir / "person-jonas-weber.png").stat().st_size > 10_000


def test_a_private_person_cannot_be_found_by_search(
    browser: Browser, built_demo: BuildResult
) -> None:
    assert built_demo.site_dir is not None
    with visit(browser, built_demo.site_dir) as tab:
        page = tab.page
        page.goto(tab.base + "people.html")
        page.locator("input[data-md-component='search-query']").click()
        page.keyboard.type("Sabine")
        meta = page.locator(".md-search-result__meta")
        meta.wait_for()
        page.wait_for_function(
            "!document.querySelector('.md-search-result__meta').textContent.includes('Initializing')"
        )
        assert page.locator(".md-search-result__item").count() == 0
        assert page.locator("a[href*='sabine']").count() == 0


@pytest.mark.parametrize(
    ("query", "person"),
    [
        ("Kowalska", "anna-kowalska"),  # a name
        ("May Chen", "mei-chen"),  # an alias
        ("Northlight", "ravi-menon"),  # an organisation
        ("fundraising", "samuel-adeyemi"),  # expertise
    ],
)
def test_the_search_box_finds_people_by_name_alias_organisation_and_expertise(
    browser: Browser, built_demo: BuildResult, query: str, person: str
) -> None:
    """The index netkb writes from records, read by Material's own search."""
    assert built_demo.site_dir is not None
    with visit(browser, built_demo.site_dir) as tab:
        page = tab.page
        page.goto(tab.base + "index.html")
        page.locator("input[data-md-component='search-query']").click()
        page.keyboard.type(query)
        result = page.locator(f".md-search-result__item a[href*='people/{person}.html']").first
        result.wait_for()
        click(page, result)
        assert urlsplit(page.url).path.endswith(f"/people/{person}.html")
    assert tab.errors == []


# --- hostile values -------------------------------------------------------------------

XSS_CONFIG = """\
site_name: XSS fixture
use_directory_urls: false
markdown_extensions:
  - attr_list
  - md_in_html
  - tables
extra:
  netkb:
    owner: Test Owner
"""
# The name holds a pipe (a table cell break), a newline and a line separator.
XSS_PERSON = r"""---
name: "Mallory <img src=x onerror=\"window.__xss=6\"> | Pipe\nNext\u2028Line"
role: <script>window.__xss=1</script>
organization: <b onmouseover=alert(1)>
location: 'Berlin {: onclick="window.__xss=2"}'
tags: ['<svg onload="window.__xss=7">']
---

See [x](javascript:window.__xss=3) and <img src=x onerror="window.__xss=4">.

A paragraph with an attribute list.
{: onclick="window.__xss=2"}
"""
XSS_NAME = 'Mallory <img src=x onerror="window.__xss=6"> | Pipe Next Line'
LITERALS = (
    "<script>window.__xss=1</script>",
    "<b onmouseover=alert(1)>",
    'Berlin {: onclick="window.__xss=2"}',
    '<img src=x onerror="window.__xss=4">',
    '{: onclick="window.__xss=2"}',
)
HANDLERS = "[onclick], [onerror], [onmouseover], [onload], a[href^='javascript:']"


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_kb(
        tmp_path_factory.mktemp("xss") / "kb",
        {"contacts/mallory.md": XSS_PERSON, "contacts/ana-lee.md": "---\nname: Ana Lee\n---\n"},
        XSS_CONFIG,
    )
    result = build(root)
    assert result.ok, [p.format() for p in result.network.problems]
    assert result.site_dir is not None
    return result.site_dir


def assert_inert(tab: Visit) -> None:
    assert tab.xss() is None, f"a script ran on {tab.page.url}: window.__xss = {tab.xss()}"
    assert tab.page.locator(HANDLERS).count() == 0
    assert tab.page.locator("article script").count() == 0
    assert tab.dialogs == []


def test_hostile_values_show_as_text_and_run_nothing(
    browser: Browser, xss_site: Path, output_dir: Path
) -> None:
    with visit(browser, xss_site) as tab:
        page = tab.page
        page.goto(tab.base + "people.html")
        click(page, page.locator("article a", has_text="Mallory").first)
        assert page.url.endswith("/people/mallory.html")
        assert_inert(tab)
        assert tab.heading() == XSS_NAME
        assert page.title().startswith(XSS_NAME)
        article = page.locator("article").inner_text()
        for literal in LITERALS:
            assert literal in article
        page.screenshot(path=str(output_dir / "person-mallory.png"), full_page=True)

        for link in page.locator("article a").all():
            href = link.get_attribute("href") or ""
            assert not href.startswith("javascript:"), href
        page.locator("article a", has_text="x").first.click()
        assert_inert(tab)

        organisation = page.locator("article a[href*='orgs/']").first
        organisation.hover()
        assert_inert(tab)
        click(page, organisation)
        assert tab.heading() == "<b onmouseover=alert(1)>"
        page.locator("header").hover()
        page.locator("article h1").hover()
        assert_inert(tab)

        page.goto(tab.base + "tags.html")
        click(page, page.locator("article a", has_text="<svg").first)
        assert tab.heading() == 'Tag: <svg onload="window.__xss=7">'
        assert_inert(tab)

        page.locator("input[data-md-component='search-query']").click()
        page.keyboard.type("Mallory")
        result = page.locator(".md-search-result__item").first
        result.wait_for()
        result.hover()
        assert "<img src=x" in result.inner_text()
        assert_inert(tab)
    assert tab.errors == []


# --- where the site is read: phones, desktops, assistive technology -------------------

SIZES = {"phone": (390, 844), "desktop": (1400, 900)}
READ_PAGES = {
    "home": "index.html",
    "people": "people.html",
    "person": "people/jonas-weber.html",
    "organisation": "orgs/globex-software.html",
    "follow-ups": "followups.html",
    "favours": "favours.html",
    "budget": "budget.html",
    "map": "map.html",
    "connectors": "connectors.html",
    "journal": "journal.html",
}
# What a page shows that does not fit: tables wider than the viewport outside a box of their
# own that scrolls, and the smallest SVG label as drawn, in CSS pixels.
MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const boxed = (table) => {
    for (let el = table.parentElement; el && el !== document.body; el = el.parentElement) {
      const overflow = getComputedStyle(el).overflowX;
      if ((overflow === "auto" || overflow === "scroll")
          && el.getBoundingClientRect().right <= width + 0.5) return true;
    }
    return false;
  };
  const overflowing = [...document.querySelectorAll("article table")]
    .filter((t) => t.getBoundingClientRect().right > width + 0.5 && !boxed(t))
    .map((t) => t.innerText.slice(0, 60));
  const labels = [...document.querySelectorAll("article svg text")]
    .filter((t) => t.textContent.trim())
    .map((t) => [parseFloat(getComputedStyle(t).fontSize) * t.ownerSVGElement.getScreenCTM().a,
                 t.textContent]);
  labels.sort((a, b) => a[0] - b[0]);
  return {overflowing, smallest: labels[0] || null, labels: labels.length,
          pageWidth: document.documentElement.scrollWidth, width};
}"""


@pytest.mark.parametrize("size", sorted(SIZES))
def test_pages_fit_the_screen_and_map_labels_are_readable(
    browser: Browser, built_demo: BuildResult, output_dir: Path, size: str
) -> None:
    assert built_demo.site_dir is not None
    width, height = SIZES[size]
    with visit(browser, built_demo.site_dir) as tab:
        tab.page.set_viewport_size({"width": width, "height": height})
        labels = 0
        for name, url in READ_PAGES.items():
            tab.page.goto(tab.base + url)
            found = tab.page.evaluate(MEASURE)
            assert found["overflowing"] == [], f"{name} at {width}×{height}: {found}"
            assert found["pageWidth"] <= width, f"{name} scrolls sideways at {width}×{height}"
            if found["smallest"] is not None:
                labels += found["labels"]
                px, text = found["smallest"]
                assert px >= 11 - 0.01, f"{name}: {text!r} drawn at {px:.1f} px at {width}"
            if name in ("home", "follow-ups", "person", "map"):
                tab.page.screenshot(path=str(output_dir / f"{name}-{width}x{height}.png"))
    assert labels > 20  # the map and the budget chart were measured, not skipped
    assert (output_dir / f"map-{width}x{height}.png").stat().st_size > 10_000


def test_pages_have_no_serious_accessibility_violation(
    browser: Browser, built_demo: BuildResult
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    assert built_demo.site_dir is not None
    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}}
    found: dict[str, list[str]] = {}
    with visit(browser, built_demo.site_dir) as tab:
        for name, url in READ_PAGES.items():
            tab.page.goto(tab.base + url)
            violations = axe.run(tab.page, options=options).response["violations"]
            serious = [
                f"{v['id']} ({len(v['nodes'])}): {v['help']}"
                for v in violations
                if v["impact"] in ("serious", "critical")
            ]
            if serious:
                found[name] = serious
    assert found == {}


def test_a_site_opened_from_its_files_says_how_to_search(
    browser: Browser, built_demo: BuildResult
) -> None:
    assert built_demo.site_dir is not None
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto((built_demo.site_dir / "index.html").as_uri())
        notice = page.locator("article .netkb-file-notice")
        assert notice.inner_text() == (
            "Search needs the site served: run netkb open (or netkb serve) "
            "in the knowledge base folder."
        )
        assert "search box" not in page.locator("article").inner_text()
        assert not page.locator("input[data-md-component='search-query']").is_visible()
        page.goto((built_demo.site_dir / "people.html").as_uri())
        assert page.locator(".netkb-file-notice").count() == 0  # said once, on the home page
    finally:
        context.close()


def test_a_served_site_keeps_its_search_promise(browser: Browser, built_demo: BuildResult) -> None:
    assert built_demo.site_dir is not None
    with visit(browser, built_demo.site_dir) as tab:
        tab.page.goto(tab.base + "index.html")
        assert tab.page.locator(".netkb-file-notice").count() == 0
        assert "type a name into the search box" in tab.page.locator("article").inner_text()
        assert tab.page.locator("input[data-md-component='search-query']").is_visible()


# A real image: a person's photo is a copy inside the site, shown from 127.0.0.1 only.
PNG_1PX = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9"
    "awAAAABJRU5ErkJggg=="
)


def test_a_photo_is_shown_small_from_the_site_itself(
    browser: Browser, tmp_path: Path, output_dir: Path
) -> None:
    import base64

    root = write_kb(
        tmp_path / "kb",
        {
            "contacts/ana-lee.md": "---\nname: Ana Lee\nphoto: photos/ana.png\n---\n",
            "photos/ana.png": base64.b64decode(PNG_1PX),
        },
        "site_name: T\nuse_directory_urls: false\nextra_css: [assets/netkb.css]\n"
        "extra:\n  netkb:\n    owner: Test Owner\n",  # the stylesheet as `netkb init` has it
    )
    result = build(root)
    assert result.ok and result.site_dir is not None
    with visit(browser, result.site_dir) as tab:
        tab.page.goto(tab.base + "people/ana-lee.html")
        photo = tab.page.locator("article img[alt='Photo of Ana Lee']")
        photo.wait_for()
        assert photo.evaluate("img => img.complete && img.naturalWidth") == 1  # it loaded
        box = photo.bounding_box()
        assert box is not None and 40 <= box["width"] <= 120  # small, not the page's width
        tab.page.screenshot(path=str(output_dir / "person-with-photo.png"))
        tab.page.goto(tab.base + "people.html")
        assert tab.page.locator("article li img[src='photos/ana-lee.png']").count() == 1
    photos = {u for u in tab.requests if "photos/" in u}
    assert photos == {tab.base + "photos/ana-lee.png"}  # the copy in the site, nothing else
