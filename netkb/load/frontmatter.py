"""Read a Markdown file with YAML front matter, safely, with the line of every value.

PyYAML's C parser composes the YAML into nodes (fast, and aliases stay shared
nodes instead of being expanded), then a small walk turns the nodes into plain
Python values while refusing what a contact file never needs: aliases, tags,
duplicate keys, non-text keys and deep nesting. Every problem is located at
the real line of the file, counting the opening ``---``.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from netkb.core.problems import Problem, error

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_FRONT_MATTER_CHARS = 256 * 1024
MAX_DEPTH = 32
# Below this size a document cannot nest deep enough to strain the C composer.
_DEPTH_SCAN_THRESHOLD = 2000

_TAG = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {
    _TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}
_DELIMITER = re.compile(r"---[ \t]*")
# The closing line, searched from the newline that ends the opening one.
_CLOSING_LINE = re.compile(r"\n(?:---|\.\.\.)[ \t]*(?=\n|\Z)")
# Characters YAML refuses (controls, U+FFFE/U+FFFF) or reads as line breaks that editors
# do not show as such (NEL, U+2028, U+2029), which would shift every line number after them.
_NOT_IN_YAML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class InvalidDate:
    """A value that YAML reads as a date but is not a real calendar date."""

    text: str


class Locations:
    """Where each value and key of a front matter is written, worked out when first asked.

    Most files are fine, and nobody asks where their values are: the fast read
    skips the bookkeeping and this object parses the text again, carefully, only
    for the files that have a problem to point at.
    """

    __slots__ = ("_keys", "_values", "first_line", "path", "text")

    def __init__(self, path: Path, text: str | None = "", first_line: int = 2) -> None:
        self.path = path
        self.text = text  # None: read from ``path`` when first asked (``in_file``)
        self.first_line = first_line
        self._values: dict[Path_, tuple[int, int]] | None = None
        self._keys: dict[Path_, tuple[int, int]] | None = None

    @classmethod
    def in_file(cls, path: Path) -> Locations:
        """The locations of ``path``'s front matter, read from the file only when asked:
        a record from the disk cache has no text, and only a record with a problem to
        point at needs it (the file is the one the cache matched by size, times and
        inode, so it is the text the record was made from)."""
        return cls(path, None)

    def _locate(self) -> None:
        self._values, self._keys = {}, {}
        if self.text is None:
            where = read_document(self.path).where
            self.text = where.text if where is not None and where.text is not None else ""
        if self.text:
            parse_yaml(self.text, self.path, self.first_line, self._values, [], None, self._keys)

    @property
    def values(self) -> dict[Path_, tuple[int, int]]:
        """(line, column) of each value, by key path."""
        if self._values is None:
            self._locate()
        assert self._values is not None
        return self._values

    @property
    def keys(self) -> dict[Path_, tuple[int, int]]:
        """(line, column) of each key, by the key path of its value."""
        if self._keys is None:
            self._locate()
        assert self._keys is not None
        return self._keys


class LazyMap(Mapping[Path_, tuple[int, int]]):
    """A read-only view of ``Locations.values`` or ``.keys`` that locates on first use."""

    __slots__ = ("_asked", "_locations", "_which")

    def __init__(
        self,
        locations: Locations | Path | LazyMap,
        which: str,
        asked: list[LazyMap] | None = None,
    ) -> None:
        # A Path: the file's locations, read when first asked (``in_file``); another
        # LazyMap: the one of the same file, whose Locations this one shares.
        self._locations = locations
        self._which = which
        self._asked = asked

    @classmethod
    def in_file(cls, path: Path, asked: list[LazyMap] | None = None) -> tuple[LazyMap, LazyMap]:
        """The values' and the keys' locations of ``path``'s front matter, read from the
        file only when first asked (``Locations.in_file``): two objects for a record the
        disk cache gives, not three (it gives 30,000 of them). The values' map is added
        to ``asked`` when they are (``worked_out`` tells what they are)."""
        values = cls(path, "values", asked)
        return values, cls(values, "keys")

    def worked_out(self) -> tuple[Path, dict[Path_, tuple[int, int]], dict[Path_, tuple[int, int]]]:
        """(file, values' locations, keys' locations) of a map ``in_file`` made that
        was asked (the disk cache keeps them)."""
        where = self._where()
        return where.path, where.values, where.keys

    def _where(self) -> Locations:
        where = self._locations
        if type(where) is Locations:
            return where
        if type(where) is LazyMap:
            located = self._locations = where._where()
            return located
        located = self._locations = Locations.in_file(where)
        if self._asked is not None:
            self._asked.append(self)
        return located

    def _data(self) -> dict[Path_, tuple[int, int]]:
        return getattr(self._where(), self._which)

    def located(self) -> dict[Path_, tuple[int, int]] | None:
        """The locations if they were worked out already, else None (never reads a file):
        the disk cache keeps those a problem asked for."""
        where = self._locations
        if type(where) is LazyMap:
            where = where._locations
        if type(where) is not Locations:
            return None  # nobody asked yet
        return where._values if self._which == "values" else where._keys

    def __getitem__(self, key: Path_) -> tuple[int, int]:
        return self._data()[key]

    def __iter__(self) -> Iterator[Path_]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())


@dataclass(slots=True)
class Document:
    """A parsed file: front matter values, where each value is, and the body."""

    path: Path
    meta: dict[str, Any] | None = None
    # How each value YAML did not read as text was written (NO, 01234, +49…), for hints.
    written: dict[Path_, str] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    problems: list[Problem] = field(default_factory=list)
    where: Locations | None = None

    @property
    def locations(self) -> Mapping[Path_, tuple[int, int]]:
        """Where each value is written, by key path (located on first use)."""
        return LazyMap(self._where(), "values")

    @property
    def key_locations(self) -> Mapping[Path_, tuple[int, int]]:
        """Where each key is written, by the key path of its value (located on first use)."""
        return LazyMap(self._where(), "keys")

    def _where(self) -> Locations:
        if self.where is None:
            self.where = Locations(self.path)
        return self.where


def read_document(
    path: Path, data: bytes | None = None, *, info: os.stat_result | None = None
) -> Document:
    """Parse ``path`` (or the given bytes) into a Document; never raises for bad content.
    ``info``: the file's ``os.stat`` when the caller has just taken it (the loader does,
    for its cache), so it is not taken twice."""
    doc = Document(path)
    if data is None:
        try:
            if info is None:
                info = path.stat()
            if not stat.S_ISREG(info.st_mode):  # reading a named pipe would wait forever
                doc.problems.append(
                    error(path, 1, 1, "NK108", "cannot read the file: it is not a regular file")
                )
                return doc
            if info.st_size > MAX_FILE_BYTES:
                doc.problems.append(_too_large(path, info.st_size))
                return doc
            data = path.read_bytes()
        except OSError as exc:
            doc.problems.append(error(path, 1, 1, "NK108", f"cannot read the file: {exc.strerror}"))
            return doc
    if len(data) > MAX_FILE_BYTES:
        doc.problems.append(_too_large(path, len(data)))
        return doc
    text = _decode(path, data, doc.problems)
    if text is None:
        return doc
    _split_and_parse(doc, text)
    return doc


def _too_large(path: Path, size: int) -> Problem:
    return error(
        path,
        1,
        1,
        "NK106",
        f"file is {size:,} bytes; netkb reads files up to {MAX_FILE_BYTES:,} bytes. "
        "Move large notes or attachments elsewhere",
    )


def _locate_offset(data: bytes, offset: int) -> tuple[int, int]:
    """The (line, column) of byte ``offset`` as an editor shows it: in characters,
    after a BOM, with CRLF and CR line breaks counted like the parser counts them."""
    before = data[:offset].decode("utf-8", "replace").removeprefix("\ufeff")
    before = before.replace("\r\n", "\n").replace("\r", "\n")
    return before.count("\n") + 1, len(before) - before.rfind("\n")


def _decode(path: Path, data: bytes, problems: list[Problem]) -> str | None:
    nul = data.find(b"\x00")
    if nul != -1:
        line, col = _locate_offset(data, nul)
        problems.append(
            error(path, line, col, "NK102", "file contains a NUL byte; is it a binary file?")
        )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _locate_offset(data, exc.start)
        problems.append(
            error(
                path,
                line,
                col,
                "NK101",
                f"byte 0x{data[exc.start]:02x} is not UTF-8; save the file as UTF-8",
            )
        )
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _split_and_parse(doc: Document, text: str) -> None:
    path = doc.path
    if not text.strip():
        doc.problems.append(
            error(path, 1, 1, "NK105", "file is empty; a record starts with '---', fields, '---'")
        )
        return
    first_end = text.find("\n")
    if not _DELIMITER.fullmatch(text[: first_end if first_end != -1 else len(text)]):
        doc.problems.append(
            error(
                path,
                1,
                1,
                "NK103",
                "no front matter: the file must start with a line '---', "
                "then YAML fields such as 'name: Jane Doe', then a line '---'",
            )
        )
        return
    closing = _CLOSING_LINE.search(text, first_end)
    if first_end == -1 or closing is None:
        doc.problems.append(
            error(path, 1, 1, "NK104", "front matter opened here is never closed; add a line '---'")
        )
        return
    yaml_text = text[first_end + 1 : closing.start() + 1]
    doc.body = text[closing.end() + 1 :]
    doc.body_line = text.count("\n", 0, closing.end()) + 2
    if len(yaml_text) > MAX_FRONT_MATTER_CHARS:
        doc.problems.append(
            error(
                path,
                2,
                1,
                "NK106",
                f"front matter is {len(yaml_text):,} characters; the limit is "
                f"{MAX_FRONT_MATTER_CHARS:,}. Move long text into the notes below it",
            )
        )
        return
    found = len(doc.problems)
    doc.where = Locations(path, yaml_text, 2)
    meta = parse_yaml(yaml_text, path, 2, None, doc.problems, doc.written, None)
    if len(doc.problems) > found:
        return
    if not isinstance(meta, dict):
        kind = _kind_of(meta)
        doc.problems.append(
            error(
                path,
                2,
                1,
                "NK115",
                f"front matter is {kind}; it must be fields like 'name: Jane Doe'",
            )
        )
        return
    doc.meta = meta


_EMPTY = object()


def _kind_of(value: Any) -> str:
    """What a YAML document that is not fields is, in the user's words."""
    if value is _EMPTY or value is None:
        return "empty"  # nothing at all, or only '~' / 'null'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return "a number"
    return "a date"


