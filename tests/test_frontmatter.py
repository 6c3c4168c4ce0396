"""Reading front matter: bad input gets a located, clear problem and nothing crashes.

Each test writes the file it feeds in right above the problem it expects. The
``problems_of`` fixture also runs ``netkb check`` on the same KB and fails the
test if the command crashed or printed anything else.
"""

from __future__ import annotations

import time
from pathlib import Path
from textwrap import dedent

import pytest

from netkb.load.frontmatter import MAX_FILE_BYTES, MAX_FRONT_MATTER_CHARS, read_document
from netkb.load.loader import load

# --- anchors, aliases, tags ---------------------------------------------------------------


def test_an_alias_is_refused_where_it_is_used(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/jane.md": dedent("""\
                ---
                name: &n Jane
                aliases:
                  - Janie
                  - *n
                ---
                """)
        }
    )
    assert problems_of(root) == [
        "contacts/jane.md:5:5: error NK112: "
        "YAML aliases (*name) are not allowed; write the value out in full"
    ]


def test_an_alias_as_a_mapping_value_points_at_the_alias(make_kb, problems_of):
    root = make_kb({"contacts/jane.md": "---\nname: &n Jane\nlocation: *n\n---\n"})
    assert problems_of(root) == [
        "contacts/jane.md:3:11: error NK112: "
        "YAML aliases (*name) are not allowed; write the value out in full"
    ]


def test_an_alias_used_as_a_key_is_refused(make_kb, problems_of):
    root = make_kb({"contacts/jane.md": "---\nname: Jane\nfirst: &k role\n*k : CTO\n---\n"})
    assert problems_of(root) == [
        "contacts/jane.md:4:1: error NK112: "
        "YAML aliases (*name) are not allowed; write the value out in full"
    ]


def test_an_anchor_without_alias_is_harmless(make_kb, problems_of):
    root = make_kb({"contacts/jane.md": "---\nname: &n Jane\n---\n"})
    assert problems_of(root) == []
    assert load(root).people["jane"].name == "Jane"


def test_a_merge_key_is_refused(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/jane.md": dedent("""\
                ---
                name: Jane
                base: &b {city: Berlin}
                home:
                  <<: *b
                ---
                """)
        }
    )
    assert problems_of(root) == [
        "contacts/jane.md:5:3: error NK112: YAML merge keys (<<) are not allowed"
    ]


BILLION_LAUGHS = dedent("""\
    ---
    name: Jane
    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
    i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
    ---
    """)


def test_an_alias_bomb_is_refused_quickly_without_expanding_it(make_kb, problems_of):
    root = make_kb({"contacts/bomb.md": BILLION_LAUGHS})
    started = time.perf_counter()
    doc = read_document(root / "contacts/bomb.md")
    assert time.perf_counter() - started < 1  # expanded, it would be 9**9 strings
    assert doc.meta is None
    assert problems_of(root) == [
        "contacts/bomb.md:4:8: error NK112: "
        "YAML aliases (*name) are not allowed; write the value out in full"
    ]


def test_python_tags_are_refused_and_never_run(make_kb, problems_of, tmp_path):
    marker = tmp_path / "pwned"
    root = make_kb(
        {
            "contacts/jane.md": (
                f"---\nname: !!python/object/apply:os.system ['touch {marker}']\n---\n"
            )
        }
    )
    assert problems_of(root) == [
        "contacts/jane.md:2:7: error NK113: YAML tag "
        "'tag:yaml.org,2002:python/object/apply:os.system' is not allowed; "
        "remove it and write a plain value"
    ]
    assert not marker.exists()


def test_a_custom_tag_is_refused(make_kb, problems_of):
    root = make_kb({"contacts/jane.md": "---\nname: Jane\nrole: !secret CTO\n---\n"})
    assert problems_of(root) == [
        "contacts/jane.md:3:7: error NK113: "
        "YAML tag '!secret' is not allowed; remove it and write a plain value"
    ]


def test_the_standard_str_tag_is_allowed(make_kb, problems_of):
    root = make_kb({"contacts/jane.md": "---\nname: Jane\nrole: !!str 123\n---\n"})
    assert problems_of(root) == []
    assert load(root).people["jane"].role == "123"


# --- keys ------------------------------------------------------------------------------


def test_a_duplicate_key_names_both_lines(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/jane.md": dedent("""\
                ---
                name: Jane
                role: CTO
                name: Janet
                ---
                """)
        }
    )
    assert problems_of(root) == [
        "contacts/jane.md:4:1: error NK114: duplicate key 'name': also on line 2; keep one of them"
    ]


def test_a_duplicate_nested_key_is_found_too(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/jane.md": dedent("""\
                ---
                name: Jane
                relations:
                  colleague: [jane]
                  friend: [jane]
                  colleague: [jane]
                ---
                """)
        }
    )
    assert problems_of(root) == [
        "contacts/jane.md:6:3: error NK114: "
        "duplicate key 'colleague': also on line 4; keep one of them"
    ]


@pytest.mark.parametrize(
    ("line", "where", "message"),
    [
        ("yes: 1", "3:1", "key 'yes' is not read as text; quote it: 'yes': …"),
        ("1: x", "3:1", "key '1' is not read as text; quote it: '1': …"),
        ("2024-01-01: x", "3:1", "key '2024-01-01' is not read as text; quote it: '2024-01-01': …"),
        ("~: x", "3:1", "key '~' is not read as text; quote it: '~': …"),
        ("? [a, b]\n: x", "3:3", "a key must be text, not a list or mapping"),
    ],
)
def test_a_key_that_is_not_text_is_refused(make_kb, problems_of, line, where, message):
    root = make_kb({"contacts/jane.md": f"---\nname: Jane\n{line}\n---\n"})
    assert problems_of(root) == [f"contacts/jane.md:{where}: error NK116: {message}"]


def test_a_quoted_key_is_text(make_kb, problems_of):
    root = make_kb({"contacts/jane.md": "---\nname: Jane\n'yes': 1\n---\n"})
    assert problems_of(root) == []
    assert dict(load(root).people["jane"].extra) == {"yes": 1}


# --- whitespace, encoding, bytes -------------------------------------------------------


def test_a_tab_in_indentation_is_located(make_kb, problems_of):
    root = make_kb({"contacts/jane.md": "---\nname: Jane\nrelations:\n\tcolleague: [x]\n---\n"})
    assert problems_of(root) == [
        "contacts/jane.md:4:1: error NK111: tab used for indentation; YAML needs spaces"
    ]


def test_a_tab_after_spaces_is_located_at_its_column(make_kb, problems_of):
    root = make_kb({"contacts/jane.md": "---\nname: Jane\nrelations:\n  \tcolleague: [x]\n---\n"})
    assert problems_of(root) == [
        "contacts/jane.md:4:3: error NK111: tab used for indentation; YAML needs spaces"
    ]


def test_a_tab_inside_a_value_is_fine(make_kb, problems_of):
    root = make_kb({"contacts/jane.md": "---\nname: Jane\nrole: CTO\tand more\n---\n"})
    assert problems_of(root) == []


def test_a_byte_that_is_not_utf8_is_located(make_kb, problems_of):
    root = make_kb({"contacts/jane.md": b"---\nname: Jane\nrole: Caf\xe9 owner\n---\n"})
    assert problems_of(root) == [
        "contacts/jane.md:3:10: error NK101: byte 0xe9 is not UTF-8; save the file as UTF-8"
    ]


def test_the_column_of_a_bad_byte_counts_characters_not_bytes(make_kb, problems_of):
    # "Zoë " is four characters but five bytes; editors count characters.
    root = make_kb({"contacts/zoe.md": b"---\nname: Zo\xc3\xab \xff\n---\n"})
    assert problems_of(root) == [
        "contacts/zoe.md:2:11: error NK101: byte 0xff is not UTF-8; save the file as UTF-8"
    ]


def test_a_bad_byte_after_a_bom_and_crlf_lines_is_located_like_an_editor_shows_it(
    make_kb, problems_of
):
    root = make_kb({"contacts/jane.md": b"\xef\xbb\xbf---\r\nname: Jane\r\nrole: \x80\r\n---\r\n"})
    assert problems_of(root) == [
        "contacts/jane.md:3:7: error NK101: byte 0x80 is not UTF-8; save the file as UTF-8"
    ]


def test_a_nul_byte_is_located(make_kb, problems_of):
    root = make_kb({"contacts/jane.md": b"---\nname: Jane\nrole: C\x00TO\n---\n"})
    assert problems_of(root) == [
        "contacts/jane.md:3:8: error NK102: file contains a NUL byte; is it a binary file?"
    ]


def test_a_binary_file_is_refused(make_kb, problems_of):
    root = make_kb({"contacts/photo.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"})
    assert problems_of(root) == [
        "contacts/photo.md:3:1: error NK102: file contains a NUL byte; is it a binary file?"
    ]


def test_an_invisible_control_character_is_located(make_kb, problems_of):
    root = make_kb({"contacts/jane.md": "---\nname: Jane\nrole: CTO\x07\n---\n"})
    assert problems_of(root) == [
        "contacts/jane.md:3:10: error NK110: character U+0007 is not allowed in front matter; "
        "delete it (your editor may not show it)"
    ]


def test_a_unicode_line_separator_is_refused_before_it_shifts_the_lines(make_kb, problems_of):
    # YAML counts U+2028 as a line break, editors do not: every later line would be off.
    root = make_kb({"contacts/zoe.md": "---\nname: Zoë\u2028Müller\ncircle: 9\n---\n"})
    assert problems_of(root) == [
        "contacts/zoe.md:2:10: error NK110: character U+2028 is not allowed in front matter; "
        "delete it (your editor may not show it)"
    ]


def test_a_utf8_bom_is_accepted_and_lines_stay_right(make_kb, problems_of):
    root = make_kb({"contacts/jane.md": "\ufeff---\nname: Jane\ncircle: 9\n---\nSee [[nobody]].\n"})
    assert problems_of(root) == [
        "contacts/jane.md:3:9: error NK124: "
        "circle must be a whole number from 1 (inner circle) to 5 (acquaintance), not 9",
        "contacts/jane.md:5:5: warning NK141: "
        "[[nobody]] names no person or organisation; use a slug, a name or an alias",
    ]
    assert load(root).people["jane"].name == "Jane"


def test_crlf_line_endings_are_accepted_and_lines_stay_right(make_kb, problems_of):
    root = make_kb(
        {"contacts/jane.md": "---\r\nname: Jane\r\ncircle: 9\r\n---\r\nSee [[nobody]].\r\n"}
    )
    assert problems_of(root) == [
        "contacts/jane.md:3:9: error NK124: "
        "circle must be a whole number from 1 (inner circle) to 5 (acquaintance), not 9",
        "contacts/jane.md:5:5: warning NK141: "
        "[[nobody]] names no person or organisation; use a slug, a name or an alias",
    ]
    jane = load(root).people["jane"]
    assert jane.name == "Jane"
    assert "\r" not in jane.body


def test_bom_and_crlf_together_read_the_same_fields(make_kb):
    root = make_kb(
        {
            "contacts/plain.md": "---\nname: Jane\ntags: [golf]\n---\nNotes\n",
            "contacts/windows.md": "\ufeff---\r\nname: Jane\r\ntags: [golf]\r\n---\r\nNotes\r\n",
        }
    )
    plain = read_document(root / "contacts/plain.md")
    windows = read_document(root / "contacts/windows.md")
    assert (windows.meta, windows.locations, windows.body, windows.body_line) == (
        plain.meta,
        plain.locations,
        plain.body,
        plain.body_line,
    )


def test_old_mac_line_endings_count_as_lines(make_kb, problems_of):
    root = make_kb({"contacts/jane.md": "---\rname: Jane\rcircle: 9\r---\r"})
    assert problems_of(root) == [
        "contacts/jane.md:3:9: error NK124: "
        "circle must be a whole number from 1 (inner circle) to 5 (acquaintance), not 9"
    ]


# --- the shape of the file -------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n", "  \n\n\t\n", "\ufeff"])
def test_an_empty_file_is_reported(make_kb, problems_of, text):
    root = make_kb({"contacts/empty.md": text})
    assert problems_of(root) == [
        "contacts/empty.md:1:1: error NK105: "
        "file is empty; a record starts with '---', fields, '---'"
    ]


def test_a_file_without_front_matter_is_reported(make_kb, problems_of):
    root = make_kb({"contacts/jane.md": "# Jane Doe\n\nMet at PyCon.\n"})
    assert problems_of(root) == [
        "contacts/jane.md:1:1: error NK103: no front matter: the file must start with a line "
        "'---', then YAML fields such as 'name: Jane Doe', then a line '---'"
    ]


def test_unclosed_front_matter_is_reported_where_it_opens(make_kb, problems_of):
    root = make_kb({"contacts/jane.md": "---\nname: Jane\nrole: CTO\n\nNotes.\n"})
    assert problems_of(root) == [
        "contacts/jane.md:1:1: error NK104: "
        "front matter opened here is never closed; add a line '---'"
    ]


def test_front_matter_may_close_with_three_dots(make_kb, problems_of):
    root = make_kb({"contacts/jane.md": "---\nname: Jane\n...\nNotes.\n"})
    assert problems_of(root) == []
    assert load(root).people["jane"].body == "Notes.\n"


@pytest.mark.parametrize(
    ("front_matter", "kind"),
    [
        ("- name: Jane\n", "a list"),
        ("Jane Doe\n", "text"),
        ("42\n", "a number"),
        ("", "empty"),
        ("# only a comment\n", "empty"),
        ("~\n", "empty"),
        ("null\n", "empty"),
    ],
)
def test_front_matter_that_is_not_fields_is_reported(make_kb, problems_of, front_matter, kind):
    root = make_kb({"contacts/jane.md": f"---\n{front_matter}---\n"})
    assert problems_of(root) == [
        f"contacts/jane.md:2:1: error NK115: "
        f"front matter is {kind}; it must be fields like 'name: Jane Doe'"
    ]


def test_a_yaml_syntax_error_is_located_with_a_hint(make_kb, problems_of):
    root = make_kb({"contacts/jane.md": "---\nname: Jane\nrole: CTO: Acme\n---\n"})
    assert problems_of(root) == [
        "contacts/jane.md:3:10: error NK110: YAML syntax error: mapping values are not "
        "allowed in this context; a value containing ': ' must be quoted"
    ]


def test_an_unclosed_flow_list_says_where_it_started(make_kb, problems_of):
    root = make_kb({"contacts/jane.md": "---\nname: Jane\ntags: [golf, jazz\nrole: CTO\n---\n"})
    assert problems_of(root) == [
        "contacts/jane.md:4:5: error NK110: YAML syntax error: while parsing a flow sequence "
        "(started at line 3, column 7), did not find expected ',' or ']'"
    ]


def test_an_unclosed_quote_points_at_the_quote(make_kb, problems_of):
    root = make_kb({"contacts/jane.md": '---\nname: "Jane\nrole: CTO\n---\n'})
    assert problems_of(root) == [
        "contacts/jane.md:2:7: error NK110: YAML syntax error: "
        "while scanning a quoted scalar, found unexpected end of stream"
    ]


# --- size and depth --------------------------------------------------------------------


@pytest.mark.parametrize("depth", [10_000, 100_000])
def test_very_deep_nesting_is_refused_quickly(make_kb, problems_of, depth):
    root = make_kb({"contacts/deep.md": "---\nname: " + "[" * depth + "\n---\n"})
    started = time.perf_counter()
    assert problems_of(root) == [
        "contacts/deep.md:2:38: error NK117: values are nested more than 32 levels deep"
    ]
    assert time.perf_counter() - started < 5


def test_deep_nesting_that_is_closed_is_refused_too(make_kb, problems_of):
    root = make_kb({"contacts/deep.md": "---\nname: " + "[" * 1500 + "]" * 1500 + "\n---\n"})
    assert problems_of(root) == [
        "contacts/deep.md:2:38: error NK117: values are nested more than 32 levels deep"
    ]


def test_deep_block_nesting_is_refused(make_kb, problems_of):
    nested = "".join(f"{'  ' * (level + 1)}k{level}:\n" for level in range(40))
    root = make_kb({"contacts/deep.md": f"---\nname: Jane\nextra:\n{nested}---\n"})
    # The mapping under 'extra' (line 4) is level 1, so the one holding k32 (line 36,
    # indented 66 spaces) is level 33.
    assert problems_of(root) == [
        "contacts/deep.md:36:67: error NK117: values are nested more than 32 levels deep"
    ]


def test_nesting_up_to_the_limit_is_fine(make_kb, problems_of):
    root = make_kb({"contacts/deep.md": "---\nname: Jane\nx: " + "[" * 31 + "]" * 31 + "\n---\n"})
    assert problems_of(root) == []


def test_a_file_over_4_mib_is_refused(make_kb, problems_of):
    text = "---\nname: Jane\n---\n" + "x" * MAX_FILE_BYTES
    root = make_kb({"contacts/big.md": text})
    size = len(text)
    assert problems_of(root) == [
        f"contacts/big.md:1:1: error NK106: file is {size:,} bytes; netkb reads files up to "
        "4,194,304 bytes. Move large notes or attachments elsewhere"
    ]


def test_a_file_of_exactly_4_mib_is_read(make_kb, problems_of):
    head = "---\nname: Jane\n---\n"
    root = make_kb({"contacts/big.md": head + "x" * (MAX_FILE_BYTES - len(head))})
    assert problems_of(root) == []


def test_huge_front_matter_is_refused(make_kb, problems_of):
    notes = "x" * MAX_FRONT_MATTER_CHARS
    root = make_kb({"contacts/jane.md": f"---\nname: Jane\nnotes: {notes}\n---\n"})
    size = len(f"name: Jane\nnotes: {notes}\n")
    assert problems_of(root) == [
        f"contacts/jane.md:2:1: error NK106: front matter is {size:,} characters; the limit "
        "is 262,144. Move long text into the notes below it"
    ]


# --- what a good file gives ------------------------------------------------------------


def test_values_know_their_line_and_column():
    doc = read_document(
        Path("jane.md"),
        dedent("""\
            ---
            name: Jane Doe
            tags: [golf, jazz]
            relations:
              colleague:
                - ana-lee
            ---
            Notes start here.
            """).encode(),
    )
    assert doc.problems == []
    assert doc.meta == {
        "name": "Jane Doe",
        "tags": ["golf", "jazz"],
        "relations": {"colleague": ["ana-lee"]},
    }
    assert doc.locations[("name",)] == (2, 7)
    assert doc.locations[("tags", 1)] == (3, 14)
    assert doc.locations[("relations", "colleague", 0)] == (6, 7)
    assert (doc.body, doc.body_line) == ("Notes start here.\n", 8)


def test_an_unreadable_path_is_a_problem_not_an_exception(tmp_path):
    doc = read_document(tmp_path / "missing.md")
    assert doc.meta is None
    assert [p.format(tmp_path) for p in doc.problems] == [
        "missing.md:1:1: error NK108: cannot read the file: No such file or directory"
    ]
