"""What every importer shares: candidates, notes on rows, decoding and cleaning values."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SOURCES = ("linkedin", "vcard", "google")
MAX_IMPORT_BYTES = 64 * 1024 * 1024
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_URL = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)
_BARE_DOMAIN = re.compile(r"(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)+(/\S*)?", re.IGNORECASE)
# Fields a person may have several of; an import adds to them, never replaces.


class ImportFileError(Exception):
    """The whole file cannot be imported; the message names the file (and line)."""


@dataclass(slots=True)
class Candidate:
    """One person as an export describes them, in netkb's field names."""

    line: int
    fields: dict[str, Any]
    notes: str = ""
    ref: str | None = None  # the source's own id (vCard UID, netkb slug) others refer to
    relations: list[tuple[str, str]] = field(default_factory=list)  # (kind, ref)
    introduced_by: str | None = None  # a ref
    photo: tuple[bytes, str] | None = None  # an image and its suffix, saved on import

    @property
    def name(self) -> str:
        """The name the row gives."""
        return str(self.fields.get("name", ""))


@dataclass(frozen=True, slots=True)
class RowNote:
    """A row left out, or a value of a row left out, and why."""

    line: int
    message: str


@dataclass(slots=True)
class Parsed:
    """Everything a reader found in one file."""

    path: Path
    source: str  # in the user's words: "LinkedIn", "vCard", "Google Contacts"
    candidates: list[Candidate] = field(default_factory=list)
    skipped: list[RowNote] = field(default_factory=list)
    notes: list[RowNote] = field(default_factory=list)

    def where(self, line: int) -> str:
        """``file:line`` of a row, as the plan prints it."""
        return f"{self.path.name}:{line}"


def decode(path: Path, data: bytes) -> str:
    """The file's text (a UTF-8 BOM dropped), or ImportFileError at the first bad byte."""
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ImportFileError(f"{path}:{line}: the file contains NUL bytes; is it a text export?")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            f"{path}:{line}: byte 0x{data[exc.start]:02x} is not UTF-8; "
            "export the file again as UTF-8 (or re-save it as UTF-8)"
        ) from None
    return text.removeprefix("\ufeff")


def csv_rows(path: Path, text: str) -> Iterator[tuple[int, list[str]]]:
    """(line the row starts on, cells) for each CSV row; blank lines are left out."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                yield start, row
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFileError(f"{path}:{start}: this is not valid CSV: {exc}") from None


def clean_email(text: str) -> str | None:
    """An email address (``mailto:`` dropped), or None when it is not one."""
    text = text.strip().removeprefix("mailto:")
    return text if _EMAIL.fullmatch(text) else None


def clean_url(text: str) -> str | None:
    """An http(s) URL; a bare ``www.example.com`` gets ``https://``; anything else None."""
    text = text.strip()
    if _URL.fullmatch(text):
        return text
    if _BARE_DOMAIN.fullmatch(text) and "@" not in text:
        return "https://" + text
    return None


def clean_phone(text: str) -> str | None:
    """A phone number with its spacing tidied (``tel:`` dropped), or None without digits."""
    text = " ".join(text.strip().removeprefix("tel:").split())
    return text if any(c.isdigit() for c in text) else None


_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}


def parse_date(text: str) -> dt.date | None:
    """``2025-12-07``, ``20251207`` or ``07 Dec 2025`` (English month names, any locale)."""
    text = text.strip()
    for pattern in (r"(\d{4})-(\d{2})-(\d{2})", r"(\d{4})(\d{2})(\d{2})"):
        match = re.fullmatch(pattern, text[:10] if len(text) > 10 else text)
        if match:
            try:
                return dt.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return None
    match = re.fullmatch(r"(\d{1,2})[ -]([A-Za-z]{3})[A-Za-z]*\.?[ -](\d{4})", text)
    if match and match[2].lower() in _MONTHS:
        try:
            return dt.date(int(match[3]), _MONTHS[match[2].lower()], int(match[1]))
        except ValueError:
            return None
    return None


def parse_birthday(text: str, omit_year: str | None = None) -> dt.date | str | None:
    """A birthday as netkb writes it: a date, or ``--MM-DD`` when the year is unknown."""
    text = text.strip()
    match = re.fullmatch(r"--(\d{2})-?(\d{2})", text)
    if match:
        month, day = int(match[1]), int(match[2])
        try:
            dt.date(2000, month, day)
        except ValueError:
            return None
        return f"--{month:02d}-{day:02d}"
    day = parse_date(text)
    if day is not None and omit_year is not None and str(day.year) == omit_year.strip():
        return f"--{day.month:02d}-{day.day:02d}"  # Apple writes 1604 for "no year"
    return day


def add_unique(fields: dict[str, Any], key: str, values: list[str]) -> None:
    """Append ``values`` to the list ``fields[key]``, skipping blanks and repeats."""
    items = fields.setdefault(key, [])
    for value in values:
        value = value.strip()
        if value and value not in items:
            items.append(value)
    if not items:
        del fields[key]
