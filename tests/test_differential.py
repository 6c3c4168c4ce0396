"""The site and the commands tell the same story (issue 10).

For knowledge bases with awkward cases, every number that both the CLI
(``--format json`` of ``show``, ``due``, ``stats``) and the generated site (the
Markdown in .netkb/docs) show must agree. Only the site leaves private people out,
so where it counts interactions it must count exactly those the CLI counts minus
the ones that name private people only; the test works those out from the files
itself.

Each KB is a generated one (benchmarks/generate.py, a few seeds) or the small
hand-made network (tests/network_kb.py), plus AWKWARD below, plus seeded random
entries that repeat people, in other letter cases, up to 20 days after today:

- the issue's example, literally: Jane is named twice in two entries of 25 minutes
  each, so "50 min over 2 interactions", on her page and in ``show`` (the site said
  "1 h 40 over 4");
- private people in shared entries and alone; favours given and received with the
  same person; entries after today (planned, not contact yet);
- people and logs in nested subfolders of contacts/ and log/.

``with`` takes slugs (DESIGN.md §3), compared case-insensitively: a name or alias
there is an error (the entry is left out), so a slug in another letter case is the
alias-like case both sides must resolve alike.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner
from network_kb import write_network

from netkb.build.site import generate
from netkb.cli import cli
from netkb.load.loader import load

REPO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 26)  # benchmarks/generate.py's TODAY and tests/network_kb.py's
SINCE = dt.date(2025, 12, 1)  # the first of the twelve months up to TODAY's

PERSON = "---\nname: {name}\n{extra}---\n"
LOG = "---\ndate: {date}\nwith: [{with_}]\nkind: {kind}\nminutes: {minutes}\n{extra}---\n"

# (file under contacts/, name, extra front matter)
AWKWARD_PEOPLE = [
    ("awkward/deeper/still/jane-doe.md", "Jane Doe", "circle: 2\nbirthday: 1980-12-01\n"),
    ("awkward/john-roe.md", "John Roe", "circle: 3\nrelations:\n  colleague: [jane-doe]\n"),
    ("awkward/kim-secret.md", "Kim Secretperson", "circle: 1\nprivate: true\n"),
    (
        "awkward/lou-hidden.md",
        "Lou Hiddenperson",
        "circle: 2\nprivate: true\nintroduced_by: jane-doe\nrelations:\n  friend: [john-roe]\n",
    ),
    ("mo-case.md", "Mo Case", "circle: 1\nintroduced_by: lou-hidden\n"),
]
# (file under log/, date, with, kind, minutes, favour)
AWKWARD_LOGS = [
    # The issue's example, literally.
    ("awkward/2026/a.md", "2026-11-02", "jane-doe, Jane-Doe", "coffee", 25, None),
    ("awkward/2026/b.md", "2026-11-10", "jane-doe, john-roe, jane-doe", "lunch", 25, None),
    # Private people: with public ones, and alone.
    ("awkward/2026/c.md", "2026-11-12", "kim-secret, mo-case, KIM-SECRET", "golf", 240, "given"),
    ("awkward/2026/d.md", "2026-11-13", "kim-secret", "dinner", 120, "received"),
    ("awkward/2026/e.md", "2026-10-05", "lou-hidden, Lou-Hidden", "call", 30, "given"),
    # Favours both ways with Mo, and Mo twice in other letter cases.
    ("awkward/2026/f.md", "2026-11-20", "MO-CASE, mo-case", "call", 15, "received"),
    ("awkward/deep/er/g.md", "2026-09-01", "mo-case, john-roe", "meeting", 60, "given"),
    # Planned: after today, so no contact, time or favour yet.
    ("awkward/2026/h.md", "2026-12-03", "jane-doe, JANE-DOE, mo-case", "lunch", 90, "given"),
    ("awkward/2026/i.md", "2026-11-26", "john-roe, JOHN-ROE", "coffee", 20, None),
]
RANDOM_LOGS = 40


def _generator() -> ModuleType:
    """benchmarks/generate.py, loaded by path (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "netkb_differential_generate", REPO / "benchmarks/generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _log(date: str, with_: str, kind: str, minutes: int, favour: str | None) -> str:
    extra = f"favor: {favour}\n" if favour else ""
    return LOG.format(date=date, with_=with_, kind=kind, minutes=minutes, extra=extra)


def _repeats(path: str, with_: str) -> set[tuple[str, int, int]]:
    """(path, line, column) of each item of ``with: [...]`` (line 3) that repeats an
    earlier one, letter case aside: where ``check`` must warn."""
    seen: set[str] = set()
    found = set()
    column = len("with: [") + 1
    for item in with_.split(", "):
        if item.casefold() in seen:
            found.add((path, 3, column))
        seen.add(item.casefold())
        column += len(item) + 2
    return found


def awkward_kb(root: Path, seed: int | None) -> tuple[Path, set[tuple[str, int, int]]]:
    """A KB (generated with ``seed``; the hand-made network for None) plus the awkward
    cases; returns its root and where ``check`` must warn of a repeated person."""
    if seed is None:
        write_network(root)
    else:
        _generator().generate(root, people=40, logs=100, seed=seed)
    for name, person_name, extra in AWKWARD_PEOPLE:
        _write(root / "contacts" / name, PERSON.format(name=person_name, extra=extra))
    repeats: set[tuple[str, int, int]] = set()
    for name, *entry in AWKWARD_LOGS:
        _write(root / "log" / name, _log(*entry))
        repeats |= _repeats(f"log/{name}", entry[1])
    # Jane and John keep to the issue's example; everyone else may turn up at random.
    slugs = sorted(p.stem for p in (root / "contacts").rglob("*.md"))
    slugs = [s for s in slugs if s not in {"jane-doe", "john-roe"}]
    rng = random.Random(seed or 0)
    for number in range(RANDOM_LOGS):
        chosen = rng.sample(slugs, rng.randint(1, 3))
        listed = chosen + [rng.choice(chosen) for _ in range(rng.choice((0, 0, 1, 2)))]
        listed = [s.upper() if rng.random() < 0.25 else s for s in listed]
        rng.shuffle(listed)
        day = TODAY + dt.timedelta(days=rng.randint(-380, 20))
        with_ = ", ".join(listed)
        favour = rng.choice((None, None, None, "given", "received"))
        name = f"random/{day.year}/sub/{number:02d}.md"
        _write(
            root / "log" / name, _log(day.isoformat(), with_, "call", rng.randint(0, 90), favour)
        )
        repeats |= _repeats(f"log/{name}", with_)
    return root, repeats


# -- reading both sides ---------------------------------------------------------------------


def cli_json(root: Path, *args: str) -> Any:
    result = CliRunner().invoke(
        cli, ["--kb", str(root), *args, "--format", "json", "--today", TODAY.isoformat()]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def minutes_of(text: str) -> int:
    """ "1 h 40" → 100, "50 min" → 50, "2 h" → 120 (how the site writes a duration)."""
    match = re.fullmatch(r"(?:(\d+) h)? ?(?:(\d+)(?: min)?)?", text.strip())
    assert match and text.strip(), text
    return int(match[1] or 0) * 60 + int(match[2] or 0)


def as_lines(page: str) -> str:
    """A generated page (HTML blocks under Markdown headings) as the text the tests read,
    a line per table row and list item: ``| a | b |``, ``- item``, ``[label](href)``,
    ``**strong**``. Entities stay as they are, as values are written."""
    cells = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", re.S)
    text = re.sub(
        r"<tr>\n(.*?)\n</tr>", lambda m: f"| {' | '.join(cells.findall(m[1]))} |", page, flags=re.S
    )
    text = re.sub(r'<a href="([^"]*)"[^>]*>(.*?)</a>', r"[\2](\1)", text)
    text = re.sub(r"<li>(.*?)</li>", r"- \1", re.sub(r"</?strong>", "**", text))
    return re.sub(r"</?(?:p|ul|table|thead|tbody)>", "", text)


def row(page: str, label: str) -> str | None:
    """The value cell of the person page's table row ``label``."""
    found = re.search(rf"^\| {re.escape(label)} \| (.*) \|$", page, re.M)
    return found[1] if found else None


def section(page: str, heading: str) -> str:
    """The text under ``heading`` (``## X`` or ``### X``) up to the next heading."""
    if heading not in page:
        return ""
    return re.split(r"^#{1,3} ", page.split(heading, 1)[1], maxsplit=1, flags=re.M)[0]


def linked(text: str) -> list[str]:
    """The slugs of the person pages ``text`` links to, in order."""
    return re.findall(r"\]\((?:\.\./)*people/([^)/]+)\.html\)", text)


def table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| [")]


class Truth:
    """What the test works out from the files itself: who is private, and which
    interactions name private people only (the site leaves those out)."""

    def __init__(self, root: Path) -> None:
        network = load(root)
        assert not network.errors, [p.format(root) for p in network.errors]
        self.people = network.people
        self.private = {s for s, p in network.people.items() if p.private}
        self.public = set(network.people) - self.private
        by_key = {s.casefold(): s for s in network.people}
        self.entries = network.interactions
        self.hidden = [
            i
            for i in network.interactions
            if {by_key[r.casefold()] for r in i.with_} <= self.private
        ]
        self.shown = [i for i in network.interactions if i not in self.hidden]

    def hidden_by(self, key: Any) -> tuple[Counter, Counter]:
        """(minutes, interactions) of private-only entries up to today, by ``key(entry)``."""
        minutes: Counter = Counter()
        count: Counter = Counter()
        for entry in self.hidden:
            if entry.date <= TODAY:
                minutes[key(entry)] += entry.minutes
                count[key(entry)] += 1
        return minutes, count


@pytest.fixture(scope="module", params=[None, 1, 7], ids=["hand-made", "seed-1", "seed-7"])
def kb(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    root, repeats = awkward_kb(tmp_path_factory.mktemp("differential") / "kb", request.param)
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("NETKB_TODAY", TODAY.isoformat())
    try:
        result = generate(root)
    finally:
        monkeypatch.undo()
    assert not result.network.errors, [p.format(root) for p in result.network.errors]
    docs = root / ".netkb" / "docs"
    pages = {
        p.relative_to(docs).as_posix(): as_lines(p.read_text("utf-8")) for p in docs.rglob("*.md")
    }
    return root, repeats, pages, Truth(root)


@pytest.fixture(scope="module")
def shown(kb) -> dict[str, dict[str, Any]]:
    """``netkb show --format json`` of every person."""
    root, _, _, truth = kb
    return {slug: cli_json(root, "show", slug) for slug in sorted(truth.people)}


# -- the duplicate-with example, as the issue tells it ------------------------------------------


def test_the_issue_example_site_and_show_agree(kb, shown) -> None:
    _, _, pages, _ = kb
    jane = pages["people/jane-doe.md"]
    # a.md and b.md name Jane twice each, 25 minutes each; h.md is planned (after today).
    assert row(jane, "Time invested") == "50 min over 2 interactions"
    assert (shown["jane-doe"]["minutes"], shown["jane-doe"]["interactions"]) == (50, 2)
    assert row(jane, "Last contact") == "2026-11-10" == shown["jane-doe"]["last_contact"]
    # The timeline lists each entry once; Jane is never "also there" at her own lunch.
    timeline = section(jane, "## Timeline")
    assert [line.split(" | ")[0] for line in timeline.splitlines() if line[:3] == "| 2"] == [
        "| 2026-12-03",
        "| 2026-11-10",
        "| 2026-11-02",
    ]
    assert "| 2026-11-10 | lunch | [John Roe](../people/john-roe.html) | 25 min |" in timeline
    # show lists the others of each entry once too, by slug, however they were written.
    assert [r["with"] for r in shown["jane-doe"]["recent"]] == [["john-roe"], []]
    assert [r["with"] for r in shown["john-roe"]["recent"]] == [[], ["jane-doe"], ["mo-case"]]
    journal = pages["journal/2026-11.md"]
    assert journal.count("[Jane Doe](../people/jane-doe.html)") == 2  # a.md and b.md, once each


def test_check_warns_at_every_repeated_person(kb) -> None:
    root, repeats, _, _ = kb
    result = CliRunner().invoke(cli, ["--kb", str(root), "check", "--format", "json"])
    problems = json.loads(result.stdout)
    inside = {p["path"]: Path(p["path"]).resolve().relative_to(root.resolve()) for p in problems}
    warned = {
        (inside[p["path"]].as_posix(), p["line"], p["column"])
        for p in problems
        if p["code"] == "NK148"
    }
    assert warned == repeats
    assert [p for p in problems if p["code"] != "NK148"] == []
    first = next(p for p in problems if inside[p["path"]] == Path("log/awkward/2026/a.md"))
    assert first == {
        "path": first["path"],
        "line": 3,
        "column": 18,
        "severity": "warning",
        "code": "NK148",
        "message": "with: 'Jane-Doe' names jane-doe again (listed as 'jane-doe' before); "
        "the interaction counts once for them",
    }


# -- every person page against ``show`` ---------------------------------------------------------


def test_person_pages_agree_with_show(kb, shown) -> None:
    _, _, pages, truth = kb
    assert {p[len("people/") : -3] for p in pages if p.startswith("people/")} == truth.public
    for slug in sorted(truth.public):
        page, cli = pages[f"people/{slug}.md"], shown[slug]
        time = row(page, "Time invested")
        if cli["interactions"]:
            spent, over = time.split(" over ")
            assert (minutes_of(spent), over) == (
                cli["minutes"],
                f"{cli['interactions']} interaction{'s' if cli['interactions'] != 1 else ''}",
            ), slug
        else:
            assert time is None, slug
        favours = row(page, "Favours")
        if cli["favours_given"] or cli["favours_received"]:
            assert favours.startswith(
                f"{cli['favours_given']} given, {cli['favours_received']} received ("
            ), slug
        else:
            assert favours is None, slug
        assert row(page, "Last contact") == (cli["last_contact"] or "none recorded"), slug
        touch = row(page, "Next touch-point")
        if cli["next_due"]:
            days = cli["days_overdue"]
            when = (
                f"overdue by {days} day{'s' * (days != 1)}"
                if days > 0
                else "due today"
                if days == 0
                else f"due in {-days} day{'s' * (days != -1)}"
            )
            assert touch == f"{cli['next_due']} ({when})", slug
        else:
            assert touch is None, slug


def test_relations_and_introductions_agree_with_show(kb, shown) -> None:
    _, _, pages, truth = kb
    for slug in sorted(truth.public):
        page, cli = pages[f"people/{slug}.md"], shown[slug]
        related = [s for slugs in cli["relations"].values() for s in slugs if s in truth.public]
        assert sorted(linked(section(page, "## Relations"))) == sorted(related), slug
        chain = []
        for introducer in cli["introduced_by"]:  # the site's chain stops at a private person
            if introducer not in truth.public:
                break
            chain.append(introducer)
        introductions = section(page, "## Introductions")
        by = next((ln for ln in introductions.splitlines() if "**Introduced by**" in ln), "")
        to = next((ln for ln in introductions.splitlines() if "**Introduced you to**" in ln), "")
        assert linked(by) == chain, slug
        assert sorted(linked(to)) == sorted(s for s in cli["introduced"] if s in truth.public)


def test_a_private_introducer_and_private_relations_stay_off_the_site(kb, shown) -> None:
    _, _, pages, _ = kb
    # Mo was introduced by Lou (private); Lou was introduced by Jane.
    assert shown["mo-case"]["introduced_by"] == ["lou-hidden", "jane-doe"]
    assert "## Introductions" not in pages["people/mo-case.md"]
    assert shown["jane-doe"]["introduced"] == ["lou-hidden"]
    assert shown["john-roe"]["relations"] == {"colleague": ["jane-doe"], "friend": ["lou-hidden"]}
    assert linked(section(pages["people/john-roe.md"], "## Relations")) == ["jane-doe"]


# -- lists of people: follow-ups, birthdays, favours, the dashboard ------------------------------


def _public_touches(kb, days: int) -> list[dict[str, Any]]:
    root, _, _, truth = kb
    rows = cli_json(root, "due", "--days", str(days))
    return [r for r in rows if r["reason"] == "touch" and r["slug"] in truth.public]


def _public_birthdays(kb, days: int) -> list[dict[str, Any]]:
    root, _, _, truth = kb
    rows = cli_json(root, "due", "--days", str(days))
    return [r for r in rows if r["reason"] == "birthday" and r["slug"] in truth.public]


def test_follow_ups_page_agrees_with_due(kb) -> None:
    _, _, pages, _ = kb
    page = pages["followups.md"]
    touches = _public_touches(kb, 14)
    listed = [
        (linked(line)[0], line.split(" | ")[5])
        for line in table_rows(page.split("## Birthdays")[0])
    ]
    assert listed == [(r["slug"], r["due"]) for r in touches][:200]
    overdue = sum(1 for r in touches if r["days_overdue"] > 0)
    assert f"**{overdue}** overdue · **{len(touches) - overdue}** due within 14 days" in page
    birthdays = section(page, "## Birthdays in the next 30 days")
    assert linked(birthdays) == [r["slug"] for r in _public_birthdays(kb, 30)]


def test_favour_ledger_agrees_with_show(kb, shown) -> None:
    _, _, pages, truth = kb
    page = pages["favours.md"]
    for heading, sign in (("## Whom you owe", -1), ("## Who owes you", 1)):
        rows = table_rows(section(page, heading))
        expected = sorted(
            (s for s in truth.public if sign * shown[s]["favour_balance"] > 0),
            key=lambda s: (
                -sign * shown[s]["favour_balance"],
                -shown[s]["favours_received" if sign < 0 else "favours_given"],
                s,
            ),
        )
        assert [linked(r)[0] for r in rows] == expected[:200], heading
        for line in rows:
            cells = line.split(" | ")
            first, second = (
                ("favours_received", "favours_given")
                if sign < 0
                else ("favours_given", "favours_received")
            )
            cli = shown[linked(line)[0]]
            assert (int(cells[1]), int(cells[2])) == (cli[first], cli[second])


def test_home_dashboard_agrees_with_due_and_stats(kb) -> None:
    root, _, pages, truth = kb
    home = pages["index.md"]
    touches = _public_touches(kb, 7)
    call = section(home, "## Whom to call")
    assert [linked(line)[0] for line in table_rows(call)] == [r["slug"] for r in touches][:8]
    overdue = sum(1 for r in touches if r["days_overdue"] > 0)
    if touches:
        assert (f"**{overdue}** overdue" in call) == (overdue > 0)
    born = next((ln for ln in call.splitlines() if ln.startswith("**Birthdays this week:**")), "")
    assert linked(born) == [r["slug"] for r in _public_birthdays(kb, 7)][:10]
    # The counts: people and the inner circle, as stats counts them, without the private.
    circles = {r["key"]: r["count"] for r in cli_json(root, "stats") if r["table"] == "circle"}
    inner_private = sum(1 for s in truth.private if truth.people[s].circle == 1)
    counts = next(line for line in home.splitlines() if line.startswith("| ["))
    numbers = [int(n.replace(",", "")) for n in re.findall(r"\[([\d,]+)\]", counts)]
    assert numbers[0] == sum(circles.values()) - len(truth.private) == len(truth.public)
    assert numbers[2] == len(truth.shown)  # interactions on the journal
    assert numbers[3] == circles["1"] - inner_private


def test_time_budget_agrees_with_stats(kb) -> None:
    root, _, pages, truth = kb
    page, home = pages["budget.md"], pages["index.md"]
    rows = cli_json(root, "stats", "--weeks", "52", "--months", "12")
    # Weeks: each bar's tooltip against stats' week rows, less the private-only entries.
    hidden_minutes, hidden_count = truth.hidden_by(
        lambda i: "{}-W{:02d}".format(*i.date.isocalendar()[:2])
    )
    bars = re.findall(
        r"<title>Week (\S+) \(from [^)]*\): ([^,]+), (\d+) interactions?</title>", page
    )
    weeks = [r for r in rows if r["table"] == "week"]
    assert [(label, minutes_of(spent), int(n)) for label, spent, n in bars] == [
        (r["key"], r["minutes"] - hidden_minutes[r["key"]], r["count"] - hidden_count[r["key"]])
        for r in weeks
    ]
    # Months: the table, newest first.
    hidden_minutes, hidden_count = truth.hidden_by(lambda i: i.date.strftime("%Y-%m"))
    table = re.findall(r"^\| (\w+ \d{4}) \| ([^|]+) \| [^|]+ \| \d+% \| (\d+) \|$", page, re.M)
    months = [r for r in rows if r["table"] == "month"][::-1]
    assert [(minutes_of(spent), int(n)) for _, spent, n in table] == [
        (r["minutes"] - hidden_minutes[r["key"]], r["count"] - hidden_count[r["key"]])
        for r in months
    ]
    this_month = months[0]
    shown_month = this_month["minutes"] - hidden_minutes[this_month["key"]]
    spent = re.search(r"\*\*Time invested this month:\*\* (.+?) of ", home)[1]
    assert minutes_of(spent) == shown_month
    # Kinds, over the same twelve months.
    hidden_minutes, hidden_count = truth.hidden_by(lambda i: i.kind if i.date >= SINCE else None)
    by_kind = section(page, "## By kind")
    kinds = {
        k: (minutes_of(t), int(n))
        for k, n, t in re.findall(r"^\| ([^|]+) \| (\d+) \| ([^|]+) \|$", by_kind, re.M)
    }
    expected = {
        r["key"]: (r["minutes"] - hidden_minutes[r["key"]], r["count"] - hidden_count[r["key"]])
        for r in rows
        if r["table"] == "kind"
    }
    assert kinds == {k: v for k, v in expected.items() if v[1]}


def test_favour_totals_agree_with_stats(kb) -> None:
    root, _, pages, truth = kb
    rows = cli_json(root, "stats", "--months", "120")  # every entry is from the past 10 years
    favours = {r["key"]: r["count"] for r in rows if r["table"] == "favours"}
    hidden = Counter(i.favor for i in truth.hidden if i.favor and i.date <= TODAY)
    given, received = favours["given"] - hidden["given"], favours["received"] - hidden["received"]
    assert f"**{given}** favours given · **{received}** received" in pages["favours.md"]


def test_no_private_person_on_any_page(kb) -> None:
    """Outside the notes, which print what their author wrote (a ``[[slug]]`` of a
    private person stays unlinked text), no page names a private person."""
    _, _, pages, truth = kb
    names = {truth.people[s].name for s in truth.private} | truth.private
    for path, text in pages.items():
        text = re.sub(r'<div class="netkb-notes">.*?</div>', "", text, flags=re.S)
        assert not {n for n in names if n in text}, path


def test_timelines_hold_each_entry_once(kb) -> None:
    """Per person, the journal of the site lists exactly the entries that name them."""
    _, _, pages, truth = kb
    by_key = {s.casefold(): s for s in truth.people}
    expected: dict[str, int] = defaultdict(int)
    for entry in truth.entries:
        for slug in {by_key[r.casefold()] for r in entry.with_}:
            expected[slug] += 1
    for slug in sorted(truth.public):
        timeline = section(pages[f"people/{slug}.md"], "## Timeline")
        assert sum(1 for line in timeline.splitlines() if line[:3] == "| 2") == expected[slug]
