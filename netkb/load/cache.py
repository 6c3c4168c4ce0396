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
  asks. It keeps nothing that depends on other files: every check between records
  (references and their "did you mean", wikilinks, duplicates, contradictions) runs
  every time. What it keeps beside a record is what its file alone gives
  (``validate.FileKeys``): its own problems, the targets of the wikilinks in its notes
  (notes whose links all resolve are not scanned again), and a person's keys for the
  duplicate finder and the name lookups (worked out once, not on every run). A big
  cache's records are decoded ``ahead``, while a forked child walks the KB, and matched
  to the walk by each file's signature after.

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
from typing import Any, NamedTuple

import orjson

import netkb
from netkb import __version__
from netkb.core.identity import Lookalike, own_keys
from netkb.core.problems import Problem, Severity
from netkb.core.records import Birthday, Cadence, Interaction, Organisation, Person, Source
from netkb.core.references import Index, person_name_keys
from netkb.load.frontmatter import LazyMap
from netkb.load.loader import (
    LOG_DIR,
    ORGS_DIR,
    PEOPLE_DIR,
    FileRead,
    Found,
    Record,
    child_path,
    read_file,
)
from netkb.load.validate import Checked, FileKeys, wikilink_targets

CACHE_DIR = ".netkb/cache"
CACHE_FILE = f"{CACHE_DIR}/records.json"
FORMAT = 6  # of the JSON below; a change to it or to any module makes a new cache

