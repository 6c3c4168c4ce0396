"""A calendar file is hostile input: each bad event is one located line, a file that
cannot be read is refused as a whole, nothing raises, and nothing is half written."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import pytest
from helpers_import import run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netkb.interchange.importers.calendar import MAX_CALENDAR_BYTES, read_calendar
from netkb.interchange.importers.calendar_plan import plan_calendar
from netkb.interchange.importers.rows import ImportFileError
from netkb.load.loader import load

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
SINCE, UNTIL = dt.date(2026, 9, 1), dt.date(2026, 11, 26)


def event(uid: str, *properties: str) -> list[str]:
    """A VEVENT with Jane in it: its BEGIN is line 4 when it is the first event."""
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        *properties,
        "ATTENDEE;CN=Jane Doe:mailto:jane@acme.example",
        "END:VEVENT",
    ]


def calendar(*events: list[str], closed: bool = True) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"]
    for lines_of_event in events:
        lines += lines_of_event
    if closed:
        lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


GOOD = event("good", "DTSTART:20261110T120000Z", "DTEND:20261110T130000Z", "SUMMARY:Lunch")


def read(data: bytes):
    return read_calendar(Path("cal.ics"), data, zone=BERLIN, since=SINCE, until=UNTIL)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            event("a", "DTSTART:2026-13-45", "DTEND:20261110T130000Z"),
            "DTSTART '2026-13-45' cannot be read: Expected datetime, date, or time. "
            "Got: '2026-13-45'",
        ),
        (
            event("a", "DTSTART:20260230T100000Z", "DTEND:20260230T110000Z"),
            "DTSTART '20260230T100000Z' cannot be read: Wrong datetime format: 20260230T100000Z",
        ),
        (
            event("a", "DTSTART;TZID=Mars/Olympus:20261110T100000", "DTEND:20261110T110000Z"),
            "DTSTART: time zone 'Mars/Olympus' is neither defined in the file (VTIMEZONE) nor "
            "a known zone name",
        ),
        (
            event("a", "DTSTART:20261110T100000Z", "DTEND:20261110T090000Z"),
            "it ends before it starts (DTSTART 2026-11-10 10:00:00+00:00, "
            "DTEND 2026-11-10 09:00:00+00:00)",
        ),
        (event("a", "DTSTART:20261110T100000Z", "DURATION:-PT1H"), "DURATION -PT1H is negative"),
        (
            event("a", "DTSTART;VALUE=DATE:20261110", "DTEND:20261110T100000Z"),
            "DTSTART and DTEND must both be dates or both be date-times",
        ),
        (
            event("a", "DTSTART:20261110T100000Z", "RRULE:FREQ=SOMETIMES"),
            "RRULE 'FREQ=SOMETIMES' cannot be read: Expected frequency, got: SOMETIMES",
        ),
        (event("a", "SUMMARY:No date"), "the event has no DTSTART: it has no date"),
        (
            ["BEGIN:VEVENT", "DTSTART:20261110T100000Z", "END:VEVENT"],
            "the event has no UID, so a later import could not recognise it",
        ),
        (
            event("a", "DTSTART:20261110T100000Z")[:-1],  # no END:VEVENT
            "BEGIN:VEVENT is never closed (no END:VEVENT); the event is left out",
        ),
    ],
)
def test_a_bad_event_is_one_located_line_and_the_others_are_read(bad, message):
    found = read(calendar(bad, GOOD))
    assert [(note.line, note.message) for note in found.errors] == [(4, message)]
    assert [m.source for m in found.meetings] == ["ics:good"]


def test_a_file_cut_short_keeps_its_complete_events():
    found = read(calendar(GOOD, event("cut", "DTSTART:20261111T100000Z")[:-1], closed=False))
    assert [m.source for m in found.meetings] == ["ics:good"]
    assert [(n.line, n.message) for n in found.errors] == [
        (11, "BEGIN:VEVENT is never closed (no END:VEVENT); the event is left out")
    ]
    assert [(n.line, n.message) for n in found.notes] == [
        (1, "BEGIN:VCALENDAR is never closed: was the file cut short?")
    ]


def test_a_start_without_an_end_is_logged_without_minutes_and_says_so():
    found = read(calendar(event("a", "DTSTART:20261110T100000Z")))
    assert [(m.source, m.minutes) for m in found.meetings] == [("ics:a", None)]
    assert [(n.line, n.message) for n in found.notes] == [
        (4, "no DTEND or DURATION: logged without minutes")
    ]


def test_lines_that_are_not_content_lines_are_noted_and_ignored():
    junk = event("a", "DTSTART:20261110T100000Z", "DTEND:20261110T110000Z", "this is junk")
    found = read(calendar(junk, ["END:VEVENT"]))
    assert [m.source for m in found.meetings] == ["ics:a"]
    assert [(n.line, n.message) for n in found.notes] == [
        (8, "'this is junk' is not an iCalendar line (NAME:value); ignored"),
        (11, "END:VEVENT closes nothing; ignored"),
    ]


def test_an_unknown_calendar_wide_time_zone_is_ignored_with_a_note():
    data = calendar(GOOD).replace(b"PRODID:-//test//EN", b"X-WR-TIMEZONE:Mars/Base")
    found = read(data)
    assert [m.date for m in found.meetings] == [dt.date(2026, 11, 10)]
    assert "X-WR-TIMEZONE 'Mars/Base' is not a known time zone" in found.notes[0].message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"BEGIN:VCARD\r\nFN:Jane\r\nEND:VCARD\r\n",
            "cal.ics: not an iCalendar file: no line BEGIN:VCALENDAR (export the calendar as .ics)",
        ),
        (
            "BEGIN:VCALENDAR\r\nSUMMARY:caf\xe9\r\n".encode("latin-1"),
            "cal.ics:2: byte 0xe9 is not UTF-8; export the file again as UTF-8 (or re-save it "
            "as UTF-8)",
        ),
        (b"BEGIN:VCALENDAR\r\n\x00\x00", "cal.ics:2: the file contains NUL bytes"),
        (b"", "cal.ics: not an iCalendar file"),
    ],
)
def test_a_file_that_is_not_a_calendar_is_refused(data, message):
    with pytest.raises(ImportFileError) as refused:
        read(data)
    assert str(refused.value).startswith(message)


def test_twenty_thousand_events_are_read():
    events = [
        event(f"e{n}", f"DTSTART:202611{n % 25 + 1:02d}T{n % 10 + 8:02d}0000Z", "DURATION:PT1H")
        for n in range(20_000)
    ]
    found = read(calendar(*events))
    assert found.events == 20_000
    assert len(found.meetings) == 20_000 and found.errors == []


# --- through the command: refusals, no traceback, no partial write ------------------------------


def kb(root: Path) -> Path:
    (root / "contacts").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(
        "site_name: T\nextra:\n  netkb:\n    timezone: Europe/Berlin\n", encoding="utf-8"
    )
    (root / "contacts/jane-doe.md").write_text(
        "---\nname: Jane Doe\nemail: jane@acme.example\n---\n", encoding="utf-8"
    )
    return root


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setenv("NETKB_TODAY", "2026-11-26")


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path, today):
    root = kb(tmp_path / "kb")
    big = tmp_path / "big.ics"
    with big.open("wb") as out:
        out.write(calendar(GOOD))
        out.truncate(50 * 1024 * 1024)  # 50 MB
    result = run(root, "import", "calendar", str(big), "--apply")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {big}: 52,428,800 bytes is more than the {MAX_CALENDAR_BYTES // 2**20} MB a "
        "calendar import reads; export a shorter period (most calendar apps can) and import "
        "each file; nothing imported\n"
    )
    assert not (root / "log").exists()


def test_a_refused_file_writes_nothing(tmp_path, today):
    root = kb(tmp_path / "kb")
    (tmp_path / "contacts.ics").write_bytes(b"BEGIN:VCARD\r\nFN:Jane\r\nEND:VCARD\r\n")
    result = run(root, "import", "calendar", str(tmp_path / "contacts.ics"), "--apply")
    assert result.exit_code == 1
    assert "not an iCalendar file" in result.output and "nothing imported" in result.output
    assert not (root / "log").exists()


def test_bad_events_are_listed_at_their_lines_and_only_good_ones_are_written(tmp_path, today):
    root = kb(tmp_path / "kb")
    bad = event("bad", "DTSTART:20261110T100000Z", "DTEND:20261110T090000Z")
    (tmp_path / "cal.ics").write_bytes(calendar(bad, GOOD))
    result = run(root, "import", "calendar", str(tmp_path / "cal.ics"), "--apply")
    assert result.exit_code == 0, result.output
    assert (
        "Events that cannot be imported (1):\n"
        "  ! cal.ics:4: it ends before it starts (DTSTART 2026-11-10 10:00:00+00:00, "
        "DTEND 2026-11-10 09:00:00+00:00)\n"
    ) in result.output
    assert [p.name for p in (root / "log").rglob("*.md")] == ["2026-11-10-lunch-jane-doe.md"]


def test_a_title_with_control_characters_is_shown_safely_and_written_as_plain_text(tmp_path, today):
    root = kb(tmp_path / "kb")
    hostile = event(
        "x",
        "DTSTART:20261110T100000Z",
        "DTEND:20261110T110000Z",
        "SUMMARY:Lunch\x1b[31m red: {a: b} # not a comment\\nsecond line",
    )
    (tmp_path / "cal.ics").write_bytes(calendar(hostile))
    result = run(root, "import", "calendar", str(tmp_path / "cal.ics"), "--apply")
    assert "\x1b" not in result.output
    [entry] = (root / "log").rglob("*.md")
    network = load(root)
    assert network.errors == ()
    assert network.interactions[0].summary == "Lunch [31m red: {a: b} # not a comment second line"
    assert "\x1b" not in entry.read_text(encoding="utf-8")


# --- any bytes: a meeting or a located note, never an exception ---------------------------------

SAMPLE = calendar(
    event(
        "r",
        "DTSTART;TZID=Europe/Berlin:20261005T090000",
        "DTEND;TZID=Europe/Berlin:20261005T093000",
        "RRULE:FREQ=WEEKLY;COUNT=8",
        "EXDATE;TZID=Europe/Berlin:20261012T090000",
    ),
    event(
        "r",
        "RECURRENCE-ID;TZID=Europe/Berlin:20261019T090000",
        "DTSTART;TZID=Europe/Berlin:20261019T100000",
        "DURATION:PT45M",
        "STATUS:CANCELLED",
    ),
    GOOD,
).split(b"\r\n")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(SAMPLE) - 1),
            st.sampled_from(["drop", "repeat", "garble", "cut"]),
            st.binary(max_size=12),
        ),
        max_size=6,
    )
)
def test_any_damage_to_a_calendar_gives_meetings_or_notes_never_an_exception(
    tmp_path_factory, edits
):
    lines = list(SAMPLE)
    for index, how, noise in edits:
        index %= len(lines)
        if how == "drop":
            del lines[index]
        elif how == "repeat":
            lines.insert(index, lines[index])
        elif how == "garble":
            lines[index] = lines[index][: len(lines[index]) // 2] + noise
        else:
            lines[index] = lines[index][: len(noise)]
    data = b"\r\n".join(lines)
    try:
        found = read(data)
    except ImportFileError as refused:
        assert "\n" not in str(refused)
        return
    assert all("\n" not in note.message and note.line >= 1 for note in found.errors + found.notes)
    root = kb(tmp_path_factory.mktemp("kb"))
    plan = plan_calendar(load(root), found)
    assert all("\n" not in note.message for note in plan.errors)
