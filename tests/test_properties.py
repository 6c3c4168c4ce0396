"""Property tests: any input gives records or located problems, never an exception."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import yaml
from conftest import write_kb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netkb.core.problems import CODES
from netkb.core.ranges import MAX_CADENCE
from netkb.core.records import Cadence
from netkb.core.slugs import make_slug
from netkb.edit.scaffold import contact_text
from netkb.load.frontmatter import read_document
from netkb.load.loader import load
from netkb.load.schema import parse_cadence

FAST = settings(max_examples=200, deadline=None)
KB = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def assert_located(problems, text_lines: list[str] | None = None) -> None:
    """Every problem has a known code and a position inside the file it names."""
    for problem in problems:
        assert problem.code in CODES, problem
        assert problem.severity in ("error", "warning"), problem
        assert problem.line >= 1 and problem.column >= 1, problem
        assert "\n" not in problem.message, problem
        if text_lines is not None:
            assert problem.line <= len(text_lines), problem
            assert problem.column <= len(text_lines[problem.line - 1]) + 1, problem


def lines_of(text: str) -> list[str]:
    """The lines an editor shows (the same split the reader uses)."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")


# --- any bytes -------------------------------------------------------------------------


@FAST
@given(st.binary(max_size=3000))
def test_any_bytes_give_a_document_and_never_raise(data):
    doc = read_document(Path("contacts/x.md"), data)
    assert (doc.meta is None) == bool(doc.problems)  # a failure always says why
    assert_located(doc.problems, lines_of(data.decode("utf-8", "replace")))


@FAST
@given(st.binary(max_size=1000))
def test_any_bytes_between_fences_give_a_document(data):
    file_bytes = b"---\n" + data + b"\n---\nbody\n"
    doc = read_document(Path("contacts/x.md"), file_bytes)
    assert (doc.meta is None) == bool(doc.problems)
    assert_located(doc.problems, lines_of(file_bytes.decode("utf-8", "replace")))


# --- YAML-ish text ---------------------------------------------------------------------

YAML_PIECES = [
    *"ab01 :-[]{},&*!|>'\"#?%@`~.\t\\\n",
    *["\r\n", "\ufeff", "\x00", "\x07", "\x85", "\u2028", "é", "Zoë"],
    *["---", "...", "name: ", "- ", "  ", "    ", "yes", "NO", "~", "2024-02-30", "01234"],
    *["&a ", "*a", "!!python/object:os.system ", "!!str ", "!!binary ", "<<: ", "? ", "[[", "]]"],
]
yamlish = st.lists(st.sampled_from(YAML_PIECES), max_size=80).map("".join)


@FAST
@given(yamlish)
def test_yamlish_text_in_fences_gives_fields_or_located_problems(text):
    file_text = f"---\n{text}\n---\n"
    doc = read_document(Path("contacts/x.md"), file_text.encode("utf-8"))
    assert (doc.meta is None) == bool(doc.problems)
    if doc.meta is not None:
        assert isinstance(doc.meta, dict)
    assert_located(doc.problems, lines_of(file_text))


# --- real YAML from hypothesis values --------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.dates()
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=25,
)
documents = st.dictionaries(st.text(max_size=12), values, max_size=6)


def depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


@FAST
@given(documents, st.booleans())
def test_dumped_yaml_reads_back_exactly(document, unicode):
    dumped = yaml.safe_dump(document, allow_unicode=unicode)
    file_text = f"---\n{dumped}---\nNotes.\n"
    doc = read_document(Path("contacts/x.md"), file_text.encode("utf-8"))
    assert_located(doc.problems, lines_of(file_text))
    # PyYAML writes NEL, U+2028 and U+2029 raw when allowed to write Unicode; YAML reads
    # them as line breaks (which would shift every line number), so netkb refuses them.
    if set("\x85\u2028\u2029") & set(dumped):
        assert [p.code for p in doc.problems] == ["NK110"]
    elif depth(document) > 32:
        assert [p.code for p in doc.problems] == ["NK117"]
    else:
        assert doc.problems == []
        assert doc.meta == document
        assert doc.body == "Notes.\n"


# --- load() on a KB holding such a file ------------------------------------------------

