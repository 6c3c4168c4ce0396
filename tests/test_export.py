"""``netkb export``: vCard 4.0 and Google Contacts CSV, privacy, and the round trip."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
import vobject
from helpers_import import make_kb, run

from netkb.core.records import Network
from netkb.interchange.export import neutralise
from netkb.load.loader import load

JANE = dedent("""\
    ---
    name: Jane Doe
    aliases: [Janie, "Doe, J."]
    organization: Acme; Sons, Inc.
    role: CTO
    email: [jane@acme.example, jane@home.example]
    phone: ["+49 30 1234567"]
    links: [https://www.linkedin.com/in/janedoe]
    location: Berlin, Germany
    birthday: --04-12
    tags: [golf, alumni]
    expertise: [machine learning, hiring]
    interests: [sailing]
    qualities: [generous, connector]
    circle: 2
    decision_maker: true
    met: 2019-06-29
    met_at: PyCon Berlin
    introduced_by: john-smith
    relations:
      reports_to: [john-smith]
      colleague: [ana-lee]
    cadence: 30d
    last_contact: 2026-10-02
    ---

    Loves [[john-smith|John]]'s jokes; a long line of notes that needs folding in vCard.

    ## Private

    Salary: €480k.
    """)
JOHN = "---\nname: John Smith\norganization: Acme\nbirthday: 1970-01-31\n---\n"
SECRET = "---\nname: Ana Lee\nprivate: true\nrelations:\n  friend: [jane-doe]\n---\nShh.\n"
SPREADSHEET = '---\nname: =cmd|\' /C calc\'!A0\nrole: "@SUM(1+1)"\nlocation: "-2+3"\n---\n'
FIELDS = (
    *("aliases", "organization", "role", "email", "phone", "links", "location", "birthday"),
    *("tags", "expertise", "interests", "qualities", "circle", "decision_maker", "met"),
    *("met_at", "cadence", "last_contact", "private"),
)
PEOPLE = {
    "contacts/jane-doe.md": JANE,
    "contacts/john-smith.md": JOHN,
    "contacts/ana-lee.md": SECRET,
}


def exported(root: Path, *options: str) -> str:
    result = run(root, "export", *options)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes.decode("utf-8")


def test_a_person_becomes_a_vcard_40_card(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", {"contacts/john-smith.md": JOHN})
    assert exported(root, "vcard") == (
        "BEGIN:VCARD\r\n"
        "VERSION:4.0\r\n"
        "UID:urn:uuid:7da8990f-35ca-5c20-9902-f22cb8a69449\r\n"
        "FN:John Smith\r\n"
        "N:Smith;John;;;\r\n"
        "ORG:Acme\r\n"
        "BDAY:19700131\r\n"
        "END:VCARD\r\n"
    )


def test_every_field_is_written_escaped_and_folded(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", PEOPLE)
    text = exported(root, "vcard")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    cards = list(vobject.readComponents(text))
    assert [card.fn.value for card in cards] == ["Jane Doe", "John Smith"]
    jane = cards[0]
    lines = "".join(text.split("\r\n ")).split("\r\n")  # unfolded
    for expected in [
        "NICKNAME:Janie",
        "NICKNAME:Doe\\, J.",
        "ORG:Acme\\; Sons\\, Inc.",
        "ADR:;;;Berlin\\, Germany;;;",
        "BDAY:--0412",
        "CATEGORIES:golf,alumni",
        "EXPERTISE:machine learning",
        "INTEREST:sailing",
        "RELATED;TYPE=x-netkb-reports-to:urn:uuid:7da8990f-35ca-5c20-9902-f22cb8a69449",
        "X-NETKB-INTRODUCED-BY:urn:uuid:7da8990f-35ca-5c20-9902-f22cb8a69449",
        "X-NETKB-CIRCLE:2",
        "X-NETKB-CADENCE:30d",
    ]:
        assert expected in lines
    assert [e.value for e in jane.contents["email"]] == ["jane@acme.example", "jane@home.example"]
    assert jane.note.value.startswith("Loves [[john-smith|John]]'s jokes; a long line")


def test_private_people_and_private_notes_stay_out_unless_asked(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", PEOPLE)
    for fmt in ("vcard", "csv"):
        text = exported(root, fmt)
        assert "Lee" not in text and "Shh" not in text
        assert "Salary" not in text and "Private" not in text
        assert "colleague" not in text  # the relation to the private person goes too
        full = exported(root, fmt, "--include-private")
        assert "Lee" in full and "Shh." in full and "Salary: €480k." in full


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+49 30 1", "'+49 30 1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Jane", "Jane"),
        ("a=b", "a=b"),
    ],
)
def test_neutralise_guards_cells_a_spreadsheet_would_run(cell: str, safe: str) -> None:
    assert neutralise(cell) == safe


def test_the_csv_has_no_cell_a_spreadsheet_would_run(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", {**PEOPLE, "contacts/evil.md": SPREADSHEET})
    rows = list(csv.reader(io.StringIO(exported(root, "csv"))))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=cmd|' /C" in cells and "'@SUM(1+1)" in cells and "'-2+3" in cells
    assert "'+49 30 1234567" in cells


def test_out_writes_a_file_and_says_how_many(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", PEOPLE)
    out = tmp_path / "network.vcf"
    out.write_text("old")
    result = run(root, "export", "vcard", "--out", str(out), "--force")
    assert result.exit_code == 0
    assert f"Exported 2 people to {out}" in result.output
    assert out.read_bytes().startswith(b"BEGIN:VCARD\r\n")


def fields(network: Network) -> dict[str, dict[str, Any]]:
    """Every person's fields by name, references by name, notes stripped."""
    people = network.people

    def name(slug: str) -> str:
        return people[slug].name

    result = {}
    for person in people.values():
        values = {key: getattr(person, key) for key in FIELDS}
        values["introduced_by"] = name(person.introduced_by) if person.introduced_by else None
        # New files list relation types alphabetically (scaffold.contact_text): compare sorted.
        values["relations"] = sorted((k, [name(t) for t in ts]) for k, ts in person.relations)
        values["notes"] = person.body.strip()
        result[person.name] = values
    return result


@pytest.mark.parametrize(("fmt", "source"), [("vcard", "vcard"), ("csv", "google")])
def test_export_then_import_into_an_empty_kb_gives_the_same_people(
    tmp_path: Path, fmt: str, source: str
) -> None:
    root = make_kb(tmp_path / "kb", {**PEOPLE, "contacts/evil.md": SPREADSHEET})
    out = tmp_path / f"network.{fmt}"
    run(root, "export", fmt, "--include-private", "--out", str(out))
    empty = make_kb(tmp_path / "empty")
    result = run(empty, "import", source, str(out), "--apply")
    assert result.exit_code == 0, result.output
    assert "Imported from" in result.output and "4 new, 0 updated" in result.output
    before, after = load(root), load(empty)
    # The same people: the same warnings (Acme beside "Acme; Sons, Inc.": NK151), no errors.
    assert [p.message for p in after.problems] == [p.message for p in before.problems]
    assert not after.errors
    assert fields(after) == fields(before)
