"""Follow-ups, birthdays and favour balances on a fixed today (tests/network_kb.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from network_kb import PRIVATE_SLUG, TODAY, write_network

from netkb.cli import cli
from netkb.core.records import Birthday, Cadence, Interaction, Person, Settings, Source
from netkb.link.derive import link
from netkb.link.followups import due, favour_ledger, relationship, upcoming_birthdays
from netkb.load.loader import load


@pytest.fixture
def network(tmp_path: Path):
    return load(write_network(tmp_path / "kb"))


@pytest.fixture
def standing(network):
    return link(network, today=TODAY).standings()


def test_who_is_due_and_by_how_many_days(network, standing) -> None:
    # Gus: circle 3 (90d), never contacted, met 2026-01-10 → due 2026-04-10.
    # Fay: circle 2 (30d), last coffee 2026-05-01 → due 2026-05-31.
    # Eve: her own cadence 2w, last at the event of 2026-10-20 → due 2026-11-03.
    # Ana: circle 1 (14d), last coffee 2026-11-25 → due 2026-12-09, in 13 days.
    # Bob: circle 2, last call 2026-11-17; the lunch of 2026-12-03 is planned, not contact.
    overdue = [
        (r.slug, r.follow_up.due, r.follow_up.days_overdue) for r in due(network.people, standing)
    ]
    assert overdue == [
        ("gus-hart", dt.date(2026, 4, 10), 230),
        ("fay-wu", dt.date(2026, 5, 31), 179),
        ("eve-moss", dt.date(2026, 11, 3), 23),
    ]
    soon = [(r.slug, r.follow_up.days_overdue) for r in due(network.people, standing, 21)]
    assert soon[3:] == [("ana-lee", -13), (PRIVATE_SLUG, -13), ("bob-stone", -21)]
    assert standing["gus-hart"].follow_up.never
    assert standing["bob-stone"].last_contact == dt.date(2026, 11, 17)


def test_last_contact_field_counts_when_later_than_the_log(standing) -> None:
    # Dan: last logged 2026-10-20, but his file says last_contact: 2026-11-01; circle 4 → 180d.
    dan = standing["dan-roe"]
    assert dan.last_contact == dt.date(2026, 11, 1)
    assert dan.follow_up.due == dt.date(2027, 4, 30)
    assert dan.last.date == dt.date(2026, 10, 20)


def test_no_cadence_means_not_tracked(standing) -> None:
    assert standing["hal-kim"].follow_up is None  # no circle, no cadence


def test_favour_balances_and_time_invested(standing) -> None:
    balances = {s: r.favours.balance for s, r in standing.items() if r.favours.balance}
    assert balances == {"ana-lee": 1, "cleo-park": 1, "bob-stone": -1, "fay-wu": -1}
    owe_you, you_owe = favour_ledger(standing)
    assert [r.slug for r in owe_you] == ["ana-lee", "cleo-park"]
    assert [r.slug for r in you_owe] == ["bob-stone", "fay-wu"]
    # Ana: lunch 90 + coffee 30. Bob: call 45, the planned lunch not yet.
    assert (standing["ana-lee"].minutes, standing["ana-lee"].interactions) == (120, 2)
    assert (standing["bob-stone"].minutes, standing["bob-stone"].interactions) == (45, 1)


def test_upcoming_birthdays_with_and_without_a_year(network) -> None:
    # Ana: 1990-12-01; Bob: "--11-26", today, year unknown.
    found = upcoming_birthdays(network.people.values(), TODAY, 7)
    assert [(b.slug, b.date, b.days, b.age) for b in found] == [
        ("bob-stone", dt.date(2026, 11, 26), 0, None),
        ("ana-lee", dt.date(2026, 12, 1), 5, 36),
    ]
    assert [b.slug for b in upcoming_birthdays(network.people.values(), TODAY, 4)] == ["bob-stone"]


def _person(slug: str, **fields) -> Person:
    return Person(slug=slug, name=slug.title(), source=Source(Path(f"{slug}.md")), **fields)


def _met(day: dt.date, slug: str, **fields) -> Interaction:
    return Interaction(slug="x", date=day, with_=(slug,), source=Source(Path("x.md")), **fields)


def test_cadence_in_months_follows_the_calendar() -> None:
    person = _person("jo", circle=5, cadence=Cadence(1, "m"))
    timeline = [_met(dt.date(2026, 1, 31), "jo")]
    follow = relationship(person, timeline, Settings(), dt.date(2026, 3, 1)).follow_up
    assert (follow.due, follow.days_overdue) == (dt.date(2026, 2, 28), 1)


def test_circle_cadences_come_from_the_settings() -> None:
    settings = Settings(cadence_by_circle={1: Cadence(7, "d"), 5: None})
    person = _person("jo", circle=1, birthday=Birthday(2, 29))
    timeline = [_met(dt.date(2026, 11, 1), "jo")]
    follow = relationship(person, timeline, settings, TODAY).follow_up
    assert (follow.due, follow.days_overdue) == (dt.date(2026, 11, 8), 18)
    # 29 February falls on 28 February in a year without it.
    assert upcoming_birthdays([person], dt.date(2027, 2, 1), 30)[0].date == dt.date(2027, 2, 28)


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--kb", str(root), *args], catch_exceptions=False)


def test_due_command_text(tmp_path: Path) -> None:
    root = write_network(tmp_path / "kb")
    result = run(root, "due", "--today", "2026-11-26", "--circle", "2", "--circle", "3")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Due as of 2026-11-26: overdue, then due within 7 days",
        "",
        "DUE            PERSON               CIRCLE  EVERY  LAST CONTACT  LAST TIME",
        "230 d overdue  Gus Hart (gus-hart)       3  90d    never",
        "179 d overdue  Fay Wu (fay-wu)           2  30d    2026-05-01    coffee",
        "23 d overdue   Eve Moss (eve-moss)       2  2w     2026-10-20    event: Fintech meetup",
        "",
        "Birthdays within 7 days:",
        "  Thu 26 Nov (today): Bob Stone",
    ]


def test_due_command_json_and_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_network(tmp_path / "kb")
    monkeypatch.setenv("NETKB_TODAY", "2026-11-26")
    rows = json.loads(run(root, "due", "--days", "5", "--tag", "golf", "--format", "json").output)
    # Tagged golf: Ana (due in 13 days: not within 5) and Dan (not due); Ana's birthday is in 5.
    assert rows == [
        {
            "reason": "birthday",
            "slug": "ana-lee",
            "name": "Ana Lee",
            "circle": 1,
            "due": "2026-12-01",
            "days_overdue": -5,
            "cadence": None,
            "last_contact": None,
            "last_kind": None,
            "last_summary": None,
            "turns": 36,
        }
    ]
    csv_lines = run(root, "due", "--format", "csv").output.splitlines()
    assert csv_lines[0] == (
        "reason,slug,name,circle,due,days_overdue,cadence,last_contact,last_kind,last_summary,turns"
    )
    assert csv_lines[1] == "touch,gus-hart,Gus Hart,3,2026-04-10,230,90d,,,,"


def test_csv_cells_never_start_a_formula(tmp_path: Path) -> None:
    root = write_network(tmp_path / "kb")
    (root / "log/2026/fay-formula.md").write_text(
        "---\ndate: 2026-05-02\nwith: [fay-wu]\nkind: call\nsummary: '=HYPERLINK(\"x\")'\n---\n",
        encoding="utf-8",
    )
    output = run(root, "due", "--today", "2026-11-26", "--format", "csv").output
    fay = next(line for line in output.splitlines() if line.startswith("touch,fay-wu"))
    assert fay.endswith(',call,"\'=HYPERLINK(""x"")",')


def test_bad_today_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_network(tmp_path / "kb")
    monkeypatch.setenv("NETKB_TODAY", "yesterday")
    result = CliRunner().invoke(cli, ["--kb", str(root), "due"])
    assert result.exit_code == 2
    assert "NETKB_TODAY='yesterday' is not a date written YYYY-MM-DD" in result.output


def test_show_command(tmp_path: Path) -> None:
    root = write_network(tmp_path / "kb")
    result = run(root, "show", "cleo-park", "--today", "2026-11-26")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Cleo Park — Head of Sales at Globex",
        "circle 3 (regular)",
        "Introduced by Bob Stone (bob-stone)",
        "",
        "Keep in touch every 90d: last contact 2026-10-01 (56 days ago); "
        "next due 2026-12-30 (in 34 days)",
        "Favours: 1 given, 0 received (+1: they owe you)",
        "Time invested: 1 h over 1 interaction (1 h in the past year)",
        "",
        "Relations:",
        "  colleague: Dan Roe (dan-roe)",
        "  knows: Gus Hart (gus-hart), Hal Kim (hal-kim)",
        "",
        "Last interactions:",
        "  2026-10-01  meeting, 1 h · favour given",
    ]
    data = json.loads(run(root, "show", "Ana Lee", "--format", "json").output)
    assert (data["slug"], data["favour_balance"], data["minutes"]) == ("ana-lee", 1, 120)
    unknown = run(root, "show", "cleo-prk")
    assert unknown.exit_code == 2
    assert "no person has the slug 'cleo-prk'; did you mean 'cleo-park'?" in unknown.output


def test_a_person_named_twice_in_one_entry_counts_once(tmp_path: Path) -> None:
    root = write_network(tmp_path / "kb")
    (root / "log/2026/twice.md").write_text(
        "---\ndate: 2026-11-26\nwith: [hal-kim, Hal-Kim]\nkind: call\nminutes: 20\n---\n",
        encoding="utf-8",
    )
    facts = link(load(root), today=TODAY)
    assert [i.source.path.name for i in facts.timelines["hal-kim"]] == ["twice.md"]
    hal = facts.standing("hal-kim")
    assert (hal.minutes, hal.interactions, hal.last_contact) == (20, 1, TODAY)
