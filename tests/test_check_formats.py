"""``netkb check --format github|gitlab``: problems as CI services annotate them.

GitHub's syntax (docs.github.com, "Workflow commands for GitHub Actions"):
``::error file={name},line={line},col={col},title={title}::{message}``; the toolkit
escapes a message's ``%``, CR and LF as ``%25``, ``%0D``, ``%0A`` and a property's also
``:`` and ``,`` as ``%3A`` and ``%2C``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from netkb.cli import cli
from netkb.core.annotations import escape_data, escape_property, github_command, gitlab_report
from netkb.core.problems import Problem, Severity, error, warning

JANE = "---\nname: Jane Doe\n---\n"
# A log file whose name and values try to end the command and start another.
HOSTILE_NAME = "we,ird:%0A.md"
HOSTILE_LOG = '---\ndate: 2026-01-02\nwith: [jane-deo, "x%0A::error::injected"]\n---\n'


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding a KB in its subfolder kb/."""
    root = tmp_path / "repo"
    kb = root / "kb"
    (kb / "contacts").mkdir(parents=True)
    (kb / "log").mkdir()
    (kb / "mkdocs.yml").write_text("site_name: T\n", encoding="utf-8")
    (kb / "contacts" / "jane-doe.md").write_text(JANE, encoding="utf-8")
    (kb / "log" / HOSTILE_NAME).write_text(HOSTILE_LOG, encoding="utf-8")
    subprocess.run(["git", "init", "--quiet", str(root)], check=True)
    return root


def check(kb: Path, *args: str):
    return CliRunner().invoke(cli, ["--kb", str(kb), "check", *args])


def test_escaping_is_githubs():
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_data("a:b,c") == "a:b,c"  # a message keeps ':' and ','
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert escape_data("%0A") == "%250A"  # an escape typed by the user stays text


def test_github_commands_annotate_each_line_and_cannot_be_forged(repo):
    result = check(repo / "kb", "--format", "github")

    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "::error file=kb/log/we%2Cird%3A%250A.md,line=3,col=8,title=NK140::"
        "with: no person has the slug 'jane-deo'; did you mean 'jane-doe'?",
        "::error file=kb/log/we%2Cird%3A%250A.md,line=3,col=18,title=NK140::"
        "with: no person has the slug 'x%250A::error::injected'; "
        "a slug is a file name in contacts/ without .md",
    ]


def test_a_line_break_in_a_file_name_or_message_stays_inside_its_command(tmp_path):
    # Built raw: ``warning()`` would already have spelled the line break out as "\\n".
    problem = Problem(tmp_path / "a\nb.md", 2, 3, "NK136", Severity.WARNING, "one\r\n::error::two")
    assert github_command(problem, tmp_path) == (
        "::warning file=a%0Ab.md,line=2,col=3,title=NK136::one%0D%0A::error::two"
    )


def test_gitlab_code_quality_report(repo):
    first = check(repo / "kb", "--format", "gitlab")
    again = check(repo / "kb", "--format", "gitlab")

    assert first.exit_code == 1
    report = json.loads(first.output)
    assert [(i["check_name"], i["severity"], i["location"]) for i in report] == [
        ("NK140", "major", {"path": "kb/log/we,ird:%0A.md", "lines": {"begin": 3}}),
        ("NK140", "major", {"path": "kb/log/we,ird:%0A.md", "lines": {"begin": 3}}),
    ]
    assert report[0]["description"] == (
        "NK140: with: no person has the slug 'jane-deo'; did you mean 'jane-doe'?"
    )
    fingerprints = [i["fingerprint"] for i in report]
    assert len(set(fingerprints)) == 2
    assert [i["fingerprint"] for i in json.loads(again.output)] == fingerprints  # stable


def test_equal_problems_get_distinct_fingerprints_that_survive_a_moved_line(tmp_path):
    path = tmp_path / "contacts" / "a.md"
    twice = [error(path, 3, 1, "NK140", "same"), error(path, 9, 1, "NK140", "same")]
    moved = [error(path, 4, 1, "NK140", "same"), error(path, 10, 1, "NK140", "same")]
    one, other = gitlab_report(twice, tmp_path), gitlab_report(moved, tmp_path)
    assert one[0]["fingerprint"] != one[1]["fingerprint"]
    assert [i["fingerprint"] for i in one] == [i["fingerprint"] for i in other]
    assert one[0]["location"] == {"path": "contacts/a.md", "lines": {"begin": 3}}
    assert gitlab_report([warning(path, 1, 1, "NK136", "x")])[0]["severity"] == "minor"


def test_a_clean_kb_prints_nothing_and_passes(repo):
    (repo / "kb" / "log" / HOSTILE_NAME).unlink()
    github = check(repo / "kb", "--format", "github")
    gitlab = check(repo / "kb", "--format", "gitlab")
    assert (github.exit_code, github.output) == (0, "")
    assert (gitlab.exit_code, json.loads(gitlab.output)) == (0, [])


def test_json_output_writes_control_and_bidi_characters_as_escapes(tmp_path):
    kb = tmp_path / "kb"
    (kb / "contacts").mkdir(parents=True)
    (kb / "mkdocs.yml").write_text("site_name: T\n", encoding="utf-8")
    # A received file whose name carries a C1 control and a right-to-left override.
    name = "jane\u009b31m\u202eevil.md"
    (kb / "contacts" / name).write_text("---\nrole: no name\n---\n", encoding="utf-8")
    result = check(kb, "--format", "json")
    assert result.exit_code == 1
    assert "\u009b" not in result.output and "\u202e" not in result.output
    assert "\\u009b" in result.output and "\\u202e" in result.output
    paths = [p["path"] for p in json.loads(result.output)]
    assert any(path.endswith(name) for path in paths)  # the same text, for any JSON reader
