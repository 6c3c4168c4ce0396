"""``netkb export calendar`` and the site's feed: follow-ups and birthdays as valid
iCalendar, read back by two independent parsers, with nothing private in it."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import icalendar
import pytest
import vobject
from conftest import REPO, copy_demo
from helpers_import import run

from netkb.link.derive import link
from netkb.load.loader import load
from netkb.render.calendar_feed import FOLLOW_UP_DAYS, birthdays, calendar_feed, follow_ups

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def demo_facts():
    return link(load(REPO), today=TODAY)


@pytest.fixture(scope="module")
def demo_feed(demo_facts) -> bytes:
    return calendar_feed(demo_facts, site_url=None, today=TODAY)


def events_by_uid(data: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_the_feed_holds_every_due_follow_up_and_birthday_of_the_demo(demo_facts, demo_feed):
    due = demo_facts.due(FOLLOW_UP_DAYS, among=demo_facts.public)
    born = [p for p in demo_facts.public.values() if p.birthday]
    assert len(due) >= 10 and len(born) >= 10  # the demo has plenty of both
    events = events_by_uid(demo_feed)
    assert set(events) == {f"followup-{s.slug}@netkb.invalid" for s in due} | {
        f"birthday-{p.slug}@netkb.invalid" for p in born
    }
    for standing in due:
        event = events[f"followup-{standing.slug}@netkb.invalid"]
        follow_up = standing.follow_up
        assert event.decoded("DTSTART") == max(follow_up.due, TODAY)  # overdue: today
        assert demo_facts.people[standing.slug].name in str(event["SUMMARY"])
        assert f"due {follow_up.due}" in str(event["DESCRIPTION"])
        assert f"people/{standing.slug}.html" in str(event["DESCRIPTION"])
        if standing.last_contact:
            assert f"Last contact {standing.last_contact}" in str(event["DESCRIPTION"])
    # Every overdue person is in it, on today (the demo's Oliver Grant: 59 days).
    oliver = events["followup-oliver-grant@netkb.invalid"]
    assert str(oliver["SUMMARY"]) == "Follow up: Oliver Grant (59 d overdue)"
    assert oliver.decoded("DTSTART") == TODAY


def test_birthdays_recur_every_year_even_without_a_year(demo_feed):
    events = events_by_uid(demo_feed)
    ingrid = events["birthday-ingrid-solberg@netkb.invalid"]  # birthday: 1971-03-27
    assert ingrid.decoded("DTSTART") == dt.date(1971, 3, 27)
    assert ingrid["RRULE"].to_ical() == b"FREQ=YEARLY"
    kenji = events["birthday-kenji-watanabe@netkb.invalid"]  # birthday: "--04-12"
    assert kenji.decoded("DTSTART") == dt.date(2000, 4, 12)
    assert "Year of birth unknown." in str(kenji["DESCRIPTION"])


def test_a_second_parser_reads_the_same_events_and_expands_the_birthdays(demo_feed):
    """vobject is a separate implementation of RFC 5545: it parses and validates the
    feed, and its RRULE expansion gives each birthday in 2027."""
    parsed = vobject.readOne(demo_feed.decode("utf-8"), validate=True)
    ours = events_by_uid(demo_feed)
    theirs = {e.uid.value: e for e in parsed.vevent_list}
    assert set(theirs) == set(ours)
    for uid, event in theirs.items():
        assert event.summary.value == str(ours[uid]["SUMMARY"])
        assert event.dtstart.value == ours[uid].decoded("DTSTART")
    ingrid = theirs["birthday-ingrid-solberg@netkb.invalid"]
    after = dt.datetime(2027, 1, 1)
    assert ingrid.getrruleset().after(after).date() == dt.date(2027, 3, 27)


def test_nothing_private_is_in_the_feed(demo_feed):
    text = demo_feed.decode("utf-8")
    unfolded = re.sub(r"\r\n[ \t]", "", text)
    private_people = [p for p in load(REPO).people.values() if p.private]
    assert [p.slug for p in private_people] == ["sabine-vogt"]
    for person in private_people:
        assert person.name not in unfolded and person.slug not in unfolded
    # The words of every "## Private" part of the demo's notes.
    for path in (REPO / "contacts").rglob("*.md"):
        notes = path.read_text(encoding="utf-8").split("## Private", 1)
        if len(notes) == 2:
            for line in notes[1].splitlines():
                words = line.strip(" -*")
                if len(words) > 12:
                    assert words not in unfolded, f"{path}: {words!r}"


def test_a_leap_day_birthday_falls_on_the_last_day_of_february(tmp_path):
    root = tmp_path / "kb"
    (root / "contacts").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: T\n", encoding="utf-8")
    (root / "contacts/leap.md").write_text(
        "---\nname: Leap Day\nbirthday: 1984-02-29\n---\n", encoding="utf-8"
    )
    data = calendar_feed(link(load(root), today=TODAY), site_url=None, today=TODAY)
    [event] = vobject.readOne(data.decode("utf-8")).vevent_list
    days = [
        d.date()
        for d in event.getrruleset().between(dt.datetime(2027, 1, 1), dt.datetime(2029, 1, 1))
    ]
    assert days == [dt.date(2027, 2, 28), dt.date(2028, 2, 29)]


def test_the_feed_is_the_same_bytes_on_the_same_day_and_keeps_its_uids(demo_facts, demo_feed):
    assert calendar_feed(demo_facts, site_url=None, today=TODAY) == demo_feed
    later = calendar_feed(demo_facts, site_url=None, today=TODAY + dt.timedelta(days=3))
    before, after = events_by_uid(demo_feed), events_by_uid(later)
    # A refreshed feed replaces events by UID: the same person's events keep theirs.
    assert {u for u in before if u.startswith("birthday-")} == {
        u for u in after if u.startswith("birthday-")
    }
    assert "followup-oliver-grant@netkb.invalid" in after
    assert len(re.findall(rb"^UID:", later, re.MULTILINE)) == len(after)  # no UID twice


def test_with_a_site_url_each_event_links_to_the_page(demo_facts):
    data = calendar_feed(demo_facts, site_url="https://net.example.org/kb/", today=TODAY)
    oliver = events_by_uid(data)["followup-oliver-grant@netkb.invalid"]
    assert str(oliver["URL"]) == "https://net.example.org/kb/people/oliver-grant.html"


def test_control_characters_in_a_name_never_reach_the_file(tmp_path):
    root = tmp_path / "kb"
    (root / "contacts").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: T\n", encoding="utf-8")
    (root / "contacts/odd.md").write_text(
        '---\nname: "Odd\\e[31m\\u2028Name\\r\\nEND:VCALENDAR"\nbirthday: 1990-01-02\n---\n',
        encoding="utf-8",
    )
    data = calendar_feed(link(load(root), today=TODAY), site_url=None, today=TODAY)
    assert b"\x1b" not in data and "\u2028".encode() not in data
    assert re.findall(rb"^END:VCALENDAR", data, re.MULTILINE) == [b"END:VCALENDAR"]
    [event] = vobject.readOne(data.decode("utf-8")).vevent_list
    assert event.summary.value == "Birthday: Odd [31m Name \nEND:VCALENDAR"


# --- the command -----------------------------------------------------------------------------


@pytest.fixture
def demo(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("NETKB_TODAY", TODAY.isoformat())
    return copy_demo(tmp_path / "demo")


def test_export_calendar_writes_the_feed(demo, tmp_path, demo_feed):
    out = tmp_path / "netkb.ics"
    result = run(demo, "export", "calendar", "--out", str(out))
    assert result.exit_code == 0, result.output
    facts = link(load(demo), today=TODAY)
    assert result.output == (
        f"Exported {len(follow_ups(facts))} follow-ups and {len(birthdays(facts))} birthdays "
        f"to {out}\n"
    )
    assert out.read_bytes() == demo_feed


def test_export_calendar_refuses_private_people_and_a_path_inside_the_kb(demo):
    private = run(demo, "export", "calendar", "--include-private")
    assert private.exit_code == 2
    assert "a calendar export never holds private people" in private.output
    inside = run(demo, "export", "calendar", "--out", str(demo / "calendar.ics"))
    assert inside.exit_code == 2
    assert "is inside the knowledge base" in inside.output
    assert not (demo / "calendar.ics").exists()
