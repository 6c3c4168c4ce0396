"""Take the network out: vCard 4.0 for address books, Google Contacts CSV for spreadsheets.

Private people are left out, and so are the ``## Private`` sections of notes,
unless ``include_private``. What vCard and Google have no field for (circle,
met, cadence…) travels as ``X-NETKB-*`` properties or custom fields, which other
tools ignore and ``netkb import`` reads back, so export → import is lossless for
every field of DESIGN.md §2.

Values often come from files someone else wrote, so the writers hold them to
one rule (``clean``): every line break in a value (CR LF, a lone CR, LF, U+2028,
U+2029) becomes a newline, written ``\n`` in vCard text and kept inside the
quoted cell in CSV; every other control character (NUL and the rest of C0 but
tab, DEL, C1) is dropped, and so is a lone surrogate. No value can start a
property or a row of its own: ``FN:Smith<CR>EMAIL:…`` is one name. vCard lines
are folded only before a character that is not blank and never after ``=``, so
a reader that takes a blank continuation for an empty line (vobject), or a line
ending in ``=`` for a quoted-printable break, cannot be led to split or join
properties.

CSV cells that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, their full-width forms, tab, CR or LF) get a leading ``'``, as
OWASP recommends; so does a cell that already starts with ``'`` before such a
character. ``netkb import google`` removes exactly that one ``'``, so the round
trip is exact; another program shows it (``'+49 30 …``).
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterable
from typing import Any

from netkb.core.notes import public_text
from netkb.core.records import Network, Person
from netkb.core.references import Index
from netkb.interchange.importers.google import FORMULA_START, SEPARATOR
from netkb.interchange.importers.vcard import NETKB_TYPE_PREFIX

_UID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://netkb.invalid/person")
# netkb relation → RFC 6350 RELATED type; the others travel as x-netkb-<type>.
NETKB_TO_RELATED = {
    "colleague": "colleague",
    "friend": "friend",
    "family": "kin",
    "knows": "acquaintance",
}
# A cell a spreadsheet would run, or one that already starts with the guard before one.
_UNSAFE_START = re.compile(f"'*[{FORMULA_START}]")
_LINE_BREAK = re.compile("\r\n|[\r\n\u2028\u2029]")
# Control characters but tab and LF: C0, DEL, C1 (CR is gone by then: see clean), and lone
# surrogates, which UTF-8 cannot carry.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_FOLD_AT = 75  # octets a vCard line holds (RFC 6350 §3.2)


def exported(network: Network, include_private: bool = False) -> list[Person]:
    """The people an export contains, by slug."""
    people = (p for p in network.people.values() if include_private or not p.private)
    return sorted(people, key=lambda p: p.slug)


def uid(slug: str) -> str:
    """A stable vCard UID for a person, so address books update rather than duplicate."""
    return f"urn:uuid:{uuid.uuid5(_UID_NAMESPACE, slug.casefold())}"


def notes_of(person: Person, include_private: bool) -> str:
    """A person's notes for an export: without ``## Private`` sections unless asked."""
    body = person.body if include_private else public_text(person.body)
    return body.strip("\n").strip()


def clean(text: str) -> str:
    """A value as the exports write it: each line break a newline, other controls dropped."""
    if text.isascii() and text.isprintable():
        return text  # the common case, and cheap
    return _CONTROL.sub("", _LINE_BREAK.sub("\n", text))


def split_name(name: str) -> tuple[str, str]:
    """(given names, family name): the last word is the family name."""
    words = name.split()
    if len(words) < 2:
        return name.strip(), ""
    return " ".join(words[:-1]), words[-1]


# -- vCard ---------------------------------------------------------------------------------


def _escape(text: str) -> str:
    """A vCard TEXT value (RFC 6350 §3.4): cleaned, then \\ \\n \\, \\; escaped."""
    return (
        clean(text)
        .replace("\\", "\\\\")
        .replace("\n", "\\n")
        .replace(",", "\\,")
        .replace(";", "\\;")
    )


def _uri(link: str) -> str:
    """A URI value: no escapes in vCard; a line break, impossible in a URL, is %-encoded."""
    return clean(link).replace("\n", "%0A")


