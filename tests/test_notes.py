"""Notes are hostile input: rendered by one parser, sanitised by an allow-list, private
parts removed on the parsed tree. Corpus cases and a property test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hostile import HOSTILE_NOTES, PRIVATE_NOTES, PUBLIC_AFTER, unsafe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netkb.core.notes import (
    ALLOWED_TAGS,
    URL_SCHEMES,
    NoteRenderer,
    Part,
    Target,
    parts,
    public_text,
    public_wikilinks,
)

RENDERER = NoteRenderer()
PEOPLE = {"jane-doe": Target("people/jane-doe.md", "Jane Doe")}


def render(body: str) -> str:
    return RENDERER.html(
        body, resolve=PEOPLE.get, page_url=lambda page: "../" + page[:-3] + ".html"
    )


def tags_of(fragment: str) -> set[str]:
    return {t.lower() for t in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", fragment)}


def test_the_corpus_is_big_enough():
    assert len(HOSTILE_NOTES) >= 60
    assert len(PRIVATE_NOTES) >= 20


@pytest.mark.parametrize("note", HOSTILE_NOTES)
def test_a_hostile_note_renders_to_nothing_unsafe(note):
    fragment = render(note)
    assert unsafe(fragment) == []
    assert tags_of(fragment) <= ALLOWED_TAGS


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        # raw HTML is shown as the text it is
        ('<img src=x onerror="alert(1)">', '<p>&lt;img src=x onerror="alert(1)"&gt;</p>'),
        # a script link keeps its label and loses its target
        ("[click](javascript:alert(1))", '<p><span class="netkb-removed">click</span></p>'),
        # an image from another host is a link to it, never loaded
        (
            "![chart](https://evil.example/p.png)",
            '<p><a href="https://evil.example/p.png" rel="noopener noreferrer">'
            "image: chart</a></p>",
        ),
        # wikilinks become links to the person's page, named as the person is
        (
            "Met [[jane-doe]] and [[jane-doe|her]] and [[nobody]].",
            '<p>Met <a href="../people/jane-doe.html" rel="noopener noreferrer">Jane Doe</a> '
            'and <a href="../people/jane-doe.html" rel="noopener noreferrer">her</a> and '
            '<span class="netkb-unresolved">nobody</span>.</p>',
        ),
        # safe links stay
        (
            "[mail](mailto:a@b.example) [site](https://ok.example/a?b=1&c=2)",
            '<p><a href="mailto:a@b.example" rel="noopener noreferrer">mail</a> '
            '<a href="https://ok.example/a?b=1&amp;c=2" rel="noopener noreferrer">site</a></p>',
        ),
        # a link to another page of the site gets that page's URL
        (
            "[Acme](../orgs/acme.md#team)",
            '<p><a href="../orgs/acme.html" rel="noopener noreferrer">Acme</a></p>',
        ),
        # tables align with an attribute, never a style
        (
            "| a | b |\n|:--|--:|\n| 1 | 2 |",
            '<table>\n<thead>\n<tr>\n<th align="left">a</th>\n<th align="right">b</th>\n'
            '</tr>\n</thead>\n<tbody>\n<tr>\n<td align="left">1</td>\n'
            '<td align="right">2</td>\n</tr>\n</tbody>\n</table>',
        ),
        # fenced code is code
        ("```\n<b>x</b>\n```", "<pre><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre>"),
    ],
)
def test_notes_render_as_expected(note, expected):
    assert render(note) == expected


@pytest.mark.parametrize("note", PRIVATE_NOTES)
def test_private_parts_never_reach_the_html_or_the_text(note):
    fragment = render(note)
    text = public_text(note)
    assert "PRIVMARK" not in fragment
    assert "PRIVMARK" not in text
    assert PUBLIC_AFTER in fragment and PUBLIC_AFTER in text


def test_a_private_part_ends_at_the_next_heading_of_the_same_or_a_higher_level():
    note = (
        "Intro.\n\n## Private\n\nsecret\n\n### Deeper\n\nsecret too\n\n"
        "## Work\n\nvisible\n\n# Top\n\nalso visible"
    )
    assert public_text(note) == "Intro.\n\n## Work\n\nvisible\n\n# Top\n\nalso visible"
    assert "secret" not in render(note)


def test_a_heading_that_merely_mentions_private_is_public():
    note = "## Private equity contacts\n\nvisible\n\n## Privately held\n\nalso visible"
    assert "visible" in public_text(note) and "also visible" in public_text(note)


def test_wikilinks_in_private_parts_or_code_are_not_mentions():
    note = "See [[ana]] and `[[code]]`.\n\n```\n[[fenced]]\n```\n\n## Private\n\n[[hidden]]"
    assert public_wikilinks(note) == ["ana"]


def test_public_text_keeps_wikilinks_as_written_for_exports():
    # nothing private: the notes as written
    assert (
        public_text("Met [[jane-doe|Jane]] at **PyCon**.\n")
        == "Met [[jane-doe|Jane]] at **PyCon**."
    )
    # a private part: the plain text of what is public
    assert public_text("Met [[jane-doe|Jane]] at **PyCon**.\n\n## Private\n\nx") == (
        "Met [[jane-doe|Jane]] at PyCon."
    )


# -- the property: any mix of dangerous pieces renders to nothing unsafe -----------------

PIECES = [
    "<",
    ">",
    "`",
    "```",
    "~~~",
    "~",
    "[",
    "](",
    ")",
    "]",
    "[[",
    "]]",
    "|",
    "\n",
    "\n\n",
    "\t",
    "    ",
    "&#106;",
    "&#58;",
    "&lt;",
    "&#x3C;",
    "javascript:",
    "JAVASCRIPT:",
    "vbscript:",
    "data:text/html,",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\",
    "img",
    "script",
    "svg",
    "iframe",
    " src=",
    " onerror=",
    " onload=",
    " href=",
    "=",
    '"',
    "'",
    "!",
    "![x",
    "#",
    "## ",
    "Private",
    "private",
    "-----",
    "=====",
    "> ",
    "- ",
    "1. ",
    "!!! note",
    "{:",
    "}",
    "*",
    "**",
    "_",
    "x",
    "alert(1)",
    "style=",
    "url(",
    "\x00",
    "\r",
    "\u2028",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_property_dangerous_markdown_never_yields_an_unsafe_element(note):
    fragment = render(note)
    assert unsafe(fragment) == []
    assert tags_of(fragment) <= ALLOWED_TAGS


@settings(max_examples=200, deadline=None)
@given(
    before=st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
    heading=st.sampled_from(
        ["## Private", "##Private", "Private\n---", "# PRIVATE", "### private"]
    ),
    after=st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
)
def test_property_text_under_a_private_heading_is_never_published(before, heading, after):
    note = f"{before}\n\n{heading}\n\nPRIVMARK\n\n{after}"
    fragment, text = render(note), public_text(note)
    # Whatever came before, the marker right under the heading is never shown, unless
    # the text before opened a code block that swallowed the heading (then it is code).
    if "PRIVMARK" in fragment or "PRIVMARK" in text:
        assert "<pre>" in fragment or "<code>" in fragment


def test_check_warns_where_the_site_neutralises_something(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/ann.md": (
                "---\nname: Ann\n---\n\nHello ![pic](https://evil.example/p.png)\n\n"
                "and [x](javascript:alert(1)) [ok](https://a.example)\n\n"
                "## Private\n\n![hidden](https://evil.example/q.png)\n"
            )
        }
    )
    assert problems_of(root) == [
        "contacts/ann.md:5:14: warning NK170: image 'https://evil.example/p.png' is on another "
        "host: the site shows a link, never loads it",
        "contacts/ann.md:7:9: warning NK171: link 'javascript:alert(1)' is not http(s), mailto, "
        "tel or relative: shown as text",
    ]


def test_parts_cut_the_notes_at_their_top_level_headings_only():
    fragment = render("Intro\n\n## Next &amp; <steps>\n\n- a\n\n> ## quoted\n\n### Deep\n\ntext")
    assert parts(fragment) == [
        Part("<p>Intro</p>"),
        Part("Next & <steps>", heading=2),
        Part("<ul>\n<li>a</li>\n</ul>\n<blockquote>\n<h2>quoted</h2>\n</blockquote>"),
        Part("Deep", heading=3),
        Part("<p>text</p>"),
    ]


def test_the_readme_states_the_allow_list_the_code_uses():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    stated = readme.split("The notes allow-list: tags `", 1)[1].split("`;", 1)[0]
    tags = set(" ".join(stated.replace("`–`", " ").split()).replace("h1 h6", "").split())
    assert tags | {f"h{n}" for n in range(1, 7)} == set(ALLOWED_TAGS)
    for scheme in URL_SCHEMES:
        assert f"`{scheme}`" in readme.split("The notes allow-list", 1)[1]


@pytest.mark.parametrize(
    "note",
    [
        "Plain [[ana]] and [[bob|Bob]] and [[ana]].",
        "Code `[[x]]` and [[ana]]",
        "Escaped \\[[x]] and [[ana]]",
        "    [[indented]]\n\n[[ana]]",
        "Para\n\n\t[[tabbed]]\n\n[[ana]]",
        "[[[ana]]](https://x.example) [[bob]]",
        "![[[img]]](p.png) [[ana]]",
        "~~~\n[[fenced]]\n~~~\n[[ana]]",
        "[[ana]] then [[ bob ]] then [[c|d]]",
    ],
)
def test_the_quick_wikilink_scan_agrees_with_the_parsed_document(note):
    # The fast path must give exactly what the full parse gives.
    slow = NoteRenderer()
    slow.convert(note, None, None)
    assert public_wikilinks(note) == slow.targets
