"""Load a knowledge base from disk: every record, the settings, and every problem.

``load`` is the one way netkb reads a KB; ``check``, ``build``, ``serve`` and the
everyday commands all call it. What differs between them are options, not copies:

- ``cache``: where the records of unchanged files come from (``netkb.load.cache``): kept in
  memory by ``netkb serve``, in ``.netkb/cache/records.json`` by the everyday commands.
  A file is parsed again when its size, times or inode changed. Through a big disk cache
  the folders are walked in a forked child while the cache's records are decoded here.
- ``folders``: which of contacts/, orgs/ and log/ to read (``netkb find`` needs no log/).
- ``cross_checks``: whether to run the checks between records (``validate``); the
  everyday commands leave them to ``netkb check``.

``load_edits`` is the fast path of ``netkb serve``: the last network with a few edited
files read again, when the edit cannot change which files make up the network.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator
from operator import attrgetter, itemgetter
from pathlib import Path
from stat import S_ISDIR, S_ISLNK
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol, TypeVar, cast

from netkb.core.problems import Problem, display_path, error, sort_key, warning
from netkb.core.records import Interaction, Network, Organisation, Person
from netkb.core.references import Index, slug_key
from netkb.load.frontmatter import read_document
from netkb.load.settings import read_settings
from netkb.load.validate import Checked, check_records, neutralised, validate

CONFIG = "mkdocs.yml"
PEOPLE_DIR = "contacts"
ORGS_DIR = "orgs"
LOG_DIR = "log"
ALL_FOLDERS = (PEOPLE_DIR, ORGS_DIR, LOG_DIR)
TEMPLATES_DIR = "templates"  # the KB's own page templates (read when rendering)

Record = Person | Organisation | Interaction
R = TypeVar("R", Person, Organisation)
# What each folder's files are read into (``netkb.load.schema``'s makers, by name).
MAKERS: dict[str, str] = {
    PEOPLE_DIR: "person_from",
    ORGS_DIR: "organisation_from",
    LOG_DIR: "interaction_from",
}


class FileRead(NamedTuple):
    """What one file gave: its record (None when it gives none) and its own problems."""

    path: Path
    record: Record | None
    problems: tuple[Problem, ...]


class RecordCache(Protocol):
    """Where ``load`` finds what an unchanged file was read into (``netkb.load.cache``).

    A file is named by ``key``, its path relative to the KB with ``/``
    (``contacts/acme/jane.md``), and ``signature`` says which version of it is on
    disk (``file_signature``)."""

    #: validate's memo (records checked last time), or None when the cache keeps none
    checked: Checked | None
    #: whether its records keep the line of every field (the cross-checks need them)
    keeps_locations: bool

    def recall(self, folder: str, key: str, where: str, signature: str) -> FileRead | None:
        """What the file at ``where`` (in ``folder``) gave when it had ``signature``;
        None if unknown."""
        ...

    def remember(self, key: str, signature: str, read: FileRead) -> FileRead:
        """Keep what a file just gave; returns what ``load`` should use."""
        ...

    def signatures(self) -> dict[str, str]:
        """The signature of every file the last load read, by key (what it saw on disk)."""
        ...

    def finish(self, folders: tuple[str, ...]) -> None:
        """One load of ``folders`` is done: forget their files that it did not ask
        about (they are gone), and save."""
        ...


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding mkdocs.yml and contacts/ (like git)."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG).is_file() and (folder / PEOPLE_DIR).is_dir():
            return folder
    return None


def load(
    root: Path,
    *,
    cache: RecordCache | None = None,
    folders: tuple[str, ...] = ALL_FOLDERS,
    cross_checks: bool = True,
    workers: int | None = None,
) -> Network:
    """Read, type-check and (with ``cross_checks``) cross-check the KB at ``root``;
    ``workers``: processes that parse the files the cache does not hold (default: one
    per CPU core).

    Never prints, never raises for anything in the KB. See the module doc for the options.
    """
    if cross_checks and cache is not None and not cache.keeps_locations:
        # Without field locations a cross-record problem could not name its line.
        raise ValueError("cross_checks need a cache whose records keep field locations")
    enabled = gc.isenabled()
    gc.disable()  # many new objects and no cycles: collecting meanwhile is wasted time
    try:
        return _load(root.resolve(), cache, folders, cross_checks, workers or os.cpu_count() or 1)
    finally:
        if enabled:
            gc.enable()


def _load(
    root: Path,
    cache: RecordCache | None,
    folders: tuple[str, ...],
    cross_checks: bool,
    workers: int,
) -> Network:
    problems: list[Problem] = []
    settings, setting_problems = read_settings(root / CONFIG)
    problems += setting_problems
    walked = _walked_meanwhile(root, folders, cache, workers)
    read: dict[str, list[tuple[str, Record]]] = {folder: [] for folder in ALL_FOLDERS}
    wanted = [folder for folder in ALL_FOLDERS if folder in folders]
    if cache is None:
        for folder in wanted:
            read[folder] = _read_uncached(root, folder, problems)
    else:
        found = {folder: _recalled(root, folder, cache, walked) for folder in wanted}
        _parse(found, cache, workers)  # the files of every folder, in one round of workers
        for folder, one in found.items():
            read[folder] = _records(one, problems)
    people = _unique(root, cast(list[tuple[str, Person]], read[PEOPLE_DIR]), problems)
    organisations = _unique(
        root, cast(list[tuple[str, Organisation]], read[ORGS_DIR]), problems, taken=people
    )
    # By date, the files of one day in key order: sorted by key, then (stably) by date,
    # each with a key function in C (a Python one took 8 ms for 20,000 entries).
    by_key = sorted(cast(list[tuple[str, Interaction]], read[LOG_DIR]), key=_FIRST)
    interactions = sorted((record for _, record in by_key), key=_DATE)
    if cross_checks:
        memo = cache.checked if cache is not None else None
        known = getattr(cache, "file_keys", None)  # what each file alone gives, if kept
        problems += validate(people, organisations, interactions, memo, known)
    if cache is not None:
        cache.finish(folders)  # after validate: the lines its problems asked for are kept
    problems.sort(key=sort_key)
    return Network(
        root=root,
        people=MappingProxyType(people),
        organisations=MappingProxyType(organisations),
        interactions=tuple(interactions),
        settings=settings,
        problems=tuple(problems),
    )


def _join(folder: Path, name: str) -> Path:
    return folder / name


#: ``folder / name`` for a plain file name, as a directory listing gives it: pathlib's own
#: shortcut for that (its walk and glob use it) costs a fifth of ``/``, which parses the
#: name again, and ``load`` makes a Path for each of 30,000 files. The plain join where a
#: Python lacks it.
child_path: Callable[[Path, str], Path] = getattr(Path, "_make_child_relpath", _join)


def file_signature(stat: os.stat_result) -> str:
    """What changes when a file is edited, replaced or renamed over (``_walk`` writes
    the same inline: it runs for every file)."""
    return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}"


def read_file(
    path: Path, folder: str, data: bytes | None = None, *, info: os.stat_result | None = None
) -> FileRead:
    """One file of ``folder`` (contacts, orgs, log) parsed and type-checked, no cache;
    ``data``: its text as an editor holds it, instead of what is on disk; ``info``: its
    ``os.stat``, when just taken."""
    # Imported here: a warm load, whose files come from the cache, parses none of them.
    from netkb.load import schema

    doc = read_document(path, data, info=info)
    found = list(doc.problems)
    make: Callable[..., Record | None] = getattr(schema, MAKERS[folder])
    record = make(doc, path.stem, found) if doc.meta is not None else None
    if record is not None and not isinstance(record, Interaction):
        found += neutralised(record.source, record.body)  # of the notes alone
    return FileRead(path, record, tuple(found))


# A cache file smaller than this (about 2,000 files' entries) is read after the walk, in
# this process: the fork and the pipe cost more than walking so few files.
WALK_IN_FORK_FROM = 1_000_000  # bytes


class Sent(NamedTuple):
    """One folder's ``_walk`` as a forked child sends it: the key and signature of each
    file, in order (its path is the KB's path and its key), and the walk's problems."""

    keys: list[str]
    signatures: list[str | None]
    problems: list[Problem]


def _walked_meanwhile(
    root: Path, folders: tuple[str, ...], cache: RecordCache | None, workers: int
) -> dict[str, Sent] | None:
    """Every folder's ``_walk`` (with signatures) done in a forked child while this
    process decodes the cache's records of those folders (``ahead``), when the cache
    file is big enough and there is a core to spare (None otherwise: ``_recalled``
    walks and reads the cache as usual). At 10,000 people the walk of 30,000 files and
    decoding their records take a tenth of a second each, and a warm ``check`` waits
    for both. The child is forked before the cache is read: forked later, this process
    would copy every page of the cache's records it touches (they would be shared)."""
    ahead, stored = getattr(cache, "ahead", None), getattr(cache, "stored_bytes", None)
    if ahead is None or stored is None or workers < 2 or stored() < WALK_IN_FORK_FROM:
        return None
    # Imported here: a small or cold load never forks for its walk.
    from netkb.core import parallel

    walking = parallel.started(lambda: {folder: _walk_to_send(root, folder) for folder in folders})
    try:
        ahead(folders)
    finally:
        walked = walking()  # waited for whatever happens here: no child is left behind
    if walked is None:  # no fork here (another thread runs), or the child failed
        walked = {folder: _walk_to_send(root, folder) for folder in folders}
    return walked


def _walk_to_send(root: Path, folder: str) -> Sent:
    """``_walk`` of ``folder`` with signatures, as ``Sent``: what a forked child sends."""
    walk_problems: list[Problem] = []
    found = _walk(root, folder, walk_problems, with_stat=True)
    return Sent([f[0] for f in found], [f[4] for f in found], walk_problems)


class _Folder(NamedTuple):
    """What the walk and the cache gave of one folder: the key of each file, what each
    was read into (None: still to parse), the files to parse (position, key, path,
    signature) and the walk's problems."""

    keys: list[str]
    reads: list[FileRead | None]
    misses: list[tuple[int, str, str, str]]
    problems: list[Problem]


def _read_uncached(root: Path, folder: str, problems: list[Problem]) -> list[tuple[str, Record]]:
    """The records of ``folder`` by key, every file parsed here; problems to ``problems``."""
    records: list[tuple[str, Record]] = []
    for key, _where, parent, name, _signature in _walk(root, folder, problems):
        file = read_file(child_path(parent, name), folder)
        if file.problems:
            problems += file.problems
        if file.record is not None:
            records.append((key, file.record))
    return records


def _recalled(
    root: Path, folder: str, cache: RecordCache, walked: dict[str, Sent] | None = None
) -> _Folder:
    """``folder`` walked (or ``walked`` already) and what the cache holds of its files."""
    problems: list[Problem] = []
    if walked is not None:
        sent = walked[folder]
        problems += sent.problems
        keys = sent.keys
        reads: list[FileRead | None] = cache.recall_walked(folder, keys, sent.signatures)  # type: ignore[attr-defined]
        prefix = f"{root}{os.sep}"  # a fork is POSIX: a key's / is the path's

        def file_at(position: int) -> tuple[str, str, Path, str, str | None]:
            key = keys[position]
            where = prefix + key
            return key, where, Path(where).parent, key.rpartition("/")[2], sent.signatures[position]

        bulk = True
    else:
        files = _walk(root, folder, problems, with_stat=True)
        keys = [file[0] for file in files]
        file_at = files.__getitem__
        # The whole folder in one call where the cache can (30,000 files at 10,000 people).
        recall_all = getattr(cache, "recall_all", None)
        bulk = recall_all is not None
        reads = recall_all(folder, files) if recall_all is not None else [None] * len(files)
    misses: list[tuple[int, str, str, str]] = []  # files to parse: position, key, path, signature
    for position in [p for p, read in enumerate(reads) if read is None]:
        key, where, parent, name, signature = file_at(position)
        if signature is None:  # the walk could not stat it
            if os.path.lexists(where):  # a dangling symlink, a loop: the reader says which
                reads[position] = read_file(child_path(parent, name), folder)
            continue  # else deleted while we walked: as if it had never been there
        cached = None if bulk else cache.recall(folder, key, where, signature)
        if cached is None:
            misses.append((position, key, where, signature))
        reads[position] = cached
    return _Folder(keys, reads, misses, problems)


def _records(found: _Folder, problems: list[Problem]) -> list[tuple[str, Record]]:
    """The records of a folder read through the cache, by key; its walk's problems and
    its files' go to ``problems``, in order."""
    problems += found.problems
    records: list[tuple[str, Record]] = []
    for key, cached in zip(found.keys, found.reads, strict=True):
        if cached is None:
            continue
        if cached.problems:
            problems += cached.problems
        if cached.record is not None:
            records.append((key, cached.record))
    return records


# Fewer files to parse than this are parsed in this process: forking costs more.
PARSE_IN_FORKS_FROM = 2000


# Shares of the files to parse per worker: this process takes in the entries of one while
# the workers parse the next.
SHARES_PER_WORKER = 4


def _parse(found: dict[str, _Folder], cache: RecordCache, workers: int) -> None:
    """Parse the files the cache did not hold (every folder's ``misses``) into their
    folder's ``reads``, and keep them in the cache. Many of them (a first load, a new
    netkb) are parsed in forked workers, one round for every folder, that hand back
    cache entries, taken in here as each share comes back; a file whose entry cannot
    be read back is parsed here (``tests/test_parallel_load.py`` holds the network the
    same)."""
    parse, adopt = getattr(cache, "parse", None), getattr(cache, "adopt", None)
    misses = [(folder, *miss) for folder, one in found.items() for miss in one.misses]
    many = parse is not None and adopt is not None
    many = many and len(misses) >= PARSE_IN_FORKS_FROM and workers > 1
    if many:
        # Imported here: it loads multiprocessing, which a warm load never needs.
        from netkb.core import parallel

        many = parallel.can_fork()
    if many:
        size = -(-len(misses) // (workers * SHARES_PER_WORKER))
        shares = [misses[i : i + size] for i in range(0, len(misses), size)]

        def adopted(index: int, entries: list[Any]) -> None:  # here, as each share is back
            for (folder, position, key, where, _signature), entry in zip(
                shares[index], entries, strict=True
            ):
                found[folder].reads[position] = adopt(folder, key, where, entry)

        def parsed(share: list[tuple[str, int, str, str, str]]) -> list[Any]:  # in a worker
            return [parse(folder, key, where, sign) for folder, _, key, where, sign in share]

        parallel.in_forks(parsed, shares, workers, each=adopted)
    for folder, position, key, where, signature in misses:
        reads = found[folder].reads
        if reads[position] is None:
            path = Path(where)
            reads[position] = cache.remember(key, signature, read_file(path, folder))


def _read_cached(key: str, where: str, folder: str, cache: RecordCache) -> FileRead | None:
    """One file through ``cache``; None when it is gone."""
    try:
        info = os.stat(where)
    except OSError:
        if os.path.lexists(where):  # a dangling symlink, a loop: the reader says which
            return read_file(Path(where), folder)
        return None  # deleted while we walked: as if it had never been there
    signature = file_signature(info)
    file = cache.recall(folder, key, where, signature)
    if file is None:
        file = cache.remember(key, signature, read_file(Path(where), folder))
    return file


def markdown_files(root: Path, folder: str, problems: list[Problem]) -> Iterator[Path]:
    """The .md files under ``root/folder`` in load's order, refusing links out of the KB."""
    for _key, _where, parent, name, _signature in _walk(root, folder, problems):
        yield child_path(parent, name)


# key, path as text, the folder's Path, file name, its ``file_signature`` (None: not
# taken, or the file could not be stat'ed)
Found = list[tuple[str, str, Path, str, str | None]]


def _walk(root: Path, folder: str, problems: list[Problem], *, with_stat: bool = False) -> Found:
    """``(key, path, folder, name, signature)`` of every .md file under ``root/folder``: depth
    first, in name order, a folder's files before its subfolders'; hidden names skipped;
    symlinks followed only to files inside the KB (located problems for the others). A
    file's Path is ``folder / name``: joining a name to its folder's Path costs less than
    parsing the whole path, and ``load`` makes one for each of 30,000 files.

    ``with_stat``: each file's ``file_signature`` too (links followed; None when its stat
    fails). Each name is looked at with one ``lstat`` relative to its open folder, which
    tells a file from a folder or a link and is the file's stat too: the kernel need not
    walk the whole path again, and Python makes no directory entry objects."""
    found: Found = []
    top = root / folder
    if not top.is_dir():
        return found
    real_root = os.path.realpath(root)
    if not _inside(os.path.realpath(top), real_root):
        problems.append(_outside(top))
        return found
    pending = [(str(top), folder)]
    while pending:
        current, relative = pending.pop()
        opened = None
        try:
            opened = os.open(current, _FOLDER_FLAGS) if _BY_FOLDER else None
            _list_folder(current, relative, opened, with_stat, real_root, found, problems, pending)
        except OSError as exc:
            problems.append(error(Path(current), 1, 1, "NK108", f"cannot read: {exc.strerror}"))
        finally:
            if opened is not None:
                os.close(opened)
    return found


_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
# Names listed and stat'ed relative to an open folder where the system can; else by path.
_BY_FOLDER = os.listdir in os.supports_fd and os.stat in os.supports_dir_fd


def _list_folder(
    current: str,
    relative: str,
    opened: int | None,
    with_stat: bool,
    real_root: str,
    found: Found,
    problems: list[Problem],
    pending: list[tuple[str, str]],
) -> None:
    """One folder of ``_walk`` (open as ``opened``, if it is): its files into ``found``,
    its subfolders onto ``pending``."""
    here = Path(current)
    prefix = current + os.sep
    names = sorted(os.listdir(current if opened is None else opened))
    subfolders = []
    for name in names:
        if name.startswith("."):
            continue
        where = prefix + name
        try:
            info = os.stat(where if opened is None else name, dir_fd=opened, follow_symlinks=False)
        except FileNotFoundError:
            continue  # deleted while we walked: as if it had never been there
        except OSError:
            info = None  # the reader says what is wrong with it
        mode = info.st_mode if info is not None else 0
        if S_ISDIR(mode):
            subfolders.append((where, f"{relative}/{name}"))
            continue
        if S_ISLNK(mode):
            path = Path(where)
            if not _inside(os.path.realpath(path), real_root):
                problems.append(_outside(path))
                continue
            if os.path.isdir(path):
                problems.append(
                    warning(
                        path,
                        1,
                        1,
                        "NK109",
                        "symlinked folder is not followed; move the files here instead",
                    )
                )
                continue
            if not name.endswith(".md"):
                continue
            try:  # the file it links to
                info = os.stat(where if opened is None else name, dir_fd=opened)
            except OSError:
                info = None  # dangling, or a loop: ``_recalled`` tells which
        elif not name.endswith(".md"):
            continue
        signature = None
        if with_stat and info is not None:  # as ``file_signature`` writes it (inline)
            signature = f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"
        found.append((f"{relative}/{name}", where, here, name, signature))
    pending.extend(reversed(subfolders))  # depth first, in name order


def _inside(real_path: str, real_root: str) -> bool:
    return real_path == real_root or real_path.startswith(real_root + os.sep)


def _outside(path: Path) -> Problem:
    return error(
        path,
        1,
        1,
        "NK107",
        f"{path.name} is a symlink to {os.path.realpath(path)}, outside the knowledge base; "
        "netkb refuses to read it",
    )


_FIRST, _DATE = itemgetter(0), attrgetter("date")


def _unique(
    root: Path,
    records: list[tuple[str, R]],
    problems: list[Problem],
    taken: dict[str, Person] | None = None,
) -> dict[str, R]:
    """Records by slug; a second file with a colliding slug is an error and is left out."""
    seen: dict[str, Person | R] = {slug_key(s): p for s, p in (taken or {}).items()}
    result: dict[str, R] = {}
    for _, record in records:
        key = slug_key(record.slug)
        first = seen.setdefault(key, record)
        if first is not record:
            problems.append(
                error(
                    record.source.path,
                    1,
                    1,
                    "NK143",
                    f"slug {record.slug!r} is already used by "
                    f"{display_path(first.source.path, root)}; "
                    "slugs are unique ignoring case, so rename one of the files",
                )
            )
            continue
        result[record.slug] = record
    return result


# -- serve's fast path ------------------------------------------------------------------


class Edited(NamedTuple):
    """The network after an edit, and its lookups (for ``derive``, which needs them too)."""

    network: Network
    index: Index


def load_edits(network: Network, changed: Iterable[Path], *, cache: RecordCache) -> Edited | None:
    """``network`` with the files in ``changed`` read again (through ``cache``), their
    records checked against the others; None unless every one of them is an edit of a
    file ``network`` holds a record of (nothing new, deleted, renamed or unreadable).

    Problems between records (contradictions, duplicates) are those of ``network``: a
    full ``load`` brings them up to date. ``netkb serve`` uses this to publish an edited
    page before it loads everything again.
    """
    root = network.root
    people, orgs = dict(network.people), dict(network.organisations)
    interactions = {i.source.path: i for i in network.interactions}
    records: list[Record] = []
    file_problems: list[Problem] = []
    changed = set(changed)
    for path in changed:
        try:
            key = path.relative_to(root).as_posix()
        except ValueError:
            return None
        folder = key.partition("/")[0]
        if folder not in MAKERS or path.suffix != ".md":
            return None
        file = _read_cached(key, str(path), folder, cache)
        record = file.record if file is not None else None
        if isinstance(record, Person) and record.slug in people:
            if people[record.slug].source.path != path:
                return None
            people[record.slug] = record
        elif isinstance(record, Organisation) and record.slug in orgs:
            if orgs[record.slug].source.path != path:
                return None
            orgs[record.slug] = record
        elif isinstance(record, Interaction) and path in interactions:
            interactions[path] = record
        else:  # new, deleted, unreadable or a slug taken twice: only a full load will do
            return None
        records.append(record)
        file_problems += file.problems if file is not None else ()
    index = Index(people, orgs)
    problems = [p for p in network.problems if p.path not in changed] + file_problems
    problems += check_records(
        index,
        [r for r in records if isinstance(r, Person)],
        [r for r in records if isinstance(r, Organisation)],
        [r for r in records if isinstance(r, Interaction)],
    )
    problems.sort(key=sort_key)
    if any(isinstance(r, Interaction) for r in records):
        dated = sorted(interactions.values(), key=lambda i: (i.date, str(i.source.path)))
        network_interactions = tuple(dated)
    else:
        network_interactions = network.interactions
    edited = Network(
        root=root,
        people=MappingProxyType(people),
        organisations=MappingProxyType(orgs),
        interactions=network_interactions,
        settings=network.settings,
        problems=tuple(problems),
    )
    return Edited(edited, index)