def _parameter(value: str) -> str:
    """A parameter value: quoted when it holds ``:``, ``;`` or ``,``; no DQUOTE, no breaks."""
    value = clean(value).replace("\n", " ").replace('"', "'")
    return f'"{value}"' if re.search("[:;,]", value) else value


def _fold(line: str) -> str:
    """RFC 6350 §3.2: lines of at most 75 octets, continued after CRLF and a space.

    A fold goes before a character that is neither blank nor inside a UTF-8
    sequence, and never right after ``=`` (a line may run longer when a value
    leaves no such place): vobject ends a property at a continuation that is all
    blanks, and takes a line ending in ``=`` for a quoted-printable soft break
    when the property mentions quoted-printable.
    """
    data = line.encode("utf-8")
    parts, start, limit = [], 0, _FOLD_AT
    while len(data) - start > limit:
        end = _fold_point(data, start, start + limit)
        if end is None:
            break  # no good place left: the rest stays on this line
        parts.append(data[start:end])
        start, limit = end, _FOLD_AT - 1  # continuation lines start with the space
    parts.append(data[start:])
    folded = b"\r\n ".join(parts)
    if folded.endswith(b"=") and b"quoted-printable" in data.lower():
        folded += b"\r\n "  # an empty continuation: the same value, and vobject sees no QP
    return folded.decode("utf-8") + "\r\n"


def _fold_point(data: bytes, start: int, most: int) -> int | None:
    """Where to fold ``data[start:]``: at ``most`` or before it, else after it; None if
    there is no good place at all."""

    def good(end: int) -> bool:
        return (data[end] & 0xC0) != 0x80 and data[end] not in b" \t" and data[end - 1] != 61

    earlier = next((end for end in range(most, start, -1) if good(end)), None)
    return earlier or next((end for end in range(most + 1, len(data)) if good(end)), None)


def vcard(network: Network, include_private: bool = False) -> str:
    """Every exported person as a vCard 4.0 card."""
    people = exported(network, include_private)
    index = Index(network.people, network.organisations)
    shown = {p.slug for p in people}
    return "".join(_card(p, index, shown, include_private) for p in people)


def _card(person: Person, index: Index, shown: set[str], include_private: bool) -> str:
    given, family = split_name(clean(person.name))
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        f"UID:{uid(person.slug)}",
        f"FN:{_escape(person.name)}",
        f"N:{_escape(family)};{_escape(given)};;;",
    ]
    lines += [f"NICKNAME:{_escape(alias)}" for alias in person.aliases]
    lines += [f"EMAIL:{_escape(email)}" for email in person.email]
    lines += [f"TEL:{_escape(phone)}" for phone in person.phone]
    if person.organization:
        lines.append(f"ORG:{_escape(person.organization)}")
    if person.role:
        lines.append(f"TITLE:{_escape(person.role)}")
    lines += [f"URL:{_uri(link)}" for link in person.links]
    if person.location:
        lines.append(f"ADR:;;;{_escape(person.location)};;;")
    if person.birthday:
        year = f"{person.birthday.year:04d}" if person.birthday.year else "--"
        lines.append(f"BDAY:{year}{person.birthday.month:02d}{person.birthday.day:02d}")
    if person.tags:
        lines.append("CATEGORIES:" + ",".join(_escape(tag) for tag in person.tags))
    lines += [f"EXPERTISE:{_escape(topic)}" for topic in person.expertise]
    lines += [f"INTEREST:{_escape(interest)}" for interest in person.interests]
    for kind, targets in person.relations:
        vcard_type = NETKB_TO_RELATED.get(kind, NETKB_TYPE_PREFIX + kind.replace("_", "-"))
        for target in targets:
            slug = index.person(target)
            if slug in shown and slug != person.slug:
                lines.append(f"RELATED;TYPE={_parameter(vcard_type)}:{uid(slug)}")
    notes = notes_of(person, include_private)
    if notes:
        lines.append(f"NOTE:{_escape(notes)}")
    lines += _netkb_properties(person, index, shown, include_private)
    lines.append("END:VCARD")
    return "".join(_fold(line) for line in lines)


