"""``netkb forget``: a person removed from every file, and the way out of git history."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest
from conftest import copy_demo
from helpers_import import GIT_ENV, git, git_repo, make_kb, run

from netkb.edit import lock as lock_module
from netkb.edit.forget import PLACEHOLDER, ForgetError, apply_forget, plan_forget, replace_rules
from netkb.load.loader import load

JANE = dedent("""\
    ---
    name: Jane Doe
    aliases: [Janie]
    email: [jane@acme.example]
    phone: ["+49 30 1234567"]
    photo: photos/jane.png
    ---

    Jane's own notes.
    """)
JOHN = dedent("""\
    ---
    name: John Smith   # a comment that stays
    introduced_by: jane-doe
    met_at: Jane Doe's birthday party
    relations:
      colleague: [jane-doe, ana-lee]   # both from Acme
      friend: [jane-doe]
    distinct_from: [jane-doe]
    ---

    Met through [[jane-doe]], [[Jane Doe]] and [[jane-doe|her]]; Janie calls
    every Friday (jane@acme.example, +49 30 1234567). See also [[ana-lee|Ana]].
    """)
ANA = "---\nname: Ana Lee\n---\n\n[[Janie]] is my colleague.\n"
ALONE = "---\ndate: 2026-03-02\nwith: [jane-doe]\nkind: lunch\n---\n"
SHARED = "---\ndate: 2026-03-03\nwith: [jane-doe, ana-lee]\nsummary: Lunch with Jane Doe\n---\n"
OTHER = "---\ndate: 2026-03-04\nwith: [ana-lee]\n---\nNothing about her.\n"
ORG = "---\nname: Acme\n---\nJane Doe runs the Berlin office.\n"
FILES = {
    "contacts/jane-doe.md": JANE,
    "contacts/john-smith.md": JOHN,
    "contacts/ana-lee.md": ANA,
    "photos/jane.png": b"\x89PNG\r\n\x1a\n",
    "log/2026-03-02-lunch-jane-doe.md": ALONE,
    "log/2026-03-03-lunch-jane-doe.md": SHARED,
    "log/2026-03-04-call-ana-lee.md": OTHER,
    "orgs/acme.md": ORG,
}
JANE_WORDS = ("jane doe", "jane-doe", "janie", "jane@acme.example", "+49 30 1234567")


def files_under(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts and ".netkb" not in p.parts
    }


def test_the_dry_run_lists_every_file_and_how_and_writes_nothing(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", FILES)
    before = files_under(root)
    result = run(root, "forget", "jane-doe")
    assert result.exit_code == 0, result.output
    assert result.output == dedent("""\
        Forget jane-doe (contacts/jane-doe.md)

        Delete:
          - contacts/jane-doe.md (the person)
          - photos/jane.png (their photo)
          - log/2026-03-02-lunch-jane-doe.md (an interaction with nobody else)

        Change (4):
          ~ contacts/ana-lee.md: 1 mention in notes
          ~ contacts/john-smith.md: introduced_by, met_at, relations, distinct_from, 6 mentions in notes
          ~ orgs/acme.md: 1 mention in notes
          ~ log/2026-03-03-lunch-jane-doe.md: with, summary, renamed to 2026-03-03-lunch-ana-lee.md

        Dry run: nothing written. Run again with --apply to forget jane-doe: 8 files.
        """)  # noqa: E501
    assert files_under(root) == before


def test_apply_removes_every_trace_and_keeps_every_other_byte(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", FILES)
    result = run(root, "forget", "jane-doe", "--apply")
    assert result.exit_code == 0, result.output
    assert "Forgot jane-doe: 8 files changed." in result.output
    assert "Not a git repository: there is no history to clean." in result.output
    after = files_under(root)
    for gone in ("contacts/jane-doe.md", "photos/jane.png", "log/2026-03-02-lunch-jane-doe.md"):
        assert gone not in after
    assert "log/2026-03-03-lunch-jane-doe.md" not in after
    assert after["contacts/john-smith.md"].decode() == dedent("""\
        ---
        name: John Smith   # a comment that stays
        met_at: A former contact's birthday party
        relations:
          colleague: [ana-lee]             # both from Acme
        ---

        Met through a former contact, a former contact and a former contact; a former contact calls
        every Friday (a former contact, a former contact). See also [[ana-lee|Ana]].
        """)
    assert (
        after["contacts/ana-lee.md"].decode()
        == "---\nname: Ana Lee\n---\n\nA former contact is my colleague.\n"
    )
    assert after["log/2026-03-03-lunch-ana-lee.md"].decode() == (
        "---\ndate: 2026-03-03\nwith: [ana-lee]\nsummary: Lunch with a former contact\n---\n"
    )
    assert after["log/2026-03-04-call-ana-lee.md"].decode() == OTHER
    assert (
        after["orgs/acme.md"].decode()
        == "---\nname: Acme\n---\nA former contact runs the Berlin office.\n"
    )
    text = "\n".join(data.decode("utf-8", "replace").lower() for data in after.values())
    for word in JANE_WORDS:
        assert word not in text
    network = load(root)
    assert network.problems == ()


def test_keep_names_leaves_the_plain_name_or_label(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", FILES)
    result = run(root, "forget", "jane-doe", "--apply", "--keep-names")
    assert result.exit_code == 0, result.output
    john = (root / "contacts/john-smith.md").read_text()
    assert john.endswith(
        "Met through Jane Doe, Jane Doe and her; Janie calls\n"
        "every Friday (a former contact, a former contact). See also [[ana-lee|Ana]].\n"
    )
    assert "met_at: Jane Doe's birthday party\n" in john
    assert (root / "contacts/ana-lee.md").read_text().endswith("\nJanie is my colleague.\n")
    assert load(root).problems == ()


def test_an_unknown_slug_suggests_the_closest_and_writes_nothing(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", FILES)
    before = files_under(root)
    result = run(root, "forget", "jane-do", "--apply")
    assert result.exit_code == 1
    assert result.output == (
        "Error: no person has the slug 'jane-do' (did you mean 'jane-doe'?); nothing was written\n"
    )
    assert files_under(root) == before


def test_a_name_or_alias_names_the_person_too(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", FILES)
    assert plan_forget(load(root), "Janie").slug == "jane-doe"
    assert plan_forget(load(root), "jane doe").slug == "jane-doe"


def test_uncommitted_changes_in_the_persons_file_are_refused_unless_forced(
    tmp_path: Path,
) -> None:
    root = git_repo(make_kb(tmp_path / "kb", FILES))
    jane = root / "contacts/jane-doe.md"
    jane.write_text(JANE + "A new note, not committed.\n", encoding="utf-8")
    before = files_under(root)
    dry = run(root, "forget", "jane-doe")
    assert "Note: contacts/jane-doe.md has uncommitted changes (modified); --apply will " in (
        dry.output
    )
    refused = run(root, "forget", "jane-doe", "--apply")
    assert refused.exit_code == 1
    assert refused.output.endswith(
        "Error: contacts/jane-doe.md has uncommitted changes (modified); nothing was written. "
        "Commit them first, or use --force\n"
    )
    assert files_under(root) == before
    forced = run(root, "forget", "jane-doe", "--apply", "--force")
    assert forced.exit_code == 0, forced.output
    assert not jane.exists()


def test_commit_refuses_other_files_with_uncommitted_changes(tmp_path: Path) -> None:
    root = git_repo(make_kb(tmp_path / "kb", FILES))
    ana = root / "contacts/ana-lee.md"
    ana.write_text(ANA + "Mine, not committed.\n", encoding="utf-8")
    before = files_under(root)
    result = run(root, "forget", "jane-doe", "--apply", "--commit")
    assert result.exit_code == 1
    assert "--commit would also commit your own uncommitted changes in contacts/ana-lee.md" in (
        result.output
    )
    assert files_under(root) == before


def test_commit_commits_exactly_the_change_under_a_message_that_names_no_one(
    tmp_path: Path,
) -> None:
    root = git_repo(make_kb(tmp_path / "kb", FILES))
    result = run(root, "forget", "jane-doe", "--apply", "--commit")
    assert result.exit_code == 0, result.output
    assert git(root, "log", "-1", "--format=%s") == "netkb forget: a former contact (8 files)\n"
    assert git(root, "status", "--porcelain") == ""
    tracked = subprocess.run(
        ["git", "-C", str(root), "grep", "-i", "-e", "jane", "-e", "+49 30", "HEAD"],
        capture_output=True,
        text=True,
    )
    assert tracked.returncode == 1 and tracked.stdout == ""


def test_a_private_person_is_forgotten_without_their_name_or_notes_on_the_terminal(
    tmp_path: Path,
) -> None:
    secret = "---\nname: Xenia Secret\nprivate: true\n---\nThe secret note.\n"
    files = {
        "contacts/xenia.md": secret,
        "contacts/ana-lee.md": "---\nname: Ana Lee\nrelations: {friend: [xenia]}\n---\n",
    }
    root = make_kb(tmp_path / "kb", files)
    result = run(root, "forget", "xenia", "--apply")
    assert result.exit_code == 0, result.output
    assert "Forget xenia (contacts/xenia.md) (private)" in result.output
    assert "Xenia Secret" not in result.output and "secret note" not in result.output
    assert not (root / "contacts/xenia.md").exists()
    assert (root / "contacts/ana-lee.md").read_text() == "---\nname: Ana Lee\n---\n"


def test_a_file_that_does_not_load_is_listed_for_editing_by_hand(tmp_path: Path) -> None:
    broken = "---\nname: Bob\nrelations: [jane-doe\n---\nJane Doe is here.\n"
    files = {**FILES, "contacts/bob.md": broken, "photos/jane-doe-2019.jpg": b"\xff\xd8"}
    root = make_kb(tmp_path / "kb", files)
    result = run(root, "forget", "jane-doe", "--apply")
    assert result.output.split("Change (4):\n", 1)[1].split("\n\n")[1] == (
        "Still naming them, and not changed by netkb (edit these by hand):\n"
        "  ! contacts/bob.md\n"
        "  ! photos/jane-doe-2019.jpg"
    )
    assert (root / "contacts/bob.md").read_text() == broken  # never guessed at
    assert (root / "photos/jane-doe-2019.jpg").exists()


def test_a_wikilink_spelt_without_accents_is_found_too(tmp_path: Path) -> None:
    files = {
        "contacts/zoe-muller.md": "---\nname: Zoë Müller\n---\n",
        "contacts/ana-lee.md": "---\nname: Ana Lee\n---\nAsk [[Zoe Muller]] first.\n",
    }
    root = make_kb(tmp_path / "kb", files)
    assert run(root, "forget", "zoe-muller", "--apply").exit_code == 0
    assert (root / "contacts/ana-lee.md").read_text().endswith("Ask a former contact first.\n")


def test_a_file_changed_after_the_plan_stops_everything(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", FILES)
    plan = plan_forget(load(root), "jane-doe")
    (root / "contacts/ana-lee.md").write_text(ANA + "Edited meanwhile.\n", encoding="utf-8")
    before = files_under(root)
    with pytest.raises(ForgetError, match="changed since netkb read it; nothing written"):
        apply_forget(root, plan)
    assert files_under(root) == before


def test_a_slug_named_by_a_thousand_files_takes_the_lock_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files: dict[str, str] = {"contacts/jane-doe.md": JANE, "contacts/ana-lee.md": ANA}
    for number in range(1000):
        files[f"log/2026/{number:04d}.md"] = (
            f"---\ndate: 2026-01-01\nwith: [ana-lee, jane-doe]\nminutes: {number}\n---\n"
        )
    root = make_kb(tmp_path / "kb", files)
    taken = []
    acquire = lock_module._acquire
    monkeypatch.setattr(lock_module, "_acquire", lambda *args: taken.append(args) or acquire(*args))
    result = run(root, "forget", "jane-doe", "--apply")
    assert result.exit_code == 0, result.output
    assert "Forgot jane-doe: 1,002 files changed." in result.output
    assert len(taken) == 1
    assert (root / "log/2026/0999.md").read_text() == (
        "---\ndate: 2026-01-01\nwith: [ana-lee]\nminutes: 999\n---\n"
    )


def test_the_replace_rules_are_whole_words_in_any_case(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", FILES)
    rules = replace_rules(plan_forget(load(root), "jane-doe"))
    assert rules.splitlines()[0] == (
        r"regex:(?i)(?<![A-Za-z0-9])jane@acme\.example(?![A-Za-z0-9])==>" + PLACEHOLDER
    )
    assert r"regex:(?i)(?<![A-Za-z0-9])Jane\s+Doe(?![A-Za-z0-9])==>a former contact" in rules
    assert len(rules.splitlines()) == 5  # email, phone, name, slug, alias


# -- the demo, in git, and its history -------------------------------------------------------

FILTER_REPO = Path(sys.executable).parent / "git-filter-repo"


def demo_repo(tmp_path: Path) -> Path:
    root = copy_demo(tmp_path / "demo")
    (root / ".gitignore").write_text("/site/\n/.netkb/\n", encoding="utf-8")
    git_repo(root)
    git(root, "mv", "contacts/globex/jonas-weber.md", "contacts/globex/jonas.md")
    git(root, "commit", "-q", "-m", "rename")  # history has two names for his file
    git(root, "mv", "contacts/globex/jonas.md", "contacts/globex/jonas-weber.md")
    git(root, "commit", "-q", "-m", "rename back")
    return root


def test_forgetting_in_the_demo_leaves_no_trace_in_files_or_in_rewritten_history(
    tmp_path: Path,
) -> None:
    """Done when: check --strict clean, no tracked file and (after the printed filter-repo
    commands, run in a fresh clone) no commit holds his name, aliases, e-mail, phone, slug."""
    root = demo_repo(tmp_path)
    words = ["Jonas Weber", "jonas-weber", "JW", "jonas.weber@globex.example", "+49 30 2345 6701"]
    assert git(root, "grep", "-c", "-F", "-e", words[0], "HEAD")  # he is there to begin with
    result = run(root, "forget", "jonas-weber", "--apply", "--commit")
    assert result.exit_code == 0, result.output
    check = run(root, "check", "--strict")
    assert check.exit_code == 0, check.output
    assert check.output.endswith(": 0 errors, 0 warnings\n")
    for word in words:
        found = subprocess.run(
            ["git", "-C", str(root), "grep", "-i", "-w", "-F", "-e", word, "HEAD"],
            capture_output=True,
            text=True,
        )
        assert found.stdout == "", word
    assert not (root / "photos/jonas-weber.png").exists()
    # The commands as printed: indented, the filter-repo one continued with backslashes.
    shown = result.output.split("in a fresh clone:\n\n", 1)[1].split("\n\n", 1)[0]
    commands = [line.strip() for line in shown.replace("\\\n", " ").splitlines()]
    assert [c.split()[:2] for c in commands] == [
        ["git", "clone"],
        ["cd", str(root) + "-forgotten"],
        ["git", "filter-repo"],
    ]
    assert "--path contacts/globex/jonas.md" in commands[2]  # the name it had for a while
    env = {**os.environ, **GIT_ENV, "PATH": f"{FILTER_REPO.parent}{os.pathsep}{os.environ['PATH']}"}
    clone = Path(shlex.split(commands[1])[1])
    assert len(commands) == 3
    subprocess.run(shlex.split(commands[0]), check=True, env=env, capture_output=True)
    subprocess.run(shlex.split(commands[2]), cwd=clone, check=True, env=env, capture_output=True)
    history = subprocess.run(
        ["git", "-C", str(clone), "log", "--all", "-p", "--stat"],
        capture_output=True,
        check=True,
        env=env,
    ).stdout.decode("utf-8", "replace")
    assert "Aylin Demir" in history  # the rest of the network is still there
    for word in words:
        assert (
            re.search(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", history, re.I) is None
        ), word


def test_a_hostile_name_is_text_to_match_never_a_pattern(tmp_path: Path) -> None:
    weird = '---\nname: "J.(R)* [x]|y"\naliases: ["==>", "\\\\1"]\n---\n'
    other = "---\nname: Ana Lee\n---\nJ.(R)* [x]|y and ==> and \\1 and JR x y.\n"
    root = make_kb(tmp_path / "kb", {"contacts/weird.md": weird, "contacts/ana-lee.md": other})
    result = run(root, "forget", "weird", "--apply")
    assert result.exit_code == 0, result.output
    assert (
        (root / "contacts/ana-lee.md")
        .read_text()
        .endswith("A former contact and a former contact and a former contact and JR x y.\n")
    )
    rules = replace_rules(
        plan_forget(load(make_kb(tmp_path / "again", {"contacts/weird.md": weird})), "weird")
    )
    assert "==>a former contact\n" in rules and not any(
        line.startswith("regex:(?i)(?<![A-Za-z0-9])==>") for line in rules.splitlines()
    )
