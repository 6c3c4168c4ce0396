"""The calendar feed writes again only the events that changed (``Feed.written``), and
the text is the same as icalendar writing the whole calendar at once."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import icalendar
import pytest

import netkb.render.calendar_feed as calendar_module
from netkb.build.site import CALENDAR, CALENDAR_STATE, Generator, build
from netkb.render.calendar_feed import Feed, FeedEvent, event_chunks, feed
from tests.conftest import copy_demo


def whole(spec: Feed) -> bytes:
    """The feed as icalendar writes it in one go: the reference."""
    calendar = spec._calendar()
    stamp = dt.datetime.combine(spec.today, dt.time(), dt.UTC)
    for event in spec.events:
        calendar.add_component(calendar_module._event(event, stamp))
    return calendar.to_ical()


@pytest.fixture(scope="module")
def demo_feed(tmp_path_factory: pytest.TempPathFactory) -> Feed:
    root = copy_demo(tmp_path_factory.mktemp("calendar") / "demo")
    generator = Generator(root)
    facts = generator.link(generator.load())
    return feed(facts, site_url="https://net.example/", today=dt.date(2026, 11, 15))


def test_written_in_pieces_is_the_whole_calendar(demo_feed: Feed) -> None:
    text, keys = demo_feed.written({})
    assert len(demo_feed.events) > 10
    assert text == whole(demo_feed) == demo_feed.ics()
    assert len(keys) == len(set(keys)) == len(event_chunks(text)) == len(demo_feed.events)
    assert b"".join(event_chunks(text)) in text


def test_only_changed_events_are_written_again(
    demo_feed: Feed, monkeypatch: pytest.MonkeyPatch
) -> None:
    text, keys = demo_feed.written({})
    known = dict(zip(keys, event_chunks(text), strict=True))
    first = demo_feed.events[0]
    changed = dataclasses.replace(first, title=first.title + " (moved)")
    added = FeedEvent("followup-new-person", "Follow up: New Person", dt.date(2026, 11, 20), "x")
    new = dataclasses.replace(demo_feed, events=(changed, *demo_feed.events[1:], added))
    written: list[FeedEvent] = []
    original = calendar_module._event

    def counting(spec: FeedEvent, stamp: dt.datetime) -> icalendar.Event:
        written.append(spec)
        return original(spec, stamp)

    monkeypatch.setattr(calendar_module, "_event", counting)
    again, _ = new.written(known)
    assert written == [changed, added]
    assert again == whole(new)
    # Another day changes every DTSTAMP: nothing is reused then.
    tomorrow = dataclasses.replace(new, today=new.today + dt.timedelta(days=1))
    expected = whole(tomorrow)
    written.clear()
    assert tomorrow.written(known)[0] == expected
    assert len(written) == len(new.events)


def test_text_that_is_not_a_feed_has_no_events() -> None:
    assert event_chunks(b"") == []
    assert event_chunks(b"BEGIN:VEVENT\r\nEND:VEVENT\r\n") == []


def test_a_build_reuses_the_last_feed_only_if_it_is_the_one_recorded(tmp_path: Path) -> None:
    root = copy_demo(tmp_path / "demo")
    assert build(root).ok
    docs = root / ".netkb/docs"
    feed_file = docs / CALENDAR
    assert (root / ".netkb/build" / CALENDAR_STATE).is_file()
    # Someone edits the feed in the generated folder: it is not what was recorded, so the
    # next feed is written whole, not stitched from the edited events.
    tampered = feed_file.read_bytes().replace(b"SUMMARY:Birthday", b"SUMMARY:Tampered", 1)
    assert tampered != feed_file.read_bytes()
    feed_file.write_bytes(tampered)
    # A new name for someone with a birthday: the feed changes, so it is written again.
    # (the last such person: the edited event is the first birthday in the feed)
    contact = [
        p for p in sorted((root / "contacts").rglob("*.md")) if "\nbirthday:" in p.read_text()
    ][-1]
    text = contact.read_text(encoding="utf-8")
    contact.write_text(text.replace("\nname: ", "\nname: Renamed ", 1), encoding="utf-8")
    assert build(root).ok
    generator = Generator(root)
    facts = generator.link(generator.load())
    expected = feed(facts, site_url=facts.network.settings.site_url, today=facts.today).ics()
    assert feed_file.read_bytes() == expected
    assert b"Tampered" not in feed_file.read_bytes()
