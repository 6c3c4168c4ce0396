"""Hostile values at netkb's edges: exports, terminals, output files, writes, temp files, git.

Each part feeds values an attacker controls (a vCard someone sends, a file in a
shared KB) to one edge and asserts what comes out: one property per value in
a vCard, one cell in a CSV, no control character on a terminal, no file written
inside the KB by an export or outside it by anything, no user edit committed
by netkb.
"""

from __future__ import annotations

import csv
import io
import json
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from types import MappingProxyType

import pytest
import vobject
from click.testing import CliRunner, Result
from helpers_import import REPO, git, git_repo, make_kb, run
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from netkb.cli import cli
from netkb.commands import output
from netkb.core.problems import error
from netkb.core.records import Network, Person, Settings, Source
from netkb.core.terminal import INVISIBLE, json_safe, visible
from netkb.core.write import (
    OutsideKnowledgeBase,
    create_file,
    remove_stale_temp_files,
    replace_file,
)
from netkb.edit.edit import EditError, edit_file
from netkb.edit.lock import LockTimeout, kb_lock
from netkb.git.repo import UncommittedChanges, require_committed, uncommitted
from netkb.interchange.export import clean, csv_text, neutralise, vcard
from netkb.interchange.importers import google
from netkb.interchange.importers import vcard as vcard_reader
from netkb.interchange.importers.google import NEUTRALISED
from netkb.load.loader import load

# -- the corpus ----------------------------------------------------------------------------

# Values that would act on a terminal, reorder what it shows, or split a line or a record.
HOSTILE = {
    "osc-title": "\x1b]0;pwned\x07",
    "clear-screen": "\x1b[2J",
    "conceal": "\x1b[8mhidden",
    "cursor-up": "\x1b[1Aup",
    "osc8-link": "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07",
    "cr-overwrite": "innocent\rEVIL",
    "nul": "a\x00b",
    "backspace": "abc\x08\x08\x08xyz",
    "bell": "ring\x07",
    "delete": "a\x7fb",
    "c1-csi": "\x9b2J",
    "next-line": "a\x85b",
    "rlo": "\u202egnp.exe",
    "isolate": "\u2066evil\u2069",
    "rlm": "a\u200fb",
    "line-separator": "a\u2028b",
    "paragraph-separator": "a\u2029b",
    "newline": "a\nforged line",
    "tab": "a\tb",
}
# Cannot be in a UTF-8 file, but a UTF-7 vCard decodes to one; no terminal can be sent one.
UNENCODABLE = {"lone-surrogate": "a\ud800b"}
# What may reach a terminal: nothing invisible but the line feeds netkb lays out.
RAW = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff]"
)
# The only escape sequences netkb writes itself: click.style's bold and colours, and reset.
OWN_STYLES = re.compile(r"\x1b\[(?:0|1|31|33)m")


def raw_leaks(text: str) -> list[str]:
    """The invisible characters in ``text`` once netkb's own styles are taken out."""
    return RAW.findall(OWN_STYLES.sub("", text))


def invoke(root: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    """``netkb --kb root args`` with colours on, so nothing is stripped before we look."""
    result = CliRunner().invoke(
        cli,
        ["--kb", str(root), *args],
        color=True,
        env={"NETKB_TODAY": "2026-06-01", **(env or {})},
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"netkb crashed: {result.exception!r}\n{result.output}")
    return result


def quoted(value: str) -> str:
    """A YAML double-quoted scalar for any text (JSON's escapes are YAML's too)."""
    return json.dumps(value)


def test_the_raw_pattern_lets_only_line_feed_through() -> None:
    assert RAW.findall("\n") == []
    assert RAW.findall("".join(HOSTILE.values()).replace("\n", "")) != []
    assert all(RAW.search(v.replace("\n", "")) for v in HOSTILE.values() if v != HOSTILE["newline"])


# -- 1. visible(): the one function --------------------------------------------------------


@pytest.mark.parametrize(
    "value", [*HOSTILE.values(), *UNENCODABLE.values()], ids=[*HOSTILE, *UNENCODABLE]
)
def test_visible_leaves_no_invisible_character(value: str) -> None:
    shown = visible(value)
    assert not INVISIBLE.search(shown)
    assert visible(shown) == shown  # idempotent: safe to apply twice
    assert shown != value
    shown.encode("utf-8")  # printable on any UTF-8 terminal


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),
        ("innocent\rEVIL", "innocent\\rEVIL"),
        ("\u202egnp.exe", "\\u202egnp.exe"),
        ("a\nb", "a\\nb"),
        ("\x9b2J", "\\x9b2J"),
        ("Zoë Müller 山田 🙂", "Zoë Müller 山田 🙂"),  # ordinary text is left alone
    ],
)
def test_visible_spells_each_character_as_its_escape(value: str, shown: str) -> None:
    assert visible(value) == shown


def test_visible_keeps_only_what_it_is_told_to() -> None:
    assert visible("a\nb\rc", keep="\n") == "a\nb\\rc"


