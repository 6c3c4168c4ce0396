"""Python-Markdown's inline pass, without trying the patterns that cannot match.

Markdown tries every inline pattern (code, escapes, links, images, autolinks, HTML,
entities, line breaks, emphasis, netkb's wikilinks) on every piece of text, in order of
priority. On the short text of notes most of them find nothing, and trying them was more
than half of converting a note. A pattern whose regular expression cannot match without
one of some strings is not tried on a text that holds none of them: Markdown would have
found no match and gone on to the next pattern, which is what happens. Any pattern not
known here is always tried, so the HTML is Markdown's own (``tests/test_inline_pass.py``
compares the two on generated text, and checks each string below against its pattern).
"""

from __future__ import annotations

import re
from typing import Any

from markdown import inlinepatterns, treeprocessors, util

from netkb.core.references import WIKILINK

# What each of these regular expressions cannot match without (one of the strings).
NEEDS: dict[str, tuple[str, ...]] = {
    inlinepatterns.BACKTICK_RE: ("`",),
    inlinepatterns.ESCAPE_RE: ("\\",),
    inlinepatterns.LINK_RE: ("[",),  # also REFERENCE_RE
    inlinepatterns.IMAGE_LINK_RE: ("![",),  # also IMAGE_REFERENCE_RE
    inlinepatterns.AUTOLINK_RE: ("<",),
    inlinepatterns.AUTOMAIL_RE: ("<",),
    inlinepatterns.HTML_RE: ("<",),
    inlinepatterns.ENTITY_RE: ("&",),
    inlinepatterns.LINE_BREAK_RE: ("  \n",),
    WIKILINK.pattern: ("[[",),
}
# Flags under which a literal character of a pattern may match another one.
_LOOSE = re.IGNORECASE | re.VERBOSE


def needs(pattern: Any) -> tuple[str, ...] | None:
    """The strings ``pattern`` (an inline pattern) cannot match without, one of them;
    None when that is not known (it is always tried)."""
    source = getattr(pattern, "pattern", None)
    compiled = pattern.getCompiledRegExp()
    if not isinstance(source, str) or compiled.flags & _LOOSE:
        return None
    return NEEDS.get(source) or _literals(source)


def _literals(source: str) -> tuple[str, ...] | None:
    """The strings of a regular expression that only chooses between literal strings
    (``\\*|_``: the emphasis delimiters), else None."""
    parts = source.split("|")
    strings = tuple(re.sub(r"\\(.)", r"\1", part, flags=re.S) for part in parts)
    if all(part and re.escape(text) == part for part, text in zip(parts, strings, strict=True)):
        return strings
    return None


ENABLED = True  # tests turn it off to compare


def use_in(md: Any) -> bool:
    """Put the inline pass in the place of Markdown's own in ``md``; False (``md`` left
    as it is) where an extension put another one there."""
    registry = md.treeprocessors
    if "inline" not in registry or type(registry["inline"]) is not treeprocessors.InlineProcessor:
        return False
    if not ENABLED:
        return False
    registry.register(InlinePass(md), "inline", priority(registry, "inline"))
    return True


def priority(registry: util.Registry[Any], name: str) -> float:
    """The priority ``name`` is registered with in ``registry``."""
    return next(item.priority for item in registry._priority if item.name == name)


class InlinePass(treeprocessors.InlineProcessor):
    """Markdown's inline tree processor (registered as "inline" in its place), trying
    on each text only the patterns that could match it."""

    def __init__(self, md: Any) -> None:
        super().__init__(md)
        self._patterns: list[Any] = []
        self._needs: list[tuple[str, ...] | None] = []
        self._all: set[str] = set()
        self._known: list[Any] = []  # the patterns and their regular expressions

    def run(self, tree: Any, ancestors: list[str] | None = None) -> Any:
        patterns = list(self.inlinePatterns)  # in the order Markdown tries them
        # A pattern's regular expression may change (``md.delimiters.add``): it is
        # compared too, by identity.
        regexes = [p.getCompiledRegExp() for p in patterns]
        if len(patterns) != len(self._patterns) or any(
            a is not b for a, b in zip([*patterns, *regexes], self._known, strict=True)
        ):
            self._patterns, self._needs = patterns, [needs(p) for p in patterns]
            self._known = [*patterns, *regexes]
            self._all = {text for need in self._needs if need is not None for text in need}
        return super().run(tree, ancestors)

    # Markdown's loop over the patterns (``InlineProcessor.__handleInline``), with the test.
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, util.AtomicString):
            return data
        patterns, wanted = self._patterns, self._needs
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        held = {text for text in self._all if text in data}  # of all the strings needed
        start = 0
        index = patternIndex
        while index < len(patterns):
            need = wanted[index]
            if need is not None and held.isdisjoint(need):
                index, start = index + 1, 0  # as Markdown's own "no match"
                continue
            data, matched, start = apply(patterns[index], data, index, start)
            if matched:  # the text changed
                held = {text for text in self._all if text in data}
            else:
                index += 1
        return data
