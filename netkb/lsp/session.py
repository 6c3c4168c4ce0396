"""The knowledge base as the language server sees it, and the answers it gives.

``Session.refresh`` loads the KB through ``load`` (the one way in, so problems are those
of ``netkb check``), with a ``BufferCache``: unchanged files are not read again and open
files are read from the editor's text. Each refresh makes a new ``State``; questions
(completion, definition, references, hover) are answered from the latest one, so a
refresh running in another thread never leaves them half updated.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from lsprotocol import types as lsp

from netkb.core.problems import Problem, Severity, sort_key
from netkb.core.records import RELATION_INVERSES, Interaction, Network, Organisation, Person
from netkb.core.references import Index, find_wikilinks
from netkb.link.derive import Facts, link
from netkb.link.followups import CIRCLE_NAMES
from netkb.load.loader import ALL_FOLDERS, load, load_edits
from netkb.load.schema import FAVORS, INTERACTION_KINDS
from netkb.load.validate import check_records
from netkb.lsp.buffers import BufferCache
from netkb.lsp.cursor import (
    FIELD,
    KIND_OF_FOLDER,
    RELATION,
    SLUG,
    VALUE,
    WIKILINK,
    Spot,
    spot_at,
)
from netkb.lsp.positions import UTF16, editor_lines, from_client_column, to_client_column
from netkb.network.brief import brief
from netkb.network.completion import Candidate, candidates_of, matching

#: Completion answers at most this many people; the list says it is incomplete, so the
#: editor asks again as more is typed.
MAX_ITEMS = 100
_DELIMITERS = frozenset(" \t,[]{}:'\"#|")


@dataclass
class State:
    """One load of the KB and what is derived from it for answering questions."""

    network: Network
    index: Index
    candidates: tuple[Candidate, ...]
    texts: Mapping[str, str]  # the open files' text this load read, by key

    @cached_property
    def facts(self) -> Facts:
        """The derived facts (worked out on first use: only hover needs them)."""
        return link(self.network)


@dataclass
class Session:
    """The language server's knowledge base at ``root``."""

    root: Path
    encoding: str = UTF16  # of the client's columns, as agreed at initialize
    cache: BufferCache = field(default_factory=BufferCache)
    state: State | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- loading ------------------------------------------------------------------------

    def key_of(self, path: Path) -> str | None:
        """``contacts/jane.md`` for a Markdown file of the KB's folders; None otherwise."""
        try:
            key = path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return None
        folder = key.partition("/")[0]
        return key if folder in ALL_FOLDERS and key.endswith(".md") else None

    def refresh(self, texts: Mapping[str, str]) -> State:
        """Load the KB again, the open files (``texts`` by key) as the editor has them;
        only what changed since the last load is read."""
        with self._lock:  # one load at a time: the cache is not shared between them
            return self._refresh_locked(texts)

    def edit(self, texts: Mapping[str, str], edited: set[str]) -> State:
        """The last state with the open files ``edited`` (keys) read from their text and
        checked against the others, as ``netkb serve`` publishes an edit: problems
        between records stay those of the last full load (``refresh``, on save or when
        files change on disk). A full load when the edit changes which records exist."""
        with self._lock:
            last = self.state
            if last is None:
                return self._refresh_locked(texts)
            self.cache.set_texts(dict(texts))
            on_disk = [self.root / key for key in edited if (self.root / key).exists()]
            if not on_disk:  # new files not saved yet: ``problems`` checks them on their own
                return self._keep(last.network, last.index, texts)
            broken = [p for p in on_disk if self._unreadable(p, texts)]
            if broken:
                return self._keep(
                    _with_file_problems(last.network, broken, self), last.index, texts
                )
            done = load_edits(last.network, on_disk, cache=self.cache)
            if done is None:
                return self._refresh_locked(texts)
            return self._keep(done.network, done.index, texts)

    def _refresh_locked(self, texts: Mapping[str, str]) -> State:
        self.cache.set_texts(dict(texts))
        network = load(self.root, cache=self.cache)
        return self._keep(network, Index(network.people, network.organisations), texts)

    def _unreadable(self, path: Path, texts: Mapping[str, str]) -> bool:
        """Whether the open file ``path`` gives no record as typed (half-written YAML)."""
        key = self.key_of(path)
        if key is None or key not in texts:
            return False
        return self.cache.read_text(key.partition("/")[0], key, path, texts[key]).record is None

    def _keep(self, network: Network, index: Index, texts: Mapping[str, str]) -> State:
        """Make ``network`` the current state (completion candidates kept when the people
        are the same records)."""
        last = self.state
        same = last is not None and last.network.people == network.people
        people = last.candidates if same and last is not None else candidates_of(network.people)
        self.state = State(network, index, people, dict(texts))
        return self.state

    def problems(self, state: State) -> dict[Path, list[Problem]]:
        """Every problem by file; an open file that is not on disk yet (a new, unsaved
        file) is checked on its own against the others."""
        found: dict[Path, list[Problem]] = {}
        for problem in state.network.problems:
            found.setdefault(problem.path, []).append(problem)
        for key, text in state.texts.items():
            path = self.root / key
            if path in found or path.exists():
                continue  # a file on disk was loaded, with its text from the editor
            folder = key.partition("/")[0]
            file = self.cache.read_text(folder, key, path, text)
            own = list(file.problems)
            record = file.record
            if record is not None:
                own += check_records(
                    state.index,
                    [record] if isinstance(record, Person) else [],
                    [record] if isinstance(record, Organisation) else [],
                    [record] if isinstance(record, Interaction) else [],
                )
            found[path] = own
        return found

    @staticmethod
    def _records(network: Network) -> Iterator[Person | Organisation | Interaction]:
        yield from network.people.values()
        yield from network.organisations.values()
        yield from network.interactions

    def text_of(self, state: State, path: Path) -> str:
        """A file's text: the editor's while it is open, else what is on disk."""
        key = self.key_of(path)
        if key is not None and key in state.texts:
            return state.texts[key]
        try:
            return path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def diagnostics(
        self, state: State, path: Path, problems: list[Problem]
    ) -> list[lsp.Diagnostic]:
        """``problems`` of the file ``path`` as the editor shows them."""
        lines = editor_lines(self.text_of(state, path))
        return [_diagnostic(p, lines, self.encoding) for p in problems]

    # -- questions ----------------------------------------------------------------------

    def spot(self, path: Path, text: str, position: lsp.Position) -> tuple[Spot | None, str]:
        """What is at ``position`` of the file ``path`` holding ``text``, and the line."""
        lines = editor_lines(text)
        line = lines[position.line] if 0 <= position.line < len(lines) else ""
        column = from_client_column(line, position.character, self.encoding)
        key = self.key_of(path) or ""
        return spot_at(lines, position.line, column, key.partition("/")[0]), line

    def complete(
        self, state: State, path: Path, text: str, position: lsp.Position
    ) -> lsp.CompletionList:
        """What may be typed at ``position``: people, field names or closed values."""
        spot, line = self.spot(path, text, position)
        if spot is None:
            return lsp.CompletionList(is_incomplete=False, items=[])
        edit_range = lsp.Range(
            lsp.Position(position.line, to_client_column(line, spot.start + 1, self.encoding)),
            lsp.Position(position.line, to_client_column(line, spot.end + 1, self.encoding)),
        )
        if spot.what in (SLUG, WIKILINK):
            return _people(state.candidates, spot.prefix.strip(), edit_range)
        values = _closed_values(spot, (self.key_of(path) or "").partition("/")[0])
        items = [
            lsp.CompletionItem(
                label=label,
                detail=detail,
                kind=lsp.CompletionItemKind.Field
                if spot.what == FIELD
                else lsp.CompletionItemKind.EnumMember,
                sort_text=f"{number:04d}",
                text_edit=lsp.TextEdit(edit_range, label + (": " if spot.what == FIELD else "")),
            )
            for number, (label, detail) in enumerate(values)
            if label.startswith(spot.prefix.strip().casefold())
        ]
        return lsp.CompletionList(is_incomplete=False, items=items)

    def targets(
        self, state: State, path: Path, text: str, position: lsp.Position
    ) -> tuple[str, tuple[str, ...]]:
        """What the slug or wikilink at ``position`` names: ("person" or "organisation",
        slugs); ("", ()) when nothing is there."""
        spot, _line = self.spot(path, text, position)
        if spot is None or not spot.word.strip():
            return "", ()
        if spot.what == SLUG:
            slug = state.index.person(spot.word.strip())
            return ("person", (slug,)) if slug else ("", ())
        if spot.what == WIKILINK:
            found = state.index.resolve(spot.word.strip())
            return found.kind, found.slugs
        return "", ()

    def definition(
        self, state: State, path: Path, text: str, position: lsp.Position
    ) -> list[lsp.Location]:
        """The file of the person (or organisation) named at ``position``."""
        kind, slugs = self.targets(state, path, text, position)
        records: Mapping[str, Person | Organisation]
        records = state.network.people if kind == "person" else state.network.organisations
        return [_start_of(records[s].source.path) for s in slugs if s in records]

    def references(
        self, state: State, path: Path, text: str, position: lsp.Position, declaration: bool
    ) -> list[lsp.Location]:
        """Every place that names the person at ``position`` (or whose file this is)."""
        kind, slugs = self.targets(state, path, text, position)
        if not slugs:
            own = [p.slug for p in state.network.people.values() if p.source.path == path]
            kind, slugs = ("person", tuple(own)) if own else ("", ())
        if kind != "person" or len(slugs) != 1:
            return []
        slug = slugs[0]
        places = list(_mentions(state, slug))
        if declaration:
            places.insert(0, (state.network.people[slug].source.path, 1, 1, 0))
        return [self._location(state, *place) for place in places]

    def _location(
        self, state: State, path: Path, line: int, column: int, length: int
    ) -> lsp.Location:
        text_line = editor_lines(self.text_of(state, path))[line - 1 : line] or [""]
        start = to_client_column(text_line[0], column, self.encoding)
        end = to_client_column(text_line[0], column + length, self.encoding)
        return lsp.Location(
            path.as_uri(), lsp.Range(lsp.Position(line - 1, start), lsp.Position(line - 1, end))
        )

    def hover(
        self, state: State, path: Path, text: str, position: lsp.Position
    ) -> lsp.Hover | None:
        """The one-line brief of the person (or the organisation) named at ``position``."""
        kind, slugs = self.targets(state, path, text, position)
        if kind == "person":
            lines = [one_line_brief(state.facts, slug) for slug in slugs]
        elif kind == "organisation":
            orgs = state.network.organisations
            lines = [" — ".join(x for x in (orgs[s].name, orgs[s].website) if x) for s in slugs]
        else:
            return None
        return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.PlainText, "\n".join(lines)))


