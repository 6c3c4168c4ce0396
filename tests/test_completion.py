"""Shell completion: ``netkb completion SHELL`` prints Click's script, and the words a
shell would ask about (COMP_WORDS / COMP_CWORD, as bash sets them) get netkb's answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from netkb.cli import cli
from netkb.commands.completion import COMPLETE_VAR

PEOPLE = {
    "jane-doe": "---\nname: Jane Doe\norganization: Acme Corp\ncircle: 2\n---\n",
    "ana-jansen": "---\nname: Ana Jansen\n---\n",
    "bob-stone": "---\nname: Bob Stone\n---\n",
    "evil": '---\nname: "Eve\\e]0;pwned\\a"\n---\n',  # a name with terminal escapes
}


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    (root / "contacts").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: Test\n", encoding="utf-8")
    for slug, text in PEOPLE.items():
        (root / "contacts" / f"{slug}.md").write_text(text, encoding="utf-8")
    return root


def complete(cwd: Path, words: str, shell: str = "bash", monkeypatch=None) -> list[str]:
    """What netkb answers when ``shell`` completes the last of ``words`` (as typed)."""
    typed = words.split(" ")
    env = {
        COMPLETE_VAR: f"{shell}_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(typed) - 1),
    }
    if shell == "fish":
        env = {COMPLETE_VAR: "fish_complete", "COMP_WORDS": words, "COMP_CWORD": typed[-1]}
    result = CliRunner().invoke(cli, [], env=env, prog_name="netkb", catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return [line for line in result.output.splitlines() if line]  # "" when nothing


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_script_is_clicks_for_netkb(shell):
    result = CliRunner().invoke(cli, ["completion", shell])
    assert result.exit_code == 0
    assert f"{COMPLETE_VAR}={shell}_complete" in result.output
    assert "netkb" in result.output


def test_an_unknown_shell_is_a_usage_error():
    result = CliRunner().invoke(cli, ["completion", "tcsh"])
    assert result.exit_code == 2
    assert "'tcsh' is not one of 'bash', 'zsh', 'fish'" in result.output


def test_a_person_completes_to_slugs_best_first(kb, monkeypatch):
    monkeypatch.chdir(kb)
    # bash prints "type,value" lines: the slug prefix first, then a name that starts so.
    assert complete(kb, "netkb show ja") == ["plain,jane-doe", "plain,ana-jansen"]
    assert complete(kb, "netkb log bob-stone ja") == ["plain,jane-doe", "plain,ana-jansen"]
    assert complete(kb, "netkb merge jane-doe b") == ["plain,bob-stone"]
    assert complete(kb, "netkb history zz") == []


def test_zsh_shows_the_name_beside_the_slug_made_safe(kb, monkeypatch):
    monkeypatch.chdir(kb)
    assert complete(kb, "netkb show jane", "zsh") == [
        "plain",
        "jane-doe",
        "Jane Doe · Acme Corp · circle 2",
    ]
    evil = complete(kb, "netkb show ev", "zsh")
    assert evil == ["plain", "evil", "Eve\\x1b]0;pwned\\x07"]


def test_fish_completes_people_too(kb, monkeypatch):
    monkeypatch.chdir(kb)
    assert complete(kb, "netkb show an", "fish") == [
        "plain,ana-jansen\tAna Jansen",
        "plain,jane-doe\tJane Doe · Acme Corp · circle 2",  # "an" inside her slug
    ]


def test_kind_completes_its_values(kb, monkeypatch):
    monkeypatch.chdir(kb)
    assert complete(kb, "netkb log jane-doe --kind c") == [
        "plain,coffee",
        "plain,call",
    ]


def test_kb_before_the_command_is_where_people_come_from(kb, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # not inside the KB
    assert complete(tmp_path, "netkb show ja") == []
    assert complete(tmp_path, f"netkb --kb {kb} show ja") == ["plain,jane-doe", "plain,ana-jansen"]
