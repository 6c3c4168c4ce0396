"""Time invested against the 5% budget, kinds, favours, circles (tests/network_kb.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from network_kb import TODAY, write_network

from netkb.cli import cli
from netkb.core.records import Settings
from netkb.load.loader import load
from netkb.network.budget import (
    by_kind,
    duration,
    month_target,
    months,
    network_stats,
    weekly_target,
)
from netkb.network.budget import weeks as week_periods


@pytest.fixture
def network(tmp_path: Path):
    return load(write_network(tmp_path / "kb"))


def test_the_budget_is_a_share_of_working_time() -> None:
    assert weekly_target(Settings()) == 120  # 40 h × 5%
    assert weekly_target(Settings(work_hours_per_week=30, networking_share=0.1)) == 180
    assert round(month_target(Settings(), 2026, 11)) == 514  # 120 × 30 / 7
    assert round(month_target(Settings(), 2026, 2)) == 480


def test_minutes_per_iso_week(network) -> None:
    # W47 (16–22 Nov): Bob's call 45 + golf 240 on the 20th. W48 (23–29 Nov): lunch 90 and
    # coffee 30 up to today; Bob's lunch on 3 December is after today and does not count.
    periods = week_periods(network.interactions, network.settings, TODAY, 4)
    assert [(p.label, p.start, p.minutes, p.interactions) for p in periods] == [
        ("2026-W45", dt.date(2026, 11, 2), 0, 0),
        ("2026-W46", dt.date(2026, 11, 9), 0, 0),
        ("2026-W47", dt.date(2026, 11, 16), 285, 2),
        ("2026-W48", dt.date(2026, 11, 23), 120, 2),
    ]
    assert periods[-1].share == 1.0


def test_minutes_per_month_and_kind(network) -> None:
    periods = months(network.interactions, network.settings, TODAY, 3)
    assert [(p.label, p.minutes) for p in periods] == [
        ("2026-09", 0),
        ("2026-10", 180),
        ("2026-11", 405),
    ]
    kinds = by_kind(network.interactions, dt.date(2026, 10, 1), TODAY)
    assert [(k.kind, k.interactions, k.minutes) for k in kinds] == [
        ("golf", 1, 240),
        ("event", 1, 120),
        ("lunch", 1, 90),
        ("meeting", 1, 60),
        ("call", 1, 45),
        ("coffee", 1, 30),
    ]


def test_network_stats(network) -> None:
    stats = network_stats(network.people, network.interactions, network.settings, TODAY, 2, 12)
    assert stats.since == dt.date(2025, 12, 1)
    assert (stats.favours.given, stats.favours.received) == (2, 2)
    assert stats.circles == [(1, 2), (2, 3), (3, 2), (4, 1), (5, 0), (None, 1)]
    assert stats.people == 9


def test_durations() -> None:
    assert [duration(m) for m in (0, 45, 60, 90, 125, 1440)] == [
        "0 min",
        "45 min",
        "1 h",
        "1 h 30",
        "2 h 05",
        "24 h",
    ]


def test_stats_command_csv(tmp_path: Path) -> None:
    root = write_network(tmp_path / "kb")
    args = ["--kb", str(root), "stats", "--today", "2026-11-26", "--weeks", "2", "--months", "1"]
    result = CliRunner().invoke(cli, [*args, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "table,key,count,minutes,target_minutes",
        "week,2026-W47,2,285,120",
        "week,2026-W48,2,120,120",
        "month,2026-11,4,405,514",
        "kind,golf,1,240,",
        "kind,lunch,1,90,",
        "kind,call,1,45,",
        "kind,coffee,1,30,",
        "favours,given,1,,",
        "favours,received,1,,",
        "circle,1,2,,",
        "circle,2,3,,",
        "circle,3,2,,",
        "circle,4,1,,",
        "circle,5,0,,",
        "circle,none,1,,",
        "totals,people,9,,",
        "totals,public_people,8,,",
        "totals,organisations,2,,",
        "totals,organisation_files,0,,",
        "totals,interactions,8,,",
        "totals,public_interactions,7,,",
    ]


def test_stats_command_text(tmp_path: Path) -> None:
    root = write_network(tmp_path / "kb")
    args = ["--kb", str(root), "stats", "--today", "2026-11-26", "--weeks", "2", "--months", "1"]
    lines = CliRunner().invoke(cli, args).output.splitlines()
    assert lines[:5] == [
        "Budget: 2 h a week. Time invested up to 2026-11-26:",
        "",
        "WEEK      FROM        TIME    TARGET  SHARE  INTERACTIONS",
        "2026-W47  2026-11-16  4 h 45  2 h     238%              2",
        "2026-W48  2026-11-23  2 h     2 h     100%              2",
    ]
    assert "Favours: 1 given, 1 received (balance +0)" in lines
    assert lines[-2:] == [
        "People: 9; by circle: 1: 2, 2: 3, 3: 2, 4: 1, 5: 0, none: 1",
        "Totals: 9 people (8 public), 2 organisations (0 files), "
        "8 interactions (7 with a public person)",
    ]