def _with_file_problems(network: Network, paths: list[Path], session: Session) -> Network:
    """``network`` with the problems of ``paths`` replaced by what their text gives on its
    own: a file that does not parse has only its parse problems, as in ``netkb check``;
    its last record stays for the others until it parses again."""
    replaced = set(paths)
    problems = [p for p in network.problems if p.path not in replaced]
    for path in paths:
        key = session.key_of(path) or ""
        text = session.cache.texts.get(key, "")
        problems += session.cache.read_text(key.partition("/")[0], key, path, text).problems
    problems.sort(key=sort_key)
    return replace(network, problems=tuple(problems))


def one_line_brief(facts: Facts, slug: str) -> str:
    """``Jane Doe (jane-doe) — CTO at Acme · circle 2 (close) · last contact 2026-10-02 ·
    next due 2026-11-01``: the head of ``netkb show`` on one line, from the same brief."""
    about = brief(facts, slug)
    person, standing = about.person, about.standing
    position = " at ".join(x for x in (person.role, person.organization) if x)
    parts = [f"{person.name} ({slug})" + (f" — {position}" if position else "")]
    if person.circle:
        parts.append(f"circle {person.circle} ({CIRCLE_NAMES[person.circle]})")
    parts += ["decision-maker"] if person.decision_maker else []
    parts += ["private"] if person.private else []
    last = standing.last_contact
    parts.append(f"last contact {last.isoformat()}" if last else "no contact recorded")
    if standing.follow_up is not None:
        parts.append(f"next due {standing.follow_up.due.isoformat()}")
    return " · ".join(parts)


