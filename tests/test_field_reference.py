"""The field reference (docs/fields.md, ``netkb fields``) is what ``check`` knows.

The reference is generated from ``netkb.load.fields``; these tests hold that catalogue to
the code that reads the files (``netkb.load.schema``, ``netkb.load.settings``), so a field added
there and not here — or listed here and read nowhere — fails the suite.

When ``test_the_committed_reference_is_up_to_date`` fails, regenerate the file:

    python -m netkb.load.fields > docs/fields.md
"""

from __future__ import annotations

import difflib
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO

from netkb.cli import cli
from netkb.core.records import Cadence
from netkb.load import settings as settings_module
from netkb.load.fields import (
    BODY,
    CONTACT,
    INTERACTION,
    KINDS,
    ORGANISATION,
    SETTINGS,
    example_file,
    generated_file,
    reference,
    section,
)
from netkb.load.frontmatter import Document
from netkb.load.loader import load
from netkb.load.schema import (
    INTERACTION_FIELDS,
    ORGANISATION_FIELDS,
    PERSON_FIELDS,
    interaction_from,
    organisation_from,
    person_from,
)
from netkb.load.settings import read_settings

REFERENCE = REPO / "docs" / "fields.md"
REGENERATE = "python -m netkb.load.fields > docs/fields.md"


