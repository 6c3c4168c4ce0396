"""The CLI's small consistencies: --kb anywhere, $NETKB_KB, $NO_COLOR, check of several
files, --format listing only what a command prints, counts and plurals, and totals
that check, stats and the site agree on."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import copy_demo, write_kb

from netkb.cli import cli
from netkb.commands.output import count, styled
from netkb.core.problems import Problem, Severity
from netkb.serve.live import SiteUpdate

JANE = "---\nname: Jane Doe\n---\n"
BAD = "---\nname: Bad\ncircle: 9\n---\n"
CLEAN_SUMMARY = "1 person, 0 organisations, 0 interactions: 0 errors, 0 warnings\n"


def invoke(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    """``netkb *args`` through CliRunner (in ``cwd`` when given); never a traceback."""
    before = Path.cwd()
    os.chdir(cwd or before)
    try:
        result = CliRunner().invoke(cli, list(args), env=env)
    finally:
        os.chdir(before)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


# --- 1. --kb before or after the subcommand, and $NETKB_KB ---------------------------------


@pytest.fixture
def two_kbs(make_kb, tmp_path: Path) -> tuple[Path, Path]:
    """A clean KB (Jane) and, beside it, a KB with one error (Bad, circle 9)."""
    clean = make_kb({"contacts/jane.md": JANE})
    broken = write_kb(tmp_path / "broken", {"contacts/bad.md": BAD})
    return clean, broken


def test_kb_after_the_subcommand_works(two_kbs, tmp_path: Path) -> None:
    clean, _ = two_kbs
    result = invoke("check", "--kb", str(clean), cwd=tmp_path)
    assert (result.exit_code, result.output) == (0, CLEAN_SUMMARY)


def test_kb_before_the_subcommand_still_works(two_kbs, tmp_path: Path) -> None:
    clean, _ = two_kbs
    result = invoke("--kb", str(clean), "check", cwd=tmp_path)
    assert (result.exit_code, result.output) == (0, CLEAN_SUMMARY)


def test_netkb_kb_names_the_kb(two_kbs, tmp_path: Path) -> None:
    clean, _ = two_kbs
    result = invoke("check", env={"NETKB_KB": str(clean)}, cwd=tmp_path)
    assert (result.exit_code, result.output) == (0, CLEAN_SUMMARY)


def test_kb_after_beats_kb_before_beats_the_environment(two_kbs, tmp_path: Path) -> None:
    clean, broken = two_kbs
    env = {"NETKB_KB": str(broken)}
    after = invoke("--kb", str(broken), "check", "--kb", str(clean), env=env, cwd=tmp_path)
    assert (after.exit_code, after.output) == (0, CLEAN_SUMMARY)
    before = invoke("--kb", str(clean), "check", env=env, cwd=tmp_path)
    assert (before.exit_code, before.output) == (0, CLEAN_SUMMARY)
    from_env = invoke("check", env=env, cwd=clean)  # $NETKB_KB beats the search from the cwd
    assert from_env.exit_code == 1
    assert from_env.output.endswith("1 error, 0 warnings\n")


def test_kb_after_the_subcommand_that_is_no_kb_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("stats", "--kb", str(tmp_path), cwd=tmp_path)
    assert result.exit_code == 2
    assert f"{tmp_path} is not a netkb knowledge base" in result.output


@pytest.mark.parametrize(
    "command", ["build", "check", "due", "export", "find", "log", "show", "stats", "triage"]
)
def test_every_kb_command_lists_kb_and_its_precedence(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "--kb DIRECTORY" in result.output
    assert "$NETKB_KB" in " ".join(result.output.split())


def test_the_group_help_names_the_environment_variable() -> None:
    result = invoke("--help")
    assert "[env var: NETKB_KB]" in " ".join(result.output.split())


# --- 2. NO_COLOR -----------------------------------------------------------------------------


def test_styled_is_plain_under_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert styled("error NK100", fg="red", bold=True) == "error NK100"


def test_styled_colours_without_no_color_or_with_an_empty_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert styled("x", fg="red") == "\x1b[31mx\x1b[0m"
    monkeypatch.setenv("NO_COLOR", "")  # no-color.org: only a non-empty value counts
    assert styled("x", fg="red") == "\x1b[31mx\x1b[0m"


def test_check_writes_no_colour_under_no_color_even_when_asked_for_colour(make_kb) -> None:
    root = make_kb({"contacts/bad.md": BAD})
    # color=True: as on a terminal, where click would keep the styles
    coloured = CliRunner().invoke(cli, ["--kb", str(root), "check"], color=True)
    assert "\x1b[" in coloured.output
    plain = CliRunner().invoke(cli, ["--kb", str(root), "check"], color=True, env={"NO_COLOR": "1"})
    assert "\x1b[" not in plain.output
    assert "contacts/bad.md:3:9: error NK" in plain.output


def test_no_command_styles_text_outside_the_shared_rule() -> None:
    commands = Path(__file__).resolve().parent.parent / "netkb" / "commands"
    raw = [
        f"{path.name}:{number}"
        for path in sorted(commands.glob("*.py"))
        if path.name != "output.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"click\.(style|secho)\(|color=", line)
    ]
    assert raw == []


# --- 3. check with several paths -------------------------------------------------------------


@pytest.fixture
def team(make_kb) -> Path:
    return make_kb(
        {
            "contacts/ana.md": "---\nname: Ana\ncircle: 0\n---\n",
            "contacts/bob.md": "---\nname: Bob\nmet: 2024-13-01\n---\n",
            "contacts/carla.md": "---\nname: Carla\ncadence: weekly\n---\n",
        }
    )


def located(output: str) -> list[str]:
    return [line.split(": ")[0] for line in output.splitlines()[:-1]]


def test_check_of_two_files_reports_those_two(team: Path) -> None:
    result = invoke("check", "contacts/ana.md", "contacts/carla.md", cwd=team)
    assert result.exit_code == 1
    assert located(result.output) == ["contacts/ana.md:3:9", "contacts/carla.md:3:10"]
    assert result.output.splitlines()[-1] == (
        "3 people, 0 organisations, 0 interactions: 2 errors, 0 warnings"
    )


def test_check_of_a_file_reports_problems_elsewhere_that_name_it(make_kb) -> None:
    # Two files with the same e-mail: the warning is at one of them and names the other.
    root = make_kb(
        {
            "contacts/ana-lee.md": "---\nname: Ana Lee\nemail: ana@x.example\n---\n",
            "contacts/ana-lee-2.md": "---\nname: Ana Lee\nemail: ana@x.example\n---\n",
            "contacts/zoe.md": JANE,
        }
    )
    everything = invoke("check", cwd=root)
    assert everything.exit_code == 0
    lines = everything.output.splitlines()[:-1]
    assert lines  # the duplicate warning
    about_ana2 = invoke("check", "contacts/ana-lee-2.md", cwd=root)
    assert about_ana2.output.splitlines()[:-1] == lines
    about_zoe = invoke("check", "contacts/zoe.md", cwd=root)
    assert about_zoe.output.splitlines()[:-1] == []


def test_check_with_no_path_and_with_a_folder_still_work(team: Path) -> None:
    assert len(located(invoke("check", cwd=team).output)) == 3
    assert located(invoke("check", "contacts", cwd=team).output) == [
        "contacts/ana.md:3:9",
        "contacts/bob.md:3:6",
        "contacts/carla.md:3:10",
    ]


def test_check_of_a_file_outside_the_kb_is_a_clear_error(team: Path, tmp_path: Path) -> None:
    stray = tmp_path / "stray.md"
    stray.write_text(JANE, encoding="utf-8")
    result = invoke("check", "contacts/ana.md", str(stray), cwd=team)
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert f"{stray} is in no knowledge base, not in {team.resolve()}" in message


# --- 4. --format lists only what the command prints -----------------------------------------


@pytest.mark.parametrize(
    ("command", "formats"),
    [
        ("show", "[text|json]"),
        ("check", "[text|json|github|gitlab]"),
        ("due", "[text|json|csv]"),
        ("find", "[text|json|csv]"),
        ("path", "[text|json|csv]"),
        ("stats", "[text|json|csv]"),
    ],
)
def test_format_lists_exactly_what_the_command_prints(command: str, formats: str) -> None:
    assert f"--format {formats}" in invoke(command, "--help").output


def test_show_refuses_csv_as_a_choice_it_never_offered(make_kb) -> None:
    root = make_kb({"contacts/jane.md": JANE})
    result = invoke("show", "jane", "--format", "csv", cwd=root)
    assert result.exit_code == 2
    assert "'csv' is not one of 'text', 'json'" in result.output


# --- 5. numbers and plurals ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "singular", "expected"),
    [
        (0, "page", "0 pages"),
        (1, "page", "1 page"),
        (2072, "page", "2,072 pages"),
        (1, "person", "1 person"),
        (2, "person", "2 people"),
        (1, "error", "1 error"),
        (1_000_000, "interaction", "1,000,000 interactions"),
    ],
)
def test_count(number: int, singular: str, expected: str) -> None:
    assert count(number, singular) == expected


def test_serve_says_updated_pages_like_build(capsys: pytest.CaptureFixture[str]) -> None:
    from netkb.commands.serve import _report

    problem = Problem(Path("/kb/contacts/a.md"), 2, 1, "NK100", Severity.ERROR, "bad")
    _report(SiteUpdate([], written={f"p{i}.md" for i in range(2072)}, seconds=1.5), Path("/kb"))
    _report(SiteUpdate([problem], written={"a.md"}, shown=frozenset({problem})), Path("/kb"))
    assert capsys.readouterr().err.splitlines() == [
        "Updated 2,072 pages in 1.50 s",
        "Updated 1 page in 0.00 s, 1 error (pages keep their last good version)",
    ]


SINGULAR_MISTAKE = re.compile(r"(?<![\d,.])1 (?!d\b|h\b|min\b)[a-z]+s\b")
# A run of 4+ digits not part of a date, a number with separators, a slug or a path.
UNFORMATTED = re.compile(r"(?<![\d,.\-:/\w])\d{4,}(?![\d,\-:/\w])")


def write_people(root: Path, people: int, interactions: int) -> Path:
    """A KB of ``people`` contacts at three employers and ``interactions`` lunches."""
    (root / "contacts").mkdir(parents=True)
    (root / "log").mkdir()
    (root / "mkdocs.yml").write_text("site_name: Net\n", encoding="utf-8")
    for i in range(people):
        (root / "contacts" / f"p{i}.md").write_text(
            f"---\nname: Person P{i}\norganization: Org {i % 3}\ncircle: {1 + i % 5}\n---\n",
            encoding="utf-8",
        )
    for i in range(interactions):
        (root / "log" / f"e{i}.md").write_text(
            f"---\ndate: 2026-{1 + i % 11:02d}-01\nwith: [p{i % people}]\nkind: lunch\n"
            "minutes: 60\nfavor: given\n---\n",
            encoding="utf-8",
        )
    return root


SWEEP = [
    ("check",),
    ("stats", "--today", "2026-11-26"),
    ("due", "--today", "2026-11-26"),
    ("show", "p0", "--today", "2026-11-26"),
    ("find", "Person P1"),
    ("set", "cadence=30d", "--where", "organization=Org 0"),
]


@pytest.mark.parametrize(("people", "interactions"), [(1, 1), (2100, 1100)])
def test_no_command_says_1_things_or_leaves_a_big_number_unformatted(
    tmp_path: Path, people: int, interactions: int
) -> None:
    root = write_people(tmp_path / "kb", people, interactions)
    for args in SWEEP:
        result = invoke("--kb", str(root), *args)
        assert result.exit_code in (0, 1), (args, result.output)
        assert not SINGULAR_MISTAKE.search(result.output), (args, result.output)
        assert not UNFORMATTED.search(result.output), (args, result.output)
    summary = invoke("--kb", str(root), "check").output
    if people == 1:
        assert summary == (
            "1 person, 1 organisation (0 files), 1 interaction: 0 errors, 0 warnings\n"
        )
    else:
        assert summary == (
            "2,100 people, 3 organisations (0 files), 1,100 interactions: 0 errors, 0 warnings\n"
        )


# --- 6. check, stats and the site count the same things --------------------------------------


def test_check_stats_and_the_home_page_agree_on_the_demo(tmp_path: Path) -> None:
    from netkb.build.site import build as build_site

    root = copy_demo(tmp_path / "demo")
    summary = invoke("--kb", str(root), "check").output.splitlines()[-1]
    assert summary == (
        "35 people (34 public), 7 organisations (4 files), "
        "109 interactions (107 with a public person): 0 errors, 0 warnings"
    )
    stats = json.loads(invoke("--kb", str(root), "stats", "--format", "json").output)
    totals = {row["key"]: row["count"] for row in stats if row["table"] == "totals"}
    assert totals == {
        "people": 35,
        "public_people": 34,
        "organisations": 7,
        "organisation_files": 4,
        "interactions": 109,
        "public_interactions": 107,
    }
    assert build_site(root).ok
    home = (root / ".netkb" / "docs" / "index.md").read_text(encoding="utf-8")
    counts = re.findall(r'<a href="(people|organisations|journal)\.html">(\d+)</a>', home)
    assert counts[:3] == [("people", "34"), ("organisations", "7"), ("journal", "107")]
