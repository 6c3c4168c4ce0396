#!/usr/bin/env python3
"""Time ``netkb import calendar`` of 20,000 events against a KB of 10,000 people.

    cd /tmp && python /work/main/benchmarks/bench_calendar.py [--kb /dev/shm/kbcal]
        [--people 10000] [--events 20000] [--repeat 1] [--seed 1]

The KB is generated (``generate.py``) when ``--kb`` does not exist yet. The calendar is
a Google-style export of the last 90 days: one- to three-person meetings (times in UTC,
X-WR-TIMEZONE, attendee parameters as Google writes them), a few hundred weekly series
with an EXDATE, cancelled events, declined invites, rooms, and people the KB does not
know. Each run copies the KB to a temporary folder and runs the real command in a fresh
interpreter: the dry run, then ``--apply``. It prints the wall times, the in-process
time of each phase (read and expand, match and plan), and checks the number of log
entries written. It always exits 0; a missed target is marked MISSED.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zoneinfo
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

TODAY = dt.date(2026, 11, 26)
TARGET_SECONDS = 30.0
TARGET_LINE = "target: import calendar --apply of 20,000 events against 10,000 people ≤ 30 s"
TITLES = ["Lunch", "Coffee", "Call", "Sync", "Dinner", "Golf", "Quarterly review", "Intro"]
OWNER = "owner@bench.example"


def attendee(name: str, email: str, status: str = "ACCEPTED", kind: str = "INDIVIDUAL") -> str:
    return (
        f"ATTENDEE;CUTYPE={kind};ROLE=REQ-PARTICIPANT;PARTSTAT={status};CN={name};"
        f"X-NUM-GUESTS=0:mailto:{email}"
    )


def fold(line: str) -> str:
    """RFC 5545 folding at 75 octets (ASCII here), as Google writes it."""
    parts = [line[:75]] + [line[n : n + 74] for n in range(75, len(line), 74)]
    return "\r\n ".join(parts)


def calendar(people: list[tuple[str, str]], events: int, seed: int) -> tuple[bytes, int]:
    """The export and the number of its events (VEVENT blocks)."""
    pick = random.Random(seed)
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{OWNER}",
        "X-WR-TIMEZONE:Europe/Berlin",
    ]
    start = dt.datetime.combine(TODAY - dt.timedelta(days=89), dt.time(7), dt.UTC)
    blocks = 0
    for number in range(events):
        when = start + dt.timedelta(
            days=pick.randrange(89), hours=pick.randrange(11), minutes=pick.choice((0, 30))
        )
        length = dt.timedelta(minutes=pick.choice((30, 45, 60, 90, 120)))
        guests = [pick.choice(people) for _ in range(pick.choice((1, 1, 2, 3)))]
        body = [
            "BEGIN:VEVENT",
            f"DTSTART:{when:%Y%m%dT%H%M%SZ}",
            f"DTEND:{when + length:%Y%m%dT%H%M%SZ}",
            "DTSTAMP:20261126T074512Z",
            f"ORGANIZER;CN=Bench Owner:mailto:{OWNER}",
            f"UID:{seed}-{number:06d}@google.com",
        ]
        if number % 100 == 7:  # a weekly series with one week taken out
            body[1] = f"DTSTART;TZID=Europe/Berlin:{when:%Y%m%dT%H%M%S}"
            body[2] = f"DTEND;TZID=Europe/Berlin:{when + length:%Y%m%dT%H%M%S}"
            skipped = when + dt.timedelta(weeks=2)
            body += [
                "RRULE:FREQ=WEEKLY;COUNT=8",
                f"EXDATE;TZID=Europe/Berlin:{skipped:%Y%m%dT%H%M%S}",
            ]
        body += [attendee(name, email) for name, email in guests]
        if number % 50 == 3:
            body.append(attendee("Someone New", f"new{number}@elsewhere.example"))
        if number % 40 == 5:
            body.append(
                attendee("Room 4.12", f"c_{number}@resource.calendar.google.com", kind="RESOURCE")
            )
        declined = "DECLINED" if number % 60 == 11 else "ACCEPTED"
        body.append(attendee("Bench Owner", OWNER, declined))
        body += [
            "CREATED:20261001T080000Z",
            "DESCRIPTION:Agenda: budget\\, hiring\\, and the Berlin office. Join with "
            "Google Meet: https://meet.google.com/abc-defg-hij",
            "LAST-MODIFIED:20261101T080000Z",
            "LOCATION:",
            "SEQUENCE:0",
            f"STATUS:{'CANCELLED' if number % 70 == 9 else 'CONFIRMED'}",
            f"SUMMARY:{pick.choice(TITLES)} with {guests[0][0]}",
            "TRANSP:OPAQUE",
            "END:VEVENT",
        ]
        lines += body
        blocks += 1
    lines.append("END:VCALENDAR")
    return ("".join(fold(line) + "\r\n" for line in lines)).encode("utf-8"), blocks


def people_of(kb: Path) -> list[tuple[str, str]]:
    """(name, email) of the KB's people that have an email."""
    from netkb.load.loader import load

    network = load(kb)
    return [(p.name, p.email[0]) for p in network.people.values() if p.email]


