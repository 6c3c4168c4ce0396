"""Relative URLs between generated pages, for links MkDocs does not rewrite (inside SVG).

Markdown links to ``people/jane.md`` are turned into the right URL by the
builder; a link inside an inline SVG is raw HTML and is not, so it must be
written as the final URL, which depends on ``use_directory_urls``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import yaml

from netkb.builder import raw_config


def directory_urls(config_file: Path) -> bool:
    """Whether the site uses ``page/`` URLs (MkDocs' default) rather than ``page.html``."""
    try:
        value = raw_config(config_file).get("use_directory_urls", True)
    except (OSError, ValueError, yaml.YAMLError):  # the loader reported it already
        return True
    return value if isinstance(value, bool) else True


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


class SiteUrls:
    """URLs from one generated page to another, as the browser needs them."""

    def __init__(self, directory: bool) -> None:
        self.directory = directory
        self._up: dict[str, str] = {}

    def between(self, page: str, target: str) -> str:
        """The relative URL from page ``page`` to page ``target`` (both docs paths)."""
        up = self._up.get(page)
        if up is None:
            here = page_url(page, self.directory)
            up = self._up[page] = "../" * here.count("/")
        return quote(up + page_url(target, self.directory), safe="/.-_~") or "./"
