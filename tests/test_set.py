"""``netkb set``: fields of many people at once, dry run first, only the touched key written."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers_import import git, git_repo, make_kb, run

from netkb.core.references import Index
from netkb.edit.set_fields import apply_set, parse_assignment, plan_set, schema_problems
from netkb.load.loader import load

# Three people at Acme, written three ways; one elsewhere. Each test states the bytes
# it expects by substituting lines in these.
JANE = (
    "---\n"
    "# Jane, from the 2019 offsite\n"
    "name: Jane Doe\n"
    "organization: ACME Inc.   # employer\n"
    "circle: 3  # close-ish\n"
    "tags: [golf]\n"
    "---\n"
    "\n"
    "Notes stay as they are.\n"
)
JOHN = "---\r\nrole: CTO\r\nname: John Roe\r\norganization: Acme\r\n---\r\nCRLF notes.\r\n"
LIN = "\ufeff---\nname: Lin Wu\norganization: acme\ntags: board\n---\n"
ANA = "---\nname: Ana Lee\norganization: Globex\ncircle: 2\n---\n"
FILES = {
    "contacts/jane-doe.md": JANE,
    "contacts/acme/john-roe.md": JOHN,
    "contacts/lin-wu.md": LIN,
    "contacts/ana-lee.md": ANA,
}


def contents(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted((root / "contacts").rglob("*.md"))
    }


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return make_kb(tmp_path / "kb", FILES)


def test_a_dry_run_lists_each_file_and_change_and_writes_nothing(kb: Path) -> None:
    before = contents(kb)
    result = run(kb, "set", "circle=4", "--where", "organization=Acme")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Set circle=4 on 3 people (organization=Acme)\n"
        "\n"
        "Changes (3):\n"
        "  ~ Jane Doe (contacts/jane-doe.md): circle 3 → 4\n"
        "  ~ John Roe (contacts/acme/john-roe.md): circle + 4\n"
        "  ~ Lin Wu (contacts/lin-wu.md): circle + 4\n"
        "\n"
        "Dry run: nothing written. Run again with --apply to change 3 files.\n"
    )
    assert contents(kb) == before


def test_apply_changes_exactly_the_key_in_exactly_the_matched_files(kb: Path) -> None:
    result = run(kb, "set", "circle=4", "--where", "organization=Acme", "--apply")
    assert result.exit_code == 0, result.output
    assert result.output.endswith("\nChanged 3 files: circle=4.\n")
    assert contents(kb) == {
        # the comment after the value stays, at its column
        "contacts/jane-doe.md": JANE.replace(
            "circle: 3  # close-ish", "circle: 4  # close-ish"
        ).encode(),
        # CRLF kept; the new key goes last, in the file's own line ending
        "contacts/acme/john-roe.md": JOHN.replace(
            "organization: Acme\r\n", "organization: Acme\r\ncircle: 4\r\n"
        ).encode(),
        # the BOM and the single-value list stay
        "contacts/lin-wu.md": LIN.replace("tags: board\n", "tags: board\ncircle: 4\n").encode(),
        "contacts/ana-lee.md": ANA.encode(),  # at Globex: not matched
    }


def test_people_named_and_several_fields_at_once(kb: Path) -> None:
    result = run(kb, "set", "decision_maker=true", "tags+=board,golf", "jane-doe", "Ana Lee")
    assert result.output == (
        "Set decision_maker=true tags+=board,golf on 2 people (jane-doe, Ana Lee)\n"
        "\n"
        "Changes (2):\n"
        "  ~ Jane Doe (contacts/jane-doe.md): decision_maker + true\n"
        "  ~ Jane Doe (contacts/jane-doe.md): tags + board\n"
        "  ~ Ana Lee (contacts/ana-lee.md): decision_maker + true\n"
        "  ~ Ana Lee (contacts/ana-lee.md): tags + board, golf\n"
        "\n"
        "Dry run: nothing written. Run again with --apply to change 2 files.\n"
    )
    run(kb, "set", "decision_maker=true", "tags+=board,golf", "jane-doe", "Ana Lee", "--apply")
    after = contents(kb)
    assert (
        after["contacts/jane-doe.md"]
        == JANE.replace("tags: [golf]\n", "tags: [golf, board]\ndecision_maker: true\n").encode()
    )
    assert (
        after["contacts/ana-lee.md"]
        == (
            ANA.replace("circle: 2\n", "circle: 2\ndecision_maker: true\ntags: [board, golf]\n")
        ).encode()
    )
    assert after["contacts/lin-wu.md"] == LIN.encode()


def test_named_people_are_kept_only_when_they_match_where(kb: Path) -> None:
    result = run(kb, "set", "circle=5", "jane-doe", "ana-lee", "--where", "organization=Acme")
    assert result.output.splitlines()[0] == (
        "Set circle=5 on 1 person (jane-doe, ana-lee if organization=Acme)"
    )
    assert "Ana Lee" not in result.output


def test_removing_list_items_and_whole_fields(kb: Path) -> None:
    run(kb, "set", "tags-=BOARD", "circle=", "lin-wu", "jane-doe", "--apply")
    after = contents(kb)
    assert after["contacts/lin-wu.md"] == LIN.replace("tags: board\n", "").encode()
    assert after["contacts/jane-doe.md"] == JANE.replace("circle: 3  # close-ish\n", "").encode()


def test_people_already_so_are_listed_and_not_written(kb: Path) -> None:
    result = run(kb, "set", "circle=2", "ana-lee", "--apply")
    assert result.output == (
        "Set circle=2 on 1 person (ana-lee)\n"
        "\n"
        "Already so (1): Ana Lee (ana-lee)\n"
        "\n"
        "Changed 0 files: circle=2.\n"
    )
    assert contents(kb)["contacts/ana-lee.md"] == ANA.encode()


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("circle=7", "circle=7: circle must be a whole number from 1 (inner circle) to 5"),
        ("circle=close", "circle=close: circle must be a whole number from 1"),
        ("decision_maker=yes", "decision_maker=yes: decision_maker must be true or false"),
        ("met=2024-02-30", "met=2024-02-30: met 2024-02-30 is not a real calendar date"),
        ("met=1850-01-01", "met=1850-01-01: met 1850-01-01 is out of range"),
        ("cadence=often", "cadence=often: cadence 'often' is not an interval"),
        ("email+=not-an-address", "email+=not-an-address: 'not-an-address' is not an email"),
        ("links=ftp://x.example", "'ftp://x.example' is not an http(s) URL"),
        ("organisation=Acme", "unknown field 'organisation'; did you mean organization?"),
        ("title=CTO", "unknown field 'title'; did you mean role?"),
        ("decision-maker=true", "unknown field 'decision-maker'; did you mean decision_maker?"),
        ("notes=hi", "'notes' is not a field: notes go below the front matter"),
        ("colour=red", "unknown field 'colour'; the fields are: organization, role"),
        ("name=Jo", "name cannot be set with netkb set"),
        ("relations=x", "relations cannot be set with netkb set"),
        ("circle+=3", "circle+= works only on list fields"),
        ("introduced_by=nobody", "no person has the slug or name 'nobody'"),
        ("circle", "'circle' is not FIELD=VALUE"),
    ],
)
def test_invalid_values_are_refused_before_any_write(
    kb: Path, assignment: str, message: str
) -> None:
    before = contents(kb)
    # a valid assignment first: nothing of it may be written either
    result = run(kb, "set", "role=Boss", assignment, "--where", "organization=Acme", "--apply")
    if assignment == "circle":  # no "=": read as a person's name
        assert result.exit_code == 2
        assert "no person has the slug 'circle'" in result.output
    else:
        assert result.exit_code == 1
        assert message in result.output
        assert result.output.rstrip().endswith("nothing was written")
    assert contents(kb) == before


def test_the_schema_check_is_checks_own() -> None:
    assert schema_problems("phone", ["+49 30 1234567"]) == []  # written quoted, read as text
    assert schema_problems("birthday", "--04-12") == []
    assert schema_problems("birthday", "--02-30") == [
        "birthday --02-30 is not a real date; write YYYY-MM-DD, "
        'or "--MM-DD" (quoted) when the year is unknown'
    ]


def test_introduced_by_takes_a_name_and_refuses_the_person_themselves(kb: Path) -> None:
    result = run(kb, "set", "introduced_by=Jane Doe", "--where", "organization=Acme")
    assert "  ~ John Roe (contacts/acme/john-roe.md): introduced_by + jane-doe" in result.output
    assert (
        "Cannot change (1):\n  ! "
        + str(kb / "contacts/jane-doe.md")
        + ": Jane Doe cannot be introduced by themselves"
    ) in result.output


def test_what_to_set_and_on_whom_must_be_said(kb: Path) -> None:
    assert "say what to set: FIELD=VALUE" in run(kb, "set", "jane-doe").output
    nobody = run(kb, "set", "circle=4")
    assert nobody.exit_code == 2
    assert "name the people (slugs or names) or select them with --where" in nobody.output
    unknown = run(kb, "set", "circle=4", "jane-do")
    assert unknown.exit_code == 2
    assert "no person has the slug 'jane-do'; did you mean 'jane-doe'?" in unknown.output
    where = run(kb, "set", "circle=4", "--where", "colour=red")
    assert where.exit_code == 2
    assert "cannot select by 'colour'" in where.output


def test_commit_refuses_a_file_with_uncommitted_changes_then_commits_only_its_own(
    kb: Path,
) -> None:
    git_repo(kb)
    (kb / "contacts/lin-wu.md").write_bytes(LIN.replace("board", "chess").encode())
    (kb / "notes.txt").write_text("the user's own work in progress\n", encoding="utf-8")
    refused = run(kb, "set", "circle=4", "--where", "organization=Acme", "--apply", "--commit")
    assert refused.exit_code == 1
    assert "contacts/lin-wu.md (modified)" in refused.output
    assert contents(kb)["contacts/jane-doe.md"] == JANE.encode()

    done = run(kb, "set", "circle=4", "jane-doe", "john-roe", "--apply", "--commit")
    assert done.exit_code == 0, done.output
    assert "Committed " in done.output
    assert git(kb, "log", "-1", "--format=%s").strip() == "netkb set circle=4: 2 people"
    assert git(kb, "show", "--name-only", "--format=", "HEAD").split() == [
        "contacts/acme/john-roe.md",
        "contacts/jane-doe.md",
    ]
    assert " M contacts/lin-wu.md" in git(kb, "status", "--porcelain")


def test_commit_needs_apply(kb: Path) -> None:
    result = run(kb, "set", "circle=4", "jane-doe", "--commit")
    assert result.exit_code == 2
    assert "--commit needs --apply" in result.output


def test_a_file_changed_after_the_plan_is_not_written(kb: Path) -> None:
    network = load(kb)
    plan = plan_set(network, ["jane-doe", "lin-wu"], [parse_assignment("circle=1", _index(kb))])
    edited = JANE.replace("Notes stay", "Notes changed").encode()
    (kb / "contacts/jane-doe.md").write_bytes(edited)  # saved in an editor meanwhile
    applied = apply_set(kb, plan)
    assert applied.written == [kb / "contacts/lin-wu.md"]
    assert "changed on disk after netkb read it" in applied.failed[0]
    assert (kb / "contacts/jane-doe.md").read_bytes() == edited


def _index(root: Path) -> Index:
    """The lookups ``parse_assignment`` resolves ``introduced_by`` with."""
    network = load(root)
    return Index(network.people, network.organisations)
