"""netkb's pages are headings over HTML blocks, marked so (``render/blocks.py``): Markdown
stashes the blocks without parsing them. The HTML must be what Python-Markdown makes of
the same page without the marker, on every page netkb writes: the demo, generated
networks, hostile and random notes, pages with an error banner."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest.mock import patch

import markdown
import markdown.extensions.toc
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from mkdocs.structure.pages import (
    _ExtractAnchorsTreeprocessor,
    _ExtractTitleTreeprocessor,
    _RawHTMLPreprocessor,
)
from mkdocs.utils.meta import get_data

import netkb.build.builder as builder_module
from benchmarks.generate import generate as generate_kb
from netkb.build.builder import MkDocsBuilder
from netkb.build.site import build, generate
from netkb.render import blocks
from netkb.render.blocks import MARKER, Converted, HtmlBlocks, converted_directly, mark, one_block
from tests.conftest import MINIMAL_CONFIG, copy_demo, write_kb
from tests.hostile import HOSTILE_NOTES


class Converter:
    """Markdown as MkDocs sets it up for the KB at ``root``: with netkb's extension (as
    the builder runs it) and without (Python-Markdown reading every block)."""

    def __init__(self, root: Path) -> None:
        config = MkDocsBuilder().load(root / "mkdocs.yml")
        self.extensions = list(config["markdown_extensions"])
        self.configs = config["mdx_configs"] or {}
        self.docs = Path(config["docs_dir"])

    def fast(self, body: str) -> str:
        return converted(body, self.extensions, self.configs, netkb=True)[0]

    def slow(self, body: str) -> str:
        return converted(body, self.extensions, self.configs, netkb=False)[0]

    def direct(self, body: str) -> Converted | None:
        return directly(body, self.extensions, self.configs)

    def through_markdown(self, body: str) -> Converted:
        return through_markdown(body, self.extensions, self.configs)

    def prebuilt(self, body: str) -> bool:
        """Whether netkb's extension builds the page's tree without Markdown's parser."""
        return is_prebuilt(body, self.extensions, self.configs)

    def pages(self) -> dict[str, str]:
        """Every generated page's Markdown body (front matter taken off, as MkDocs does)."""
        return {
            path.relative_to(self.docs).as_posix(): get_data(path.read_text(encoding="utf-8"))[0]
            for path in sorted(self.docs.rglob("*.md"))
        }


def with_netkb(extensions: list[Any], configs: dict[str, Any]) -> markdown.Markdown:
    """Markdown with ``extensions`` and netkb's extension, as the builder sets it up."""
    return markdown.Markdown(extensions=[*extensions, HtmlBlocks()], extension_configs=configs)


def converted(
    body: str, extensions: list[Any], configs: dict[str, Any], *, netkb: bool
) -> tuple[str, list[Any]]:
    """The HTML and the table of contents Markdown makes of a page's body: with netkb's
    extension, or as Python-Markdown reads it all (the marker taken off)."""
    if netkb:
        md = with_netkb(extensions, configs)
    else:
        md = markdown.Markdown(extensions=extensions, extension_configs=configs)
        body = body.replace(MARKER + "\n", "", 1)
    return md.convert(body), getattr(md, "toc_tokens", [])


def directly(body: str, extensions: list[Any], configs: dict[str, Any]) -> Converted | None:
    """What netkb makes of a page without running Markdown (None: Markdown converts it)."""
    md = with_netkb(extensions, configs)
    return converted_directly(md, body)


def through_markdown(body: str, extensions: list[Any], configs: dict[str, Any]) -> Converted:
    """What Markdown, with netkb's extension and MkDocs' processors of a page, makes of it."""
    md = with_netkb(extensions, configs)
    title = _ExtractTitleTreeprocessor()
    title._register(md)
    anchors = _ExtractAnchorsTreeprocessor(None, None, None)  # type: ignore[arg-type]
    anchors._register(md)
    raw_html = _RawHTMLPreprocessor()
    raw_html._register(md)
    content = md.convert(body)
    found = anchors.present_anchor_ids | raw_html.present_anchor_ids
    return Converted(content, getattr(md, "toc_tokens", []), title.title, found)


