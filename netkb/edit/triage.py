"""``netkb triage``: place people in circles one at a time, the best-known first.

This module is the session without the terminal: whom to show and in which order
(``candidates``), which circle their history suggests (``propose_circle``), and what
each key does to the files (``Session``). ``netkb.commands.triage`` reads keys and
prints; everything here returns values.

**The order.** People with the most interactions come first (those dated up to
today), then the most recently in contact, then the most connected (people they
are related to either way, who introduced them and whom they introduced), then by
name. Those are the people the history says most about.

**The proposed circle** comes from the interactions of the 365 days up to today and
the last contact (the log's or the ``last_contact`` field, whichever is later). It is
the further out of two circles:

- by frequency: 12 or more interactions in the past year → 1, 6 or more → 2,
  3 or more → 3, 1 or more → 4, none → 5;
- by recency: a last contact at most 30 days ago allows 1, at most 90 days 2,
  at most 180 days 3, at most 365 days 4; older, 5.

So twelve lunches in a year, the last a week ago, propose circle 1; the same twelve
with the last one four months ago propose 3. Nobody is proposed a circle without
any history (no interaction and no ``last_contact``): the user picks one.

**Each answer is one write** through ``netkb.edit.edit`` (the touched key only, atomic,
under the KB lock), so quitting at any moment loses nothing. ``u`` puts back the
exact bytes the last answer replaced (``edit.restore_file``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netkb.core.identity import as_list, missing_items
from netkb.core.references import name_key
from netkb.edit.edit import DELETE, ChangedOnDisk, EditError, edit_file, fingerprint, restore_file
from netkb.link.derive import Facts
from netkb.load.frontmatter import read_document
from netkb.network.selection import Selection

# (at least this many interactions in the past year, circle), closest first.
BY_FREQUENCY = ((12, 1), (6, 2), (3, 3), (1, 4))
# (last contact at most this many days ago, the closest circle it allows).
BY_RECENCY = ((30, 1), (90, 2), (180, 3), (365, 4))
OUTERMOST = 5
YEAR = 365
_LABELS = {"circle": "the circle", "decision_maker": "decision-maker", "tags": "the tags"}

KEYS_HELP = (
    "1–5    put the person in that circle (1 inner circle … 5 acquaintance), next person",
    "Enter  accept the proposed circle, next person",
    "d      decision-maker: yes ↔ no",
    "t      tags: type them on a line; 'golf, board' adds, '-golf' removes",
    "s      skip this person for now",
    "u      undo the last answer (the file gets its exact previous bytes back)",
    "q      quit (Ctrl-C and Ctrl-D too); every answer is already saved",
    "?      this help",
)


@dataclass(frozen=True, slots=True)
class Proposal:
    """A circle suggested by the interaction history, and what it was read from."""

    circle: int
    past_year: int  # interactions in the 365 days up to today
    days_since: int | None  # since the last contact

    def reason(self) -> str:
        """Why this circle: ``9 interactions in the past year, last contact 8 days ago``."""
        count = f"{self.past_year:,} interaction{'s' if self.past_year != 1 else ''}"
        if self.days_since is None:
            return f"{count} in the past year"
        return f"{count} in the past year, last contact {_ago(self.days_since)}"


def propose_circle(
    dates: list[dt.date], last_contact: dt.date | None, today: dt.date
) -> Proposal | None:
    """The circle the history suggests (module docstring); None without any history.

    ``dates``: the person's interactions up to today; ``last_contact``: the later of
    the log's last date and the person's ``last_contact`` field.
    """
    if not dates and last_contact is None:
        return None
    past_year = sum(1 for day in dates if 0 <= (today - day).days < YEAR)
    by_frequency = next((c for least, c in BY_FREQUENCY if past_year >= least), OUTERMOST)
    days_since = (today - last_contact).days if last_contact is not None else None
    by_recency = OUTERMOST
    if days_since is not None:
        by_recency = next((c for most, c in BY_RECENCY if days_since <= most), OUTERMOST)
    return Proposal(max(by_frequency, by_recency), past_year, days_since)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A person as the session shows them: what is known, and the proposed circle."""

    slug: str
    name: str
    path: Path
    role: str | None
    organization: str | None
    interactions: int
    last_contact: dt.date | None
    introducer: str | None  # the introducer's name
    connections: int
    tags: tuple[str, ...]
    circle: int | None
    decision_maker: bool
    proposal: Proposal | None


def candidates(facts: Facts, selection: Selection) -> list[Candidate]:
    """The people ``selection`` matches, in the order the module docstring gives."""
    found = [
        _candidate(facts, slug)
        for slug, person in facts.people.items()
        if selection.matches(person, facts.index)
    ]
    found.sort(key=rank_key)
    return found


