"""Field types of people, interactions and organisations (DESIGN.md §2–§4)."""

from __future__ import annotations

import datetime as dt
from textwrap import dedent

import pytest
from click.testing import CliRunner

from netkb.cli import cli
from netkb.core.records import Birthday, Cadence
from netkb.load.loader import load
from netkb.load.schema import parse_cadence

CIRCLE = "circle must be a whole number from 1 (inner circle) to 5 (acquaintance)"
CADENCE = (
    "is not an interval; write a number and a unit: "
    "14d (days), 6w (weeks), 3m (months) or 1y (years)"
)


def person(make_kb, front_matter: str, body: str = ""):
    """A KB holding contacts/jane.md with ``front_matter`` between the fences."""
    return make_kb({"contacts/jane.md": f"---\n{front_matter}---\n{body}"})


# --- name ------------------------------------------------------------------------------


def test_a_person_needs_a_name(make_kb, problems_of):
    root = person(make_kb, "role: CTO\n")
    assert problems_of(root) == [
        "contacts/jane.md:2:1: error NK120: name is missing; add a line 'name: …'"
    ]
    assert load(root).people == {}


def test_an_empty_name_is_reported_at_its_line(make_kb, problems_of):
    root = person(make_kb, "role: CTO\nname: '  '\n")
    assert problems_of(root) == ["contacts/jane.md:3:7: error NK120: name is empty; it is required"]


def test_only_the_name_is_required(make_kb, problems_of):
    root = person(make_kb, "name: Jane Doe\n")
    assert problems_of(root) == []
    jane = load(root).people["jane"]
    assert (jane.slug, jane.name, jane.tags, jane.circle) == ("jane", "Jane Doe", (), None)


# --- text must be text -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (
            "country: NO",
            "3:10: error NK121: country is read as the boolean false, not text; "
            'quote it: country: "NO"',
        ),
        (
            "zip: 01234",
            '3:6: error NK121: zip is read as a number, not text; quote it: zip: "01234"',
        ),
        (
            "phone: +4930123",
            '3:8: error NK121: phone is read as a number, not text; quote it: phone: "+4930123"',
        ),
        (
            "organization: 01234",
            "3:15: error NK121: organization is read as a number, not text; "
            'quote it: organization: "01234"',
        ),
        (
            "location: yes",
            "3:11: error NK121: location is read as the boolean true, not text; "
            'quote it: location: "yes"',
        ),
        (
            "role: 2024-01-01",
            '3:7: error NK121: role is read as a date, not text; quote it: role: "2024-01-01"',
        ),
        (
            "met_at: 1:30",
            '3:9: error NK121: met_at is read as a number, not text; quote it: met_at: "1:30"',
        ),
        ("role: [CTO, CEO]", "3:7: error NK121: role must be text, not a list"),
    ],
)
def test_a_value_yaml_does_not_read_as_text_must_be_quoted(make_kb, problems_of, line, problem):
    root = person(make_kb, f"name: Jane\n{line}\n")
    assert problems_of(root) == [f"contacts/jane.md:{problem}"]


def test_a_non_text_item_in_a_list_is_located_at_the_item(make_kb, problems_of):
    root = person(make_kb, 'name: Jane\nphone: ["+49 30 1", +4930123]\ntags: [NO, golf]\n')
    assert problems_of(root) == [
        "contacts/jane.md:3:21: error NK121: phone is read as a number, not text; "
        'quote it: "+4930123"',
        "contacts/jane.md:4:8: error NK121: tags is read as the boolean false, not text; "
        'quote it: "NO"',
    ]
    assert load(root).people["jane"].phone == ("+49 30 1",)


def test_quoted_values_read_back_exactly_as_written(make_kb, problems_of):
    root = person(
        make_kb,
        'name: Jane\ncountry: "NO"\nzip: "01234"\nphone: "+4930123"\ntags: ["NO", golf]\n',
    )
    assert problems_of(root) == []
    jane = load(root).people["jane"]
    assert dict(jane.extra) == {"country": "NO", "zip": "01234"}
    assert (jane.phone, jane.tags) == (("+4930123",), ("NO", "golf"))