def is_prebuilt(body: str, extensions: list[Any], configs: dict[str, Any]) -> bool:
    md = with_netkb(extensions, configs)
    md.convert(body)
    return md.preprocessors["netkb_prebuilt"].taken  # type: ignore[attr-defined]


def differing(root: Path) -> tuple[int, list[str]]:
    """(pages marked, pages whose two conversions differ) of the KB at ``root``."""
    assert not generate(root).network.errors
    converter = Converter(root)
    pages = converter.pages()
    marked = [path for path, body in pages.items() if body.startswith(MARKER)]
    differ = [p for p in marked if converter.fast(pages[p]) != converter.slow(pages[p])]
    # A page made without Markdown is what Markdown and MkDocs' processors make of it.
    for path in marked:
        made = converter.direct(pages[path])
        if made is not None and made != converter.through_markdown(pages[path]):
            differ.append(f"{path} (made directly)")
    return len(marked), differ


# Markdown set up as a user might: anchors on headings, admonitions (the error banner).
EXTENSIONS_CONFIG = MINIMAL_CONFIG + (
    "markdown_extensions:\n  - admonition\n  - attr_list\n  - tables\n"
    "  - toc:\n      permalink: true\n"
)


def person(name: str, notes: str) -> str:
    return f"---\nname: {name}\ncircle: 2\ntags: [x]\n---\n{notes}\n"


def test_every_demo_page_converts_as_markdown_converts_it(tmp_path: Path) -> None:
    root = copy_demo(tmp_path / "demo")
    marked, differ = differing(root)
    # The demo overrides person.md.j2 (Markdown of its own): those pages are not marked.
    person_pages = len(list((root / "contacts").rglob("*.md")))
    assert marked > 100
    assert differ == []
    docs = Converter(root).pages()
    assert not any(
        body.startswith(MARKER) for path, body in docs.items() if path.startswith("people/")
    )
    assert len([p for p in docs if p.startswith("people/")]) <= person_pages