@pytest.mark.parametrize(
    "value", [*HOSTILE.values(), *UNENCODABLE.values()], ids=[*HOSTILE, *UNENCODABLE]
)
def test_json_safe_is_the_same_json_with_nothing_raw(value: str) -> None:
    document = json.dumps({"name": value, "list": [value]}, ensure_ascii=False)
    safe = json_safe(document)
    assert json.loads(safe) == {"name": value, "list": [value]}
    assert not INVISIBLE.search(safe)


def test_problem_format_shows_escapes_in_file_names_and_messages() -> None:
    problem = error(Path("contacts/\u202eevil\x1b[2J.md"), 3, 1, "NK121", "bad \x1b]0;x\x07")
    assert problem.format() == (
        "contacts/\\u202eevil\\x1b[2J.md:3:1: error NK121: bad \\x1b]0;x\\x07"
    )


# -- 2. terminals: every command that shows user data ---------------------------------------


@pytest.fixture(scope="module")
def hostile_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One person per hostile value, the value in every text field, the notes, a log entry,
    and a file name; a git repository with an uncommitted change for ``history``."""
    root = tmp_path_factory.mktemp("hostile") / "kb"
    files: dict[str, str] = {}
    for number, value in enumerate(HOSTILE.values()):
        slug = f"hostile-{number}"
        # The notes hold the value raw (a NUL byte excepted: check refuses such a file).
        notes = value.replace("\x00", "")
        files[f"contacts/{slug}.md"] = (
            textwrap.dedent(f"""\
                ---
                name: {quoted(f"Hostile {number} {value}")}
                aliases: [{quoted("alias " + value)}]
                organization: {quoted("Org " + value)}
                role: {quoted("Role " + value)}
                location: {quoted("Town " + value)}
                tags: [{quoted("tag " + value)}]
                expertise: [{quoted("skill " + value)}]
                interests: [{quoted("hobby " + value)}]
                qualities: [{quoted("quality " + value)}]
                met_at: {quoted("Event " + value)}
                circle: 1
                relations:
                  colleague: [hostile-{(number + 1) % len(HOSTILE)}]
                ---
                """)
            + f"\nNotes {notes} end.\n"
        )
        files[f"log/2026/{slug}.md"] = textwrap.dedent(f"""\
            ---
            date: 2026-01-0{1 + number % 9}
            with: [{slug}]
            kind: {quoted("lunch " + value)}
            minutes: 30
            favor: given
            summary: {quoted("Summary " + value)}
            ---
            """)
    files["contacts/\u202eevil\x1b[2J.md"] = "---\nname: Named by its file\n---\n"
    files["contacts/bad-value.md"] = (
        f"---\nname: Bad\ncircle: {quoted(HOSTILE['osc-title'])}\n---\n"
    )
    make_kb(root, files)
    git_repo(root)
    path = root / "contacts/hostile-0.md"
    path.write_text(path.read_text().replace("Event ", "New event "))  # for history
    return root


def slugs(root: Path) -> list[str]:
    return [f"hostile-{n}" for n in range(len(HOSTILE))]


def test_check_shows_hostile_file_names_and_values_as_escapes(hostile_kb: Path) -> None:
    result = invoke(hostile_kb, "check")
    assert "\\u202eevil\\x1b[2J.md" in result.output
    assert "\\x1b]0;pwned\\x07" in result.output
    assert raw_leaks(result.output) == []


def test_show_prints_every_hostile_value_as_escapes(hostile_kb: Path) -> None:
    for number, (key, value) in enumerate(HOSTILE.items()):
        result = invoke(hostile_kb, "show", f"hostile-{number}")
        assert result.exit_code == 0, (key, result.output)
        assert raw_leaks(result.output) == [], key
        for field in ("Org ", "Role ", "Town ", "tag ", "skill ", "Summary "):
            assert field + visible(value) in result.output, (key, field)
        assert result.stdout.startswith("\x1b[1mHostile")  # the name is still bold


@pytest.mark.parametrize(
    "args",
    [
        ["find", "Hostile", "--limit", "100"],
        ["find", "skill", "--limit", "100"],
        ["due", "--days", "400"],
        ["stats"],
        ["path", "hostile-3"],
        ["path", "hostile-1", "hostile-5"],
        ["history", "hostile-0"],
        ["merge", "hostile-0", "hostile-1"],
        ["merge", "hostile-13", "hostile-12"],
    ],
    ids=lambda args: "-".join(args[:2]),
)
def test_commands_print_no_raw_control_character(hostile_kb: Path, args: list[str]) -> None:
    result = invoke(hostile_kb, *args)
    assert result.exit_code == 0, result.output
    assert raw_leaks(result.output) == []
    assert "\\x1b" in result.output or "\\u" in result.output or "\\r" in result.output


def test_the_import_dry_run_shows_a_hostile_vcard_as_escapes(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")
    cards = "".join(
        "BEGIN:VCARD\r\nVERSION:3.0\r\n"
        f"FN;ENCODING=QUOTED-PRINTABLE:Guest {n} {_qp(value)}\r\n"
        f"ORG;ENCODING=QUOTED-PRINTABLE:{_qp(value)}\r\nTITLE:CTO\r\n"
        f"BDAY;ENCODING=QUOTED-PRINTABLE:{_qp(value)}\r\n"
        "END:VCARD\r\n"
        for n, value in enumerate(HOSTILE.values())
    )
    source = tmp_path / "guests.vcf"
    source.write_text(cards, encoding="utf-8", newline="")
    result = invoke(root, "import", "vcard", str(source))
    assert result.exit_code == 0, result.output
    assert "Dry run" in result.output and "New people (" in result.output
    assert result.output.count("  + Guest") >= 15
    assert "\\x1b]0;pwned\\x07" in result.output
    assert raw_leaks(result.output) == []


def test_a_utf7_vcard_with_lone_surrogates_imports_without_a_crash(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")
    source = tmp_path / "utf7.vcf"
    source.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:2.1\r\n"
        b"FN;CHARSET=UTF-7;ENCODING=QUOTED-PRINTABLE:Ann +2AA- Lee\r\nEND:VCARD\r\n"
    )
    result = invoke(root, "import", "vcard", str(source), "--apply")
    assert result.exit_code == 0, result.output
    assert load(root).people["ann-lee"].name == "Ann \ufffd Lee"


def _qp(text: str) -> str:
    """Quoted-printable: how a vCard 2.1/3.0 carries any byte, a lone CR included."""
    return "".join(f"={byte:02X}" for byte in text.encode("utf-8"))


def test_new_prints_a_path_and_errors_without_raw_controls(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")
    result = invoke(root, "new", "Eve \x1b]0;pwned\x07 \u202eLee")
    assert result.exit_code == 0, result.output
    assert raw_leaks(result.output) == []
    assert load(root).people["eve-0-pwned-lee"].name == "Eve \x1b]0;pwned\x07 \u202eLee"
    clash = invoke(root, "new", "Zed", "--folder", "../\x1b[2J")
    assert clash.exit_code == 1
    assert "\\x1b[2J" in clash.output and raw_leaks(clash.output) == []


@pytest.mark.parametrize("command", [["find", "Hostile"], ["due", "--days", "400"], ["stats"]])
def test_csv_is_exact_in_a_file_and_visible_on_a_terminal(
    hostile_kb: Path, command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    piped = invoke(hostile_kb, *command, "--format", "csv")
    rows = list(csv.reader(io.StringIO(piped.stdout, newline="")))
    assert any(HOSTILE["osc-title"] in cell for row in rows for cell in row)  # exact data
    monkeypatch.setattr(output, "_is_terminal", lambda stream: True)
    shown = invoke(hostile_kb, *command, "--format", "csv")
    assert raw_leaks(shown.stdout.replace("\t", "")) == []
    assert "\\x1b]0;pwned\\x07" in shown.stdout


@pytest.mark.parametrize(
    "command",
    [["find", "Hostile", "--limit", "100"], ["due", "--days", "400"], ["show", "hostile-12"]],
)
def test_json_is_the_exact_data_with_nothing_raw(hostile_kb: Path, command: list[str]) -> None:
    result = invoke(hostile_kb, *command, "--format", "json")
    assert not INVISIBLE.search(result.stdout.replace("\n", ""))
    data = json.dumps(json.loads(result.stdout), ensure_ascii=False)
    assert HOSTILE["rlo"] in data  # the value itself, U+202E, once parsed


def test_export_to_a_terminal_shows_escapes_and_to_a_pipe_is_exact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_kb(
        tmp_path / "kb", {"contacts/eve.md": f"---\nname: {quoted('Eve ' + HOSTILE['rlo'])}\n---\n"}
    )
    piped = invoke(root, "export", "csv")
    assert HOSTILE["rlo"] in piped.stdout
    monkeypatch.setattr(output, "_is_terminal", lambda stream: True)
    shown = invoke(root, "export", "csv")
    assert "\\u202e" in shown.output and raw_leaks(shown.output) == []


def test_echo_lines_never_lets_a_value_forge_a_line(capsys: pytest.CaptureFixture[str]) -> None:
    output.echo_lines(["Name: Jane\nFavours: 99 given", "next"])
    assert capsys.readouterr().out == "Name: Jane\\nFavours: 99 given\nnext\n"


# -- 3. exports: one property per value ------------------------------------------------------

SOURCE = Source(Path("/kb/contacts/x.md"))


def network_of(*people: Person) -> Network:
    return Network(
        root=Path("/kb"),
        people=MappingProxyType({p.slug: p for p in people}),
        organisations=MappingProxyType({}),
        interactions=(),
        settings=Settings(),
        problems=(),
    )


def unfolded(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")[:-1]


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("field", ["name", "organization", "role", "location", "met_at"])
def test_a_hostile_value_stays_one_vcard_property(field: str, value: str) -> None:
    attack = f"Smith{value}\r\nEMAIL:attacker@example.com\rTEL:666"
    values = {"slug": "x", "name": "Jane Doe", "source": SOURCE, "body": attack, field: attack}
    text = vcard(network_of(Person(**values)), include_private=True)
    lines = text.replace("\r\n", "")
    assert "\r" not in lines and "\n" not in lines  # no lone CR, no lone LF
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", lines)
    names = [line.split(":")[0].split(";")[0] for line in unfolded(text)]
    assert "EMAIL" not in names and "TEL" not in names
    card = next(vobject.readComponents(text))
    assert "email" not in card.contents and "tel" not in card.contents
    assert len(card.contents["note"]) == 1
    assert card.note.value == clean(attack)  # line breaks kept as newlines, controls gone
    candidate = vcard_reader.read(Path("x.vcf"), text).candidates[0]
    assert "email" not in candidate.fields and "phone" not in candidate.fields


def test_the_issue_case_imported_exported_and_imported_again_stays_a_name(tmp_path: Path) -> None:
    # A lone CR arrives in an imported value as quoted-printable =0D.
    received = tmp_path / "received.vcf"
    received.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jane Smith\r\n"
        b"ORG;ENCODING=QUOTED-PRINTABLE:Smith=0DEMAIL:attacker@example.com\r\n"
        b"NOTE;ENCODING=QUOTED-PRINTABLE:hi=0DTEL:666=0D=0AURL:https://evil.example\r\n"
        b"END:VCARD\r\n"
    )
    first = make_kb(tmp_path / "first")
    assert run(first, "import", "vcard", str(received), "--apply").exit_code == 0
    jane = load(first).people["jane-smith"]
    assert jane.organization == "Smith\rEMAIL:attacker@example.com" and not jane.email
    out = tmp_path / "out.vcf"
    assert run(first, "export", "vcard", "--out", str(out)).exit_code == 0
    second = make_kb(tmp_path / "second")
    result = run(second, "import", "vcard", str(out), "--apply")
    assert result.exit_code == 0, result.output
    again = load(second).people["jane-smith"]
    assert again.organization == "Smith\nEMAIL:attacker@example.com"
    assert again.email == () and again.phone == () and again.links == ()
    assert again.body.strip() == "hi\nTEL:666\nURL:https://evil.example"


@pytest.mark.parametrize(
    "notes",
    [
        # Folds that used to land on a line reading " END:VCARD" / " BEGIN:VCARD" …
        "x" * 70
        + "END:VCARD"
        + " " * 65
        + "BEGIN:VCARD"
        + " " * 63
        + "FN:Evil"
        + " " * 67
        + "EMAIL:evil@example.com"
        + " " * 52
        + "END:VCARD",
        # … a continuation that is all blanks (vobject ends the property there) …
        "a" * 70 + " " * 300 + "EMAIL:evil@example.com",
        "a" * 71 + "\t" * 80 + "TEL:666",
        # … and an '=' at a line end where the property mentions quoted-printable.
        "quoted-printable=",
        "Quoted-Printable " + "=" * 200 + "X-NETKB-CIRCLE:1",
    ],
    ids=["fold-begin-end", "blank-run", "tab-run", "qp-end", "qp-fold"],
)
def test_folding_never_lets_a_reader_split_or_join_properties(notes: str) -> None:
    person = Person("x", "Jane Doe", SOURCE, email=("jane@example.com",), circle=3, body=notes)
    text = vcard(network_of(person), include_private=True)
    cards = list(vobject.readComponents(text))
    assert len(cards) == 1
    assert [e.value for e in cards[0].contents["email"]] == ["jane@example.com"]
    assert cards[0].note.value.strip() == notes.strip()
    assert cards[0].contents["x-netkb-circle"][0].value == "3"
    parsed = vcard_reader.read(Path("x.vcf"), text)
    assert len(parsed.candidates) == 1 and not parsed.skipped
    fields = parsed.candidates[0].fields
    assert fields["email"] == ["jane@example.com"] and fields["circle"] == 3
    assert parsed.candidates[0].notes == notes.strip()


def test_a_relation_type_cannot_break_out_of_its_parameter() -> None:
    jane = Person("jane", "Jane", SOURCE, relations=(("x:EMAIL;evil\r\n", ("john",)),))
    john = Person("john", "John", SOURCE)
    lines = unfolded(vcard(network_of(jane, john)))
    related = [line for line in lines if line.startswith("RELATED")]
    assert len(related) == 1
    assert related[0].startswith('RELATED;TYPE="x-netkb-x:EMAIL;evil ":urn:uuid:')
    assert not any(line.startswith("EMAIL") for line in lines)


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_value_stays_one_csv_cell(value: str) -> None:
    attack = f'Smith{value}\r\nx,"y"\rEVIL'
    person = Person("x", "Jane Doe", SOURCE, organization=attack, role=attack, body=attack)
    text = csv_text(network_of(person), include_private=True)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 2 and len(rows[1]) == len(rows[0])
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Organization Name"] == row["Organization Title"] == clean(attack)
    assert row["Notes"] == clean(attack)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\r]", text.replace("\r\n", ""))


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ('=HYPERLINK("https://evil.example","x")', '\'=HYPERLINK("https://evil.example","x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\uff1d1+1", "'\uff1d1+1"),  # full-width '=', which some spreadsheets accept
        ("\n=1", "'\n=1"),
        ("'=1", "''=1"),  # already guarded-looking: one more, so import gives it back
        ("''+1", "'''+1"),
        ("'quoted'", "'quoted'"),
        ("a=b", "a=b"),
    ],
)
def test_formula_cells_are_guarded_and_the_guard_comes_off_on_import(cell: str, safe: str) -> None:
    assert neutralise(cell) == safe
    assert NEUTRALISED.sub("", safe, count=1) == cell


# Values: any text, with the characters that matter here much more likely than by chance.
DANGEROUS = [*"\r\n\x00\x1b\x07\x0b\x0c\x85\u2028\u2029\t ,;:\\=\"'+-@", "\uff1d", "\u202e"]
text_values = st.text(st.one_of(st.sampled_from(DANGEROUS), st.characters()), max_size=40)
list_values = st.lists(text_values.filter(lambda v: ":::" not in v), max_size=3)


def _listed(values: list[str]) -> list[str]:
    """A list field as an import reads it back: cleaned, stripped, blanks and repeats gone."""
    return list(dict.fromkeys(v for v in (clean(x).strip() for x in values) if v))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=text_values,
    organization=text_values,
    role=text_values,
    location=text_values,
    met_at=text_values,
    body=st.text(st.one_of(st.sampled_from(DANGEROUS), st.characters()), max_size=200),
    aliases=list_values,
    expertise=list_values,
    emails=st.lists(text_values, max_size=3),
)
def test_vcard_round_trip_keeps_one_property_per_value(
    name: str,
    organization: str,
    role: str,
    location: str,
    met_at: str,
    body: str,
    aliases: list[str],
    expertise: list[str],
    emails: list[str],
) -> None:
    assume(clean(name).strip())
    person = Person(
        "x",
        name,
        SOURCE,
        aliases=tuple(aliases),
        organization=organization or None,
        role=role or None,
        location=location or None,
        met_at=met_at or None,
        expertise=tuple(expertise),
        email=tuple(emails),
        body=body,
    )
    text = vcard(network_of(person), include_private=True)
    # Any vCard reader: as many properties as values, each value whole.
    cards = list(vobject.readComponents(text))
    assert len(cards) == 1
    counts = {key: len(values) for key, values in cards[0].contents.items()}
    assert counts.get("email", 0) == len(emails)
    assert counts.get("nickname", 0) == len(aliases)
    assert counts.get("expertise", 0) == len(expertise)
    assert counts["fn"] == 1 and counts.get("org", 0) == (1 if organization else 0)
    assert counts.get("title", 0) == (1 if role else 0)
    assert counts.get("note", 0) == (1 if body.strip("\n").strip() else 0)
    assert cards[0].fn.value == clean(name)
    # netkb's own reader: the same values back, as documented in netkb.interchange.export.
    fields = vcard_reader.read(Path("x.vcf"), text).candidates[0].fields
    assert fields["name"] == " ".join(clean(name).split())
    assert fields.get("organization") == (clean(organization).strip() or None)
    assert fields.get("role") == (clean(role).strip() or None)
    assert fields.get("location") == (clean(location).strip() or None)
    assert fields.get("met_at") == (clean(met_at).strip() or None)
    assert fields.get("aliases", []) == _listed(aliases)
    assert fields.get("expertise", []) == _listed(expertise)
    notes = vcard_reader.read(Path("x.vcf"), text).candidates[0].notes
    assert notes == clean(body.strip("\n").strip()).strip()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=text_values,
    organization=text_values,
    role=text_values,
    location=text_values,
    met_at=text_values,
    body=st.text(st.one_of(st.sampled_from(DANGEROUS), st.characters()), max_size=200),
)
def test_csv_round_trip_keeps_one_cell_per_value(
    name: str, organization: str, role: str, location: str, met_at: str, body: str
) -> None:
    assume(clean(name).strip())
    person = Person(
        "x",
        name,
        SOURCE,
        organization=organization or None,
        role=role or None,
        location=location or None,
        met_at=met_at or None,
        body=body,
    )
    text = csv_text(network_of(person), include_private=True)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 2 and len(rows[0]) == len(rows[1])
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Organization Name"] == neutralise(clean(organization))
    assert row["Notes"] == neutralise(clean(body.strip("\n").strip()))
    candidate = google.read(Path("x.csv"), text).candidates[0]
    fields = candidate.fields
    assert fields["name"] == " ".join(clean(name).split())
    assert fields.get("organization") == (clean(organization).strip() or None)
    assert fields.get("role") == (clean(role).strip() or None)
    assert fields.get("location") == (clean(location).strip() or None)
    assert fields.get("met_at") == (clean(met_at).strip() or None)
    assert candidate.notes == clean(body.strip("\n").strip()).strip()


# -- 4. --out: never inside the KB, never over a file without --force -----------------------

JANE = "---\nname: Jane Doe\n---\nNotes.\n"


@pytest.mark.parametrize(
    "target",
    ["contacts/jane-doe.md", "contacts/new.vcf", "network.vcf", "log/x.csv", "mkdocs.yml"],
)
def test_out_inside_the_kb_is_refused_and_nothing_changes(tmp_path: Path, target: str) -> None:
    root = make_kb(tmp_path / "kb", {"contacts/jane-doe.md": JANE})
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    for extra in ([], ["--force"]):
        result = run(root, "export", "vcard", "--out", str(root / target), *extra)
        assert result.exit_code == 2
        assert "is inside the knowledge base" in result.output
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_out_through_a_symlink_or_dot_dot_into_the_kb_is_refused(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", {"contacts/jane-doe.md": JANE})
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere/link").symlink_to(root / "contacts")
    (tmp_path / "file-link.vcf").symlink_to(root / "contacts/jane-doe.md")
    (tmp_path / "dangling.vcf").symlink_to(root / "contacts/not-yet.md")
    for out in (
        tmp_path / "elsewhere/link/jane-doe.md",
        tmp_path / "file-link.vcf",
        tmp_path / "dangling.vcf",
        tmp_path / "elsewhere/../kb/contacts/x.vcf",
    ):
        result = run(root, "export", "vcard", "--out", str(out), "--force")
        assert result.exit_code == 2, out
        assert "is inside the knowledge base" in result.output
        assert ("really" in result.output) == (".." not in str(out))
    assert (root / "contacts/jane-doe.md").read_text() == JANE
    assert not (root / "contacts/not-yet.md").exists()


def test_an_existing_out_file_needs_force(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", {"contacts/jane-doe.md": JANE})
    out = tmp_path / "network.vcf"
    out.write_text("my own file")
    refused = run(root, "export", "vcard", "--out", str(out))
    assert refused.exit_code == 2
    assert f"{out} exists; add --force to replace it" in refused.output
    assert out.read_text() == "my own file"
    forced = run(root, "export", "vcard", "--out", str(out), "--force")
    assert forced.exit_code == 0
    assert out.read_bytes().startswith(b"BEGIN:VCARD\r\n")


def test_force_without_out_is_a_usage_error(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", {"contacts/jane-doe.md": JANE})
    result = run(root, "export", "csv", "--force")
    assert result.exit_code == 2 and "--force replaces the --out file" in result.output


def test_a_new_out_file_outside_the_kb_is_written(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", {"contacts/jane-doe.md": JANE})
    out = tmp_path / "exports/network.csv"
    result = run(root, "export", "csv", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Jane" in out.read_text()


# -- 5. writes stay inside the KB ------------------------------------------------------------


@pytest.fixture
def linked_kb(tmp_path: Path) -> tuple[Path, Path]:
    """A KB whose contacts/ and log/2026/ are symlinks to folders outside it."""
    root = make_kb(tmp_path / "kb")
    outside = tmp_path / "outside"
    (outside / "people").mkdir(parents=True)
    (outside / "log2026").mkdir()
    (root / "contacts").rmdir()
    (root / "contacts").symlink_to(outside / "people")
    (root / "log").mkdir()
    (root / "log/2026").symlink_to(outside / "log2026")
    return root, outside


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_new_refuses_a_contacts_folder_linked_out_of_the_kb(linked_kb: tuple[Path, Path]) -> None:
    root, outside = linked_kb
    result = run(root, "new", "Jane Doe")
    assert result.exit_code == 1
    assert "refusing to write" in result.output and "outside the knowledge base" in result.output
    assert "jane-doe.md" in result.output
    assert files_under(outside) == []


def test_import_refuses_a_contacts_folder_linked_out_of_the_kb(
    linked_kb: tuple[Path, Path], tmp_path: Path
) -> None:
    root, outside = linked_kb
    source = tmp_path / "people.vcf"
    source.write_text("".join(f"BEGIN:VCARD\nVERSION:3.0\nFN:P {n}\nEND:VCARD\n" for n in range(5)))
    result = run(root, "import", "vcard", str(source), "--apply")
    assert result.exit_code == 1
    assert result.output.count("refusing to write") == 1  # one message, not one per person
    assert f"{root / 'contacts'} is a symlink to {outside / 'people'}" in result.output
    assert "5 new people not created" in result.output
    assert files_under(outside) == []


def test_log_refuses_a_year_folder_linked_out_of_the_kb(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", {"contacts/jane-doe.md": JANE})
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "log").mkdir()
    (root / "log/2026").symlink_to(outside)
    result = run(root, "log", "jane-doe", "--date", "2026-03-04")
    assert result.exit_code == 1
    assert f"{root / 'log/2026'} is a symlink to {outside}" in result.output
    assert files_under(outside) == []


def test_edit_refuses_a_contact_file_linked_out_of_the_kb(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")
    target = tmp_path / "outside.md"
    target.write_text(JANE)
    (root / "contacts/jane-doe.md").symlink_to(target)
    with pytest.raises(EditError, match=r"refusing to write .*jane-doe\.md.* is a symlink to"):
        edit_file(root, root / "contacts/jane-doe.md", {"role": "CTO"})
    assert target.read_text() == JANE


def test_writes_through_a_symlink_that_stays_inside_the_kb_are_allowed(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", {"people/jane-doe.md": JANE})
    (root / "contacts/jane-doe.md").symlink_to(root / "people/jane-doe.md")
    edit_file(root, root / "contacts/jane-doe.md", {"role": "CTO"})
    assert "role: CTO" in (root / "people/jane-doe.md").read_text()
    create_file(root / "contacts/team/new.md", b"x", inside=root)
    assert (root / "contacts/team/new.md").read_bytes() == b"x"


@pytest.mark.parametrize(
    "relative", ["../escape.md", "contacts/../../escape.md", "contacts/linked/x.md"]
)
def test_create_and_replace_refuse_paths_out_of_the_kb(tmp_path: Path, relative: str) -> None:
    root = make_kb(tmp_path / "kb")
    (root / "contacts/linked").symlink_to(tmp_path)
    with pytest.raises(OutsideKnowledgeBase, match="outside the knowledge base"):
        create_file(root / relative, b"x", inside=root)
    assert not (tmp_path / "escape.md").exists() and not (tmp_path / "x.md").exists()
    (tmp_path / "x.md").write_text("mine")
    (tmp_path / "escape.md").write_text("mine")
    with pytest.raises(OutsideKnowledgeBase):
        replace_file(root / relative, b"x", inside=root)
    assert (tmp_path / "x.md").read_text() == (tmp_path / "escape.md").read_text() == "mine"


def test_mkdir_never_happens_outside_the_kb(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")
    (root / "contacts/linked").symlink_to(tmp_path)
    with pytest.raises(OutsideKnowledgeBase):
        create_file(root / "contacts/linked/new-folder/x.md", b"x", inside=root)
    assert not (tmp_path / "new-folder").exists()


# -- 6. temp files of killed writes are cleaned ----------------------------------------------

LEFTOVERS = [
    "contacts/.jane-doe.md.k3j_9x0a.netkb-tmp",
    "contacts/team/.ana.md.abcdefgh.netkb-tmp",
    "orgs/.acme.md.12345678.netkb-tmp",
    "log/2026/.2026-01-02-lunch.md.a_b_c_d_.netkb-tmp",
]
NOT_OURS = [
    "contacts/notes.netkb-tmp",  # not a name netkb makes
    "contacts/.jane.md.short.netkb-tmp",
    "contacts/.jane.md.abcdefgh.netkb-tmp.md",
    ".netkb/.x.md.abcdefgh.netkb-tmp",  # not in contacts/, orgs/ or log/
    ".top.md.abcdefgh.netkb-tmp",
]


def test_taking_the_lock_removes_stale_temp_files_and_nothing_else(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", {name: "half a file" for name in LEFTOVERS + NOT_OURS})
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / ".x.md.abcdefgh.netkb-tmp").write_text("not in the KB")
    (root / "contacts/linked").symlink_to(outside)
    (root / "contacts/.link.md.abcdefgh.netkb-tmp").symlink_to(outside / ".x.md.abcdefgh.netkb-tmp")
    with kb_lock(root):
        pass
    assert [name for name in LEFTOVERS if (root / name).exists()] == []
    assert [name for name in NOT_OURS if not (root / name).exists()] == []
    assert (outside / ".x.md.abcdefgh.netkb-tmp").exists()  # never through a symlink
    assert (root / "contacts/.link.md.abcdefgh.netkb-tmp").is_symlink()  # only regular files


def test_the_sweep_skips_a_contacts_folder_linked_out_of_the_kb(
    linked_kb: tuple[Path, Path],
) -> None:
    root, outside = linked_kb
    (outside / "people/.x.md.abcdefgh.netkb-tmp").write_text("someone else's")
    assert remove_stale_temp_files(root, ["contacts", "log"]) == []
    assert (outside / "people/.x.md.abcdefgh.netkb-tmp").exists()


def test_a_write_killed_mid_way_is_cleaned_by_the_next_command(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", {"contacts/jane-doe.md": JANE})
    code = textwrap.dedent(f"""
        import os, sys, time
        from pathlib import Path
        from netkb.core import write
        write._temp_with(Path({str(root / "contacts")!r}), "ana-lee.md", b"---\\nname: A", 0o644)
        print("written", flush=True)
        time.sleep(60)
    """)
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, cwd=REPO, text=True
    )
    assert child.stdout is not None and child.stdout.readline() == "written\n"
    child.send_signal(signal.SIGKILL)
    child.wait()
    leftovers = list((root / "contacts").glob(".ana-lee.md.*.netkb-tmp"))
    assert len(leftovers) == 1
    result = run(root, "new", "Bob Builder")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (root / "contacts").iterdir()) == [
        "bob-builder.md",
        "jane-doe.md",
    ]


def test_a_temp_file_is_left_alone_while_another_process_holds_the_lock(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", {"contacts/.jane.md.abcdefgh.netkb-tmp": "being written"})
    code = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from netkb.edit.lock import kb_lock, _acquire
        fd = _acquire(Path({str(root)!r}).resolve(), 5, None)  # the lock, without the sweep
        print("locked", flush=True)
        time.sleep(60)
    """)
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, cwd=REPO, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == "locked\n"
        with pytest.raises(LockTimeout), kb_lock(root, timeout=0.3):
            pass
        assert (root / "contacts/.jane.md.abcdefgh.netkb-tmp").exists()
    finally:
        child.kill()
        child.wait()