def parse_yaml(
    text: str,
    path: Path,
    first_line: int,
    locations: dict[Path_, tuple[int, int]] | None,
    problems: list[Problem],
    written: dict[Path_, str] | None = None,
    key_locations: dict[Path_, tuple[int, int]] | None = None,
) -> Any:
    """Parse YAML ``text`` that starts at ``first_line`` of ``path``.

    Returns the value (``_EMPTY`` for an empty document), or None after recording
    a problem (a document that is only ``null`` is None too: look at ``problems``).
    ``locations`` receives (line, column) for every value by key path,
    ``key_locations`` for every key, and ``written`` the source text of every value
    that YAML did not read as text. With ``locations`` None, a fast walk that records
    no positions is tried first; anything it cannot vouch for takes the careful walk.
    """
    odd = unusable_character(text)
    if odd is not None:
        row, column, name = odd
        problems.append(
            error(
                path,
                first_line + row,
                column,
                "NK110",
                f"character {name} is not allowed in front matter; "
                "delete it (your editor may not show it)",
            )
        )
        return None
    for number, line in enumerate(text.split("\n") if "\t" in text else (), start=first_line):
        indent = len(line) - len(line.lstrip(" \t"))
        tab = line.find("\t", 0, indent)
        if tab != -1:
            problems.append(
                error(
                    path,
                    number,
                    tab + 1,
                    "NK111",
                    "tab used for indentation; YAML needs spaces",
                )
            )
            return None
    try:
        if len(text) > _DEPTH_SCAN_THRESHOLD and not nesting_ok(text, path, first_line, problems):
            return None
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        if _too_deep(exc):
            problems.append(_deep_problem(text, path, first_line, exc))
        else:
            problems.append(_yaml_error(exc, path, first_line))
        return None
    except yaml.YAMLError as exc:
        problems.append(
            error(path, first_line, 1, "NK110", f"YAML error: {' '.join(str(exc).split())}")
        )
        return None
    if node is None:
        return _EMPTY
    written = {} if written is None else written
    if locations is None and "&" not in text and "*" not in text:  # no anchors, no aliases
        try:
            return _fast_value(loader, node, (), 0, written)
        except _Careful:
            written.clear()
    walker = _Walker(
        path,
        first_line,
        {} if locations is None else locations,
        loader,
        text,
        written,
        {} if key_locations is None else key_locations,
    )
    try:
        return walker.value(node, (), 0, node)
    except _Stop as stop:
        problems.append(stop.problem)
        return None


