"""Forget a person: their file goes, and every other file stops naming them.

``plan_forget`` reads only. The person's file and their photo are deleted; in every
other file netkb can read, a relation, ``introduced_by`` or ``distinct_from`` naming
them is removed, a log entry's ``with`` loses them (an entry left with nobody is
deleted; one whose file name holds their slug is renamed), and in notes and text
fields every wikilink to them and every mention of their name, aliases, slug,
e-mails and phones becomes ``PLACEHOLDER`` (or, with ``keep_names``, the plain
name or label). Files that still hold one of those words and that netkb cannot
edit (a file that does not load, another person's name) are listed, never guessed at.

``apply_forget`` writes all that through ``netkb.edit.edit`` under the KB lock,
checking every file against the plan first, and deletes the person's file last,
so a stopped run is finished by running it again.

``history_cleanup`` says how to remove the person from git history as well: the
paths ``git filter-repo --invert-paths`` must drop and the ``--replace-text``
rules, written to a file under ``.netkb/`` (gitignored). netkb never rewrites
history itself.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netkb.core.identity import as_list
from netkb.core.records import Network, Person
from netkb.core.references import WIKILINK, Index, name_key, slug_key
from netkb.core.write import create_file
from netkb.edit.edit import (
    DELETE,
    EditError,
    changed_since,
    edit_file,
    edited_bytes,
    fingerprint,
)
from netkb.edit.lock import kb_lock
from netkb.git.repo import GitError, git, is_git_repo
from netkb.load.frontmatter import read_document
from netkb.load.loader import LOG_DIR, ORGS_DIR, PEOPLE_DIR
from netkb.network.search import person_named, suggest

PLACEHOLDER = "a former contact"
RULES_FOLDER = ".netkb/forget"
PHOTOS_DIR = "photos"
# Keys that are another record's identity: never rewritten, only reported.
_IDENTITY = frozenset({"name", "aliases"})
_REFERENCE_LISTS = ("distinct_from",)


class ForgetError(Exception):
    """The person cannot be forgotten as asked; nothing was written. The message says why."""


@dataclass(slots=True)
class FileChange:
    """What forgetting changes in one file other than the person's own."""

    path: Path
    fingerprint: str
    action: str  # "edit", "delete" (a log entry left with nobody), "rename"
    changes: dict[str, Any] = field(default_factory=dict)
    body: Callable[[str], str] | None = None
    where: list[str] = field(default_factory=list)  # "introduced_by", "2 mentions in notes"
    new_path: Path | None = None  # where a renamed file goes


@dataclass(slots=True)
class ForgetPlan:
    """Everything ``apply_forget`` will do, and what the user must be told."""

    slug: str
    path: Path
    fingerprint: str
    private: bool
    photo: Path | None = None
    photo_fingerprint: str | None = None
    changes: list[FileChange] = field(default_factory=list)
    leftovers: list[Path] = field(default_factory=list)  # still name them; edit by hand
    names: tuple[str, ...] = ()  # name and aliases
    details: tuple[str, ...] = ()  # e-mails and phones

    @property
    def touched(self) -> list[Path]:
        """Every file the plan deletes, changes or creates, the person's own last."""
        paths: list[Path] = []
        for change in self.changes:
            paths.append(change.path)
            if change.new_path is not None:
                paths.append(change.new_path)
        if self.photo is not None:
            paths.append(self.photo)
        return [*paths, self.path]


def resolve(network: Network, reference: str) -> str:
    """The slug of the person ``reference`` (a slug, name or alias) names; ForgetError,
    with a suggestion, when it names nobody or several people."""
    index = Index(network.people, network.organisations)
    found = person_named(reference, network.people, index)
    if len(found) == 1:
        return found[0]
    if found:
        raise ForgetError(
            f"{reference!r} names {len(found):,} people: {', '.join(sorted(found))}; "
            "use a slug; nothing was written"
        )
    close = suggest(reference, network.people)
    maybe = f" (did you mean {close!r}?)" if close else ""
    raise ForgetError(f"no person has the slug {reference!r}{maybe}; nothing was written")


