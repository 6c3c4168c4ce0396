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

The disk cache is JSON, never pickle: a knowledge base is a git repository someone
else may have written, and a planted cache must not be able to run code. It is
rebuilt whenever netkb's code changes (``code_signature``: netkb's version and a
digest of every module's name, size and time, wherever it lives in the package). A
cache that cannot be written (read-only folder) only costs speed.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import operator
import os
from collections.abc import Callable, Iterable
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any

import netkb
from netkb import __version__
from netkb.core.problems import Problem, Severity
from netkb.core.records import Birthday, Cadence, Interaction, Organisation, Person, Source
from netkb.core.write import OwnedFolder
from netkb.load.frontmatter import LazyMap, Locations
from netkb.load.loader import LOG_DIR, ORGS_DIR, PEOPLE_DIR, FileRead, Record
from netkb.load.validate import Checked

CACHE_DIR = ".netkb/cache"
CACHE_FILE = f"{CACHE_DIR}/records.json"
FORMAT = 3  # of the JSON below; a change to it or to any module makes a new cache

# [signature, record or None, problems, problems against the lookups (None: not checked)]
Entry = list[Any]


class _Uncacheable(Exception):
    """A value the JSON encoding does not cover: the file is parsed on every run."""


# -- values -----------------------------------------------------------------------------


def _texts(value: tuple[str, ...]) -> list[str]:
    return list(value)


def _date(value: dt.date) -> int:
    return value.toordinal()


