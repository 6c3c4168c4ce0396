"""The caches ``loader.load`` can read records through: a file is parsed again only when
its size, times or inode changed.

- ``MemoryCache``: in one process (``netkb serve``); records keep their field locations,
  validate's memo is kept too, and with ``keep_last_good`` a file that no longer parses
  still gives the record it last gave, so the site keeps its page.
- ``DiskCache``: ``.netkb/cache/records.json``, between runs of ``check`` and the
  everyday commands (``due``, ``show``, ``find``, ``path``, ``stats``, ``log``). Parsing
  60,000 front matters takes seconds even with libyaml, and between two runs almost none
  of them changed. A record from it finds its field locations by reading its file again
  when first asked (``Locations.in_file``): only a record with a problem to point at
  asks. It also keeps validate's memo: each record's own cross-record problems
  (references, wikilinks) with a digest of the lookups they were found against, so a
  record whose file and lookups are unchanged is not checked again; the checks between
  records (duplicates, contradictions) run every time.

The disk cache is JSON (read and written by orjson), never pickle or marshal: a
knowledge base is a git repository someone else may have written, and a planted cache
must not be able to run code. Unpickling runs whatever callables the file names, and
marshal is documented as unsafe against crafted data (it builds code objects, and its
reader trusts the bytes); a JSON parser only ever gives dicts, lists, text and numbers,
and an entry counts only when its file's size, times and inode match, which a planted
file cannot know. Neither would be much faster here (marshal read the 10,000-person
cache in 0.06–0.09 s, orjson in 0.09 s): the time goes into making the million objects
the records are, whatever the format. Each record is a JSON list of
its fields in order, so decoding it is one call of a function written out for its
class (``_decoder``) that converts the few values that are not plain JSON. A record
whose field locations a problem asked for keeps them too, so a warm check points at
the same lines without reading the file.

It is rebuilt whenever netkb's code changes (``code_signature``: netkb's version and a
digest of every module's name, size and time, wherever it lives in the package). A
cache that cannot be written (read-only folder) only costs speed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from functools import cached_property
from operator import attrgetter
from pathlib import Path
from typing import Any

import orjson

import netkb
from netkb import __version__
from netkb.core.problems import Problem, Severity
from netkb.core.records import Birthday, Cadence, Interaction, Organisation, Person, Source
from netkb.core.references import Index
from netkb.core.write import OwnedFolder
from netkb.load.frontmatter import LazyMap, Locations
from netkb.load.loader import (
    LOG_DIR,
    ORGS_DIR,
    PEOPLE_DIR,
    FileRead,
    Record,
    child_path,
    read_file,
)
from netkb.load.validate import Checked

CACHE_DIR = ".netkb/cache"
CACHE_FILE = f"{CACHE_DIR}/records.json"
FORMAT = 5  # of the JSON below; a change to it or to any module makes a new cache

# [signature, body line, values (``_encode``; None: the file gives no record), own
#  problems (None: none), problems against the lookups (None: not checked; 0: none),
#  field locations (None: not worked out)]. Empty lists are written as None or 0: a list
#  is an object to make, and 30,000 files mostly have none.
Entry = list[Any]
_SIGNATURE, _BODY_LINE, _FIELDS_AT, _PROBLEMS, _CHECKED, _LOCATED = range(6)

Located = dict[tuple[str | int, ...], tuple[int, int]]


class _Uncacheable(Exception):
    """A value the JSON encoding does not cover: the file is parsed on every run."""


# -- values -----------------------------------------------------------------------------

_LARGEST = 2**63  # orjson writes 64-bit integers only


def _yaml_value(value: Any) -> Any:
    """A front matter value as JSON; dates, date-times and mappings are tagged."""
    if value is None or isinstance(value, str) or _small_int(value):
        return value
    if isinstance(value, int):
        raise _Uncacheable("a very large integer")
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        raise _Uncacheable("nan or infinity")  # JSON has neither
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, list):
        return [_yaml_value(v) for v in value]
    if isinstance(value, dict):
        return {"m": [[_yaml_value(k), _yaml_value(v)] for k, v in value.items()]}
    raise _Uncacheable(type(value).__name__)


def _small_int(value: object) -> bool:
    """An int or bool orjson can write (a bool is an int)."""
    return isinstance(value, int) and -_LARGEST <= value < _LARGEST


def _from_yaml_value(value: Any) -> Any:
    if isinstance(value, list):
        return [_from_yaml_value(v) for v in value]
    if isinstance(value, dict):
        if "t" in value:
            return dt.datetime.fromisoformat(value["t"])
        if "d" in value:
            return dt.date.fromisoformat(value["d"])
        return {_from_yaml_value(k): _from_yaml_value(v) for k, v in value["m"]}
    return value


Codec = tuple[Callable[[Any], Any], Callable[[Any], Any]]
# (encode, decode) for the fields that are not a plain str/int/bool/None: by name, and
# by declared type for the rest, so a list or date field added to the records later is
# cached without a change here.
_TEXTS: Codec = (list, tuple)
_DATE: Codec = (dt.date.toordinal, dt.date.fromordinal)
_BY_TYPE: dict[str, Codec] = {
    "tuple[str, ...]": _TEXTS,
    "dt.date": _DATE,
    "dt.date | None": _DATE,
}
_CODECS: dict[str, Codec] = {
    "birthday": (lambda b: [b.month, b.day, b.year], lambda v: Birthday(*v)),
    "cadence": (lambda c: [c.count, c.unit], lambda v: Cadence(*v)),
    "relations": (
        lambda rs: [[kind, list(slugs)] for kind, slugs in rs],
        lambda v: tuple((kind, tuple(slugs)) for kind, slugs in v),
    ),
    "extra": (
        lambda pairs: [[key, _yaml_value(value)] for key, value in pairs],
        lambda v: tuple((key, _from_yaml_value(value)) for key, value in v),
    ),
}


Spec = tuple[str, Any, Codec | None]  # a field's name, default (MISSING: required), codec
Decoder = Callable[[str, Source, list[Any]], Any]


def _specs(cls: type) -> tuple[Spec, ...]:
    """Every field of ``cls`` but ``slug`` and ``source`` (those come from the file's
    path), in order, with its default and codec."""
    return tuple(
        (f.name, f.default, _CODECS.get(f.name) or _BY_TYPE.get(str(f.type)))
        for f in fields(cls)
        if f.name not in ("slug", "source")
    )


def _decoder(cls: type, specs: tuple[Spec, ...]) -> Decoder:
    """A function that makes a record of ``cls`` from its slug, source and list of
    values, written out for this class as dataclasses writes ``__init__``: one line that
    unpacks the list and one call with every argument in place, no loop over the fields
    (it runs for every file of the KB). A value is None where the field has its default."""
    namespace: dict[str, Any] = {"cls": cls}
    arguments = []
    position = 0
    for f in fields(cls):
        if f.name in ("slug", "source"):
            arguments.append(f.name)
            continue
        _, default, codec = specs[position]
        value = expression = f"v{position}"
        if codec is not None:
            namespace[f"decode{position}"] = codec[1]
            expression = f"decode{position}({value})"
        if default is not MISSING and (default is not None or codec is not None):
            namespace[f"default{position}"] = default
            expression = f"(default{position} if {value} is None else {expression})"
        arguments.append(expression)
        position += 1
    unpack = "".join(f"v{n}, " for n in range(position))
    source = (
        "def decode(slug, source, values):\n"
        f"    {unpack}= values\n"
        f"    return cls({', '.join(arguments)})\n"
    )
    exec(source, namespace)  # only this module's own text, made from the field list
    return namespace["decode"]


_SPECS = {cls: _specs(cls) for cls in (Person, Interaction, Organisation)}
_DECODERS = {cls: _decoder(cls, specs) for cls, specs in _SPECS.items()}


def _encoder(cls: type, specs: tuple[Spec, ...]) -> Callable[[Any], list[Any]]:
    """A function that writes a record of ``cls`` as its list of values (None for a field
    left at its default), written out for the class as ``_decoder`` is; it raises
    ``_Uncacheable`` for a value JSON cannot hold."""
    namespace: dict[str, Any] = {"get": attrgetter(*(name for name, _, _ in specs))}
    values = []
    for position, (_, default, codec) in enumerate(specs):
        value = expression = f"v{position}"
        if codec is not None:
            namespace[f"encode{position}"] = codec[0]
            expression = f"(None if {value} is None else encode{position}({value}))"
        else:  # a plain value: text (most of them, checked inline), a number, a flag
            expression = f"({value} if {value}.__class__ is str else plain({value}))"
        if default is not MISSING:
            namespace[f"default{position}"] = default
            expression = (
                f"(None if {value} == default{position} "
                f"else unset() if {value} is None else {expression})"
            )
        values.append(expression)
    namespace.update(plain=_plain, unset=_unset)
    unpack = "".join(f"v{n}, " for n in range(len(specs)))
    source = f"def encode(record):\n    {unpack}= get(record)\n    return [{', '.join(values)}]\n"
    exec(source, namespace)  # only this module's own text, made from the field list
    return namespace["encode"]


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str) or _small_int(value):
        return value
    raise _Uncacheable(type(value).__name__)  # a field of a type this module does not know


def _unset() -> None:
    raise _Uncacheable("None")  # it would read back as the field's default


_ENCODERS = {cls: _encoder(cls, specs) for cls, specs in _SPECS.items()}


def _encode(record: Person | Interaction | Organisation) -> list[Any]:
    """The record's fields as a JSON list, one value per field in order (``_SPECS``),
    None for a field left at its default."""
    return _ENCODERS[type(record)](record)


def _decode(cls: type, slug: str, path: Path, entry: Entry) -> Any:
    """The record an entry holds; TypeError, ValueError or LookupError when it is not
    one this code wrote."""
    located = entry[_LOCATED]
    if located is None:
        where = Locations.in_file(path)
        locations: Mapping[Any, tuple[int, int]] = LazyMap(where, "values")
        keys: Mapping[Any, tuple[int, int]] = LazyMap(where, "keys")
    else:
        locations, keys = _from_located(located[0]), _from_located(located[1])
    body_line = entry[_BODY_LINE]
    if type(body_line) is not int:
        raise TypeError("not a line")
    return _DECODERS[cls](slug, Source(path, locations, body_line, keys), entry[_FIELDS_AT])


def _located(where: Mapping[Any, tuple[int, int]]) -> Located | None:
    """The locations a record's file gave, if they were worked out (never reads it)."""
    if isinstance(where, LazyMap):
        return where.located()
    return dict(where)