class Asked(dict):
    """Front matter that remembers every key the reader asked about."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.asked: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self.asked.add(str(key))
        return super().__contains__(key)

    def __getitem__(self, key: str) -> Any:
        self.asked.add(key)
        return super().__getitem__(key)


# --- the committed file and the command ----------------------------------------------------


def test_the_committed_reference_is_up_to_date():
    committed = REFERENCE.read_text(encoding="utf-8")
    generated = generated_file()
    diff = "\n".join(
        difflib.unified_diff(
            committed.splitlines(),
            generated.splitlines(),
            "docs/fields.md",
            "generated",
            lineterm="",
        )
    )
    assert committed == generated, f"docs/fields.md is stale; run: {REGENERATE}\n{diff}"


def test_the_generator_writes_the_file_as_committed(tmp_path):
    """What the docstring tells a developer to run gives exactly the committed bytes."""
    result = subprocess.run(
        [sys.executable, "-m", "netkb.load.fields"], capture_output=True, check=True, cwd=tmp_path
    )
    assert result.stdout == REFERENCE.read_bytes()
    assert result.stdout.startswith(b"<!-- Generated from netkb/load/fields.py")


def test_netkb_fields_prints_the_reference_without_a_knowledge_base(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no mkdocs.yml here or above: fields needs none
    result = CliRunner().invoke(cli, ["fields"])
    assert (result.exit_code, result.output) == (0, reference())
    # The committed file, without its "generated" marker.
    assert result.output == REFERENCE.read_text(encoding="utf-8").split("\n", 1)[1]


@pytest.mark.parametrize(
    ("kind", "title"),
    [
        ("contact", "## Contacts: `contacts/<slug>.md`"),
        ("organisation", "## Organisations: `orgs/<slug>.md` (optional)"),
        ("log", "## Log entries: `log/<anything>.md`"),
        ("settings", "## Settings: `mkdocs.yml` → `extra.netkb`"),
    ],
)
def test_netkb_fields_kind_prints_one_part(kind, title):
    result = CliRunner().invoke(cli, ["fields", kind])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == title
    assert result.output.count("\n## ") == 0  # only that part


def test_netkb_fields_refuses_an_unknown_kind():
    result = CliRunner().invoke(cli, ["fields", "people"])
    assert result.exit_code == 2
    assert "'people' is not one of 'contact', 'organisation', 'log', 'settings'" in result.output


def test_init_says_where_the_fields_are(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["init", "kb", "--owner", "Me"])
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "Every field netkb knows: netkb fields"
    config = (tmp_path / "kb/mkdocs.yml").read_text(encoding="utf-8")
    assert "# netkb's own settings; netkb fields settings explains each one.\n  netkb:\n" in config


def test_the_readme_links_the_reference_and_no_design_file():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "[docs/fields.md](docs/fields.md)" in readme
    assert "DESIGN.md" not in readme  # the repository has no such file
    assert not (REPO / "DESIGN.md").exists()


# --- every field check knows, and nothing else ------------------------------------------------


def names(kind, *, other: bool | None = None) -> set[str]:
    return {f.name for f in kind.fields if other is None or f.other is other}


def test_the_reference_lists_the_fields_schema_validates_and_nothing_else():
    # ``other`` fields (history) are read and checked, then kept with the unknown ones.
    assert names(CONTACT, other=False) == set(PERSON_FIELDS)
    assert names(CONTACT, other=True) == {"history"}
    assert names(ORGANISATION) == set(ORGANISATION_FIELDS)
    assert names(INTERACTION) == set(INTERACTION_FIELDS)
    for kind in KINDS:
        assert len(kind.names) == len(set(kind.names)), kind.key  # each listed once


@pytest.mark.parametrize(
    ("kind", "read", "path"),
    [
        (CONTACT, person_from, "contacts/jane.md"),
        (ORGANISATION, organisation_from, "orgs/acme.md"),
        (INTERACTION, interaction_from, "log/lunch.md"),
    ],
)
def test_the_reference_lists_every_field_the_reader_asks_for(kind, read, path):
    """Whatever the reader asks the front matter for is a field it knows."""
    meta = Asked({"name": "Jane", "date": "2026-01-01", "with": ["jane"]})
    read(Document(Path(path), meta=meta), Path(path).stem, [])
    assert meta.asked == set(kind.names)


def test_the_reference_lists_every_setting_settings_reads(monkeypatch):
    netkb = Asked({"probe": None})  # not empty: an empty extra.netkb is skipped
    config = {"extra": {"netkb": netkb}}
    monkeypatch.setattr(settings_module, "load_config_text", lambda text: config)
    read_settings(REPO / "mkdocs.yml")
    assert netkb.asked == set(SETTINGS.names)


@pytest.mark.parametrize("setting", SETTINGS.names)
def test_a_wrong_value_of_each_listed_setting_is_found_at_its_line(tmp_path, setting):
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"site_name: T\nextra:\n  netkb:\n    {setting}: [not, this]\n")
    _, problems = read_settings(config)
    assert [(p.line, p.code, setting in p.message) for p in problems] == [(4, "NK160", True)]


# --- the examples are what check accepts -----------------------------------------------------


def test_every_example_passes_check_and_is_read_into_its_field(make_kb, problems_of):
    config = "site_name: T\n" + example_file(SETTINGS)
    root = make_kb(
        {
            "contacts/jane-doe.md": example_file(CONTACT),
            "contacts/john-smith.md": "---\nname: John Smith\n---\n",
            "contacts/ana-lee.md": "---\nname: Ana Lee\n---\n",
            "photos/jane-doe.jpg": "(the photo example names an image inside the KB)",
            "orgs/acme-corp.md": example_file(ORGANISATION),
            "log/lunch.md": example_file(INTERACTION),
        },
        config=config,
    )
    assert problems_of(root) == []
    network = load(root)
    jane = network.people["jane-doe"]
    # Only the field kept with the others is left over: every other one was read.
    assert [key for key, _ in jane.extra] == ["history"]
    assert (jane.organization, jane.circle, jane.decision_maker) == ("Acme Corp", 2, True)
    assert network.organisations["acme-corp"].extra == ()
    assert network.interactions[0].extra == ()
    assert network.interactions[0].with_ == ("jane-doe", "john-smith")
    assert network.settings.owner == "Pablo Valle"
    assert network.settings.networking_share == 0.05
    assert network.settings.cadence_by_circle[3] == Cadence(90, "d")


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.key)
def test_each_example_is_one_yaml_line_that_reads_back(kind):
    for item in kind.fields:
        line = f"{item.name}: {item.example}"
        assert yaml.safe_load(line) is not None, line
        assert "\n" not in line and "`" not in line, line  # it sits in a code span


# --- other names --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [CONTACT, ORGANISATION, INTERACTION], ids=lambda kind: kind.key)
def test_every_other_name_points_to_a_field_or_the_notes_and_is_not_one(kind):
    for synonym, target in kind.synonyms.items():
        assert target == BODY or target in kind.names, (synonym, target)
        assert synonym not in kind.names, synonym
        assert kind.near_miss(synonym) == target, synonym


def test_the_issues_other_names_are_all_known():
    """The usual other names the issue lists, each to the field it means."""
    wanted = {
        "organisation": "organization",
        "company": "organization",
        "employer": "organization",
        "title": "role",
        "position": "role",
        "job": "role",
        "linkedin": "links",
        "website": "links",
        "url": "links",
        "mobile": "phone",
        "tel": "phone",
        "mail": "email",
        "tag": "tags",
        "notes": BODY,
    }
    assert {key: CONTACT.near_miss(key) for key in wanted} == wanted
    log = {"people": "with", "attendees": "with", "duration": "minutes", "type": "kind"}
    assert {key: INTERACTION.near_miss(key) for key in log} == log


def test_the_reference_names_the_other_names_check_warns_about():
    words = " ".join(section(CONTACT).split())  # as read, whatever the line breaks
    assert "`check` warns about `organisation`, `company`, `employer` and `org`." in words
    assert "`check` warns about `title`, `position`, `job` and `job_title`." in words
    assert "`check` warns about `notes` and `note`." in words
