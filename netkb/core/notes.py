"""Notes — the Markdown body of a record — as safe HTML, and which part of them is public.

Notes come from other people (a vCard, an export, a pull request), so they are
hostile input. They are read once, by Python-Markdown (the engine MkDocs builds
the rest of the page with), into a tree; every decision is made on that tree:

- **private parts**: a heading of any level whose text, without inline markup,
  is "private" in any letter case starts a private part that ends at the next
  heading of the same or a higher level (DESIGN.md §2). Its elements are
  removed from the tree, wherever they are nested;
- **raw HTML** in notes is never interpreted: it is shown as the text it is;
- **links**: wikilinks become links to the page of the record they name; links
  to other pages of the site (``people/x.md``) get the site's URL; images from
  another host are never loaded and become a plain link.

The HTML that comes out then goes through an allow-list sanitiser (``nh3``, the
binding to the ``ammonia`` crate) before any template sees it: allowed tags and
attributes only, URL schemes http, https, mailto and tel plus relative links,
no ``on*``, no ``style``, no ``srcset``. The same tree gives the public notes as
plain text for exports, ``show`` and JSON output, so every output agrees on what
is private.
"""

from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

import markdown
import nh3
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import ETX, INLINE_PLACEHOLDER_PREFIX, STX

from netkb.core.inline_pass import use_in
from netkb.core.references import WIKILINK

PRIVATE_HEADING = "private"
HEADINGS = {f"h{n}": n for n in range(1, 7)}

