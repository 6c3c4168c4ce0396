"""Progress bars: on a terminal for long work, never in a pipe, never with -q.

``netkb.commands.output.progress`` is the one helper; ``netkb import`` shows it while
it matches and writes more than a few hundred rows.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pexpect
from helpers_import import make_kb, run

from netkb.commands import output
from netkb.commands.output import progress

REPO = Path(__file__).resolve().parent.parent
HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def connections(tmp_path: Path, rows: int) -> Path:
    """A LinkedIn export of ``rows`` people, none of them in the KB yet."""
    lines = [
        f"Person{n},Tester{n},https://www.linkedin.com/in/person-{n},person{n}@mail.example,"
        f"Company {n % 40},Engineer,07 Dec 2025\n"
        for n in range(rows)
    ]
    path = tmp_path / "Connections.csv"
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


# -- the helper ---------------------------------------------------------------------------


def test_a_bar_is_drawn_on_a_terminal_once_the_work_runs_a_while(monkeypatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(output, "PROGRESS_DELAY", 0)
    with progress("Matching \x1b[31mrows", 4) as update:
        for _ in range(4):
            update(1)
    drawn = terminal.getvalue()
    assert "Matching \\x1b[31mrows" in drawn  # the label is shown, not obeyed
    assert "100%" in drawn


def test_short_work_draws_nothing_even_on_a_terminal(monkeypatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(output, "PROGRESS_DELAY", 60)
    with progress("Matching", 4) as update:
        update(4)
    assert terminal.getvalue() == ""


def test_quiet_or_a_pipe_draws_nothing(monkeypatch) -> None:
    monkeypatch.setattr(output, "PROGRESS_DELAY", 0)
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress("Matching", 4, quiet=True) as update:
        update(4)
    pipe = io.StringIO()
    monkeypatch.setattr(sys, "stderr", pipe)
    with progress("Matching", 4) as update:
        update(4)
    assert terminal.getvalue() == pipe.getvalue() == ""


# -- netkb import -------------------------------------------------------------------------


def test_an_import_in_a_pipe_prints_no_bar(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(output, "PROGRESS_DELAY", 0)
    root = make_kb(tmp_path / "kb")
    result = run(root, "import", "linkedin", str(connections(tmp_path, 300)), "--apply")
    assert result.exit_code == 0
    assert result.output.endswith("Imported from Connections.csv: 300 new, 0 updated.\n")
    assert "Matching" not in result.output and "Writing" not in result.output
    assert "%" not in result.output


def spawn_import(root: Path, csv: Path, *options: str) -> pexpect.spawn:
    """The real ``netkb import linkedin`` on a pseudo-terminal."""
    environment = {**os.environ, "NETKB_TODAY": "2026-03-02", "TERM": "xterm"}
    return pexpect.spawn(
        sys.executable,
        ["-m", "netkb", "--kb", str(root), "import", "linkedin", str(csv), "--apply", *options],
        cwd=str(REPO),
        env=environment,
        encoding="utf-8",
        timeout=180,
        dimensions=(40, 120),
    )


def test_a_large_import_on_a_terminal_shows_its_progress(tmp_path) -> None:
    """3,000 rows: matching and writing each run well past PROGRESS_DELAY."""
    root = make_kb(tmp_path / "kb")
    session = spawn_import(root, connections(tmp_path, 3000))
    session.expect(r"Matching\s+\[[#-]*\]\s+\d+%")
    session.expect(r"Writing\s+\[[#-]*\]\s+\d+%")
    session.expect("Imported from Connections.csv: 3,000 new, 0 updated.")
    session.expect(pexpect.EOF)
    session.close()
    assert session.exitstatus == 0
    assert len(list((root / "contacts").glob("*.md"))) == 3000


def test_quiet_silences_the_bar_on_a_terminal(tmp_path) -> None:
    root = make_kb(tmp_path / "kb")
    session = spawn_import(root, connections(tmp_path, 3000), "-q")
    session.expect(pexpect.EOF)
    session.close()
    assert session.exitstatus == 0
    assert "Imported from Connections.csv: 3,000 new, 0 updated." in session.before
    assert "Matching" not in session.before and "Writing" not in session.before


def test_a_build_on_a_terminal_shows_each_stage_and_a_piped_one_does_not(tmp_path) -> None:
    """1,000 generated people: rendering and building both run well past PROGRESS_DELAY
    (at 300, building the pages ended before it on a fast run)."""
    from test_golden_generated import GENERATE

    root = tmp_path / "kb"
    GENERATE.generate(root, people=1000, seed=1)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "netkb", "--kb", str(root), "build", "--clean"],
        cwd=str(REPO),
        env={**os.environ, "TERM": "xterm"},
        encoding="utf-8",
        timeout=300,
        dimensions=(40, 120),
    )
    child.expect("Building pages")
    child.expect(r"Built [\d,]+ pages of [\d,]+ for 1,000 people")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    piped = run(root, "build", "--clean")
    assert piped.exit_code == 0, piped.output
    assert "Building pages" not in piped.output and "%" not in piped.output
