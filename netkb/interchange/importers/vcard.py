"""vCard files (.vcf) of versions 2.1, 3.0 and 4.0: phones, Apple and Google Contacts, Outlook.

vobject does the line syntax: unfolding, quoted-printable soft line breaks,
parameters, ``itemN.`` groups. The values are decoded here, because vobject's
text behaviour keeps only what comes before the first unescaped comma, and
vCard 2.1 writers do not escape commas (``TITLE:VP, Engineering``).

netkb's own export adds ``X-NETKB-*`` properties for the fields vCard has no
name for (circle, met, cadence…); they are read back here so a round trip keeps
them. Other applications ignore them.
"""

from __future__ import annotations

import base64
import binascii
import io
import quopri
import re
from pathlib import Path
from typing import Any

from vobject.base import ParseError, getLogicalLines, parseLine

from netkb.interchange.importers.rows import (
    Candidate,
    ImportFileError,
    Parsed,
    RowNote,
    add_unique,
    clean_email,
    clean_phone,
    clean_url,
    parse_birthday,
    parse_date,
)
from netkb.load.photos import image_suffix
from netkb.load.schema import parse_cadence

_BEGIN = re.compile(r"begin\s*:\s*vcard\s*", re.IGNORECASE)
_END = re.compile(r"end\s*:\s*vcard\s*", re.IGNORECASE)
_SKIPPED_PROPERTIES = {"LOGO", "SOUND", "KEY"}
_SURROGATE = re.compile("[\ud800-\udfff]")
# RFC 6350 RELATED types, and netkb's own for relations vCard has no word for.
RELATED_TO_NETKB = {
    "colleague": "colleague",
    "co-worker": "colleague",
    "friend": "friend",
    "kin": "family",
    "child": "family",
    "parent": "family",
    "sibling": "family",
    "spouse": "partner",
    "sweetheart": "partner",
    "acquaintance": "knows",
    "contact": "knows",
    "met": "knows",
}
NETKB_TYPE_PREFIX = "x-netkb-"


class _Property:
    """One content line: name, parameters (upper-cased names), raw value, group."""

    def __init__(self, line: str) -> None:
        name, params, value, group = parseLine(line)
        self.name = name.upper()
        self.group = group
        self.params: dict[str, list[str]] = {}
        for param in params:
            if len(param) == 1:  # vCard 2.1: TEL;CELL;QUOTED-PRINTABLE
                bare = param[0].upper()
                key = "ENCODING" if bare in ("QUOTED-PRINTABLE", "BASE64", "8BIT") else "TYPE"
                self.params.setdefault(key, []).append(param[0])
            else:
                self.params.setdefault(param[0].upper(), []).extend(param[1:])
        self.value = value

    def param(self, name: str) -> str | None:
        """The first value of parameter ``name``."""
        values = self.params.get(name)
        return values[0] if values else None

    def types(self) -> list[str]:
        """The TYPE values, lower case (``type=WORK,pref`` → work, pref)."""
        return [t.lower() for value in self.params.get("TYPE", []) for t in value.split(",")]


def read(path: Path, text: str) -> Parsed:
    """Candidates from a vCard file, one per BEGIN:VCARD … END:VCARD."""
    parsed = Parsed(path, "vCard")
    cards = list(_cards(text))
    if not cards:
        raise ImportFileError(f"{path}: not a vCard file: no line BEGIN:VCARD")
    for line, card_text, complete, photo in cards:
        if not complete:
            parsed.skipped.append(RowNote(line, "this card has no END:VCARD line"))
            continue
        try:
            properties = [
                _Property(logical) for logical, _ in getLogicalLines(io.StringIO(card_text))
            ]
        except ParseError as exc:
            parsed.skipped.append(RowNote(line, f"cannot read this card: {exc}"))
            continue
        candidate = _candidate(parsed, line, properties)
        if candidate is not None:
            if photo:
                candidate.photo, why = _photo(photo)
                if why is not None:
                    parsed.notes.append(RowNote(line, f"{candidate.name}: {why}"))
            parsed.candidates.append(candidate)
    return parsed


