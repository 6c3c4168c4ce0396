"""Load a knowledge base from disk: every record, the settings, and every problem."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from netkb.frontmatter import read_document
from netkb.links import slug_key
from netkb.problems import Problem, display_path, error, sort_key, warning
from netkb.records import Interaction, Network, Organisation, Person
from netkb.schema import interaction_from, organisation_from, person_from
from netkb.settings import read_settings
from netkb.validate import Checked, validate

CONFIG = "mkdocs.yml"
PEOPLE_DIR = "contacts"
ORGS_DIR = "orgs"
LOG_DIR = "log"

R = TypeVar("R", Person, Organisation, Interaction)


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding mkdocs.yml and contacts/ (like git)."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG).is_file() and (folder / PEOPLE_DIR).is_dir():
            return folder
    return None


@dataclass
class FileCache:
    """Parsed files kept between loads (``netkb serve``): a file is parsed again only when
    its size, mtime or inode changed. With ``keep_last_good``, a file that no longer
    parses still contributes the record it last gave, so the site keeps its page."""

    keep_last_good: bool = False
    entries: dict[Path, tuple[tuple[int, int, int], Any, list[Problem]]] = field(
        default_factory=dict
    )
    last_good: dict[Path, Any] = field(default_factory=dict)
    checked: Checked = field(default_factory=Checked)
    paths: dict[str, Path] = field(default_factory=dict)  # the keys of ``entries``, by str


def load(root: Path, cache: FileCache | None = None) -> Network:
    """Read, type-check and cross-check the KB at ``root``. Never prints, never raises."""
    root = root.resolve()
    problems: list[Problem] = []
    settings, setting_problems = read_settings(root / CONFIG)
    problems += setting_problems
    people = _load_folder(root, PEOPLE_DIR, person_from, problems, cache)
    organisations = _load_folder(root, ORGS_DIR, organisation_from, problems, cache)
    interactions = _load_folder(root, LOG_DIR, interaction_from, problems, cache)
    if cache is not None:
        seen = {r.source.path for r in (*people, *organisations, *interactions)}
        for gone in [p for p in cache.entries if p not in seen and not p.exists()]:
            del cache.entries[gone]
            cache.last_good.pop(gone, None)
            cache.paths.pop(str(gone), None)
    people_map = _unique(root, people, problems)
    orgs_map = _unique(root, organisations, problems, taken=people_map)
    memo = cache.checked if cache is not None else None
    problems += validate(people_map, orgs_map, [i for i in interactions], memo)
    problems.sort(key=sort_key)
    return Network(
        root=root,
        people=MappingProxyType(people_map),
        organisations=MappingProxyType(orgs_map),
        interactions=tuple(sorted(interactions, key=lambda i: (i.date, str(i.source.path)))),
        settings=settings,
        problems=tuple(problems),
    )


def markdown_files(
    root: Path, folder: str, problems: list[Problem], known: dict[str, Path] | None = None
) -> Iterator[Path]:
    """The .md files under ``root/folder`` in a stable order, refusing links out of the KB.

    ``known``: Path objects to hand out again for the same file names (faster than new)."""
    known = known or {}
    top = root / folder
    if not top.is_dir():
        return
    real_root = os.path.realpath(root)
    if not _inside(os.path.realpath(top), real_root):
        problems.append(_outside(top))
        return
    pending = [str(top)]
    while pending:
        current = pending.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as exc:
            problems.append(error(Path(current), 1, 1, "NK108", f"cannot read: {exc.strerror}"))
            continue
        folders = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                folders.append(entry.path)
            elif entry.is_symlink():
                path = Path(entry.path)
                if not _inside(os.path.realpath(path), real_root):
                    problems.append(_outside(path))
                elif os.path.isdir(path):
                    problems.append(
                        warning(
                            path,
                            1,
                            1,
                            "NK109",
                            "symlinked folder is not followed; move the files here instead",
                        )
                    )
                elif name.endswith(".md"):
                    yield path
            elif name.endswith(".md"):
                yield known.get(entry.path) or Path(entry.path)
        pending.extend(reversed(folders))  # depth first, in name order


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


def _load_folder(
    root: Path,
    folder: str,
    make: Callable[..., R | None],
    problems: list[Problem],
    cache: FileCache | None = None,
) -> list[R]:
    records = []
    known = cache.paths if cache is not None else None
    for path in markdown_files(root, folder, problems, known):
        if cache is None:
            record, found = _read(path, make)
        else:
            record, found = _read_cached(path, make, cache)
        problems += found
        if record is not None:
            records.append(record)
    return records


def _read(path: Path, make: Callable[..., R | None]) -> tuple[R | None, list[Problem]]:
    doc = read_document(path)
    found = list(doc.problems)
    if doc.meta is None:
        return None, found
    return make(doc, path.stem, found), found


def _read_cached(
    path: Path, make: Callable[..., R | None], cache: FileCache
) -> tuple[R | None, list[Problem]]:
    try:
        stat = path.stat()
    except OSError:  # deleted while we walked
        return None, []
    key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    hit = cache.entries.get(path)
    if hit is not None and hit[0] == key:
        record, found = hit[1], hit[2]
    else:
        record, found = _read(path, make)
        cache.entries[path] = (key, record, found)
        cache.paths[str(path)] = path
    if record is not None:
        cache.last_good[path] = record
    elif cache.keep_last_good:
        record = cache.last_good.get(path)
    return record, found


def _unique(
    root: Path, records: list[R], problems: list[Problem], taken: dict[str, Person] | None = None
) -> dict[str, R]:
    """Records by slug; a second file with a colliding slug is an error and is left out."""
    seen: dict[str, Path] = {slug_key(s): p.source.path for s, p in (taken or {}).items()}
    result: dict[str, R] = {}
    for record in records:
        key = slug_key(record.slug)
        if key in seen:
            problems.append(
                error(
                    record.source.path,
                    1,
                    1,
                    "NK143",
                    f"slug {record.slug!r} is already used by {display_path(seen[key], root)}; "
                    "slugs are unique ignoring case, so rename one of the files",
                )
            )
            continue
        seen[key] = record.source.path
        result[record.slug] = record
    return result
