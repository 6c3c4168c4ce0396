"""``netkb import google``: Google Contacts CSV, new and old layouts."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from textwrap import dedent

from click.testing import Result
from helpers_import import make_kb, run

from netkb.load.loader import load

NEW_LAYOUT = [
    "First Name",
    "Middle Name",
    "Last Name",
    "Nickname",
    "Organization Name",
    "Organization Title",
    "Birthday",
    "Notes",
    "Labels",
    "E-mail 1 - Label",
    "E-mail 1 - Value",
    "E-mail 2 - Label",
    "E-mail 2 - Value",
    "Phone 1 - Label",
    "Phone 1 - Value",
    "Address 1 - Label",
    "Address 1 - City",
    "Website 1 - Label",
    "Website 1 - Value",
]


def google_csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def import_csv(tmp_path: Path, text: str, *options: str) -> tuple[Path, Result]:
    root = make_kb(tmp_path / "kb")
    path = tmp_path / "contacts.csv"
    path.write_text(text, encoding="utf-8", newline="")
    return root, run(root, "import", "google", str(path), *options)


def test_numbered_columns_and_joined_values_become_lists(tmp_path: Path) -> None:
    jane = ["Jane", "A.", "Doe", "Janie ::: JD", "Acme, Inc.", "CTO", "1985-04-12"]
    jane += ["Met at PyCon.\nLikes jazz.", "* myContacts ::: Golf ::: * starred ::: Alumni"]
    jane += ["* Work", "jane@acme.example ::: jane@acme.de", "Home", "jane@home.example"]
    jane += ["Mobile", "+49 170 1234567", "Home", "Berlin", "Profile", "www.janedoe.example"]
    nameless = ["", "", "", "", "Just A Company"] + [""] * 14
    root, result = import_csv(tmp_path, google_csv(NEW_LAYOUT, [jane, nameless]), "--apply")
    assert result.exit_code == 0, result.output
    assert "  - contacts.csv:4: no name (a company without a person?)" in result.output
    assert (root / "contacts/jane-a-doe.md").read_text() == dedent("""\
        ---
        name: Jane A. Doe
        aliases: [Janie, JD]
        organization: Acme, Inc.
        role: CTO
        email: [jane@acme.example, jane@acme.de, jane@home.example]
        phone: ["+49 170 1234567"]
        links: ['https://www.janedoe.example']
        location: Berlin
        birthday: 1985-04-12
        tags: [Golf, Alumni]
        ---

        Met at PyCon.
        Likes jazz.
        """)


def test_the_old_layout_with_group_membership_is_read_too(tmp_path: Path) -> None:
    header = ["Name", "Given Name", "Family Name", "Birthday", "Group Membership"]
    header += ["E-mail 1 - Type", "E-mail 1 - Value", "Organization 1 - Name"]
    header += ["Organization 1 - Title"]
    row = ["Björn Eriksson", "Björn", "Eriksson", "--08-19", "* myContacts ::: Consulting"]
    row += ["* Other", "bjorn@brightwater.example", "Brightwater", "Senior Manager"]
    root, result = import_csv(tmp_path, google_csv(header, [row]), "--apply")
    assert result.exit_code == 0, result.output
    bjorn = load(root).people["bjorn-eriksson"]
    assert (bjorn.tags, str(bjorn.birthday), bjorn.organization, bjorn.role) == (
        ("Consulting",),
        "--08-19",
        "Brightwater",
        "Senior Manager",
    )


def test_a_cell_a_spreadsheet_guarded_with_a_quote_is_read_back_bare(tmp_path: Path) -> None:
    row = ["Ana", "", "Lee", "", "", "'=Chief", "", "", "", "", "", "", "", "", "'+1 555 0100"]
    root, _ = import_csv(tmp_path, google_csv(NEW_LAYOUT, [row + [""] * 4]), "--apply")
    ana = load(root).people["ana-lee"]
    assert (ana.role, ana.phone) == ("=Chief", ("+1 555 0100",))


def test_a_file_without_a_name_column_is_refused(tmp_path: Path) -> None:
    _, result = import_csv(tmp_path, "Company,Phone\nAcme,123\n", "--apply")
    assert result.exit_code == 1
    assert "contacts.csv:1: not a Google Contacts CSV: the first row has no 'First Name'" in (
        result.output
    )


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    _, result = import_csv(tmp_path, "", "--apply")
    assert result.exit_code == 1
    assert "contacts.csv: the file is empty" in result.output