def test_unknown_fields_keep_ordinary_numbers_and_booleans(make_kb, problems_of):
    root = person(
        make_kb,
        "name: Jane\nscore: 42\nratio: 0.5\nbalance: -3\nverified: true\nshoe: 0\n",
    )
    assert problems_of(root) == []
    assert dict(load(root).people["jane"].extra) == {
        "score": 42,
        "ratio": 0.5,
        "balance": -3,
        "verified": True,
        "shoe": 0,
    }


def test_a_changed_value_nested_in_an_unknown_field_is_found(make_kb, problems_of):
    root = person(
        make_kb,
        dedent("""\
            name: Jane
            address:
              street: Hauptstraße 1
              zip: 01234
            spoken: [de, NO]
            """),
    )
    assert problems_of(root) == [
        "contacts/jane.md:5:8: error NK121: address.zip is read as a number, not text; "
        'quote it: zip: "01234"',
        "contacts/jane.md:6:14: error NK121: spoken is read as the boolean false, not text; "
        'quote it: "NO"',
    ]


def test_a_relation_target_must_be_text_and_the_hint_is_valid_yaml(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/jane.md": "---\nname: Jane\nrelations:\n  colleague: 01234\n---\n",
            "contacts/01234.md": "---\nname: Numbered\n---\n",
        }
    )
    assert problems_of(root) == [
        "contacts/jane.md:4:14: error NK121: relations.colleague is read as a number, not text; "
        'quote it: colleague: "01234"'
    ]


def test_a_message_stays_on_one_line_whatever_the_user_wrote(make_kb, problems_of):
    root = person(make_kb, 'name: Jane\n"odd\\nkey": NO\n')
    assert problems_of(root) == [
        "contacts/jane.md:3:13: error NK121: odd\\nkey is read as the boolean false, not text; "
        'quote it: odd\\nkey: "NO"'
    ]


# --- dates -----------------------------------------------------------------------------


def test_a_date_that_is_not_in_the_calendar_is_an_error(make_kb, problems_of):
    root = person(make_kb, "name: Jane\nmet: 2024-02-30\n")
    assert problems_of(root) == [
        "contacts/jane.md:3:6: error NK122: met 2024-02-30 is not a real calendar date"
    ]


def test_a_quoted_impossible_date_gets_the_same_message(make_kb, problems_of):
    root = person(make_kb, 'name: Jane\nlast_contact: "2024-02-30"\n')
    assert problems_of(root) == [
        "contacts/jane.md:3:15: error NK122: last_contact 2024-02-30 is not a real calendar date"
    ]


def test_a_date_in_another_format_is_an_error(make_kb, problems_of):
    root = person(make_kb, "name: Jane\nmet: 29.06.2019\n")
    assert problems_of(root) == [
        "contacts/jane.md:3:6: error NK122: met must be a date written YYYY-MM-DD, not '29.06.2019'"
    ]


def test_dates_and_leap_days_are_read(make_kb, problems_of):
    root = person(make_kb, 'name: Jane\nmet: 2024-02-29\nlast_contact: "2026-10-02"\n')
    assert problems_of(root) == []
    jane = load(root).people["jane"]
    assert (jane.met, jane.last_contact) == (dt.date(2024, 2, 29), dt.date(2026, 10, 2))


def test_a_date_with_a_time_counts_as_its_day(make_kb, problems_of):
    root = person(make_kb, "name: Jane\nmet: 2019-06-29 18:30:00\n")
    assert problems_of(root) == []
    assert load(root).people["jane"].met == dt.date(2019, 6, 29)


BIRTHDAY_HINT = 'write YYYY-MM-DD, or "--MM-DD" (quoted) when the year is unknown'


@pytest.mark.parametrize(
    ("written", "shown"),
    [("1985-13-01", "1985-13-01"), ('"--02-30"', "--02-30"), ("1985-02-29", "1985-02-29"),
     ("April 12", "April 12"), ("19850412", "19850412")],
)  # fmt: skip
def test_an_impossible_birthday_is_an_error(make_kb, problems_of, written, shown):
    root = person(make_kb, f"name: Jane\nbirthday: {written}\n")
    assert problems_of(root) == [
        f"contacts/jane.md:3:11: error NK123: birthday {shown} is not a real date; {BIRTHDAY_HINT}"
    ]


