"""``netkb triage``: the order, the proposed circle, and a real session on a pseudo-terminal.

The session tests run the installed command under pexpect, press keys as a user would
and then compare every file with its original bytes, the answered ones with exactly
the line the answer adds.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
from helpers_import import make_kb, run

from netkb.edit.edit import edit_file
from netkb.edit.triage import Session, candidates, propose_circle
from netkb.link.derive import link
from netkb.load.loader import load
from netkb.network.selection import SelectionError, parse_where

TODAY = dt.date(2026, 11, 26)
REPO = Path(__file__).resolve().parent.parent

# Each contact as (front matter up to the closing line, the rest). An answer adds its
# line between the two, in the file's own line ending; every other byte stays.
PEOPLE = {
    "ana-lee": (
        "---\n# met at the 2019 offsite\nname: Ana Lee\norganization: ACME Inc.\n"
        "tags: [golf]   # plays on Sundays\n",
        "---\n\nNotes about Ana.\n\n## Private\n\nOwes me one.\n",
    ),
    "ben-okoro": (
        "---\r\nname: Ben Okoro\r\nrole: CTO\r\norganization: Acme\r\n",
        "---\r\nWindows line endings.\r\n",
    ),
    "cara-diaz": (
        "\ufeff---\nname: Cara Diaz\ntags: [golf,  alumni]\n",
        "---\n",
    ),
    "dan-evans": (
        "---\nrole: Engineer\nname: Dan Evans\nphone: '+49 30 1234567'\n",
        "---\n",
    ),
    "eva-fox": ("---\nname: Eva Fox\n", "---\n"),
    "finn-gale": (
        "---\nname: Finn Gale\nintroduced_by: ana-lee\nrelations:\n  colleague: [gus-hill]\n",
        "---\n",
    ),
    "gus-hill": ("---\nname: Gus Hill\n", "---\n"),
    "hana-ito": ("---\nname: Hana Ito\ncircle: 1\n", "---\n"),
}
# Interactions up to 2026-11-26 (the test's today):
#   ana 12, the last 6 days ago          → by frequency 1, by recency 1 → proposed 1
#   ben 8, the last 2026-10-01 (56 days) → 2 and 2                      → proposed 2
#   cara 8, the last 2026-07-01 (148 d)  → 2 and 3                      → proposed 3
#   dan 3, the last 2026-03-01 (270 d)   → 3 and 4                      → proposed 4
#   eva 1, in 2024                       → none in the past year        → proposed 5
#   finn, gus: none (no proposal); finn has 2 connections, gus 1; hana is in circle 1.
DATES = {
    "ana-lee": [f"2026-{m:02d}-05" for m in range(1, 12)] + ["2026-11-20"],
    "ben-okoro": [f"2026-{m:02d}-01" for m in range(3, 11)],
    "cara-diaz": [f"2025-{m:02d}-15" for m in (12,)] + [f"2026-0{m}-01" for m in range(1, 8)],
    "dan-evans": ["2026-01-10", "2026-02-10", "2026-03-01"],
    "eva-fox": ["2024-05-05"],
    "hana-ito": [f"2026-{m:02d}-02" for m in range(1, 12)] * 2,
}
ORDER = ["ana-lee", "ben-okoro", "cara-diaz", "dan-evans", "eva-fox", "finn-gale", "gus-hill"]


def files() -> dict[str, bytes]:
    found = {
        f"contacts/{slug}.md": (front + rest).encode() for slug, (front, rest) in PEOPLE.items()
    }
    for slug, dates in DATES.items():
        for number, day in enumerate(dates):
            found[f"log/{slug}-{number}.md"] = (
                f"---\ndate: {day}\nwith: [{slug}]\nkind: lunch\n---\n".encode()
            )
    return found


def answered(slug: str, line: str) -> bytes:
    """The original file of ``slug`` with ``line`` added as its last front matter key."""
    front, rest = PEOPLE[slug]
    newline = "\r\n" if front.endswith("\r\n") else "\n"
    return (front + line + newline + rest).encode()


def contents(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for folder in ("contacts", "log")
        for path in sorted((root / folder).rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return make_kb(tmp_path / "kb", files())


def spawn(root: Path, *args: str, **env: str) -> pexpect.spawn:
    """The real command on a pseudo-terminal, 100 columns wide, as of TODAY."""
    environment = {**os.environ, "NETKB_TODAY": TODAY.isoformat(), "TERM": "xterm", **env}
    if "NO_COLOR" not in env:
        environment.pop("NO_COLOR", None)  # the runner's own setting must not decide
    return pexpect.spawn(
        sys.executable,
        ["-m", "netkb", "--kb", str(root), "triage", *args],
        cwd=str(REPO),
        env=environment,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 100),
    )


PROMPT = r"\? help > "


def answer(session: pexpect.spawn, key: str) -> None:
    """Press ``key`` at the prompt, then wait for the next prompt."""
    session.send(key)
    session.expect(r"> ")


# -- the session on a terminal ----------------------------------------------------------------


def test_five_answers_one_undo_then_quit_leave_exactly_those_answers(kb: Path) -> None:
    before = contents(kb)
    session = spawn(kb)
    session.expect("Triage of 7 people \\(circle=none\\), best known first")
    shown = []
    for _slug, key in [
        ("ana-lee", "\r"),  # Enter accepts the proposed circle 1
        ("ben-okoro", "2"),
        ("cara-diaz", "4"),  # the proposal is 3; the user says 4
        ("dan-evans", "4"),
        ("eva-fox", "5"),
    ]:
        session.expect(r"\[(\d)/7\] [^\r\n]+\((\S+)\)")
        shown.append(session.match.group(2))
        session.expect(PROMPT)
        session.send(key)
    session.expect(r"\[6/7\] Finn Gale")
    session.expect(PROMPT)
    session.send("u")  # undo eva's answer: back to her, her file as it was
    session.expect("Undone: the circle of Eva Fox as before")
    session.expect(r"\[5/7\] Eva Fox")
    session.expect(PROMPT)
    session.send("q")
    session.expect(pexpect.EOF)
    session.close()

    assert shown == ORDER[:5]
    assert session.exitstatus == 0
    assert "Placed 4 people in circles, 1 undone, 3 left" in session.before
    after = contents(kb)
    expected = dict(before)
    expected["contacts/ana-lee.md"] = answered("ana-lee", "circle: 1")
    expected["contacts/ben-okoro.md"] = answered("ben-okoro", "circle: 2")
    expected["contacts/cara-diaz.md"] = answered("cara-diaz", "circle: 4")
    expected["contacts/dan-evans.md"] = answered("dan-evans", "circle: 4")
    assert after == expected
    assert not list(kb.rglob("*.netkb-tmp"))


def test_the_card_shows_what_is_known_and_the_proposal(kb: Path) -> None:
    session = spawn(kb)
    session.expect(PROMPT)
    card = session.before
    session.send("q")
    session.expect(pexpect.EOF)
    assert "[1/7] Ana Lee (ana-lee)" in card
    assert "  ACME Inc.\r\n" in card
    assert "12 interactions, last contact 2026-11-20 (6 days ago)" in card
    assert "1 connection · tags: golf" in card  # she introduced Finn
    assert "no circle yet · decision-maker: no" in card
    assert "proposed: circle 1 (12 interactions in the past year" in card
    assert "Enter = 1, d/t/s/u/q" in card


@pytest.mark.parametrize(("key", "status"), [("\x03", 130), ("\x04", 0)])
def test_ctrl_c_or_ctrl_d_mid_way_loses_no_answer(kb: Path, key: str, status: int) -> None:
    before = contents(kb)
    session = spawn(kb)
    session.expect(PROMPT)
    session.send("3")  # Ana
    session.expect(r"\[2/7\] Ben Okoro")
    session.expect(PROMPT)
    session.send("d")  # Ben is a decision-maker
    session.expect("Ben Okoro: decision-maker: yes")
    session.expect(PROMPT)
    session.send(key)
    session.expect(pexpect.EOF)
    session.close()
    assert session.exitstatus == status
    assert "Placed 1 person in a circle, 0 undone, 6 left" in session.before
    expected = dict(before)
    expected["contacts/ana-lee.md"] = answered("ana-lee", "circle: 3")
    expected["contacts/ben-okoro.md"] = answered("ben-okoro", "decision_maker: true")
    assert contents(kb) == expected


def test_a_killed_session_keeps_every_answer_and_no_half_written_file(kb: Path) -> None:
    before = contents(kb)
    session = spawn(kb)
    session.expect(PROMPT)
    session.send("2")
    session.expect(r"\[2/7\] Ben Okoro")  # Ana's answer is written before Ben is shown
    session.kill(signal.SIGKILL)
    session.close(force=True)
    expected = dict(before)
    expected["contacts/ana-lee.md"] = answered("ana-lee", "circle: 2")
    assert contents(kb) == expected
    assert not list(kb.rglob("*.netkb-tmp"))


def test_tags_on_a_line_and_their_undo(kb: Path) -> None:
    before = contents(kb)
    session = spawn(kb)
    session.expect(PROMPT)
    session.send("t")
    session.expect("tags \\(golf, board adds; -golf removes\\): ")
    session.sendline("board, -golf, Board")
    session.expect("Ana Lee: tags: board")
    session.expect(PROMPT)
    # Only the tags line changes; its comment stays, at the same column.
    assert contents(kb)["contacts/ana-lee.md"] == before["contacts/ana-lee.md"].replace(
        b"tags: [golf]   # plays", b"tags: [board]  # plays"
    )
    session.send("u")
    session.expect("Undone: the tags of Ana Lee as before")
    session.expect(PROMPT)
    session.send("q")
    session.expect(pexpect.EOF)
    assert contents(kb) == before


def test_where_limits_the_session(kb: Path) -> None:
    session = spawn(kb, "--where", "tag=golf", "--where", "circle=none")
    session.expect(r"Triage of 2 people \(tag=golf, circle=none\)")
    session.expect(r"\[1/2\] Ana Lee")
    session.expect(PROMPT)
    session.send("s")
    session.expect(r"\[2/2\] Cara Diaz")
    session.expect(PROMPT)
    session.send("s")
    session.expect("That was everyone in this selection")
    session.expect("> ")
    session.send("q")
    session.expect(pexpect.EOF)
    assert "Placed 0 people in circles, 0 undone, 2 left" in session.before


def test_no_color_means_no_escape_sequences(kb: Path) -> None:
    plain = spawn(kb, NO_COLOR="1")
    plain.expect(PROMPT)
    shown = plain.before
    plain.send("q")
    plain.expect(pexpect.EOF)
    assert "Ana Lee" in shown
    assert "\x1b[" not in shown + plain.before

    coloured = spawn(kb)
    coloured.expect(PROMPT)
    shown = coloured.before
    coloured.send("q")
    coloured.expect(pexpect.EOF)
    assert "\x1b[1m[1/7] Ana Lee (ana-lee)\x1b[0m" in shown


def test_without_a_terminal_it_refuses_and_points_at_set(kb: Path) -> None:
    before = contents(kb)
    result = run(kb, "triage")
    assert result.exit_code == 1
    assert "needs a terminal" in result.output
    assert "netkb set circle=4 --where organization=Acme --apply" in result.output
    done = subprocess.run(
        [sys.executable, "-m", "netkb", "--kb", str(kb), "triage"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert done.returncode == 1
    assert "Error: netkb triage reads single key presses and needs a terminal" in done.stderr
    assert contents(kb) == before


def test_a_bad_where_is_a_usage_error(kb: Path) -> None:
    session = spawn(kb, "--where", "circle=7")
    session.expect(pexpect.EOF)
    session.close()
    assert session.exitstatus == 2
    assert "circle must be 1 to 5, none (no circle yet) or any, not '7'" in session.before


# -- the order and the proposal ------------------------------------------------------------------


def test_the_best_known_come_first_with_the_circle_their_history_proposes(kb: Path) -> None:
    facts = link(load(kb), today=TODAY)
    found = candidates(facts, parse_where([], default_circle="none"))
    assert [(c.slug, c.interactions, c.connections) for c in found] == [
        ("ana-lee", 12, 1),
        ("ben-okoro", 8, 0),  # ties with Cara on count; more recent
        ("cara-diaz", 8, 0),
        ("dan-evans", 3, 0),
        ("eva-fox", 1, 0),
        ("finn-gale", 0, 2),  # introduced by Ana, colleague of Gus
        ("gus-hill", 0, 1),
    ]
    assert [c.proposal.circle if c.proposal else None for c in found] == [1, 2, 3, 4, 5, None, None]


@pytest.mark.parametrize(
    ("count", "days_since", "expected"),
    [
        (12, 6, 1),
        (12, 30, 1),
        (12, 31, 2),  # frequent, but not lately: recency caps it
        (12, 120, 3),
        (11, 1, 2),
        (6, 1, 2),
        (5, 1, 3),
        (3, 10, 3),
        (2, 10, 4),
        (1, 300, 4),
        (1, 364, 4),
        (0, 400, 5),
    ],
)
def test_the_proposed_circle_rule(count: int, days_since: int, expected: int) -> None:
    last = TODAY - dt.timedelta(days=days_since)
    proposal = propose_circle([last] * max(count, 1), last, TODAY)
    assert proposal is not None
    assert proposal.circle == expected


def test_an_old_interaction_or_a_last_contact_field_alone_still_proposes() -> None:
    assert propose_circle([dt.date(2020, 1, 1)], dt.date(2020, 1, 1), TODAY).circle == 5
    only_field = propose_circle([], TODAY - dt.timedelta(days=10), TODAY)
    assert (only_field.circle, only_field.past_year) == (5, 0)  # no interactions in the year
    assert propose_circle([], None, TODAY) is None


def test_where_conditions_combine(kb: Path) -> None:
    facts = link(load(kb), today=TODAY)

    def slugs(*conditions: str) -> list[str]:
        return [c.slug for c in candidates(facts, parse_where(conditions, "none"))]

    assert slugs("organization=Acme") == ["ana-lee", "ben-okoro"]  # "ACME Inc." is Acme
    assert slugs("organization=acme", "tag=golf") == ["ana-lee"]
    assert slugs("tag=golf", "tag=alumni") == ["ana-lee", "cara-diaz"]  # either tag
    assert slugs("circle=1") == ["hana-ito"]
    assert slugs("circle=any")[:2] == ["hana-ito", "ana-lee"]  # 22 interactions first
    with pytest.raises(SelectionError, match="cannot select by 'colour'"):
        parse_where(["colour=red"])


# -- the session without a terminal ---------------------------------------------------------------


def test_undo_puts_back_the_exact_bytes_of_a_changed_value(tmp_path: Path) -> None:
    original = b"---\nname: Jo\ncircle: 3    # close, but not that close\nrole: CEO\n---\nHi\n"
    root = make_kb(tmp_path / "kb", {"contacts/jo.md": original})
    facts = link(load(root), today=TODAY)
    session = Session(root, candidates(facts, parse_where(["circle=any"])))
    outcome = session.press("1")
    assert outcome.lines == ("Jo: circle 1",)
    assert (root / "contacts/jo.md").read_bytes() == original.replace(b"circle: 3", b"circle: 1")
    assert session.current is None
    assert session.press("u").lines == ("Undone: the circle of Jo as before.",)
    assert (root / "contacts/jo.md").read_bytes() == original
    assert session.current is not None and session.now(session.current).circle == 3
    assert session.press("u").lines == ("Nothing to undo.",)
    assert session.summary() == "Placed 0 people in circles, 1 undone, 1 left"


def test_undo_never_overwrites_a_later_edit_by_the_user(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", {"contacts/jo.md": "---\nname: Jo\n---\n"})
    facts = link(load(root), today=TODAY)
    session = Session(root, candidates(facts, parse_where([], "none")))
    session.press("4")
    edit_file(root, root / "contacts/jo.md", {"role": "CTO"})  # the user's editor saves
    users = (root / "contacts/jo.md").read_bytes()
    outcome = session.press("u")
    assert outcome.failed
    assert "jo.md was changed by another program since" in outcome.lines[0]
    assert (root / "contacts/jo.md").read_bytes() == users


def test_enter_without_a_proposal_writes_nothing(tmp_path: Path) -> None:
    original = b"---\nname: Jo\n---\n"
    root = make_kb(tmp_path / "kb", {"contacts/jo.md": original})
    session = Session(root, candidates(link(load(root), today=TODAY), parse_where([], "none")))
    assert session.press("\r").lines == ("No proposal for Jo: press 1–5, or s to skip.",)
    assert session.press("x").lines == ("Press 1–5, Enter, d, t, s, u or q (? for help).",)
    assert session.press("q").quit
    assert (root / "contacts/jo.md").read_bytes() == original


def test_decision_maker_toggles_and_tags_add_and_remove(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", {"contacts/jo.md": "---\nname: Jo\ntags: golf\n---\n"})
    session = Session(root, candidates(link(load(root), today=TODAY), parse_where([], "none")))
    path = root / "contacts/jo.md"
    assert session.press("d").lines == ("Jo: decision-maker: yes",)
    assert session.press("t").wants_line
    assert session.tag("board,  GOLF , sailing").lines == ("Jo: tags: golf, board, sailing",)
    assert path.read_text() == (
        "---\nname: Jo\ntags: [golf, board, sailing]\ndecision_maker: true\n---\n"
    )
    assert session.tag("-golf, -board, -sailing").lines == ("Jo: no tags",)
    assert session.press("d").lines == ("Jo: decision-maker: no",)
    assert path.read_text() == "---\nname: Jo\ndecision_maker: false\n---\n"
    for _ in range(4):
        session.press("u")
    assert path.read_text() == "---\nname: Jo\ntags: golf\n---\n"
