"""One organisation matcher for check, the site, --where, path and every import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers_import import make_kb as make_import_kb
from helpers_import import run

from netkb.core.references import Index, organisation_key
from netkb.link.derive import link
from netkb.load.loader import load
from netkb.network.selection import same_organisation


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("ACME Inc.", "acme"),
        ("Acme", "acme"),
        ("acme, inc", "acme"),
        ("Globex Software GmbH", "globex software"),
        ("Banco Mirador S.A.", "banco mirador"),
        ("Kiln Labs Pty Ltd", "kiln labs"),
        ("Hooli Corporation", "hooli"),
        ("Vandelay Industries, S.L.", "vandelay industries"),
        ("Müller & Co. KG", "muller"),
        ("AG", "ag"),  # nothing but a legal form keeps it
    ],
)
def test_organisation_names_compare_without_case_punctuation_or_legal_form(written, key):
    assert organisation_key(written) == key


def test_acme_and_acme_inc_are_one_organisation_page_without_an_org_file(make_kb):
    root = make_kb(
        {
            "contacts/ana.md": "---\nname: Ana\norganization: Acme\n---\n",
            "contacts/ben.md": "---\nname: Ben\norganization: ACME Inc.\n---\n",
        }
    )
    facts = link(load(root), today=dt.date(2026, 3, 2))
    groups, person_org = facts.organisation_groups()
    assert person_org["ana"] == person_org["ben"] == "acme"
    assert groups["acme"].name == "Acme"
    assert groups["acme"].people == ["ana", "ben"]


GLOBEX_PEOPLE = {
    "contacts/ana.md": "---\nname: Ana\norganization: Globex\n---\n",
    "contacts/ben.md": "---\nname: Ben\norganization: Globex Software GmbH\n---\n",
    "contacts/cem.md": "---\nname: Cem\norganization: globex software gmbh\n---\n",
}


def test_a_name_that_is_another_plus_more_words_gets_a_warning_naming_both(make_kb, problems_of):
    root = make_kb(GLOBEX_PEOPLE)
    assert problems_of(root) == [
        "contacts/ana.md:3:15: warning NK151: organization 'Globex' (ana) may be "
        "'Globex Software GmbH' (ben, cem): one name is the other plus more words. If they "
        'are one employer: netkb new org "Globex Software GmbH" --alias Globex joins them; '
        "if not, ignore this"
    ]


def test_the_warning_names_the_org_file_that_would_take_the_alias(make_kb, problems_of):
    org = "---\nname: Globex Software GmbH\nwebsite: https://globex.example\n---\n"
    root = make_kb({**GLOBEX_PEOPLE, "orgs/globex-software.md": org})
    assert problems_of(root) == [
        "contacts/ana.md:3:15: warning NK151: organization 'Globex' (ana) may be "
        "'Globex Software GmbH' (ben, cem): one name is the other plus more words. If they "
        "are one employer: add aliases: [Globex] to orgs/globex-software.md; if not, "
        "ignore this"
    ]


def test_with_the_alias_they_are_one_employer_on_the_site_and_in_where(make_kb, problems_of):
    org = "---\nname: Globex Software GmbH\naliases: [Globex]\n---\n"
    root = make_kb({**GLOBEX_PEOPLE, "orgs/globex-software.md": org})
    assert problems_of(root) == []
    network = load(root)
    facts = link(network, today=dt.date(2026, 3, 2))
    _, person_org = facts.organisation_groups()
    assert {person_org[s] for s in ("ana", "ben", "cem")} == {"globex-software"}
    index = Index(network.people, network.organisations)
    assert same_organisation("Globex", "GLOBEX SOFTWARE", index)
    assert not same_organisation("Globex", "Globex Software", Index(network.people, {}))


def test_path_reaches_everyone_at_an_organisation_by_any_of_its_names(make_kb):
    org = "---\nname: Globex Software GmbH\naliases: [Globex]\n---\n"
    files = {
        **GLOBEX_PEOPLE,
        "orgs/globex-software.md": org,
        "log/a.md": "---\ndate: 2026-01-05\nwith: [ana]\n---\n",
        "log/c.md": "---\ndate: 2026-01-06\nwith: [cem]\n---\n",
    }
    root = make_kb(files)
    result = run(root, "path", "Globex", "--today", "2026-03-02")
    assert result.exit_code == 0, result.output
    assert "1. you → Ana\n" in result.output
    assert "2. you → Cem\n" in result.output


IMPORT_HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
ANA = "---\nname: Ana Lee\norganization: Globex\nrole: CTO\n---\n"


def _linkedin(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "Connections.csv"
    path.write_text(IMPORT_HEADER + rows, encoding="utf-8")
    return path


def test_an_import_keeps_the_users_spelling_of_an_aliased_employer(tmp_path: Path) -> None:
    org = "---\nname: Globex Software GmbH\naliases: [Globex]\n---\n"
    root = make_import_kb(
        tmp_path / "kb", {"contacts/ana-lee.md": ANA, "orgs/globex-software.md": org}
    )
    rows = "Ana,Lee,,,Globex Software GmbH,CTO,\n"
    result = run(root, "import", "linkedin", str(_linkedin(tmp_path, rows)), "--apply")
    assert "Already up to date: 1 person" in result.output
    assert "organization" not in result.output
    assert (root / "contacts/ana-lee.md").read_text() == ANA


def test_an_import_keeps_acme_for_acme_inc_without_an_org_file(tmp_path: Path) -> None:
    acme = "---\nname: Ana Lee\norganization: Acme\nrole: CTO\n---\n"
    root = make_import_kb(tmp_path / "kb", {"contacts/ana-lee.md": acme})
    rows = 'Ana,Lee,,,"ACME, Inc.",CTO,\n'
    result = run(root, "import", "linkedin", str(_linkedin(tmp_path, rows)))
    assert "Already up to date: 1 person" in result.output


def test_without_the_alias_an_import_proposes_the_new_employer(tmp_path: Path) -> None:
    root = make_import_kb(tmp_path / "kb", {"contacts/ana-lee.md": ANA})
    rows = "Ana,Lee,,,Globex Software GmbH,CTO,\n"
    result = run(root, "import", "linkedin", str(_linkedin(tmp_path, rows)))
    assert "  ~ Ana Lee: organization Globex → Globex Software GmbH" in result.output


def test_new_org_writes_an_org_file_named_without_the_legal_form(tmp_path: Path) -> None:
    root = make_import_kb(tmp_path / "kb")
    result = run(root, "new", "org", "Globex Software GmbH", "--alias", "Globex")
    assert result.exit_code == 0, result.output
    assert result.output.endswith("orgs/globex-software.md\n")
    assert (root / "orgs/globex-software.md").read_text() == (
        "---\nname: Globex Software GmbH\naliases: [Globex]\n---\n"
    )


def test_new_org_refuses_an_organisation_that_has_a_file(tmp_path: Path) -> None:
    org = "---\nname: Globex Software GmbH\naliases: [Globex]\n---\n"
    root = make_import_kb(tmp_path / "kb", {"orgs/globex-software.md": org})
    result = run(root, "new", "org", "GLOBEX")
    assert result.exit_code == 1
    assert result.output == (
        "Error: 'GLOBEX' is already an organisation: orgs/globex-software.md; "
        "edit that file instead\n"
    )


def test_new_org_takes_no_person_fields(tmp_path: Path) -> None:
    root = make_import_kb(tmp_path / "kb")
    result = run(root, "new", "org", "Globex", "--role", "CTO")
    assert result.exit_code == 2
    assert "Error: --role: not for an organisation" in result.output


def test_new_with_an_unknown_organisation_close_to_a_known_one_suggests_it(
    tmp_path: Path,
) -> None:
    root = make_import_kb(tmp_path / "kb", {"contacts/ana-lee.md": ANA})
    result = run(root, "new", "Ben Ode", "--org", "Globx")
    assert result.exit_code == 0
    assert (
        "note: no one is at 'Globx' yet; did you mean 'Globex'? Written as you typed it.\n"
    ) in result.output
    # Not on a terminal: written as typed.
    assert "organization: Globx\n" in (root / "contacts/ben-ode.md").read_text()


def test_new_with_a_longer_spelling_of_a_known_organisation_suggests_it(tmp_path: Path) -> None:
    root = make_import_kb(tmp_path / "kb", {"contacts/ana-lee.md": ANA})
    result = run(root, "new", "Ben Ode", "--org", "Globex Software GmbH")
    assert "did you mean 'Globex'?" in result.output
    result = run(root, "new", "Cem Ode", "--org", "GLOBEX Inc.")
    assert "did you mean" not in result.output  # the same organisation: nothing to ask
