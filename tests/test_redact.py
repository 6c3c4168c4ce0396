"""The redaction transform: the chosen values are gone from every record before linking."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import copy_demo, write_kb

from netkb.core.records import DEFAULT_REDACT, REDACTABLE, Birthday, Cadence, Network, Source
from netkb.link.derive import link
from netkb.link.redact import HIDDEN, HIDDEN_NOTES, RedactError, initials, redact
from netkb.load.loader import load
from netkb.load.settings import read_settings


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Network:
    network = load(copy_demo(tmp_path_factory.mktemp("demo") / "kb"))
    assert network.errors == ()
    return network


def strings(value: Any) -> Iterator[str]:
    """Every text anywhere in a record: each attribute, walked into tuples and mappings
    (a record's Source, its file and line numbers, holds nothing of the user's values)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Source):
        return
    elif isinstance(value, Birthday | Cadence):
        yield str(value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from strings(getattr(value, item.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(key)
            yield from strings(item)
    elif value is not None and not isinstance(value, bool | int | float):
        yield str(value)  # dates, birthdays, cadences


def record_text(network: Network) -> str:
    records = [*network.people.values(), *network.organisations.values(), *network.interactions]
    return "\n".join(s for record in records for s in strings(record))


def free_text(network: Network) -> str:
    """Where a person's whereabouts are written: location, met_at, notes, summaries and
    the other fields."""
    found = []
    for person in network.people.values():
        found += strings((person.location, person.met_at, person.body, person.extra))
    for organisation in network.organisations.values():
        found += strings((organisation.body, organisation.extra))
    for interaction in network.interactions:
        found += strings((interaction.summary, interaction.body, interaction.extra))
    return "\n".join(found)


def people_text(network: Network) -> str:
    return "\n".join(s for person in network.people.values() for s in strings(person))


def real_values(network: Network, name: str) -> set[str]:
    """The demo's values of one redactable kind, as written."""
    people = list(network.people.values())
    if name == "email":
        return {e for p in people for e in p.email}
    if name == "phone":
        return {e for p in people for e in p.phone}
    if name == "birthday":
        return {str(p.birthday) for p in people if p.birthday}
    if name == "location":
        return {v for p in people for v in (p.location, p.met_at) if v}
    if name == "notes":  # each line of every note (short ones may be a name or a heading)
        bodies = [r.body for r in (*people, *network.organisations.values(), *network.interactions)]
        lines = {line.strip() for body in bodies for line in body.splitlines()}
        return {line for line in lines if len(line) > 30}
    if name == "organisation":
        return {p.organization for p in people if p.organization}
    if name == "names":
        return {n for p in people for n in (p.name, *p.aliases)}
    raise AssertionError(name)


def whole_word(value: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text) is not None


@pytest.mark.parametrize("name", ["email", "phone", "birthday", "location", "notes", "names"])
def test_every_real_value_of_a_chosen_field_is_gone_from_every_record(
    demo: Network, name: str
) -> None:
    values = real_values(demo, name)
    assert values  # the demo has some to hide
    # A city is also a word of roles and organisation names ("Berlin Startup Night"):
    # redaction hides where people are and where you met, and every note that says so.
    text = free_text if name == "location" else record_text
    before, after = text(demo), text(redact(demo, [name]))
    assert all(whole_word(v, before) for v in values)
    assert [v for v in values if whole_word(v, after)] == []


def test_organisations_leave_every_person(demo: Network) -> None:
    values = real_values(demo, "organisation")
    redacted = redact(demo, ["organisation"])
    assert all(p.organization is None for p in redacted.people.values())
    assert [v for v in values if whole_word(v, record_text(redacted))] == []
    assert redacted.organisations == {}
    assert not any(key == "history" for p in redacted.people.values() for key, _ in p.extra)
    assert link(redacted).person_org == {}


def test_favours_and_minutes_are_gone_and_so_is_what_is_derived_from_them(demo: Network) -> None:
    assert any(i.favor for i in demo.interactions) and any(i.minutes for i in demo.interactions)
    redacted = redact(demo, ["favours", "minutes"])
    assert {i.favor for i in redacted.interactions} == {None}
    assert {i.minutes for i in redacted.interactions} == {0}
    standings = link(redacted).standings()
    assert {(s.favours.given, s.favours.received) for s in standings.values()} == {(0, 0)}


def test_the_default_set_hides_its_five_and_keeps_names_and_the_rest(demo: Network) -> None:
    assert DEFAULT_REDACT == ("email", "phone", "birthday", "location", "notes")
    redacted = redact(demo, DEFAULT_REDACT)
    after = record_text(redacted)
    for name in DEFAULT_REDACT:
        text = free_text(redacted) if name == "location" else after
        assert [v for v in real_values(demo, name) if whole_word(v, text)] == [], name
    for name in ("names", "organisation"):
        assert all(whole_word(v, after) for v in real_values(demo, name)), name
    assert [i.favor for i in redacted.interactions] == [i.favor for i in demo.interactions]
    assert [i.minutes for i in redacted.interactions] == [i.minutes for i in demo.interactions]
    assert redacted.settings.redacted == DEFAULT_REDACT
    assert demo.settings.redacted == ()


def test_private_people_stay_private(demo: Network) -> None:
    redacted = redact(demo, REDACTABLE)
    private = {slug for slug, p in demo.people.items() if p.private}
    assert private == {"sabine-vogt"}
    assert {slug for slug, p in redacted.people.items() if p.private} == private
    assert set(link(redacted).public) == set(link(demo).public)


def test_notes_become_one_placeholder_and_empty_notes_stay_empty(demo: Network) -> None:
    redacted = redact(demo, ["notes"])
    for before, after in zip(demo.interactions, redacted.interactions, strict=True):
        assert after.body == (HIDDEN_NOTES if before.body.strip() else before.body)
        assert after.summary == (HIDDEN if before.summary else None)


def test_names_become_initials_one_label_per_person_and_links_keep_their_slug(
    tmp_path: Path,
) -> None:
    files = {
        "contacts/jane-doe.md": "---\nname: Jane Doe\naliases: [Janie]\n---\n",
        "contacts/john-dean.md": "---\nname: John Dean\nlinks: [https://x.example/johndean]\n---\n",
        "contacts/ana-lee.md": (
            "---\nname: Ana Lee\nmet_at: Jane Doe's party\n---\n"
            "Met [[Jane Doe]] and [[john-dean|Johnny]]; Janie knows jane@acme.example.\n"
        ),
    }
    network = load(write_kb(tmp_path / "kb", files))
    assert initials(network.people) == {
        "ana-lee": "A. L.",
        "jane-doe": "J. D.",
        "john-dean": "J. D. 2",
    }
    redacted = redact(network, ["names", "email"])
    ana = redacted.people["ana-lee"]
    assert ana.name == "A. L."
    assert (
        ana.body
        == "Met [[jane-doe|J. D.]] and [[john-dean|J. D. 2]]; J. D. knows jane@acme.example.\n"
    )
    assert ana.met_at == "J. D.'s party"
    assert redacted.people["jane-doe"].aliases == ()
    assert redacted.people["john-dean"].links == ()
    facts = link(redacted)
    assert facts.mentions["jane-doe"] == [("person", "ana-lee")]


def test_a_private_persons_initials_never_number_a_public_ones(tmp_path: Path) -> None:
    files = {
        "contacts/a-jane-doe.md": "---\nname: Jane Doe\nprivate: true\n---\n",
        "contacts/john-dean.md": "---\nname: John Dean\n---\n",
    }
    network = load(write_kb(tmp_path / "kb", files))
    assert initials(network.people) == {"john-dean": "J. D.", "a-jane-doe": "J. D. 2"}


def test_a_value_written_elsewhere_goes_too(tmp_path: Path) -> None:
    files = {
        "contacts/jane-doe.md": (
            '---\nname: Jane Doe\nemail: jane@acme.example\nphone: "+49 30 1234567"\n'
            'mobile: "+49 170 0000000"\nassistant_email: anna@acme.example\nteam: Platform\n---\n'
        ),
        "contacts/ana-lee.md": "---\nname: Ana Lee\n---\nWrite to jane@acme.example or +49 30 1234567.\n",  # noqa: E501
    }
    network = load(write_kb(tmp_path / "kb", files))
    redacted = redact(network, ["email", "phone"])
    assert redacted.people["jane-doe"].extra == (("team", "Platform"),)
    assert redacted.people["ana-lee"].body == f"Write to {HIDDEN} or {HIDDEN}.\n"


def test_problems_keep_their_place_and_code_but_not_the_value_they_quote(tmp_path: Path) -> None:
    files = {"contacts/jane-doe.md": "---\nname: Jane Doe\nemail: not-an-address-secret\n---\n"}
    network = load(write_kb(tmp_path / "kb", files))
    assert any("not-an-address-secret" in p.message for p in network.problems)
    redacted = redact(network, ["email"])
    assert [(p.path, p.line, p.code) for p in redacted.problems] == [
        (p.path, p.line, p.code) for p in network.problems
    ]
    assert not any("secret" in p.message for p in redacted.problems)


def test_an_unknown_name_is_refused() -> None:
    with pytest.raises(RedactError, match="cannot redact 'salary'; choose from email, phone"):
        redact(
            Network(Path("."), {}, {}, (), read_settings(Path("/nonexistent"))[0], ()), ["salary"]
        )


def test_the_setting_reads_a_list_and_names_what_it_cannot_redact(tmp_path: Path) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text("extra:\n  netkb:\n    redact: [email, names]\n", encoding="utf-8")
    settings, problems = read_settings(config)
    assert (settings.redact, problems) == (("email", "names"), [])
    config.write_text("site_name: x\nextra:\n  netkb:\n    redact: [email, salary]\n")
    settings, problems = read_settings(config)
    assert settings.redact == ("email",)
    assert [p.format(tmp_path) for p in problems] == [
        "mkdocs.yml:4:1: error NK160: redact: 'salary' cannot be redacted; choose from email, "
        "phone, birthday, location, notes, favours, organisation, minutes, names"
    ]
    assert read_settings(tmp_path / "missing.yml")[0].redact == DEFAULT_REDACT