def plan_forget(network: Network, reference: str, *, keep_names: bool = False) -> ForgetPlan:
    """What forgetting the person ``reference`` names would change. Writes nothing."""
    slug = resolve(network, reference)
    person = network.people[slug]
    index = Index(network.people, network.organisations)
    plan = ForgetPlan(
        slug,
        person.source.path,
        fingerprint(_bytes(person.source.path)),
        person.private,
        names=tuple(dict.fromkeys(n for n in (person.name, *person.aliases) if n.strip())),
        details=tuple(dict.fromkeys(v for v in (*person.email, *person.phone) if v.strip())),
    )
    plan.photo, plan.photo_fingerprint = _photo(network, person)
    scrubber = Scrubber(person, index, keep_names)
    handled = {person.source.path}
    records: list[tuple[Path, str]] = [
        *((p.source.path, "person") for s, p in network.people.items() if s != slug),
        *((o.source.path, "organisation") for o in network.organisations.values()),
        *((i.source.path, "interaction") for i in network.interactions),
    ]
    taken: set[Path] = set()
    for path, kind in records:
        handled.add(path)
        change = _change(path, kind, slug, index, scrubber, taken)
        if change is not None:
            plan.changes.append(change)
    if plan.photo is not None:
        handled.add(plan.photo)
    plan.leftovers = _leftovers(network.root, handled, scrubber)
    return plan


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ForgetError(f"{path}: cannot read the file: {exc.strerror}") from None


def _photo(network: Network, person: Person) -> tuple[Path | None, str | None]:
    """The person's photo, when it is a file in the KB that nobody else shows."""
    if not person.photo:
        return None, None
    path = network.root / person.photo
    shared = any(
        other.photo == person.photo for other in network.people.values() if other is not person
    )
    inside = os.path.realpath(path).startswith(os.path.realpath(network.root) + os.sep)
    if shared or not inside or not path.is_file():
        return None, None
    return path, fingerprint(_bytes(path))


class Scrubber:
    """Turns every trace of one person in a text into ``PLACEHOLDER`` (or plain names)."""

    def __init__(self, person: Person, index: Index, keep_names: bool) -> None:
        self.slug = person.slug
        self.name = person.name
        self.index = index
        self.keep_names = keep_names
        self.name_keys = {name_key(n) for n in (person.name, *person.aliases)}
        words = [person.name, *person.aliases, person.slug, *person.email, *person.phone]
        terms = sorted({w.strip() for w in words if w.strip()}, key=len, reverse=True)
        # A name broken over two lines of notes is still the name.
        alternatives = "|".join(r"\s+".join(map(re.escape, t.split())) for t in terms)
        self.terms = re.compile(rf"(?<![\w@.+-])(?:{alternatives})(?![\w@-])", re.IGNORECASE)
        self.pattern = re.compile(
            rf"{WIKILINK.pattern}|(?P<term>{self.terms.pattern})", re.IGNORECASE
        )

    def mentions(self, text: str) -> bool:
        """Whether ``text`` holds a wikilink to the person or one of their words."""
        if self.terms.search(text) is None and not self._maybe_linked(text):
            return False  # most files: one regex search, no wikilink resolved
        return any(self._replacement(m) != m.group() for m in self.pattern.finditer(text))

    def _maybe_linked(self, text: str) -> bool:
        """Whether a wikilink in ``text`` may name the person in a spelling the words miss
        (accents, dots: ``[[Zoe Muller]]`` is Zoë Müller)."""
        if "[[" not in text:
            return False
        folded = name_key(text)
        return any(key in folded for key in self.name_keys)

    def __call__(self, text: str) -> str:
        return self.pattern.sub(self._replacement, text)

    def count(self, text: str) -> int:
        return sum(self._replacement(m) != m.group() for m in self.pattern.finditer(text))

    def _replacement(self, match: re.Match[str]) -> str:
        found = self._found(match)
        if found == PLACEHOLDER and _starts_sentence(match.string, match.start()):
            return PLACEHOLDER[0].upper() + PLACEHOLDER[1:]
        return found

    def _found(self, match: re.Match[str]) -> str:
        if match.group("term") is not None:
            word = match.group("term")
            if self.keep_names and name_key(word) in self.name_keys:
                return word
            if self.keep_names and slug_key(word) == slug_key(self.slug):
                return self.name
            return PLACEHOLDER
        target, label = match.group(1).strip(), match.group(2)
        resolution = self.index.resolve(target)
        if resolution.kind == "person" and self.slug in resolution.slugs:
            if not self.keep_names:
                return PLACEHOLDER
            if label:
                return label.strip()
            return self.name if slug_key(target) == slug_key(self.slug) else target
        if label and self.terms.search(label):
            return f"[[{match.group(1)}|{self.terms.sub(self._plain, label)}]]"
        return match.group()

    def _plain(self, match: re.Match[str]) -> str:
        word = match.group()
        return word if self.keep_names and name_key(word) in self.name_keys else PLACEHOLDER