def _too_deep(exc: yaml.MarkedYAMLError) -> bool:
    """libyaml ≥ 0.2.5 (PyYAML 6.0.4) stops at 1,000 nested levels by itself."""
    return "maximum nesting depth" in (exc.problem or "")


def _deep_problem(text: str, path: Path, first_line: int, exc: yaml.MarkedYAMLError) -> Problem:
    """NK117 where the brackets first nest deeper than MAX_DEPTH (libyaml only says where
    it gave up, hundreds of levels later)."""
    # Like the event count in nesting_ok, a block mapping or list at the top counts as one.
    top = text.lstrip()[:1]
    depth, quote, line, column = (0 if top in ("[", "{") else 1), "", 0, 0
    for char in text:
        column += 1
        if char == "\n":
            line, column, quote = line + 1, 0, ""
        elif quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                break
        elif char in "]}":
            depth -= 1
    else:
        mark = exc.problem_mark
        line, column = (mark.line, mark.column + 1) if mark else (0, 1)
    return error(
        path,
        first_line + line,
        column,
        "NK117",
        f"values are nested more than {MAX_DEPTH} levels deep",
    )


def _yaml_error(exc: yaml.MarkedYAMLError, path: Path, first_line: int) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    if exc.context_mark and "end of stream" in (exc.problem or ""):
        mark = exc.context_mark  # point at what was left open, not at the end
    line = first_line + mark.line if mark else first_line
    column = mark.column + 1 if mark else 1
    what = exc.problem or "invalid YAML"
    if exc.context:
        context = exc.context
        start = exc.context_mark
        if start and mark and start.line != mark.line:
            # "while parsing a flow sequence" alone does not say which one was left open.
            context += f" (started at line {first_line + start.line}, column {start.column + 1})"
        what = f"{context}, {what}"
    hint = ""
    if "mapping values are not allowed" in what:
        hint = "; a value containing ': ' must be quoted"
    elif "found character '\\t'" in what:
        hint = "; replace the tab with spaces"
    elif "could not find expected ':'" in what:
        hint = "; each field is 'key: value' on its own line"
    return error(path, line, column, "NK110", f"YAML syntax error: {what}{hint}")