def rank_key(candidate: Candidate) -> tuple[Any, ...]:
    """Most interactions, then most recent, then most connected, then by name."""
    recency = -candidate.last_contact.toordinal() if candidate.last_contact else 0
    return (
        -candidate.interactions,
        recency,
        -candidate.connections,
        name_key(candidate.name),
        candidate.slug,
    )


def _candidate(facts: Facts, slug: str) -> Candidate:
    person = facts.people[slug]
    held = facts.held(facts.timelines.get(slug, ()))
    last = facts.last_contact(slug)
    connected = {other for _kind, others in facts.relations(slug) for other in others}
    connected.update(facts.introduced.get(slug, ()))
    introducer = facts.introducer.get(slug)
    if introducer is not None:
        connected.add(introducer)
    connected.discard(slug)
    return Candidate(
        slug=slug,
        name=person.name,
        path=person.source.path,
        role=person.role,
        organization=person.organization,
        interactions=len(held),
        last_contact=last,
        introducer=facts.people[introducer].name if introducer is not None else None,
        connections=len(connected),
        tags=person.tags,
        circle=person.circle,
        decision_maker=person.decision_maker,
        proposal=propose_circle([i.date for i in held], last, facts.today),
    )


def card(candidate: Candidate, now: Current, today: dt.date) -> list[str]:
    """What the session shows of a person, one line each (the user's data, not yet made
    visible for a terminal)."""
    lines = [f"{candidate.name} ({candidate.slug})"]
    position = " at ".join(v for v in (candidate.role, candidate.organization) if v)
    lines.append(f"  {position}" if position else "  (no role or organisation)")
    count = f"{candidate.interactions:,} interaction{'s' if candidate.interactions != 1 else ''}"
    if candidate.last_contact is not None:
        days = (today - candidate.last_contact).days
        count += f", last contact {candidate.last_contact.isoformat()} ({_ago(days)})"
    lines.append(f"  {count}")
    known = []
    if candidate.introducer:
        known.append(f"introduced by {candidate.introducer}")
    known.append(f"{candidate.connections:,} connection{'s' if candidate.connections != 1 else ''}")
    known.append(f"tags: {', '.join(now.tags)}" if now.tags else "no tags")
    lines.append("  " + " · ".join(known))
    circle = f"circle {now.circle}" if now.circle is not None else "no circle yet"
    lines.append(f"  {circle} · decision-maker: {'yes' if now.decision_maker else 'no'}")
    if candidate.proposal is not None:
        proposal = candidate.proposal
        lines.append(f"  proposed: circle {proposal.circle} ({proposal.reason()})")
    else:
        lines.append("  no proposal: no interactions yet")
    return lines


def _ago(days: int) -> str:
    if days == 0:
        return "today"
    if days < 0:
        return f"in {-days:,} day{'s' if days != -1 else ''}"
    return f"{days:,} day{'s' if days != 1 else ''} ago"


# -- the session -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Current:
    """A person's circle, decision-maker flag and tags as their file holds them now."""

    circle: int | None
    decision_maker: bool
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer and the bytes it replaced, so that ``u`` can put them back."""

    position: int
    slug: str
    path: Path
    key: str  # "circle", "decision_maker" or "tags"
    before: bytes
    after: bytes


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a key did: lines for the user (their data not yet made visible for a
    terminal), and whether the session is over or needs a line of text (the tags)."""

    lines: tuple[str, ...] = ()
    quit: bool = False
    wants_line: bool = False
    failed: bool = False


