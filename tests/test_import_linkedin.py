"""``netkb import linkedin``: a real-looking Connections.csv, the plan, the files it writes.

Each test builds the export it feeds in right above what it expects.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
from helpers_import import git, git_repo, make_kb, run

from netkb.load.loader import load

PREAMBLE = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses '
    "are missing. You will only see email addresses for connections who have allowed their "
    "connections to see or download their email address using this setting "
    "https://www.linkedin.com/psettings/privacy/email. You can learn more here "
    'https://www.linkedin.com/help/linkedin/answer/261"\n'
    "\n"
)
HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
ROWS = (
    'Jane,Doe,https://www.linkedin.com/in/janedoe/,,"Globex, Inc.","VP, Engineering",07 Dec 2025\n'
    "John,Smith,https://www.linkedin.com/in/john-smith-42,john@initech.example,Initech,CTO,"
    "15 Mar 2024\n"
    ",,https://www.linkedin.com/in/deleted,,,,01 Jan 2020\n"
    "Ana,Lee,,,,,02 Feb 2022\n"
    "Jon,Smyth,,,,,31 Feb 2025\n"
)
JANE = dedent("""\
    ---
    name: Jane Doe
    organization: Acme   # since 2019
    role: Engineer
    location: Berlin
    links: [https://www.linkedin.com/in/janedoe]
    ---

    Notes about Jane.
    """)
PEOPLE = {
    "contacts/jane-doe.md": JANE,
    "contacts/ana-lee.md": "---\nname: Ana Lee\n---\n",
    "contacts/ana-lee-2.md": "---\nname: Ana Lee\nemail: ana@other.example\n---\n",
}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETKB_TODAY", "2026-03-02")


def export(tmp_path: Path, text: str, name: str = "Connections.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_dry_run_prints_the_whole_plan_and_writes_nothing(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", PEOPLE)
    before = {p: p.read_bytes() for p in root.rglob("*.md")}
    result = run(root, "import", "linkedin", str(export(tmp_path, PREAMBLE + HEADER + ROWS)))
    assert result.exit_code == 0
    assert result.output == dedent("""\
        Import from Connections.csv (LinkedIn): 5 rows

        New people (2):
          + John Smith (contacts/john-smith.md) — CTO at Initech
          + Jon Smyth (contacts/jon-smyth.md)

        Updates (1):
          ~ Jane Doe: organization Acme → Globex, Inc.
          ~ Jane Doe: role Engineer → VP, Engineering
          ~ Jane Doe: history + {organization: Acme, role: Engineer, until: 2026-03-02}
          ~ Jane Doe: met + 2025-12-07

        Ambiguous, not imported (1):
          ! Connections.csv:8: Ana Lee: 2 people have this name: ana-lee, ana-lee-2

        Skipped (1):
          - Connections.csv:7: no first or last name (a deleted LinkedIn account?)

        Values left out (1):
          · Connections.csv:9: Connected On '31 Feb 2025' is not a date like 07 Dec 2025; left out

        Dry run: nothing written. Run again with --apply to import 2 new people and update 1 person.
        """)
    assert {p: p.read_bytes() for p in root.rglob("*.md")} == before


def test_apply_writes_new_people_and_records_the_old_employer(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", PEOPLE)
    result = run(
        root, "import", "linkedin", str(export(tmp_path, PREAMBLE + HEADER + ROWS)), "--apply"
    )
    assert result.exit_code == 0, result.output
    assert result.output.endswith("Imported from Connections.csv: 2 new, 1 updated.\n")
    # Only the touched lines change; the comment, the body and the other keys stay.
    assert (root / "contacts/jane-doe.md").read_text() == dedent("""\
        ---
        name: Jane Doe
        organization: Globex, Inc. # since 2019
        role: VP, Engineering
        location: Berlin
        links: [https://www.linkedin.com/in/janedoe]
        met: 2025-12-07
        history:
        - {organization: Acme, role: Engineer, until: 2026-03-02}
        ---

        Notes about Jane.
        """)
    john = load(root).people["john-smith"]
    assert (john.name, john.organization, john.role, john.email, john.links) == (
        "John Smith",
        "Initech",
        "CTO",
        ("john@initech.example",),
        ("https://www.linkedin.com/in/john-smith-42",),
    )
    assert str(john.met) == "2024-03-15"
    assert load(root).errors == ()


def test_a_second_import_of_the_same_file_changes_nothing(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", PEOPLE)
    path = export(tmp_path, PREAMBLE + HEADER + ROWS)
    run(root, "import", "linkedin", str(path), "--apply")
    before = {p: p.read_bytes() for p in root.rglob("*.md")}
    result = run(root, "import", "linkedin", str(path), "--apply")
    assert "Already up to date: 3 people" in result.output
    assert "Imported from Connections.csv: 0 new, 0 updated." in result.output
    assert {p: p.read_bytes() for p in root.rglob("*.md")} == before


def test_a_value_the_user_wrote_is_kept_and_the_difference_shown(tmp_path: Path) -> None:
    root = make_kb(
        tmp_path / "kb",
        {
            "contacts/jane.md": "---\nname: Jane Doe\nemail: jane@acme.example\n"
            "met: 2026-01-10\n---\n",
            "contacts/bo.md": "---\nname: Bo Berg\nmet: 2019-06-29\n---\n",
        },
    )
    rows = "Janet,Doe,,jane@acme.example,,,07 Dec 2025\nBo,Berg,,,,,07 Dec 2025\n"
    result = run(root, "import", "linkedin", str(export(tmp_path, HEADER + rows)), "--apply")
    assert "Kept your values (2; edit by hand if the import is right):" in result.output
    assert "  = Jane Doe: met: kept '2026-01-10', the import says '2025-12-07'" in result.output
    assert "  = Jane Doe: name: kept 'Jane Doe', the import says 'Janet Doe'" in result.output
    assert "Bo Berg" not in result.output  # met before connecting: no conflict
    assert "Already up to date: 2 people" in result.output
    assert (root / "contacts/jane.md").read_text().startswith("---\nname: Jane Doe\n")
    assert "met: 2026-01-10\n" in (root / "contacts/jane.md").read_text()


def test_an_old_export_without_the_url_column_imports(tmp_path: Path) -> None:
    old = "First Name,Last Name,Email Address,Company,Position,Connected On\n"
    rows = 'Mei,Chen,mei@northlight.example,"Northlight, LLC",Associate,3 Jan 2019\n'
    root = make_kb(tmp_path / "kb")
    result = run(root, "import", "linkedin", str(export(tmp_path, old + rows)), "--apply")
    assert result.exit_code == 0, result.output
    mei = load(root).people["mei-chen"]
    assert (mei.organization, mei.email, str(mei.met)) == (
        "Northlight, LLC",
        ("mei@northlight.example",),
        "2019-01-03",
    )


def test_a_quoted_cell_may_span_lines_and_the_row_numbers_stay_right(tmp_path: Path) -> None:
    rows = 'Ana,Lee,,,"Acme\nBerlin",CTO,01 Jan 2020\n,,,,,,\nBad,Date,,,,,yesterday\n'
    root = make_kb(tmp_path / "kb")
    result = run(root, "import", "linkedin", str(export(tmp_path, HEADER + rows)))
    assert "Connections.csv:5: Connected On 'yesterday' is not a date" in result.output


def test_matching_by_linkedin_url_ignores_www_case_and_trailing_slash(tmp_path: Path) -> None:
    root = make_kb(
        tmp_path / "kb",
        {"contacts/x.md": "---\nname: Jane D.\nlinks: [https://linkedin.com/in/JaneDoe]\n---\n"},
    )
    rows = "Jane,Doe,https://www.linkedin.com/in/janedoe/,,,,\n"
    result = run(root, "import", "linkedin", str(export(tmp_path, HEADER + rows)))
    assert "Already up to date: 1 person" in result.output
    assert "New people" not in result.output


def test_a_namesake_at_the_same_organisation_is_imported_and_flagged_as_a_possible_duplicate(
    tmp_path: Path,
) -> None:
    jonathan = (
        "---\nname: Jonathan Smith\norganization: Acme\nlinks: [https://linkedin.com/in/js]\n---\n"
    )
    root = make_kb(tmp_path / "kb", {"contacts/jonathan-smith.md": jonathan})
    rows = "Jonathan,Smith,https://www.linkedin.com/in/jsmith-2,,ACME Inc.,CTO,\n"
    result = run(root, "import", "linkedin", str(export(tmp_path, HEADER + rows)))
    assert "Possible duplicates (1), imported as new people:" in result.output
    assert (
        "  ? Connections.csv:2: Jonathan Smith (jonathan-smith-2) looks like jonathan-smith "
        "(same name at Acme); if it is the same person: netkb merge jonathan-smith "
        "jonathan-smith-2"
    ) in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"First Name,Last Name\nZo\xeb,M\xfcller\n",
            "Connections.csv:2: byte 0xeb is not UTF-8; export the file again as UTF-8",
        ),
        (
            b"Name,Company\nJane,Acme\n",
            "Connections.csv: not a LinkedIn connections export: no header row "
            "'First Name,Last Name,URL,Email Address,Company,Position,Connected On'",
        ),
        (
            (PREAMBLE + HEADER + ",,,,,,x\n").encode(),
            "no contacts recognised in this LinkedIn file (line 5: no first or last name",
        ),
        (
            (HEADER + 'Jane,"Doe\n').encode(),
            "Connections.csv:2: this is not valid CSV",
        ),
    ],
)
def test_a_bad_file_is_a_clear_error_with_exit_1(
    tmp_path: Path, content: bytes, message: str
) -> None:
    root = make_kb(tmp_path / "kb")
    path = tmp_path / "Connections.csv"
    path.write_bytes(content)
    result = run(root, "import", "linkedin", str(path), "--apply")
    assert result.exit_code == 1
    assert message in result.output
    assert not list((root / "contacts").iterdir())


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")
    path = export(tmp_path, HEADER + "Ana,Lee,,,,,\n")
    assert run(root, "import", "facebook", str(path)).exit_code == 2
    assert run(root, "import", "linkedin", str(tmp_path / "missing.csv")).exit_code == 2
    no_apply = run(root, "import", "linkedin", str(path), "--commit")
    assert no_apply.exit_code == 2
    assert "--commit needs --apply" in no_apply.output
    no_git = run(root, "import", "linkedin", str(path), "--apply", "--commit")
    assert no_git.exit_code == 2
    assert "--commit needs a git repository" in no_git.output
    assert not list((root / "contacts").iterdir())


def test_commit_records_only_the_files_the_import_wrote(tmp_path: Path) -> None:
    root = git_repo(make_kb(tmp_path / "kb", PEOPLE))
    (root / "contacts/staged.md").write_text("---\nname: Staged By Hand\n---\n")
    git(root, "add", "contacts/staged.md")
    path = export(tmp_path, PREAMBLE + HEADER + ROWS)
    result = run(root, "import", "linkedin", str(path), "--apply", "--commit")
    assert result.exit_code == 0, result.output
    assert git(root, "log", "-1", "--format=%s") == "netkb import linkedin: 2 new, 1 updated\n"
    committed = git(root, "show", "--name-only", "--format=", "HEAD").split()
    assert committed == ["contacts/jane-doe.md", "contacts/john-smith.md", "contacts/jon-smyth.md"]
    assert git(root, "status", "--porcelain") == "A  contacts/staged.md\n"


def test_the_same_name_with_another_linkedin_profile_is_someone_else(tmp_path: Path) -> None:
    hannah = "---\nname: Hannah Okafor\nlinks: [https://www.linkedin.com/in/hannah-vc]\n---\n"
    root = make_kb(tmp_path / "kb", {"contacts/hannah-okafor.md": hannah})
    rows = "Hannah,Okafor,https://www.linkedin.com/in/hannah-founder,,Kiln Labs,Founder,\n"
    result = run(root, "import", "linkedin", str(export(tmp_path, HEADER + rows)), "--apply")
    assert "  + Hannah Okafor (contacts/hannah-okafor-2.md) — Founder at Kiln Labs" in result.output
    # Another profile at another organisation: not even a possible duplicate (as in check).
    assert "Possible duplicates" not in result.output
    assert (root / "contacts/hannah-okafor.md").read_text() == hannah
