"""The README's examples are run, and what they print must be what the README shows.

Each ```console block of README.md is a piece of one terminal session: ``$ netkb …``
lines are commands (``$ cd`` and ``$ cat`` too), the lines below one are its output.
A line that is only ``…`` stands for one or more lines left out. The session runs in a
temporary home folder that plays /home/pablo, on 2026-11-26 (``NETKB_TODAY``, the day
after the demo's last interaction), with git's identity and dates fixed. What the README
does not show — a file the user wrote, the demo checked out from git, a LinkedIn
export — is set up below, before the block that needs it (``BEFORE``). Timings
(``in 1.3 s``) and commit hashes are scrubbed on both sides.

When this test fails, the README is stale: copy the real output it shows into README.md.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, copy_demo

from netkb.cli import cli

README = REPO / "README.md"
README_HOME = "/home/pablo"  # the home folder the README's outputs show
TODAY = "2026-11-26"
ELISION = "…"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Pablo Valle",
    "GIT_AUTHOR_EMAIL": "pablo@example.org",
    "GIT_COMMITTER_NAME": "Pablo Valle",
    "GIT_COMMITTER_EMAIL": "pablo@example.org",
    "GIT_AUTHOR_DATE": f"{TODAY}T10:00:00+01:00",
    "GIT_COMMITTER_DATE": f"{TODAY}T10:00:00+01:00",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}

# Commands that cannot run in a test, and why. Their README output is not checked.
NOT_RUN = {
    "netkb serve": "serves until Ctrl+C; tests/test_serve.py runs the real server",
    "netkb open --no-browser": "serves until Ctrl+C; tests/test_open.py runs it",
    "netkb triage --where organization=Globex --where circle=any": "reads single key "
    "presses on a terminal; tests/test_triage.py drives it through a pseudo-terminal",
}

# --- what the README's session has that the README does not show ----------------------------

# The file behind the `netkb check` example: three mistakes, at the lines and columns the
# README's error messages point to.
JAN_NOVAK = """\
---
name: Jan Novák
phone: +420123456
met: 2024-02-30
relations:
  colleague: [zoe-muler]
---
"""

# The LinkedIn export behind the `netkb import linkedin` example (LinkedIn's own preamble,
# then one row per connection): a changed job, two people netkb already has as they are, a
# namesake of someone in the demo, a deleted account and a newcomer.
CONNECTIONS_CSV = """\
Notes:
"When exporting your connection data, you may notice that some of the email addresses \
are missing. You will only see email addresses for connections who have allowed their \
connections to see or download their email address using this setting \
https://www.linkedin.com/psettings/privacy/email. You can learn more here \
https://www.linkedin.com/help/linkedin/answer/261"