def _cards(text: str) -> list[tuple[int, str, bool, str]]:
    """(line of BEGIN:VCARD, the card's text without its PHOTO, whether it has its
    END:VCARD, the PHOTO property unfolded or "")."""
    cards = []
    start: int | None = None
    lines: list[str] = []
    photo: list[str] = []
    skipping = in_photo = False
    for number, line in enumerate(io.StringIO(text, newline=None), start=1):
        bare = line.rstrip("\n")
        # Inside a card, a line that starts blank continues the one before (RFC 6350
        # §3.2), whatever it says: a folded value reading " END:VCARD" ends no card.
        if start is not None and bare[:1] in (" ", "\t"):
            if in_photo:
                photo.append(bare[1:])
            elif not skipping:
                lines.append(line)
            continue
        if _BEGIN.fullmatch(bare.strip()):
            if start is not None:
                cards.append((start, "".join(lines), False, "".join(photo)))
            start, lines, photo, skipping, in_photo = number, [], [], False, False
            continue
        if start is None:
            continue
        if _END.fullmatch(bare.strip()):
            cards.append((start, "".join(lines), True, "".join(photo)))
            start = None
            continue
        # vCard 2.1 base64 goes on over lines that are not indented, up to a blank line.
        if (skipping or in_photo) and bare.strip() and ":" not in bare:
            if in_photo:
                photo.append(bare.strip())
            continue
        name = re.split(r"[;:]", bare, maxsplit=1)[0].split(".")[-1].strip().upper()
        # Keys and sounds can be megabytes of base64 netkb has no use for: drop them early.
        skipping = name in _SKIPPED_PROPERTIES
        in_photo = name == "PHOTO" and not photo  # the first photo of a card is kept
        if in_photo:
            photo.append(bare)
        elif not skipping:
            lines.append(line)
    if start is not None:
        cards.append((start, "".join(lines), False, "".join(photo)))
    return cards


def _photo(raw: str) -> tuple[tuple[bytes, str] | None, str | None]:
    """The image a PHOTO property holds (inline base64 or a data: URI) and its suffix,
    or why it was left out. A photo on another host is never fetched."""
    head, _, value = raw.partition(":")
    params = [p.strip().lower() for p in head.split(";")[1:]]
    value = value.strip()
    if value.lower().startswith("data:"):
        meta, _, value = value[5:].partition(",")
        if ";base64" not in meta.lower():
            return None, "PHOTO is a data: URI that is not base64; left out"
    elif any(p in ("encoding=b", "encoding=base64", "base64") for p in params):
        pass
    elif re.match(r"[a-z][a-z0-9+.-]*:", value, re.IGNORECASE):
        return None, f"PHOTO is on another host ({value[:60]}); netkb never fetches it"
    else:
        return None, "PHOTO is in a form netkb does not read; left out"
    try:
        compact = "".join(value.split())
        # Some writers leave out the closing "=" padding; the image is whole without it.
        data = base64.b64decode(compact + "=" * (-len(compact) % 4), validate=False)
    except (binascii.Error, ValueError):
        return None, "PHOTO is not valid base64; left out"
    suffix = image_suffix(data)
    if suffix is None:
        return None, "PHOTO is not a JPEG, PNG, GIF or WebP image; left out"
    return (data, suffix), None


def _text(prop: _Property) -> str:
    """The value as text: quoted-printable and charset decoded, escapes kept for later."""
    value = prop.value
    if (prop.param("ENCODING") or "").upper() == "QUOTED-PRINTABLE":
        raw = quopri.decodestring(value.encode("utf-8"))
        charset = prop.param("CHARSET") or "utf-8"
        try:
            value = raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            value = raw.decode("latin-1")
        # Some charsets (UTF-7) decode to lone surrogates, which no file or terminal takes.
        value = _SURROGATE.sub("\ufffd", value)
    return value.replace("\r\n", "\n")


