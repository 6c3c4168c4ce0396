"""Which people a bulk command works on: ``--where organization=Acme --where tag=golf``.

Shared by ``netkb triage`` and ``netkb set``. A condition is ``FIELD=VALUE``:

- ``organization=NAME`` (also ``organisation``, ``org``): the person's organisation is
  NAME: the same name ignoring case, accents, punctuation and a legal suffix
  ("ACME Inc." is Acme), or the same orgs/ file by name or alias;
- ``tag=TAG``: the person has the tag (case and accents ignored);
- ``circle=N`` (1–5), ``circle=none`` (no circle yet), ``circle=any``;
- ``decision_maker=true|false``.

Conditions on different fields must all hold; several values for one field
(``--where tag=golf --where tag=board``) match a person who has any of them.
Pure: no printing; a condition that cannot be read raises ``SelectionError``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from netkb.core.records import Person
from netkb.core.references import Index, name_key

FIELDS = ("organization", "tag", "circle", "decision_maker")
_SYNONYMS = {"organisation": "organization", "org": "organization", "tags": "tag"}


class SelectionError(ValueError):
    """A ``--where`` condition that cannot be read; the message says how to write it."""


@dataclass(frozen=True, slots=True)
class Selection:
    """The conditions of one command's ``--where`` options, ready to match people."""

    organizations: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    circles: tuple[int | None, ...] = ()  # None: no circle yet
    any_circle: bool = False
    decision_maker: bool | None = None
    written: tuple[str, ...] = ()  # the conditions as given, for messages

    @property
    def limits_circle(self) -> bool:
        """Whether a circle condition was given (``circle=any`` included)."""
        return bool(self.circles) or self.any_circle

    def matches(self, person: Person, index: Index) -> bool:
        """Whether ``person`` meets every condition."""
        if self.organizations and not any(
            same_organisation(person.organization, wanted, index) for wanted in self.organizations
        ):
            return False
        if self.tags:
            have = {name_key(tag) for tag in person.tags}
            if not any(name_key(tag) in have for tag in self.tags):
                return False
        if self.circles and not self.any_circle and person.circle not in self.circles:
            return False
        return self.decision_maker is None or person.decision_maker == self.decision_maker

    def describe(self) -> str:
        """The conditions as the user wrote them: ``organization=Acme, tag=golf``."""
        return ", ".join(self.written)


def parse_where(conditions: Iterable[str], default_circle: str | None = None) -> Selection:
    """A Selection from ``FIELD=VALUE`` texts; ``default_circle`` ("none") applies when no
    circle condition is given."""
    organizations: list[str] = []
    tags: list[str] = []
    circles: list[int | None] = []
    any_circle = False
    decision_maker: bool | None = None
    written: list[str] = []
    for condition in conditions:
        field, sep, value = condition.partition("=")
        field, value = field.strip().lower(), value.strip()
        field = _SYNONYMS.get(field, field)
        if not sep or not field:
            raise SelectionError(f"{condition!r} is not FIELD=VALUE, e.g. organization=Acme")
        if field not in FIELDS:
            raise SelectionError(
                f"cannot select by {field!r}; use one of: {', '.join(FIELDS)} "
                "(e.g. --where tag=golf)"
            )
        if not value:
            raise SelectionError(f"{field}= needs a value, e.g. {_EXAMPLES[field]}")
        if field == "organization":
            organizations.append(value)
        elif field == "tag":
            tags.append(value)
        elif field == "circle":
            circle = _circle(value)
            if circle == "any":
                any_circle = True
            else:
                circles.append(circle)
        else:
            flag = value.lower()
            if flag not in ("true", "false"):
                raise SelectionError(f"decision_maker must be true or false, not {value!r}")
            wanted = flag == "true"
            if decision_maker is not None and decision_maker != wanted:
                raise SelectionError("decision_maker=true and decision_maker=false exclude all")
            decision_maker = wanted
        written.append(f"{field}={value}")
    if not circles and not any_circle and default_circle is not None:
        circle = _circle(default_circle)
        if circle == "any":
            any_circle = True
        else:
            circles.append(circle)
    return Selection(
        tuple(organizations),
        tuple(tags),
        tuple(circles),
        any_circle,
        decision_maker,
        tuple(written),
    )


_EXAMPLES = {
    "organization": "organization=Acme",
    "tag": "tag=golf",
    "circle": "circle=none",
    "decision_maker": "decision_maker=true",
}


def _circle(value: str) -> int | str | None:
    text = value.strip().lower()
    if text in ("none", "any"):
        return None if text == "none" else "any"
    if text in ("1", "2", "3", "4", "5"):
        return int(text)
    raise SelectionError(f"circle must be 1 to 5, none (no circle yet) or any, not {value!r}")


def same_organisation(organization: str | None, wanted: str, index: Index) -> bool:
    """Whether a person's ``organization`` value names the organisation ``wanted``
    (``Index.same_organisation``: the one matcher of check, the site, path and imports)."""
    return index.same_organisation(organization, wanted)