def test_generated_network_pages_convert_as_markdown_converts_them(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    generate_kb(root, people=80)
    marked, differ = differing(root)
    assert marked >= 80
    assert differ == []
    # Person pages are headings of plain names over HTML blocks: their tree is built
    # without Markdown's parser, and makes the same table of contents.
    converter = Converter(root)
    people = {p: b for p, b in converter.pages().items() if p.startswith("people/")}
    prebuilt = [p for p, body in people.items() if converter.prebuilt(body)]
    assert len(people) >= 70
    assert len(prebuilt) >= 0.9 * len(people)
    for path in prebuilt:
        body = people[path]
        fast = converted(body, converter.extensions, converter.configs, netkb=True)
        assert fast == converted(body, converter.extensions, converter.configs, netkb=False)
        assert fast[1]  # the headings are in the table of contents
    # With netkb's mkdocs.yml (no permalinks) they are made without Markdown at all.
    direct = [p for p in prebuilt if converter.direct(people[p]) is not None]
    assert direct == prebuilt


CODE_WITH_BLANKS = (
    "Before.\n\n```\nfirst\n\n\nafter two blank lines\n   \n\tlast\n```\n\n"
    "    indented\n\n    code\n"
)


def test_hostile_notes_and_blank_lines_in_code(tmp_path: Path) -> None:
    files = {
        f"contacts/p{i}.md": person(f"Person {i}", note) for i, note in enumerate(HOSTILE_NOTES)
    }
    files["contacts/code.md"] = person("Code Person", CODE_WITH_BLANKS)
    files["contacts/marker.md"] = person(
        "Marker Person", f"{MARKER}\n\n<p>not raw</p>\n\n# Heading\n"
    )
    files["contacts/heads.md"] = person(
        "Heads", "# One\n\nText\n\n## Two <b>x</b>\n\n> quote\n>\n> more\n"
    )
    root = write_kb(tmp_path / "kb", files, EXTENSIONS_CONFIG)
    marked, differ = differing(root)
    assert marked >= len(files)
    assert differ == []
    converter = Converter(root)
    html = converter.fast(converter.pages()["people/code.md"])
    # The blank lines inside the code block are still there, as HTML reads them.
    assert "<code>first&#10;&#10;\nafter two blank lines&#10;\n    last\n</code>" in html
    assert "<code>indented&#10;\ncode\n</code>" in html
    assert "\n\n" not in html.split('<div class="netkb-notes">')[1].split("</div>")[0]
    # A marker in a note is text, never a switch: the page's own marker is the first line.
    marker_page = converter.pages()["people/marker.md"]
    assert marker_page.count(MARKER) == 1
    assert "&lt;p&gt;not raw&lt;/p&gt;" in converter.fast(marker_page)


def test_a_page_with_an_error_banner_converts_the_same(tmp_path: Path) -> None:
    root = write_kb(
        tmp_path / "kb",
        {
            "contacts/ok.md": person("Ok Person", "Knows [[Bad Person]]."),
            "contacts/bad.md": "---\nname: Bad Person\ncircle: 9\n---\nNotes.\n",
        },
    )
    from netkb.build.site import Generator, add_banners

    generator = Generator(root)
    network = generator.load()
    assert network.errors
    valid = write_kb(
        tmp_path / "valid", {"contacts/ok.md": person("Ok Person", "x")}, EXTENSIONS_CONFIG
    )
    assert not generate(valid).network.errors
    converter = Converter(valid)
    page = "---\ntitle: Ok\n---\n" + mark("# Ok Person\n\n<p>x</p>\n\n## Notes\n\n<div>y</div>\n")
    pages = {"people/bad.md": page, "index.md": mark("# Home\n\n<p>home</p>\n")}
    add_banners(pages, generator.link(network), network.errors)
    bannered = 0
    for text in pages.values():
        body = get_data(text)[0]
        assert body.startswith(MARKER)
        fast = converter.fast(body)
        assert fast == converter.slow(body)
        bannered += 'class="admonition failure"' in fast
    assert bannered >= 1


def test_overridden_templates_are_not_marked(tmp_path: Path) -> None:
    person_only = write_kb(
        tmp_path / "a",
        {
            "contacts/jane.md": person("Jane Doe", "Hi."),
            "templates/person.md.j2": "---\ntitle: x\n---\n# {{ p.name }}\n\n*Markdown* here.\n",
        },
    )
    assert not generate(person_only).network.errors
    docs = Converter(person_only).pages()
    assert not docs["people/jane.md"].startswith(MARKER)
    assert "<em>Markdown</em>" in Converter(person_only).fast(docs["people/jane.md"])
    assert docs["people.md"].startswith(MARKER)
    partial = write_kb(
        tmp_path / "b",
        {
            "contacts/jane.md": person("Jane Doe", "Hi."),
            "templates/_photo.md.j2": "{% macro photo_of(L, p, alt) %}{% endmacro %}\n",
        },
    )
    assert not generate(partial).network.errors
    assert not any(body.startswith(MARKER) for body in Converter(partial).pages().values())


def test_one_block_keeps_what_html_reads() -> None:
    assert one_block("<pre>a\n\nb</pre>") == "<pre>a&#10;\nb</pre>"
    assert one_block("<pre>a\n \t\nb</pre>") == "<pre>a&#10; \t\nb</pre>"
    assert one_block("<p>a</p>\n<p>b</p>") == "<p>a</p>\n<p>b</p>"
    assert "\n\n" not in one_block("x\n\n\n\ny")


@pytest.fixture(scope="module")
def notes_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_kb(
        tmp_path_factory.mktemp("notes") / "kb", {"contacts/other.md": person("Other One", "x")}
    )


NOTE_PIECES = st.sampled_from(
    [
        "\n",
        "\n\n",
        "   \n",
        "\t",
        "```\n",
        "    code\n",
        "# heading\n",
        "## Private\n",
        "<div>",
        "</div>",
        "<pre>",
        "</pre>",
        "> quote\n",
        "- item\n",
        "1. one\n",
        "| a | b |\n|---|---|\n| 1 | 2 |\n",
        "[[Other One]]",
        "[x](https://example.org)",
        "*em* **strong** `code`",
        "<!-- c -->",
        MARKER,
        "&amp; &#10; <",
        "text",
    ]
)


TEXT = st.characters(exclude_categories=("Cc", "Cs"))  # control characters: another test's


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(NOTE_PIECES | st.text(TEXT, max_size=12), max_size=14).map("".join))
def test_random_notes_convert_the_same(notes_kb: Path, notes: str) -> None:
    (notes_kb / "contacts" / "random.md").write_text(
        person("Random Person", notes), encoding="utf-8"
    )
    assert not generate(notes_kb).network.errors
    converter = Converter(notes_kb)
    body = converter.pages()["people/random.md"]
    assert body.startswith(MARKER)
    assert converter.fast(body) == converter.slow(body)


