"""The retention check (``extra.netkb.retention``): people untouched for too long."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from helpers_import import git, make_kb, run

from netkb.core.records import Cadence
from netkb.load.loader import load
from netkb.load.settings import read_settings
from netkb.network.retention import retention_warnings

RETENTION = "site_name: Test network\nextra:\n  netkb:\n    owner: Test Owner\n    retention: 3y\n"
OLD = "---\nname: Olga Old\n---\n"
MET = "---\nname: Mia Met\n---\n"
EDITED = "---\nname: Ed Edited\n---\n"
LOG = "---\ndate: 2025-06-01\nwith: [mia-met]\n---\n"


def kb_in_git(tmp_path: Path, config: str = RETENTION) -> Path:
    """Olga and Mia committed in 2020, Ed edited in 2025, Mia met in 2025."""
    root = make_kb(tmp_path / "kb", {"contacts/olga-old.md": OLD, "contacts/mia-met.md": MET})
    (root / "contacts/ed-edited.md").write_text(EDITED, encoding="utf-8")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "start", date="2020-01-05")
    (root / "contacts/ed-edited.md").write_text(EDITED + "Now at Acme.\n", encoding="utf-8")
    (root / "log").mkdir()
    (root / "log/2025-06-01.md").write_text(LOG, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "news", date="2025-03-01")
    return root


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETKB_TODAY", "2026-11-26")


def test_check_warns_at_the_file_of_whoever_is_untouched_for_longer_than_the_period(
    tmp_path: Path,
) -> None:
    root = kb_in_git(tmp_path)
    result = run(root, "check")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:-1] == [
        f"{root}/contacts/olga-old.md:1:1: warning NK173: olga-old: no interaction and no "
        "edit since 2020-01-05, longer than the retention period (3y); review what you keep, "
        "or run netkb forget olga-old"
    ]
    assert run(root, "check", "--strict").exit_code == 1


def test_the_day_counts_exactly_the_period(tmp_path: Path) -> None:
    root = kb_in_git(tmp_path)
    network = load(root)
    # 2020-01-05 + 3 years = 2023-01-05: on that day still kept, the day after too old.
    assert retention_warnings(network, dt.date(2023, 1, 5)) == []
    late = retention_warnings(network, dt.date(2023, 1, 6))
    assert [p.path.name for p in late] == ["mia-met.md", "olga-old.md"]  # Mia met in 2025 only


def test_no_setting_no_warning(tmp_path: Path) -> None:
    config = "site_name: Test network\n"
    root = kb_in_git(tmp_path, config)
    assert retention_warnings(load(root)) == []
    assert run(root, "check", "--strict").exit_code == 0


def test_a_file_git_does_not_know_counts_from_its_modification_time(tmp_path: Path) -> None:
    root = kb_in_git(tmp_path)
    new = root / "contacts/nina-new.md"
    new.write_text("---\nname: Nina New\n---\n", encoding="utf-8")
    assert [p.path.name for p in retention_warnings(load(root))] == ["olga-old.md"]
    old = dt.datetime(2019, 5, 1, 12).timestamp()
    os.utime(new, (old, old))
    found = {p.path.name: p.message for p in retention_warnings(load(root))}
    assert "since 2019-05-01" in found["nina-new.md"]


def test_a_last_contact_field_counts_as_an_interaction(tmp_path: Path) -> None:
    root = kb_in_git(tmp_path)
    (root / "contacts/olga-old.md").write_text(
        "---\nname: Olga Old\nlast_contact: 2024-12-01\n---\n", encoding="utf-8"
    )
    git(root, "commit", "--quiet", "-am", "olga", date="2020-02-01")
    assert retention_warnings(load(root)) == []


@pytest.mark.parametrize(
    ("written", "expected"),
    [("3y", Cadence(3, "y")), ("18m", Cadence(18, "m")), ("26W", Cadence(26, "w"))],
)
def test_the_setting_reads_an_interval(tmp_path: Path, written: str, expected: Cadence) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"extra:\n  netkb:\n    retention: {written}\n", encoding="utf-8")
    settings, problems = read_settings(config)
    assert problems == []
    assert settings.retention == expected


@pytest.mark.parametrize("written", ["forever", "3", "0y", "1000y", "[3y]", "36"])
def test_a_bad_period_is_a_located_error(tmp_path: Path, written: str) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"site_name: x\nextra:\n  netkb:\n    retention: {written}\n")
    settings, problems = read_settings(config)
    assert settings.retention is None
    assert [p.format(tmp_path) for p in problems] == [
        "mkdocs.yml:4:1: error NK160: retention must be a period such as 3y, 18m or 26w"
    ]
