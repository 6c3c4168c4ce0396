"""The shape of netkb's generated pages: Markdown headings over HTML blocks.

netkb writes its pages' tables, lists and links as HTML it has escaped itself, one block
between blank lines, under Markdown headings (Markdown makes the headings' anchors and
the table of contents). Python-Markdown would still read every tag of those blocks twice
(its HTML-block pass and MkDocs' anchor pass, each an ``html.parser`` run): at 10,000
people that was half of the time spent building pages.

A page that says so on its first line (``MARKER``, written by the renderer) is handed
to Markdown with each block stashed as it is: a chunk between blank lines that starts
with ``<`` and ends with ``>`` is raw HTML; every other chunk (a heading, a banner's
admonition) stays Markdown. The HTML is the same as Python-Markdown makes of the page
without the marker (``tests/test_blocks.py`` holds the two equal on every page of the
demo, of generated networks and of hostile notes). Only netkb's own templates get the
marker: a KB that overrides templates is built the slow, general way.

When every chunk of a marked page is an HTML block or a one-line heading of plain text,
and Markdown is set up with nothing but known extensions, the page is not even split
into lines: the element tree that Markdown's block parser would build (a paragraph
holding each block's placeholder, a heading element for each heading) is built directly
and handed to Markdown's own tree processors, serializer and post-processors, which make
the anchors, the table of contents and the final HTML as they always do. Preprocessing,
block parsing and the inline patterns (which find nothing in plain text) were two thirds
of a person page's conversion.

What those processors make of such a tree is known too: ids on the headings, a line
break after each element, each block back in its placeholder's place. When they are the
only ones (netkb's mkdocs.yml: a table of contents without permalinks), the builder
takes the HTML, the table of contents, the title and the anchors from
``converted_directly`` without running Markdown: three quarters of what was left of a
person page's conversion. The tests hold it equal to Markdown's, page by page and for a
whole site.
"""

from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from typing import Any

from markdown import Markdown
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.extensions.toc import nest_toc_tokens, strip_tags, unique
from markdown.preprocessors import Preprocessor
from markdown.serializers import to_html_string, to_xhtml_string
from markdown.util import HTML_PLACEHOLDER, AtomicString

MARKER = "<!-- netkb: headings and HTML blocks -->"
_BLANK_INSIDE = re.compile(r"\n(?=[ \t]*\n)")
_PLACEHOLDER = re.compile(re.escape(HTML_PLACEHOLDER).replace(r"%s", r"\d+"))
# A heading the prebuilt tree takes: ATX, one line, text that none of the inline
# patterns (Python-Markdown's own: code, escapes, links, images, autolinks, raw HTML,
# entities, emphasis) can match, and no closing hashes.
_PLAIN_HEADING = re.compile(r"(#{1,6})([^#\\`*_\[\]!<>&\x00-\x1f\x7f]*)")
# What Markdown's whitespace pass would change (controls, a space before a line's end)
# or the fenced-code pass take (a fence at a line's start): looked for one by one, as a
# regex alternation tries each at every character.
_NOT_PREBUILT = ("\r", "\t", "\x02", "\x03", " \n", "\n```", "\n~~~")
# The extensions netkb's sites use (MkDocs' defaults, admonition, attr_list, netkb's): a
# page is prebuilt only when every processor Markdown runs is one of theirs, by name and
# by class (another extension may register its own under a known name), or MkDocs' own
# per-page processors; with any other, a page takes the general way.
KNOWN_EXTENSIONS = ("toc", "tables", "fenced_code", "admonition", "attr_list")
MKDOCS_PROCESSORS = frozenset(
    {"mkdocs_raw_html", "mkdocs_extract_anchors", "relpath", "mkdocs_extract_title"}
)
PREBUILT = True  # tests turn it off to compare


def mark(page: str) -> str:
    """``page`` (front matter, then the body) with the marker as its body's first line."""
    if page.startswith("---\n"):
        end = page.find("\n---\n", 4)
        if end != -1:
            return f"{page[: end + 5]}{MARKER}\n{page[end + 5 :]}"
    return f"{MARKER}\n{page}"


def one_block(html: str) -> str:
    """``html`` with no blank line inside, so that it stays one block: a line break
    before a blank (or blank-looking) line becomes ``&#10;``, which HTML reads as the
    same line break, in ``<pre>`` too."""
    return _BLANK_INSIDE.sub("&#10;", html)


class _StashBlocks(Preprocessor):
    """Stash the HTML blocks of a marked page without parsing them."""

    def run(self, lines: list[str]) -> list[str]:
        first = next((line for line in lines if line), None)
        if first != MARKER:
            return lines
        out: list[str] = []
        chunk: list[str] = []
        marker_seen = False
        for line in [*lines, ""]:
            if line == MARKER and not marker_seen:
                marker_seen = True
                continue
            if line:
                chunk.append(line)
                continue
            if chunk and chunk[0].startswith("<") and chunk[-1].endswith(">"):
                # As Markdown's HTML-block pass stores a block followed by a blank line.
                out += ["", self.md.htmlStash.store("\n".join(chunk) + "\n"), ""]
            else:
                out += chunk
            out.append("")
            chunk = []
        return out


