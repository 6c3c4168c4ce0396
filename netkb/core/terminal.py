"""Text from the user's data made safe to show on a terminal, and in JSON read on one.

A name, a note or a file name can hold characters a terminal obeys instead of
showing: ESC starts sequences that retitle the window, clear the screen or
hide text; CR returns to the start of the line and overwrites what was shown;
the C1 control U+009B is an 8-bit CSI on some terminals; the bidirectional
controls (U+202A–202E, U+2066–2069 and the marks U+200E, U+200F, U+061C)
reorder what the reader sees, so "evil.md" can display as "dm.live"; a lone
surrogate cannot be written to a terminal at all. netkb
never lets one of them through: ``visible`` spells each as its Python escape
(``\\x1b``, ``\\r``, ``\\u202e``), so the reader sees that it is there.

This module is pure (no printing); ``netkb.commands.output`` prints with it.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, line and paragraph separators, bidirectional controls,
# and lone surrogates (a UTF-7 vCard can carry them; no terminal can be sent one).
_INVISIBLE = (
    "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
)
INVISIBLE = re.compile(f"[{_INVISIBLE}]")
# What json.dumps(..., ensure_ascii=False) leaves raw: everything above but the C0 controls.
_JSON_RAW = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _spelled(match: re.Match[str]) -> str:
    return repr(match.group())[1:-1]


def visible(text: str, keep: str = "") -> str:
    """``text`` with every control, separator and bidi character spelled out as an escape.

    ``keep``: characters to let through as they are (``"\\n"`` for text whose line
    breaks the caller laid out itself). ``visible(visible(x)) == visible(x)``.
    """
    if text.isascii() and text.isprintable():
        return text  # the common case, and cheap
    if not keep:
        return INVISIBLE.sub(_spelled, text)
    return INVISIBLE.sub(lambda m: m.group() if m.group() in keep else _spelled(m), text)


def json_safe(document: str) -> str:
    """A JSON document with the characters ``ensure_ascii=False`` leaves raw written as
    ``\\uXXXX``: the same data for any JSON reader, harmless on a terminal.

    Safe because JSON can hold such characters only inside strings, where
    ``\\uXXXX`` means exactly the character it replaces.
    """
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", document)
