"""Where each page of the site lives: its path in the generated folder and its URL.

One module owns page paths (as MkDocs' ``structure/files.py`` does): the page of a
person is ``person_page(slug)`` wherever it is rendered, linked, rebuilt by
``netkb serve`` or audited. Paths are relative to the generated folder (docs_dir)
and use ``/``.

Every link netkb generates is HTML with its final URL (``SiteUrls.between``), which
depends on ``use_directory_urls`` (``Settings.use_directory_urls``): MkDocs passes raw
HTML through without resolving it, and need not parse netkb's pages as Markdown to
find the links.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from slugify import slugify

from netkb.core.references import name_key

HOME = "index.md"
PEOPLE = "people.md"
ORGANISATIONS = "organisations.md"
TAGS = "tags.md"
EXPERTISE = "expertise.md"
CIRCLES = "circles.md"
JOURNAL = "journal.md"
MAP = "map.md"
# Pages that summarise the whole network: any edit may change them.
SUMMARIES = (HOME, PEOPLE, ORGANISATIONS, TAGS, EXPERTISE, CIRCLES, JOURNAL)
# Folders of pages that are reached from index pages, not from the navigation.
NOT_IN_NAV = ("people", "orgs", "expertise", "tags", "circles", "journal", "letters", "map")
# Folders of the pages made from one record each (the audit names the file at fault).
RECORD_FOLDERS = ("people", "orgs")


def person_page(slug: str) -> str:
    """``people/jane-doe.md``."""
    return f"people/{slug}.md"


def org_page(slug: str) -> str:
    """``orgs/acme.md``."""
    return f"orgs/{slug}.md"


def org_map_page(slug: str) -> str:
    """``map/orgs/acme.md``: the map of one organisation."""
    return f"map/orgs/{slug}.md"


def circle_page(circle: int | None) -> str:
    """``circles/2.md`` (``circles/0.md``: people without a circle)."""
    return f"circles/{circle or 0}.md"


def month_page(date: dt.date) -> str:
    """``journal/2026-10.md``: the journal of the month of ``date``."""
    return f"journal/{date.strftime('%Y-%m')}.md"


def letter_of(name: str) -> str:
    """The letter a name is listed under on the people index: A-Z, else ``Other``."""
    first = name_key(name)[:1].upper()
    return first if "A" <= first <= "Z" else "Other"


def letter_page(letter: str) -> str:
    """``letters/a.md`` (``letters/other.md``) for a ``letter_of`` value."""
    return f"letters/{letter.lower()}.md"


def value_slug(value: str) -> str:
    """The slug a tag or topic's page starts from (``C++`` → ``c``); the page itself may
    add ``-2`` when two values share one (``page_context.Slugs``)."""
    return slugify(value, max_length=80) or "x"


def tag_page_prefixes(tag: str) -> tuple[str, str]:
    """The start of the paths of a tag's page and its map (``tags/golf``, ``map/tags/golf``)."""
    slug = value_slug(tag)
    return f"tags/{slug}", f"map/tags/{slug}"


def topic_page_prefix(topic: str) -> str:
    """The start of the path of an expertise topic's page (``expertise/hiring``)."""
    return f"expertise/{value_slug(topic)}"


def page_url(path: str, directory: bool) -> str:
    """The URL of the generated page ``path`` (``people/jane.md``), relative to the site root."""
    stem = path[:-3] if path.endswith(".md") else path
    if not directory:
        return f"{stem}.html"
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return f"{stem}/"


def built_file(path: str, directory: bool) -> str:
    """The file the builder writes for page ``path``, relative to the site folder
    (``people/jane.html``, or ``people/jane/index.html`` with directory URLs)."""
    url = page_url(path, directory)
    return url + "index.html" if url.endswith("/") or not url else url


class SiteUrls:
    """URLs from one generated page to another, as the browser needs them."""

    def __init__(self, directory: bool) -> None:
        self.directory = directory
        self._up: dict[str, str] = {}

    def up(self, page: str) -> str:
        """The way from page ``page`` back to the site root (``""``, ``"../"``, …)."""
        up = self._up.get(page)
        if up is None:
            here = page_url(page, self.directory)
            up = self._up[page] = "../" * here.count("/")
        return up

    def between(self, page: str, target: str) -> str:
        """The relative URL from page ``page`` to page ``target`` (both docs paths).

        ``target`` may end in ``#fragment``; ``#fragment`` alone stays on the page.
        """
        target, hash_mark, fragment = target.partition("#")
        anchor = hash_mark + quote(fragment, safe="-_.~") if hash_mark else ""
        if not target and anchor:
            return anchor
        url = quote(self.up(page) + page_url(target, self.directory), safe="/.-_~") or "./"
        return url + anchor