def netkb(kb: Path, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    env = {**os.environ, "NETKB_TODAY": TODAY.isoformat()}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "netkb", "--kb", str(kb), *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
    )
    return time.perf_counter() - started, done


def phases(kb: Path, path: Path) -> tuple[float, float, int]:
    """In-process seconds of reading (parse and expand) and of planning; entries planned."""
    from netkb.interchange.importers.calendar import read_calendar
    from netkb.interchange.importers.calendar_plan import plan_calendar
    from netkb.load.loader import load

    network = load(kb)
    data = path.read_bytes()
    started = time.perf_counter()
    read = read_calendar(
        path,
        data,
        zone=zoneinfo.ZoneInfo("Europe/Berlin"),
        since=TODAY - dt.timedelta(days=90),
        until=TODAY,
    )
    reading = time.perf_counter() - started
    started = time.perf_counter()
    plan = plan_calendar(network, read)
    return reading, time.perf_counter() - started, len(plan.new)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, default=Path("/dev/shm/kbcal"))
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not args.kb.exists():
        subprocess.run(
            [
                sys.executable,
                str(REPO_ROOT / "benchmarks/generate.py"),
                str(args.kb),
                "--people",
                str(args.people),
            ],
            check=True,
        )
    people = people_of(args.kb)
    data, events = calendar(people, args.events, args.seed)
    print(f"KB {args.kb}: {len(people):,} people with an email")
    print(f"calendar: {events:,} events, {len(data) / 2**20:.1f} MB")
    with tempfile.TemporaryDirectory(dir=args.kb.parent) as scratch:
        ics = Path(scratch) / "calendar.ics"
        ics.write_bytes(data)
        dry_runs, applies = [], []
        for run in range(args.repeat):
            copy = Path(scratch) / f"kb{run}"
            shutil.copytree(args.kb, copy, symlinks=True)
            with (copy / "mkdocs.yml").open("a", encoding="utf-8") as config:
                config.write(f"    owner_emails: [{OWNER}]\n    timezone: Europe/Berlin\n")
            if run == 0:
                reading, planning, planned = phases(copy, ics)
                print(
                    f"in-process: read and expand {reading:.1f} s, match and plan "
                    f"{planning:.1f} s, {planned:,} new log entries"
                )
            before = sum(1 for _ in (copy / "log").rglob("*.md"))
            seconds, done = netkb(copy, "import", "calendar", str(ics))
            dry_runs.append(seconds)
            seconds, done = netkb(copy, "import", "calendar", str(ics), "--apply")
            applies.append(seconds)
            written = sum(1 for _ in (copy / "log").rglob("*.md")) - before
            status = "ok" if done.returncode == 0 and written == planned else "FAILED"
            print(
                f"run {run + 1}: dry run {dry_runs[-1]:.1f} s, --apply {applies[-1]:.1f} s, "
                f"{written:,} log entries written ({status})"
            )
            if status != "ok":
                print(done.stdout[-2000:], done.stderr[-2000:])
            shutil.rmtree(copy)
    median = statistics.median(applies)
    mark = "" if median <= TARGET_SECONDS else "  MISSED"
    print(f"--apply: best {min(applies):.1f} s, median {median:.1f} s{mark}")
    print(TARGET_LINE)


if __name__ == "__main__":
    main()