@dataclass(slots=True)
class Session:
    """The answers given so far over ``people``, written to ``root`` one at a time."""

    root: Path
    people: list[Candidate]
    position: int = 0
    answers: list[Answer] = field(default_factory=list)
    undone: int = 0
    _now: dict[str, Current] = field(default_factory=dict)

    @property
    def current(self) -> Candidate | None:
        """The person being asked about; None once everyone has an answer."""
        return self.people[self.position] if self.position < len(self.people) else None

    def now(self, candidate: Candidate) -> Current:
        """The person's circle, flag and tags as the session last wrote or read them."""
        found = self._now.get(candidate.slug)
        if found is None:
            found = Current(candidate.circle, candidate.decision_maker, candidate.tags)
        return found

    def press(self, key: str) -> Outcome:
        """Act on one key (see KEYS_HELP)."""
        if key == "q":
            return Outcome(quit=True)
        if key == "?":
            return Outcome(KEYS_HELP)
        if key == "u":
            return self.undo()
        person = self.current
        if person is None:
            return Outcome(("That was everyone: u undoes the last answer, q quits.",))
        if key in ("\r", "\n"):
            if person.proposal is None:
                return Outcome((f"No proposal for {person.name}: press 1–5, or s to skip.",))
            return self.place(person.proposal.circle)
        if key in ("1", "2", "3", "4", "5"):
            return self.place(int(key))
        if key == "d":
            return self._write(person, "decision_maker", _toggled)
        if key == "t":
            return Outcome(wants_line=True)
        if key == "s":
            self.position += 1
            return Outcome((f"Skipped {person.name}.",))
        return Outcome(("Press 1–5, Enter, d, t, s, u or q (? for help).",))

    def place(self, circle: int) -> Outcome:
        """Put the current person in ``circle`` and move on to the next."""
        person = self.current
        assert person is not None
        outcome = self._write(person, "circle", lambda _meta: {"circle": circle})
        if not outcome.failed:
            self.position += 1
        return outcome

    def tag(self, line: str) -> Outcome:
        """Add the tags on ``line`` (comma-separated) to the current person; ``-tag``
        removes one. An empty line changes nothing."""
        person = self.current
        if person is None:
            return Outcome()
        words = [w.strip() for w in line.split(",") if w.strip()]
        if not words:
            return Outcome(("Tags unchanged.",))
        return self._write(person, "tags", lambda meta: _retagged(meta, words))

    def undo(self) -> Outcome:
        """Put back the bytes the last answer replaced and return to that person."""
        if not self.answers:
            return Outcome(("Nothing to undo.",))
        answer = self.answers.pop()
        try:
            restore_file(self.root, answer.path, answer.before, expected=fingerprint(answer.after))
        except ChangedOnDisk:
            return Outcome(
                (
                    f"Cannot undo {_LABELS[answer.key]} of {answer.slug}: {answer.path.name} was "
                    "changed by another program since; edit it by hand. The answer before it "
                    "is next for u.",
                ),
                failed=True,
            )
        except EditError as exc:
            self.answers.append(answer)
            return Outcome((f"Cannot undo: {exc}",), failed=True)
        self.undone += 1
        self.position = answer.position
        self._now[answer.slug] = _current(answer.path, answer.before)
        name = self.people[answer.position].name
        return Outcome((f"Undone: {_LABELS[answer.key]} of {name} as before.",))

    def _write(
        self, person: Candidate, key: str, change: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> Outcome:
        """One answer: the change made to the file as it is now, through the edit path."""
        try:
            data = person.path.read_bytes()
        except OSError as exc:
            return Outcome((f"Cannot read {person.path}: {exc.strerror}",), failed=True)
        doc = read_document(person.path, data)
        if doc.meta is None:
            return Outcome(
                (f"{person.path} does not load; fix it first (netkb check)",), failed=True
            )
        try:
            changes = change(dict(doc.meta))
            result = edit_file(self.root, person.path, changes, expected=fingerprint(data))
        except EditError as exc:  # ChangedOnDisk included: nothing was written
            return Outcome((str(exc),), failed=True)
        self.answers.append(
            Answer(self.position, person.slug, person.path, key, result.before, result.after)
        )
        now = self._now[person.slug] = _current(person.path, result.after)
        return Outcome((f"{person.name}: {_shown(key, now)}",))

    @property
    def placed(self) -> int:
        """People given a circle in this session (answers undone do not count)."""
        return len({a.slug for a in self.answers if a.key == "circle"})

    def summary(self) -> str:
        """``Placed 5 people in circles, 1 undone, 12 left``."""
        placed = self.placed
        left = len(self.people) - placed
        where = "a circle" if placed == 1 else "circles"
        return (
            f"Placed {placed:,} {'person' if placed == 1 else 'people'} in {where}, "
            f"{self.undone:,} undone, {left:,} left"
        )


def _toggled(meta: Mapping[str, Any]) -> dict[str, Any]:
    return {"decision_maker": meta.get("decision_maker") is not True}


def _retagged(meta: Mapping[str, Any], words: list[str]) -> dict[str, Any]:
    """The ``tags`` value after adding ``words`` and removing those written ``-tag``."""
    present = [str(tag) for tag in as_list(meta.get("tags"))]
    removed = {name_key(w[1:]) for w in words if w.startswith("-") and w[1:].strip()}
    kept = [tag for tag in present if name_key(tag) not in removed]
    added = missing_items("tags", kept, [w for w in words if not w.startswith("-")])
    tags = [*kept, *added]
    return {"tags": tags if tags else DELETE}


def _current(path: Path, data: bytes) -> Current:
    """What a person's file says now about the three things triage changes."""
    meta = read_document(path, data).meta or {}
    circle = meta.get("circle")
    return Current(
        circle if isinstance(circle, int) and not isinstance(circle, bool) else None,
        meta.get("decision_maker") is True,
        tuple(str(tag) for tag in as_list(meta.get("tags"))),
    )


def _shown(key: str, now: Current) -> str:
    if key == "circle":
        return f"circle {now.circle}"
    if key == "decision_maker":
        return f"decision-maker: {'yes' if now.decision_maker else 'no'}"
    return f"tags: {', '.join(now.tags)}" if now.tags else "no tags"
