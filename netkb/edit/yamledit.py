"""Change a few top-level keys of a front matter and leave every other byte alone.

ruamel.yaml's round-trip mode keeps comments, quoting and flow/block style, but a
full re-dump still normalises indentation, spacing inside ``[ ]`` and long lines
all over the document. So the edit is spliced: PyYAML's event stream says which
lines each top-level key occupies; only the lines of a touched key are handed to
ruamel (round-trip load, minimal change, dump) and put back in place. A new key
goes after the last one, a removed key takes its lines with it. The rest of the
text, comments between keys, blank lines and line endings included, is copied.

This module works on text; ``netkb.edit.edit`` reads and writes the files and checks
that the result reads back as exactly the intended values.
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

try:
    _Events: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Events = yaml.SafeLoader


class Delete:
    """The value that removes a key: ``{"role": DELETE}``."""

    def __repr__(self) -> str:
        return "DELETE"


DELETE = Delete()
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_ALWAYS_QUOTED = frozenset({"phone"})  # +4930… unquoted is a number


class YamlEditError(Exception):
    """The front matter cannot be edited this way; the message says why."""


@dataclass(frozen=True, slots=True)
class _Span:
    """The characters of one top-level key: from its line's start to its value's last line."""

    start: int
    end: int
    column: int


@dataclass(frozen=True, slots=True)
class _Indent:
    mapping: int = 2
    sequence: int = 2
    offset: int = 0


def split_lines(text: str) -> list[str]:
    """``text`` as lines that keep their own line break (\\r\\n, \\r or \\n)."""
    return _LINE.findall(text)


def edit_front_matter(text: str, changes: Mapping[str, Any], newline: str = "\n") -> str:
    """``text`` (the YAML between the ``---`` lines) with ``changes`` made to top-level keys.

    A value is the new content of a key in plain Python (str, int, bool, date,
    list, dict); ``DELETE`` removes the key. Lines of other keys are not touched.
    """
    if not changes:
        return text
    indent = _guess_indent(text)
    try:
        spans = _top_level_spans(text)
    except _NotSpliceable:
        return _edit_whole(text, changes, indent, newline)
    pieces: list[str] = []
    cursor = 0
    for key, span in spans.items():
        pieces.append(text[cursor : span.start])
        original = text[span.start : span.end]
        if key not in changes:
            pieces.append(original)
        elif changes[key] is not DELETE:
            pieces.append(_reemit(original, key, changes[key], span.column, indent, newline))
        cursor = span.end
        if key == next(reversed(spans)):
            for new_key, value in changes.items():
                if new_key not in spans and value is not DELETE:
                    pieces.append(_emit_new(new_key, value, span.column, indent, newline))
    pieces.append(text[cursor:])
    return "".join(pieces)


class _NotSpliceable(Exception):
    """The keys do not each start their own line (a ``{…}`` front matter)."""


def _top_level_spans(text: str) -> dict[str, _Span]:
    """Where each top-level key and its value are written, in the order written."""
    starts = [0]
    for line in split_lines(text):
        starts.append(starts[-1] + len(line))
    loader = _Events(text)
    try:
        events = iter(_all_events(loader))
        kinds = [type(next(events)) for _ in range(3)]
        if kinds != [yaml.StreamStartEvent, yaml.DocumentStartEvent, yaml.MappingStartEvent]:
            raise YamlEditError("the front matter is not a list of 'key: value' fields")
        spans: dict[str, _Span] = {}
        previous_end = 0
        for event in events:
            if isinstance(event, yaml.MappingEndEvent):
                break
            if not isinstance(event, yaml.ScalarEvent):
                raise YamlEditError("a key of the front matter is not text")
            key_at = event.start_mark.index
            line = bisect.bisect_right(starts, key_at) - 1
            column = key_at - starts[line]
            if text[starts[line] : key_at].strip() or starts[line] < previous_end:
                raise _NotSpliceable
            end, last = _value_end(events, event.end_mark.index)
            end_line = bisect.bisect_right(starts, max(end - 1, key_at)) - 1
            keeps_blank_lines = (
                isinstance(last, yaml.ScalarEvent)
                and last.style in ("|", ">")
                and last.value.endswith("\n\n")
            )
            while (
                not keeps_blank_lines
                and end_line > line
                and not text[starts[end_line] : starts[end_line + 1]].strip(" \t\r\n")
            ):
                end_line -= 1
            previous_end = starts[end_line + 1]
            spans[event.value] = _Span(starts[line], previous_end, column)
    except yaml.YAMLError as exc:
        raise YamlEditError(f"the front matter is not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    if not spans:
        raise YamlEditError("the front matter has no fields")
    return spans


def _all_events(loader: Any) -> Any:
    while loader.check_event():
        yield loader.get_event()


def _value_end(events: Any, key_end: int) -> tuple[int, Any]:
    """Consume one value's events; return where its last written character ends."""
    end, last = key_end, None
    depth = 0
    flow: list[bool] = []
    for event in events:
        if isinstance(event, yaml.ScalarEvent | yaml.AliasEvent):
            if event.end_mark.index > event.start_mark.index:
                end, last = max(end, event.end_mark.index), event
        elif isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            flow.append(bool(event.flow_style))
            if event.flow_style:
                end = max(end, event.end_mark.index)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
            if flow.pop():  # a block collection "ends" where the next key starts
                end, last = max(end, event.end_mark.index), event
        if depth == 0:
            return end, last
    raise YamlEditError("the front matter ends in the middle of a value")