def _yaml_value(value: Any) -> Any:
    """A front matter value as JSON; dates, date-times and mappings are tagged."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, list):
        return [_yaml_value(v) for v in value]
    if isinstance(value, dict):
        return {"m": [[_yaml_value(k), _yaml_value(v)] for k, v in value.items()]}
    raise _Uncacheable(type(value).__name__)


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


# (encode, decode) for the fields that are not a plain str/int/bool/None: by name, and
# by declared type for the rest, so a list or date field added to the records later is
# cached without a change here.
_TEXTS = (_texts, tuple)
_DATE = (_date, dt.date.fromordinal)
_BY_TYPE: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "tuple[str, ...]": _TEXTS,
    "dt.date": _DATE,
    "dt.date | None": _DATE,
}
_CODECS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
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
# Every field but ``slug`` and ``source`` (those come from the file's path), in order,
# with its default (MISSING: required) and codec.
_FIELDS = {
    cls: [
        (f.name, f.default, _CODECS.get(f.name) or _BY_TYPE.get(str(f.type)))
        for f in fields(cls)
        if f.name not in ("slug", "source")
    ]
    for cls in (Person, Interaction, Organisation)
}


# Per class: every field's value in one call, and (name, default, codec) in that order.
_GETTERS = {
    cls: operator.attrgetter(*(name for name, _, _ in specs)) for cls, specs in _FIELDS.items()
}


def _encode(record: Person | Interaction | Organisation) -> list[Any]:
    """The record as a JSON list: ``[body line, mask, value…]``, one value per field
    whose bit is set in the mask; fields left at their default are left out."""
    mask = 0
    values: list[Any] = [record.source.body_line, 0]
    specs = _FIELDS[type(record)]
    for bit, value in enumerate(_GETTERS[type(record)](record)):
        name, default, codec = specs[bit]
        if value == default and default is not MISSING:
            continue
        mask |= 1 << bit
        if codec is not None:
            values.append(None if value is None else codec[0](value))
        elif value is None or isinstance(value, str | bool | int):
            values.append(value)
        else:  # a field of a type this module does not know
            raise _Uncacheable(name)
    values[1] = mask
    return values


Layout = tuple[tuple[str, ...], tuple[tuple[int, Callable[[Any], Any]], ...]]


@functools.cache
def _layout(cls: type, mask: int) -> Layout:
    """The names of the fields a mask says are written, and (position, decoder) of those
    that need decoding."""
    written = [
        (name, codec) for bit, (name, _, codec) in enumerate(_FIELDS[cls]) if mask >> bit & 1
    ]
    names = tuple(name for name, _ in written)
    decoders = tuple((n, codec[1]) for n, (_, codec) in enumerate(written) if codec is not None)
    return names, decoders


def _decode(cls: type, slug: str, path: Path, encoded: list[Any]) -> Any:
    names, decoders = _layout(cls, encoded[1])
    values = encoded[2:]
    for position, decode in decoders:
        if values[position] is not None:
            values[position] = decode(values[position])
    where = Locations.in_file(path)
    source = Source(path, LazyMap(where, "values"), encoded[0], LazyMap(where, "keys"))
    return cls(slug=slug, source=source, **dict(zip(names, values, strict=True)))


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
    included (read from the file when first asked), so ``load`` gives the same network
    and the same problems with it or without it.
    """

    keeps_locations = True

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.fresh: dict[str, Entry] = {}
        self.changed = False
        self._folders: dict[str, Path] = {}
        # id(record) → its file's key: validate's memo is by record, the file by key.
        self._keys: dict[int, str] = {}
        # The records whose cross-record problems came from the file, unchanged.
        self._checked_before: set[int] = set()

    @functools.cached_property
    def code(self) -> list[Any]:
        """The code this cache is valid for (``code_signature``), worked out once."""
        return code_signature()

    @functools.cached_property
    def _stored(self) -> tuple[dict[str, Entry], str | None]:
        # Read inside ``load``, whose collector is off: the file decodes into a million
        # objects at 10,000 people.
        return _read_cache(self.root / CACHE_FILE, self.code)

    @property
    def cached(self) -> dict[str, Entry]:
        """The entries on disk, read when first needed."""
        return self._stored[0]

    @functools.cached_property
    def checked(self) -> Checked:
        """validate's memo as the last check left it: filled by ``recall`` with the
        cross-record problems of each unchanged record, valid for the lookups whose
        digest the file holds."""
        return Checked(key=self._stored[1])

    def recall(self, folder: str, key: str, where: str, signature: str) -> FileRead | None:
        """The file's record and problems from the cache, if it had ``signature`` then."""
        entry = self.cached.get(key)
        if entry is None or entry[0] != signature:
            return None
        # A Path made from its folder's (kept) Path parses only the file name: a quarter
        # of what Path(where) costs, and this runs for every file of the KB.
        parent, _, name = where.rpartition(os.sep)
        folder_path = self._folders.get(parent)
        if folder_path is None:
            folder_path = self._folders[parent] = Path(parent)
        path = folder_path / name
        try:
            record = None
            if entry[1] is not None:
                record = _decode(_CLASSES[folder], name[:-3], path, entry[1])
            problems = tuple(_problem(path, p) for p in entry[2]) if entry[2] else ()
            checked = [_problem(path, p) for p in entry[3]] if entry[3] else entry[3]
        except (LookupError, TypeError, ValueError):
            return None  # an entry this code did not write: parse the file instead
        if record is not None:
            self._keys[id(record)] = key
            if checked is not None:
                self.checked.found[id(record)] = (record, checked)
                self._checked_before.add(id(record))
        self.fresh[key] = entry
        return FileRead(path, record, problems)

    def signatures(self) -> dict[str, str]:
        """The signature of every file the last load read, by key (kept by ``finish``)."""
        return {key: entry[0] for key, entry in self._stored[0].items()}

    def remember(self, key: str, signature: str, read: FileRead) -> FileRead:
        """Keep a freshly parsed file."""
        self.changed = True
        listed = _listed(read.problems)
        record = read.record
        if record is None:
            self.fresh[key] = [signature, None, listed, None]
            return read
        try:
            self.fresh[key] = [signature, _encode(record), listed, None]
        except _Uncacheable:
            self.fresh[key] = ["", None, listed, None]  # never matches: parsed again next time
        self._keys[id(record)] = key
        return read

    def finish(self, folders: tuple[str, ...]) -> None:
        """Keep what validate found for each record (when it ran), and write the cache
        back if anything changed; the entries of folders not read this time stay."""
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
                key = self._keys.get(identity)
                if identity in self._checked_before or key is None:
                    continue
                entry = self.fresh.get(key)
                if entry is not None and entry[1] is not None:
                    self.fresh[key] = [*entry[:3], _listed(found)]
                    self.changed = True
        if self.changed or len(self.fresh) != len(self.cached):
            _write_cache(self.root, self.code, self.fresh, lookups)
        self._stored = (self.fresh, lookups)
        self.fresh, self.changed = {}, False
        self._keys, self._checked_before = {}, set()
        self.__dict__.pop("checked", None)


def _listed(problems: Iterable[Problem]) -> list[list[Any]]:
    """Problems as JSON; their path is the file's own."""
    return [[p.line, p.column, p.code, str(p.severity), p.message] for p in problems]


def _read_cache(path: Path, code: list[Any]) -> tuple[dict[str, Entry], str | None]:
    """(entries by key, the digest of the lookups they were checked against)."""
    try:
        data = json.loads(path.read_bytes())
        if isinstance(data, dict) and data.get("code") == code:
            files, lookups = data.get("files"), data.get("lookups")
            if isinstance(files, dict):
                return files, lookups if isinstance(lookups, str) else None
    except (OSError, ValueError):
        return {}, None  # no cache yet, or a broken one: parse everything
    return {}, None  # a cache of other code, or not netkb's: parse everything


def _write_cache(root: Path, code: list[Any], files: dict[str, Entry], lookups: str | None) -> None:
    data = json.dumps(
        {"code": code, "lookups": lookups, "files": files},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    try:
        OwnedFolder(root / CACHE_DIR, inside=root).write("records.json", data.encode("utf-8"))
    except OSError:
        return  # a read-only knowledge base: the next run parses again, nothing is lost


def _problem(path: Path, listed: list[Any]) -> Problem:
    line, column, code, severity, message = listed
    return Problem(path, line, column, code, Severity(severity), message)