UNMARKED = [
    "# Title\n\n<div>raw</div>\n\nText after.\n",
    "- item\n\n<div>after a list</div>\n",
    "- item\n\n    <div>inside the item</div>\n\n- next\n",
    "1. one\n2. two\n\n   <p>indented HTML in a list</p>\n",
    "> quoted\n\n<table><tr><td>x</td></tr></table>\n",
    "Paragraph\n<div>no blank line before</div>\n",
    "<div>first</div>\n\n<div>second</div>\n\n    <div>indented code?</div>\n",
    "Setext\n\n<hr>\n\n---\n\n<p>x</p>\n===\n",
    "!!! note\n\n    <div>in an admonition</div>\n",
    "| a | b |\n|---|---|\n| <b>x</b> | y |\n\n<div>after a table</div>\n",
]


@pytest.fixture(scope="module")
def demo_converter(tmp_path_factory: pytest.TempPathFactory) -> Converter:
    root = copy_demo(tmp_path_factory.mktemp("unmarked") / "demo")
    assert not generate(root).network.errors
    return Converter(root)


@pytest.mark.parametrize("body", UNMARKED)
def test_raw_html_of_an_unmarked_page_reads_as_without_the_extension(
    demo_converter: Converter, body: str
) -> None:
    # A page of the KB's own template is not marked: Markdown's own HTML-block pass
    # stashes its raw HTML, and netkb's rule for stashed blocks must change nothing.
    assert "admonition" in demo_converter.extensions and "tables" in demo_converter.extensions
    assert not body.startswith(MARKER)
    assert demo_converter.fast(body) == demo_converter.slow(body)


# Characters a name may hold that Markdown reads as syntax, and some that it does not.
HEADING_CHARACTERS = st.sampled_from([*list("aZé 1-.,'\"()&<>*_`[]!#\\~:|{}=+^@/%;"), "&amp;"])
HEADING_TEXT = st.lists(HEADING_CHARACTERS | st.text(TEXT, max_size=3), max_size=8).map("".join)
TOC_CONFIGS = st.sampled_from(
    [
        {"permalink": False},
        {"toc_depth": "2-3", "separator": "_", "marker": "x"},
        {"permalink": True},
        {"permalink": "#", "permalink_title": "Link", "anchorlink": True},
        {"baselevel": 2, "toc_depth": "2-4", "permalink_leading": True, "permalink": True},
    ]
)


