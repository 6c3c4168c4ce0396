"""``netkb import vcard``: vCard 2.1, 3.0 and 4.0 as phones and Apple/Google write them."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
from click.testing import Result
from helpers_import import make_kb, run
from hypothesis import given, settings
from hypothesis import strategies as st

from netkb.interchange.importers import ImportFileError, google, linkedin, vcard
from netkb.load.loader import load

# Android's vCard 2.1: quoted-printable with a soft line break, bare TYPE parameters,
# an unescaped comma in TITLE, and a photo netkb has no use for.
V21 = (
    "BEGIN:VCARD\r\n"
    "VERSION:2.1\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;Zo=C3=AB;;;\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Zo=C3=AB M=C3=BCller\r\n"
    "TEL;CELL;PREF:+49 170 1234567\r\n"
    "EMAIL;INTERNET:zoe@example.com\r\n"
    "TITLE:VP, Engineering\r\n"
    "ORG:Globex;R&D\r\n"
    "NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Met at the Caf=C3=A9 in Leipzig.=0D=0ALikes =\r\n"
    "risograph printing.\r\n"
    "PHOTO;ENCODING=BASE64;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD\r\n"
    " 2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4RDgsLEBYQERMUFRUV\r\n"
    "\r\n"
    "END:VCARD\r\n"
)
# Apple's vCard 3.0: itemN groups, escaped commas, a folded NOTE, a birthday without year.
V30 = (
    "BEGIN:VCARD\n"
    "VERSION:3.0\n"
    "PRODID:-//Apple Inc.//iPhone OS 17.0//EN\n"
    "N:Doe;Jane;;;\n"
    "FN:Jane Doe\n"
    "NICKNAME:Janie\n"
    "ORG:Acme\\, Inc.;Engineering\n"
    "TITLE:CTO\n"
    "EMAIL;type=INTERNET;type=WORK;type=pref:jane@acme.example\n"
    "item2.EMAIL;type=INTERNET:jane@home.example\n"
    "item2.X-ABLabel:home\n"
    "TEL;type=CELL;type=VOICE;type=pref:+1 555 0100\n"
    "item1.URL;type=pref:https://www.linkedin.com/in/janedoe\n"
    "item1.X-ABLabel:_$!<HomePage>!$_\n"
    "X-SOCIALPROFILE;type=twitter:https://twitter.com/janedoe\n"
    "ADR;type=HOME;type=pref:;;Hauptstr. 1;Berlin;;10115;Germany\n"
    "NOTE:Met at PyCon\\nLikes sailing\\, jazz and a very long line that Apple fol\n"
    " ds at seventy-five octets.\n"
    "BDAY;X-APPLE-OMIT-YEAR=1604:1604-04-12\n"
    "CATEGORIES:golf,alumni\n"
    "UID:jane-uid\n"
    "END:VCARD\n"
)
# vCard 4.0: a year-less birthday, RELATED by UID, EXPERTISE and INTEREST (RFC 6715),
# then a card without a name and a card that never ends.
V40 = (
    "BEGIN:VCARD\n"
    "VERSION:4.0\n"
    "FN:Ana Lee\n"
    "BDAY:--0412\n"
    "EMAIL;TYPE=work:ana@x.example\n"
    "RELATED;TYPE=colleague:jane-uid\n"
    "RELATED;TYPE=friend:urn:uuid:not-in-this-file\n"
    "EXPERTISE;LEVEL=expert:machine learning\n"
    "INTEREST:sailing\n"
    "END:VCARD\n"
    "BEGIN:VCARD\n"
    "VERSION:4.0\n"
    "ORG:Just A Company\n"
    "END:VCARD\n"
    "BEGIN:VCARD\n"
    "VERSION:4.0\n"
    "FN:Never Ended\n"
)


def import_cards(
    tmp_path: Path, text: str, *options: str, files: dict[str, str] | None = None
) -> tuple[Path, Result]:
    root = make_kb(tmp_path / "kb", files)
    path = tmp_path / "contacts.vcf"
    path.write_bytes(text.encode("utf-8"))
    return root, run(root, "import", "vcard", str(path), *options)


def test_cards_of_each_version_become_people(tmp_path: Path) -> None:
    root, result = import_cards(tmp_path, V21 + V30 + V40, "--apply")
    assert result.exit_code == 0, result.output
    left_out = "friend urn:uuid:not-in-this-file is not in this import; left out"
    assert result.output == dedent(f"""\
        Import from contacts.vcf (vCard): 5 rows

        New people (3):
          + Zoë Müller (contacts/zoe-muller.md) — VP, Engineering at Globex
          + Jane Doe (contacts/jane-doe.md) — CTO at Acme, Inc.
          + Ana Lee (contacts/ana-lee.md)

        Skipped (2):
          - contacts.vcf:47: this card has no name (FN or N)
          - contacts.vcf:51: this card has no END:VCARD line

        Values left out (1):
          · contacts.vcf:37: Ana Lee: {left_out}

        Imported from contacts.vcf: 3 new, 0 updated.
        """)
    assert (root / "contacts/zoe-muller.md").read_text() == dedent("""\
        ---
        name: Zoë Müller
        organization: Globex
        role: VP, Engineering
        email: [zoe@example.com]
        phone: ["+49 170 1234567"]
        photo: photos/zoe-muller.jpg
        ---

        Met at the Café in Leipzig.
        Likes risograph printing.
        """)
    # The card's PHOTO (base64 JPEG, vCard 2.1 lines) is saved inside the KB.
    assert (root / "photos/zoe-muller.jpg").read_bytes().startswith(b"\xff\xd8\xff\xe0")
    assert (root / "contacts/jane-doe.md").read_text() == dedent("""\
        ---
        name: Jane Doe
        aliases: [Janie]
        organization: Acme, Inc.
        role: CTO
        email: [jane@acme.example, jane@home.example]
        phone: ["+1 555 0100"]
        links: ['https://www.linkedin.com/in/janedoe', 'https://twitter.com/janedoe']
        location: Berlin
        birthday: --04-12
        tags: [golf, alumni]
        ---

        Met at PyCon
        Likes sailing, jazz and a very long line that Apple folds at seventy-five octets.
        """)
    ana = load(root).people["ana-lee"]
    assert str(ana.birthday) == "--04-12"
    assert (ana.expertise, ana.interests, ana.relations) == (
        ("machine learning",),
        ("sailing",),
        (("colleague", ("jane-doe",)),),
    )
    assert load(root).problems == ()


def test_a_card_matching_someone_by_email_adds_what_is_missing(tmp_path: Path) -> None:
    jane = "---\nname: Jane Doe\nemail: [JANE@acme.example]   # work\ntags: [golf]\n---\nHi\n"
    root, result = import_cards(tmp_path, V30, "--apply", files={"contacts/jane.md": jane})
    assert "  ~ Jane Doe: aliases + Janie" in result.output
    assert "  ~ Jane Doe: tags + alumni" in result.output
    text = (root / "contacts/jane.md").read_text()
    assert text.startswith(
        # ruamel keeps the comment's column; a longer value pushes it one space along.
        "---\nname: Jane Doe\nemail: [JANE@acme.example, jane@home.example] # work\n"
        "tags: [golf, alumni]\naliases: [Janie]\n"
    )
    assert text.endswith("---\nHi\n")  # the notes are the user's: an import leaves them


def test_an_unescaped_comma_in_a_21_title_is_kept_whole(tmp_path: Path) -> None:
    card = "BEGIN:VCARD\nVERSION:2.1\nFN:A B\nTITLE:VP, Sales, EMEA\nEND:VCARD\n"
    root, _ = import_cards(tmp_path, card, "--apply")
    assert load(root).people["a-b"].role == "VP, Sales, EMEA"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"Name,Email\nJane,jane@x.example\n",
            "contacts.vcf: not a vCard file: no line BEGIN:VCARD",
        ),
        (
            b"BEGIN:VCARD\nVERSION:3.0\nFN:Zo\xeb\nEND:VCARD\n",
            "contacts.vcf:3: byte 0xeb is not UTF-8",
        ),
        (
            b"BEGIN:VCARD\nVERSION:3.0\nORG:Acme\nEND:VCARD\n",
            "no contacts recognised in this vCard file (line 1: this card has no name",
        ),
    ],
)
def test_a_bad_file_is_a_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    root = make_kb(tmp_path / "kb")
    path = tmp_path / "contacts.vcf"
    path.write_bytes(content)
    result = run(root, "import", "vcard", str(path), "--apply")
    assert result.exit_code == 1
    assert message in result.output
    assert not list((root / "contacts").iterdir())


def test_a_card_that_vobject_cannot_parse_is_skipped_with_its_line(tmp_path: Path) -> None:
    broken = "BEGIN:VCARD\nVERSION:3.0\nFN:Broken\nthis line has no colon\nEND:VCARD\n"
    fine = "BEGIN:VCARD\nVERSION:3.0\nFN:Fine\nEND:VCARD\n"
    root, result = import_cards(tmp_path, broken + fine, "--apply")
    assert "  - contacts.vcf:1: cannot read this card:" in result.output
    assert list(load(root).people) == ["fine"]


PIECES = [
    *("BEGIN:VCARD\n", "END:VCARD\n", "VERSION:2.1\n", "FN:A\n", "N:;;\n", "item1.URL:x\n"),
    *("NOTE;ENCODING=QUOTED-PRINTABLE:a=\n", "=C3=\n", " folded\n", "TEL;CELL:\n", "BDAY:--13\n"),
    *("RELATED:x\n", "ADR:;;\n", "ORG:\\\n", "\n", ":\n", "X-NETKB-CIRCLE:9\n", "EMAIL:a@b.c\n"),
    *("First Name,Last Name\n", "a,b\n", '"x\n', "Name\n", "E-mail 1 - Value\n", ",,,\n"),
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=20))
def test_any_text_gives_candidates_or_a_clear_error_never_a_crash(parts: list[str]) -> None:
    text = "".join(parts)
    for reader in (vcard.read, linkedin.read, google.read):
        try:
            parsed = reader(Path("contacts.txt"), text)
        except ImportFileError as exc:
            assert str(exc).startswith("contacts.txt")
        else:
            assert all(c.name.strip() for c in parsed.candidates)