SLUGS = ["ana-lee", "bob", "carla", "Ana-Lee", "nobody", "ana lee", "Ana Lee"]
FIELDS = [
    "name", "aliases", "organization", "role", "email", "phone", "links", "location",
    "birthday", "tags", "expertise", "circle", "decision_maker", "met", "met_at",
    "introduced_by", "relations", "cadence", "last_contact", "private", "country",
]  # fmt: skip
field_values = (
    values
    | st.sampled_from(SLUGS)
    | st.lists(st.sampled_from(SLUGS), max_size=3)
    | st.dictionaries(
        st.sampled_from(["reports_to", "manages", "mentor", "colleague", "golf_buddy"]),
        st.sampled_from(SLUGS) | st.lists(st.sampled_from(SLUGS), max_size=3),
        max_size=3,
    )
    | st.sampled_from(["30d", "0d", "monthly", "--02-29", "--02-30", "1985-04-12", "NO", 3])
)
contacts = st.dictionaries(st.sampled_from(FIELDS), field_values, max_size=8)
BODY_PIECES = [
    *["[[", "]]", "|", "`", "```\n", "\n", " ", "ana-lee", "Ana Lee", "Annie", "nobody", "Acme"],
    *["## Private\n", "é", "\t"],
]
bodies = st.lists(st.sampled_from(BODY_PIECES), max_size=40).map("".join)

FIXED = {
    "contacts/ana-lee.md": "---\nname: Ana Lee\naliases: [Annie]\norganization: Acme\n---\n",
    "contacts/bob.md": "---\nname: Bob\nrelations: {reports_to: ana-lee}\n---\n",
    "orgs/acme.md": "---\nname: Acme\n---\n",
    "log/lunch.md": "---\ndate: 2026-10-02\nwith: [ana-lee, bob]\n---\n",
}


@KB
@given(contact=contacts, body=bodies, log=contacts, as_yaml=st.booleans())
def test_load_never_raises_on_a_kb_with_an_arbitrary_contact(tmp_path, contact, body, log, as_yaml):
    root = tmp_path / "kb"
    shutil.rmtree(root, ignore_errors=True)
    if as_yaml:
        person = f"---\n{yaml.safe_dump(contact, allow_unicode=True)}---\n{body}"
        entry = f"---\n{yaml.safe_dump(log, allow_unicode=True)}---\n{body}"
    else:  # flow style: one line per field, closer to what people type
        person = "---\n" + "".join(
            f"{key}: {yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()}\n"
            for key, value in contact.items()
        )
        person += f"---\n{body}"
        entry = person
    write_kb(root, {**FIXED, "contacts/carla.md": person, "log/2026/x.md": entry})
    network = load(root)
    texts = {path: (root / path).read_text(encoding="utf-8") for path in (*FIXED, "log/2026/x.md")}
    texts["contacts/carla.md"] = person
    for problem in network.problems:
        name = problem.path.relative_to(root.resolve()).as_posix()
        assert_located([problem], lines_of(texts[name]))
    assert {"ana-lee", "bob"} <= set(network.people)


# --- writing and slugs -----------------------------------------------------------------

printable = st.text(
    st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters="\ufffe\uffff"),
    min_size=1,
    max_size=40,
).filter(str.strip)


@FAST
@given(
    name=printable,
    tags=st.lists(printable, max_size=4),
    phones=st.lists(st.from_regex(r"\+?[0-9][0-9 ]{0,15}", fullmatch=True), max_size=3),
    circle=st.integers(1, 5),
    met=st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)),
)
def test_a_written_contact_reads_back_as_the_same_fields(name, tags, phones, circle, met):
    fields = {"name": name.strip(), "tags": tags, "phone": phones, "circle": circle, "met": met}
    doc = read_document(Path("contacts/x.md"), contact_text(fields).encode("utf-8"))
    assert doc.problems == []
    assert doc.meta == fields


@FAST
@given(st.text(max_size=300))
def test_a_slug_is_short_lowercase_ascii(name):
    slug = make_slug(name)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug), slug
    assert len(slug) <= 80


@FAST
@given(
    st.sampled_from("dwmyDWMY").flatmap(
        lambda unit: st.tuples(st.integers(1, MAX_CADENCE[unit.lower()]), st.just(unit))
    )
)
def test_a_cadence_reads_back_as_written(written):
    count, unit = written  # up to a century (DESIGN.md §2 ranges); longer is an error
    assert parse_cadence(f"{count}{unit}") == Cadence(count, unit.lower())
    assert parse_cadence(f"{count + MAX_CADENCE[unit.lower()]}{unit}") is None
    assert str(Cadence(count, unit.lower())) == f"{count}{unit.lower()}"
