"""Load records fast for the everyday commands, re-parsing only files that changed.

``netkb due``, ``show``, ``find``, ``path``, ``stats`` and ``log`` read every
contact and log file. Parsing 60,000 front matters takes seconds even with
libyaml, and between two runs almost none of them changed. ``load_records``
keeps what each file parsed into in ``.netkb/cache/records.json``, keyed by
the file's size, inode and times, and parses again only new and changed files.

What it returns is what ``loader.load`` returns, with two differences:

- cross-file checks (unknown slugs, colliding slugs, wikilinks) are not run,
  so ``problems`` holds only what each file says about itself; of two files
  whose slugs collide the first is kept, as the loader does; ``netkb check``
  remains the place for the whole picture;
- records carry no field locations (``source.locations`` is empty).

The cache is JSON, never pickle: a knowledge base is a git repository someone
else may have written, and a planted cache must not be able to run code. It
is rebuilt whenever netkb's parsing code changes. A cache that cannot be
written (read-only folder) only costs speed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import MISSING, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

from netkb import __version__
from netkb.frontmatter import read_document
from netkb.links import slug_key
from netkb.loader import CONFIG, LOG_DIR, ORGS_DIR, PEOPLE_DIR, markdown_files
from netkb.problems import Problem, Severity, sort_key
from netkb.records import Birthday, Cadence, Interaction, Network, Organisation, Person, Source
from netkb.schema import interaction_from, organisation_from, person_from
from netkb.settings import read_settings

CACHE_FILE = ".netkb/cache/records.json"
FORMAT = 1
# The modules whose change can change what a file parses into.
_CODE = ("frontmatter.py", "schema.py", "ranges.py", "slugs.py", "records.py", "cache.py")

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


# -- files ------------------------------------------------------------------------------


class _Symlink(Exception):
    """A symlink under a folder: the loader's own walk decides what to do with it."""


Listing = list[tuple[str, Path, os.stat_result]]  # (path relative to the KB, path, stat)


def _listing(root: Path, folder: str, problems: list[Problem]) -> Listing:
    """The folder's .md files in the loader's order, with their stat results."""
    top = root / folder
    try:
        return _scan(top, folder) if not top.is_symlink() else _slow(root, folder, problems)
    except _Symlink:
        return _slow(root, folder, problems)


def _scan(top: Path, relative: str) -> Listing:
    """Like ``loader.markdown_files`` (same files, same order) for a folder without symlinks."""
    found: Listing = []

    def visit(folder: Path, relative: str) -> None:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
        subfolders = []
        for entry in entries:
            name = entry.name
            if entry.is_symlink():
                raise _Symlink(entry.path)
            if entry.is_dir():
                if not name.startswith("."):
                    subfolders.append(name)
            elif name.endswith(".md") and not name.startswith("."):
                found.append((f"{relative}/{name}", folder / name, entry.stat()))
        for name in subfolders:
            visit(folder / name, f"{relative}/{name}")

    if top.is_dir():
        visit(top, relative)
    return found


def _slow(root: Path, folder: str, problems: list[Problem]) -> Listing:
    return [
        (path.relative_to(root).as_posix(), path, path.stat())
        for path in markdown_files(root, folder, problems)
    ]


def _signature(stat: os.stat_result) -> str:
    """What changes when a file is edited, replaced or renamed over."""
    return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}"


def _code_signature() -> list[Any]:
    package = Path(__file__).parent
    stats = [(package / name).stat() for name in _CODE]
    return [FORMAT, __version__, *([s.st_size, s.st_mtime_ns] for s in stats)]


def _read_cache(path: Path, code: list[Any]) -> dict[str, Entry]:
    try:
        data = json.loads(path.read_bytes())
        if isinstance(data, dict) and data.get("code") == code:
            files = data.get("files")
            return files if isinstance(files, dict) else {}
    except (OSError, ValueError):
        return {}  # no cache yet, or a broken one: parse everything
    return {}


def _write_cache(path: Path, code: list[Any], files: dict[str, Entry]) -> None:
    data = json.dumps({"code": code, "files": files}, ensure_ascii=False, separators=(",", ":"))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".records.", suffix=".tmp")
    except OSError:
        return  # a read-only knowledge base: the next run parses again, nothing is lost
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8"))
        os.replace(temp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temp)


