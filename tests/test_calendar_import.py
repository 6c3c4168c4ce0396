"""``netkb import calendar``: realistic exports of Google Calendar, Outlook and Apple
Calendar become log entries; the same or a newer export adds only what is new."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import pytest
from helpers_import import git, git_repo, run

from netkb.edit.log_entries import interaction_text
from netkb.edit.scaffold import contact_text
from netkb.interchange.importers.calendar import read_calendar
from netkb.interchange.importers.calendar_plan import (
    CANCELLED,
    DECLINED,
    NOBODY,
    OUTSIDE,
    kind_finder,
    plan_calendar,
)
from netkb.link.derive import link
from netkb.load.loader import load
from netkb.network.budget import months
from netkb.render.render import SiteRenderer

TODAY = "2026-11-26"


def kb(root: Path, timezone: str = "America/Los_Angeles", extra: str = "") -> Path:
    """Three people, and settings: owner@example.com is you."""
    files = {
        ".gitignore": "/.netkb/\n/site/\n",  # as netkb init writes it
        "mkdocs.yml": (
            "site_name: Test network\nextra:\n  netkb:\n    owner: Test Owner\n"
            "    owner_emails: [owner@example.com, Owner@Work.example]\n"
            f"    timezone: {timezone}\n{extra}"
        ),
        "contacts/jane-doe.md": (
            "---\nname: Jane Doe\naliases: [Janie]\nemail: [jane@acme.example]\ncircle: 2\n---\n"
        ),
        "contacts/john-smith.md": "---\nname: John Smith\nemail: [john@globex.example]\n---\n",
        "contacts/ana-lee.md": "---\nname: Ana Lee\n---\n",
        "log/2026/2026-10-01-lunch-jane-doe.md": (
            "---\ndate: 2026-10-01\nwith: [jane-doe]\nkind: lunch\nminutes: 60\n---\n"
        ),
    }
    (root / "contacts").mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def ics(*lines: str) -> bytes:
    """An .ics file with CRLF line ends, as every exporter writes them."""
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


# Google Calendar: times in UTC, the calendar's zone once as X-WR-TIMEZONE; a weekly call
# with one date taken out (EXDATE) and one occurrence cancelled; an invite you declined.
GOOGLE = ics(
    "BEGIN:VCALENDAR",
    "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
    "VERSION:2.0",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    "X-WR-CALNAME:owner@example.com",
    "X-WR-TIMEZONE:America/Los_Angeles",
    "BEGIN:VEVENT",  # line 8
    "DTSTART:20261106T073000Z",  # 23:30 on 5 November in Los Angeles
    "DTEND:20261106T090000Z",
    "DTSTAMP:20261126T074512Z",
    "ORGANIZER;CN=Test Owner:mailto:owner@example.com",
    "UID:late-dinner@google.com",
    "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Jane Doe;",
    " X-NUM-GUESTS=0:mailto:jane@acme.example",
    "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=owner@e",
    " xample.com;X-NUM-GUESTS=0:mailto:owner@example.com",
    "DESCRIPTION:Late dinner after the offsite",
    "STATUS:CONFIRMED",
    "SUMMARY:Dinner with Jane",
    "END:VEVENT",
    "BEGIN:VEVENT",  # line 22
    "DTSTART;TZID=America/Los_Angeles:20261019T090000",
    "DTEND;TZID=America/Los_Angeles:20261019T093000",
    "RRULE:FREQ=WEEKLY;WKST=MO;COUNT=5;BYDAY=MO",
    "EXDATE;TZID=America/Los_Angeles:20261026T090000",
    "DTSTAMP:20261126T074512Z",
    "ORGANIZER;CN=John Smith:mailto:john@globex.example",
    "UID:weekly-call@google.com",
    "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Test Owner:",
    " mailto:owner@example.com",
    "SUMMARY:Weekly call",
    "END:VEVENT",
    "BEGIN:VEVENT",  # line 34
    "DTSTART;TZID=America/Los_Angeles:20261109T090000",
    "DTEND;TZID=America/Los_Angeles:20261109T093000",
    "RECURRENCE-ID;TZID=America/Los_Angeles:20261109T090000",
    "DTSTAMP:20261126T074512Z",
    "ORGANIZER;CN=John Smith:mailto:john@globex.example",
    "UID:weekly-call@google.com",
    "STATUS:CANCELLED",
    "SUMMARY:Weekly call",
    "END:VEVENT",
    "BEGIN:VEVENT",  # line 44
    "DTSTART:20261110T200000Z",
    "DTEND:20261110T210000Z",
    "DTSTAMP:20261126T074512Z",
    "ORGANIZER;CN=John Smith:mailto:john@globex.example",
    "UID:drinks@google.com",
    "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=DECLINED;CN=Test Owner:",
    " mailto:owner@example.com",
    "SUMMARY:Drinks",
    "END:VEVENT",
    "BEGIN:VEVENT",  # line 54
    "DTSTART:20261112T170000Z",
    "DTEND:20261112T173000Z",
    "DTSTAMP:20261126T074512Z",
    "UID:dentist@google.com",
    "SUMMARY:Dentist",
    "END:VEVENT",
    "END:VCALENDAR",
)

# Outlook: its own VTIMEZONE with a Windows name; attendees known only by name
# ("invalid:nomail" is how Outlook writes a contact without an address).
OUTLOOK = ics(
    "BEGIN:VCALENDAR",
    "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN",
    "VERSION:2.0",
    "METHOD:PUBLISH",
    "X-MS-OLK-FORCEINSPECTOROPEN:TRUE",
    "BEGIN:VTIMEZONE",
    "TZID:W. Europe Standard Time",
    "BEGIN:STANDARD",
    "DTSTART:16011028T030000",
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "END:STANDARD",
    "BEGIN:DAYLIGHT",
    "DTSTART:16010325T020000",
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "END:DAYLIGHT",
    "END:VTIMEZONE",
    "BEGIN:VEVENT",  # line 21
    "CLASS:PUBLIC",
    "CREATED:20261020T101500Z",
    'ATTENDEE;CN="Ana Lee";RSVP=TRUE:invalid:nomail',
    "ATTENDEE;CN=Janie;RSVP=TRUE:invalid:nomail",
    "DESCRIPTION:Quarterly review\\n",
    'DTEND;TZID="W. Europe Standard Time":20261103T133000',
    "DTSTAMP:20261020T101500Z",
    'DTSTART;TZID="W. Europe Standard Time":20261103T120000',
    'ORGANIZER;CN="Test Owner":mailto:owner@work.example',
    "SEQUENCE:0",
    "SUMMARY;LANGUAGE=en-us:Lunch: quarterly review",
    "TRANSP:OPAQUE",
    "UID:040000008200E00074C5B7101A82E00800000000D0A1B2C3D4E5F601000000000000000010000000",
    "X-MICROSOFT-CDO-BUSYSTATUS:BUSY",
    "BEGIN:VALARM",
    "TRIGGER:-PT15M",
    "ACTION:DISPLAY",
    "DESCRIPTION:Reminder",
    "END:VALARM",
    "END:VEVENT",
    "END:VCALENDAR",
)

# Apple Calendar: a VTIMEZONE per zone, EMAIL parameters, an all-day event and a time
# without a zone (floating: local wherever you are).
APPLE = ics(
    "BEGIN:VCALENDAR",
    "METHOD:PUBLISH",
    "VERSION:2.0",
    "X-WR-CALNAME:Work",
    "PRODID:-//Apple Inc.//macOS 14.4//EN",
    "X-APPLE-CALENDAR-COLOR:#1BADF8",
    "CALSCALE:GREGORIAN",
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Berlin",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "DTSTART:19810329T020000",
    "TZNAME:CEST",
    "TZOFFSETTO:+0200",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "DTSTART:19961027T030000",
    "TZNAME:CET",
    "TZOFFSETTO:+0100",
    "END:STANDARD",
    "END:VTIMEZONE",
    "BEGIN:VEVENT",  # line 25
    "CREATED:20261101T090000Z",
    "UID:6A1B8C2D-3E4F-5A6B-7C8D-9E0F1A2B3C4D",
    "DTEND;VALUE=DATE:20261108",
    'ATTENDEE;CN="John Smith";CUTYPE=INDIVIDUAL;EMAIL="john@globex.example";PARTSTAT=',
    " ACCEPTED:mailto:john@globex.example",
    "TRANSP:TRANSPARENT",
    "SUMMARY:Tech conference",
    "DTSTART;VALUE=DATE:20261106",
    "DTSTAMP:20261101T090000Z",
    "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC",
    "SEQUENCE:0",
    "END:VEVENT",
    "BEGIN:VEVENT",  # line 38
    "UID:7B2C9D3E-4F5A-6B7C-8D9E-0F1A2B3C4D5E",
    "DTSTART;TZID=Europe/Berlin:20261120T090000",
    "DTEND;TZID=Europe/Berlin:20261120T100000",
    'ATTENDEE;CN="Ana Lee";CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED:mailto:ana@lee.example',
    "SUMMARY:Tee time with Ana",
    "DTSTAMP:20261101T090000Z",
    "END:VEVENT",
    "BEGIN:VEVENT",  # line 46
    "UID:8C3D0E4F-5A6B-7C8D-9E0F-1A2B3C4D5E6F",
    "DTSTART:20261121T080000",
    "DTEND:20261121T084500",
    'ATTENDEE;CN="Jane Doe";CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED:mailto:jane@acme.example',
    "SUMMARY:Coffee",
    "DTSTAMP:20261101T090000Z",
    "END:VEVENT",
    "END:VCALENDAR",
)


def plan_of(root: Path, data: bytes, since: str = "2026-08-28", until: str = TODAY):
    network = load(root)
    read = read_calendar(
        Path("cal.ics"),
        data,
        zone=zoneinfo.ZoneInfo(network.settings.timezone),
        since=dt.date.fromisoformat(since),
        until=dt.date.fromisoformat(until),
    )
    return plan_calendar(network, read)


def entries(plan) -> list[tuple]:
    return [
        (
            str(e.fields["date"]),
            e.fields["with"],
            e.fields["kind"],
            e.fields.get("minutes"),
            e.fields["source"],
        )
        for e in plan.new
    ]


# --- three exporters ---------------------------------------------------------------------------


def test_a_google_export_becomes_log_entries(tmp_path):
    plan = plan_of(kb(tmp_path), GOOGLE)
    assert entries(plan) == [
        ("2026-10-19", ["john-smith"], "call", 30, "ics:weekly-call@google.com#20261019T160000Z"),
        # 26 October is taken out (EXDATE); 9 November was cancelled.
        ("2026-11-02", ["john-smith"], "call", 30, "ics:weekly-call@google.com#20261102T170000Z"),
        # 23:30 in Los Angeles is 07:30 the next day in UTC: the entry has the local date.
        ("2026-11-05", ["jane-doe"], "dinner", 90, "ics:late-dinner@google.com"),
        ("2026-11-16", ["john-smith"], "call", 30, "ics:weekly-call@google.com#20261116T170000Z"),
    ]
    assert plan.skipped == {CANCELLED: 1, DECLINED: 1, NOBODY: 1, OUTSIDE: 0}
    assert plan.errors == [] and plan.unknown == []


def test_the_same_event_lands_on_the_owners_own_date(tmp_path):
    """The dinner at 23:30 in Los Angeles was on 6 November for an owner in Berlin."""
    plan = plan_of(kb(tmp_path, timezone="Europe/Berlin"), GOOGLE)
    dinner = [e for e in plan.new if e.fields["source"] == "ics:late-dinner@google.com"]
    assert [str(e.fields["date"]) for e in dinner] == ["2026-11-06"]


def test_an_outlook_export_with_its_own_time_zone_and_names_only(tmp_path):
    plan = plan_of(kb(tmp_path, timezone="Europe/Berlin"), OUTLOOK)
    uid = "040000008200E00074C5B7101A82E00800000000D0A1B2C3D4E5F601000000000000000010000000"
    # Matched by name (Ana Lee) and by alias (Janie); the owner's work address is left out.
    assert entries(plan) == [("2026-11-03", ["ana-lee", "jane-doe"], "lunch", 90, f"ics:{uid}")]
    assert plan.new[0].fields["summary"] == "Lunch: quarterly review"


def test_an_apple_export_with_an_all_day_event_and_a_floating_time(tmp_path):
    plan = plan_of(kb(tmp_path, timezone="Europe/Berlin"), APPLE)
    assert entries(plan) == [
        # Two days at a conference: no minutes (not time given to one person).
        ("2026-11-06", ["john-smith"], "event", None, "ics:6A1B8C2D-3E4F-5A6B-7C8D-9E0F1A2B3C4D"),
        # Ana by name: her address is not in the knowledge base, and she has none there.
        ("2026-11-20", ["ana-lee"], "golf", 60, "ics:7B2C9D3E-4F5A-6B7C-8D9E-0F1A2B3C4D5E"),
        # A time without a zone is local wherever the owner is.
        ("2026-11-21", ["jane-doe"], "coffee", 45, "ics:8C3D0E4F-5A6B-7C8D-9E0F-1A2B3C4D5E6F"),
    ]


def test_an_attendee_nobody_knows_is_listed_with_the_line_that_adds_them(tmp_path):
    data = GOOGLE.replace(
        b"CN=Jane Doe;\r\n X-NUM-GUESTS=0:mailto:jane@acme.example",
        b"CN=Lukas Brenner;\r\n X-NUM-GUESTS=0:mailto:lukas@kiln.example",
    )
    plan = plan_of(kb(tmp_path), data)
    assert [(u.shown, u.events, u.line, u.command) for u in plan.unknown] == [
        (
            "Lukas Brenner <lukas@kiln.example>",
            1,
            8,
            "netkb new 'Lukas Brenner' --email lukas@kiln.example",
        )
    ]
    assert plan.skipped[NOBODY] == 2  # the dinner now, and the dentist


def test_same_name_with_another_address_is_not_guessed(tmp_path):
    data = GOOGLE.replace(b"mailto:jane@acme.example", b"mailto:jane.doe@gmail.example")
    plan = plan_of(kb(tmp_path), data)
    assert "ics:late-dinner@google.com" not in [e.fields["source"] for e in plan.new]
    [unclear] = plan.unknown
    assert unclear.shown == "Jane Doe <jane.doe@gmail.example>"
    assert "same name as jane-doe, but a different email" in unclear.unclear


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Lunch with Jane", "lunch"),
        ("Coffee", "coffee"),
        ("Quick call re: budget", "call"),
        ("Video call", "call"),
        ("Tee time at Wannsee", "golf"),
        ("Board dinner", "dinner"),
        ("Recall the budget", "meeting"),  # "call" inside a word is not a call
        ("Lunch, then a call", "lunch"),  # the first word that says something
        ("Quarterly review", "meeting"),
    ],
)
def test_the_kind_comes_from_words_of_the_title(title, kind):
    assert kind_finder({})(title) == kind


def test_calendar_kinds_adds_words_and_a_word_of_yours_wins():
    kind_of = kind_finder({"sailing": ("regatta",), "workshop": ("workshop",)})
    assert kind_of("Kiel regatta") == "sailing"
    assert kind_of("Design workshop") == "workshop"  # netkb says event; you said workshop
    assert kind_of("Lunch") == "lunch"


def test_calendar_kinds_is_read_from_the_settings(tmp_path):
    root = kb(tmp_path, extra="    calendar_kinds: {drinks: [drinks, beer]}\n")
    plan = plan_of(root, GOOGLE.replace(b"PARTSTAT=DECLINED", b"PARTSTAT=ACCEPTED"))
    assert [e.fields["kind"] for e in plan.new if "drinks" in e.fields["source"]] == ["drinks"]


def test_the_range_limits_the_occurrences(tmp_path):
    plan = plan_of(kb(tmp_path), GOOGLE, since="2026-11-01", until="2026-11-10")
    assert [e.fields["date"].isoformat() for e in plan.new] == ["2026-11-02", "2026-11-05"]
    assert plan.skipped[CANCELLED] == 1  # 9 November
    assert plan.skipped[OUTSIDE] == 1  # the dentist, on the 12th


# --- the command: dry run, apply, idempotence ---------------------------------------------------


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setenv("NETKB_TODAY", TODAY)


def test_dry_run_shows_the_plan_and_writes_nothing(tmp_path, today):
    root = kb(tmp_path / "kb")
    (tmp_path / "google.ics").write_bytes(GOOGLE)
    before = sorted((root / "log").rglob("*"))
    result = run(root, "import", "calendar", str(tmp_path / "google.ics"))
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Import from google.ics (iCalendar): 5 events, meetings from 2026-08-28 to 2026-11-26\n"
        "\n"
        "New log entries (4; 3 h in all):\n"
        "  + 2026-10-19 call (30 min) with John Smith: Weekly call\n"
        "  + 2026-11-02 call (30 min) with John Smith: Weekly call\n"
        "  + 2026-11-05 dinner (90 min) with Jane Doe: Dinner with Jane\n"
        "  + 2026-11-16 call (30 min) with John Smith: Weekly call\n"
        "\n"
        "Skipped (3):\n"
        "  - 1 cancelled\n"
        "  - 1 declined by you\n"
        "  - 1 with nobody in your network\n"
        "\n"
        "Dry run: nothing written. Run again with --apply to log 4 meetings.\n"
    )
    assert sorted((root / "log").rglob("*")) == before


def test_apply_writes_entries_named_like_netkb_log_and_a_second_import_adds_nothing(
    tmp_path, today
):
    root = kb(tmp_path / "kb")
    (tmp_path / "google.ics").write_bytes(GOOGLE)
    result = run(root, "import", "calendar", str(tmp_path / "google.ics"), "--apply")
    assert result.exit_code == 0, result.output
    assert result.output.endswith("Imported from google.ics: 4 meetings logged.\n")
    dinner = root / "log/2026/2026-11-05-dinner-jane-doe.md"
    assert dinner.read_text(encoding="utf-8") == (
        "---\ndate: 2026-11-05\nwith: [jane-doe]\nkind: dinner\nminutes: 90\n"
        "summary: Dinner with Jane\nsource: ics:late-dinner@google.com\n---\n\n"
    )
    assert (root / "log/2026/2026-11-16-call-john-smith.md").is_file()
    assert run(root, "check").exit_code == 0

    again = run(root, "import", "calendar", str(tmp_path / "google.ics"), "--apply")
    assert "  - 4 already imported\n" in again.output
    assert again.output.endswith("Imported from google.ics: 0 meetings logged.\n")
    assert len(list((root / "log").rglob("*.md"))) == 5


def test_a_newer_export_adds_only_what_is_new_and_never_touches_an_edited_entry(tmp_path, today):
    root = kb(tmp_path / "kb")
    (tmp_path / "old.ics").write_bytes(GOOGLE)
    run(root, "import", "calendar", str(tmp_path / "old.ics"), "--apply")
    dinner = root / "log/2026/2026-11-05-dinner-jane-doe.md"
    edited = dinner.read_text(encoding="utf-8").replace("minutes: 90", "minutes: 120  # mine")
    edited += "We talked about the Berlin office.\n"
    dinner.write_text(edited, encoding="utf-8")
    # The newer export: the dinner moved by an hour, one more weekly call, a new coffee.
    newer = (
        GOOGLE.replace(b"20261106T073000Z", b"20261106T063000Z")
        .replace(b"COUNT=5", b"COUNT=6")
        .replace(
            b"END:VCALENDAR",
            b"BEGIN:VEVENT\r\nDTSTART:20261124T170000Z\r\nDTEND:20261124T174500Z\r\n"
            b"UID:coffee@google.com\r\nSUMMARY:Coffee with John\r\n"
            b"ATTENDEE;CN=John Smith:mailto:JOHN@globex.example\r\nEND:VEVENT\r\nEND:VCALENDAR",
        )
    )
    (tmp_path / "new.ics").write_bytes(newer)
    result = run(root, "import", "calendar", str(tmp_path / "new.ics"), "--apply")
    assert "  + 2026-11-23 call (30 min) with John Smith: Weekly call\n" in result.output
    assert "  + 2026-11-24 coffee (45 min) with John Smith: Coffee with John\n" in result.output
    assert "  - 4 already imported\n" in result.output
    assert result.output.endswith("2 meetings logged.\n")
    assert dinner.read_text(encoding="utf-8") == edited


def test_commit_commits_exactly_the_new_entries(tmp_path, today):
    root = git_repo(kb(tmp_path / "kb"))
    (root / "contacts/ana-lee.md").write_text("---\nname: Ana Lee\nrole: CTO\n---\n")
    (tmp_path / "google.ics").write_bytes(GOOGLE)
    result = run(root, "import", "calendar", str(tmp_path / "google.ics"), "--apply", "--commit")
    assert result.exit_code == 0, result.output
    assert "netkb import calendar: 4 meetings logged" in result.output
    committed = git(root, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(committed) == [
        "log/2026/2026-10-19-call-john-smith.md",
        "log/2026/2026-11-02-call-john-smith.md",
        "log/2026/2026-11-05-dinner-jane-doe.md",
        "log/2026/2026-11-16-call-john-smith.md",
    ]
    assert git(root, "status", "--porcelain").strip() == "M contacts/ana-lee.md"


def test_the_budget_and_stats_count_the_imported_minutes(tmp_path, today):
    root = kb(tmp_path / "kb")
    (tmp_path / "google.ics").write_bytes(GOOGLE)
    network = load(root)
    november = months(network.interactions, network.settings, dt.date(2026, 11, 26), 2)
    assert [(p.label, p.minutes) for p in november] == [("2026-10", 60), ("2026-11", 0)]
    run(root, "import", "calendar", str(tmp_path / "google.ics"), "--apply")
    network = load(root)
    november = months(network.interactions, network.settings, dt.date(2026, 11, 26), 2)
    # October: the lunch (60) and one call (30); November: two calls and the dinner.
    assert [(p.label, p.minutes) for p in november] == [("2026-10", 90), ("2026-11", 150)]
    facts = link(network, today=dt.date(2026, 11, 26))
    assert facts.standing("jane-doe").minutes == 150
    assert facts.standing("jane-doe").last_contact == dt.date(2026, 11, 5)
    stats = run(root, "stats", "--format", "json")
    assert '"2026-11"' in stats.output and '"minutes": 150' in stats.output, stats.output


def test_until_after_today_and_since_for_another_source_are_refused(tmp_path, today):
    root = kb(tmp_path / "kb")
    (tmp_path / "google.ics").write_bytes(GOOGLE)
    late = run(root, "import", "calendar", str(tmp_path / "google.ics"), "--until", "2026-12-01")
    assert late.exit_code == 2
    assert "only past meetings become log entries" in late.output
    other = run(root, "import", "vcard", str(tmp_path / "google.ics"), "--since", "2026-01-01")
    assert other.exit_code == 2
    assert "--since and --until are for 'netkb import calendar'" in other.output


def test_the_budget_page_shows_the_imported_minutes(tmp_path, today):
    root = kb(tmp_path / "kb")
    (tmp_path / "google.ics").write_bytes(GOOGLE)
    run(root, "import", "calendar", str(tmp_path / "google.ics"), "--apply")
    page = SiteRenderer(link(load(root)), today=dt.date(2026, 11, 26)).pages()["budget.md"]
    # The week of 2 November: the weekly call (30) and the dinner of the 5th (90).
    assert "Week 2026-W45 (from 2 Nov 2026): 2 h, 2 interactions" in page
    assert "Week 2026-W47 (from 16 Nov 2026): 30 min, 1 interaction" in page


def test_progress_counts_every_event_then_every_meeting(tmp_path):
    """The command's bars: reading goes up to the events of the file (those far from the
    range and the unreadable ones included), matching up to the meetings."""
    root = kb(tmp_path)
    far = GOOGLE.replace(
        b"END:VCALENDAR",
        b"BEGIN:VEVENT\r\nUID:old\r\nDTSTART:20190101T100000Z"
        b"\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:bad\r\nDTSTART:2026-13-45\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR",
    )
    steps: list[int] = []
    read = read_calendar(
        Path("cal.ics"),
        far,
        zone=zoneinfo.ZoneInfo("Europe/Berlin"),
        since=dt.date(2026, 8, 28),
        until=dt.date(2026, 11, 26),
        progress=steps.append,
    )
    assert read.events == 7 and sum(steps) == 7
    matched: list[int] = []
    plan_calendar(load(root), read, progress=matched.append)
    assert sum(matched) == len(read.meetings) == 7


def test_you_are_never_someone_you_met_even_at_an_address_not_listed(tmp_path):
    root = kb(tmp_path)
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(
        config.replace("    owner_emails: [owner@example.com, Owner@Work.example]\n", ""),
        encoding="utf-8",
    )
    plan = plan_of(root, GOOGLE)
    # "Test Owner" is you by name; Google's CN=owner@example.com says nothing but the
    # address, which only owner_emails can tell is yours.
    assert [u.shown for u in plan.unknown] == ["owner@example.com"]
    assert [e.fields["with"] for e in plan.new][2] == ["jane-doe"]


@pytest.mark.parametrize(
    "fields",
    [
        {"date": dt.date(2026, 11, 5), "with": ["jane-doe"], "kind": "dinner", "minutes": 90},
        {
            "date": dt.date(2026, 11, 5),
            "with": ["jane-doe", "john-smith"],
            "kind": "call",
            "minutes": 1,
            "summary": "yes: no # 'quoted' \"twice\"",
            "source": "ics:040000008200E00074C5B7101A82E008@outlook.example#20261105T073000Z",
        },
        {"date": dt.date(2026, 11, 5), "with": ["a"], "kind": "true", "summary": "1"},
    ],
)
def test_an_entry_is_written_as_contact_text_writes_it(tmp_path, fields):
    """The import makes each front-matter line once (cached); the bytes are still exactly
    what ``contact_text``, netkb's one writer of new front matter, makes."""
    assert interaction_text(tmp_path, fields) == (contact_text(fields) + "\n").encode()
    assert interaction_text(tmp_path, fields) == (contact_text(fields) + "\n").encode()


def test_the_journal_marks_entries_from_a_calendar(tmp_path):
    """An imported entry says so in the journal; one typed by hand does not."""
    from conftest import copy_demo

    from netkb.build.site import build

    root = copy_demo(tmp_path / "kb")
    (root / "log/2026/2026-11-02-call-from-calendar.md").write_text(
        "---\ndate: 2026-11-02\nwith: [greta-novak]\nkind: call\nminutes: 30\n"
        "summary: Calendar call\nsource: ics:abc123@google.com\n---\n",
        encoding="utf-8",
    )
    assert build(root).ok
    month = (root / ".netkb/docs/journal/2026-11.md").read_text(encoding="utf-8")
    rows = [row for row in month.split("<tr>") if "Calendar call" in row or "2026-11-0" in row]
    marked = [row for row in rows if "from calendar" in row]
    assert len(marked) == 1 and "Calendar call" in marked[0]
    assert month.count("from calendar") == 1