def _split(value: str, separator: str) -> list[str]:
    """Split on unescaped ``separator`` and undo the escapes (\\n \\, \\; \\\\)."""
    parts, current, escaped = [], [], False
    for char in value:
        if escaped:
            current.append("\n" if char in "nN" else char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if escaped:
        current.append("\\")
    parts.append("".join(current))
    return parts


def _single(prop: _Property) -> str:
    """A one-value property (FN, TITLE, NOTE…): escapes undone, commas kept."""
    return _split(_text(prop), "")[0].strip()


def _candidate(parsed: Parsed, line: int, properties: list[_Property]) -> Candidate | None:
    by_name: dict[str, list[_Property]] = {}
    for prop in properties:
        by_name.setdefault(prop.name, []).append(prop)

    def first(name: str) -> str:
        for prop in by_name.get(name, []):
            text = _single(prop)
            if text:
                return text
        return ""

    name = first("FN") or _name_from_n(by_name.get("N", []))
    if not name:
        parsed.skipped.append(RowNote(line, "this card has no name (FN or N)"))
        return None
    fields: dict[str, Any] = {"name": " ".join(name.split())}
    candidate = Candidate(line, fields)
    for prop in by_name.get("NICKNAME", []):
        add_unique(fields, "aliases", _split(_text(prop), ","))
    _contacts(parsed, line, by_name, fields)
    for prop in by_name.get("ORG", []):
        organization = _split(_text(prop), ";")[0].strip()
        if organization:
            fields.setdefault("organization", organization)
    if first("TITLE") or first("ROLE"):
        fields["role"] = first("TITLE") or first("ROLE")
    for prop in by_name.get("ADR", []):
        location = _location(prop)
        if location:
            fields.setdefault("location", location)
            break
    for prop in by_name.get("BDAY", []):
        birthday = parse_birthday(_single(prop), prop.param("X-APPLE-OMIT-YEAR"))
        if birthday is None:
            parsed.notes.append(RowNote(line, f"BDAY {_single(prop)!r} is not a date; left out"))
        else:
            fields["birthday"] = birthday
    for key, names in (("tags", ("CATEGORIES",)), ("expertise", ("EXPERTISE",))):
        for prop in (p for n in names for p in by_name.get(n, [])):
            add_unique(fields, key, _split(_text(prop), ","))
    for prop in by_name.get("INTEREST", []) + by_name.get("HOBBY", []):
        add_unique(fields, "interests", [_single(prop)])
    notes = [_single(prop) for prop in by_name.get("NOTE", [])]
    candidate.notes = "\n\n".join(note for note in notes if note)
    candidate.ref = first("UID") or None
    for prop in by_name.get("RELATED", []):
        kinds = prop.types() or ["knows"]
        target = _single(prop)
        if target:
            candidate.relations.append((_relation_kind(kinds[0]), target))
    _netkb_fields(parsed, line, by_name, candidate)
    return candidate


def _name_from_n(props: list[_Property]) -> str:
    for prop in props:
        parts = [p.strip() for p in _split(_text(prop), ";")] + [""] * 5
        family, given, additional, prefix, suffix = parts[:5]
        name = " ".join(p for p in (prefix, given, additional, family, suffix) if p)
        if name:
            return name
    return ""


def _contacts(
    parsed: Parsed, line: int, by_name: dict[str, list[_Property]], fields: dict[str, Any]
) -> None:
    """EMAIL, TEL, URL (Apple's ``itemN.URL`` too) and social profiles."""
    for prop in by_name.get("EMAIL", []):
        value = _single(prop)
        if clean_email(value):
            add_unique(fields, "email", [clean_email(value) or ""])
        elif value:
            parsed.notes.append(RowNote(line, f"EMAIL {value!r} is not an email address; left out"))
    for prop in by_name.get("TEL", []):
        phone = clean_phone(_single(prop))
        if phone:
            add_unique(fields, "phone", [phone])
    for prop in by_name.get("URL", []) + by_name.get("X-SOCIALPROFILE", []):
        value = _single(prop)
        link = clean_url(value)
        if link:
            add_unique(fields, "links", [link])
        elif value and prop.name == "URL":
            parsed.notes.append(RowNote(line, f"URL {value!r} is not a web address; left out"))


def _location(prop: _Property) -> str:
    label = prop.param("LABEL")
    parts = [p.strip() for p in _split(_text(prop), ";")] + [""] * 7
    _box, _extended, _street, city, region, _code, country = parts[:7]
    if city:
        return city
    return ", ".join(p for p in (region, country) if p) or (label or "").strip()


def _relation_kind(vcard_type: str) -> str:
    if vcard_type.startswith(NETKB_TYPE_PREFIX):
        return vcard_type[len(NETKB_TYPE_PREFIX) :].replace("-", "_")
    return RELATED_TO_NETKB.get(vcard_type, "knows")


def _netkb_fields(
    parsed: Parsed, line: int, by_name: dict[str, list[_Property]], candidate: Candidate
) -> None:
    """The ``X-NETKB-*`` properties netkb's own export writes."""
    fields = candidate.fields

    def value(name: str) -> str:
        props = by_name.get(f"X-NETKB-{name}", [])
        return _single(props[0]) if props else ""

    for prop in by_name.get("X-NETKB-QUALITY", []):
        add_unique(fields, "qualities", [_single(prop)])
    if value("CIRCLE"):
        if value("CIRCLE") in {"1", "2", "3", "4", "5"}:
            fields["circle"] = int(value("CIRCLE"))
        else:
            parsed.notes.append(RowNote(line, f"X-NETKB-CIRCLE {value('CIRCLE')!r} is not 1-5"))
    for key, name in (("met", "MET"), ("last_contact", "LAST-CONTACT")):
        if value(name):
            day = parse_date(value(name))
            if day is None:
                parsed.notes.append(RowNote(line, f"X-NETKB-{name} {value(name)!r} is not a date"))
            else:
                fields[key] = day
    if value("MET-AT"):
        fields["met_at"] = value("MET-AT")
    if value("CADENCE"):
        if parse_cadence(value("CADENCE")):
            fields["cadence"] = value("CADENCE")
        else:
            parsed.notes.append(RowNote(line, f"X-NETKB-CADENCE {value('CADENCE')!r} is unknown"))
    for key, name in (("decision_maker", "DECISION-MAKER"), ("private", "PRIVATE")):
        if value(name).lower() == "true":
            fields[key] = True
    if value("INTRODUCED-BY"):
        candidate.introduced_by = value("INTRODUCED-BY")
