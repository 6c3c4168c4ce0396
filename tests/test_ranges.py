"""Ranges of the contract (DESIGN.md §2) and file names that could not be page addresses.

Dates lie between 1900 and 2200, one interaction takes 0 to 1440 minutes, a circle is
1 to 5 and a cadence at most a century: anything else is an error at its line, never a
traceback later in ``build``, ``stats``, ``due`` or ``show``. A contact or organisation
file whose name holds URL, Markdown or HTML syntax is an error at ``path:1:1`` and its
record is left out, so it reaches no page.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path
from textwrap import dedent

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netkb.build.site import generate
from netkb.cli import cli
from netkb.core.ranges import MAX_CADENCE
from netkb.core.records import Birthday, Cadence
from netkb.core.slugs import file_name_error, suggested_slug
from netkb.link.derive import derive
from netkb.load.loader import load
from netkb.load.schema import parse_cadence
from netkb.render.render import SiteRenderer

DATES = "dates lie between 1900-01-01 and 2200-12-31"
MINUTES = "one interaction takes 0 to 1440 minutes (a day)"
NOT_MINUTES = "minutes must be a whole number of minutes, 0 to 1440, not"
CIRCLE = "circle must be a whole number from 1 (inner circle) to 5 (acquaintance), not"
CADENCE = "is too long; a cadence is at most 100 years: 100y, 1200m, 5217w or 36525d"
SAFE = "only letters, digits, '-', '_' and '.' are safe"
NOT_A_DATE = "met must be a date written YYYY-MM-DD, not"
BAD_DATE = "Invalid value for '--date':"
BAD_MINUTES = "Invalid value for '--minutes':"


def netkb(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--kb", str(root), *args])


# --- a person's fields out of range ---------------------------------------------------------

# The line written after `name: Jane` (line 3 of contacts/jane.md), and what check says.
PERSON_CASES = [
    ("met: 1899-12-31", "3:6: error NK134: met 1899-12-31 is out of range; " + DATES),
    ("met: 2201-01-01", "3:6: error NK134: met 2201-01-01 is out of range; " + DATES),
    ("met: 0999-05-05", "3:6: error NK134: met 0999-05-05 is out of range; " + DATES),
    ('met: "0001-01-01"', "3:6: error NK134: met 0001-01-01 is out of range; " + DATES),
    ("met: 9999-12-31", "3:6: error NK134: met 9999-12-31 is out of range; " + DATES),
    # A date with a time counts as its day, and its day must be in range.
    ("met: 1899-12-31 23:59:59", "3:6: error NK134: met 1899-12-31 is out of range; " + DATES),
    (
        "met: 9999-12-31T23:00:00-05:00",
        "3:6: error NK134: met 9999-12-31 is out of range; " + DATES,
    ),
    ("met: 0000-01-01", "3:6: error NK122: met 0000-01-01 is not a real calendar date"),
    ("met: 10000-01-01", f"3:6: error NK122: {NOT_A_DATE} '10000-01-01'"),
    ("met: 2024-01-01 10:00", f"3:6: error NK122: {NOT_A_DATE} '2024-01-01 10:00'"),
    ("met: 20240101", f"3:6: error NK122: {NOT_A_DATE} 20240101"),
    ("met: .inf", f"3:6: error NK122: {NOT_A_DATE} .inf"),
    (
        "last_contact: 2201-01-01",
        "3:15: error NK134: last_contact 2201-01-01 is out of range; " + DATES,
    ),
    (
        "birthday: 1850-04-12",
        '3:11: error NK134: birthday 1850-04-12: the year 1850 is out of range (1900 to 2200); '
        'write "--04-12" (quoted) when the year is unknown',
    ),
    (
        'birthday: "2999-02-28"',
        '3:11: error NK134: birthday 2999-02-28: the year 2999 is out of range (1900 to 2200); '
        'write "--02-28" (quoted) when the year is unknown',
    ),
    (
        "birthday: 0999-05-05 12:00:00",
        '3:11: error NK134: birthday 0999-05-05: the year 999 is out of range (1900 to 2200); '
        'write "--05-05" (quoted) when the year is unknown',
    ),
    ("circle: 0", f"3:9: error NK124: {CIRCLE} 0"),
    ("circle: 6", f"3:9: error NK124: {CIRCLE} 6"),
    ("circle: -1", f"3:9: error NK124: {CIRCLE} -1"),
    ("circle: true", f"3:9: error NK124: {CIRCLE} true"),
    ("circle: 2.0", f"3:9: error NK124: {CIRCLE} 2.0"),
    ("circle: .nan", f"3:9: error NK124: {CIRCLE} .nan"),
    ("circle: " + "9" * 100, f"3:9: error NK124: {CIRCLE} " + "9" * 100),
    ("cadence: 101y", f"3:10: error NK125: cadence '101y' {CADENCE}"),
    ("cadence: 1201m", f"3:10: error NK125: cadence '1201m' {CADENCE}"),
    ("cadence: 5218w", f"3:10: error NK125: cadence '5218w' {CADENCE}"),
    ("cadence: 36526d", f"3:10: error NK125: cadence '36526d' {CADENCE}"),
    ("cadence: 9999y", f"3:10: error NK125: cadence '9999y' {CADENCE}"),
    ("cadence: 99999999y", f"3:10: error NK125: cadence '99999999y' {CADENCE}"),
    # Thousands of digits: refused by counting them, quoted shortened.
    (
        "cadence: " + "9" * 5000 + "d",
        "3:10: error NK125: cadence '" + "9" * 29 + f"… (5,003 characters) {CADENCE}",
    ),
    (
        "history: [{organization: Globex, until: 1899-01-01}]",
        "3:41: error NK134: history.until 1899-01-01 is out of range; " + DATES,
    ),
    (
        "history:\n  - {organization: Globex, until: 2024-05-01}\n"
        "  - {role: CTO, until: 2024-02-30}",
        "5:24: error NK122: history.until 2024-02-30 is not a real calendar date",
    ),
    (
        "history: [{role: CTO, until: soon}]",
        "3:30: error NK122: history.until must be a date written YYYY-MM-DD, not 'soon'",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("line", "problem"), PERSON_CASES, ids=[c[0][:40] for c in PERSON_CASES])
def test_a_person_field_out_of_range_is_an_error_at_its_line(make_kb, problems_of, line, problem):
    root = make_kb({"contacts/jane.md": f"---\nname: Jane\n{line}\n---\n"})
    assert problems_of(root) == [f"contacts/jane.md:{problem}"]
    # The person stays, without the value: her other fields still reach her page.
    assert load(root).people["jane"].name == "Jane"


# --- an interaction's fields out of range ---------------------------------------------------

# The line written after `with: [jane]` (line 4 of log/2026/lunch.md), and what check says.
MINUTES_CASES = [
    ("minutes: 1441", f"4:10: error NK135: minutes 1441 is out of range; {MINUTES}"),
    ("minutes: -1", f"4:10: error NK135: minutes -1 is out of range; {MINUTES}"),
    ("minutes: 100000000", f"4:10: error NK135: minutes 100000000 is out of range; {MINUTES}"),
    (
        "minutes: " + "1" + "0" * 100,
        f"4:10: error NK135: minutes 100000000000000000000000000000… (101 characters) "
        f"is out of range; {MINUTES}",
    ),
    ("minutes: 1.0e+30", f"4:10: error NK129: {NOT_MINUTES} 1.0e+30"),
    ("minutes: 1e30", f"4:10: error NK129: {NOT_MINUTES} '1e30'"),  # YAML 1.1: text
    ("minutes: .inf", f"4:10: error NK129: {NOT_MINUTES} .inf"),
    ("minutes: -.inf", f"4:10: error NK129: {NOT_MINUTES} -.inf"),
    ("minutes: .nan", f"4:10: error NK129: {NOT_MINUTES} .nan"),
    ("minutes: 90.5", f"4:10: error NK129: {NOT_MINUTES} 90.5"),
    ("minutes: true", f"4:10: error NK129: {NOT_MINUTES} true"),  # bool is an int in Python
    ("minutes: false", f"4:10: error NK129: {NOT_MINUTES} false"),
    ('minutes: "90"', f"4:10: error NK129: {NOT_MINUTES} '90'"),
    ("minutes: [90]", f"4:10: error NK129: {NOT_MINUTES} [90]"),
    ("minutes: 2024-01-01", f"4:10: error NK129: {NOT_MINUTES} 2024-01-01"),
]  # fmt: skip


@pytest.mark.parametrize(("line", "problem"), MINUTES_CASES, ids=[c[0][:30] for c in MINUTES_CASES])
def test_minutes_out_of_range_are_an_error_at_their_line(make_kb, problems_of, line, problem):
    root = make_kb(
        {
            "contacts/jane.md": "---\nname: Jane\n---\n",
            "log/2026/lunch.md": f"---\ndate: 2026-10-02\nwith: [jane]\n{line}\n---\n",
        }
    )
    assert problems_of(root) == [f"log/2026/lunch.md:{problem}"]
    (lunch,) = load(root).interactions
    assert lunch.minutes == 0  # counted as no time, never as 10**100 minutes


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("date: 0999-05-05", "2:7: error NK134: date 0999-05-05 is out of range; " + DATES),
        (
            "date: 2201-01-01 00:00:00",
            "2:7: error NK134: date 2201-01-01 is out of range; " + DATES,
        ),
        ('date: "1899-12-31"', "2:7: error NK134: date 1899-12-31 is out of range; " + DATES),
    ],
)
def test_an_interaction_dated_out_of_range_is_an_error_and_left_out(
    make_kb, problems_of, line, problem
):
    root = make_kb(
        {
            "contacts/jane.md": "---\nname: Jane\n---\n",
            "log/lunch.md": f"---\n{line}\nwith: [jane]\nminutes: 60\n---\n",
        }
    )
    assert problems_of(root) == [f"log/lunch.md:{problem}"]
    assert load(root).interactions == ()


# --- the edges are valid, and every command works with them -----------------------------------

EDGES = {
    "contacts/old.md": dedent("""\
        ---
        name: Olga Old
        birthday: 1900-01-01
        met: 1900-01-01
        circle: 1
        cadence: 100y
        history: [{organization: Globex, role: Clerk, until: 1900-01-01}]
        ---
        Knows [[leap]].
        """),
    "contacts/leap.md": dedent("""\
        ---
        name: Lea Leap
        birthday: "--02-29"
        last_contact: 2200-12-31
        circle: 5
        cadence: 1200m
        ---
        """),
    "contacts/weekly.md": "---\nname: Wes Weeks\ncircle: 2\ncadence: 5217w\n---\n",
    "contacts/daily.md": (
        "---\nname: Dai Days\ncircle: 3\ncadence: 36525d\nbirthday: 2200-12-31\n---\n"
    ),
    "contacts/zoë-müller.md": "---\nname: Zoë Müller\ncircle: 4\n---\n",
    "log/1900/first.md": (
        "---\ndate: 1900-01-01\nwith: [old, leap]\nkind: golf\nminutes: 1440\nfavor: given\n---\n"
    ),
    "log/2200/last.md": (
        "---\ndate: 2200-12-31\nwith: [leap, daily]\nkind: call\nminutes: 0\nfavor: received\n---\n"
    ),
    "log/2026/now.md": (
        "---\ndate: 2026-11-20 09:30:00\nwith: [weekly, zoë-müller]\nkind: lunch\n"
        "minutes: 1440\n---\n"
    ),
}


def test_the_edges_of_every_range_are_valid(make_kb, problems_of):
    root = make_kb(EDGES)
    assert problems_of(root) == []
    network = load(root)
    old, leap = network.people["old"], network.people["leap"]
    assert (old.birthday, old.met, old.cadence) == (
        Birthday(1, 1, 1900),
        dt.date(1900, 1, 1),
        Cadence(100, "y"),
    )
    assert (leap.birthday, leap.last_contact) == (Birthday(2, 29), dt.date(2200, 12, 31))
    assert network.people["daily"].cadence == Cadence(36525, "d")
    assert [(i.date, i.minutes) for i in network.interactions] == [
        (dt.date(1900, 1, 1), 1440),
        (dt.date(2026, 11, 20), 1440),
        (dt.date(2200, 12, 31), 0),
    ]


@pytest.mark.parametrize(
    ("today", "lea"),
    [
        (
            "1900-01-01",
            "Keep in touch every 1200m: last contact 1900-01-01 (today); "
            "next due 2000-01-01 (in 36,524 days)",
        ),
        (
            "2026-11-26",
            "Keep in touch every 1200m: last contact 1900-01-01 (46,350 days ago); "
            "overdue by 9,826 days (due 2000-01-01)",
        ),
        (
            "2200-12-31",
            "Keep in touch every 1200m: last contact 2200-12-31 (today); "
            "next due 2300-12-31 (in 36,524 days)",
        ),
    ],
    ids=["1900", "2026", "2200"],
)
def test_every_command_and_the_site_work_at_the_edges(make_kb, monkeypatch, today, lea):
    root = make_kb(EDGES)
    monkeypatch.chdir(root)
    monkeypatch.setenv("NETKB_TODAY", today)
    runs = {
        "due": netkb(root, "due"),
        "due json": netkb(root, "due", "--format", "json"),
        "stats": netkb(root, "stats"),
        "stats csv": netkb(root, "stats", "--format", "csv"),
        "show old": netkb(root, "show", "old"),
        "show leap": netkb(root, "show", "leap"),
        "show daily": netkb(root, "show", "daily", "--format", "json"),
        "find": netkb(root, "find", "Zoë"),
        "check": netkb(root, "check"),
    }
    for what, result in runs.items():
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            what,
            result.exception,
        )
        assert (what, result.exit_code) == (what, 0), result.output
    assert lea in runs["show leap"].output.splitlines()
    # 1440 minutes is a whole day, counted as such.
    assert "golf, 24 h · favour given · with Lea Leap (leap)" in runs["show old"].output
    # The site's pages render (load → derive → render → write) whatever today is.
    result = generate(root)
    assert result.network.errors == ()
    people = root / ".netkb" / "docs" / "people"
    assert {p.name for p in people.iterdir()} == {
        "old.md",
        "leap.md",
        "weekly.md",
        "daily.md",
        "zoë-müller.md",
    }
    assert "Olga Old" in (people / "old.md").read_text(encoding="utf-8")


def test_the_site_builds_with_the_edges(make_kb, monkeypatch):
    root = make_kb(EDGES)
    monkeypatch.chdir(root)
    result = netkb(root, "build")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 0, result.output
    page = next((root / "site" / "people").glob("old*"))
    assert "Olga Old" in (page / "index.html" if page.is_dir() else page).read_text("utf-8")


# --- any date YAML can hold: a date in range or a located error, never a crash later ----------


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.dates(), st.sampled_from(["met", "last_contact", "birthday"]))
def test_any_date_is_kept_or_refused_at_its_line(make_kb, day, field):
    root = make_kb({"contacts/jane.md": f"---\nname: Jane\n{field}: {day.isoformat()}\n---\n"})
    network = load(root)
    jane = network.people["jane"]
    value = getattr(jane, field)
    if 1900 <= day.year <= 2200:
        assert network.problems == ()
        assert value == (Birthday(day.month, day.day, day.year) if field == "birthday" else day)
    else:
        (problem,) = network.problems
        assert (problem.line, problem.code, value) == (3, "NK134", None)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-(10**30), max_value=10**30), st.sampled_from("dwmy"))
def test_a_cadence_is_read_only_up_to_a_century(count, unit):
    parsed = parse_cadence(f"{count}{unit}")
    if 1 <= count <= MAX_CADENCE[unit]:
        assert parsed == Cadence(count, unit)
        # A century after the last date netkb keeps is still a date Python can hold.
        assert parsed.after(dt.date(2200, 12, 31)) <= dt.date(2301, 1, 1)
    else:
        assert parsed is None


# --- netkb log refuses what check would refuse, before it writes ----------------------------

LOG_REFUSALS = [
    (("--date", "0999-05-05"), f"{BAD_DATE} date 0999-05-05 is out of range; {DATES}"),
    (("--date", "2201-01-01"), f"{BAD_DATE} date 2201-01-01 is out of range; {DATES}"),
    (("--minutes", "1441"), f"{BAD_MINUTES} minutes 1441 is out of range; {MINUTES}"),
    (("--minutes", "-1"), f"{BAD_MINUTES} minutes -1 is out of range; {MINUTES}"),
    (
        ("--minutes", "1" + "0" * 50),
        f"{BAD_MINUTES} minutes 100000000000000000000000000000… (51 characters) "
        f"is out of range; {MINUTES}",
    ),
    (("--minutes", "1e30"), f"{BAD_MINUTES} '1e30' is not a valid integer."),
    (("--minutes", "true"), f"{BAD_MINUTES} 'true' is not a valid integer."),
    (("--today", "1899-12-31"), f"today 1899-12-31 is out of range; {DATES}"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("options", "message"), LOG_REFUSALS, ids=[" ".join(o) for o, _ in LOG_REFUSALS]
)
def test_log_refuses_a_value_out_of_range_and_writes_nothing(
    make_kb, monkeypatch, options, message
):
    root = make_kb({"contacts/jane.md": "---\nname: Jane\n---\n"})
    monkeypatch.chdir(root)
    result = netkb(root, "log", "jane", "--kind", "lunch", *options)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[-1] == f"Error: {message}"
    assert not (root / "log").exists()


def test_log_writes_the_edges_and_check_accepts_them(make_kb, monkeypatch):
    root = make_kb({"contacts/jane.md": "---\nname: Jane\n---\n"})
    monkeypatch.chdir(root)
    first = netkb(root, "log", "jane", "--date", "1900-01-01", "--minutes", "1440")
    last = netkb(root, "log", "jane", "--date", "2200-12-31", "--minutes", "0")
    assert (first.stdout, last.stdout) == (
        "log/1900/1900-01-01-other-jane.md\n",
        "log/2200/2200-12-31-other-jane.md\n",
    )
    assert (root / "log/1900/1900-01-01-other-jane.md").read_text(encoding="utf-8") == (
        "---\ndate: 1900-01-01\nwith: [jane]\nkind: other\nminutes: 1440\n---\n\n"
    )
    assert netkb(root, "check").output == (
        "1 person, 0 organisations, 2 interactions: 0 errors, 0 warnings\n"
    )


# --- file names that cannot be page addresses -----------------------------------------------

# A file in contacts/ holding `name: Mallory`, and the whole problem check reports for it.
HOSTILE_NAMES = [
    (
        ")[y](javascript:alert(1)).md",
        f"it holds ')', '[', ']', '(', ':'; {SAFE}",
        "y-javascript-alert-1",
    ),
    ('a"onmouseover=x.md', f"it holds '\"', '='; {SAFE}", "a-onmouseover-x"),
    (
        "<img src=x onerror=alert(1)>.md",
        f"it holds '<', a space, '=', '(', ')', …; {SAFE}",
        "img-src-x-onerror-alert-1",
    ),
    ("<img>.md", f"it holds '<', '>'; {SAFE}", "img"),
    ("<>.md", f"it holds '<', '>'; {SAFE}", "mallory"),
    ("%2e%2e.md", f"it holds '%'; {SAFE}", "2e-2e"),
    ("x?y.md", f"it holds '?'; {SAFE}", "x-y"),
    ("x#y.md", f"it holds '#'; {SAFE}", "x-y"),
    ("a&b.md", f"it holds '&'; {SAFE}", "a-b"),
    ("&amp;.md", f"it holds '&', ';'; {SAFE}", "mallory"),
    ("a+b.md", f"it holds '+'; {SAFE}", "a-b"),
    ("a,b.md", f"it holds ','; {SAFE}", "a-b"),
    ("o'brien.md", f"it holds \"'\"; {SAFE}", "o-brien"),
    ("a`b.md", f"it holds '`'; {SAFE}", "a-b"),
    ("a|b.md", f"it holds '|'; {SAFE}", "a-b"),
    ("a*b*.md", f"it holds '*'; {SAFE}", "a-b"),
    ("a~b.md", f"it holds '~'; {SAFE}", "a-b"),
    ("{x}.md", f"it holds '{{', '}}'; {SAFE}", "x"),
    ("a\\b.md", f"it holds '\\\\'; {SAFE}", "a-b"),
    ("Jane Doe.md", f"it holds a space; {SAFE}", "jane-doe"),
    ("a\tb.md", f"it holds '\\t'; {SAFE}", "a-b"),
    ("a\x07b.md", f"it holds '\\x07'; {SAFE}", "a-b"),
    ("a\x1b[31mb.md", f"it holds '\\x1b', '['; {SAFE}", "a-31mb"),
    ("a\nb.md", f"it holds '\\n'; {SAFE}", "a-b"),
    ("x\u202egnp.md", f"it holds '\\u202e'; {SAFE}", "xgnp"),  # right-to-left override
    ("a\u200bb.md", f"it holds '\\u200b'; {SAFE}", "a-b"),  # zero-width space
    ("a\u00a0b.md", f"it holds '\\xa0'; {SAFE}", "a-b"),  # no-break space
    ("½.md", f"it holds '½'; {SAFE}", "1-2"),
    ("-jane.md", "it starts with '-', not a letter or a digit", "jane"),
    ("_jane.md", "it starts with '_', not a letter or a digit", "jane"),
    ("jane..md", "it ends with '.' or holds '..'", "jane"),
    ("a..b.md", "it ends with '.' or holds '..'", "a-b"),
    ("index.md", "'index' is the name of a folder's own page in the site", "mallory"),
    ("README.md", "'README' is the name of a folder's own page in the site", "mallory"),
    ("Index.md", "'Index' is the name of a folder's own page in the site", "mallory"),
    (
        unicodedata.normalize("NFD", "zoë.md"),
        "its accents are written as separate characters (Unicode NFD)",
        "zoe",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("file", "reason", "suggestion"), HOSTILE_NAMES, ids=[ascii(n[0]) for n in HOSTILE_NAMES]
)
def test_a_file_name_that_cannot_be_a_page_address_is_an_error(
    make_kb, problems_of, file, reason, suggestion
):
    root = make_kb(
        {
            f"contacts/{file}": "---\nname: Mallory\n---\n",
            "contacts/jane.md": "---\nname: Jane\n---\n",
        }
    )
    message = (
        f"file name {file!r} cannot be part of a page address: {reason}; "
        f"rename it, e.g. to {suggestion}.md"
    )
    (problem,) = load(root).problems
    assert (problem.path.name, problem.line, problem.column, problem.code, problem.message) == (
        file,
        1,
        1,
        "NK147",
        message,
    )
    (line,) = problems_of(root)
    if file.isprintable():
        assert line == f"contacts/{file}:1:1: error NK147: {message}"
    else:  # a terminal gets control characters spelled out, never raw
        assert line.endswith(f":1:1: error NK147: {message}")
        assert [ch for ch in line if unicodedata.category(ch) == "Cc"] == []
    # Left out: no person, no page, nothing for a link to be made of.
    assert list(load(root).people) == ["jane"]


@pytest.mark.parametrize(
    "file",
    ["zoë-müller.md", "Jane_Doe.md", "j.r.r-tolkien.md", "007.md", "ñandú.md", "李雷.md",
     "Ольга.md", "محمد.md", "हिन्दी.md", "jane--doe.md", "jane-.md", "Ö.md"],
)  # fmt: skip
def test_letters_of_any_script_digits_and_dashes_make_a_good_file_name(make_kb, problems_of, file):
    root = make_kb({f"contacts/{file}": "---\nname: Someone\n---\n"})
    assert problems_of(root) == []
    assert list(load(root).people) == [file[:-3]]


# Characters with a meaning in a URL, in Markdown or in HTML, and what a terminal obeys.
SYNTAX = set("<>\"'`()[]{}:/\\?#%&=+;,!*|~@$^ \t\r\n")


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
def test_a_file_name_passes_only_without_syntax_or_invisible_characters(slug):
    if file_name_error(slug) is not None:
        return
    assert slug and unicodedata.is_normalized("NFC", slug)
    assert slug[0].isalnum() and not slug.endswith(".") and ".." not in slug
    assert not SYNTAX & set(slug)
    assert all(unicodedata.category(ch)[0] not in "CZ" for ch in slug)
    assert slug.casefold() not in ("index", "readme")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), st.one_of(st.none(), st.text(max_size=40)))
def test_the_suggested_name_is_always_a_good_one(slug, name):
    assert file_name_error(suggested_slug(slug, name)) is None


def test_a_hostile_organisation_file_name_is_refused_too(make_kb, problems_of):
    root = make_kb(
        {
            "orgs/acme<script>.md": "---\nname: Acme\n---\n",
            "contacts/jane.md": "---\nname: Jane\norganization: Acme\n---\n",
        }
    )
    assert problems_of(root) == [
        "orgs/acme<script>.md:1:1: error NK147: file name 'acme<script>.md' cannot be part of a "
        f"page address: it holds '<', '>'; {SAFE}; rename it, e.g. to acme-script.md"
    ]
    assert load(root).organisations == {}


def test_a_hidden_file_is_not_read_at_all(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/.x?y.md": "---\nname: Hidden\n---\n",
            "contacts/.#jane.md": "emacs lock",
            "contacts/jane.md": "---\nname: Jane\n---\n",
        }
    )
    assert problems_of(root) == []
    assert list(load(root).people) == ["jane"]


def test_references_to_a_refused_file_are_unknown_and_no_page_holds_it(make_kb, monkeypatch):
    evil = ")[y](javascript:alert(1))"
    root = make_kb(
        {
            f"contacts/{evil}.md": "---\nname: Mallory\ncircle: 1\n---\n",
            "contacts/jane.md": f'---\nname: Jane\nintroduced_by: "{evil}"\n---\n',
            "log/lunch.md": f'---\ndate: 2026-10-02\nwith: ["{evil}", jane]\n---\n',
        }
    )
    monkeypatch.chdir(root)
    result = netkb(root, "build")
    assert result.exit_code == 1
    assert [
        line.split(": error ")[0] for line in result.stderr.splitlines() if ": error " in line
    ] == [
        f"contacts/{evil}.md:1:1",
        "contacts/jane.md:3:16",
        "log/lunch.md:3:8",
    ]
    assert not (root / "site").exists()
    # `serve` renders in spite of errors: the record is not there to render.
    network = load(root)
    pages = SiteRenderer(derive(network), root / "templates").pages()
    assert "people/jane.md" in pages
    assert [path for path in pages if "javascript" in path] == []
    assert [path for path, text in pages.items() if "Mallory" in text] == []


@pytest.mark.parametrize(
    ("variable", "options", "message"),
    [
        ("0001-01-01", (), f"NETKB_TODAY 0001-01-01 is out of range; {DATES}"),
        ("9999-12-31", (), f"NETKB_TODAY 9999-12-31 is out of range; {DATES}"),
        ("", ("--today", "9999-12-31"), f"today 9999-12-31 is out of range; {DATES}"),
    ],
)
def test_today_out_of_range_is_a_usage_error(make_kb, monkeypatch, variable, options, message):
    # A year before today or a cadence after it would overflow Python's dates.
    root = make_kb({"contacts/jane.md": "---\nname: Jane\nbirthday: 1985-04-12\n---\n"})
    monkeypatch.setenv("NETKB_TODAY", variable)
    for command in ("due", "show jane", "stats"):
        result = netkb(root, *command.split(), *options)
        assert (command, result.exit_code) == (command, 2), result.output
        assert result.stderr.splitlines()[-1] == f"Error: {message}"


@pytest.mark.parametrize(
    ("met", "message"),
    [
        ("1899-12-31", f"Invalid value for '--met': met 1899-12-31 is out of range; {DATES}"),
        ("2201-01-01", f"Invalid value for '--met': met 2201-01-01 is out of range; {DATES}"),
    ],
)
def test_new_refuses_a_met_date_out_of_range_and_writes_nothing(make_kb, met, message):
    root = make_kb()
    result = netkb(root, "new", "Jane Doe", "--met", met)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[-1] == f"Error: {message}"
    assert list((root / "contacts").iterdir()) == []


def test_new_writes_a_met_date_on_the_edge(make_kb, monkeypatch):
    root = make_kb()
    monkeypatch.chdir(root)
    result = netkb(root, "new", "Jane Doe", "--met", "1900-01-01")
    assert result.stdout == "contacts/jane-doe.md\n"
    assert load(root).people["jane-doe"].met == dt.date(1900, 1, 1)
