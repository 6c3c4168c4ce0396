"""The language server's pieces on their own: columns, what is at a cursor, the cache
that reads open files from the editor's text, and completion ranking."""

from __future__ import annotations

from pathlib import Path

import pytest

from netkb.core.records import Person, Source
from netkb.core.references import slug_key
from netkb.load.cache import MemoryCache
from netkb.load.fields import CONTACT, INTERACTION
from netkb.load.loader import load
from netkb.lsp.buffers import BufferCache
from netkb.lsp.cursor import FIELD, RELATION, SLUG, SLUG_FIELDS, VALUE, WIKILINK, spot_at
from netkb.lsp.positions import editor_lines, from_client_column, to_client_column
from netkb.network.completion import Candidate, candidates_of, matching, people_matching


def test_columns_count_code_points_for_netkb_and_utf16_units_for_the_editor():
    line = 'with: ["𝔄é", jane-deo]'  # 𝔄 is two UTF-16 units, é one
    column = line.index("jane") + 1  # netkb: from 1, in characters
    assert column == 14
    assert to_client_column(line, column) == 14  # from 0: 13 characters, 14 units
    assert from_client_column(line, 14) == 13
    assert from_client_column(line, 8) == 8  # 𝔄 starts at unit 8 and index 8
    assert from_client_column(line, 9) == 8  # inside its surrogate pair: 𝔄 itself
    assert from_client_column(line, 10) == 9  # é
    assert from_client_column(line, 99) == len(line)
    assert to_client_column("ascii", 3) == 2


def test_columns_in_utf8_and_utf32_when_the_client_asked_for_them():
    line = 'with: ["𝔄é", jane-deo]'
    column = line.index("jane") + 1
    assert to_client_column(line, column, "utf-8") == 17  # 8 + 𝔄 four bytes + é two + 3
    assert to_client_column(line, column, "utf-32") == 13
    assert from_client_column(line, 17, "utf-8") == 13
    assert from_client_column(line, 10, "utf-8") == 8  # inside 𝔄's bytes: 𝔄 itself
    assert from_client_column(line, 13, "utf-32") == 13


def test_editor_lines_count_every_line_break_as_the_reader_does():
    assert editor_lines("\ufeffa\r\nb\rc\nd") == ["a", "b", "c", "d"]


def test_the_slug_fields_are_the_catalogues():
    slug_typed = {f.name for f in (*CONTACT.fields, *INTERACTION.fields) if "slug" in f.type}
    assert slug_typed - {"relations"} == SLUG_FIELDS
    assert {"with", "introduced_by", "distinct_from"} == SLUG_FIELDS


LOG = ["---", "date: 2026-11-20", "with: [ja", "kind: lu", "favor: ", "---", "Met [[Ana L"]
CONTACT_LINES = [
    "---",
    "name: Kai",
    "relations:",
    "  colleague: [ana-lee, jo]",
    "  frie",
    "  mentor:",
    "    - ra",
    "distinct_from:",
    "  - kai-2",
    "rel",
    "relations2: {friend: [x]}",
    "# a comment: [[no]]",
    "---",
]


@pytest.mark.parametrize(
    ("lines", "line", "column", "folder", "what", "field", "prefix"),
    [
        (LOG, 2, 9, "log", SLUG, "with", "ja"),
        (LOG, 3, 8, "log", VALUE, "kind", "lu"),
        (LOG, 4, 7, "log", VALUE, "favor", ""),
        (LOG, 1, 2, "log", FIELD, "", "da"),
        (LOG, 6, 11, "log", WIKILINK, "", "Ana L"),
        (CONTACT_LINES, 3, 25, "contacts", SLUG, "relations.colleague", "jo"),
        (CONTACT_LINES, 4, 6, "contacts", RELATION, "relations", "frie"),
        (CONTACT_LINES, 6, 8, "contacts", SLUG, "relations", "ra"),
        (CONTACT_LINES, 8, 7, "contacts", SLUG, "distinct_from", "kai"),
        (CONTACT_LINES, 9, 3, "contacts", FIELD, "", "rel"),
    ],
)
def test_what_is_at_the_cursor(lines, line, column, folder, what, field, prefix):
    spot = spot_at(lines, line, column, folder)
    assert spot is not None
    assert (spot.what, spot.field, spot.prefix) == (what, field, prefix)


