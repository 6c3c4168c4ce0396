"""A link checker for a built site: every internal href/src must reach a file in site/.

A browser resolves a relative URL against the page's own URL, and a page built with
``use_directory_urls: true`` lives at ``people/jane/`` (file ``people/jane/index.html``),
so ``../ana/`` from it means ``people/ana/index.html``. The checker does the same, and
where a link carries a ``#fragment`` into an HTML page, that page must have the id.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

# Any origin will do: only the path of the resolved URL is looked at.
ORIGIN = "http://site.invalid"
URL_ATTRIBUTES = frozenset({"href", "src", "xlink:href"})


class _Page(HTMLParser):
    """The URLs one page refers to (tag, attribute, value) and the ids it defines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in URL_ATTRIBUTES:
                self.urls.append((tag, name, value))
            elif name == "srcset":
                self.urls += [
                    (tag, name, candidate.split()[0])
                    for candidate in value.split(",")
                    if candidate.strip()
                ]
            elif name in ("id", "name"):
                self.ids.add(value)

    handle_startendtag = handle_starttag


def page_url(site: Path, page: Path) -> str:
    """The URL path a page is served at: ``people/jane/index.html`` → ``/people/jane/``."""
    relative = page.relative_to(site).as_posix()
    if relative == "index.html" or relative.endswith("/index.html"):
        relative = relative[: -len("index.html")]
    return "/" + relative


def target_file(site: Path, page: Path, value: str) -> tuple[Path, str] | None:
    """The file an internal URL on ``page`` leads to and its fragment; None for a URL
    that leaves the site (another scheme or host) or names no path at all."""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    resolved = urlsplit(urljoin(ORIGIN + page_url(site, page), value))
    path = unquote(resolved.path)
    if path.endswith("/"):
        path += "index.html"
    return site / path.lstrip("/"), unquote(resolved.fragment)


def broken_links(site: Path) -> tuple[int, list[str]]:
    """How many internal URLs the HTML pages of ``site`` hold, and each one that leads to
    no file (or to no such id) as ``page: <tag attr="value"> → problem``."""
    pages: dict[Path, _Page] = {}
    for path in sorted(site.rglob("*.html")):
        parsed = _Page()
        parsed.feed(path.read_text(encoding="utf-8"))
        parsed.close()
        pages[path] = parsed
    checked, broken = 0, []
    for path, parsed in pages.items():
        for tag, attribute, value in parsed.urls:
            found = target_file(site, path, value)
            if found is None:
                continue
            checked += 1
            target, fragment = found
            where = f'{path.relative_to(site).as_posix()}: <{tag} {attribute}="{value}">'
            if not target.is_file():
                broken.append(f"{where} → no file {target.relative_to(site).as_posix()}")
            elif fragment and target in pages and fragment not in pages[target].ids:
                broken.append(f"{where} → no id {fragment!r} in that page")
    return checked, broken