# -- 7. --commit never sweeps the user's own uncommitted edits into netkb's commit -----------

ANA = "---\nname: Ana Lee\nemail: [ana@example.com]\n---\n"
UPDATE = "BEGIN:VCARD\nVERSION:3.0\nFN:Ana Lee\nEMAIL:ana@example.com\nTITLE:CTO\nEND:VCARD\n"


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


@pytest.mark.parametrize("state", ["modified", "staged", "modified and staged", "untracked"])
def test_import_commit_refuses_a_file_with_uncommitted_changes(tmp_path: Path, state: str) -> None:
    root = make_kb(tmp_path / "kb", {"contacts/jane-doe.md": JANE})
    if state != "untracked":
        (root / "contacts/ana-lee.md").write_text(ANA)
    git_repo(root)
    mine = ANA + "My own notes, not committed yet.\n"
    (root / "contacts/ana-lee.md").write_text(mine)
    if state in ("staged", "modified and staged"):
        git(root, "add", "contacts/ana-lee.md")
    if state == "modified and staged":
        mine += "And more.\n"
        (root / "contacts/ana-lee.md").write_text(mine)
    source = tmp_path / "update.vcf"
    source.write_text(UPDATE + "BEGIN:VCARD\nVERSION:3.0\nFN:Bo Chen\nEND:VCARD\n")
    start = head(root)
    result = run(root, "import", "vcard", str(source), "--apply", "--commit")
    assert result.exit_code == 1
    assert f"contacts/ana-lee.md ({state})" in result.output
    assert "nothing was written" in result.output
    assert (root / "contacts/ana-lee.md").read_text() == mine
    assert not (root / "contacts/bo-chen.md").exists()
    assert head(root) == start