def _guess_indent(text: str) -> _Indent:
    """The file's own indentation of nested mappings and of ``-`` items under a key."""
    mapping: int | None = None
    sequence: tuple[int, int] | None = None
    previous: str | None = None
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if previous is not None and previous.split(" #", 1)[0].rstrip().endswith(":"):
            parent = len(previous) - len(previous.lstrip(" "))
            here = len(line) - len(line.lstrip(" "))
            if stripped.startswith("- ") and sequence is None:
                after = len(stripped) - len(stripped[1:].lstrip(" "))
                sequence = (here - parent, after)
            elif not stripped.startswith("-") and here > parent and mapping is None:
                mapping = here - parent
        previous = line
    offset, after = sequence if sequence else (0, 2)
    return _Indent(mapping or 2, offset + max(after, 2), offset)


def _yaml(indent: _Indent) -> YAML:
    handler = YAML(typ="rt")
    handler.version = (1, 1)  # resolve like PyYAML: NO is false, 01234 is octal
    handler.preserve_quotes = True
    handler.width = 4096  # never fold a long line that was one line
    handler.indent(mapping=indent.mapping, sequence=indent.sequence, offset=indent.offset)
    return handler


def _dump(handler: YAML, data: Any) -> str:
    out = io.StringIO()
    handler.dump(data, out)
    text = out.getvalue()
    if text.startswith("%YAML"):
        text = text.split("\n---\n", 1)[1] if "\n---\n" in text else text.split("\n", 2)[2]
    return text


def _reemit(original: str, key: str, value: Any, column: int, indent: _Indent, nl: str) -> str:
    """The lines of ``key`` with its value changed, keeping what ruamel can keep."""
    piece = original.replace("\r\n", "\n").replace("\r", "\n")
    piece = _dedent(piece, column)
    handler = _yaml(indent)
    try:
        data = handler.load(piece)
    except RuamelError as exc:
        raise YamlEditError(f"cannot edit {key}: {exc}") from None
    if not isinstance(data, CommentedMap) or list(data) != [key]:
        raise YamlEditError(f"cannot find where {key} is written")
    data[key] = _merge(data[key], value, key, top=True)
    return _finish(_dump(handler, data), column, nl)


def _emit_new(key: str, value: Any, column: int, indent: _Indent, nl: str) -> str:
    data = CommentedMap()
    data[key] = _fresh(value, key, top=True)
    return _finish(_dump(_yaml(indent), data), column, nl)