@pytest.mark.parametrize(
    ("written", "birthday"),
    [
        ("1985-04-12", Birthday(4, 12, 1985)),
        ('"1985-04-12"', Birthday(4, 12, 1985)),
        ('"--02-29"', Birthday(2, 29)),
        ("--12-31", Birthday(12, 31)),
    ],
)
def test_a_birthday_with_or_without_year_is_read(make_kb, problems_of, written, birthday):
    root = person(make_kb, f"name: Jane\nbirthday: {written}\n")
    assert problems_of(root) == []
    assert load(root).people["jane"].birthday == birthday


def test_a_birthday_without_year_prints_as_written():
    assert str(Birthday(2, 29)) == "--02-29"
    assert str(Birthday(4, 12, 1985)) == "1985-04-12"


def test_a_leap_day_birthday_falls_on_28_february_in_other_years():
    assert Birthday(2, 29).next_after(dt.date(2027, 1, 1)) == dt.date(2027, 2, 28)
    assert Birthday(2, 29).next_after(dt.date(2028, 1, 1)) == dt.date(2028, 2, 29)
    assert Birthday(1, 5).next_after(dt.date(2026, 12, 1)) == dt.date(2027, 1, 5)


# --- circle and cadence ----------------------------------------------------------------


@pytest.mark.parametrize("circle", [1, 2, 3, 4, 5])
def test_a_circle_from_1_to_5_is_read(make_kb, problems_of, circle):
    root = person(make_kb, f"name: Jane\ncircle: {circle}\n")
    assert problems_of(root) == []
    assert load(root).people["jane"].circle == circle


@pytest.mark.parametrize(
    ("written", "shown"),
    [("0", "0"), ("6", "6"), ("-1", "-1"), ("2.5", "2.5"), ('"2"', "'2'"), ("true", "true")],
)
def test_a_circle_outside_1_to_5_is_an_error(make_kb, problems_of, written, shown):
    root = person(make_kb, f"name: Jane\ncircle: {written}\n")
    assert problems_of(root) == [f"contacts/jane.md:3:9: error NK124: {CIRCLE}, not {shown}"]


@pytest.mark.parametrize(
    ("written", "cadence"),
    [
        ("30d", Cadence(30, "d")),
        ("6w", Cadence(6, "w")),
        ("3m", Cadence(3, "m")),
        ("1y", Cadence(1, "y")),
        ("14D", Cadence(14, "d")),
        ("'2 w'", Cadence(2, "w")),
    ],
)
def test_a_cadence_is_a_number_and_a_unit(make_kb, problems_of, written, cadence):
    root = person(make_kb, f"name: Jane\ncadence: {written}\n")
    assert problems_of(root) == []
    assert load(root).people["jane"].cadence == cadence


@pytest.mark.parametrize(
    ("written", "shown"),
    [("30", "30"), ("0d", "'0d'"), ("monthly", "'monthly'"), ("30x", "'30x'"),
     ("d30", "'d30'"), ("-3d", "'-3d'"), ("030d", "'030d'")],
)  # fmt: skip
def test_a_cadence_without_a_unit_or_count_is_an_error(make_kb, problems_of, written, shown):
    root = person(make_kb, f"name: Jane\ncadence: {written}\n")
    assert problems_of(root) == [f"contacts/jane.md:3:10: error NK125: cadence {shown} {CADENCE}"]


def test_parse_cadence_reads_only_whole_intervals():
    assert parse_cadence(" 3M ") == Cadence(3, "m")
    assert parse_cadence("3 months") is None
    assert str(Cadence(6, "w")) == "6w"


def test_a_cadence_in_months_follows_the_calendar():
    assert Cadence(1, "m").after(dt.date(2026, 1, 31)) == dt.date(2026, 2, 28)
    assert Cadence(1, "y").after(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)
    assert Cadence(3, "m").after(dt.date(2026, 11, 15)) == dt.date(2027, 2, 15)
    assert Cadence(2, "w").after(dt.date(2026, 12, 25)) == dt.date(2027, 1, 8)