First Name,Last Name,URL,Email Address,Company,Position,Connected On
Priya,Raman,https://www.linkedin.com/in/priyaraman-pm/,,"Acme Robotics, Inc.",\
"Director of Product, EMEA",27 Feb 2020
Zoe,Muller,,,,,12 Oct 2026
Hannah,Okafor,https://www.linkedin.com/in/hannah-okafor-scout/,,Northlight Ventures,Scout,\
03 Nov 2026
,,https://www.linkedin.com/in/deleted,,,,01 Jan 2020
Lukas,Brenner,,,,,14 Nov 2026
Aylin,Demir,,,Globex,Head of Sales,03 Sep 2019
"""


@dataclass
class Session:
    """A terminal: a home folder, a current folder, and the commands run so far."""

    home: Path
    cwd: Path

    def path(self, text: str) -> Path:
        """``text`` as the shell would read it: ``~`` is the home folder, else from cwd."""
        if text == "~" or text.startswith("~/"):
            return self.home / text[2:]
        return self.cwd / text


def write_jan_novak(session: Session) -> None:
    """The user has written contacts/jan-novak.md by hand, with three mistakes."""
    (session.home / "network/contacts/jan-novak.md").write_text(JAN_NOVAK, encoding="utf-8")


def check_out_the_demo(session: Session) -> None:
    """The demo network as a clone of this repository has it: one commit, on 1 November."""
    demo = copy_demo(session.home / "netkb-demo")
    (demo / ".gitignore").write_text("/site/\n/.netkb/\n", encoding="utf-8")
    dated = {**os.environ, **GIT_ENV}
    dated["GIT_AUTHOR_DATE"] = dated["GIT_COMMITTER_DATE"] = "2026-11-01T09:00:00+01:00"
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "Demo network"]):
        subprocess.run(["git", *command], cwd=demo, env=dated, check=True)
    session.cwd = demo


def save_the_linkedin_export(session: Session) -> None:
    """Connections.csv, downloaded from LinkedIn into the current folder."""
    (session.cwd / "Connections.csv").write_text(CONNECTIONS_CSV, encoding="utf-8")


def take_the_sample_calendar(session: Session) -> None:
    """examples/calendar.ics, which a clone of this repository has beside the demo."""
    (session.cwd / "examples").mkdir(exist_ok=True)
    shutil.copy2(REPO / "examples/calendar.ics", session.cwd / "examples/calendar.ics")


# Set up before the block whose first command is the key; other blocks go on where the
# previous one ended.
BEFORE: dict[str, Callable[[Session], None]] = {
    "netkb check": write_jan_novak,
    "netkb build": check_out_the_demo,
    "netkb import linkedin Connections.csv": save_the_linkedin_export,
    "netkb import calendar examples/calendar.ics": take_the_sample_calendar,
}


# --- reading the README ------------------------------------------------------------------------


@dataclass
class Example:
    """``$ command`` at README line ``line``, and the output lines the README shows."""

    line: int
    command: str
    output: list[str] = field(default_factory=list)


def console_blocks(text: str) -> list[list[Example]]:
    """The examples of every ```console block, block by block."""
    blocks: list[list[Example]] = []
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not inside and line.strip() == "```console":
            inside = True
            blocks.append([])
        elif inside and line.strip() == "```":
            inside = False
        elif inside and line.startswith("$ "):
            blocks[-1].append(Example(number, line[2:]))
        elif inside:
            assert blocks[-1], f"README.md:{number}: output before the first $ command"
            blocks[-1][-1].output.append(line)
    assert not inside, "README.md: a ```console block is not closed"
    return blocks


def scrub(text: str) -> str:
    """What differs from run to run: timings and commit hashes."""
    text = re.sub(r"\bin \d+(?:\.\d+)? s\b", "in <time> s", text)
    return re.sub(r"\bCommitted [0-9a-f]{7,40}\b", "Committed <commit>", text)


def matches(shown: list[str], actual: str) -> bool:
    """Whether ``actual`` is what the README shows, a line of ``…`` being ≥ 1 lines."""
    pattern = "".join(
        r"(?:[^\n]*\n)+" if line == ELISION else re.escape(scrub(line) + "\n") for line in shown
    )
    return re.fullmatch(pattern, scrub(actual)) is not None


# --- running it --------------------------------------------------------------------------------


