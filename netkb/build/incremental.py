"""What an edit changes on the site, and what the last build rendered from.

``affected_pages`` is the one rule for which pages an edit of some files can change;
``netkb serve`` applies it after each save, ``netkb build`` to the files that changed
since the last build. The last build's sources are kept (``RenderState``, in
``.netkb/build/``) so that the records as they were before an edit can be read again:
a page that showed the old version of a record (a relation since removed, a name since
changed) is found from the old record, the new one from the new.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from netkb.build.builder import BUILD_STATE_DIR
from netkb.core.memo import DigestMemo
from netkb.core.records import Interaction, Network, Organisation, Person
from netkb.core.references import find_wikilinks, name_key, slug_key
from netkb.core.write import OwnedFolder
from netkb.link.derive import Facts
from netkb.load.loader import (
    CONFIG,
    LOG_DIR,
    ORGS_DIR,
    PEOPLE_DIR,
    TEMPLATES_DIR,
    file_signature,
    markdown_files,
    read_file,
)
from netkb.network.graph import SCORES
from netkb.render.svg import LAYOUTS
from netkb.render.urls import (
    SUMMARIES,
    circle_page,
    letter_of,
    letter_page,
    month_page,
    org_map_page,
    org_page,
    person_page,
    tag_page_prefixes,
    topic_page_prefix,
)

STATE_DIR = BUILD_STATE_DIR
RENDER_STATE = "render.json"
SOURCES_STATE = "sources.bin"  # see _pack_texts
OLD_SOURCES_STATE = "sources.json"
SEARCH_STATE = "search.json"
REMEMBERED_STATE = "remembered.json"  # slow results by the digest of their input
STATE_FORMAT = 1
RECORD_SOURCES = (PEOPLE_DIR, ORGS_DIR, LOG_DIR)
REMEMBERED: dict[str, DigestMemo[Any]] = {"connectors": SCORES, "layouts": LAYOUTS}


# -- which pages an edit can change ---------------------------------------------------------


def pages_listing(facts: Facts, slug: str) -> tuple[set[str], set[str]]:
    """The index and map pages that list a person: paths, and the starts of the paths
    of their tags' and topics' pages (the exact ones depend on the other tags)."""
    person = facts.public.get(slug)
    if person is None:
        return set(), set()
    pages = {letter_page(letter_of(person.name)), circle_page(person.circle)}
    if slug in facts.person_org:
        organisation = facts.person_org[slug]
        pages.update((org_page(organisation), org_map_page(organisation)))
    prefixes = {prefix for tag in person.tags for prefix in tag_page_prefixes(tag)}
    prefixes.update(topic_page_prefix(topic) for topic in person.expertise)
    return pages, prefixes


def affected_pages(root: Path, facts: Facts, changed: set[Path]) -> tuple[set[str], set[str]]:
    """Pages whose content can depend on the records in ``changed`` files (per ``facts``):
    page paths, and path prefixes for the pages of tags and topics (their slugs vary).

    Apply it to the facts before and after an edit: together they name every page that
    showed the old version of a record or shows the new one."""
    network = facts.network
    index = facts.index
    people = {s for s, p in network.people.items() if p.source.path in changed}
    orgs = {s for s, o in network.organisations.items() if o.source.path in changed}
    interactions = [i for i in network.interactions if i.source.path in changed]
    # A contact file that is new or deleted may be missing from these facts.
    people |= {p.stem for p in changed if p.suffix == ".md" and (root / PEOPLE_DIR) in p.parents}
    pages: set[str] = set(SUMMARIES)
    prefixes: set[str] = set()
    months = {month_page(i.date) for i in interactions}
    touched = set(people)  # person pages to render again
    listed = set(people)  # people whose line on index pages (tags, circles, maps…) may change
    for slug in people:
        person = network.people.get(slug)
        if person is not None:
            for _, targets in person.relations:
                touched.update(index.person(t) or "" for t in targets)
            if person.introduced_by:
                touched.add(index.person(person.introduced_by) or "")
            for link in find_wikilinks(person.body):
                touched.update(index.resolve(link.target).slugs)
            # Pages that link to someone else of the same name: the link may now be ambiguous.
            for name in (person.name, *person.aliases):
                for namesake in index.people_by_name.get(name_key(name), []):
                    touched.update(
                        s for kind, s in facts.mentions.get(namesake, []) if kind == "person"
                    )
        touched.update(s for _, s in facts.inverse.get(slug, []))
        touched.update(facts.introduced.get(slug, []))
        touched.update(s for kind, s in facts.mentions.get(slug, []) if kind == "person")
        pages.update(
            org_page(s) for kind, s in facts.mentions.get(slug, []) if kind == "organisation"
        )
        for interaction in facts.timelines.get(slug, []):
            touched.update(facts.present(interaction))
            months.add(month_page(interaction.date))
    for interaction in interactions:
        together = set(facts.present(interaction))
        touched |= together
        listed |= together  # the maps draw time spent together
    for slug in orgs:
        pages.update((org_page(slug), org_map_page(slug)))
        if slug in facts.organisations:
            members = facts.organisations[slug].people
            touched.update(members)
            listed.update(members)  # their links to the organisation may point elsewhere now
        organisation = network.organisations.get(slug)
        if organisation is not None:  # people its notes mention list it under "Mentioned in"
            for link in find_wikilinks(organisation.body):
                touched.update(index.resolve(link.target).slugs)
        touched |= _naming(facts, organisation)
    for slug in listed:
        listing, listing_prefixes = pages_listing(facts, slug)
        pages |= listing
        prefixes |= listing_prefixes
    pages.update(person_page(slug) for slug in touched if slug)
    return pages | months, prefixes


def _naming(facts: Facts, organisation: Organisation | None) -> set[str]:
    """People whose notes have a wikilink that names ``organisation`` (by slug, name or alias)."""
    if organisation is None:
        return set()
    keys = {name_key(n) for n in (organisation.name, *organisation.aliases)}
    slug = slug_key(organisation.slug)
    return {
        person_slug
        for person_slug, person in facts.public.items()
        if "[[" in person.body
        and any(
            slug_key(link.target) == slug or name_key(link.target) in keys
            for link in find_wikilinks(person.body)
        )
    }


def is_setup(root: Path, path: Path) -> bool:
    """A change to mkdocs.yml or a template changes every page."""
    return path == root / CONFIG or (root / TEMPLATES_DIR) in path.parents


# -- the sources of the last build ------------------------------------------------------------


def setup_digest(root: Path, today: dt.date, code: str) -> str:
    """What every page depends on: netkb's code, mkdocs.yml, the KB's templates, the day
    (due dates count from it). When it changes, every page is rendered again."""
    digest = hashlib.sha256(f"{code}\0{today.isoformat()}\0".encode())
    with contextlib.suppress(OSError):
        digest.update((root / CONFIG).read_bytes())
    templates = root / TEMPLATES_DIR
    if templates.is_dir():
        for current, dirs, names in os.walk(templates):
            dirs.sort()
            for name in sorted(names):
                path = Path(current, name)
                digest.update(f"\0{path.relative_to(root).as_posix()}\0".encode())
                try:
                    digest.update(path.read_bytes())
                except OSError:
                    digest.update(b"\0unreadable")
    return digest.hexdigest()


def setup_signatures(root: Path) -> dict[str, str]:
    """mkdocs.yml and every file under templates/ (what ``is_setup`` names) by key, with
    the signature of the version on disk."""
    paths = [root / CONFIG]
    for current, _dirs, names in os.walk(root / TEMPLATES_DIR):
        paths += [Path(current, name) for name in names]
    signatures: dict[str, str] = {}
    for path in paths:
        with contextlib.suppress(OSError):
            signatures[path.relative_to(root).as_posix()] = file_signature(os.stat(path))
    return signatures


def source_signatures(root: Path) -> dict[str, str]:
    """Every record file of the KB (contacts/, orgs/, log/) by key, with the signature of
    the version on disk (size, times, inode: as the record cache keys them)."""
    signatures: dict[str, str] = {}
    for folder in RECORD_SOURCES:
        for path in markdown_files(root, folder, []):
            try:
                signatures[path.relative_to(root).as_posix()] = file_signature(os.stat(path))
            except OSError:
                continue
    return signatures


@dataclass
class RenderState:
    """What the last build rendered, from which sources (kept in ``.netkb/build/``).

    The bulky parts (the text of every source, the search documents) are read only when
    a build needs them: when nothing changed, it needs neither. The slow results the last
    build used are kept too, by the digest of their input (``REMEMBERED``: the
    connectors' scores, the map's layout), for the next build to use while their input is
    the same, whatever the edit."""

    setup: str = ""  # setup_digest when it was rendered
    head: str | None = None  # git HEAD then (the dates on person pages come from git)
    files: list[str] = field(default_factory=list)  # every file of the generated folder
    outlined: list[str] = field(default_factory=list)  # the connectors the maps outlined
    signatures: dict[str, str] = field(default_factory=dict)  # key → signature of the source
    updated: dict[str, str] = field(default_factory=dict)  # key → date of its last commit
    calendar_key: str = ""  # what the calendar feed in the generated folder was made from
    folder: Path | None = None  # where it was read from
    _texts: dict[str, str] | None = None  # key → text of the source, when read
    _search: dict[str, dict[str, str]] | None = None  # page → search document, when read

    @classmethod
    def read(cls, root: Path, state_dir: str = STATE_DIR) -> RenderState | None:
        """The state of the last build, or None (none, unreadable or of another netkb).

        The results it kept are handed back to their memos (``REMEMBERED``); each counts
        only for the input it was computed from, by its digest."""
        folder = root / state_dir
        try:
            data = json.loads((folder / RENDER_STATE).read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
            return None
        if not (folder / SOURCES_STATE).is_file() or not (folder / SEARCH_STATE).is_file():
            return None
        try:
            state = cls(
                setup=str(data["setup"]),
                head=data["head"],
                files=list(data["files"]),
                outlined=list(data["outlined"]),
                signatures={str(k): str(v) for k, v in data["signatures"].items()},
                updated={str(k): str(v) for k, v in data["updated"].items()},
                calendar_key=str(data["calendar_key"]),
                folder=folder,
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        remembered = _read_json(folder, REMEMBERED_STATE)
        for name, memo in REMEMBERED.items():
            memo.restore(remembered.get(name))
        return state

    def keep_texts(self, texts: dict[str, str]) -> None:
        """The text of every source of this build, written with the state."""
        self._texts = texts

    def texts(self) -> dict[str, str]:
        """The text of every source of the last build, by key ({} when unreadable: every
        changed file then counts as new, which renders more, never less)."""
        if self._texts is None:
            self._texts = _read_texts(self.folder)
        return self._texts

    @property
    def search(self) -> dict[str, dict[str, str]]:
        """The search documents of the last build, by page."""
        if self._search is None:
            self._search = _read_json(self.folder, SEARCH_STATE)
        return self._search

    @search.setter
    def search(self, documents: dict[str, dict[str, str]]) -> None:
        self._search = documents

    def write(self, root: Path, state_dir: str = STATE_DIR) -> None:
        """Keep this state for the next build (the bulky parts only when they were read
        or set: unchanged otherwise)."""
        folder = OwnedFolder(root / state_dir, inside=root)
        if self._texts is not None:
            folder.write(SOURCES_STATE, _pack_texts(self._texts))
            folder.remove(OLD_SOURCES_STATE)  # the same texts as JSON, as netkb kept them before
        if self._search is not None:
            folder.write(SEARCH_STATE, json.dumps(self._search, ensure_ascii=False).encode())
        # The latest each memo used: this build's (ASCII-safe JSON: any slug goes).
        remembered = {name: memo.latest() for name, memo in REMEMBERED.items()}
        folder.write(REMEMBERED_STATE, json.dumps(remembered).encode("ascii"))
        data = {
            "format": STATE_FORMAT,
            "setup": self.setup,
            "head": self.head,
            "files": sorted(self.files),
            "outlined": sorted(self.outlined),
            "signatures": self.signatures,
            "updated": self.updated,
            "calendar_key": self.calendar_key,
        }
        folder.write(RENDER_STATE, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def _read_json(folder: Path | None, name: str) -> dict[str, Any]:
    if folder is None:
        return {}
    try:
        data = json.loads((folder / name).read_bytes())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


TEXTS_HEADER = b"netkb sources 2\n"


def _pack_texts(texts: dict[str, str]) -> bytes:
    """The header, a line of JSON with each key and the length of its text in characters,
    then every text one after the other, as the bytes they were read from
    (``read_sources`` decodes with surrogateescape). At 10,000 people (11 MB, on every
    build) it is written and read in about 0.03 s each way, JSON in 0.05–0.08 s."""
    try:
        blob = "".join(texts.values()).encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a text not read from a file: left out, it counts as new
        texts = {k: t for k, t in texts.items() if _readable(t)}
        blob = "".join(texts.values()).encode("utf-8", "surrogateescape")
    index = json.dumps([[key, len(text)] for key, text in texts.items()])
    return b"".join((TEXTS_HEADER, index.encode("ascii"), b"\n", blob))


def _readable(text: str) -> bool:
    try:
        text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return False
    return True


def _read_texts(folder: Path | None) -> dict[str, str]:
    """What ``_pack_texts`` wrote, or {} when it is missing or damaged anywhere."""
    if folder is None:
        return {}
    try:
        data = (folder / SOURCES_STATE).read_bytes()
    except OSError:
        return {}
    return _unpack_texts(data)


def _unpack_texts(data: bytes) -> dict[str, str]:
    index_end = data.find(b"\n", len(TEXTS_HEADER))
    if not data.startswith(TEXTS_HEADER) or index_end == -1:
        return {}
    try:
        index = json.loads(data[len(TEXTS_HEADER) : index_end])
    except ValueError:
        return {}
    blob = data[index_end + 1 :].decode("utf-8", "surrogateescape")
    if not isinstance(index, list) or not all(
        isinstance(entry, list)
        and len(entry) == 2
        and isinstance(entry[0], str)
        and type(entry[1]) is int
        and entry[1] >= 0
        for entry in index
    ):
        return {}
    if sum(size for _, size in index) != len(blob):
        return {}
    texts: dict[str, str] = {}
    at = 0
    for key, size in index:
        texts[key] = blob[at : at + size]
        at += size
    return texts


def commit_dates(root: Path, updated: dict[Path, dt.date]) -> dict[str, str]:
    """The dates of ``last_updated`` by key (path in the KB), as text, for the state."""
    dates = {}
    for path, day in updated.items():
        try:
            dates[path.relative_to(root).as_posix()] = day.isoformat()
        except ValueError:
            continue
    return dict(sorted(dates.items()))


def read_sources(root: Path, keys: Iterable[str]) -> dict[str, str]:
    """The text of the record files ``keys`` as they are on disk now (file by file with
    the system's calls: a cold build reads 30,000 of them, and a Path and a file object
    for each cost more than the reading)."""
    read = {}
    folder = os.fspath(root) + os.sep
    for key in keys:
        try:
            handle = os.open(folder + key, os.O_RDONLY)
            try:
                chunks = []
                while chunk := os.read(handle, 1 << 16):
                    chunks.append(chunk)
            finally:
                os.close(handle)
        except OSError:  # gone, a folder, unreadable: as if it were not there
            continue
        read[key] = b"".join(chunks).decode("utf-8", "surrogateescape")
    return read


def network_before(network: Network, old: dict[Path, str | None]) -> Network:
    """``network`` with the records of the files in ``old`` as they were: read from the
    old text, or absent (None: the file is new). Problems are not carried over.

    Records keep their places (a file edited in place stays where it was), so that the
    lookups, and what derive keeps of them, compare equal when the edit changed no name."""
    root = network.root
    was: dict[Path, Person | Organisation | Interaction | None] = {}
    for path, text in sorted(old.items()):
        if text is not None:
            folder = path.relative_to(root).parts[0]
            was[path] = read_file(path, folder, text.encode("utf-8", "surrogateescape")).record
        else:
            was[path] = None

    def swapped(records: Iterable[Any]) -> list[Any]:
        """Each record, or the one its file held before (dropped when it held none)."""
        kept = []
        for record in records:
            path = record.source.path
            if path in was:
                previous = was.pop(path)
                if previous is not None:
                    kept.append(previous)
            else:
                kept.append(record)
        return kept

    # The entries stay in the loader's order (by date, then path) when each one read from
    # an old text has the date its file's entry has now: then nothing needs sorting again
    # (sorting 50,000 entries by their paths' text takes a good part of a second).
    dates_now = {i.source.path: i.date for i in network.interactions if i.source.path in was}
    in_order = all(
        not isinstance(record, Interaction) or dates_now.get(path) == record.date
        for path, record in was.items()
    )
    people_now = swapped(network.people.values())
    orgs_now = swapped(network.organisations.values())
    interactions = swapped(network.interactions)
    for record in was.values():  # files that are gone now, or whose record moved kind
        if isinstance(record, Person):
            people_now.append(record)
        elif isinstance(record, Organisation):
            orgs_now.append(record)
        elif isinstance(record, Interaction):
            interactions.append(record)
    people: dict[str, Person] = {}
    for person in people_now:
        if isinstance(person, Person):
            people.setdefault(person.slug, person)
    orgs: dict[str, Organisation] = {}
    for organisation in orgs_now:
        if isinstance(organisation, Organisation):
            orgs.setdefault(organisation.slug, organisation)
    dated = [i for i in interactions if isinstance(i, Interaction)]
    if not in_order:
        dated.sort(key=lambda i: (i.date, str(i.source.path)))
    return Network(
        root=root,
        people=MappingProxyType(people),
        organisations=MappingProxyType(orgs),
        interactions=tuple(dated),
        settings=network.settings,
        problems=(),
    )