# [signature, body line, values (``_encode``; None: the file gives no record), own
#  problems (None: none), wikilink targets of the notes (None: none), field locations
#  (None: not worked out), a person's ``identity.own_keys`` and ``person_name_keys`` in
#  one list (None: not a person)]. Empty lists are written as None: a list is an object
#  to make, and 30,000 files mostly have none.
Entry = list[Any]
_FIELDS_AT, _LOCATED = 2, 5

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
    values, written out for this class: one line that unpacks the list, then each field
    set in place, no loop over the fields (it runs for every file of the KB). A value is
    None where the field has its default.

    It sets the slots as the frozen class's ``__init__`` does (``object.__setattr__``
    each), through each slot's own setter: half the time at 30,000 records. The classes
    have no ``__post_init__`` (checked here), so the record is the one ``__init__`` makes."""
    if hasattr(cls, "__post_init__") or not hasattr(cls, "__slots__"):
        raise TypeError(f"{cls.__name__}: the decoder sets slots, as __init__ would")
    namespace: dict[str, Any] = {"new": object.__new__, "cls": cls}
    lines = []
    position = 0
    for number, f in enumerate(fields(cls)):
        namespace[f"set{number}"] = getattr(cls, f.name).__set__  # the slot's setter
        if f.name in ("slug", "source"):
            lines.append(f"    set{number}(record, {f.name})\n")
            continue
        _, default, codec = specs[position]
        value = expression = f"v{position}"
        if codec is not None:
            namespace[f"decode{position}"] = codec[1]
            expression = f"decode{position}({value})"
        if default is not MISSING and (default is not None or codec is not None):
            namespace[f"default{position}"] = default
            expression = f"(default{position} if {value} is None else {expression})"
        lines.append(f"    set{number}(record, {expression})\n")
        position += 1
    unpack = "".join(f"v{n}, " for n in range(position))
    source = (
        "def decode(slug, source, values):\n"
        f"    {unpack}= values\n"
        "    record = new(cls)\n"
        f"{''.join(lines)}"
        "    return record\n"
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


def _source_maker() -> Callable[[Path, Any, int, Any], Source]:
    """``Source(path, locations, body_line, keys)``, its slots set as ``_decoder`` sets a
    record's (a frozen class's ``__init__`` costs twice as much, 30,000 times)."""
    new, names = object.__new__, [f.name for f in fields(Source)]
    if names != ["path", "locations", "body_line", "keys"] or hasattr(Source, "__post_init__"):
        raise TypeError("Source changed: make it as its __init__ does")
    at_path, at_locations, at_line, at_keys = (getattr(Source, n).__set__ for n in names)

    def source(path: Path, locations: Any, body_line: int, keys: Any) -> Source:
        made = new(Source)
        at_path(made, path)
        at_locations(made, locations)
        at_line(made, body_line)
        at_keys(made, keys)
        return made

    return source


_new_source = _source_maker()


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


class Ahead(NamedTuple):
    """The entries of one folder ``DiskCache.ahead`` decoded, in the cache's order: each
    one's key, entry, and what it gives (None: not an entry this code wrote)."""

    keys: list[str]
    entries: list[Entry]
    reads: list[FileRead | None]


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
        # The entries of each folder (contacts, orgs, log) decoded by ``ahead``, in order
        self._ahead: dict[str, Ahead] = {}
        # Where locations a problem asked for are kept from, at ``finish``: (key, record)
        # of each file parsed this load, and the maps of cached records that were asked.
        self._records: list[tuple[str, Record]] = []
        self._asked: list[LazyMap] = []
        #: what each record's file alone gives the checks between records, this load
        self.file_keys = FileKeys()
        #: the lookups the last load's checks between records used, for ``link`` to reuse
        #: (None when it ran none)
        self.index: Index | None = None

    @cached_property
    def code(self) -> list[Any]:
        """The code this cache is valid for (``code_signature``), worked out once."""
        return code_signature()

    @cached_property
    def cached(self) -> dict[str, Entry]:
        """The entries on disk, read when first needed."""
        # Read inside ``load``, whose collector is off: the file decodes into a million
        # objects at 10,000 people.
        return _read_cache(self.root / CACHE_FILE, self.code)

    @cached_property
    def checked(self) -> Checked:
        """Nothing of validate's to reuse: the checks between records run every time
        (the lookups they build are handed on to ``index``)."""
        return Checked(reuse=False)

    def recall(self, folder: str, key: str, where: str, signature: str) -> FileRead | None:
        """The file's record and problems from the cache, if it had ``signature`` then."""
        entry = self.cached.get(key)
        if entry is None or type(entry) is not list or not entry or entry[0] != signature:
            return None
        parent, _, name = where.rpartition(os.sep)
        read = self._read_entry(_CLASSES[folder], key, self._folder(parent), name, entry)
        if read is not None:
            self.fresh[key] = entry
        return read

    def _folder(self, where: str) -> Path:
        """The Path of the folder at ``where``, made once."""
        path = self._folders.get(where)
        if path is None:
            path = self._folders[where] = Path(where)
        return path

    def stored_bytes(self) -> int:
        """The size of the cache file (0 when there is none), before it is read."""
        try:
            return (self.root / CACHE_FILE).stat().st_size
        except OSError:
            return 0

    def ahead(self, folders: tuple[str, ...]) -> None:
        """Decode the records of every entry of ``folders`` now, before a walk says which
        files are still as they were (``load`` walks in another process meanwhile);
        ``recall_walked`` takes those whose file has its signature still. An entry of a
        file that is gone, or changed, is decoded for nothing: its record is never in the
        network, and what ``file_keys`` holds of it (by the record) is never looked up.
        A planted entry is decoded too, so decoding is safe whatever an entry holds."""
        decoded = self._ahead = {folder: Ahead([], [], []) for folder in folders}
        root, read_entry = str(self.root), self._read_entry
        last, cls, parent, into = None, None, self.root, None  # of the entry before
        for key, entry in self.cached.items():
            folder, _, name = key.rpartition("/")
            if folder != last:  # the entries of one folder come together (walk order)
                last, top = folder, folder.partition("/")[0]
                into, cls = decoded.get(top), _CLASSES.get(top)
                parent = self._folder(f"{root}/{folder}")
            if into is None or cls is None:
                continue
            read = None
            if type(entry) is list and entry and type(entry[0]) is str:
                read = read_entry(cls, key, parent, name, entry)
            into.keys.append(key)
            into.entries.append(entry)
            into.reads.append(read)

    def recall_walked(
        self, folder: str, keys: list[str], signatures: list[str | None]
    ) -> list[FileRead | None]:
        """``recall_all`` of a walk given as the keys and signatures of its files (sent by
        a forked child, ``loader.Sent``), after ``ahead``: None for a file whose record was
        not decoded ahead with that signature."""
        ahead = self._ahead.get(folder)
        if ahead is None:
            return [None] * len(keys)
        if keys != ahead.keys:  # files added, gone or renamed: found by key
            by_key = dict(
                zip(ahead.keys, zip(ahead.entries, ahead.reads, strict=True), strict=True)
            )
            found = [by_key.get(key, (None, None)) for key in keys]
            ahead = Ahead(keys, [entry for entry, _ in found], [read for _, read in found])
        # Else the cache holds the files in the walk's order (it was written in it): compared
        # side by side, and the keys need not be hashed again (30,000 at 10,000 people).
        reads: list[FileRead | None] = [
            read if read is not None and entry[0] == signature else None
            for read, entry, signature in zip(ahead.reads, ahead.entries, signatures, strict=True)
        ]
        if None in reads:
            kept = zip(ahead.keys, ahead.entries, reads, strict=True)
            self.fresh.update((key, entry) for key, entry, read in kept if read is not None)
        else:  # every file as it was: the usual warm run
            self.fresh.update(zip(ahead.keys, ahead.entries, strict=True))
        return reads

    def recall_all(self, folder: str, files: Found) -> list[FileRead | None]:
        """``recall`` of every file of ``_walk(..., with_stat=True)`` in ``folder``, in
        order: None for a file it does not hold as it is now (or that has no stat). One
        call for a folder's 20,000 files, and no path parsed again."""
        cls, stored, fresh, read_entry = _CLASSES[folder], self.cached, self.fresh, self._read_entry
        reads: list[FileRead | None] = []
        for key, _where, parent, name, signature in files:
            entry = stored.get(key)
            if signature is None or type(entry) is not list or not entry or entry[0] != signature:
                reads.append(None)
                continue
            read = read_entry(cls, key, parent, name, entry)
            if read is not None:
                fresh[key] = entry
            reads.append(read)
        return reads

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
        path = Path(where)
        read = self._read_entry(_CLASSES[folder], key, path.parent, path.name, entry)
        if read is not None:
            self.fresh[key] = entry
            self.changed = True
        return read

    def _read_entry(
        self, cls: type, key: str, parent: Path, name: str, entry: Any
    ) -> FileRead | None:
        """What ``entry`` holds of the file ``name`` in ``parent`` (a record of ``cls``);
        None when it is not an entry this code wrote."""
        try:
            _, body_line, values, listed, targets, located, person = entry
            path = child_path(parent, name)
            record = None
            if values is not None:
                if located is None:
                    locations, keys = LazyMap.in_file(path, self._asked)
                else:
                    locations, keys = _from_located(located[0]), _from_located(located[1])
                if type(body_line) is not int:
                    raise TypeError("not a line")
                source = _new_source(path, locations, body_line, keys)
                record = _DECODERS[cls](name[:-3], source, values)
            problems = tuple([_problem(path, p) for p in listed]) if listed else ()
            if targets is not None:
                _texts(targets)
            if person is not None:
                alone, at_names, names, index_names = person
                _texts(alone), _texts(at_names), _texts(names), _texts(index_names)
        except (LookupError, TypeError, ValueError, ArithmeticError, RecursionError):
            # An entry this code did not write (a date past the calendar's end, a value
            # nested a thousand deep: the cache is a file anyone may have planted, and
            # ``ahead`` decodes entries of files that do not exist): parse the file instead.
            return None
        if record is not None:
            known = self.file_keys
            known.owners.append(record)
            if targets:
                known.targets[id(record)] = targets
            if person is not None:
                known.identities[id(record)] = (alone, at_names, names)
                known.names[id(record)] = index_names
        return _file_read(FileRead, (path, record, problems))

    def signatures(self) -> dict[str, str]:
        """The signature of every file the last load read, by key (kept by ``finish``)."""
        return {
            key: entry[0]
            for key, entry in self.cached.items()
            if type(entry) is list and entry and type(entry[0]) is str
        }

    def remember(self, key: str, signature: str, read: FileRead) -> FileRead:
        """Keep a freshly parsed file."""
        self.changed = True
        listed = _listed(read.problems) or None
        record = read.record
        if record is None:
            self.fresh[key] = [signature, 0, None, listed, None, None, None]
            return read
        number, known = id(record), self.file_keys
        known.owners.append(record)
        targets = known.targets[number] = wikilink_targets(record.body)
        person = None
        if isinstance(record, Person):
            identity = known.identities[number] = own_keys(Lookalike.of(record))
            names = known.names[number] = person_name_keys(record)
            person = [*identity, names]
        try:
            encoded = _encode(record)
        except _Uncacheable:  # never matches: parsed again next time
            self.fresh[key] = ["", 0, None, listed, None, None, None]
        else:
            body_line = record.source.body_line
            kept = [signature, body_line, encoded, listed, targets or None, None, person]
            self.fresh[key] = kept
        self._records.append((key, record))
        return read

    def finish(self, folders: tuple[str, ...]) -> None:
        """Keep the field locations problems asked for, and write the cache back if
        anything changed; the entries of folders not read this time stay."""
        if any(folder not in folders for folder in _CLASSES):
            for key, entry in self.cached.items():
                if key.split("/", 1)[0] not in folders:
                    self.fresh[key] = entry
        memo = self.__dict__.get("checked")
        self._keep_locations()
        if self.changed or len(self.fresh) != len(self.cached):
            _write_cache(self.root, self.code, self.fresh)
        self.cached = self.fresh
        self.index = memo.index if memo is not None else None
        self.fresh, self.changed = {}, False
        self._records, self._asked, self.file_keys, self._ahead = [], [], FileKeys(), {}
        self.__dict__.pop("checked", None)

    def _keep_locations(self) -> None:
        """Keep the field locations a problem asked for (a possible duplicate, a
        contradiction: found again on every run), so the next run need not read the
        file for them."""
        found: list[tuple[str, Located, Located]] = []
        for key, record in self._records:  # parsed this time
            source = record.source
            values, keys = _located(source.locations), _located(source.keys)
            if values is not None and keys is not None:  # both are worked out together
                found.append((key, values, keys))
        for asked in self._asked:  # from this cache, and asked for since
            path, values, keys = asked.worked_out()
            if path.is_relative_to(self.root):  # the key ``load`` found it by
                found.append((path.relative_to(self.root).as_posix(), values, keys))
        for key, values, keys in found:
            entry = self.fresh.get(key)
            if entry is not None and entry[_FIELDS_AT] is not None:
                entry[_LOCATED] = [_to_located(values), _to_located(keys)]
                self.changed = True