def _netkb_properties(
    person: Person, index: Index, shown: set[str], include_private: bool
) -> list[str]:
    lines = [f"X-NETKB-QUALITY:{_escape(quality)}" for quality in person.qualities]
    introducer = index.person(person.introduced_by) if person.introduced_by else None
    values: list[tuple[str, Any]] = [
        ("CIRCLE", person.circle),
        ("DECISION-MAKER", "true" if person.decision_maker else None),
        ("MET", person.met),
        ("MET-AT", person.met_at),
        ("INTRODUCED-BY", uid(introducer) if introducer in shown else None),
        ("CADENCE", person.cadence),
        ("LAST-CONTACT", person.last_contact),
        ("PRIVATE", "true" if person.private and include_private else None),
    ]
    lines += [f"X-NETKB-{name}:{_escape(str(value))}" for name, value in values if value]
    return lines


# -- CSV -----------------------------------------------------------------------------------


def neutralise(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula: ``=1+1`` becomes ``'=1+1``
    (and ``'=1`` becomes ``''=1``, so that removing one ``'`` always gives the value)."""
    return "'" + cell if _UNSAFE_START.match(cell) else cell


def csv_text(network: Network, include_private: bool = False) -> str:
    """Every exported person as a row of a Google Contacts CSV (netkb fields as custom ones)."""
    people = exported(network, include_private)
    index = Index(network.people, network.organisations)
    shown = {p.slug for p in people}
    rows = [_row(p, index, shown, include_private) for p in people]
    header = [
        "First Name",
        "Middle Name",
        "Last Name",
        "Nickname",
        "Organization Name",
        "Organization Title",
        "Birthday",
        "Notes",
        "Labels",
        "Address 1 - Label",
        "Address 1 - City",
    ]
    for kind, label in (("email", "E-mail"), ("phone", "Phone"), ("website", "Website")):
        most = max((len(row[kind]) for row in rows), default=0)
        header += [
            f"{label} {n} - {part}" for n in range(1, most + 1) for part in ("Label", "Value")
        ]
    most = max((len(row["custom"]) for row in rows), default=0)
    header += [
        f"Custom Field {n} - {part}" for n in range(1, most + 1) for part in ("Label", "Value")
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        cells = {name: value for name, value in row.items() if isinstance(value, str)}
        for kind, label in (("email", "E-mail"), ("phone", "Phone"), ("website", "Website")):
            for n, value in enumerate(row[kind], start=1):
                cells[f"{label} {n} - Label"] = "Other"
                cells[f"{label} {n} - Value"] = value
        for n, (name, value) in enumerate(row["custom"], start=1):
            cells[f"Custom Field {n} - Label"] = name
            cells[f"Custom Field {n} - Value"] = value
        writer.writerow([neutralise(clean(cells.get(name, ""))) for name in header])
    return out.getvalue()


def _joined(values: Iterable[Any]) -> str:
    return SEPARATOR.join(str(v) for v in values)


def _row(person: Person, index: Index, shown: set[str], include_private: bool) -> dict[str, Any]:
    given, family = split_name(clean(person.name))
    introducer = index.person(person.introduced_by) if person.introduced_by else None
    custom: list[tuple[str, str]] = [("netkb slug", person.slug)]
    for key in ("expertise", "interests", "qualities"):
        if getattr(person, key):
            custom.append((key, _joined(getattr(person, key))))
    for key in ("circle", "met", "met_at", "cadence", "last_contact"):
        if getattr(person, key):
            custom.append((key, str(getattr(person, key))))
    if person.decision_maker:
        custom.append(("decision_maker", "true"))
    if introducer in shown:
        custom.append(("introduced_by", str(introducer)))
    for kind, targets in person.relations:
        slugs = [s for s in (index.person(t) for t in targets) if s in shown and s != person.slug]
        if slugs:
            custom.append((f"relations.{kind}", _joined(slugs)))
    if person.private and include_private:
        custom.append(("private", "true"))
    return {
        "First Name": given,
        "Last Name": family,
        "Nickname": _joined(person.aliases),
        "Organization Name": person.organization or "",
        "Organization Title": person.role or "",
        "Birthday": str(person.birthday) if person.birthday else "",
        "Notes": notes_of(person, include_private),
        "Labels": _joined(person.tags),
        "Address 1 - Label": "Home" if person.location else "",
        "Address 1 - City": person.location or "",
        "email": list(person.email),
        "phone": list(person.phone),
        "website": list(person.links),
        "custom": custom,
    }