def _starts_sentence(text: str, start: int) -> bool:
    """Whether a word at ``start`` begins a sentence, a line of a list or the text."""
    before = text[:start].rstrip()
    return not before or before[-1] in ".!?:#*-" or before.endswith("\n\n")


def _change(
    path: Path, kind: str, slug: str, index: Index, scrub: Scrubber, taken: set[Path]
) -> FileChange | None:
    """What forgetting ``slug`` changes in the record file at ``path``, if anything."""
    data = _bytes(path)
    text = data.decode("utf-8", "replace")
    if not scrub.mentions(text) and slug_key(slug) not in text.casefold():
        return None  # the common case, decided without parsing the front matter again
    doc = read_document(path, data)
    if doc.meta is None:
        return None  # not a record after all; _leftovers reports it
    meta = doc.meta

    def names(value: Any) -> bool:
        return isinstance(value, str) and index.person(value) == slug

    change = FileChange(path, fingerprint(data), "edit")
    for key, value in meta.items():
        if key in _IDENTITY:
            continue
        if kind == "interaction" and key == "with":
            if not any(names(v) for v in as_list(value)):
                continue
            left = [v for v in as_list(value) if not names(v)]
            if not left:
                return FileChange(path, change.fingerprint, "delete", where=["nobody else in it"])
            change.changes["with"] = left
        elif kind == "person" and key == "introduced_by" and names(value):
            change.changes[key] = DELETE
        elif kind == "person" and key == "relations" and isinstance(value, dict):
            kept = dict(value)
            for relation, targets in value.items():
                if any(names(t) for t in as_list(targets)):
                    left = [t for t in as_list(targets) if not names(t)]
                    if left:
                        kept[relation] = left if isinstance(targets, list) else left[0]
                    else:
                        del kept[relation]
            if kept != value:
                change.changes[key] = kept or DELETE
        elif kind == "person" and key in _REFERENCE_LISTS:
            if any(names(v) for v in as_list(value)):
                left = [v for v in as_list(value) if not names(v)]
                change.changes[key] = left or DELETE
        else:
            scrubbed = _scrubbed(value, scrub)
            if scrubbed != value:
                change.changes[key] = scrubbed
    mentions = scrub.count(doc.body)
    if mentions:
        change.body = scrub
    change.where = [str(k) for k in change.changes]
    if mentions:
        change.where.append(f"{mentions} mention{'s' if mentions > 1 else ''} in notes")
    if kind == "interaction" and _names_slug(path.stem, slug):
        change.action = "rename"
        change.new_path = _new_name(path, slug, change.changes.get("with", meta.get("with")), taken)
        change.where.append(f"renamed to {change.new_path.name}")
    return change if change.where else None