def _edit_whole(text: str, changes: Mapping[str, Any], indent: _Indent, nl: str) -> str:
    """The fallback for a ``{…}`` front matter: one ruamel round trip of all of it."""
    handler = _yaml(indent)
    try:
        data = handler.load(text.replace("\r\n", "\n").replace("\r", "\n"))
    except RuamelError as exc:
        raise YamlEditError(f"the front matter cannot be edited: {exc}") from None
    for key, value in changes.items():
        if value is DELETE:
            data.pop(key, None)
        else:
            old = data.get(key)
            data[key] = (
                _merge(old, value, key, top=True) if key in data else _fresh(value, key, top=True)
            )
    return _finish(_dump(handler, data), 0, nl)


def _dedent(piece: str, column: int) -> str:
    if not column:
        return piece
    lines = piece.split("\n")
    if any(line.strip() and not line.startswith(" " * column) for line in lines):
        raise YamlEditError("the front matter's indentation is uneven; cannot edit it safely")
    return "\n".join(line[column:] for line in lines)


def _finish(dumped: str, column: int, nl: str) -> str:
    lines = dumped.rstrip("\n").split("\n")
    if column:
        lines = [" " * column + line if line.strip() else line for line in lines]
    return nl.join(lines) + nl


# -- values -------------------------------------------------------------------------------


def same_value(old: Any, new: Any) -> bool:
    """Equal as YAML values: True is not 1, a date is not its text."""
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(map(same_value, old, new))
    if isinstance(old, dict) and isinstance(new, dict):
        return list(old) == list(new) and all(same_value(old[k], new[k]) for k in old)
    return type(_plain(old)) is type(_plain(new)) and old == new


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return ""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0
    if isinstance(value, float):
        return 0.0
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.date.min
    return value


def _merge(old: Any, new: Any, key: str, top: bool = False) -> Any:
    """``new`` as ruamel data, reusing the parts of ``old`` that stay (their comments, style)."""
    if isinstance(new, list) and isinstance(old, CommentedSeq):
        kept = list(old)
        if len(kept) <= len(new) and all(map(same_value, kept, new[: len(kept)])):
            for item in new[len(kept) :]:
                old.append(_fresh(item, key))
            return old
        reused = [
            old[i] if i < len(kept) and same_value(kept[i], item) else _fresh(item, key)
            for i, item in enumerate(new)
        ]
        del old[:]
        old.extend(reused)
        return old
    if isinstance(new, dict) and isinstance(old, CommentedMap):
        for gone in [k for k in old if k not in new]:
            del old[gone]
        for sub, value in new.items():
            old[sub] = _merge(old[sub], value, key) if sub in old else _fresh(value, key)
        return old
    if same_value(old, new):
        return old
    if isinstance(new, str) and isinstance(
        old, SingleQuotedScalarString | DoubleQuotedScalarString
    ):
        return type(old)(new)
    return _fresh(new, key, top)


def _fresh(value: Any, key: str, top: bool = False) -> Any:
    """Ruamel data for a new value: lists in ``[flow]`` style, nested mappings as blocks."""
    if isinstance(value, list):
        items = CommentedSeq(_fresh(item, key) for item in value)
        if not any(isinstance(item, list | dict) for item in value):
            items.fa.set_flow_style()
        return items
    if isinstance(value, dict):
        mapping = CommentedMap((k, _fresh(v, key)) for k, v in value.items())
        if not top:
            mapping.fa.set_flow_style()
        return mapping
    if isinstance(value, str) and (key in _ALWAYS_QUOTED or not _reads_back(value)):
        return DoubleQuotedScalarString(value)
    return value


def _reads_back(text: str) -> bool:
    """Whether PyYAML reads ``text`` written plain as this same text."""
    try:
        return yaml.load(f"k: {text}\n", Loader=_Events) == {"k": text}
    except (yaml.YAMLError, ValueError):  # ValueError: 2024-02-30 is read as a bad date
        return False
