"""The caches ``loader.load`` can read records through: a file is parsed again only when
its size, times or inode changed.

- ``MemoryCache``: in one process (``netkb serve``); records keep their field locations,
  validate's memo is kept too, and with ``keep_last_good`` a file that no longer parses
  still gives the record it last gave, so the site keeps its page.
- ``DiskCache``: ``.netkb/cache/records.json``, between runs of the everyday commands
  (``due``, ``show``, ``find``, ``path``, ``stats``, ``log``). Parsing 60,000 front
  matters takes seconds even with libyaml, and between two runs almost none of them
  changed. Its records carry no field locations (``source.locations`` is empty), so
  ``load`` runs it without the cross-record checks; ``netkb check`` gives the whole
  picture.

The disk cache is JSON, never pickle: a knowledge base is a git repository someone
else may have written, and a planted cache must not be able to run code. It is
rebuilt whenever netkb's code changes (``code_signature``: netkb's version and a
digest of every module's name, size and time, wherever it lives in the package). A
cache that cannot be written (read-only folder) only costs speed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

import netkb
from netkb import __version__
from netkb.core.problems import Problem, Severity
from netkb.core.records import Birthday, Cadence, Interaction, Organisation, Person, Source
from netkb.core.write import OwnedFolder
from netkb.load.loader import LOG_DIR, ORGS_DIR, PEOPLE_DIR, FileRead, Record
from netkb.load.validate import Checked

CACHE_DIR = ".netkb/cache"
CACHE_FILE = f"{CACHE_DIR}/records.json"
FORMAT = 2  # of the JSON below; a change to it or to any module makes a new cache

Entry = list[Any]  # [signature, record or None, problems]


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


# (encode, decode) for every field that is not a plain str/int/bool/None.
_TEXTS = (_texts, tuple)
_DATE = (_date, dt.date.fromordinal)
_CODECS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    **dict.fromkeys(
        ("aliases", "email", "phone", "links", "tags", "expertise", "interests", "qualities"),
        _TEXTS,
    ),
    "with_": _TEXTS,
    "date": _DATE,
    "met": _DATE,
    "last_contact": _DATE,
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
        (f.name, f.default, _CODECS.get(f.name))
        for f in fields(cls)
        if f.name not in ("slug", "source")
    ]
    for cls in (Person, Interaction, Organisation)
}


def _encode(record: Person | Interaction | Organisation) -> list[Any]:
    """The record as a JSON list: ``[body line, mask, value…]``, one value per field
    whose bit is set in the mask; fields left at their default are left out."""
    mask = 0
    values: list[Any] = []
    for bit, (name, default, codec) in enumerate(_FIELDS[type(record)]):
        value = getattr(record, name)
        if value == default and default is not MISSING:
            continue
        mask |= 1 << bit
        if codec is not None:
            values.append(None if value is None else codec[0](value))
        elif value is None or isinstance(value, str | bool | int):
            values.append(value)
        else:  # a field added to the records since this module was written
            raise _Uncacheable(name)
    return [record.source.body_line, mask, *values]


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


# Cached records know no field locations: every Source shares one empty mapping for them.
_NOWHERE: dict[str, Any] = {
    f.name: MappingProxyType({}) for f in fields(Source) if f.name in ("locations", "keys")
}


def _decode(cls: type, slug: str, path: Path, encoded: list[Any]) -> Any:
    names, decoders = _layout(cls, encoded[1])
    values = encoded[2:]
    for position, decode in decoders:
        if values[position] is not None:
            values[position] = decode(values[position])
    source = Source(path=path, body_line=encoded[0], **_NOWHERE)
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

    Read when made; ``finish`` (called by ``load``) writes it back when anything changed.
    Its records carry no field locations, whether they came from the file or were just
    parsed, so a command gives the same output either way.
    """

    keeps_locations = False
    checked: Checked | None = None

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.fresh: dict[str, Entry] = {}
        self.changed = False
        self._folders: dict[str, Path] = {}

    @functools.cached_property
    def code(self) -> list[Any]:
        """The code this cache is valid for (``code_signature``), worked out once."""
        return code_signature()

    @functools.cached_property
    def cached(self) -> dict[str, Entry]:
        """The entries on disk, read when first needed: inside ``load``, whose collector
        is off (the file decodes into a million objects at 10,000 people)."""
        return _read_cache(self.root / CACHE_FILE, self.code)

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
        record = None
        if entry[1] is not None:
            record = _decode(_CLASSES[folder], key.rpartition("/")[2][:-3], path, entry[1])
        self.fresh[key] = entry
        problems = tuple(_problem(path, p) for p in entry[2]) if entry[2] else ()
        return FileRead(path, record, problems)

    def remember(self, key: str, signature: str, read: FileRead) -> FileRead:
        """Keep a freshly parsed file; the record comes back without field locations."""
        self.changed = True
        listed = [[p.line, p.column, p.code, str(p.severity), p.message] for p in read.problems]
        record = read.record
        if record is None:
            self.fresh[key] = [signature, None, listed]
            return read
        source = Source(path=record.source.path, body_line=record.source.body_line)
        record = dataclasses.replace(record, source=source)
        try:
            self.fresh[key] = [signature, _encode(record), listed]
        except _Uncacheable:
            self.fresh[key] = ["", None, listed]  # never matches: parsed again next time
        return FileRead(read.path, record, read.problems)

    def finish(self, folders: tuple[str, ...]) -> None:
        """Write the cache back if a file changed, came or went; the entries of folders
        not read this time stay as they are."""
        if any(folder not in folders for folder in _CLASSES):
            for key, entry in self.cached.items():
                if key.split("/", 1)[0] not in folders:
                    self.fresh[key] = entry
        if self.changed or len(self.fresh) != len(self.cached):
            _write_cache(self.root, self.code, self.fresh)
        self.cached, self.fresh, self.changed = self.fresh, {}, False


def _read_cache(path: Path, code: list[Any]) -> dict[str, Entry]:
    try:
        data = json.loads(path.read_bytes())
        if isinstance(data, dict) and data.get("code") == code:
            files = data.get("files")
            return files if isinstance(files, dict) else {}
    except (OSError, ValueError):
        return {}  # no cache yet, or a broken one: parse everything
    return {}


def _write_cache(root: Path, code: list[Any], files: dict[str, Entry]) -> None:
    data = json.dumps({"code": code, "files": files}, ensure_ascii=False, separators=(",", ":"))
    try:
        OwnedFolder(root / CACHE_DIR, inside=root).write("records.json", data.encode("utf-8"))
    except OSError:
        return  # a read-only knowledge base: the next run parses again, nothing is lost


def _problem(path: Path, listed: list[Any]) -> Problem:
    line, column, code, severity, message = listed
    return Problem(path, line, column, code, Severity(severity), message)