def _to_located(where: Located) -> list[list[Any]]:
    return [[list(path), line, column] for path, (line, column) in where.items()]


def _from_located(listed: list[list[Any]]) -> Located:
    return {tuple(path): (int(line), int(column)) for path, line, column in listed}


# -- in memory ------------------------------------------------------------------------


@dataclass
class MemoryCache:
    """What each file was read into, kept in this process (``netkb serve``).

    With ``keep_last_good``, a file that no longer parses still gives the record it
    last gave (its problems are reported all the same), so the site keeps its page.
    """

    keep_last_good: bool = False
    keeps_locations: bool = field(default=True, init=False)
    checked: Checked = field(default_factory=Checked)
    entries: dict[str, tuple[str, FileRead]] = field(default_factory=dict)
    last_good: dict[str, Record] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)  # the files asked about since ``finish``

    def recall(self, folder: str, key: str, where: str, signature: str) -> FileRead | None:
        """What the file gave when it had ``signature``; None if it was different then."""
        self.seen.add(key)
        hit = self.entries.get(key)
        if hit is None or hit[0] != signature:
            return None
        return self._with_last_good(key, hit[1])

    def remember(self, key: str, signature: str, read: FileRead) -> FileRead:
        """Keep what the file gave at ``signature``."""
        self.seen.add(key)
        self.entries[key] = (signature, read)
        if read.record is not None:
            self.last_good[key] = read.record
        return self._with_last_good(key, read)

    def _with_last_good(self, key: str, read: FileRead) -> FileRead:
        if read.record is None and self.keep_last_good and key in self.last_good:
            return read._replace(record=self.last_good[key])
        return read

    def finish(self, folders: tuple[str, ...]) -> None:
        """Forget the files of ``folders`` this load did not ask about (they are gone)."""
        seen, self.seen = self.seen, set()
        for key in [k for k in self.entries if k not in seen and k.split("/", 1)[0] in folders]:
            del self.entries[key]
            self.last_good.pop(key, None)

    def signatures(self) -> dict[str, str]:
        """The version of each file as last read, by key (``contacts/jane.md``)."""
        return {key: signature for key, (signature, _) in self.entries.items()}


