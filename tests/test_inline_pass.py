"""The inline pass that does not try patterns which cannot match (``core/inline_pass.py``)
gives Markdown's own HTML: each string it counts on is needed by its pattern, and notes
convert the same with it as with Markdown's own pass."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown import treeprocessors

from netkb.build.site import build
from netkb.core import inline_pass
from netkb.core.inline_pass import NEEDS, InlinePass, needs, priority
from netkb.core.notes import NoteRenderer, Target
from tests.conftest import copy_demo
from tests.test_navigation_once import tree

# Characters and pieces Markdown's inline patterns look for, and plain ones.
PIECES = [
    *"`\\[]()!<>&*_ \n:@#|-.=/\"'~^",
    *"abcXYZ09é",
    "[[jane-doe]]",
    "[[Jane Doe|Jane]]",
    "[link](https://example.org)",
    "[ref]",
    "[ref]: https://example.org/r",
    "![pic](photo.png)",
    "![far](https://evil.example/p.png)",
    "<https://example.org>",
    "<jane@example.org>",
    "<b>",
    "&amp;",
    "&#42;",
    "  \n",
    "`code`",
    "**strong**",
    "_em_",
    "\\*",
    "\n- item",
    "\n1. item",
    "\n> quote",
    "\n## Heading",
    "\n## Private\n",
    "\n```\nfenced\n```\n",
    "\n    indented\n",
    "\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    "[click](javascript:alert(1))",
]
TEXT = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
PEOPLE = {"jane-doe": Target("people/jane-doe.md", "Jane Doe")}


def stock_renderer() -> NoteRenderer:
    """netkb's notes with Markdown's own inline pass."""
    renderer = NoteRenderer()
    registry = renderer.md.treeprocessors
    registry.register(
        treeprocessors.InlineProcessor(renderer.md), "inline", priority(registry, "inline")
    )
    return renderer


FAST, STOCK = NoteRenderer(), stock_renderer()


def test_the_notes_use_the_inline_pass_in_markdowns_place() -> None:
    assert isinstance(FAST.md.treeprocessors["inline"], InlinePass)
    assert type(STOCK.md.treeprocessors["inline"]) is treeprocessors.InlineProcessor
    order = [type(t).__name__ for t in FAST.md.treeprocessors]
    stock = [type(t).__name__ for t in STOCK.md.treeprocessors]
    assert order == [name.replace("InlineProcessor", "InlinePass") for name in stock]
    # Every pattern of notes is one whose needs are known: each can be skipped.
    assert all(needs(pattern) for pattern in FAST.md.inlinePatterns)


@given(st.sampled_from(sorted(NEEDS)), st.lists(st.sampled_from(PIECES), max_size=30))
@settings(max_examples=600, deadline=None)
def test_a_pattern_never_matches_a_text_without_what_it_needs(
    pattern: str, pieces: list[str]
) -> None:
    text = "".join(pieces)
    for need in NEEDS[pattern]:
        text = text.replace(need, "")
    if any(need in text for need in NEEDS[pattern]):  # removing one made another
        return
    assert re.compile(pattern, re.DOTALL | re.UNICODE).search(text) is None


def test_only_a_choice_of_literal_strings_counts_as_its_strings() -> None:
    class Pattern:
        def __init__(self, pattern: str, flags: int = 0) -> None:
            self.pattern = pattern
            self.compiled = re.compile(pattern, flags)

        def getCompiledRegExp(self) -> re.Pattern[str]:
            return self.compiled

    assert needs(Pattern(r"\*|_")) == ("*", "_")
    assert needs(Pattern(r"==|\^")) == ("==", "^")
    assert needs(Pattern(r"\*+|_")) is None  # a repetition: not a literal
    assert needs(Pattern(r"a|b")) == ("a", "b")
    assert needs(Pattern(r"a|b", re.IGNORECASE)) is None  # A matches too
    assert needs(Pattern(r"\[", re.VERBOSE)) is None
    assert needs(Pattern(r"(x)")) is None


@given(TEXT)
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_notes_convert_as_with_markdowns_own_inline_pass(body: str) -> None:
    def page_url(page: str) -> str:
        return "../" + page[:-3] + ".html"

    fast = FAST.convert(body, PEOPLE.get, page_url)
    stock = STOCK.convert(body, PEOPLE.get, page_url)
    assert fast == stock
    assert FAST.targets == STOCK.targets
    assert FAST.neutralised == STOCK.neutralised


def test_patterns_are_tried_only_on_text_that_could_match() -> None:
    tried: list[str] = []

    class Counting(InlinePass):
        def _InlineProcessor__applyPattern(self, pattern, *args):  # type: ignore[no-untyped-def]
            tried.append(type(pattern).__name__)
            return super()._InlineProcessor__applyPattern(pattern, *args)  # type: ignore[misc]

    renderer = NoteRenderer()
    registry = renderer.md.treeprocessors
    registry.register(Counting(renderer.md), "inline", priority(registry, "inline"))
    renderer.convert("Plain words, nothing else.", None, None)
    assert tried == []
    renderer.convert("Met [[jane-doe]] at *the* fair.", PEOPLE.get, None)
    assert "_Wikilinks" in tried and "DelimiterProcessor" in tried
    assert "BacktickInlineProcessor" not in tried and "AutolinkInlineProcessor" not in tried


def test_the_demo_site_is_the_same_with_markdowns_own_inline_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Notes and MkDocs' pages alike: byte for byte."""
    root = copy_demo(tmp_path / "demo")
    other = shutil.copytree(root, tmp_path / "stock")
    assert build(root, clean=True).ok
    monkeypatch.setattr(inline_pass, "ENABLED", False)
    assert build(other, clean=True).ok
    fast, stock = tree(root / "site"), tree(other / "site")
    assert len([p for p in fast if p.startswith("people/")]) > 20
    assert fast == stock


def test_a_pattern_whose_expression_changes_is_read_again() -> None:
    """``md.delimiters.add`` changes the emphasis pattern in place: what it needs then
    changes too (here: ~ for strikethrough)."""
    fast, stock = NoteRenderer(), stock_renderer()
    assert fast.convert("a ~~x~~ b", None, None) == "<p>a ~~x~~ b</p>"  # needs known first
    for renderer in (fast, stock):
        renderer.md.delimiters.add("~", "del,del")
    assert fast.convert("a ~~x~~ b", None, None) == "<p>a <del>x</del> b</p>"
    assert fast.convert("a ~~x~~ b", None, None) == stock.convert("a ~~x~~ b", None, None)