_file_read = tuple.__new__  # FileRead(...) without its __new__ in Python: 30,000 of them


def _texts(values: list[str]) -> None:
    """TypeError unless ``values`` is a list of text (as ``remember`` writes them)."""
    if type(values) is not list:
        raise TypeError("not a list")
    "".join(values)  # a TypeError for anything but text, at C speed


def _listed(problems: Iterable[Problem]) -> list[list[Any]]:
    """Problems as JSON; their path is the file's own."""
    return [[p.line, p.column, p.code, str(p.severity), p.message] for p in problems]


def _read_cache(path: Path, code: list[Any]) -> dict[str, Entry]:
    """The entries by key; none when the file is missing, broken or of other code."""
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}  # no cache yet, or a broken one: parse everything
    if isinstance(data, dict) and data.get("code") == code:
        files = data.get("files")
        if isinstance(files, dict):
            return files
    return {}  # a cache of other code, or not netkb's: parse everything


def _write_cache(root: Path, code: list[Any], files: dict[str, Entry]) -> None:
    try:
        data = orjson.dumps({"code": code, "files": files})
    except TypeError:  # a value orjson cannot write slipped through: no cache this time
        return
    from netkb.core.write import OwnedFolder  # only when something changed

    try:
        OwnedFolder(root / CACHE_DIR, inside=root).write("records.json", data)
    except OSError:
        return  # a read-only knowledge base: the next run parses again, nothing is lost


def _problem(path: Path, listed: list[Any]) -> Problem:
    line, column, code, severity, message = listed
    return Problem(path, line, column, code, Severity(severity), message)