# -- loading ----------------------------------------------------------------------------

_MAKERS: dict[str, tuple[type, Callable[..., Any]]] = {
    PEOPLE_DIR: (Person, person_from),
    ORGS_DIR: (Organisation, organisation_from),
    LOG_DIR: (Interaction, interaction_from),
}


ALL_FOLDERS = (PEOPLE_DIR, ORGS_DIR, LOG_DIR)


def load_records(
    root: Path, use_cache: bool = True, folders: tuple[str, ...] = ALL_FOLDERS
) -> Network:
    """Every record of the KB at ``root`` with each file's own problems (see module doc).

    ``folders`` limits what is read: ``netkb find`` needs no log/, which holds most files.
    """
    enabled = gc.isenabled()
    gc.disable()  # a million new objects and no cycles: collecting now is wasted time
    try:
        return _load(root.resolve(), use_cache, folders)
    finally:
        if enabled:
            gc.enable()


def _load(root: Path, use_cache: bool, folders: tuple[str, ...]) -> Network:
    problems: list[Problem] = []
    settings, setting_problems = read_settings(root / CONFIG)
    problems += setting_problems
    code = _code_signature()
    cache_path = root / CACHE_FILE
    cached = _read_cache(cache_path, code) if use_cache else {}
    unread = tuple(f"{folder}/" for folder in _MAKERS if folder not in folders)
    # The entries of folders not read this time stay in the cache as they are.
    fresh: dict[str, Entry] = {k: e for k, e in cached.items() if unread and k.startswith(unread)}
    records: dict[str, list[tuple[str, Any]]] = {folder: [] for folder in _MAKERS}
    changed = False
    for folder, (cls, make) in _MAKERS.items():
        if folder not in folders:
            continue
        found: list[tuple[str, Any]] = []
        for key, path, stat in _listing(root, folder, problems):
            signature = _signature(stat)
            entry = cached.get(key)
            if entry is not None and entry[0] == signature:
                record = None
                if entry[1] is not None:
                    record = _decode(cls, key.rpartition("/")[2][:-3], path, entry[1])
            else:
                entry, record = _parse(path, make, signature)
                changed = True
            if record is not None:
                found.append((key, record))
            fresh[key] = entry
            if entry[2]:
                problems += (_problem(path, p) for p in entry[2])
        records[folder] = found
    if use_cache and (changed or len(fresh) != len(cached)):
        _write_cache(cache_path, code, fresh)
    taken: set[str] = set()
    people = _first_of_each_slug(records[PEOPLE_DIR], taken)
    organisations = _first_of_each_slug(records[ORGS_DIR], taken)
    interactions = sorted(records[LOG_DIR], key=lambda pair: (pair[1].date, pair[0]))
    problems.sort(key=sort_key)
    return Network(
        root=root,
        people=MappingProxyType(people),
        organisations=MappingProxyType(organisations),
        interactions=tuple(record for _, record in interactions),
        settings=settings,
        problems=tuple(problems),
    )


def _parse(path: Path, make: Callable[..., Any], signature: str) -> tuple[Entry, Any]:
    """Parse one file the way the loader does: its cache entry and its record (or None)."""
    problems: list[Problem] = []
    doc = read_document(path)
    problems += doc.problems
    record = make(doc, path.stem, problems) if doc.meta is not None else None
    listed = [[p.line, p.column, p.code, str(p.severity), p.message] for p in problems]
    if record is not None:  # as it comes from the cache: without field locations
        source = Source(path=record.source.path, body_line=record.source.body_line)
        record = dataclasses.replace(record, source=source)
    try:
        encoded = _encode(record) if record is not None else None
    except _Uncacheable:
        return ["", None, listed], record  # never matches: parsed again next time
    return [signature, encoded, listed], record


def _first_of_each_slug(records: list[tuple[str, Any]], taken: set[str]) -> dict[str, Any]:
    """Records by slug; of colliding slugs the first wins, as in the loader (which reports it)."""
    result = {}
    for _, record in records:
        key = slug_key(record.slug)
        if key not in taken:
            taken.add(key)
            result[record.slug] = record
    return result


def _problem(path: Path, listed: list[Any]) -> Problem:
    line, column, code, severity, message = listed
    return Problem(path, line, column, code, Severity(severity), message)