def test_nothing_is_offered_in_a_comment_a_note_or_past_the_end():
    assert spot_at(CONTACT_LINES, 11, 5, "contacts") is None  # a YAML comment
    assert spot_at(["---", "name: X", "---", "plain notes"], 3, 4, "contacts") is None
    assert spot_at(["---"], 7, 0, "contacts") is None
    assert spot_at([], 0, 0, "contacts") is None
    assert spot_at(["no front matter", "with: [ja"], 1, 9, "log") is None


def test_a_whole_wikilink_under_the_cursor_is_its_target():
    spot = spot_at(["---", "name: A", "---", "See [[Ana Lee|Ana]] soon"], 3, 8, "contacts")
    assert spot is not None
    assert (spot.what, spot.word, spot.start, spot.end) == (WIKILINK, "Ana Lee", 6, 13)


def test_half_typed_front_matter_never_raises():
    text = "---\nname: [Jane\nwith: {{{\n  - : :\n\t\x00[[\n:\n- -\nrelations: {a: [b, {c"
    lines = editor_lines(text)
    for line in range(len(lines) + 1):
        for column in range(len(lines[line]) + 2 if line < len(lines) else 1):
            for folder in ("contacts", "log", "orgs", "elsewhere"):
                spot_at(lines, line, column, folder)  # any answer, never an exception


def test_the_buffer_cache_reads_an_open_file_from_its_text(tmp_path: Path):
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    (tmp_path / "contacts").mkdir()
    jane = tmp_path / "contacts" / "jane-doe.md"
    jane.write_text("---\nname: Jane Doe\n---\n", encoding="utf-8")
    cache = BufferCache()

    cache.set_texts({"contacts/jane-doe.md": "---\nname: Jane Doe\nintroduced_by: nobody\n---\n"})
    unsaved = load(tmp_path, cache=cache)
    cache.set_texts({})
    saved = load(tmp_path, cache=cache)

    assert [(p.code, p.line, p.column) for p in unsaved.problems] == [("NK140", 3, 16)]
    assert saved.problems == ()
    assert jane.read_text(encoding="utf-8") == "---\nname: Jane Doe\n---\n"  # never written
    # The same problems as a load without any cache (what netkb check runs).
    jane.write_text("---\nname: Jane Doe\nintroduced_by: nobody\n---\n", encoding="utf-8")
    assert load(tmp_path).problems == unsaved.problems
    assert load(tmp_path, cache=MemoryCache()).problems == unsaved.problems


def candidate(slug: str, name: str) -> Candidate:
    return Candidate(slug, slug_key(slug), " " + name.casefold(), name, name)


def test_a_slug_prefix_ranks_before_a_name_match_before_anything_else():
    people = (
        candidate("ana-jansen", "Ana Jansen"),
        candidate("benjamin-ja", "Benjamin"),
        candidate("jane-doe", "Jane Doe"),
        candidate("zoe", "Zoë"),
    )
    ranked, more = matching(people, "ja", 10)
    assert [(grade, c.slug) for grade, c in ranked] == [
        (0, "jane-doe"),
        (1, "ana-jansen"),
        (2, "benjamin-ja"),
    ]
    assert more is False
    first, more = matching(people, "", 2)
    assert [c.slug for _, c in first] == ["ana-jansen", "benjamin-ja"]
    assert more is True


def test_the_shells_matching_finds_what_the_editors_does_without_every_candidate():
    def person(slug: str, name: str, *aliases: str) -> Person:
        return Person(slug, name, Source(Path(f"contacts/{slug}.md")), aliases=aliases)

    people = {
        p.slug: p
        for p in (
            person("zoe-muller", "Zoë Müller"),
            person("jd", "J. Doe"),
            person("bob", "Bob Stone", "Bobby"),
            person("jane-doe", "Jane Doe"),
        )
    }
    assert [c.slug for _, c in people_matching(people, "zoe", 10)] == ["zoe-muller"]
    assert [c.slug for _, c in people_matching(people, "j doe", 10)] == ["jd"]
    assert [c.slug for _, c in people_matching(people, "bobby", 10)] == ["bob"]
    assert [c.slug for _, c in people_matching(people, "", 2)] == ["bob", "jane-doe"]
    for typed in ("zoe", "j doe", "bobby", "ja", "o"):  # the same as over every candidate
        everyone = matching(candidates_of(people), typed, 10)[0]
        assert people_matching(people, typed, 10) == everyone, typed
