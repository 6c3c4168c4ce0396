"""Positions between netkb and the Language Server Protocol.

netkb's problems count lines and columns from 1, in code points (characters); LSP
counts lines from 0 and columns in the code units of the encoding the client and server
agreed on: UTF-16 unless both said otherwise (so a character outside the Basic
Multilingual Plane, an emoji or 𝔄, is two columns to most editors), UTF-8 (Neovim
offers it first: é is two columns, 𝔄 four) or UTF-32 (code points, as netkb counts).
"""

from __future__ import annotations

UTF16 = "utf-16"


def units(char: str, encoding: str = UTF16) -> int:
    """How many code units of ``encoding`` one character takes."""
    if encoding == "utf-8":
        return len(char.encode("utf-8", "surrogatepass"))
    if encoding == "utf-32":
        return 1
    return 2 if ord(char) > 0xFFFF else 1


def length(text: str, encoding: str = UTF16) -> int:
    """How many code units of ``encoding`` ``text`` takes."""
    if text.isascii() or encoding == "utf-32":
        return len(text)
    return sum(units(c, encoding) for c in text)


def to_client_column(line_text: str, column: int, encoding: str = UTF16) -> int:
    """The client's column, from 0, of netkb's code-point ``column`` (from 1) on a line."""
    return length(line_text[: max(column - 1, 0)], encoding)


def from_client_column(line_text: str, character: int, encoding: str = UTF16) -> int:
    """The code-point index, from 0, of the client's ``character`` on a line (clamped to
    the line; a position inside a character's code units counts as that character)."""
    if line_text.isascii() or encoding == "utf-32":
        return min(max(character, 0), len(line_text))
    seen = 0
    for index, char in enumerate(line_text):
        width = units(char, encoding)
        if seen + width > character:
            return index
        seen += width
    return len(line_text)


def editor_lines(text: str) -> list[str]:
    """``text`` split into lines as both an editor and netkb's reader count them: CRLF,
    CR and LF each end a line, and a BOM is not a character of the first line."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