def _start_of(path: Path) -> lsp.Location:
    """The top of a file."""
    return lsp.Location(path.as_uri(), lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)))


def _diagnostic(problem: Problem, lines: list[str], encoding: str) -> lsp.Diagnostic:
    """A problem at its place: from its column to the end of the word there."""
    number = max(problem.line - 1, 0)
    text = lines[number] if number < len(lines) else ""
    start = max(problem.column - 1, 0)
    end = start
    while end < len(text) and text[end] not in _DELIMITERS:
        end += 1
    if end == start:
        end = len(text) if start == 0 else min(start + 1, len(text))
    return lsp.Diagnostic(
        range=lsp.Range(
            lsp.Position(number, to_client_column(text, start + 1, encoding)),
            lsp.Position(number, to_client_column(text, max(end, start) + 1, encoding)),
        ),
        message=problem.message,
        severity=(
            lsp.DiagnosticSeverity.Error
            if problem.severity == Severity.ERROR
            else lsp.DiagnosticSeverity.Warning
        ),
        code=problem.code,
        source="netkb",
    )


def _people(
    candidates: tuple[Candidate, ...], typed: str, edit_range: lsp.Range
) -> lsp.CompletionList:
    """The people matching ``typed``, best first: slug prefix, name prefix, anywhere."""
    ranked, more = matching(candidates, typed, MAX_ITEMS)
    items = [
        lsp.CompletionItem(
            label=c.slug,
            kind=lsp.CompletionItemKind.Reference,
            detail=c.detail,
            sort_text=f"{grade}{number:04d}",
            # What the editor filters on: a name match must survive its filtering too.
            filter_text=f"{c.slug} {typed}" if grade else c.slug,
            text_edit=lsp.TextEdit(edit_range, c.slug),
        )
        for number, (grade, c) in enumerate(ranked)
    ]
    return lsp.CompletionList(is_incomplete=more, items=items)