BLOCKS = (
    '<p id="b{0}">block {0}</p>',
    "<b>inline {0}</b>",
    "<!-- comment {0} -->",
    '<div class="d{0}">\n<p>in a div</p>\n</div>',
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 7), HEADING_TEXT, st.booleans()), min_size=1, max_size=6),
    TOC_CONFIGS,
)
def test_headings_over_blocks_convert_the_same(
    chunks: list[tuple[int, str, bool]], toc: dict[str, Any]
) -> None:
    # Any heading text, at any level, before or after a block: the tree built for plain
    # headings makes what Markdown's parser makes of the marked page; the rest is left to
    # the parser. (netkb escapes a name's "<" in a heading: the page Markdown reads whole
    # is the same only for what netkb writes, which the tests above hold.)
    parts = []
    for number, (level, text, block_first) in enumerate(chunks):
        heading = f"{'#' * level} {text}"
        # A block tag, an inline one (it gets a paragraph), a comment, nested blocks.
        block = BLOCKS[number % len(BLOCKS)].format(number)
        parts += [block, heading] if block_first else [heading, block]
    body = f"{MARKER}\n\n" + "\n\n".join(parts) + "\n"
    extensions: list[Any] = ["toc", "tables", "fenced_code", "admonition"]
    configs = {"toc": toc}
    fast = converted(body, extensions, configs, netkb=True)
    plain = all(
        level <= 6
        and not f" {text}".endswith(" ")  # a line that ends in a space: the general way
        and not any(c in "#\\`*_[]!<>&\x7f" or c < " " for c in text)
        for level, text, _ in chunks
    )
    assert is_prebuilt(body, extensions, configs) == plain
    with patch.object(blocks, "PREBUILT", False):
        assert not is_prebuilt(body, extensions, configs)
        assert fast == converted(body, extensions, configs, netkb=True)
    # A block that opens with an inline tag is one netkb never writes: read whole, Markdown
    # makes it a paragraph of text and inline HTML, not a stashed block.
    inline = any("<b>" in part for part in parts)
    if plain and not inline:
        assert fast == converted(body, extensions, configs, netkb=False)
    # Made without Markdown: only with ids and nothing more on headings, and then the same.
    made = directly(body, extensions, configs)
    headings_only_ids = (
        toc.get("permalink", False) is False
        and not toc.get("anchorlink")
        and toc.get("baselevel", 1) == 1
    )
    marker = toc.get("marker")
    texts = {text.strip() for level, text, _ in chunks}
    assert (made is not None) == (plain and headings_only_ids and marker not in texts)
    if made is not None:
        assert made == through_markdown(body, extensions, configs)
    with patch.object(blocks, "DIRECT", False):
        assert directly(body, extensions, configs) is None


# Heading text a page made without Markdown may hold: no character an inline pattern
# reads (the tree is prebuilt only then), "{" and "}" (attr_list's), runs of spaces.
PLAIN_TEXT = st.lists(
    st.sampled_from([*list("aZé 1-.,'\"()|{}=+^@/%;:~"), "  ", "x y", "Ωμ", "東京"]), max_size=8
).map(lambda pieces: "".join(pieces).strip())


def same_text(value: str, separator: str) -> str:
    """A slugify that keeps the text: ids with characters the serializer escapes."""
    return value


