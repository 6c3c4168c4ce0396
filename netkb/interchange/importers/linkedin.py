"""LinkedIn's "Connections.csv" export (Settings → Data privacy → Get a copy of your data).

The file starts with a "Notes:" preamble, then the header
``First Name,Last Name,URL,Email Address,Company,Position,Connected On``
(exports before 2023 have no URL column). Emails are mostly empty: people choose
whether connections may download theirs. ``Connected On`` reads ``07 Dec 2025``.
"""

from __future__ import annotations

from pathlib import Path

from netkb.interchange.importers.rows import (
    Candidate,
    ImportFileError,
    Parsed,
    RowNote,
    clean_email,
    clean_url,
    csv_rows,
    parse_date,
)

HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"
_HEADER_SEARCH_ROWS = 50


def read(path: Path, text: str) -> Parsed:
    """Candidates from a LinkedIn connections export."""
    parsed = Parsed(path, "LinkedIn")
    rows = csv_rows(path, text)
    columns: dict[str, int] | None = None
    for count, (_line, row) in enumerate(rows):
        names = [cell.strip().casefold() for cell in row]
        if "first name" in names and "last name" in names:
            columns = {name: index for index, name in enumerate(names) if name}
            break
        if count >= _HEADER_SEARCH_ROWS:
            break
    if columns is None:
        raise ImportFileError(
            f"{path}: not a LinkedIn connections export: no header row '{HEADER}' "
            f"in its first {_HEADER_SEARCH_ROWS} rows (is this Connections.csv?)"
        )
    for line, row in rows:
        candidate = _candidate(parsed, line, row, columns)
        if candidate is not None:
            parsed.candidates.append(candidate)
    return parsed


def _candidate(
    parsed: Parsed, line: int, row: list[str], columns: dict[str, int]
) -> Candidate | None:
    def cell(name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    name = " ".join(part for part in (cell("first name"), cell("last name")) if part)
    if not name:
        parsed.skipped.append(RowNote(line, "no first or last name (a deleted LinkedIn account?)"))
        return None
    fields: dict[str, object] = {"name": name}
    url = cell("url")
    if url:
        link = clean_url(url)
        if link:
            fields["links"] = [link]
        else:
            parsed.notes.append(RowNote(line, f"URL {url!r} is not a web address; left out"))
    email = cell("email address")
    if email:
        if clean_email(email):
            fields["email"] = [clean_email(email)]
        else:
            parsed.notes.append(RowNote(line, f"{email!r} is not an email address; left out"))
    if cell("company"):
        fields["organization"] = cell("company")
    if cell("position"):
        fields["role"] = cell("position")
    connected = cell("connected on")
    if connected:
        met = parse_date(connected)
        if met is None:
            parsed.notes.append(
                RowNote(
                    line, f"Connected On {connected!r} is not a date like 07 Dec 2025; left out"
                )
            )
        else:
            fields["met"] = met
    return Candidate(line, fields)