class _Prebuild(Preprocessor):
    """For a marked page of HTML blocks and plain headings, build the element tree the
    block parser would make of it (``_PrebuiltParser`` hands it over) and leave no lines
    for the other preprocessors; any other page is left to them."""

    taken = False  # whether the last page converted was taken

    def run(self, lines: list[str]) -> list[str]:
        root = self._tree(lines) if PREBUILT else None
        self.md.parser.prebuilt = root  # type: ignore[attr-defined]
        self.taken = root is not None
        return lines if root is None else []

    def _tree(self, lines: list[str]) -> etree.Element | None:
        md = self.md
        chunks = _chunks(md, lines)
        if chunks is None:
            return None
        root = etree.Element(md.doc_tag)
        for text, level in chunks:
            if level:  # as Markdown's heading rule makes it; no inline pattern matches
                etree.SubElement(root, f"h{level}").text = AtomicString(text)
            else:  # as _StashBlocks stores it and _StashedParagraph reads its placeholder
                placeholder = md.htmlStash.store(text + "\n")
                etree.SubElement(root, "p").text = AtomicString(placeholder)
        return root


def _chunks(md: Markdown, lines: list[str]) -> list[tuple[str, int]] | None:
    """The chunks of a marked page of HTML blocks and plain headings, in order: (HTML, 0)
    or (heading text, level); None for any other page, or when ``md`` has processors
    netkb does not know."""
    if not lines or lines[0] != MARKER or len(lines) < 2 or lines[1] != "":
        return None
    if type(md.parser) is not _PrebuiltParser or not _known_processors(md):
        return None
    body = "\n".join(lines[2:]).rstrip("\n")
    if body.endswith(" ") or body.startswith(("```", "~~~")):
        return None
    if any(text in body for text in _NOT_PREBUILT):
        return None
    chunks: list[tuple[str, int]] = []
    for chunk in body.split("\n\n"):
        chunk = chunk.lstrip("\n")  # three newlines or more: blank lines, no chunk
        if not chunk:
            continue
        if chunk[0] == "<" and chunk[-1] == ">":
            chunks.append((chunk, 0))
            continue
        heading = _PLAIN_HEADING.fullmatch(chunk)
        if heading is None:
            return None
        chunks.append((heading[2].strip(), len(heading[1])))
    return chunks


@dataclass(frozen=True, slots=True)
class Converted:
    """What Markdown makes of a page for MkDocs: the HTML, the table of contents' tokens,
    the title (the text of a first heading of level 1), and the ids of the page's
    elements (its headings': the blocks are stashed unread)."""

    content: str
    toc_tokens: list[dict[str, Any]]
    title: str | None
    anchors: set[str]


# The tree and post-processors ``converted_directly`` knows the effect of on a tree of
# plain headings over stashed blocks: the inline pass skips atomic text, unescaping finds
# no escape, tidying puts a line break after each element; the table of contents gives
# the headings ids; attr_list reads "{…}" a heading lacks; raw_html puts each block back
# where its placeholder is, as a paragraph if the block does not open with a block tag;
# amp_substitute finds no placeholder. MkDocs' own per-page processors (titles, anchors,
# links) are replaced by what they would find.
_DIRECT_TREE = frozenset({"inline", "prettify", "unescape", "toc", "attr_list"})
_DIRECT_POST = frozenset({"raw_html", "amp_substitute"})
_SERIALIZERS = (to_html_string, to_xhtml_string)
_BLOCK_LEVEL = frozenset({"div", "p", "h1", "h2", "h3", "h4", "h5", "h6"})
# An id the serializer writes as it is (no character it escapes in an attribute).
_PLAIN_ID = re.compile(r'[^&<>"\x00-\x1f]*')
DIRECT = True  # tests turn it off to compare