# --- lists accept a single value -------------------------------------------------------


def test_a_single_value_means_a_list_of_one(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/single.md": "---\nname: A\ntags: golf\nemail: a@x.example\n---\n",
            "contacts/listed.md": "---\nname: B\ntags: [golf]\nemail: [b@x.example]\n---\n",
        }
    )
    assert problems_of(root) == []
    people = load(root).people
    assert people["single"].tags == people["listed"].tags == ("golf",)
    assert people["single"].email == ("a@x.example",)


def test_a_nested_list_in_a_list_field_is_an_error(make_kb, problems_of):
    root = person(make_kb, "name: Jane\ntags: [golf, [a, b]]\n")
    assert problems_of(root) == [
        "contacts/jane.md:3:14: error NK126: tags must be a list of text, not nested lists"
    ]


def test_empty_items_in_a_list_are_dropped(make_kb, problems_of):
    root = person(make_kb, "name: Jane\ntags: [golf, '', ' ']\naliases:\n")
    assert problems_of(root) == []
    assert load(root).people["jane"].tags == ("golf",)


# --- other person fields ---------------------------------------------------------------


def test_links_must_be_http_urls(make_kb, problems_of):
    root = person(
        make_kb,
        "name: Jane\nlinks:\n  - https://www.linkedin.com/in/janedoe\n  - javascript:alert(1)\n",
    )
    assert problems_of(root) == [
        "contacts/jane.md:5:5: error NK128: links: 'javascript:alert(1)' is not an http(s) URL"
    ]
    assert load(root).people["jane"].links == ("https://www.linkedin.com/in/janedoe",)


def test_an_email_must_look_like_one(make_kb, problems_of):
    root = person(make_kb, "name: Jane\nemail: jane at acme\n")
    assert problems_of(root) == [
        "contacts/jane.md:3:8: error NK132: 'jane at acme' is not an email address"
    ]


@pytest.mark.parametrize("written", ["true", "false", "True", "FALSE"])
def test_true_and_false_are_read_where_true_or_false_is_expected(make_kb, problems_of, written):
    root = person(make_kb, f"name: Jane\ndecision_maker: {written}\nprivate: {written}\n")
    assert problems_of(root) == []
    jane = load(root).people["jane"]
    assert jane.decision_maker is jane.private is (written.lower() == "true")


@pytest.mark.parametrize(("written", "meant"), [("yes", "true"), ("no", "false"), ("Off", "false")])
def test_yes_and_no_are_read_as_true_or_false_with_a_warning(make_kb, problems_of, written, meant):
    """netkb reads YAML 1.1 (yes is true); YAML 1.2 tools read yes as text. The advice is
    to write true or false, never to quote the word."""
    root = person(make_kb, f"name: Jane\ndecision_maker: {written}\nprivate: {written}\n")
    assert problems_of(root) == [
        f"contacts/jane.md:3:17: warning NK137: decision_maker: {written} is read as {meant}, "
        f"but other YAML tools read it as text; write decision_maker: {meant}",
        f"contacts/jane.md:4:10: warning NK137: private: {written} is read as {meant}, "
        f"but other YAML tools read it as text; write private: {meant}",
    ]
    jane = load(root).people["jane"]
    assert jane.decision_maker is jane.private is (meant == "true")


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (
            "private: maybe",
            "3:10: error NK127: private must be true or false, not 'maybe'; "
            "write private: true or private: false",
        ),
        (
            'decision_maker: "yes"',
            "3:17: error NK127: decision_maker must be true or false, "
            "not 'yes'; write decision_maker: true",
        ),
        (
            "private: 'No'",
            "3:10: error NK127: private must be true or false, not 'No'; write private: false",
        ),
        (
            "decision_maker: 1",
            "3:17: error NK127: decision_maker must be true or false, "
            "not 1; write decision_maker: true",
        ),
        (
            "decision_maker: [yes]",
            "3:17: error NK127: decision_maker must be true or false, "
            "not a list; write decision_maker: true or decision_maker: false",
        ),
    ],
)
def test_a_flag_must_be_true_or_false_and_the_advice_says_which(
    make_kb, problems_of, line, problem
):
    root = person(make_kb, f"name: Jane\n{line}\n")
    assert problems_of(root) == [f"contacts/jane.md:{problem}"]
    assert load(root).people["jane"].private is False


