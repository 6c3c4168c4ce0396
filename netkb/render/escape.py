"""Make contact data safe for the HTML (and the Markdown around it) it lands in.

Contact files and imports are data, not markup: a role of ``<script>…``, a
name with ``|`` or ``[x](javascript:…)`` must show as text. Values are written
with every ASCII punctuation character as an HTML entity, which HTML shows as the
character, in text and in a double-quoted attribute alike, and which Markdown (a
KB's own templates may still be Markdown) shows literally and never reads as syntax.
Link targets are percent-encoded and then escaped for the attribute they go in.
Notes (the Markdown body) are not handled here: ``netkb.core.notes`` renders them to
HTML and sanitises that with an allow-list.
"""

from __future__ import annotations

from html import escape as _html_escape
from urllib.parse import quote

from markupsafe import Markup

# Characters that are never Markdown syntax in the middle of a line; values are
# never placed at the start of one, where "-", "+" and "1." would start a list.
_KEEP = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,;'@%/?=-.:+!")
# One C-level pass: punctuation → entity, control characters → nothing.
_TEXT_TABLE = {
    code: (None if code < 32 or code == 127 else f"&#{code};")
    for code in range(128)
    if chr(code) not in _KEEP and chr(code) not in " \t\n\r"
}
SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:")


def text(value: object) -> Markup:
    """Any value as literal text in HTML (and in Markdown), on one line."""
    if isinstance(value, Markup):
        return value
    return Markup(" ".join(str(value).translate(_TEXT_TABLE).split()))


def attribute(value: object) -> Markup:
    """Any value as the text of a double-quoted HTML attribute (``alt="…"``), on one line.

    The same as ``text``: ``"``, ``<``, ``>`` and ``&`` become entities, so the value
    can neither end the attribute nor start a tag. Markup is escaped too: an attribute
    holds text, never markup.
    """
    return Markup(" ".join(str(value).translate(_TEXT_TABLE).split()))


def url(value: str) -> str | None:
    """``value`` as a link target if its scheme is allowed, percent-encoded; else None."""
    stripped = value.strip()
    if not stripped.lower().startswith(SAFE_SCHEMES):
        return None
    return quote(stripped, safe=":/?#@!$&'*+,;=%~-._")


def mailto(email: str) -> str:
    return "mailto:" + quote(email.strip(), safe="@.+-_")


def tel(phone: str) -> str:
    return "tel:" + "".join(c for c in phone if c.isdigit() or c == "+")


def link(label: object, target: str) -> Markup:
    """An HTML link whose label is text and whose target is already a safe URL.

    The target is escaped for the attribute (``&`` → ``&amp;``): a URL's ``&lt;`` stays
    those four characters. Inline HTML, so it works in an HTML block and in Markdown.
    """
    return Markup(f'<a href="{_html_escape(target)}">{text(label)}</a>')


def external(label: object, target: str) -> Markup:
    """A link to another site, or the label alone when the target is not a safe URL."""
    safe = url(target)
    return link(label, safe) if safe else text(label)


def image(source: str, alt: object) -> Markup:
    """An ``<img>`` of a site-relative, already percent-encoded ``source``."""
    return Markup(f'<img alt="{attribute(alt)}" src="{_html_escape(source)}" />')