def test_import_commit_goes_ahead_when_the_files_it_changes_are_committed(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", {"contacts/ana-lee.md": ANA, "contacts/jane-doe.md": JANE})
    git_repo(root)
    (root / "contacts/jane-doe.md").write_text(JANE + "Edited, not committed.\n")  # not touched
    source = tmp_path / "update.vcf"
    source.write_text(UPDATE)
    result = run(root, "import", "vcard", str(source), "--apply", "--commit")
    assert result.exit_code == 0, result.output
    assert "role: CTO" in git(root, "show", "HEAD:contacts/ana-lee.md")
    assert git(root, "status", "--porcelain") == " M contacts/jane-doe.md\n"


def test_merge_commit_refuses_when_the_merged_file_has_uncommitted_changes(tmp_path: Path) -> None:
    john = "---\nname: John Smith\n---\n"
    jon = "---\nname: Jon Smith\n---\n"
    root = make_kb(tmp_path / "kb", {"contacts/john-smith.md": john, "contacts/jon-smith.md": jon})
    git_repo(root)
    (root / "contacts/jon-smith.md").write_text(jon + "Met at the fair.\n")
    start = head(root)
    result = run(root, "merge", "john-smith", "jon-smith", "--apply", "--commit")
    assert result.exit_code == 1
    assert "contacts/jon-smith.md (modified)" in result.output
    assert (root / "contacts/jon-smith.md").exists() and head(root) == start
    assert (root / "contacts/john-smith.md").read_text() == john


def test_uncommitted_works_for_a_kb_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    root = make_kb(repo / "network", {"contacts/a.md": JANE, "contacts/b.md": JANE})
    git_repo(repo)
    (root / "contacts/a.md").write_text(JANE + "x\n")
    (root / "contacts/c.md").write_text(JANE)
    paths = [root / "contacts/a.md", root / "contacts/b.md", root / "contacts/c.md"]
    assert uncommitted(root, paths) == [(paths[0], "modified"), (paths[2], "untracked")]
    with pytest.raises(UncommittedChanges, match=r"contacts/a.md \(modified\), contacts/c.md"):
        require_committed(root, paths)
    require_committed(root, [paths[1]])  # clean: no error


def test_uncommitted_reads_names_git_would_quote(tmp_path: Path) -> None:
    name = 'contacts/zoë "z" [x].md'
    root = make_kb(tmp_path / "kb", {name: JANE})
    git_repo(root)
    (root / name).write_text(JANE + "x\n")
    assert uncommitted(root, [root / name]) == [(root / name, "modified")]
    assert uncommitted(root, [root / "contacts/none.md"]) == []


# -- 8. the guard on the guard ----------------------------------------------------------------

SHOWS_USER_DATA = ["show", "find", "due", "path", "stats", "history", "merge", "new", "import_"]


@pytest.mark.parametrize("module", SHOWS_USER_DATA)
def test_commands_that_show_user_data_print_only_through_the_output_module(module: str) -> None:
    """``click.echo`` would print a value raw: these commands use netkb.commands.output."""
    source = (REPO / "netkb/commands" / f"{module}.py").read_text(encoding="utf-8")
    calls = re.findall(r"click\.(?:echo|secho|ClickException)\b", source)
    assert calls == [], f"netkb/commands/{module}.py prints with {calls}"
