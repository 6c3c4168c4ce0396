"""The pages of a build are converted by one Markdown (one per worker), reset between
pages (``builder._page_maker``): the site is the same, byte for byte, as
when MkDocs makes a Markdown for every page; extensions that may keep state between pages
turn the reuse off. That Markdown's ``toc`` makes the table of contents as HTML only for a
page that places it (MkDocs reads only its tokens)."""

from __future__ import annotations

import shutil
from pathlib import Path

import markdown
import pytest
from markdown.extensions.toc import TocTreeprocessor

import netkb.build.builder as builder_module
from netkb.build.builder import one_markdown_for
from netkb.build.site import build
from tests.conftest import MINIMAL_CONFIG, copy_demo, write_kb


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def both_ways(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict, dict, int, int]:
    """The site built with one Markdown and with one per page, and how many Markdown
    instances each build made."""
    made = []
    real_init = markdown.Markdown.__init__

    def counting_init(self: markdown.Markdown, *args: object, **kwargs: object) -> None:
        made.append(1)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(markdown.Markdown, "__init__", counting_init)
    other = shutil.copytree(root, root.parent / "every-page")
    assert build(root, clean=True, workers=1).ok
    once = len(made)
    monkeypatch.setattr(builder_module, "ONE_MARKDOWN", False)
    assert build(other, clean=True, workers=1).ok
    return tree(root / "site"), tree(other / "site"), once, len(made) - once


def test_the_demo_site_is_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one, every, made_once, made_every = both_ways(copy_demo(tmp_path / "demo"), monkeypatch)
    people = len([p for p in one if p.startswith("people/") and p.endswith(".html")])
    assert people > 20
    assert one == every
    # One per page before; now one for the pages, one for MkDocs' check of the
    # configuration and one for each of netkb's note renderers.
    assert made_once < 6
    assert made_every >= made_once + people


# A page template of the KB's own is read by Markdown in full: footnotes, abbreviations
# and reference links are state a Markdown keeps until ``reset()``.
STATEFUL_TEMPLATE = """\
# {{ p.name }}

{% if p.name == "Person 1" %}
Only Person 1 has a footnote[^a] and a [reference][ref]; HTML is an abbreviation here.

[^a]: The footnote of {{ p.name }}.

[ref]: https://example.com/only-person-1

*[HTML]: Hypertext Markup Language
{% else %}
{{ p.name }} uses HTML, [ref] and [^a] as plain text.
{% endif %}
"""

EXTENSIONS = """\
markdown_extensions:
  - footnotes
  - abbr
  - def_list
  - attr_list
  - md_in_html
  - admonition
  - toc:
      permalink: true
use_directory_urls: false
"""


def person(name: str) -> str:
    return f"---\nname: {name}\ncircle: 2\n---\nNotes on {name}.\n"


PEOPLE = {f"contacts/p{i}.md": person(f"Person {i}") for i in range(5)}


def test_state_of_one_page_stays_out_of_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {**PEOPLE, "templates/person.md.j2": STATEFUL_TEMPLATE}
    root = write_kb(tmp_path / "kb", files, MINIMAL_CONFIG + EXTENSIONS)
    one, every, _made_once, _made_every = both_ways(root, monkeypatch)
    first = one["people/p1.html"].decode()
    assert 'class="footnote"' in first and "<abbr" in first
    for later in ("people/p2.html", "people/p3.html", "people/p4.html"):
        page = one[later].decode()
        assert 'class="footnote"' not in page
        assert "<abbr" not in page
        assert "only-person-1" not in page
        assert "[ref]" in page
    assert one == every


@pytest.mark.parametrize(
    ("extensions", "reused"),
    [
        (["toc", "tables", "fenced_code", "admonition"], True),
        (["markdown.extensions.footnotes", "abbr", "attr_list"], True),
        (["toc", "pymdownx.snippets"], False),  # not known to clear its state
        (["toc", "some_module:SomeExtension"], False),
        (["unknown_short_name"], False),
    ],
)
def test_only_extensions_known_to_reset_share_a_markdown(
    extensions: list[str], reused: bool
) -> None:
    assert one_markdown_for(extensions) is reused


def test_an_extension_object_counts_by_its_module() -> None:
    from markdown.extensions.toc import TocExtension

    from netkb.render.blocks import HtmlBlocks

    assert one_markdown_for([TocExtension(), HtmlBlocks()])

    class Elsewhere(markdown.Extension):
        pass

    assert not one_markdown_for([Elsewhere()])  # defined in this test module


# The toc extension's HTML table of contents is made only for a page that places it.
TOC_TEMPLATE = """\
# {{ p.name }}

{% if p.name == "Person 1" %}
[TOC]
{% endif %}

## Where we met

## What we talked about
"""


def test_a_page_that_places_the_table_of_contents_gets_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {**PEOPLE, "templates/person.md.j2": TOC_TEMPLATE}
    root = write_kb(tmp_path / "kb", files, MINIMAL_CONFIG + EXTENSIONS)
    made: list[int] = []
    real = TocTreeprocessor.build_toc_div

    def counting(self: TocTreeprocessor, toc_list: list) -> object:
        made.append(1)
        return real(self, toc_list)

    monkeypatch.setattr(TocTreeprocessor, "build_toc_div", counting)
    one, every, _made_once, _made_every = both_ways(root, monkeypatch)
    first = one["people/p1.html"].decode()
    assert '<div class="toc">' in first and 'href="#where-we-met"' in first
    assert "[TOC]" not in first
    assert '<div class="toc">' not in one["people/p2.html"].decode()
    assert one == every  # and "On this page" is the same on every page
    pages = len([p for p in one if p.endswith(".html")])
    # With one Markdown, only Person 1's page made the HTML; with one each, every page.
    assert len(made) < pages + 5


def test_the_toc_html_is_skipped_only_for_the_extension_as_it_ships() -> None:
    from markdown.extensions.toc import TocExtension

    plain = markdown.Markdown(extensions=[TocExtension()])
    builder_module._toc_tokens_only(plain)
    assert type(plain.treeprocessors["toc"]).__name__ == "_TokensOnly"
    plain.convert("# A\n\n## B\n")
    assert plain.toc_tokens[0]["children"][0]["id"] == "b"

    class Theirs(TocTreeprocessor):
        pass

    other = markdown.Markdown(extensions=[TocExtension()])
    other.treeprocessors["toc"].__class__ = Theirs
    builder_module._toc_tokens_only(other)
    assert type(other.treeprocessors["toc"]) is Theirs
    none = markdown.Markdown(extensions=["tables"])
    builder_module._toc_tokens_only(none)  # no toc at all: nothing to do
    assert "toc" not in none.treeprocessors