def test_relations_must_map_a_type_to_people(make_kb, problems_of):
    root = person(make_kb, "name: Jane\nrelations: [jane]\n")
    assert problems_of(root) == [
        "contacts/jane.md:3:12: error NK131: relations must map a type to people, "
        "e.g. 'relations: {colleague: [ana-lee]}'"
    ]


def test_a_relation_must_list_people_not_a_mapping(make_kb, problems_of):
    root = person(make_kb, "name: Jane\nrelations:\n  colleague: {jane: yes}\n")
    assert problems_of(root) == [
        "contacts/jane.md:4:14: error NK131: relations.colleague must list people by slug"
    ]


def test_a_full_person_is_read(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/acme/jane-doe.md": dedent("""\
                ---
                name: Jane Doe                       # required
                aliases: [Janie, J. Doe]
                organization: Acme Corp
                role: CTO
                email: [jane@acme.example]
                phone: ["+49 30 1234567"]
                links: [https://www.linkedin.com/in/janedoe]
                location: Berlin
                birthday: 1985-04-12
                tags: [golf, alumni]
                expertise: [machine learning, hiring]
                interests: [sailing, jazz]
                qualities: [generous, connector]
                circle: 2
                decision_maker: true
                met: 2019-06-29
                met_at: PyCon Berlin
                introduced_by: john-smith
                relations:
                  reports_to: [john-smith]
                cadence: 30d
                last_contact: 2026-10-02
                private: false
                favourite_drink: flat white
                ---
                Free Markdown notes.
                """),
            "contacts/john-smith.md": "---\nname: John Smith\n---\n",
        }
    )
    assert problems_of(root) == []
    jane = load(root).people["jane-doe"]
    assert jane.aliases == ("Janie", "J. Doe")
    assert jane.phone == ("+49 30 1234567",)
    assert jane.birthday == Birthday(4, 12, 1985)
    assert jane.relations == (("reports_to", ("john-smith",)),)
    assert jane.cadence == Cadence(30, "d")
    assert jane.extra == (("favourite_drink", "flat white"),)
    assert jane.body == "Free Markdown notes.\n"
    assert jane.source.at("circle") == (15, 9)


# --- near misses: a field netkb does not know, but that looks like one it does -------------


def test_check_strict_warns_about_each_near_miss_with_its_suggestion(make_kb, problems_of):
    """The issue's own example: four fields that passed silently."""
    root = person(
        make_kb,
        dedent("""\
            name: Jane Doe
            organisation: Initech
            company: Initech
            title: CTO
            linkedin: https://www.linkedin.com/in/janedoe
            """),
    )
    warnings = [
        "contacts/jane.md:3:1: warning NK136: unknown field 'organisation'; "
        "did you mean organization?",
        "contacts/jane.md:4:1: warning NK136: unknown field 'company'; did you mean organization?",
        "contacts/jane.md:5:1: warning NK136: unknown field 'title'; did you mean role?",
        "contacts/jane.md:6:1: warning NK136: unknown field 'linkedin'; did you mean links?",
    ]
    assert problems_of(root) == warnings  # and plain `check` exits 0: only warnings
    strict = CliRunner().invoke(cli, ["--kb", str(root), "check", "--strict"])
    assert strict.exit_code == 1
    assert strict.output == "\n".join(
        [*warnings, "1 person, 0 organisations, 0 interactions: 0 errors, 4 warnings", ""]
    )
    # Still kept, and shown on the page as before, under "Other fields".
    assert dict(load(root).people["jane"].extra)["title"] == "CTO"


@pytest.mark.parametrize(
    ("key", "meant"),
    [
        ("employer", "organization"),
        ("position", "role"),
        ("job", "role"),
        ("website", "links"),
        ("url", "links"),
        ("tel", "phone"),
        ("mail", "email"),
        ("tag", "tags"),
        ("Organization", "organization"),  # letter case
        ("met-at", "met_at"),  # a hyphen for the underscore
        ("introduced by", "introduced_by"),
        ("organizaton", "organization"),  # slips of the keyboard
        ("emial", "email"),
        ("compnay", "organization"),  # a slip in another name
        ("expertize", "expertise"),
    ],
)
def test_a_usual_other_name_or_a_slip_names_the_contact_field(make_kb, problems_of, key, meant):
    root = person(make_kb, f"name: Jane\n{key}: something\n")
    assert problems_of(root) == [
        f"contacts/jane.md:3:1: warning NK136: unknown field {key!r}; did you mean {meant}?"
    ]


def test_a_number_in_a_near_miss_still_gets_the_quote_advice_the_field_needs(make_kb, problems_of):
    root = person(make_kb, "name: Jane\n  # work\nmobile: +4930123\n")
    assert problems_of(root) == [
        "contacts/jane.md:4:1: warning NK136: unknown field 'mobile'; did you mean phone?",
        "contacts/jane.md:4:9: error NK121: mobile is read as a number, not text; "
        'quote it: mobile: "+4930123"',
    ]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (
            "decision-maker: yes",
            "3:1: warning NK136: unknown field 'decision-maker'; did you mean decision_maker? "
            "write decision_maker: true",
        ),
        (
            "Decision_Maker: maybe",
            "3:1: warning NK136: unknown field 'Decision_Maker'; did you mean decision_maker? "
            "write decision_maker: true or decision_maker: false",
        ),
        (
            "decisionmaker: no",
            "3:1: warning NK136: unknown field 'decisionmaker'; did you mean decision_maker? "
            "write decision_maker: false",
        ),
        (
            # A private-looking key that is the private field misspelt: the person would
            # be published, so it matters most.
            "Private: yes",
            "3:1: warning NK136: unknown field 'Private'; did you mean private? "
            "write private: true",
        ),
    ],
)
def test_a_near_miss_of_a_flag_says_to_write_true_or_false_never_to_quote(
    make_kb, problems_of, line, problem
):
    root = person(make_kb, f"name: Jane\n{line}\n")
    assert problems_of(root) == [f"contacts/jane.md:{problem}"]
    assert load(root).people["jane"].decision_maker is False  # not guessed