# What Markdown in notes may produce, and nothing else (the sanitiser's allow-list).
ALLOWED_TAGS = frozenset(
    {
        *HEADINGS,
        *("p", "br", "hr", "blockquote", "pre", "code", "kbd", "samp", "var"),
        *("em", "strong", "b", "i", "s", "del", "ins", "mark", "sub", "sup", "small"),
        *("ul", "ol", "li", "dl", "dt", "dd"),
        *("table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption"),
        *("a", "img", "span", "div", "abbr"),
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
    "abbr": {"title"},
}
# Admonition types (Material's and Python-Markdown's); any other class is dropped.
ADMONITIONS = frozenset(
    (
        "admonition",
        "note",
        "abstract",
        "summary",
        "tldr",
        "info",
        "todo",
        "tip",
        "hint",
        "important",
        "success",
        "check",
        "done",
        "question",
        "help",
        "faq",
        "warning",
        "caution",
        "attention",
        "failure",
        "fail",
        "missing",
        "danger",
        "error",
        "bug",
        "example",
        "quote",
        "cite",
    )
)
ALLOWED_CLASSES = {
    "div": set(ADMONITIONS),
    "p": {"admonition-title"},
    "span": {"netkb-unresolved", "netkb-removed"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_EXTENSIONS = ["tables", "fenced_code", "admonition", "sane_lists"]
_EXTENSION_CONFIGS = {"tables": {"use_align_attribute": True}}  # align=, never style=

# Characters a browser drops from a URL before reading it (WHATWG URL parser).
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
_STASHED = re.compile(f"{STX}wzxhzdk:(\\d+){ETX}")
_ESCAPED = re.compile(f"{STX}(\\d+){ETX}")
_LETTERS = re.compile(r"[^a-z]+")
_TARGET = "data-netkb-wikilink"
# What can make a [[…]] in the text not a wikilink of the document: code (spans,
# fences, indented blocks), a backslash escape, a link or image around it.
_MAY_HIDE_WIKILINKS = re.compile(r"`|~~~|\\|\n(?: {4}|\t)|\]\]?\s*[(\[]")
# A link target that may not be http(s), mailto, tel or relative (a cheap pre-filter;
# the tree decides): a scheme, or a character reference that could hide one.
_ODD_TARGET = re.compile(
    r"\]\s*[(:]\s*<?\s*(?:[^)\s>]*&|(?!(?:https?|mailto|tel):)[a-z][a-z0-9+.-]*\s*:)", re.I
)
# A paragraph that CommonMark (and so the user's editor) shows as a heading, but
# Python-Markdown does not: indented by up to three spaces.
_HEADING_LIKE = re.compile(r"\s{0,3}(#{1,6})(?:\s+(.*?))?(?:\s+#*)?\s*")


@dataclass(frozen=True, slots=True)
class Target:
    """The record a wikilink names: its generated page and the name to show."""

    page: str  # ``people/jane-doe.md``
    name: str


@dataclass(frozen=True, slots=True)
class Finding:
    """Something in notes that rendering neutralised, at a line (from 0) and column (from 1)."""

    line: int
    column: int
    kind: str  # "image" | "link"
    message: str


# ``resolve(target)`` → the record a wikilink target names, or None (shown as text).
Resolver = Callable[[str], "Target | None"]
# ``url(page)`` → the URL of a generated page from the page being rendered.
PageUrl = Callable[[str], str]


def may_be_private(body: str) -> bool:
    """Whether ``body`` could hold a private heading at all (a cheap test, never wrong).

    A heading's text is compared case-insensitively after its inline markup and
    character references are gone, so any such heading leaves the letters
    p-r-i-v-a-t-e in a row once everything but ASCII letters is dropped.
    """
    letters = _LETTERS.sub("", html.unescape(body).casefold())
    return PRIVATE_HEADING in letters


def external_url(value: str) -> bool:
    """Whether a browser would fetch ``value`` from another host (``//h``, ``/\\h``, ``x:``)."""
    cleaned = _clean_url(value)
    return cleaned.replace("\\", "/").startswith("//") or bool(_scheme(cleaned))


def safe_link_url(value: str) -> str | None:
    """``value`` as a link target when it is relative or uses an allowed scheme, else None."""
    cleaned = _clean_url(value)
    if cleaned.replace("\\", "/").startswith("//"):
        return cleaned if _scheme("http:" + cleaned) else None  # //host/…: a web link
    scheme = _scheme(cleaned)
    if scheme and scheme not in URL_SCHEMES:
        return None
    return cleaned


def _clean_url(value: str) -> str:
    """The URL a browser would read from an attribute value (references decoded)."""
    return _URL_NOISE.sub("", html.unescape(value).strip())


def _scheme(url: str) -> str:
    try:
        return urlsplit(url).scheme.lower()
    except ValueError:
        return "invalid"


class _Wikilinks(InlineProcessor):
    """``[[target]]`` / ``[[target|label]]`` → a link to the record's page, or text."""

    def __init__(self, notes: NoteRenderer) -> None:
        super().__init__(WIKILINK.pattern)
        self.notes = notes

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element, int, int]:
        target, label = m.group(1).strip(), (m.group(2) or "").strip()
        found = self.notes.resolve(target) if self.notes.resolve else None
        if found is None:
            element = etree.Element("span")
            if self.notes.resolve is not None:
                element.set("class", "netkb-unresolved")
                element.text = label or target
            else:  # plain text output keeps the wikilink as written
                element.text = m.group(0)
        else:
            element = etree.Element("a")
            element.set("href", "\x00netkb-page:" + found.page)  # made a URL by _Links
            element.text = label or found.name
        element.set(_TARGET, target)  # counted by _Links once private parts are gone
        return element, m.start(0), m.end(0)


class _Private(Treeprocessor):
    """Remove every private part of the document (after inline markup is parsed)."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.level: int | None = None

    def run(self, root: etree.Element) -> None:
        self.level = None
        self._visit(root)

    def _visit(self, parent: etree.Element) -> None:
        if self.level is not None:
            parent.text = None
        for child in list(parent):
            level = HEADINGS.get(child.tag) or self._heading_like(child)
            if level is not None:
                if self.level is not None and level <= self.level:
                    self.level = None
                if self.level is None and self._is_private(child):
                    self.level = level
                if self.level is not None:
                    parent.remove(child)
                continue
            if any(e.tag in HEADINGS for e in child.iter()):
                self._visit(child)  # a heading inside may end (or start) a private part
                if self.level is not None:
                    child.tail = None
            elif self.level is not None:
                parent.remove(child)

    def _is_private(self, heading: etree.Element) -> bool:
        text = _plain(self.md, "".join(heading.itertext()))
        if heading.tag == "p":
            text = (_HEADING_LIKE.fullmatch(text) or [""] * 3)[2] or ""
        return text.casefold() == PRIVATE_HEADING

    def _heading_like(self, element: etree.Element) -> int | None:
        """The level of a one-line paragraph that reads as an ATX heading, else None."""
        if element.tag != "p" or len(element) or "\n" in (element.text or ""):
            return None
        match = _HEADING_LIKE.fullmatch(element.text or "")
        return len(match.group(1)) if match else None


class _Links(Treeprocessor):
    """Site links get their URL; images from another host become links; bad URLs go."""

    def __init__(self, notes: NoteRenderer) -> None:
        super().__init__(notes.md)
        self.notes = notes

    def run(self, root: etree.Element) -> None:
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                target = child.attrib.pop(_TARGET, None)
                if target is not None:
                    self.notes.targets.append(target)
                if child.tag == "a":
                    self._link(child)
                elif child.tag == "img":
                    replacement = self._image(child)
                    if replacement is not None:
                        replacement.tail = child.tail
                        parent.remove(child)
                        parent.insert(index, replacement)

    def _link(self, element: etree.Element) -> None:
        href = element.get("href", "")
        if href.startswith("\x00netkb-page:"):
            element.set("href", self.notes.page_url(href[len("\x00netkb-page:") :]))
            return
        safe = safe_link_url(href)
        if safe is None:
            self.notes.neutralised.append(("link", href))
            del element.attrib["href"]
            element.tag = "span"
            element.set("class", "netkb-removed")
            return
        page = _site_page(safe)
        element.set("href", self.notes.page_url(page) if page else safe)

    def _image(self, element: etree.Element) -> etree.Element | None:
        src = element.get("src", "")
        if not external_url(src):
            return None
        label = element.get("alt") or src
        self.notes.neutralised.append(("image", src))
        replacement = etree.Element("a")
        safe = safe_link_url(src)
        if safe is None or not _scheme(safe if not safe.startswith("//") else "http:" + safe):
            replacement.tag = "span"
            replacement.set("class", "netkb-removed")
        else:
            replacement.set("href", safe)
        replacement.text = f"image: {label}"
        return replacement


class _Keep(Treeprocessor):
    """Keep the finished tree, for the plain-text form of the notes."""

    def run(self, root: etree.Element) -> None:
        self.root = root


def _site_page(url: str) -> str | None:
    """The site page a relative link in notes names (``../people/x.md#a`` → ``people/x.md``)."""
    if _scheme(url) or url.startswith(("/", "#", "?")):
        return None
    path = url.split("#", 1)[0].split("?", 1)[0]
    if not path.endswith(".md"):
        return None
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts) or None


def _plain(md: markdown.Markdown, text: str, lines: bool = False) -> str:
    """Text of a tree node as the reader sees it: placeholders restored, references decoded."""

    def stashed(match: re.Match[str]) -> str:
        blocks = md.htmlStash.rawHtmlBlocks
        number = int(match.group(1))
        raw = blocks[number] if number < len(blocks) else ""
        return _text_cleaner().clean(str(raw))

    text = _STASHED.sub(stashed, text)
    text = _ESCAPED.sub(lambda m: chr(int(m.group(1))), text)
    text = html.unescape(text.replace(INLINE_PLACEHOLDER_PREFIX, ""))
    if lines:
        return "\n".join(" ".join(line.split()) for line in text.strip("\n").split("\n"))
    return " ".join(text.split())


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    """The sanitiser's last word on URLs: nothing that leaves the site without a click."""
    if attribute == "src" and external_url(value):
        return None
    if attribute in ("href", "src") and safe_link_url(value) is None:
        return None
    return value


def sanitise(fragment: str) -> str:
    """An HTML fragment with everything outside the allow-list removed."""
    return _cleaner().clean(fragment)


@functools.cache
def _text_cleaner() -> nh3.Cleaner:
    """The sanitiser that keeps no tag at all: the text of raw HTML."""
    return nh3.Cleaner(tags=set())


@functools.cache
def _cleaner() -> nh3.Cleaner:
    """The sanitiser, made once: ``nh3.clean`` builds its allow-list anew on every call,
    which took four fifths of its time on a note."""
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_attribute_filter,
        url_schemes=set(URL_SCHEMES),
        allowed_classes={tag: set(names) for tag, names in ALLOWED_CLASSES.items()},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of rendered notes: sanitised HTML, or a top-level heading's plain text."""

    content: str
    heading: int = 0  # 1-6: ``content`` is a heading's text; 0: ``content`` is HTML


class _TopLevel(HTMLParser):
    """Splits a sanitised fragment at its top-level headings (offsets into the fragment)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.cuts: list[tuple[int, int, int, str]] = []  # (start, end, level, text)
        self._open: tuple[int, int] | None = None  # (start, level) of a top heading
        self._text: list[str] = []
        self._lines: list[int] = []

    def split(self, fragment: str) -> list[Part]:
        offset = 0
        self._lines = [0]
        for line in fragment.splitlines(keepends=True):
            offset += len(line)
            self._lines.append(offset)
        self.feed(fragment)
        self.close()
        parts: list[Part] = []
        last = 0
        for start, end, level, text in self.cuts:
            if fragment[last:start].strip():
                parts.append(Part(fragment[last:start].strip()))
            parts.append(Part(" ".join(text.split()), heading=level))
            last = end
        if fragment[last:].strip():
            parts.append(Part(fragment[last:].strip()))
        return parts

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._lines[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth == 0 and tag in HEADINGS:
            self._open, self._text = (self._offset(), HEADINGS[tag]), []
        if tag not in _VOID:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        self.depth -= 1
        if self.depth == 0 and self._open is not None and tag in HEADINGS:
            start, level = self._open
            end = self.rawdata.index(">", self._offset()) + 1
            self.cuts.append((start, end, level, "".join(self._text)))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)


_VOID = frozenset({"br", "hr", "img"})


def parts(fragment: str) -> list[Part]:
    """A sanitised fragment cut at its top-level headings, so that a page can make them
    its own (Markdown) headings — listed in the table of contents — and keep the rest as
    HTML blocks."""
    return _TopLevel().split(fragment)


class NoteRenderer:
    """Notes to safe HTML (for pages) or plain text (for exports), one parser for both.

    One instance serves many notes (building a Markdown parser costs more than a
    short note does); it is not thread-safe.
    """

    def __init__(self) -> None:
        self.md = markdown.Markdown(extensions=_EXTENSIONS, extension_configs=_EXTENSION_CONFIGS)
        # Raw HTML in notes is text, never markup: no block or inline HTML pass.
        self.md.preprocessors.deregister("html_block")
        self.md.inlinePatterns.deregister("html")
        use_in(self.md)  # Markdown's inline pass, trying only patterns that could match
        self.md.inlinePatterns.register(_Wikilinks(self), "netkb_wikilink", 175)
        self.md.treeprocessors.register(_Private(self.md), "netkb_private", 5)
        self.md.treeprocessors.register(_Links(self), "netkb_links", 4)
        self._keep = _Keep(self.md)
        self.md.treeprocessors.register(self._keep, "netkb_keep", -10)
        self.resolve: Resolver | None = None
        self.page_url: PageUrl = lambda page: page
        self.targets: list[str] = []
        self.neutralised: list[tuple[str, str]] = []  # ("link" | "image", URL as written)

    def html(self, body: str, resolve: Resolver | None = None, page_url: PageUrl | None = None):
        """The public part of ``body`` as sanitised HTML (empty when nothing is public).

        ``resolve`` maps a wikilink target to the page it names; ``page_url`` maps a
        generated page to its URL from the page being rendered.
        """
        rendered = self.convert(body, resolve or (lambda target: None), page_url)
        return sanitise(rendered) if rendered.strip() else ""

    def text(self, body: str) -> str:
        """The public part of ``body`` as text, wikilinks as written.

        A body that cannot hold a private part is returned as written (Markdown); one
        that may is read into the tree and its public part comes back as plain text.
        """
        if not body.strip():
            return ""
        if not may_be_private(body):
            return body.strip("\n")
        self.convert(body, None, None)
        return "\n\n".join(_blocks(self.md, self._keep.root)).strip("\n")

    def wikilink_targets(self, body: str) -> list[str]:
        """The targets of the wikilinks in the public part of ``body``, in order."""
        if "[[" not in body:
            return []
        if not may_be_private(body) and not _MAY_HIDE_WIKILINKS.search(body):
            # No code, escapes, indented blocks or private part: every [[…]] in the
            # text is a wikilink of the parsed document, so the tree is not needed
            # (this runs for every record on every load of the network).
            return [m.group(1).strip() for m in WIKILINK.finditer(body)]
        self.convert(body, None, None)
        return list(self.targets)

    def findings(self, body: str) -> list[Finding]:
        """What rendering neutralises in ``body``, located: images from another host
        (shown as links) and links with a scheme that is not allowed (shown as text)."""
        if "![" not in body and not _ODD_TARGET.search(body):
            return []
        self.convert(body, None, None)
        found = []
        start = 0
        for kind, url in self.neutralised:
            at = body.find(url, start) if url else -1
            if at == -1:
                at = body.find(url) if url else -1
            where = max(at, 0)
            line = body.count("\n", 0, where)
            column = where - (body.rfind("\n", 0, where) + 1) + 1
            start = at + 1 if at != -1 else start
            if kind == "image":
                message = f"image {url!r} is on another host: the site shows a link, never loads it"
            else:
                message = f"link {url!r} is not http(s), mailto, tel or relative: shown as text"
            found.append(Finding(line, column, kind, message))
        return found

    def convert(self, body: str, resolve: Resolver | None, page_url: PageUrl | None) -> str:
        """Python-Markdown's HTML for the public part of ``body``, not yet sanitised."""
        self.md.reset()
        self.targets = []
        self.neutralised = []
        self.resolve = resolve
        self.page_url = page_url or (lambda page: page)
        return self.md.convert(body)


def _blocks(md: markdown.Markdown, root: etree.Element) -> Iterator[str]:
    """The tree's block elements as plain-text paragraphs."""
    for element in root:
        tag = element.tag
        if tag in HEADINGS:
            yield "#" * HEADINGS[tag] + " " + _inline(md, element)
        elif tag in ("ul", "ol"):
            yield "\n".join(
                f"{'-' if tag == 'ul' else f'{n}.'} {_inline(md, item)}"
                for n, item in enumerate(element.findall("li"), 1)
            )
        elif tag == "pre":
            yield _plain(md, "".join(element.itertext()), lines=True)
        elif tag in ("div", "blockquote"):
            yield from _blocks(md, element)
        elif tag == "table":
            yield "\n".join(
                " | ".join(_inline(md, cell) for cell in row) for row in element.iter("tr")
            )
        elif tag == "hr":
            yield "---"
        else:
            text = _inline(md, element)
            if text:
                yield text


def _inline(md: markdown.Markdown, element: etree.Element) -> str:
    pieces: list[str] = []
    if element.text:
        pieces.append(element.text)
    for child in element:
        if child.tag in ("ul", "ol", "p") and pieces:
            pieces.append(" ")
        label = _inline(md, child)
        href = child.get("href") if child.tag == "a" else None
        pieces.append(f"{label} ({href})" if href and href != label else label)
        if child.tail:
            pieces.append(child.tail)
    return _plain(md, "".join(pieces), lines=True)


@functools.cache
def _shared() -> NoteRenderer:
    return NoteRenderer()


def public_text(body: str) -> str:
    """The public part of a record's notes as plain text (exports, ``show``, JSON)."""
    return _shared().text(body)


def note_findings(body: str) -> list[Finding]:
    """What the site will neutralise in a record's notes, for ``check`` to warn about."""
    return _shared().findings(body)


def public_wikilinks(body: str) -> list[str]:
    """The wikilink targets in the public part of a record's notes."""
    return list(_public_wikilinks(body))


@functools.lru_cache(maxsize=1 << 16)
def _public_wikilinks(body: str) -> tuple[str, ...]:
    # The same notes give the same targets: a build derives the network as it was and as
    # it is, and a rename resolves every record's links again (20,000 bodies at 10,000
    # people); only the resolution depends on the other records.
    return tuple(_shared().wikilink_targets(body))
