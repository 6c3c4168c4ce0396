"""``netkb log``: a new log entry, written atomically, never over another file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner
from network_kb import write_network

from netkb.cli import cli
from netkb.load.loader import load


def log(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--kb", str(root), "log", *args])


def test_writes_an_entry_that_loads_cleanly(tmp_path: Path, monkeypatch) -> None:
    root = write_network(tmp_path / "kb")
    monkeypatch.chdir(root)
    result = log(
        root,
        "ana-lee",
        "Bob-Stone",  # slugs compare ignoring case; the file gets the real one
        "--kind",
        "Lunch",
        "--minutes",
        "90",
        "--favor",
        "given",
        "--date",
        "2026-10-02",
        "-m",
        "Talked: NO to the 'Berlin' office",
    )
    assert result.exit_code == 0, result.output
    assert result.output == "log/2026/2026-10-02-lunch-ana-lee.md\n"
    path = root / "log/2026/2026-10-02-lunch-ana-lee.md"
    assert path.read_text(encoding="utf-8") == (
        "---\n"
        "date: 2026-10-02\n"
        "with: [ana-lee, bob-stone]\n"
        "kind: lunch\n"
        "minutes: 90\n"
        "favor: given\n"
        "summary: 'Talked: NO to the ''Berlin'' office'\n"
        "---\n"
        "\n"
    )
    network = load(root)
    assert network.problems == ()
    entry = next(i for i in network.interactions if i.source.path == path)
    assert (entry.date, entry.with_, entry.kind, entry.minutes, entry.favor, entry.summary) == (
        dt.date(2026, 10, 2),
        ("ana-lee", "bob-stone"),
        "lunch",
        90,
        "given",
        "Talked: NO to the 'Berlin' office",
    )


def test_never_overwrites_and_defaults_to_today(tmp_path: Path, monkeypatch) -> None:
    root = write_network(tmp_path / "kb")
    monkeypatch.chdir(root)
    taken = root / "log/2026/2026-11-26-call-fay-wu.md"
    taken.write_text("my own notes, not a log entry netkb wrote\n", encoding="utf-8")
    first = log(root, "fay-wu", "--kind", "call", "--today", "2026-11-26")
    second = log(root, "fay-wu", "--kind", "call", "--today", "2026-11-26")
    # The file without front matter is an error, noted on stderr; it is never replaced.
    assert "note: 1 error in the knowledge base" in first.stderr
    assert first.stdout == "log/2026/2026-11-26-call-fay-wu-2.md\n"
    assert second.stdout == "log/2026/2026-11-26-call-fay-wu-3.md\n"
    assert taken.read_text(encoding="utf-8") == "my own notes, not a log entry netkb wrote\n"
    assert (root / "log/2026/2026-11-26-call-fay-wu-3.md").read_text(encoding="utf-8") == (
        "---\ndate: 2026-11-26\nwith: [fay-wu]\nkind: call\n---\n\n"
    )


def test_unknown_slug_is_a_usage_error_with_a_suggestion(tmp_path: Path) -> None:
    root = write_network(tmp_path / "kb")
    before = sorted((root / "log").rglob("*.md"))
    result = log(root, "ana-lee", "bob-stnoe", "--kind", "lunch")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: Invalid value for PEOPLE: no person has the slug 'bob-stnoe'; "
        "did you mean 'bob-stone'?"
    )
    assert sorted((root / "log").rglob("*.md")) == before


def test_a_name_is_accepted_for_a_slug(tmp_path: Path, monkeypatch) -> None:
    root = write_network(tmp_path / "kb")
    monkeypatch.chdir(root)
    result = log(root, "Cleo Park", "--date", "2026-11-25", "--kind", "coffee")
    assert result.output == "log/2026/2026-11-25-coffee-cleo-park.md\n"


def test_bad_values_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    root = write_network(tmp_path / "kb")
    before = sorted((root / "log").rglob("*.md"))
    refusals = {
        "--minutes=-5": "Invalid value for '--minutes': minutes -5 is out of range; "
        "one interaction takes 0 to 1440 minutes (a day)",
        "--favor=owed": "Invalid value for '--favor': 'owed' is not one of 'given', 'received'.",
        "--date=2026-02-30": "Invalid value for '--date': "
        "'2026-02-30' does not match the format '%Y-%m-%d'.",
    }
    for option, message in refusals.items():
        result = log(root, "ana-lee", option)
        assert (result.exit_code, result.output.splitlines()[-1]) == (2, f"Error: {message}")
    assert sorted((root / "log").rglob("*.md")) == before