def test_notes_in_the_front_matter_are_pointed_below_it(make_kb, problems_of):
    root = person(make_kb, "name: Jane\nnotes: Met at the fair\n")
    assert problems_of(root) == [
        "contacts/jane.md:3:1: warning NK136: unknown field 'notes'; "
        "notes go below the front matter, after its closing ---"
    ]


def test_a_near_miss_is_located_at_its_key_in_any_layout(make_kb, problems_of):
    """A BOM, CRLF line ends, a comment and a blank line do not shift the location."""
    text = "\ufeff---\r\nname: Jane  # hi\r\n# work\r\n\r\ncompany:   Acme\r\n---\r\n"
    root = make_kb({"contacts/jane.md": text.encode("utf-8")})
    assert problems_of(root) == [
        "contacts/jane.md:5:1: warning NK136: unknown field 'company'; did you mean organization?"
    ]


@pytest.mark.parametrize(
    "line",
    [
        "pronouns: she/her",
        "github: jdoe",
        'country: "NO"',
        "meta: x",
        "team: platform",
        "spouse: Ana",
        "_company: secret",  # private keys are the user's own
        "private_notes: secret",
        "history: [{organization: Globex, until: 2024-05-01}]",
    ],
)
def test_fields_of_your_own_pass_without_a_warning(make_kb, problems_of, line):
    root = person(make_kb, f"name: Jane\n{line}\n")
    assert problems_of(root) == []


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("people: [jane]", "4:1: warning NK136: unknown field 'people'; did you mean with?"),
        ("attendees: [jane]", "4:1: warning NK136: unknown field 'attendees'; did you mean with?"),
        ("when: 2026-01-02", "4:1: warning NK136: unknown field 'when'; did you mean date?"),
        ("duration: 30", "4:1: warning NK136: unknown field 'duration'; did you mean minutes?"),
        ("type: lunch", "4:1: warning NK136: unknown field 'type'; did you mean kind?"),
        ("favour: given", "4:1: warning NK136: unknown field 'favour'; did you mean favor?"),
        ("title: Lunch", "4:1: warning NK136: unknown field 'title'; did you mean summary?"),
        (
            "notes: we talked",
            "4:1: warning NK136: unknown field 'notes'; "
            "notes go below the front matter, after its closing ---",
        ),
    ],
)
def test_a_log_entry_near_miss_names_the_log_field(make_kb, problems_of, line, problem):
    root = make_kb(
        {
            "contacts/jane.md": "---\nname: Jane\n---\n",
            "log/lunch.md": f"---\ndate: 2026-01-01\nwith: [jane]\n{line}\n---\n",
        }
    )
    assert problems_of(root) == [f"log/lunch.md:{problem}"]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (
            "url: https://acme.example",
            "3:1: warning NK136: unknown field 'url'; did you mean website?",
        ),
        ("alias: ACME", "3:1: warning NK136: unknown field 'alias'; did you mean aliases?"),
        # An organisation has no role: title is its own field there.
    ],
)
def test_an_organisation_near_miss_names_the_organisation_field(
    make_kb, problems_of, line, problem
):
    root = make_kb({"orgs/acme.md": f"---\nname: Acme\n{line}\n---\n"})
    assert problems_of(root) == [f"orgs/acme.md:{problem}"]


