"""Make contact data safe for the Markdown and HTML it lands in.

Contact files and imports are data, not markup: a role of ``<script>…``, a
name with ``|`` or ``[x](javascript:…)`` must show as text. Values are written
with every ASCII punctuation character as an HTML entity, which Markdown shows
literally and never reads as syntax. Notes (the Markdown body) are not handled
here: ``netkb.core.notes`` renders them to HTML and sanitises that with an allow-list.
"""

from __future__ import annotations

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
    """Any value as literal text in Markdown (and therefore in HTML), on one line."""
    if isinstance(value, Markup):
        return value
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
    """A Markdown link whose label is text and whose target is already safe."""
    return Markup(f"[{text(label)}]({target})")


def external(label: object, target: str) -> Markup:
    """A link to another site, or the label alone when the target is not a safe URL."""
    safe = url(target)
    return link(label, safe) if safe else text(label)