def run(session: Session, command: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """What ``command`` prints in ``session``, paths under the home shown as the README's."""
    words = shlex.split(command)
    if words[0] == "cd":
        session.cwd = session.path(words[1])
        return ""
    if words[0] == "cat":
        return session.path(words[1]).read_text(encoding="utf-8")
    assert words[0] == "netkb", f"test_readme.py does not know how to run {command!r}"
    args = [str(session.path(w)) if w.startswith("~") else w for w in words[1:]]
    monkeypatch.chdir(session.cwd)
    result = CliRunner().invoke(cli, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"$ {command} crashed: {result.exception!r}\n{result.output}")
    return result.output.replace(str(session.home), README_HOME)


def mismatch(example: Example, actual: str) -> str:
    diff = difflib.unified_diff(
        example.output, actual.splitlines(), "README.md", "actual output", lineterm=""
    )
    return f"README.md:{example.line}: $ {example.command}\n" + "\n".join(diff)


def test_the_readme_examples_print_what_the_readme_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "pablo"
    home.mkdir()
    for name, value in {**GIT_ENV, "HOME": str(home), "NETKB_TODAY": TODAY}.items():
        monkeypatch.setenv(name, value)
    session = Session(home=home, cwd=home)
    blocks = console_blocks(README.read_text(encoding="utf-8"))
    stale = []
    for block in blocks:
        if block[0].command in BEFORE:
            BEFORE[block[0].command](session)
        for example in block:
            if example.command in NOT_RUN:
                continue
            actual = run(session, example.command, monkeypatch)
            if not matches(example.output, actual):
                stale.append(mismatch(example, actual))
    assert stale == [], "the README shows outputs netkb no longer prints:\n\n" + "\n\n".join(stale)
    assert (home / "network.vcf").is_file()  # the session went through to the last example


def test_what_is_not_run_or_set_up_is_in_the_readme() -> None:
    """A stale entry in NOT_RUN or BEFORE would silently stop checking something."""
    examples = [e for block in console_blocks(README.read_text(encoding="utf-8")) for e in block]
    commands = {e.command for e in examples}
    assert set(NOT_RUN) - commands == set()
    firsts = {block[0].command for block in console_blocks(README.read_text(encoding="utf-8"))}
    assert set(BEFORE) - firsts == set()


def test_every_command_has_an_example_in_the_readme() -> None:
    """STYLE.md: docs are tested. Every command ``netkb --help`` lists has a ``$ netkb``
    example in a console block of the README."""
    help_text = CliRunner().invoke(cli, ["--help"]).output
    listed = re.findall(r"^  (\w+)  ", help_text.split("Commands:\n", 1)[1], re.MULTILINE)
    assert {"build", "check", "serve"} <= set(listed), help_text  # the listing was read
    examples = [e for block in console_blocks(README.read_text(encoding="utf-8")) for e in block]
    shown = {shlex.split(e.command)[1] for e in examples if e.command.startswith("netkb ")}
    assert sorted(set(listed) - shown) == []


# --- the matching rules themselves --------------------------------------------------------------


def test_the_readme_format_is_read_as_commands_and_their_output() -> None:
    text = "Intro\n```console\n$ netkb due\nDUE  PERSON\n…\n$ cd ~/x\n```\n```sh\n$ ignored\n```\n"
    assert console_blocks(text) == [
        [Example(3, "netkb due", ["DUE  PERSON", "…"]), Example(6, "cd ~/x", [])]
    ]


@pytest.mark.parametrize(
    ("shown", "actual", "expected"),
    [
        (["a", "b"], "a\nb\n", True),
        (["a", "b"], "a\nb\nc\n", False),  # an extra line is a difference
        (["a", "…", "d"], "a\nb\nc\nd\n", True),
        (["a", "…", "d"], "a\nd\n", False),  # … stands for at least one line
        (["a", "…"], "a\nb\n", True),
        (["x: 1 d…"], "x: 1 d…\n", True),  # … inside a line is text
        (["Built 3 pages in 1.3 s"], "Built 3 pages in 0.42 s\n", True),
        (["Built 3 pages in 1.3 s"], "Built 4 pages in 1.3 s\n", False),
        (["Committed 27c0a85: import"], "Committed 9aca8e3: import\n", True),
        ([], "", True),
        ([], "something\n", False),
    ],
)
def test_matching_an_output(shown: list[str], actual: str, expected: bool) -> None:
    assert matches(shown, actual) is expected


def test_the_home_folder_is_shown_as_the_readmes(tmp_path: Path, monkeypatch) -> None:
    session = Session(home=tmp_path, cwd=tmp_path)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    output = run(session, 'netkb init ~/network --owner "Pablo Valle"', monkeypatch)
    assert output.splitlines()[0] == "Created a knowledge base in /home/pablo/network"
    assert (tmp_path / "network/mkdocs.yml").is_file()