def _scrubbed(value: Any, scrub: Scrubber) -> Any:
    """``value`` with every string in it scrubbed (lists and mappings walked)."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [_scrubbed(v, scrub) for v in value]
    if isinstance(value, dict):
        return {k: _scrubbed(v, scrub) for k, v in value.items()}
    return value


def _names_slug(text: str, slug: str) -> bool:
    """Whether a file name holds the slug as a whole part (``…-lunch-jane-doe.md``)."""
    return bool(re.search(rf"(?<![a-z0-9]){re.escape(slug_key(slug))}(?![a-z0-9])", slug_key(text)))


def _new_name(path: Path, slug: str, others: Any, taken: set[Path]) -> Path:
    """The log entry's file name with the first other person's slug for the forgotten one."""
    first = next((v for v in as_list(others) if isinstance(v, str)), "entry")
    pattern = re.compile(rf"(?<![a-z0-9]){re.escape(slug_key(slug))}(?![a-z0-9])", re.IGNORECASE)
    stem = pattern.sub(first, path.stem)
    candidate, number = path.with_name(stem + path.suffix), 1
    while candidate.exists() or candidate in taken:
        number += 1
        candidate = path.with_name(f"{stem}-{number}{path.suffix}")
    taken.add(candidate)
    return candidate


def _leftovers(root: Path, handled: set[Path], scrub: Scrubber) -> list[Path]:
    """Files in contacts/, orgs/ and log/ that netkb did not plan to change and that still
    hold a word of the person's (files that do not load, names of other people), and
    pictures in photos/ named after their slug that netkb does not delete."""
    found = []
    for folder in (PEOPLE_DIR, ORGS_DIR, LOG_DIR):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix == ".md" and path in handled:
                continue
            if not path.is_file() or path.is_symlink():
                continue
            try:
                text = path.read_bytes().decode("utf-8", "replace")
            except OSError:
                continue
            if scrub.terms.search(text) or _names_slug(path.name, scrub.slug):
                found.append(path)
    # Pictures are not read, but one named after them is most likely of them.
    for path in sorted((root / PHOTOS_DIR).rglob("*")):
        if path not in handled and path.is_file() and _names_slug(path.name, scrub.slug):
            found.append(path)
    return found


def apply_forget(root: Path, plan: ForgetPlan) -> list[Path]:
    """Carry out ``plan``; returns every file written, created or deleted.

    Every file is checked against the plan before the first write, so a file changed
    meanwhile stops the forgetting before it starts.
    """
    with kb_lock(root):
        expected = [
            (plan.path, plan.fingerprint),
            *((c.path, c.fingerprint) for c in plan.changes),
            *([(plan.photo, plan.photo_fingerprint)] if plan.photo else []),
        ]
        if (path := changed_since(expected)) is not None:
            raise ForgetError(
                f"{path} changed since netkb read it; nothing written. Run forget again"
            )
        for change in plan.changes:
            if change.new_path is not None and change.new_path.exists():
                raise ForgetError(f"{change.new_path} exists now; nothing written. Run again")
        written: list[Path] = []
        try:
            for change in plan.changes:
                if change.action == "edit":
                    edit_file(
                        root, change.path, change.changes, body=change.body,
                        expected=change.fingerprint,
                    )  # fmt: skip
                    written.append(change.path)
                elif change.action == "rename" and change.new_path is not None:
                    data = change.path.read_bytes()
                    after = edited_bytes(change.path, data, change.changes, change.body)
                    create_file(change.new_path, after, inside=root)
                    written.append(change.new_path)
                    _delete(change.path, change.fingerprint)
                    written.append(change.path)
                else:
                    _delete(change.path, change.fingerprint)
                    written.append(change.path)
            if plan.photo is not None and plan.photo_fingerprint is not None:
                _delete(plan.photo, plan.photo_fingerprint)
                written.append(plan.photo)
            _delete(plan.path, plan.fingerprint)
            written.append(plan.path)
        except (EditError, OSError) as exc:
            done = ", ".join(str(p) for p in written) or "nothing"
            raise ForgetError(f"forget stopped: {exc}. Already written: {done}") from None
    return written


def _delete(path: Path, expected: str) -> None:
    if fingerprint(path.read_bytes()) != expected:
        raise EditError(f"{path} changed on disk; it was not deleted")
    os.unlink(path)


# -- git history ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryCleanup:
    """How to remove the person from git history: commands to run, and where the rules are."""

    top: Path  # the repository's top folder
    paths: tuple[str, ...]  # relative to ``top``, for --invert-paths
    rules: Path  # the --replace-text / --replace-message file netkb wrote
    ignored: bool  # whether git ignores the rules file

    def commands(self, clone: Path) -> list[str]:
        """The shell commands, in order: a fresh clone, then one ``git filter-repo`` (over
        several lines, each but the last ending in a backslash)."""
        # One option a line, joined by a backslash: still one command when pasted.
        options = [["--invert-paths"]] if self.paths else []
        options += [["--path", path] for path in self.paths]
        rules = str(self.rules)
        options += [["--replace-text", rules], ["--replace-message", rules]]
        filter_repo = " \\\n    ".join(
            ["git filter-repo", *(shlex.join(option) for option in options)]
        )
        return [
            shlex.join(["git", "clone", "--no-local", str(self.top), str(clone)]),
            shlex.join(["cd", str(clone)]),
            filter_repo,
        ]


def history_paths(root: Path, plan: ForgetPlan) -> tuple[Path, list[str]]:
    """(The repository's top, every path in its history that must go): the person's file
    under every name it had (renames followed), their photo, the log entries deleted or
    renamed, and any other file whose name held their slug and that is gone now."""
    top = Path(git(root, ["rev-parse", "--show-toplevel"]).decode("utf-8").strip())

    def relative(path: Path) -> str:
        return os.path.relpath(os.path.realpath(path), os.path.realpath(top))

    gone = [plan.path, *([plan.photo] if plan.photo else [])]
    gone += [c.path for c in plan.changes if c.action in ("delete", "rename")]
    paths = dict.fromkeys(relative(p) for p in gone)
    followed = git(
        top,
        ["log", "--all", "--follow", "--format=", "--name-only", "-z", "--", relative(plan.path)],
    )
    paths.update(dict.fromkeys(n for n in followed.decode("utf-8", "replace").split("\0") if n))
    every = git(top, ["log", "--all", "--format=", "--name-only", "-z"]).decode("utf-8", "replace")
    for name in dict.fromkeys(n.strip("\n") for n in every.split("\0")):
        if name and _names_slug(name.rsplit("/", 1)[-1], plan.slug) and not (top / name).exists():
            paths[name] = None
    return top, sorted(p for p in paths if p)


def replace_rules(plan: ForgetPlan) -> str:
    """``git filter-repo --replace-text`` rules: every word of the person's (name, aliases,
    slug, e-mails, phones), longest first, in any letter case and however spaced, becomes
    the placeholder, but only as a whole word: the alias "Al" must not eat "Alice"."""
    words = {*plan.names, plan.slug, *plan.details}
    lines = []
    for word in sorted(words, key=len, reverse=True):
        word = word.strip()
        if not word or "\n" in word or "==>" in word:
            continue
        pattern = r"\s+".join(re.escape(part) for part in word.split())
        lines.append(f"regex:(?i)(?<![A-Za-z0-9]){pattern}(?![A-Za-z0-9])==>{PLACEHOLDER}")
    return "".join(f"{line}\n" for line in lines)


def write_history_rules(root: Path, plan: ForgetPlan, today: dt.date) -> HistoryCleanup:
    """Write the replace-text rules under ``.netkb/forget/`` and work out the paths.

    Raises GitError when ``root`` is not in a git repository.
    """
    if not is_git_repo(root):
        raise GitError(f"{root} is not in a git repository")
    top, paths = history_paths(root, plan)
    folder = root / RULES_FOLDER
    number = 1
    while (rules := folder / f"rules-{today.isoformat()}-{number}.txt").exists():
        number += 1
    create_file(rules, replace_rules(plan).encode("utf-8"), inside=root)
    # check-ignore refuses literal pathspecs; ls-files lists the file only when ignored.
    listed = git(root, ["ls-files", "-o", "-i", "--exclude-standard", "--", str(rules)])
    ignored = bool(listed.strip())
    return HistoryCleanup(top, tuple(paths), rules.resolve(), ignored)