# -- on disk ----------------------------------------------------------------------------


def code_signature() -> list[Any]:
    """What the disk cache is valid for: its format, netkb's version, and a digest of the
    name, size and time of every module of the installed package (found by walking it,
    so modules may move between subpackages)."""
    package = Path(netkb.__file__).parent
    digest = hashlib.blake2b(digest_size=16)
    for current, dirs, names in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith(".py"):
                stat = os.stat(os.path.join(current, name))
                relative = os.path.relpath(os.path.join(current, name), package)
                digest.update(f"{relative}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return [FORMAT, __version__, digest.hexdigest()]


_CLASSES: dict[str, type] = {PEOPLE_DIR: Person, ORGS_DIR: Organisation, LOG_DIR: Interaction}


class DiskCache:
    """Records of the KB at ``root`` kept in ``.netkb/cache/records.json`` between runs.

    Read when first asked; ``finish`` (called by ``load``) writes it back when anything
    changed. A record from it is equal to the one the file gives, field locations
    included (read from the file when first asked, or kept from the run that asked), so
    ``load`` gives the same network and the same problems with it or without it.
    """

    keeps_locations = True

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.fresh: dict[str, Entry] = {}
        self.changed = False
        self._folders: dict[str, Path] = {}
        # id(record) → (its file's key, the record): validate's memo is by record, the
        # file by key; locations a problem asked for are kept at ``finish``.
        self._records: dict[int, tuple[str, Record]] = {}
        # The records whose cross-record problems came from the file, unchanged.
        self._checked_before: set[int] = set()
        #: the lookups the last load's checks between records used, for ``link`` to reuse
        #: (None when it ran none)
        self.index: Index | None = None

    @cached_property
    def code(self) -> list[Any]:
        """The code this cache is valid for (``code_signature``), worked out once."""
        return code_signature()

    @cached_property
    def _stored(self) -> tuple[dict[str, Entry], str | None]:
        # Read inside ``load``, whose collector is off: the file decodes into a million
        # objects at 10,000 people.
        return _read_cache(self.root / CACHE_FILE, self.code)

    @property
    def cached(self) -> dict[str, Entry]:
        """The entries on disk, read when first needed."""
        return self._stored[0]

    @cached_property
    def checked(self) -> Checked:
        """validate's memo as the last check left it: filled by ``recall`` with the
        cross-record problems of each unchanged record, valid for the lookups whose
        digest the file holds."""
        return Checked(key=self._stored[1])

    def recall(self, folder: str, key: str, where: str, signature: str) -> FileRead | None:
        """The file's record and problems from the cache, if it had ``signature`` then."""
        entry = self._stored[0].get(key)
        if entry is None or type(entry) is not list or entry[:1] != [signature]:
            return None
        return self._read_entry(folder, key, where, entry)

    def parse(self, folder: str, key: str, where: str, signature: str) -> list[Any]:
        """Parse the file at ``where`` and return its cache entry (a forked worker parses
        files for ``adopt`` in the process that loads)."""
        self.remember(key, signature, read_file(Path(where), folder))
        return self.fresh[key]

    def adopt(self, folder: str, key: str, where: str, entry: list[Any]) -> FileRead | None:
        """The file's record and problems from an entry ``parse`` made (in another
        process), kept as if this process had parsed it; None if it cannot be read back."""
        if type(entry) is not list or not entry or not entry[0]:
            return None  # a file the cache cannot hold: parse it here
        read = self._read_entry(folder, key, where, entry)
        if read is not None:
            self.changed = True
        return read

    def _read_entry(self, folder: str, key: str, where: str, entry: Any) -> FileRead | None:
        try:
            if len(entry) != _ENTRY_LENGTH:
                return None
            parent, _, name = where.rpartition(os.sep)
            folder_path = self._folders.get(parent)
            if folder_path is None:
                folder_path = self._folders[parent] = Path(parent)
            path = child_path(folder_path, name)
            record = None
            if entry[_FIELDS_AT] is not None:
                record = _decode(_CLASSES[folder], name[:-3], path, entry)
            listed, checked = entry[_PROBLEMS], entry[_CHECKED]
            problems = tuple([_problem(path, p) for p in listed]) if listed else ()
            found = [_problem(path, p) for p in checked] if checked else checked
        except (LookupError, TypeError, ValueError):
            return None  # an entry this code did not write: parse the file instead
        if record is not None:
            number = id(record)
            self._records[number] = (key, record)
            if found is not None:
                self.checked.found[number] = (record, found or [])
                self._checked_before.add(number)
        self.fresh[key] = entry
        return FileRead(path, record, problems)

    def signatures(self) -> dict[str, str]:
        """The signature of every file the last load read, by key (kept by ``finish``)."""
        return {
            key: entry[0]
            for key, entry in self._stored[0].items()
            if type(entry) is list and entry and type(entry[0]) is str
        }

    def remember(self, key: str, signature: str, read: FileRead) -> FileRead:
        """Keep a freshly parsed file."""
        self.changed = True
        listed = _listed(read.problems) or None
        record = read.record
        if record is None:
            self.fresh[key] = [signature, 0, None, listed, None, None]
            return read
        try:
            encoded = _encode(record)
        except _Uncacheable:  # never matches: parsed again next time
            self.fresh[key] = ["", 0, None, listed, None, None]
        else:
            body_line = record.source.body_line
            self.fresh[key] = [signature, body_line, encoded, listed, None, None]
        self._records[id(record)] = (key, record)
        return read

    def finish(self, folders: tuple[str, ...]) -> None:
        """Keep what validate found for each record (when it ran) and the field locations
        problems asked for, and write the cache back if anything changed; the entries of
        folders not read this time stay."""
        if any(folder not in folders for folder in _CLASSES):
            for key, entry in self.cached.items():
                if key.split("/", 1)[0] not in folders:
                    self.fresh[key] = entry
        lookups = self._stored[1]
        memo = self.__dict__.get("checked")
        if memo is not None and memo.key != lookups:  # validate ran against other lookups
            lookups, self.changed = memo.key, True
            self._checked_before.clear()  # what came from the file was for the old ones
        if memo is not None:
            for identity, (_, found) in memo.found.items():
                if identity in self._checked_before or identity not in self._records:
                    continue
                entry = self.fresh.get(self._records[identity][0])
                if entry is not None and entry[_FIELDS_AT] is not None:
                    entry[_CHECKED] = _listed(found) if found else 0
                    self.changed = True
        self._keep_locations()
        if self.changed or len(self.fresh) != len(self.cached):
            _write_cache(self.root, self.code, self.fresh, lookups)
        self._stored = (self.fresh, lookups)
        self.index = memo.index if memo is not None else None
        self.fresh, self.changed = {}, False
        self._records, self._checked_before = {}, set()
        self.__dict__.pop("checked", None)

    def _keep_locations(self) -> None:
        """Keep the field locations a problem asked for (a possible duplicate, a
        contradiction: found again on every run), so the next run need not read the
        file for them."""
        for key, record in self._records.values():
            source = record.source
            if type(source.locations) is not LazyMap:
                continue  # known without the file: they came from this cache
            values = source.locations.located()  # both are worked out together
            if values is None:
                continue
            entry = self.fresh.get(key)
            keys = _located(source.keys)
            if entry is not None and entry[_FIELDS_AT] is not None and keys is not None:
                entry[_LOCATED] = [_to_located(values), _to_located(keys)]
                self.changed = True


_ENTRY_LENGTH = 6  # of an entry this code writes


def _listed(problems: Iterable[Problem]) -> list[list[Any]]:
    """Problems as JSON; their path is the file's own."""
    return [[p.line, p.column, p.code, str(p.severity), p.message] for p in problems]


def _read_cache(path: Path, code: list[Any]) -> tuple[dict[str, Entry], str | None]:
    """(entries by key, the digest of the lookups they were checked against)."""
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}, None  # no cache yet, or a broken one: parse everything
    if isinstance(data, dict) and data.get("code") == code:
        files, lookups = data.get("files"), data.get("lookups")
        if isinstance(files, dict):
            return files, lookups if isinstance(lookups, str) else None
    return {}, None  # a cache of other code, or not netkb's: parse everything


def _write_cache(root: Path, code: list[Any], files: dict[str, Entry], lookups: str | None) -> None:
    try:
        data = orjson.dumps({"code": code, "lookups": lookups, "files": files})
    except TypeError:  # a value orjson cannot write slipped through: no cache this time
        return
    try:
        OwnedFolder(root / CACHE_DIR, inside=root).write("records.json", data)
    except OSError:
        return  # a read-only knowledge base: the next run parses again, nothing is lost


def _problem(path: Path, listed: list[Any]) -> Problem:
    line, column, code, severity, message = listed
    return Problem(path, line, column, code, Severity(severity), message)