def test_each_kind_of_file_has_its_own_other_names(make_kb, problems_of):
    """website is an organisation's own field, and a person's links; title is a log
    entry's summary and a person's role."""
    root = make_kb(
        {
            "contacts/jane.md": "---\nname: Jane\nwebsite: https://jane.example\n---\n",
            "orgs/acme.md": "---\nname: Acme\nwebsite: https://acme.example\ntitle: x\n---\n",
        }
    )
    assert problems_of(root) == [
        "contacts/jane.md:3:1: warning NK136: unknown field 'website'; did you mean links?"
    ]


# --- interactions and organisations ----------------------------------------------------


def test_an_interaction_needs_a_date_and_people(make_kb, problems_of):
    root = make_kb({"log/lunch.md": "---\nkind: lunch\n---\n"})
    assert problems_of(root) == [
        "log/lunch.md:2:1: error NK120: date is missing; add a line 'date: YYYY-MM-DD'",
        "log/lunch.md:2:1: error NK120: with is missing; list the people: 'with: [jane-doe]'",
    ]


def test_an_interaction_with_nobody_is_an_error(make_kb, problems_of):
    root = make_kb({"log/lunch.md": "---\ndate: 2026-10-02\nwith: []\n---\n"})
    assert problems_of(root) == [
        "log/lunch.md:3:7: error NK120: with lists nobody; name one or more people by slug"
    ]


def test_interaction_fields_are_checked(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/jane.md": "---\nname: Jane\n---\n",
            "log/2026/lunch.md": dedent("""\
                ---
                date: 2026-10-02
                with: jane
                kind: Lunch
                minutes: -5
                favor: maybe
                ---
                """),
        }
    )
    assert problems_of(root) == [
        "log/2026/lunch.md:5:10: error NK135: "
        "minutes -5 is out of range; one interaction takes 0 to 1440 minutes (a day)",
        "log/2026/lunch.md:6:8: error NK130: "
        "favor must be 'given' (you helped them) or 'received', not 'maybe'",
    ]
    (lunch,) = load(root).interactions
    assert (lunch.with_, lunch.kind, lunch.minutes, lunch.favor) == (("jane",), "lunch", 0, None)


def test_an_organisation_needs_a_name_and_an_http_website(make_kb, problems_of):
    root = make_kb(
        {
            "orgs/acme.md": "---\nname: Acme Corp\nwebsite: ftp://acme.example\n---\n",
            "orgs/globex.md": "---\nwebsite: https://globex.example\n---\n",
        }
    )
    assert problems_of(root) == [
        "orgs/acme.md:3:10: error NK128: website: 'ftp://acme.example' is not an http(s) URL",
        "orgs/globex.md:2:1: error NK120: name is missing; add a line 'name: …'",
    ]
