"""Git as the audit trail: ``netkb history`` and the "Last updated" of person pages."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from textwrap import dedent

import pytest
from helpers_import import git, git_repo, make_kb, run

from netkb.build.site import generate
from netkb.git.history import describe, last_updated

V1 = "---\nname: Jane Doe\norganization: Acme\nrole: Engineer\ntags: [golf]\n---\nHello.\n"
V2 = "---\nname: Jane Doe\norganization: Acme\nrole: CTO\ntags: [sailing]\n---\nHello!\n"
V3 = (
    "---\nname: Jane Doe\norganization: Acme\nrole: CTO\ntags: [sailing]\n"
    "email: [jane@acme.example]\n---\nHello!\n"
)


def jane_history(tmp_path: Path) -> Path:
    """Jane created in January, promoted in March, moved to a subfolder in April."""
    root = git_repo(make_kb(tmp_path / "kb", {"contacts/jane.md": V1}))
    (root / "contacts/jane.md").write_text(V2)
    git(root, "commit", "-qam", "Jane is CTO now", date="2026-03-02")
    (root / "contacts/acme").mkdir()
    git(root, "mv", "contacts/jane.md", "contacts/acme/jane.md")
    (root / "contacts/acme/jane.md").write_text(V3)
    git(root, "commit", "-qam", "Jane's email, filed under Acme", date="2026-04-10")
    return root


def test_history_lists_field_changes_newest_first(tmp_path: Path) -> None:
    root = jane_history(tmp_path)
    (root / "contacts/acme/jane.md").write_text(V3.replace("role: CTO", "role: CEO"))
    result = run(root, "history", "jane")
    assert result.exit_code == 0, result.output
    assert result.output == dedent("""\
        History of Jane Doe (contacts/acme/jane.md), newest first:
        uncommitted role: CTO → CEO
        2026-04-10 renamed contacts/jane.md → contacts/acme/jane.md
        2026-04-10 email: + jane@acme.example
        2026-03-02 role: Engineer → CTO
        2026-03-02 tags: + sailing, − golf
        2026-03-02 notes edited
        2026-01-05 created as contacts/jane.md (Jane Doe)
        """)


def test_history_of_a_file_never_committed_says_so(tmp_path: Path) -> None:
    root = git_repo(make_kb(tmp_path / "kb"))
    (root / "contacts/new.md").write_text("---\nname: New Person\n---\n")
    result = run(root, "history", "new")
    assert result.output.splitlines() == [
        "History of New Person (contacts/new.md), newest first:",
        "uncommitted created as contacts/new.md (New Person)",
    ]


def test_history_needs_git_and_a_known_slug(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", {"contacts/jane.md": V1})
    no_git = run(root, "history", "jane")
    assert no_git.exit_code == 2
    assert "is not a git repository" in no_git.output
    git_repo(root)
    unknown = run(root, "history", "nobody")
    assert unknown.exit_code == 2
    assert "no person has the slug 'nobody'" in unknown.output


@pytest.mark.parametrize(
    ("key", "old", "new", "lines"),
    [
        ("role", "Engineer", "CTO", ["role: Engineer → CTO"]),
        ("circle", None, 2, ["circle: + 2"]),
        ("met", dt.date(2020, 1, 2), None, ["met: − 2020-01-02"]),
        ("tags", "golf", ["golf", "jazz"], ["tags: + jazz"]),
        ("tags", ["a", "b"], ["b", "a"], ["tags: reordered"]),
        (
            "relations",
            {"friend": ["ana"]},
            {"friend": ["ana", "bo"], "mentor": ["cy"]},
            ["relations.friend: + bo", "relations.mentor: + cy"],
        ),
        ("private", False, True, ["private: false → true"]),
        ("zip", "01234", "01234", []),
    ],
)
def test_describe_says_what_changed(key: str, old: object, new: object, lines: list[str]) -> None:
    assert describe(key, old, new) == lines


def test_last_updated_is_one_git_call_for_the_whole_kb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = jane_history(tmp_path)
    (root / "contacts/bo.md").write_text("---\nname: Bo\n---\n")
    git(root, "add", "contacts/bo.md")
    git(root, "commit", "-qm", "Bo", date="2026-05-01")
    calls = []
    real_run = subprocess.run

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(args[0])
        return real_run(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(subprocess, "run", counting)
    dates = last_updated(root)
    assert len(calls) == 1
    assert dates[root.resolve() / "contacts/acme/jane.md"] == dt.date(2026, 4, 10)
    assert dates[root.resolve() / "contacts/bo.md"] == dt.date(2026, 5, 1)
    assert dates[root.resolve() / "mkdocs.yml"] == dt.date(2026, 1, 5)


def test_last_updated_outside_git_is_empty(tmp_path: Path) -> None:
    assert last_updated(make_kb(tmp_path / "kb")) == {}


def test_a_person_page_shows_last_updated_when_the_kb_is_in_git(tmp_path: Path) -> None:
    root = jane_history(tmp_path)
    result = generate(root)
    assert result.network.errors == ()
    page = (root / ".netkb/docs/people/jane.md").read_text()
    assert "<tr>\n<td>Last updated</td>\n<td>2026-04-10</td>\n</tr>\n" in page
    plain = make_kb(tmp_path / "plain", {"contacts/jane.md": V1})
    generate(plain)
    assert "Last updated" not in (plain / ".netkb/docs/people/jane.md").read_text()