DIRECT_TOC = st.sampled_from(
    [
        {},
        {"permalink": False},
        {"toc_depth": "2-3", "separator": "_"},
        {"toc_depth": 2, "marker": "x y"},
        {"slugify": markdown.extensions.toc.slugify_unicode},
        {"slugify": same_text},
        # Headings get more than ids, or another level: Markdown converts the page.
        {"anchorlink": True},
        {"permalink": True},
        {"baselevel": 2},
        {"marker": "\x02x"},
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 6), PLAIN_TEXT, st.integers(0, len(BLOCKS) - 1), st.booleans()),
        min_size=1,
        max_size=8,
    ),
    DIRECT_TOC,
    st.booleans(),
)
@example([(1, "Ann  Lee", 0, False), (2, "Two", 1, True)], {}, False)  # the title's spaces
@example([(2, "x y", 0, False)], {"toc_depth": 2, "marker": "x y"}, False)  # the marker
@example([(3, "A {x}", 3, False)], {}, True)  # attr_list's braces
@example([(1, "a", 0, False)], {"anchorlink": True}, False)  # a link around the text
@example([(2, 'Say "hi"', 2, False)], {"slugify": same_text}, False)  # an escaped id
def test_pages_made_directly_are_what_markdown_makes(
    chunks: list[tuple[int, str, int, bool]], toc: dict[str, Any], attr_list: bool
) -> None:
    # Plain headings of any level over any blocks: made without Markdown, the HTML, the
    # table of contents, the title and the anchors are Markdown's and MkDocs' (unless
    # attr_list has "{…}" to read, or a heading is the table of contents' marker).
    parts = []
    for number, (level, text, kind, block_first) in enumerate(chunks):
        heading = f"{'#' * level} {text}" if text else "#" * level
        block = BLOCKS[kind].format(number)
        parts += [block, heading] if block_first else [heading, block]
    body = f"{MARKER}\n\n" + "\n\n".join(parts) + "\n"
    extensions: list[Any] = ["toc", "tables", "admonition", *(["attr_list"] if attr_list else [])]
    configs = {"toc": toc}
    made = directly(body, extensions, configs)
    texts = [text for _, text, _, _ in chunks]
    reads_braces = attr_list and any("{" in text for text in texts)
    marker = toc.get("marker")  # (Markdown's own, "[TOC]", is no plain text)
    is_marker = marker is not None and (marker in texts or "\x02" in marker)
    more_than_ids = toc.get("anchorlink") or toc.get("permalink") or toc.get("baselevel")
    quoted_id = toc.get("slugify") is same_text and any('"' in text for text in texts)
    expected = not (reads_braces or is_marker or more_than_ids or quoted_id)
    assert (made is not None) == expected
    if made is not None:
        assert made == through_markdown(body, extensions, configs)


def test_a_page_is_made_directly_only_with_markdowns_own_setup() -> None:
    extensions: list[Any] = ["toc", "tables", "fenced_code", "admonition"]
    body = f"{MARKER}\n\n# A\n\n<p>x</p>\n\n## B\n\n<div>\n<p>y</p>\n</div>\n"
    made = directly(body, extensions, {})
    assert made is not None and made == through_markdown(body, extensions, {})
    assert (
        made.content == '<h1 id="a">A</h1>\n<p>x</p>\n\n<h2 id="b">B</h2>\n<div>\n<p>y</p>\n</div>'
    )

    def changed(change: Callable[[markdown.Markdown], None]) -> Converted | None:
        md = with_netkb(extensions, {})
        change(md)
        return converted_directly(md, body)

    assert changed(lambda md: None) == made
    # Without the line breaks prettify puts between elements, or with another serializer,
    # another top level (kept, or not a block element), or headings that are not block
    # elements: Markdown converts it.
    assert directly(body, [*extensions, NoPrettify()], {}) is None
    assert changed(lambda md: setattr(md, "serializer", lambda root: "")) is None
    assert changed(lambda md: setattr(md, "stripTopLevelTags", False)) is None
    assert changed(lambda md: md.block_level_elements.remove("h2")) is None
    assert changed(lambda md: setattr(md, "doc_tag", "section")) is None


