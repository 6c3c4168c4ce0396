"""netkb's pages are HTML blocks under Markdown headings: Markdown passes the blocks through
without parsing them, every link carries its final URL, and every value is escaped for the
HTML context it lands in (text, attribute, URL)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from conftest import write_kb
from mkdocs.utils.meta import get_data
from network_kb import TODAY, write_network

from netkb.link.derive import link
from netkb.load.loader import load
from netkb.render import escape
from netkb.render.blocks import HtmlBlocks
from netkb.render.render import SiteRenderer
from netkb.render.urls import SiteUrls

# netkb's mkdocs.yml (netkb new): the extensions MkDocs converts every page with.
EXTENSIONS = ["admonition", "tables", "toc"]


def render(root: Path) -> dict[str, str]:
    return SiteRenderer(link(load(root)), today=TODAY).pages()


def to_html(page: str, extensions: list[str] = EXTENSIONS) -> str:
    """A generated page as MkDocs converts it: front matter off, then Python-Markdown with
    netkb's extension (the blocks of a marked page are stashed as they are)."""
    body, _ = get_data(page)
    return markdown.Markdown(extensions=[*extensions, HtmlBlocks()]).convert(body)


def blocks(page: str) -> list[str]:
    """The HTML blocks of a generated page: text between blank lines that starts with a tag."""
    body, _ = get_data(page)
    return [b for b in body.split("\n\n") if b.startswith("<") and not b.startswith("<!--")]


