"""``netkb new``: the essay's fields, one duplicate rule, --distinct and --commit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers_import import GIT_ENV, git, git_repo, make_kb, run

from netkb.cli import cli

JANE = "---\nname: Jane Doe\norganization: Acme\n---\n"


def test_new_writes_every_field_of_the_essay_in_the_contract_order(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", {"contacts/john-smith.md": "---\nname: John Smith\n---\n"})
    result = run(
        root, "new", "Zoë Müller", "--org", "Globex", "--role", "CTO", "--circle", "2",
        "--expertise", "hiring", "--expertise", "machine learning", "--interest", "sailing",
        "--quality", "generous", "--cadence", "30d", "--decision-maker", "--met", "2019-06-29",
        "--met-at", "PyCon Berlin", "--introduced-by", "John Smith", "--tag", "golf",

    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.endswith("contacts/zoe-muller.md\n")
    assert (root / "contacts/zoe-muller.md").read_text() == (
        "---\n"
        "name: Zoë Müller\n"
        "organization: Globex\n"
        "role: CTO\n"
        "tags: [golf]\n"
        "expertise: [hiring, machine learning]\n"
        "interests: [sailing]\n"
        "qualities: [generous]\n"
        "circle: 2\n"
        "decision_maker: true\n"
        "met: 2019-06-29\n"
        "met_at: PyCon Berlin\n"
        "introduced_by: john-smith\n"
        "cadence: 30d\n"
        "---\n"
    )
    assert run(root, "check").exit_code == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--circle", "7"],
            "Error: Invalid value for --circle: circle must be a whole number from 1 (inner "
            "circle) to 5 (acquaintance), not 7\n",
        ),
        (
            ["--cadence", "3x"],
            "Error: Invalid value for --cadence: cadence '3x' is not an interval; write a "
            "number and a unit: 14d (days), 6w (weeks), 3m (months) or 1y (years)\n",
        ),
        (
            ["--introduced-by", "jane-do"],
            "Error: Invalid value for --introduced-by: no person has the slug 'jane-do'; "
            "did you mean 'jane-doe'?\n",
        ),
    ],
)
def test_new_refuses_what_check_would_refuse(tmp_path: Path, arguments, message) -> None:
    root = make_kb(tmp_path / "kb", {"contacts/jane-doe.md": JANE})
    result = run(root, "new", "Ana Lee", *arguments)
    assert result.exit_code == 2
    assert result.output.endswith(message)
    assert not (root / "contacts/ana-lee.md").exists()


def test_new_of_an_existing_name_refuses_and_shows_both_ways_forward(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", {"contacts/jane-doe.md": JANE})
    result = run(root, "new", "Doe, Jane")
    assert result.exit_code == 1
    assert result.output == (
        "Error: Doe, Jane may already be in your network; nothing was written:\n"
        f"  Jane Doe (jane-doe, {_relative(root / 'contacts/jane-doe.md')}): same name\n"
        f"If it is the same person, edit {_relative(root / 'contacts/jane-doe.md')}.\n"
        "If it is someone else, run the same netkb new with --distinct (the new file gets "
        "distinct_from).\n"
    )
    assert sorted(p.name for p in (root / "contacts").iterdir()) == ["jane-doe.md"]


def test_new_with_the_same_email_is_a_possible_duplicate_too(tmp_path: Path) -> None:
    jane = "---\nname: Jane Doe\nemail: jane@acme.example\n---\n"
    root = make_kb(tmp_path / "kb", {"contacts/jane-doe.md": jane})
    result = run(root, "new", "J. Doe", "--email", "JANE@acme.example")
    assert result.exit_code == 1
    assert "): same email\n" in result.output


def test_distinct_creates_a_second_person_who_check_leaves_alone(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", {"contacts/jane-doe.md": JANE})
    result = run(root, "new", "Jane Doe", "--distinct")
    assert result.exit_code == 0, result.output
    assert (root / "contacts/jane-doe-2.md").read_text() == (
        "---\nname: Jane Doe\ndistinct_from: [jane-doe]\n---\n"
    )
    check = run(root, "check", "--strict")
    assert check.exit_code == 0, check.output


def test_a_namesake_at_another_organisation_is_created_without_asking(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", {"contacts/jane-doe.md": JANE})
    result = run(root, "new", "Jane Doe", "--org", "Globex")
    assert result.exit_code == 0
    assert result.output.endswith("contacts/jane-doe-2.md\n")


def test_on_a_terminal_new_asks_before_writing_a_second_person(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_kb(tmp_path / "kb", {"contacts/jane-doe.md": JANE})
    monkeypatch.setattr("netkb.commands.new._interactive", lambda: True)
    declined = CliRunner().invoke(cli, ["--kb", str(root), "new", "Jane Doe"], input="n\n")
    assert declined.exit_code == 1
    assert "Create a second, different person? [y/N]: n\n" in declined.output
    assert "Error: Nothing was written; edit the existing file" in declined.output
    accepted = CliRunner().invoke(cli, ["--kb", str(root), "new", "Jane Doe"], input="y\n")
    assert accepted.exit_code == 0
    assert "distinct_from: [jane-doe]\n" in (root / "contacts/jane-doe-2.md").read_text()


def test_on_a_terminal_new_offers_the_known_organisation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_kb(tmp_path / "kb", {"contacts/jane-doe.md": JANE})
    monkeypatch.setattr("netkb.commands.new._interactive", lambda: True)
    result = CliRunner().invoke(
        cli, ["--kb", str(root), "new", "Ana Lee", "--org", "Acme Robotics"], input="y\n"
    )
    assert "No one is at 'Acme Robotics' yet. Did you mean 'Acme'? [y/N]: y\n" in result.output
    assert "organization: Acme\n" in (root / "contacts/ana-lee.md").read_text()


def test_commit_commits_exactly_the_new_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)
    root = git_repo(make_kb(tmp_path / "kb", {"contacts/jane-doe.md": JANE}))
    (root / "notes.txt").write_text("not mine\n")
    result = run(root, "new", "Ana Lee", "--commit")
    assert result.exit_code == 0, result.output
    assert git(root, "log", "-1", "--format=%s") == "netkb new: ana-lee\n"
    assert git(root, "show", "--name-only", "--format=", "HEAD").split() == ["contacts/ana-lee.md"]
    assert git(root, "status", "--porcelain") == "?? notes.txt\n"


def test_commit_needs_a_git_repository(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")
    result = run(root, "new", "Ana Lee", "--commit")
    assert result.exit_code == 2
    assert "--commit needs a git repository" in result.output
    assert not (root / "contacts/ana-lee.md").exists()


def _relative(path: Path) -> str:
    return os.path.relpath(path)