class NoPrettify(Extension):
    """An extension that takes Markdown's tidying away."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.deregister("prettify")


def test_a_page_markdown_must_parse_is_not_prebuilt() -> None:
    extensions: list[Any] = ["toc", "tables", "fenced_code", "admonition"]
    pages = {
        "text between blocks": f"{MARKER}\n\n# A\n\n<p>x</p>\n\nplain text\n",
        "two-line heading": f"{MARKER}\n\n# A\nmore\n\n<p>x</p>\n",
        "a fence": f"{MARKER}\n\n# A\n\n<p>x\n```\n</p>\n",
        "a tab": f"{MARKER}\n\n# A\n\n<p>\tx</p>\n",
        "a space before the line's end": f"{MARKER}\n\n# A \n\n<p>x</p>\n",
        "an unmarked page": "# A\n\n<p>x</p>\n",
    }
    for what, body in pages.items():
        assert not is_prebuilt(body, extensions, {}), what
        fast = converted(body, extensions, {}, netkb=True)
        assert fast == converted(body, extensions, {}, netkb=False), what
    taken = f"{MARKER}\n\n# A\n\n<p>x</p>\n\n\n\n## B b\n\n<div>\n<p>y</p>\n</div>\n"
    assert is_prebuilt(taken, extensions, {})
    # attr_list reads a heading's text after the inline pass, as the tree holds it.
    with_attributes = taken.replace("## B b", "## B b { .wide }")
    assert is_prebuilt(with_attributes, [*extensions, "attr_list"], {})
    fast = converted(with_attributes, [*extensions, "attr_list"], {}, netkb=True)
    assert fast == converted(with_attributes, [*extensions, "attr_list"], {}, netkb=False)
    assert '<h2 class="wide" id="b-b">B b</h2>' in fast[0]
    # Made without Markdown, unless attr_list has a heading to read.
    assert directly(taken, [*extensions, "attr_list"], {}) == through_markdown(
        taken, [*extensions, "attr_list"], {}
    )
    assert directly(with_attributes, [*extensions, "attr_list"], {}) is None
    assert directly(with_attributes, extensions, {}) is not None  # text, without attr_list
    # An extension netkb does not know may read headings or blocks its own way.
    for other in ("md_in_html", "smarty", "footnotes", "nl2br", ReadsHeadings()):
        assert not is_prebuilt(taken, [*extensions, other], {}), other
        assert directly(taken, [*extensions, other], {}) is None, other
    # Nor one that puts its own processor under a known name (superfences takes fences
    # indented or in a quote too; saneheaders reads "#Foo" as text).
    for other in ("pymdownx.superfences", "pymdownx.saneheaders", OwnFences()):
        assert not is_prebuilt(taken, [*extensions, other], {}), other
    indented = taken.replace("<p>y</p>", "<pre><code>  ```\n  x\n  ```</code></pre>")
    for other in ("pymdownx.superfences", OwnFences()):
        fast = converted(indented, [*extensions, other], {}, netkb=True)
        with patch.object(blocks, "PREBUILT", False):
            assert fast == converted(indented, [*extensions, other], {}, netkb=True)


class OwnFences(Extension):
    """Another's preprocessor, registered under the name of fenced_code's."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        class Fences(Preprocessor):
            def run(self, lines: list[str]) -> list[str]:
                return [line.replace("```", "~~~") for line in lines]

        md.preprocessors.register(Fences(md), "fenced_code_block", 25)


class ReadsHeadings(Extension):
    """Another's tree processor."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(Treeprocessor(md), "reads_headings", 15)


def test_a_site_made_directly_is_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "kb"
    generate_kb(root, people=60)
    other = shutil.copytree(root, tmp_path / "through-markdown")
    made: list[bool] = []
    real = builder_module.converted_directly

    def counting(md: markdown.Markdown, source: str) -> Converted | None:
        result = real(md, source)
        made.append(result is not None)
        return result

    monkeypatch.setattr(builder_module, "converted_directly", counting)
    assert build(root, clean=True, workers=1).ok
    assert sum(made) >= 60  # the person pages, at least
    monkeypatch.setattr(blocks, "DIRECT", False)
    assert build(other, clean=True, workers=1).ok

    def tree(site: Path) -> dict[str, bytes]:
        return {
            p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()
        }

    assert tree(root / "site") == tree(other / "site")