def unusable_character(text: str) -> tuple[int, int, str] | None:
    """(line from 0, column from 1, "U+0007") of the first character YAML refuses or
    counts as a line break where editors do not; None when every character is fine."""
    odd = _NOT_IN_YAML.search(text)
    if odd is None:
        return None
    line = text.count("\n", 0, odd.start())
    column = odd.start() - text.rfind("\n", 0, odd.start())
    return line, column, f"U+{ord(odd.group()):04X}"


def nesting_ok(text: str, path: Path, first_line: int, problems: list[Problem]) -> bool:
    """Refuse very deep nesting before the recursive composer sees it (it would crash)."""
    depth = 0
    loader = _Loader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    problems.append(
                        error(
                            path,
                            first_line + mark.line,
                            mark.column + 1,
                            "NK117",
                            f"values are nested more than {MAX_DEPTH} levels deep",
                        )
                    )
                    return False
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        if not _too_deep(exc):
            raise
        problems.append(_deep_problem(text, path, first_line, exc))
        return False
    finally:
        loader.dispose()
    return True


class _Careful(Exception):
    """The fast walk met something only the careful walk can report well."""


_STR = _TAG + "str"
_SCALARS = frozenset(_TAG + n for n in ("int", "float", "bool", "null", "timestamp"))


def _fast_value(loader: Any, node: yaml.Node, key_path: Path_, depth: int, written: dict) -> Any:
    """Plain values from composed nodes, with no positions kept (see ``_Walker``)."""
    tag = node.tag
    kind = node.__class__
    if kind is yaml.ScalarNode:
        if tag == _STR:
            return node.value
        if tag not in _SCALARS:
            raise _Careful
        written[key_path] = node.value
        if tag == _TAG + "timestamp":
            try:
                return loader.construct_object(node)
            except ValueError:
                return InvalidDate(node.value)
        try:
            return loader.construct_object(node)
        except (ValueError, yaml.YAMLError):
            raise _Careful from None
    if depth >= MAX_DEPTH:
        raise _Careful
    if kind is yaml.SequenceNode:
        if tag != _TAG + "seq":
            raise _Careful
        return [
            item.value
            if item.tag == _STR and item.__class__ is yaml.ScalarNode
            else _fast_value(loader, item, (*key_path, index), depth + 1, written)
            for index, item in enumerate(node.value)
        ]
    if tag != _TAG + "map":
        raise _Careful
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if key_node.__class__ is not yaml.ScalarNode or key_node.tag != _STR:
            raise _Careful
        key = key_node.value
        if key in result:
            raise _Careful
        if value_node.tag == _STR and value_node.__class__ is yaml.ScalarNode:
            result[key] = value_node.value
        else:
            result[key] = _fast_value(loader, value_node, (*key_path, key), depth + 1, written)
    return result


