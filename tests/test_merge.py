"""``netkb merge``: one person from two records, every reference pointed at the one kept."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from helpers_import import git, git_repo, make_kb, run

from netkb.edit.merge import MergeError, apply_merge, plan_merge, relink
from netkb.load.loader import load

JOHN = dedent("""\
    ---
    name: John Smith
    organization: Acme   # employer
    role: CTO
    email: [john@acme.example]
    tags: [golf]
    relations:
      colleague: [jon-smith, ana-lee]
    ---

    John's notes.
    """)
JON = dedent("""\
    ---
    name: Jon Smith
    role: CEO
    email: [JOHN@acme.example, jon@home.example]
    tags: [golf, sailing]
    location: Berlin
    introduced_by: ana-lee
    private: true
    ---

    Met at [[ana-lee]]'s party.

    ## Private

    Owes me a favour.
    """)
ANA = dedent("""\
    ---
    name: Ana Lee
    relations:
      friend: [jon-smith]   # old friend
      knows: [john-smith, jon-smith]
    ---

    Introduced me to [[jon-smith|Jon]] and [[John Smith]].
    """)
LOG = "---\ndate: 2026-03-02\nwith: [jon-smith, ana-lee]\nkind: lunch\n---\n"
ORG = "---\nname: Acme\n---\nSee [[Jon-Smith]].\n"
FILES = {
    "contacts/john-smith.md": JOHN,
    "contacts/jon-smith.md": JON,
    "contacts/ana-lee.md": ANA,
    "log/2026-03-02-lunch.md": LOG,
    "orgs/acme.md": ORG,
}


def test_the_dry_run_shows_the_plan_and_writes_nothing(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", FILES)
    result = run(root, "merge", "john-smith", "jon-smith")
    assert result.exit_code == 0, result.output
    assert result.output == dedent("""\
        Merge jon-smith (contacts/jon-smith.md) into john-smith (contacts/john-smith.md)

        John Smith gets:
          ~ relations.colleague: − jon-smith (now this same person)
          ~ aliases + Jon Smith (jon-smith's name)
          ~ email + jon@home.example
          ~ tags + sailing
          ~ location + Berlin
          ~ introduced_by + ana-lee
          ~ private: true (jon-smith was private; privacy wins)
          ~ notes of jon-smith appended under '## Merged from Jon Smith'

        Conflicts: john-smith's value is kept; edit by hand if the other is right:
          ! role: kept CTO; jon-smith has CEO

        References rewritten jon-smith → john-smith:
          ~ contacts/ana-lee.md: relations, 1 wikilink
          ~ orgs/acme.md: 1 wikilink
          ~ log/2026-03-02-lunch.md: with

        Delete contacts/jon-smith.md

        Dry run: nothing written. Run again with --apply to merge.
        """)
    assert (root / "contacts/jon-smith.md").read_text() == JON
    assert (root / "contacts/ana-lee.md").read_text() == ANA


def test_apply_merges_rewrites_every_reference_and_deletes_the_other(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", FILES)
    result = run(root, "merge", "john-smith", "jon-smith", "--apply")
    assert result.exit_code == 0, result.output
    assert result.output.endswith("Merged jon-smith into john-smith: 5 files changed.\n")
    assert not (root / "contacts/jon-smith.md").exists()
    assert (root / "contacts/john-smith.md").read_text() == dedent("""\
        ---
        name: John Smith
        organization: Acme   # employer
        role: CTO
        email: [john@acme.example, jon@home.example]
        tags: [golf, sailing]
        relations:
          colleague: [ana-lee]
        aliases: [Jon Smith]
        location: Berlin
        introduced_by: ana-lee
        private: true
        ---

        John's notes.

        ## Merged from Jon Smith (jon-smith)

        Met at [[ana-lee]]'s party.

        ## Private

        Owes me a favour.
        """)
    # The comment keeps its column, so a longer value leaves it one space less.
    assert (root / "contacts/ana-lee.md").read_text() == dedent("""\
        ---
        name: Ana Lee
        relations:
          friend: [john-smith]  # old friend
          knows: [john-smith]
        ---

        Introduced me to [[john-smith|Jon]] and [[John Smith]].
        """)
    assert (root / "log/2026-03-02-lunch.md").read_text() == LOG.replace("jon-smith", "john-smith")
    assert (root / "orgs/acme.md").read_text() == "---\nname: Acme\n---\nSee [[john-smith]].\n"
    network = load(root)
    assert network.problems == ()
    assert network.interactions[0].with_ == ("john-smith", "ana-lee")


def test_a_file_changed_after_the_plan_stops_the_merge_before_any_write(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", FILES)
    plan = plan_merge(load(root), "john-smith", "jon-smith")
    (root / "log/2026-03-02-lunch.md").write_text(LOG + "Edited meanwhile.\n")
    before = {p: p.read_bytes() for p in root.rglob("*.md")}
    try:
        apply_merge(root, plan)
    except MergeError as exc:
        assert "2026-03-02-lunch.md changed since the merge was planned; nothing written" in str(
            exc
        )
    else:
        raise AssertionError("the merge went ahead over a changed file")
    assert {p: p.read_bytes() for p in root.rglob("*.md")} == before


def test_unknown_or_identical_slugs_are_errors(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", FILES)
    unknown = run(root, "merge", "john-smith", "nobody")
    assert unknown.exit_code == 1
    assert "Error: no person has the slug 'nobody'" in unknown.output
    same = run(root, "merge", "john-smith", "John-Smith")
    assert same.exit_code == 1
    assert "are the same person; nothing to merge" in same.output


def test_commit_makes_one_commit_with_the_deletion(tmp_path: Path) -> None:
    root = git_repo(make_kb(tmp_path / "kb", FILES))
    result = run(root, "merge", "john-smith", "jon-smith", "--apply", "--commit")
    assert result.exit_code == 0, result.output
    assert git(root, "log", "-1", "--format=%s") == "netkb merge: jon-smith into john-smith\n"
    changed = git(root, "show", "--name-status", "--format=", "HEAD").splitlines()
    assert changed == [
        "M\tcontacts/ana-lee.md",
        "M\tcontacts/john-smith.md",
        "D\tcontacts/jon-smith.md",
        "M\tlog/2026-03-02-lunch.md",
        "M\torgs/acme.md",
    ]
    assert git(root, "status", "--porcelain") == ""


def test_relink_keeps_labels_spacing_and_code() -> None:
    body = "[[old]] [[Old|x]] [[old |  y ]] `[[old]]`\n```\n[[old]]\n```\n[[older]]"
    assert relink(body, "old", "new") == (
        "[[new]] [[new|x]] [[new|  y ]] `[[old]]`\n```\n[[old]]\n```\n[[older]]"
    )


def test_history_entries_of_both_are_kept_once(tmp_path: Path) -> None:
    a = "---\nname: A\nhistory:\n- {organization: X, until: 2020-01-01}\n---\n"
    b = "---\nname: A B\nhistory:\n- {organization: X, until: 2020-01-01}\n- {role: Yak}\n---\n"
    root = make_kb(tmp_path / "kb", {"contacts/a.md": a, "contacts/b.md": b})
    result = run(root, "merge", "a", "b", "--apply")
    assert result.exit_code == 0, result.output
    assert (root / "contacts/a.md").read_text() == (
        "---\nname: A\nhistory:\n- {organization: X, until: 2020-01-01}\n- {role: Yak}\n"
        "aliases: [A B]\n---\n"
    )