class Elements(HTMLParser):
    """Every start tag with its attributes (decoded), and the text, of an HTML fragment."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


# -- Markdown leaves netkb's structure alone --------------------------------------------------


# A KB's mkdocs.yml may add extensions: md_in_html parses only blocks marked markdown="1",
# attr_list reads "{: …}" after Markdown elements, neither of which netkb's blocks are.
@pytest.mark.parametrize(
    "extensions",
    [EXTENSIONS, [*EXTENSIONS, "md_in_html", "attr_list", "def_list", "footnotes"]],
    ids=["netkb", "more"],
)
def test_every_html_block_of_a_person_page_comes_out_of_markdown_unchanged(
    tmp_path: Path, extensions: list[str]
):
    pages = render(write_network(tmp_path / "kb"))
    page = pages["people/ana-lee.md"]
    html = to_html(page, extensions)
    found = blocks(page)
    assert any(b.startswith("<table>") for b in found) and any(b.startswith("<p>") for b in found)
    for block in found:
        assert block in html
    # Headings stay Markdown: the table of contents and its ids are MkDocs' as before.
    assert '<h2 id="timeline">Timeline</h2>' in html
    assert "](" not in page and "| " not in page  # no Markdown link or table left


def test_the_only_markdown_left_on_netkbs_pages_is_headings_and_front_matter(tmp_path: Path):
    for path, page in render(write_network(tmp_path / "kb")).items():
        body, meta = get_data(page)
        if path.startswith(("people/", "orgs/")):
            assert meta.get("title"), path
        for block in filter(None, (b.strip() for b in body.split("\n\n"))):
            assert block.startswith(("<", "#")), (path, block[:80])
            if block.startswith("#"):
                assert "\n" not in block, (path, block)


def test_links_carry_their_final_url_from_every_depth_with_directory_urls(tmp_path: Path):
    root = write_network(tmp_path / "kb")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("use_directory_urls: false", ""))
    pages = render(root)
    assert '<a href="../../orgs/acme/">Acme</a>' in pages["people/ana-lee.md"]
    # followups.md is served at followups/, one folder down; index.md at the top
    assert '<a href="../people/ana-lee/">Ana Lee</a>' in pages["followups.md"]
    assert '<a href="people/ana-lee/">Ana Lee</a>' in pages["index.md"]
    assert '<a href="../../people/ana-lee/">Ana Lee</a>' in pages["tags/golf.md"]
    assert '<a href="../../../people/dan-roe/">Dan Roe</a>' in pages["map/orgs/globex.md"]
    # A small people index links to its own letters by fragment, with no path.
    assert '<a href="#a">A</a>' in pages["people.md"]
    for path, page in pages.items():
        for tag, attrs in Elements(page).tags:
            if tag == "a" and not (attrs.get("href") or "").startswith(("http", "mailto:")):
                assert ".md" not in (attrs.get("href") or ""), (path, attrs)


def test_urls_between_pages_keep_a_fragment_and_encode_it() -> None:
    urls = SiteUrls(directory=False)
    assert urls.between("people.md", "#a") == "#a"
    assert urls.between("people/jane.md", "people.md#b") == "../people.html#b"
    assert urls.between("people/jane.md", 'people.md#"><x') == "../people.html#%22%3E%3Cx"
    assert SiteUrls(directory=True).between("people/jane.md", "orgs/acme.md") == "../../orgs/acme/"


# -- escaping for each HTML context -----------------------------------------------------------


def test_a_link_escapes_its_label_as_text_and_its_target_for_the_attribute() -> None:
    assert escape.link('<b>"x"</b>', "https://a.example/?q=1&lt;") == (
        '<a href="https://a.example/?q=1&amp;lt;">&#60;b&#62;&#34;x&#34;&#60;/b&#62;</a>'
    )
    assert escape.external("x", "javascript:alert(1)") == "x"
    assert escape.external("x", 'https://ok.example/"onmouseover="a') == (
        '<a href="https://ok.example/%22onmouseover=%22a">x</a>'
    )


def test_an_image_escapes_its_alt_text_for_the_attribute() -> None:
    image = escape.image("photos/eve.png", 'Eve" onerror="alert(1)')
    assert image == '<img alt="Eve&#34; onerror=&#34;alert&#40;1&#41;" src="photos/eve.png" />'
    assert Elements(image).tags == [
        ("img", {"alt": 'Eve" onerror="alert(1)', "src": "photos/eve.png"})
    ]
    # Markup is no exception: an attribute holds text, so its tags are escaped too.
    assert escape.attribute(escape.link("x", "https://a.example/")).startswith("&#60;a href")


EVE = """\
---
name: "Eve \\"><script>window.x=1</script> & <b>Co</b>"
aliases: ["<svg onload=window.x=2>"]
organization: "Acme\\" onmouseover=\\"window.x=3"
role: "<img src=x onerror=window.x=4>"
photo: photos/eve.png
tags: ["a\\"b", "<i>t</i>"]
expertise: ["'\\"><script>x</script>"]
links: ["https://ok.example/?a=1&b=\\"><script>window.x=5</script>"]
email: ["eve@example.org\\" onclick=\\"window.x=6"]
phone: ["+1 \\"555\\""]
location: "<style>body{display:none}</style>"
circle: 1
---
Knows [[jane-doe]].
"""
ALLOWED_TAGS = {
    "p", "strong", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "ul", "li",
    "code", "div", "svg",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"href", "src", "alt", "style", "class", "rel"}
FIGURE = '<div class="netkb-figure'  # an SVG chart or map: tests/test_svg.py checks those


@pytest.mark.parametrize("path", ["people/eve.md", "people.md", "tags/a-b.md", "index.md"])
def test_hostile_values_stay_text_in_every_html_context(tmp_path: Path, path: str) -> None:
    root = write_kb(
        tmp_path / "kb",
        {
            "contacts/eve.md": EVE,
            "contacts/jane-doe.md": "---\nname: Jane Doe\n---\n",
            "photos/eve.png": b"\x89PNG\r\n\x1a\n",
            "log/one.md": "---\ndate: 2026-11-01\nwith: [eve]\nkind: call\n"
            "summary: '<u>x</u>'\n---\n",
        },
        "site_name: t\nuse_directory_urls: false\n",
    )
    pages = render(root)
    page = pages[path]
    elements = Elements("\n".join(b for b in blocks(page) if not b.startswith(FIGURE)))
    for tag, attrs in elements.tags:
        assert tag in ALLOWED_TAGS, (tag, attrs)
        assert set(attrs) <= ALLOWED_ATTRIBUTES, (tag, attrs)
        href = attrs.get("href") or ""
        assert not href.lower().startswith(("javascript:", "data:", "//")), href
        assert '"' not in href and "<" not in href, href
    text = " ".join(elements.text)
    if path == "people.md":
        assert 'Eve "><script>window.x=1</script> & <b>Co</b>' in text
    if path == "people/eve.md":
        heading = '<h1 id="eve-scriptwindowx1script-bcob">Eve &#34;&#62;&#60;script&#62;'
        assert to_html(page).startswith(heading)
        assert "<img src=x onerror=window.x=4>" in text  # the role, shown as text
        assert 'https://ok.example/?a=1&b="><script>window.x=5</script>' in text
        photos = [a for t, a in elements.tags if t == "img"]
        assert photos == [
            {
                "alt": 'Photo of Eve "><script>window.x=1</script> & <b>Co</b>',
                "src": "../photos/eve.png",
            }
        ]
    # and after Markdown, the same: nothing of the values became markup
    without_figures = page
    for figure in (b for b in blocks(page) if b.startswith(FIGURE)):
        without_figures = without_figures.replace(figure, "")
    after = Elements(to_html(without_figures))
    assert {tag for tag, _ in after.tags} <= ALLOWED_TAGS | {"h1", "h2", "h3"}


def test_the_page_title_in_front_matter_is_still_literal_text(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb", {"contacts/eve.md": EVE}, "site_name: t\n")
    _, meta = get_data(render(root)["people/eve.md"])
    assert meta["title"] == "Eve &quot;&gt;&lt;script&gt;window.x=1&lt;/script&gt; &amp; " + (
        "&lt;b&gt;Co&lt;/b&gt;"
    )