class _Stop(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


class _Walker:
    """Turns composed nodes into Python values, recording where each one is."""

    def __init__(
        self,
        path: Path,
        first_line: int,
        locations: dict[Path_, tuple[int, int]],
        loader: Any,
        text: str,
        written: dict[Path_, str],
        key_locations: dict[Path_, tuple[int, int]],
    ) -> None:
        self.path = path
        self.first_line = first_line
        self.locations = locations
        self.loader = loader
        self.text = text
        self.written = written
        self.key_locations = key_locations
        self.seen: set[int] = set()

    def where(self, node: yaml.Node) -> tuple[int, int]:
        return self.first_line + node.start_mark.line, node.start_mark.column + 1

    def stop(self, node: yaml.Node, code: str, message: str) -> _Stop:
        line, column = self.where(node)
        return _Stop(error(self.path, line, column, code, message))

    def alias(self, fallback: yaml.Node) -> _Stop:
        """Refuse an alias, located where the ``*name`` is written.

        An alias composes into the very node it names, so the node cannot say where
        the alias was. The walk meets nodes in document order, so the alias met now
        is the first alias event of the text.
        """
        line, column = self.where(fallback)
        events = _Loader(self.text)
        try:
            while events.check_event():
                event = events.get_event()
                if isinstance(event, yaml.AliasEvent):
                    line = self.first_line + event.start_mark.line
                    column = event.start_mark.column + 1
                    break
        finally:
            events.dispose()
        return _Stop(
            error(
                self.path,
                line,
                column,
                "NK112",
                "YAML aliases (*name) are not allowed; write the value out in full",
            )
        )

    def value(self, node: yaml.Node, key_path: Path_, depth: int, parent: yaml.Node) -> Any:
        if id(node) in self.seen:
            raise self.alias(parent)  # the same node met twice
        self.seen.add(id(node))
        if depth > MAX_DEPTH:
            raise self.stop(node, "NK117", f"values are nested more than {MAX_DEPTH} levels deep")
        if node.tag not in _ALLOWED_TAGS:
            raise self.stop(
                node,
                "NK113",
                f"YAML tag {node.tag!r} is not allowed; remove it and write a plain value",
            )
        self.locations[key_path] = self.where(node)
        if isinstance(node, yaml.ScalarNode):
            if node.tag != _TAG + "str":
                self.written[key_path] = node.value
            return self.scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return [
                self.value(item, (*key_path, index), depth + 1, node)
                for index, item in enumerate(node.value)
            ]
        return self.mapping(node, key_path, depth)

    def scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == _TAG + "str":
            return node.value
        if node.tag == _TAG + "timestamp":
            try:
                value = self.loader.construct_object(node)
            except ValueError:
                return InvalidDate(node.value)
            return value
        try:
            return self.loader.construct_object(node)
        except (ValueError, yaml.YAMLError):
            raise self.stop(node, "NK110", f"cannot read the value {node.value!r}") from None

    def mapping(self, node: yaml.MappingNode, key_path: Path_, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag not in _ALLOWED_TAGS and key_node.tag != _TAG + "merge":
                raise self.stop(
                    key_node, "NK113", f"YAML tag {key_node.tag!r} is not allowed on a key"
                )
            if key_node.tag == _TAG + "merge":
                raise self.stop(key_node, "NK112", "YAML merge keys (<<) are not allowed")
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _TAG + "str":
                shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "a collection"
                raise self.stop(
                    key_node,
                    "NK116",
                    f"key {shown!r} is not read as text; quote it: '{shown}': …"
                    if isinstance(key_node, yaml.ScalarNode)
                    else "a key must be text, not a list or mapping",
                )
            if id(key_node) in self.seen:
                raise self.alias(key_node)
            self.seen.add(id(key_node))
            key = key_node.value
            line = self.where(key_node)[0]
            if key in first_seen:
                raise self.stop(
                    key_node,
                    "NK114",
                    f"duplicate key {key!r}: also on line {first_seen[key]}; keep one of them",
                )
            first_seen[key] = line
            self.key_locations[(*key_path, key)] = self.where(key_node)
            result[key] = self.value(value_node, (*key_path, key), depth + 1, key_node)
        return result
