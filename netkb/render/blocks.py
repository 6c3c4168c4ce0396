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
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from typing import Any

from markdown import Markdown
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.util import HTML_PLACEHOLDER, AtomicString

MARKER = "<!-- netkb: headings and HTML blocks -->"
_BLANK_INSIDE = re.compile(r"\n(?=[ \t]*\n)")
_PLACEHOLDER = re.compile(re.escape(HTML_PLACEHOLDER).replace(r"%s", r"\d+"))


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
        # Before every block rule but the empty block's (100): none of them takes a
        # placeholder, which has no indent, marker or prefix they look for.
        md.parser.blockprocessors.register(
            _StashedParagraph(md.parser), "netkb_stashed_paragraph", 99
        )


def makeExtension(**kwargs: Any) -> HtmlBlocks:
    """Markdown's hook for ``markdown_extensions: [netkb.render.blocks]``."""
    return HtmlBlocks(**kwargs)
