"""The ``netkb`` command through Click's CliRunner: options, exact output, exit codes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from netkb.cli import COMMANDS, cli
from netkb.load.loader import load

JANE = "---\nname: Jane Doe\n---\n"
HAS_GIT = shutil.which("git") is not None


@pytest.fixture
def run(monkeypatch):
    """``run(cwd, *args)`` → the CliRunner result of ``netkb *args`` run in ``cwd``."""

    def invoke(cwd: Path, *args: str):
        monkeypatch.chdir(cwd)
        result = CliRunner().invoke(cli, list(args))
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception
        )
        assert "Traceback" not in result.output
        return result

    return invoke


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (outside .git) with its bytes."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(folder).parts
    }


# --- check -----------------------------------------------------------------------------


def test_check_a_clean_kb_exits_0(make_kb, run):
    root = make_kb({"contacts/jane.md": JANE})
    result = run(root, "check")
    assert (result.exit_code, result.output) == (
        0,
        "1 person, 0 organisations, 0 interactions: 0 errors, 0 warnings\n",
    )


def test_check_prints_located_errors_and_exits_1(make_kb, run):
    root = make_kb({"contacts/jane.md": "---\nname: Jane Doe\ncircle: 7\n---\n"})
    result = run(root, "check")
    assert result.exit_code == 1
    assert result.output == (
        "contacts/jane.md:3:9: error NK124: circle must be a whole number from 1 (inner "
        "circle) to 5 (acquaintance), not 7\n"
        "1 person, 0 organisations, 0 interactions: 1 error, 0 warnings\n"
    )


def test_check_passes_with_warnings_unless_strict(make_kb, run):
    root = make_kb({"contacts/jane.md": JANE + "Met [[nobody]].\n"})
    warning = (
        "contacts/jane.md:4:5: warning NK141: [[nobody]] names no person or organisation; "
        "use a slug, a name or an alias\n"
    )
    relaxed = run(root, "check")
    assert (relaxed.exit_code, relaxed.output.splitlines(keepends=True)[0]) == (0, warning)
    strict = run(root, "check", "--strict")
    assert (strict.exit_code, strict.output) == (
        1,
        warning + "1 person, 0 organisations, 0 interactions: 0 errors, 1 warning\n",
    )


def test_strict_on_a_clean_kb_exits_0(make_kb, run):
    assert run(make_kb({"contacts/jane.md": JANE}), "check", "--strict").exit_code == 0


def test_check_json_is_a_sorted_list_of_problem_objects(make_kb, run):
    root = make_kb(
        {
            "contacts/b.md": "---\nname: B\ncircle: 9\n---\nSee [[nobody]].\n",
            "contacts/a.md": "---\nname: A\nintroduced_by: b\nmet: 2024-02-30\n---\n",
            "log/x.md": "---\ndate: 2026-01-01\nwith: [a, c]\n---\n",
        }
    )
    result = run(root, "check", "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.output)
    assert [list(p) for p in problems] == [
        ["path", "line", "column", "severity", "code", "message"]
    ] * 4
    assert [(p["path"], p["line"], p["column"], p["severity"], p["code"]) for p in problems] == [
        ("contacts/a.md", 4, 6, "error", "NK122"),
        ("contacts/b.md", 3, 9, "error", "NK124"),
        ("contacts/b.md", 5, 5, "warning", "NK141"),
        ("log/x.md", 3, 11, "error", "NK140"),
    ]
    assert problems[0]["message"] == "met 2024-02-30 is not a real calendar date"
    assert run(root, "check", "--format", "json").output == result.output  # stable


def test_check_json_on_a_clean_kb_is_an_empty_list(make_kb, run):
    result = run(make_kb({"contacts/jane.md": JANE}), "check", "--format", "json")
    assert (result.exit_code, json.loads(result.output)) == (0, [])


def test_check_json_keeps_non_ascii_text(make_kb, run):
    root = make_kb({"contacts/zoë.md": "---\nname: Zoë\ncircle: 0\n---\n"})
    result = run(root, "check", "--format", "json")
    assert '"path": "contacts/zoë.md"' in result.output


def test_an_unknown_format_is_a_usage_error(make_kb, run):
    result = run(make_kb(), "check", "--format", "xml")
    assert result.exit_code == 2
    assert (
        "Error: Invalid value for '--format': 'xml' is not one of "
        "'text', 'json', 'github', 'gitlab'."
    ) in result.output


def test_check_without_a_kb_is_a_usage_error(tmp_path, run):
    result = run(tmp_path, "check")
    assert result.exit_code == 2
    assert result.output.endswith(
        f"Error: no knowledge base at or above {tmp_path}: run 'netkb init' to make one, "
        "or pass --kb PATH\n"
    )


def test_kb_that_is_not_a_kb_is_a_usage_error(tmp_path, run):
    result = run(tmp_path, "--kb", str(tmp_path), "check")
    assert result.exit_code == 2
    assert result.output.endswith(
        f"Error: {tmp_path} is not a netkb knowledge base (it needs mkdocs.yml and contacts/)\n"
    )


def test_a_missing_path_is_a_usage_error(make_kb, run):
    result = run(make_kb(), "check", "contacts/nobody.md")
    assert result.exit_code == 2
    assert "Path 'contacts/nobody.md' does not exist." in result.output


@pytest.fixture
def two_teams(make_kb):
    return make_kb(
        {
            "contacts/acme/ana.md": "---\nname: Ana\ncircle: 0\n---\n",
            "contacts/acme/bob.md": "---\nname: Bob\ncadence: weekly\n---\n",
            "contacts/globex/carla.md": "---\nname: Carla\nmet: 2024-13-01\n---\n",
        }
    )


def test_check_path_reports_only_that_folder(two_teams, run):
    result = run(two_teams, "check", "contacts/acme")
    assert result.exit_code == 1
    assert [line.split(": ")[0] for line in result.output.splitlines()[:-1]] == [
        "contacts/acme/ana.md:3:9",
        "contacts/acme/bob.md:3:10",
    ]


def test_check_path_reports_only_that_file(two_teams, run):
    result = run(two_teams, "check", "contacts/globex/carla.md")
    assert result.exit_code == 1
    assert [line.split(": ")[0] for line in result.output.splitlines()[:-1]] == [
        "contacts/globex/carla.md:3:6"
    ]


def test_check_path_exits_0_when_that_part_is_clean(make_kb, run):
    root = make_kb({"contacts/ok/jane.md": JANE, "contacts/bad/bob.md": "---\ncircle: 1\n---\n"})
    assert run(root, "check", "contacts/ok").exit_code == 0
    assert run(root, "check").exit_code == 1


def test_check_finds_the_kb_from_a_subfolder_and_prints_paths_from_there(two_teams, run):
    result = run(two_teams / "contacts" / "acme", "check")
    assert result.exit_code == 1
    assert [line.split(": ")[0] for line in result.output.splitlines()[:-1]] == [
        "ana.md:3:9",
        "bob.md:3:10",
        f"{two_teams.resolve()}/contacts/globex/carla.md:3:6",  # not under the cwd: absolute
    ]


def test_check_with_kb_works_from_anywhere(two_teams, tmp_path, run):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run(elsewhere, "--kb", str(two_teams), "check", "--format", "json")
    assert result.exit_code == 1
    assert [p["path"] for p in json.loads(result.output)] == [
        str(two_teams.resolve() / name)
        for name in ("contacts/acme/ana.md", "contacts/acme/bob.md", "contacts/globex/carla.md")
    ]


# --- init ------------------------------------------------------------------------------


def test_init_creates_a_kb_that_passes_check(tmp_path, run):
    folder = tmp_path / "network"
    result = run(tmp_path, "init", "network", "--owner", "Pablo Valle")
    assert result.exit_code == 0
    assert result.output == (
        "Created a knowledge base in network\n"
        'Next: netkb new "Jane Doe" --org Acme, then netkb check\n'
        "Every field netkb knows: netkb fields\n"
    )
    for name in ("contacts", "log", "orgs", "templates"):
        assert (folder / name).is_dir()
    assert (folder / "templates/README.md").is_file()
    config = yaml.safe_load((folder / "mkdocs.yml").read_text())
    assert config["theme"]["font"] is False
    assert config["extra"]["generator"] is False
    assert config["extra"]["netkb"]["owner"] == "Pablo Valle"
    ignored = (folder / ".gitignore").read_text().splitlines()
    assert "/site/" in ignored and "/.netkb/" in ignored
    checked = run(folder, "check", "--strict")
    assert (checked.exit_code, checked.output) == (
        0,
        "0 people, 0 organisations, 0 interactions: 0 errors, 0 warnings\n",
    )


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
def test_init_makes_a_git_repository_that_ignores_the_build(tmp_path, run):
    assert run(tmp_path, "init", "kb", "--owner", "Me").exit_code == 0
    folder = tmp_path / "kb"
    assert (folder / ".git").is_dir()
    ignored = subprocess.run(
        ["git", "-C", str(folder), "check-ignore", "site/index.html", ".netkb/docs/people.md"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ignored.stdout.splitlines() == ["site/index.html", ".netkb/docs/people.md"]
    kept = subprocess.run(
        ["git", "-C", str(folder), "check-ignore", "contacts/jane.md", "mkdocs.yml"],
        capture_output=True,
        check=False,
    )
    assert kept.returncode == 1  # nothing of the user's is ignored


def test_init_keeps_an_owner_with_quotes_and_colons_exactly(tmp_path, run):
    owner = 'Pablo "PV" Valle: #1 \\ Zoë'
    assert run(tmp_path, "init", "kb", "--owner", owner).exit_code == 0
    settings = load(tmp_path / "kb").settings
    assert (settings.owner, settings.site_name) == (owner, f"{owner}'s network")


def test_init_refuses_to_overwrite_and_changes_nothing(tmp_path, run):
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "mkdocs.yml").write_text("site_name: mine\n# my careful comments\n")
    (folder / "notes.md").write_bytes(b"keep me\r\n")
    before = snapshot(folder)
    result = run(tmp_path, "init", "kb", "--owner", "Me")
    assert result.exit_code == 1
    assert result.output == "Error: refusing to overwrite what exists: kb/mkdocs.yml\n"
    assert snapshot(folder) == before
    assert sorted(p.name for p in folder.iterdir()) == ["mkdocs.yml", "notes.md"]


def test_init_twice_changes_nothing_the_second_time(tmp_path, run):
    assert run(tmp_path, "init", "kb", "--owner", "Me").exit_code == 0
    (tmp_path / "kb/contacts/jane.md").write_text(JANE)
    before = snapshot(tmp_path / "kb")
    again = run(tmp_path, "init", "kb", "--owner", "Someone else")
    assert again.exit_code == 1
    assert again.output.startswith("Error: refusing to overwrite what exists: ")
    assert snapshot(tmp_path / "kb") == before


def test_init_in_the_current_folder(tmp_path, run):
    assert run(tmp_path, "init", "--owner", "Me").exit_code == 0
    assert (tmp_path / "mkdocs.yml").is_file()
    assert run(tmp_path, "check").exit_code == 0


# --- new -------------------------------------------------------------------------------


def test_new_makes_an_ascii_slug_from_the_name(make_kb, run):
    root = make_kb()
    result = run(root, "new", "Zoë Müller")
    assert (result.exit_code, result.output) == (0, "contacts/zoe-muller.md\n")
    assert (root / "contacts/zoe-muller.md").read_text() == "---\nname: Zoë Müller\n---\n"
    assert load(root).people["zoe-muller"].name == "Zoë Müller"


def test_new_never_overwrites_and_numbers_the_next_one(make_kb, run):
    root = make_kb({"contacts/zoe-muller.md": "---\nname: Zoë Müller  # the first one\n---\n"})
    before = (root / "contacts/zoe-muller.md").read_bytes()
    # The same name is refused without --distinct (tests/test_new_command.py).
    second = run(root, "new", "Zoë Müller", "--distinct")
    third = run(root, "new", "Zoe Muller", "--distinct")
    assert (second.exit_code, second.output) == (0, "contacts/zoe-muller-2.md\n")
    assert (third.exit_code, third.output) == (0, "contacts/zoe-muller-3.md\n")
    assert (root / "contacts/zoe-muller.md").read_bytes() == before


def test_new_avoids_slugs_taken_in_other_folders_and_cases(make_kb, run):
    root = make_kb({"contacts/team/Zoe-Muller.md": "---\nname: Zoë\n---\n"})
    result = run(root, "new", "Zoë Müller")
    assert result.output == "contacts/zoe-muller-2.md\n"
    assert run(root, "check").exit_code == 0


def test_new_writes_phone_numbers_and_tags_as_text(make_kb, run):
    root = make_kb()
    result = run(
        root,
        "new",
        "Jane Doe",
        "--phone", "+49 30 1234",
        "--phone", "+4930123",
        "--tag", "NO",
        "--tag", "01234",
        "--tag", "yes",
        "--email", "jane@acme.example",
        "--org", "Acme: Berlin",
        "--role", "CTO # really",
        "--circle", "2",
        "--met", "2024-02-29",
    )  # fmt: skip
    assert result.exit_code == 0
    assert run(root, "check", "--strict").exit_code == 0
    jane = load(root).people["jane-doe"]
    assert jane.phone == ("+49 30 1234", "+4930123")
    assert jane.tags == ("NO", "01234", "yes")
    assert (jane.organization, jane.role) == ("Acme: Berlin", "CTO # really")
    assert (jane.email, jane.circle, str(jane.met)) == (("jane@acme.example",), 2, "2024-02-29")


def test_new_with_a_known_introducer(make_kb, run):
    root = make_kb({"contacts/john-smith.md": "---\nname: John Smith\n---\n"})
    result = run(root, "new", "Jane Doe", "--introduced-by", "john-smith")
    assert result.exit_code == 0
    assert load(root).people["jane-doe"].introduced_by == "john-smith"
    assert run(root, "check", "--strict").exit_code == 0


def test_new_with_an_unknown_introducer_is_a_usage_error_and_writes_nothing(make_kb, run):
    root = make_kb({"contacts/john-smith.md": "---\nname: John Smith\n---\n"})
    before = snapshot(root)
    result = run(root, "new", "Jane Doe", "--introduced-by", "jon-smith")
    assert result.exit_code == 2
    assert result.output.endswith(
        "Error: Invalid value for --introduced-by: no person has the slug 'jon-smith'; "
        "did you mean 'john-smith'?\n"
    )
    assert snapshot(root) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["  "], "Error: Invalid value for NAME: a name is required"),
        (["Jane", "--circle", "6"], "Error: Invalid value for --circle: circle must be a whole"),
        (["Jane", "--met", "2024-02-30"], "Error: Invalid value for '--met': '2024-02-30' does"),
    ],
)
def test_new_refuses_bad_values_as_usage_errors(make_kb, run, args, message):
    root = make_kb()
    before = snapshot(root)
    result = run(root, "new", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert snapshot(root) == before


def test_new_in_a_subfolder_of_contacts(make_kb, run):
    root = make_kb()
    result = run(root, "new", "Jane Doe", "--folder", "acme/berlin")
    assert result.output == "contacts/acme/berlin/jane-doe.md\n"


def test_new_refuses_a_folder_outside_contacts(make_kb, run):
    root = make_kb()
    result = run(root, "new", "Jane Doe", "--folder", "../log")
    assert result.exit_code == 1
    assert result.output == "Error: ../log is not a folder inside contacts/\n"
    assert not (root / "log").exists()


def test_new_with_kb_from_elsewhere_prints_the_path_from_the_cwd(make_kb, tmp_path, run):
    root = make_kb()
    result = run(tmp_path, "--kb", str(root), "new", "Jane Doe")
    assert (result.exit_code, result.output) == (0, "kb/contacts/jane-doe.md\n")


def test_new_finds_the_kb_from_a_subfolder(make_kb, run):
    root = make_kb({"contacts/acme/ana.md": "---\nname: Ana\n---\n"})
    result = run(root / "contacts" / "acme", "new", "Jane Doe")
    assert (result.exit_code, result.output) == (0, "../jane-doe.md\n")
    assert (root / "contacts/jane-doe.md").is_file()


def test_new_without_a_kb_is_a_usage_error(tmp_path, run):
    result = run(tmp_path, "new", "Jane Doe")
    assert result.exit_code == 2
    assert "Error: no knowledge base at or above" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("O'Brien: #1 [CEO]", "contacts/o-brien-1-ceo.md"),
        ("NO", "contacts/no.md"),
        ("!!!", "contacts/person.md"),
        ("李小龍", "contacts/li-xiao-long.md"),
        ("A" * 200, "contacts/" + "a" * 80 + ".md"),
    ],
)
def test_new_handles_any_name(make_kb, run, name, path):
    root = make_kb()
    result = run(root, "new", name)
    assert (result.exit_code, result.output) == (0, path + "\n")
    (person,) = load(root).people.values()
    assert person.name == name


# --- help ------------------------------------------------------------------------------


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example: netkb " + command in result.output
    assert isinstance(cli.get_command(click.Context(cli), command), click.Command)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_is_shown_in_the_readme(command):
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"$ netkb {command}" in readme, f"README.md has no example of 'netkb {command}'"


def test_the_readme_opens_with_the_two_commands_ci_runs():
    top = Path(__file__).parent.parent
    readme = (top / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```sh\n(.+?)\n```", readme)
    assert len(commands) >= 2 and "netkb serve" in commands[0] and "pytest" in commands[1]
    ci = (top / ".ci/run").read_text(encoding="utf-8")
    assert commands[1] in ci.splitlines()  # verbatim
