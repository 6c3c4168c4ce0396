"""Fuzzy find, filters, and resolving what a command was given (tests/network_kb.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from network_kb import PRIVATE_SLUG as PRIVATE
from network_kb import write_network

from netkb.cli import cli
from netkb.link.derive import link
from netkb.load.loader import load
from netkb.network.search import find, organisation_members, resolve_target, suggest


@pytest.fixture
def network(tmp_path: Path):
    return load(write_network(tmp_path / "kb"))


def test_names_match_despite_typos(network) -> None:
    found = find(network.people, "ana le")
    assert (found[0].slug, found[0].field, found[0].text) == ("ana-lee", "name", "Ana Lee")
    assert find(network.people, "Cleo Prak")[0].slug == "cleo-park"


def test_expertise_interests_and_notes(network) -> None:
    expert = find(network.people, "machine lerning")
    assert [(m.slug, m.field) for m in expert] == [("eve-moss", "expertise")]
    # Fay's notes: "Loves restoring vintage sailboats on the Havel."
    noted = find(network.people, "sailboats")
    assert [(m.slug, m.field) for m in noted] == [("fay-wu", "notes")]
    assert "sailboats" in noted[0].text
    # Ana's interests say "sailing": a different word, not a match for "sailboats".
    assert "ana-lee" not in {m.slug for m in noted}


def test_a_long_query_does_not_match_short_values_for_a_shared_letter_pair(network) -> None:
    # Eve's expertise "machine learning" matches; nobody's two-letter values do.
    found = find(network.people, "machine learning operations")
    assert [(m.slug, m.field, m.text) for m in found] == [
        ("eve-moss", "expertise", "machine learning")
    ]


def test_filters_without_text_list_closest_first(network) -> None:
    assert [m.slug for m in find(network.people, tag="golf")] == ["ana-lee", "dan-roe"]
    assert [m.slug for m in find(network.people, organisation="globex")] == [
        "eve-moss",
        "cleo-park",
        "dan-roe",
        "hal-kim",
    ]
    assert [m.slug for m in find(network.people, expertise="hiring", circles=[1])] == ["ana-lee"]
    assert find(network.people, expertise="hiring", circles=[2]) == []


def test_resolving_targets(network) -> None:
    facts = link(network)
    assert resolve_target("Dan Roe", facts).slugs == ("dan-roe",)
    globex = resolve_target("globex", facts)
    assert (globex.label, globex.slugs) == ("the decision-makers at Globex", ("dan-roe", "hal-kim"))
    sales = resolve_target("Head of Sales at Globex", facts)
    assert sales.slugs == ("cleo-park",)
    nobody = resolve_target("Head of Legal at Globex", facts)
    assert nobody.slugs == ("dan-roe", "hal-kim")
    assert nobody.note.startswith("nobody at Globex has the role 'Head of Legal'")
    assert organisation_members("acm", facts) == ("Acme", ["ana-lee", "bob-stone"])
    # The private person's employer is an organisation you can ask for (not the site).
    assert organisation_members("secret employer", facts) == ("Secret Employer Ltd", [PRIVATE])
    assert resolve_target("Initech", facts) is None
    assert suggest("ana-le", network.people) == "ana-lee"


def test_find_command(tmp_path: Path) -> None:
    root = write_network(tmp_path / "kb")
    result = CliRunner().invoke(cli, ["--kb", str(root), "find", "cleo", "prak"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "SCORE  PERSON                 CIRCLE  POSITION                 MATCHED",
        "   89  Cleo Park (cleo-park)       3  Head of Sales at Globex  name: Cleo Park",
    ]
    rows = json.loads(
        CliRunner()
        .invoke(cli, ["--kb", str(root), "find", "--tag", "golf", "--format", "json"])
        .output
    )
    assert [(r["slug"], r["circle"], r["organization"]) for r in rows] == [
        ("ana-lee", 1, "Acme"),
        ("dan-roe", 4, "Globex"),
    ]
    nothing = CliRunner().invoke(cli, ["--kb", str(root), "find", "zebra crossing"])
    assert nothing.output == "Nobody matches.\n"


def test_find_by_organisation_uses_the_shared_matcher(make_kb):
    """Legal forms are ignored, and an orgs/ alias joins two spellings of one employer."""
    root = make_kb(
        {
            "orgs/globex-software.md": "---\nname: Globex Software GmbH\naliases: [Globex]\n---\n",
            "contacts/ana.md": "---\nname: Ana\norganization: Globex\n---\n",
            "contacts/ben.md": "---\nname: Ben\norganization: Globex Software GmbH\n---\n",
            "contacts/cem.md": "---\nname: Cem\norganization: ACME Inc.\n---\n",
            "contacts/dia.md": "---\nname: Dia\norganization: Initech\n---\n",
        }
    )

    def found(org: str) -> list[str]:
        result = CliRunner().invoke(
            cli, ["--kb", str(root), "find", "--org", org, "--format", "json"]
        )
        assert result.exit_code == 0, result.output
        return sorted(row["slug"] for row in json.loads(result.output))

    assert found("Globex Software") == ["ana", "ben"]  # Ana's "Globex" is an alias
    assert found("globex") == ["ana", "ben"]
    assert found("Acme") == ["cem"]  # "ACME Inc." without its legal form
    assert found("Initech GmbH") == ["dia"]
