"""A warm ``netkb check``: records from the cache, the checks between records every time,
the lookups they need built once."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from network_kb import write_network

from netkb.cli import cli
from netkb.commands.output import describe_totals
from netkb.core import references
from netkb.link.derive import link
from netkb.load.loader import load
from netkb.network.counts import totals


def check(root: Path) -> str:
    result = CliRunner().invoke(cli, ["--kb", str(root), "check"])
    assert result.exit_code in (0, 1), result.output
    return result.output


def test_check_builds_the_lookups_once(tmp_path: Path, monkeypatch) -> None:
    """The checks between records and the totals line share one Index (at 10,000
    people each one took 15 ms)."""
    root = write_network(tmp_path / "kb")
    check(root)  # cold
    built: list[int] = []
    real = references.Index.__init__

    def counting(self, people, organisations, *known) -> None:
        built.append(len(people))
        real(self, people, organisations, *known)

    monkeypatch.setattr(references.Index, "__init__", counting)
    output = check(root)
    assert built == [9]
    summary = describe_totals(totals(link(load(root))))
    assert output.splitlines()[-1].startswith(f"{summary}: ")


def test_a_warm_check_says_what_a_cold_one_said(tmp_path: Path) -> None:
    root = write_network(tmp_path / "kb")
    (root / "contacts/fay-double.md").write_text(
        "---\nname: Fay Wu\nrelations:\n  colleague: [no-such-person]\n---\n",
        encoding="utf-8",
    )
    cold = check(root)
    assert "contacts/fay-double.md:4:15: error NK140: relations.colleague: no person" in cold
    assert (
        "contacts/fay-wu.md:2:1: warning NK150: Fay Wu (fay-wu) may be the same person as "
        "Fay Wu (fay-double): same name." in cold
    )
    assert check(root) == cold
    assert check(root) == cold  # the locations the second run kept give the same lines