def converted_directly(md: Markdown, source: str) -> Converted | None:
    """``md.convert(source)`` and what MkDocs reads of it, made without running Markdown:
    for a marked page of plain headings over HTML blocks (the pages Markdown would get
    the prebuilt tree of) when ``md`` is set up with nothing but the processors above,
    and its table of contents gives headings ids and nothing more (no permalinks, no
    anchor links, base level 1). None for any other page or setup: Markdown converts it.
    ``tests/test_blocks.py`` holds it equal to Markdown's conversion."""
    if not (DIRECT and PREBUILT and md.stripTopLevelTags and source.startswith(MARKER)):
        return None
    if any(
        name not in _DIRECT_TREE and name not in MKDOCS_PROCESSORS
        for name in md.treeprocessors._data
    ) or any(name not in _DIRECT_POST for name in md.postprocessors._data):
        return None
    if any(name not in md.treeprocessors for name in ("toc", "prettify")):
        return None  # MkDocs always has both, as Markdown has the rest
    if "raw_html" not in md.postprocessors or md.serializer not in _SERIALIZERS:
        return None
    if md.doc_tag != "div" or not _BLOCK_LEVEL.issubset(md.block_level_elements):
        return None  # prettify puts a line break after block elements only
    toc, raw_html = md.treeprocessors["toc"], md.postprocessors["raw_html"]
    if toc.use_anchors or toc.use_permalinks not in (False, None) or toc.base_level != 0:
        return None
    chunks = _chunks(md, source.split("\n"))
    if chunks is None:
        return None
    headings = [text for text, level in chunks if level]
    if "attr_list" in md.treeprocessors and any("{" in text for text in headings):
        return None
    if toc.marker and ("\x02" in toc.marker or toc.marker in headings):
        return None
    used: set[str] = set()
    pieces: list[str] = []
    tokens: list[dict[str, Any]] = []
    title = None
    for number, (text, level) in enumerate(chunks):
        if not level:
            block = text + "\n"  # as the stash holds it
            pieces.append(block if raw_html.isblocklevel(block) else f"<p>{block}</p>")
            continue
        name = strip_tags(text)  # the heading's inner HTML is its text
        if number == 0 and level == 1:
            title = name
        anchor = unique(toc.slugify(html.unescape(name), toc.sep), used)
        if not _PLAIN_ID.fullmatch(anchor):
            return None
        pieces.append(f'<h{level} id="{anchor}">{text}</h{level}>')
        if toc.toc_top <= level <= toc.toc_bottom:
            tokens.append(
                {"level": level, "id": anchor, "name": name, "html": text, "data-toc-label": ""}
            )
    return Converted("\n".join(pieces).strip(), nest_toc_tokens(tokens), title, used)


def _registries(md: Markdown) -> tuple[Any, ...]:
    return (
        md.preprocessors,
        md.parser.blockprocessors,
        md.inlinePatterns,
        md.treeprocessors,
        md.postprocessors,
    )


@functools.cache
def _reference() -> tuple[dict[str, type], ...]:
    """The class of each processor of the known extensions, by registry and name."""
    md = Markdown(extensions=[*KNOWN_EXTENSIONS, HtmlBlocks()])
    return tuple(
        {name: type(item) for name, item in registry._data.items()} for registry in _registries(md)
    )


def _known_processors(md: Markdown) -> bool:
    """Whether every processor of ``md`` is a known extension's (or MkDocs' per page)."""
    for registry, known in zip(_registries(md), _reference(), strict=True):
        for name, item in registry._data.items():
            kind = type(item)
            if kind is known.get(name):
                continue
            if name in MKDOCS_PROCESSORS and kind.__module__ == "mkdocs.structure.pages":
                continue
            # netkb's own subclass of a known processor (the builder's table of contents)
            if (
                name in known
                and kind.__module__.startswith("netkb.")
                and issubclass(kind, known[name])
            ):
                continue
            return False
    return True


class _PrebuiltParser(BlockParser):
    """Markdown's block parser, which returns the tree ``_Prebuild`` built, if any."""

    prebuilt: etree.Element | None = None

    def parseDocument(self, lines: Any) -> etree.ElementTree:
        root, self.prebuilt = self.prebuilt, None
        if root is None:
            return super().parseDocument(lines)
        self.root = root
        return etree.ElementTree(root)


class _StashedParagraph(BlockProcessor):
    """A block that is just the placeholder of a stashed HTML block: the paragraph that
    Markdown's own paragraph rule makes of it, with text that the inline patterns skip
    (none of them matches a placeholder; trying them all on each block cost a tenth of
    a page's conversion). The raw-HTML pass then swaps the paragraph for the block."""

    def test(self, parent: etree.Element, block: str) -> bool:
        return _PLACEHOLDER.fullmatch(block) is not None and not self.parser.state.isstate("list")

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        etree.SubElement(parent, "p").text = AtomicString(blocks.pop(0))


class HtmlBlocks(Extension):
    """The Markdown extension that reads marked pages (see the module's docstring)."""

    def extendMarkdown(self, md: Markdown) -> None:
        # After whitespace is normalised (30), before MkDocs' anchor pass (21) and the
        # HTML-block pass (20): they find only placeholders where the blocks were.
        md.preprocessors.register(_StashBlocks(md), "netkb_html_blocks", 25)
        # Before any other preprocessor: a page it takes leaves them nothing to do.
        md.preprocessors.register(_Prebuild(md), "netkb_prebuilt", 40)
        if type(md.parser) is BlockParser:  # not another extension's subclass
            md.parser.__class__ = _PrebuiltParser
        # Before every block rule but the empty block's (100): none of them takes a
        # placeholder, which has no indent, marker or prefix they look for.
        md.parser.blockprocessors.register(
            _StashedParagraph(md.parser), "netkb_stashed_paragraph", 99
        )


def makeExtension(**kwargs: Any) -> HtmlBlocks:
    """Markdown's hook for ``markdown_extensions: [netkb.render.blocks]``."""
    return HtmlBlocks(**kwargs)
