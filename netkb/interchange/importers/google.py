"""Google Contacts CSV (contacts.google.com → Export → Google CSV), old and new layouts.

Values of one kind come in numbered columns (``E-mail 1 - Value``, ``E-mail 2 -
Value``…) and one cell can hold several values joined by `` ::: ``. Labels (the
old layout calls them Group Membership) become tags; Google's own ``* myContacts``
and ``* starred`` are left out. ``netkb export csv`` writes this layout too, with
netkb's other fields as custom fields, so its file imports back unchanged.
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path
from typing import Any

from netkb.interchange.importers.rows import (
    Candidate,
    ImportFileError,
    Parsed,
    RowNote,
    add_unique,
    clean_email,
    clean_phone,
    clean_url,
    csv_rows,
    parse_birthday,
    parse_date,
)
from netkb.load.photos import image_suffix
from netkb.load.schema import parse_cadence

SEPARATOR = " ::: "
SYSTEM_LABELS = {"mycontacts", "starred"}
NAME_COLUMNS = ("Name", "First Name", "Given Name", "Last Name", "Family Name")
# netkb fields carried in "Custom Field N - Label/Value" pairs; relations as relations.<kind>.
CUSTOM_LISTS = ("expertise", "interests", "qualities")
CUSTOM_TEXT = ("met_at", "cadence")
CUSTOM_DATES = ("met", "last_contact")
CUSTOM_FLAGS = ("decision_maker", "private")
# What a spreadsheet runs as a formula at the start of a cell (full-width forms too), and
# how a spreadsheet-safe export (netkb's) guards such a cell: one more ' in front.
FORMULA_START = r"=+\-@\t\r\n\uff1d\uff0b\uff0d\uff20"  # a regex character class's inside
NEUTRALISED = re.compile(f"^'(?='*[{FORMULA_START}])")


def read(path: Path, text: str) -> Parsed:
    """Candidates from a Google Contacts CSV export."""
    parsed = Parsed(path, "Google Contacts")
    rows = csv_rows(path, text)
    first = next(rows, None)
    if first is None:
        raise ImportFileError(f"{path}: the file is empty")
    header = [cell.strip() for cell in first[1]]
    if not any(name in header for name in NAME_COLUMNS):
        raise ImportFileError(
            f"{path}:{first[0]}: not a Google Contacts CSV: the first row has no "
            "'First Name' or 'Name' column (export with 'Google CSV')"
        )
    for line, row in rows:
        cells = {
            name: NEUTRALISED.sub("", row[index], count=1).strip() if index < len(row) else ""
            for index, name in enumerate(header)
        }
        candidate = _candidate(parsed, line, cells)
        if candidate is not None:
            parsed.candidates.append(candidate)
    return parsed


def _values(cells: dict[str, str], pattern: str) -> list[str]:
    """Every value of the numbered columns matching ``pattern``, ``:::`` split."""
    found = []
    for column, cell in cells.items():
        if re.fullmatch(pattern, column) and cell:
            found += [value.strip() for value in cell.split(":::") if value.strip()]
    return found


def _candidate(parsed: Parsed, line: int, cells: dict[str, str]) -> Candidate | None:
    def cell(*names: str) -> str:
        return next((cells[n] for n in names if cells.get(n)), "")

    parts = [
        cell("First Name", "Given Name"),
        cell("Middle Name", "Additional Name"),
        cell("Last Name", "Family Name"),
    ]
    name = cell("Name") or " ".join(p for p in parts if p)
    if not name:
        reason = "no name"
        if cell("Organization Name", "Organization 1 - Name"):
            reason += " (a company without a person?)"
        parsed.skipped.append(RowNote(line, reason))
        return None
    fields: dict[str, Any] = {"name": " ".join(name.split())}
    candidate = Candidate(line, fields)
    add_unique(fields, "aliases", _split(cell("Nickname")))
    if cell("Organization Name", "Organization 1 - Name"):
        fields["organization"] = cell("Organization Name", "Organization 1 - Name")
    if cell("Organization Title", "Organization 1 - Title"):
        fields["role"] = cell("Organization Title", "Organization 1 - Title")
    for value in _values(cells, r"E-mail \d+ - Value"):
        if clean_email(value):
            add_unique(fields, "email", [clean_email(value) or ""])
        else:
            parsed.notes.append(RowNote(line, f"{value!r} is not an email address; left out"))
    add_unique(
        fields, "phone", [p for v in _values(cells, r"Phone \d+ - Value") if (p := clean_phone(v))]
    )
    for value in _values(cells, r"Website \d+ - Value"):
        if clean_url(value):
            add_unique(fields, "links", [clean_url(value) or ""])
        else:
            parsed.notes.append(RowNote(line, f"website {value!r} is not a web address; left out"))
    location = cell("Address 1 - City") or cell("Address 1 - Formatted").split("\n")[0]
    if location.strip():
        fields["location"] = location.strip()
    if cell("Birthday"):
        birthday = parse_birthday(cell("Birthday"))
        if birthday is None:
            parsed.notes.append(RowNote(line, f"Birthday {cell('Birthday')!r} is not a date"))
        else:
            fields["birthday"] = birthday
    labels = _split(cell("Labels", "Group Membership"))
    tags = [label.removeprefix("* ") for label in labels]
    add_unique(fields, "tags", [t for t in tags if t.casefold() not in SYSTEM_LABELS])
    candidate.notes = cell("Notes").replace("\r\n", "\n")
    _custom_fields(parsed, line, cells, candidate)
    _photo(parsed, line, cell("Photo"), candidate)
    return candidate


def _photo(parsed: Parsed, line: int, value: str, candidate: Candidate) -> None:
    """Google's Photo column holds a URL on Google's servers: never fetched, only noted
    (a browser opening the site must not ask another host). An inline data: URI is kept."""
    value = value.strip()
    if not value:
        return
    if value.lower().startswith("data:"):
        meta, _, data = value[5:].partition(",")
        try:
            image = base64.b64decode(data, validate=False) if ";base64" in meta.lower() else b""
        except (binascii.Error, ValueError):
            image = b""
        suffix = image_suffix(image)
        if suffix is not None:
            candidate.photo = (image, suffix)
            return
    parsed.notes.append(
        RowNote(
            line,
            f"{candidate.name}: the photo is on another host ({value[:60]}); netkb never "
            "fetches it: save it under photos/ and add photo: photos/NAME.jpg",
        )
    )


def _split(cell: str) -> list[str]:
    return [value.strip() for value in cell.split(":::") if value.strip()]


def _custom_fields(parsed: Parsed, line: int, cells: dict[str, str], candidate: Candidate) -> None:
    fields = candidate.fields
    for column, label in cells.items():
        match = re.fullmatch(r"Custom Field (\d+) - Label", column)
        if not match or not label:
            continue
        value = cells.get(f"Custom Field {match[1]} - Value", "")
        key = label.strip().casefold().replace(" ", "_")
        if not value:
            continue
        if key in CUSTOM_LISTS:
            add_unique(fields, key, _split(value))
        elif key == "circle" and value in {"1", "2", "3", "4", "5"}:
            fields["circle"] = int(value)
        elif key in CUSTOM_TEXT and (key != "cadence" or parse_cadence(value)):
            fields[key] = value
        elif key in CUSTOM_DATES and parse_date(value):
            fields[key] = parse_date(value)
        elif key in CUSTOM_FLAGS and value.lower() in ("true", "yes"):
            fields[key] = True
        elif key == "netkb_slug":
            candidate.ref = value
        elif key == "introduced_by":
            candidate.introduced_by = value
        elif key.startswith("relations."):
            kind = key.removeprefix("relations.")
            candidate.relations += [(kind, target) for target in _split(value)]
        elif key in ("circle", "cadence", *CUSTOM_DATES):
            parsed.notes.append(RowNote(line, f"custom field {label}: {value!r} is not valid"))