def _closed_values(spot: Spot, folder: str) -> list[tuple[str, str]]:
    """The (value, detail) pairs a field name, relation type or closed field may take."""
    if spot.what == FIELD:
        kind = KIND_OF_FOLDER.get(folder)
        return [(f.name, f.type) for f in kind.fields] if kind else []
    if spot.what == RELATION:
        return [(name, f"inverse: {inverse}") for name, inverse in RELATION_INVERSES.items()]
    if spot.what == VALUE and spot.field == "kind":
        return [(kind, "kind of interaction") for kind in INTERACTION_KINDS]
    if spot.what == VALUE and spot.field == "favor":
        return [(favor, "favour") for favor in FAVORS]
    if spot.what == VALUE and spot.field == "circle":
        return [(str(c), name) for c, name in CIRCLE_NAMES.items()]
    return []


def _mentions(state: State, slug: str) -> Iterator[tuple[Path, int, int, int]]:
    """(path, line, column, length) of every place a record names ``slug``: ``with``,
    ``introduced_by``, ``relations``, ``distinct_from`` and wikilinks in notes."""
    index = state.index
    for record in Session._records(state.network):
        source = record.source
        named: list[tuple[tuple[str | int, ...], str]] = []
        if isinstance(record, Interaction):
            named += [(("with", n), ref) for n, ref in enumerate(record.with_)]
        elif isinstance(record, Person):
            if record.introduced_by:
                named.append((("introduced_by",), record.introduced_by))
            for kind, slugs in record.relations:
                named += [(("relations", kind, n), ref) for n, ref in enumerate(slugs)]
            named += [(("distinct_from", n), ref) for n, ref in enumerate(record.distinct_from)]
        for key_path, reference in named:
            if index.person(reference) == slug:
                line, column = source.at(*key_path)
                yield source.path, line, column, len(reference)
        if "[[" in record.body:
            for wikilink in find_wikilinks(record.body):
                if index.resolve(wikilink.target).slugs == (slug,):
                    line = source.body_line + wikilink.line
                    yield source.path, line, wikilink.column, len(wikilink.target) + 4
