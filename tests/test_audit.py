"""The site audit: it reads pages as a browser does, names the page and the file it comes
from, withholds a record's page instead of deleting the site, and site_name stays text."""

from __future__ import annotations

import html
import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import write_kb
from hypothesis import given, settings
from hypothesis import strategies as st

from netkb.build.audit import (
    audit_page,
    audit_site,
    browser_url,
    css_loads,
    record_pages,
    srcset_urls,
)
from netkb.build.builder import config_overrides
from netkb.build.site import build
from netkb.cli import cli
from netkb.edit.scaffold import ScaffoldError, kb_files
from netkb.load.loader import load
from netkb.load.settings import ConfigLoader

ROBOTS = '<meta name="robots" content="noindex,nofollow">'
EVIL = "evil.example"


def page(content: str = "", head: str = "", body: str = "") -> str:
    """A page shaped like Material's: head, the theme's body, the content in <article>."""
    return (
        f'<!doctype html><html><head><meta charset="utf-8">{ROBOTS}{head}</head><body>'
        f'{body}<article class="md-content__inner md-typeset">{content}</article>'
        "</body></html>"
    )


def netkb(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--kb", str(root), *args])


# --- the hostile corpus -------------------------------------------------------------------

LOADS = "loads from another host"
SCRIPT_URL = "runs a javascript: URL"
HANDLER = "has an event handler"

HOSTILE = [
    # every attribute that loads, with every way of writing "another host"
    ('<img src="//evil.example/x.png">', LOADS),
    ('<IMG SRC="HTTPS://evil.example/x.png">', LOADS),
    ('<img src="/\\evil.example/x.png">', LOADS),
    ('<img src="\\\\evil.example/x.png">', LOADS),
    ('<img src="\\/evil.example/x.png">', LOADS),
    ('<img src="&#47;&#47;evil.example/x.png">', LOADS),
    ('<img src="&sol;&#x2F;evil.example/x.png">', LOADS),
    ('<img src=" \t\n//evil.example/x.png">', LOADS),
    ('<img src="/\t/evil.example/x.png">', LOADS),
    ('<img src="/\n\\evil.example/x.png">', LOADS),
    ('<img src="\x01\x1f//evil.example/x.png">', LOADS),
    ("<img src=//evil.example/x.png>", LOADS),
    ("<img src='ftp://evil.example/x.png'>", LOADS),
    ('<img/src="//evil.example/x.png">', LOADS),
    ('<img alt="x"src="//evil.example/x.png">', LOADS),
    ('<img src="ok.png" src="//evil.example/x.png">', LOADS),
    ('<img srcset="ok.png 1x, //evil.example/x.png 2x">', LOADS),
    ('<img srcset="ok.png 1x,https://evil.example/x.png 2x">', LOADS),
    ('<picture><source srcset="//evil.example/x.webp"></picture>', LOADS),
    ('<link rel="preload" as="image" imagesrcset="//evil.example/x.png 1x">', LOADS),
    ('<video poster="https://evil.example/p.png"></video>', LOADS),
    ('<audio src="HtTpS://evil.example/a.mp3"></audio>', LOADS),
    ('<video><track src="//evil.example/t.vtt"></video>', LOADS),
    ('<object data="//evil.example/x.swf"></object>', LOADS),
    ('<table background="//evil.example/bg.png"></table>', LOADS),
    ('<input type="image" src="//evil.example/x.png">', LOADS),
    ('<a href="#" ping="https://evil.example/track">x</a>', LOADS),
    ('<link rel="stylesheet" href="https://evil.example/x.css">', LOADS),
    ('<link rel="preconnect" href="//evil.example">', LOADS),
    ('<link rel="alternate stylesheet" href="//evil.example/x.css">', LOADS),
    ('<svg><image href="//evil.example/x.png"/></svg>', LOADS),
    ('<svg><image xlink:href="https://evil.example/x.png"/></svg>', LOADS),
    ('<svg><use href="https://evil.example/s.svg#i"/></svg>', LOADS),
    ('<svg><rect fill="url(https://evil.example/p.svg#g)"/></svg>', LOADS),
    ('<svg><image><set attributeName="href" to="//evil.example/x.png"/></image></svg>', LOADS),
    ('<form action="https://evil.example/collect"></form>', LOADS),
    ('<button formaction="//evil.example/collect">x</button>', LOADS),
    ('<script src="https://cdn.evil.example/x.js"></script>', LOADS),
    ('<iframe src="//evil.example/"></iframe>', LOADS),
    # CSS: style elements, style attributes, escapes, entities, every loading function
    ("<style>body{background:url(//evil.example/x.png)}</style>", LOADS),
    ("<style>@import 'https://evil.example/x.css';</style>", LOADS),
    ("<style>@IMPORT url(https://evil.example/x.css);</style>", LOADS),
    ("<style>@font-face{src:url('//evil.example/f.woff')}</style>", LOADS),
    ("<div style=\"background-image: url('https://evil.example/x.png')\">x</div>", LOADS),
    ('<div style="background:u\\72l(//evil.example/x.png)">x</div>', LOADS),
    ('<div style="background:\\75 rl(//evil.example/x.png)">x</div>', LOADS),
    ('<div style="background:url(&quot;//evil.example/x.png&quot;)">x</div>', LOADS),
    ('<div style="background:url(&#x2F;/evil.example/x.png)">x</div>', LOADS),
    ("<div style=\"background:image-set('//evil.example/x.png' 1x)\">x</div>", LOADS),
    ('<div style="background:URL(  //evil.example/x.png  )">x</div>', LOADS),
    ('<div style="background:url(\\2f\\2f evil.example/x.png)">x</div>', LOADS),
    # the page's base, refresh and script URLs
    ('<base href="https://evil.example/">', "changes where relative URLs point"),
    ('<meta http-equiv="refresh" content="0; url=https://evil.example/">', "http-equiv=refresh"),
    ('<meta http-equiv="Refresh" content="0;url=javascript:alert(1)">', "http-equiv=refresh"),
    ('<a href="javascript:alert(1)">x</a>', SCRIPT_URL),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', SCRIPT_URL),
    ('<a href="jav&#x09;ascript:alert(1)">x</a>', SCRIPT_URL),
    ('<a href="&#106;avascript&colon;alert(1)">x</a>', SCRIPT_URL),
    ('<a href=" \x01\x08javascript:alert(1)">x</a>', SCRIPT_URL),
    ('<a href="java\nscript:alert(1)">x</a>', SCRIPT_URL),
    ('<a href="vbscript:msgbox(1)">x</a>', "runs a vbscript: URL"),
    ('<a href="data:text/html,<script>alert(1)</script>">x</a>', "links to a data: URL"),
    ('<iframe src="data:text/html,<script>alert(1)</script>"></iframe>', "loads a data: URL"),
    ('<embed src="javascript:alert(1)">', SCRIPT_URL),
    ('<svg><a><animate attributeName="href" values="javascript:alert(1)"/>x</a></svg>', "script"),
    ('<math><mi xlink:href="javascript:alert(1)">x</mi></math>', SCRIPT_URL),
    ('<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>', "srcdoc"),
    # event handlers, however written
    ("<img src=x onerror=alert(1)>", HANDLER),
    ('<IMG SRC=x ONERROR="alert(1)">', HANDLER),
    ("<svg onload=alert(1)>", HANDLER),
    ('<svg><set attributeName="onmouseover" to="alert(1)"/></svg>', "animates an event handler"),
    ("<img src=x/onerror=alert(1)//>", ""),  # one unquoted value: nothing to find…
    ('<img src="x"/onerror=alert(1)>', HANDLER),  # …but after a quoted one, a handler
    ('<p title="x"onclick="alert(1)">x</p>', HANDLER),
    # where a regex and a browser disagree about what is markup
    ("<!--><img src=//evil.example/x.png>-->", LOADS),
    ("<!---><img src=//evil.example/x.png>-->", LOADS),
    ("<!-- x --!><img src=//evil.example/x.png>-->", LOADS),
    ("<![CDATA[ x > <img src=//evil.example/x.png> ]]>", LOADS),
    ("<textarea>t</textarea\n><img src=//evil.example/x.png>", LOADS),
    ("<title>t</title x><img src=//evil.example/x.png>", LOADS),
    ("<svg><style><img src=//evil.example/x.png></style></svg>", LOADS),
    ("<svg><title><img src=//evil.example/x.png></title></svg>", LOADS),
    ("<noscript><img src=//evil.example/x.png></noscript>", LOADS),
    ('<p title="a>" data-x="b"><img src=//evil.example/x.png>', LOADS),
    # elements that never belong in page content, and scripts that call out
    ("<script>alert(1)</script>", "has a <script> element in the page content"),
    ("<form><input name=q></form>", "has a <form> element in the page content"),
    ('<script>s.src="https://www.googletagmanager.com/gtag/js"</script>', "inline script"),
    (
        '<a href="https://github.com/me/network" data-md-component="source">repo</a>',
        "makes Material fetch facts about the repository",
    ),
]


@pytest.mark.parametrize(("snippet", "expected"), HOSTILE, ids=[h[0][:50] for h in HOSTILE])
def test_the_audit_flags_every_hostile_snippet(snippet: str, expected: str) -> None:
    messages = audit_page(page(snippet))
    if expected == "":
        # <img src=x/onerror=alert(1)//>: the browser reads one attribute, src="x/onerror=…"
        assert messages == []
        return
    assert any(expected in m for m in messages), messages
    # The offending tag is quoted on a terminal: no control character gets through raw.
    assert all(m.isprintable() for m in messages), messages


def test_the_corpus_is_big_enough() -> None:
    assert len([h for h in HOSTILE if h[1]]) >= 30


SAFE_CONTENT = [
    '<a href="../people/jane-doe.html">Jane</a>',
    '<a href="#notes">Notes</a>',
    '<a href="mailto:jane@acme.example">mail</a>',
    '<a href="tel:+4930123456">call</a>',
    '<a href="https://www.linkedin.com/in/jane">LinkedIn</a>',
    '<a href="HTTP://example.org/page?a=1&amp;b=2">x</a>',
    '<a href="//example.org/page">a link, not a load</a>',
    '<a href="javascript-guide.html">the guide</a>',
    '<img src="../photos/jane.jpg" alt="Jane: CTO &amp; founder (Berlin)">',
    '<img srcset="a.png 1x, b.png 2x" src="a.png">',
    '<table><tr><td style="text-align: right;">1</td></tr></table>',
    '<p title="&lt;img src=//evil.example/x.png onerror=alert(1)&gt;">text</p>',
    '<p title="<img src=//evil.example/x.png>">a tag inside a value is text</p>',
    "<code>&lt;img src=//evil.example/x.png onerror=alert(1)&gt;</code>",
    "<pre><code>javascript:alert(1) //evil.example url(//evil.example)</code></pre>",
    "<p>onerror=alert(1) and @import url(//evil.example) are only words here</p>",
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M1 1h2"/></svg>',
    '<svg><a href="../people/ana.html"><circle cx="1" cy="2" r="3"><title>Ana</title>'
    "</circle></a></svg>",
    "<!-- <img src=//evil.example/x.png> -->",
    '<div data-md-component="content" class="md-typeset">x</div>',
    '<p title="javascript: the good parts">a title is text</p>',
]
SAFE_THEME = [
    '<link rel="stylesheet" href="../assets/stylesheets/main.57a0d79d.min.css">',
    '<link rel="canonical" href="https://network.example/people/jane/">',
    '<link rel="icon" href="../assets/images/favicon.png">',
    '<script src="../assets/javascripts/bundle.a5f9d56c.min.js"></script>',
    '<script>__md_scope=new URL("..",location),__md_get=(e,_=localStorage)=>e</script>',
    '<script id="__config" type="application/json">{"base": "..", "tags": null}</script>',
    "<style>.md-icon{background:url(\"data:image/svg+xml;charset=utf-8,<svg xmlns='http://"
    "www.w3.org/2000/svg'/>\")}</style>",
    '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">',
    '<form class="md-search__form" name="search"><input type="text" name="query"></form>',
    '<a href="https://github.com/me/network" title="Go to repository">repo</a>',
]


@pytest.mark.parametrize("snippet", SAFE_CONTENT, ids=[s[:50] for s in SAFE_CONTENT])
def test_safe_content_is_not_flagged(snippet: str) -> None:
    assert audit_page(page(snippet)) == []


@pytest.mark.parametrize("snippet", SAFE_THEME, ids=[s[:50] for s in SAFE_THEME])
def test_the_themes_own_markup_is_not_flagged(snippet: str) -> None:
    assert audit_page(page(head=snippet)) == []


PATHOLOGICAL = {
    "tags cut off": "<a " * 200_000,
    "open quotes": '<a b="' * 100_000,
    "lone <": "<" * 500_000,
    "comments": "<!--" * 200_000,
    "long value": "<a title='" + "x" * 2_000_000,
    "css": "<style>" + "url(" * 200_000,
    "srcset": '<img srcset="' + "//a 1x," * 200_000 + '">',
    "css escapes": "<div style='" + "\\75 " * 200_000 + "'>",
    "raw text": "<script>" + "</scrip" * 200_000,
    "nested raw text": "<title><svg>" * 100_000,
    "many findings": "".join(f"<img src=//evil.example/{i}>" for i in range(50_000)),
    "many tags": "".join(f'<meta name="n{i}">' for i in range(100_000)),
    "deep articles": '<article class="md-content__inner">' * 100_000,
}


@pytest.mark.parametrize("hostile", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_pages_are_read_in_linear_time(hostile: str) -> None:
    started = time.perf_counter()
    audit_page(hostile)
    assert time.perf_counter() - started < 5  # about 0.1-0.5 s; backtracking would be minutes


def test_urls_are_read_as_the_browser_reads_them() -> None:
    assert browser_url(" \x01/\t\\evil.example/x ") == "//evil.example/x"
    assert srcset_urls("a.png 1x, data:image/png;base64,AA,BB 2x,c.png") == [
        "a.png",
        "data:image/png;base64,AA,BB",
        "c.png",
    ]
    assert srcset_urls("x.png 1x,//evil.example/y.png (w) 2x") == ["x.png", "//evil.example/y.png"]


def test_css_is_tokenised_with_its_escapes() -> None:
    css = (
        "@namespace url(http://www.w3.org/1999/xhtml);"
        "a{b:url( 'x.png' )} /* url(//commented.example) */"
        'c{d:\\75 rl(//e.example)} e{f:"url(//string.example)"}'
        "g{h:-webkit-image-set('i.png' 1x)}"
    )
    assert css_loads(css) == ["x.png", "//e.example", "i.png"]


# --- whole sites: pages, stylesheets, robots, stray files, and where each page is from -----


def test_a_finding_names_the_page_and_the_source_file(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "people").mkdir(parents=True)
    (site / "index.html").write_text(page("<p>Home</p>"))
    (site / "people" / "jane-doe.html").write_text(page('<img src="//evil.example/x.png">'))
    sources = {"people/jane-doe.html": tmp_path / "contacts" / "jane-doe.md"}
    findings = audit_site(site, sources)
    assert [f.format(tmp_path) for f in findings] == [
        "site/people/jane-doe.html (from contacts/jane-doe.md): "
        'loads from another host: <img src="//evil.example/x.png">'
    ]
    assert findings[0].in_content


def test_stylesheets_robots_and_stray_files(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "assets").mkdir(parents=True)
    material = ".md-icon{--i:url(\"data:image/svg+xml;charset=utf-8,<svg xmlns='http://www.w3.org/2000/svg'/>\")}"
    (site / "assets" / "main.css").write_text(material)
    (site / "assets" / "extra.css").write_text(
        "@import url(//fonts.evil.example/x.css);\n.x{background:url(data:text/html,x)}"
    )
    (site / "index.html").write_text(page().replace(ROBOTS, ""))
    (site / "other.html").write_text(page().replace("noindex,nofollow", "nofollow, NOINDEX"))
    (site / "404.html").write_text("<p>not found</p>")
    (site / "contacts.csv").write_text("name\nJane\n")
    assert [f.format(tmp_path) for f in audit_site(site)] == [
        "site/assets/extra.css: stylesheet loads from another host: //fonts.evil.example/x.css",
        "site/assets/extra.css: stylesheet loads a data: URL: data:text/html,x",
        "site/contacts.csv: .csv file does not belong in the site",
        "site/index.html: has no robots noindex,nofollow meta tag",
    ]


@pytest.mark.parametrize(
    ("setting", "jane_page", "acme_page"),
    [
        ("use_directory_urls: false", "people/jane-doe.html", "orgs/acme.html"),
        ("use_directory_urls: true", "people/jane-doe/index.html", "orgs/acme/index.html"),
    ],
)
def test_record_pages_map_each_page_to_its_file(make_kb, setting, jane_page, acme_page) -> None:
    files = {
        "contacts/acme/jane-doe.md": "---\nname: Jane Doe\norganization: Acme\n---\n",
        "contacts/secret.md": "---\nname: Secret\nprivate: true\n---\n",
        "orgs/acme.md": "---\nname: Acme\n---\n",
    }
    network = load(make_kb(files, f"site_name: T\n{setting}\n"))
    assert record_pages(network) == {
        jane_page: network.root / "contacts" / "acme" / "jane-doe.md",
        acme_page: network.root / "orgs" / "acme.md",
    }


# --- a build: withhold a record's page, delete a site whose theme leaks --------------------

CONFIG = "site_name: T\nuse_directory_urls: false\nextra:\n  netkb:\n    owner: T\n"
JANE = "---\nname: Jane Doe\n---\n\nWorks at Acme.\n"
ANA = "---\nname: Ana Lee\n---\n"
# A page template of the KB's own that breaks the rules on one person's page only.
LEAKY_PERSON = (
    '---\ntitle: {{ p.name | yaml }}\n---\n\n# {{ p.name }}\n\n{% if p.slug == "jane-doe" %}'
    '<img src="https://evil.example/{{ p.slug }}.png">{% endif %}\n'
)


def test_a_record_page_that_breaks_the_rules_is_withheld_and_the_rest_is_kept(make_kb) -> None:
    root = make_kb(
        {
            "contacts/jane-doe.md": JANE,
            "contacts/ana-lee.md": ANA,
            "templates/person.md.j2": LEAKY_PERSON,
        },
        CONFIG,
    )
    result = netkb(root, "build")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "privacy: site/people/jane-doe.html (from contacts/jane-doe.md): loads from another "
        'host: <img src="https://evil.example/jane-doe.png">',
        "Error: 1 page breaks netkb's privacy rules and was withheld (named above, with the "
        "file it comes from); the rest of the site is built. Check templates/person.md.j2 "
        "(your own page template); if the cause is not there, this is a bug in netkb: please "
        "report it",
    ]
    site = root / "site"
    withheld = (site / "people" / "jane-doe.html").read_text()
    assert "Page withheld" in withheld and "contacts/jane-doe.md" in withheld
    assert EVIL not in withheld
    assert "Ana Lee" in (site / "people" / "ana-lee.html").read_text()
    assert "Jane Doe" in (site / "people.html").read_text()  # the index still links to her
    index = json.loads((site / "search" / "search_index.json").read_text())
    locations = {d["location"].split("#")[0] for d in index["docs"]}
    assert "people/ana-lee.html" in locations
    assert "people/jane-doe.html" not in locations
    assert audit_site(site) == []  # what is left is served safely


def test_a_hostile_note_never_takes_the_site_down(make_kb) -> None:
    note = (
        "---\nname: Eve\n---\n\n![x](https://evil.example/p.png) ![y](/\\evil.example/q.png)\n\n"
        '<img src=x onerror="alert(1)"> [z](javascript:alert(1))\n'
    )
    root = make_kb({"contacts/eve.md": note, "contacts/ana-lee.md": ANA}, CONFIG)
    result = build(root)
    assert not result.site_deleted
    assert (root / "site" / "index.html").is_file()
    assert (root / "site" / "people" / "ana-lee.html").is_file()
    # Sanitised notes give no finding at all; if one got through, only Eve's page goes.
    assert {f.source for f in result.findings} <= {result.network.people["eve"].source.path}
    assert audit_site(root / "site") == []


def test_a_finding_on_a_page_of_many_records_deletes_the_site(make_kb) -> None:
    leaky_index = '---\ntitle: People\n---\n\n# People\n\n<img src="//evil.example/x.png">\n'
    root = make_kb({"contacts/jane-doe.md": JANE, "templates/people.md.j2": leaky_index}, CONFIG)
    result = netkb(root, "build")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        'privacy: site/people.html: loads from another host: <img src="//evil.example/x.png">',
        "Error: the built site broke netkb's privacy rules in 1 place, so it was deleted; it "
        "is in the content of pages made from many records: check your page templates in "
        "templates/; if they are not the cause, this is a bug in netkb (please report it)",
    ]
    assert not (root / "site").exists()


# --- site_name, owner and the other settings Material prints -------------------------------


class _Texts(HTMLParser):
    """The <title> text and the title/aria-label of Material's logo link, decoded once."""

    def __init__(self) -> None:
        super().__init__()
        self.title: list[str] = []
        self.logo: list[tuple[str | None, str | None]] = []
        self.h1: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and "md-logo" in (found.get("class") or ""):
            self.logo.append((found.get("title"), found.get("aria-label")))
        if tag == "title" and not self.title:  # the page's, not an SVG's
            self._in = tag
        if tag == "h1":
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title.append(data)
        elif self._in == "h1":
            self.h1.append(data)


OWNER = 'Tom & Jerry "<b>" X"><img src=x onerror=alert(1)>'


def test_the_owners_name_is_text_everywhere_on_the_built_site(tmp_path: Path) -> None:
    init = CliRunner().invoke(cli, ["init", str(tmp_path / "kb"), "--owner", OWNER])
    assert init.exit_code == 0, init.output
    root = tmp_path / "kb"
    (root / "contacts" / "jane-doe.md").write_text(JANE)
    result = build(root)
    assert result.ok, [f.format(root) for f in result.findings]
    site_name = f"{OWNER}'s network"
    source = (root / "site" / "index.html").read_text()
    texts = _Texts()
    texts.feed(source)
    assert "".join(texts.title) == f"Home - {site_name}"
    assert texts.logo == [(site_name, site_name), (site_name, site_name)]  # header and drawer
    assert "".join(texts.h1) == f"{OWNER}'s network"  # netkb's own page: extra.netkb.owner
    # Escaped once: "&" is &amp; in the page source, never &amp;amp;.
    assert "Tom &amp; Jerry &#34;&lt;b&gt;&#34;" in source
    assert "&amp;amp;" not in source and "&amp;lt;" not in source
    for path in (root / "site").rglob("*.html"):
        assert "<img src=x onerror" not in path.read_text(), path


def test_description_author_and_copyright_are_made_safe(make_kb) -> None:
    config = (
        "site_name: T & Co\n"
        "site_description: '<script>alert(1)</script> & more'\n"
        "site_author: 'A \"B\" <c>'\n"
        'copyright: \'&copy; 2026 <a href="https://me.example" onclick="alert(1)">Me</a>'
        "<script>alert(2)</script><img src=//evil.example/x.png>'\n"
        "extra:\n  netkb:\n    owner: T\n"
    )
    root = make_kb({"contacts/jane-doe.md": JANE}, config)
    result = build(root)
    assert result.ok, [f.format(root) for f in result.findings]
    source = (root / "site" / "index.html").read_text()
    assert (
        '<meta name="description" content="&lt;script&gt;alert(1)&lt;/script&gt; &amp; more">'
        in source
    )
    assert '<meta name="author" content="A &#34;B&#34; &lt;c&gt;">' in source
    assert '© 2026 <a href="https://me.example" rel="noopener noreferrer">Me</a>' in source
    assert "alert(2)" not in source and "onclick" not in source and EVIL not in source


def test_config_overrides_escape_once_and_leave_other_settings_alone(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_name: 'a & <b>'\nsite_url: https://n.example/\n")
    overrides = config_overrides(tmp_path / "mkdocs.yml")
    assert str(overrides["site_name"]) == "a &amp; &lt;b&gt;"
    assert overrides["site_name"].__html__() == "a &amp; &lt;b&gt;"  # Material's "| e" keeps it
    assert "site_url" not in overrides and "site_description" not in overrides


HOSTILE_OWNERS = [
    'X"><img src=x onerror=alert(1)>',
    "Line one\nline two",
    "Carriage\rreturn",
    "# not a comment",
    "key: value",
    "trailing colon:",
    "it's 'quoted'",
    'double "quoted"',
    "back\\slash \\n",
    "$site_name ${owner}",
    "!!python/object:os.system",
    "&anchor *alias",
    "{flow: map}",
    "[flow, list]",
    "- a list item",
    "---",
    "...",
    "%YAML 1.2",
    "@at `tick`",
    "|\n  block",
    ">folded",
    "yes",
    "0o17",
    "null",
    "tab\there",
    "\x00nul \x07bell \x1b[31mred\x1b[0m \x7fdel",
    "\x85nel \u2028ls \u2029ps \ufeffbom",
    "Zoë Müller 王小明 😀",
    "  spaces around  ",
]


@pytest.mark.parametrize("owner", HOSTILE_OWNERS)
def test_init_writes_any_owner_as_an_exact_yaml_scalar(owner: str) -> None:
    config = kb_files(owner)["mkdocs.yml"]
    loaded = yaml.load(config, Loader=ConfigLoader)
    assert loaded["site_name"] == f"{owner}'s network"
    assert loaded["extra"]["netkb"]["owner"] == owner
    assert config.count("\n") == kb_files("Me")["mkdocs.yml"].count("\n")  # one line each


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1).filter(lambda t: t.strip()))
def test_any_owner_round_trips_through_mkdocs_yml(owner: str) -> None:
    loaded = yaml.load(kb_files(owner)["mkdocs.yml"], Loader=ConfigLoader)
    assert loaded["extra"]["netkb"]["owner"] == owner


@pytest.mark.parametrize(
    ("owner", "message"),
    [
        ("   ", "the owner's name is empty; give it with --owner"),
        ("bad \udcff byte", "the owner's name is not valid text (UTF-8)"),
    ],
)
def test_init_refuses_an_owner_it_cannot_write(tmp_path: Path, owner: str, message: str) -> None:
    with pytest.raises(ScaffoldError, match=re.escape(message)):
        kb_files(owner)
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "kb"), "--owner", owner])
    assert result.exit_code == 1
    assert result.output == f"Error: {message}\n"
    assert not (tmp_path / "kb").exists()


def test_yaml_text_never_folds_a_long_name() -> None:
    owner = "A " * 500
    config = kb_files(owner)["mkdocs.yml"]
    assert f'    owner: "{owner}"' in config.splitlines()  # one line, at its indentation
    assert yaml.load(config, Loader=ConfigLoader)["extra"]["netkb"]["owner"] == owner


def test_the_owner_is_read_back_by_netkb_settings(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb", {}, kb_files(OWNER)["mkdocs.yml"])
    settings_ = load(root).settings
    assert settings_.owner == OWNER and settings_.site_name == f"{OWNER}'s network"
    assert html.escape(OWNER) not in (root / "mkdocs.yml").read_text()  # stored as text


# --- runs read before -----------------------------------------------------------------------

# A theme's navigation: a long run of tags that cannot load anything, on every page.
CHROME = "\n".join(
    f'<li class="md-nav__item"><a href="../people/p{i}.html" class="md-nav__link">'
    f"Person {i}</a></li>"
    for i in range(30)
)
LINE_STARTS = [0] + [i + 1 for i, c in enumerate(CHROME) if c == "\n"]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([h for h in HOSTILE if h[1]]),
    st.integers(0, len(CHROME)),
    st.sampled_from(LINE_STARTS),
    st.booleans(),
)
def test_a_run_read_before_hides_nothing_put_into_it(
    hostile: tuple[str, str], anywhere: int, line_start: int, cut: bool
) -> None:
    # The auditor remembers the navigation of the pages before; a page whose navigation
    # holds something else anywhere (or is cut short) is read as if it were the first.
    from netkb.build.audit import _Auditor

    snippet, expected = hostile
    clean = page("<p>text</p>", body=f"<nav>{CHROME}</nav>")
    auditor = _Auditor()
    for _ in range(2):
        assert auditor.page(clean).findings == {}
    assert auditor.runs  # the navigation is remembered
    at = anywhere if not cut else line_start
    changed = CHROME[:at] + ("" if cut else snippet) + CHROME[at:]
    if cut:
        changed = CHROME[:at] + "<" + snippet  # the page ends inside a tag of the run
    dirty = page("<p>text</p>", body=f"<nav>{changed}</nav>")
    warm = auditor.page(dirty)
    cold = _Auditor().page(dirty)  # no run read before
    assert (warm.findings, warm.robots) == (cold.findings, cold.robots)
    # At the start of a line of the navigation the snippet is markup of its own.
    body = f"<nav>{CHROME[:line_start]}{snippet}{CHROME[line_start:]}</nav>"
    placed = page("<p>text</p>", body=body)
    warm, cold = auditor.page(placed), _Auditor().page(placed)
    assert (warm.findings, warm.robots) == (cold.findings, cold.robots)
    if expected in (LOADS, SCRIPT_URL, HANDLER):
        assert any(expected in message for message, _ in warm.findings), snippet


@pytest.mark.parametrize(
    "then",
    [
        "<b x='y>< ' onmouseover='alert(1)'>hi</b></p>",
        "<b x='y>< <meta name=robots content=noindex,nofollow>'>hi</b></p>",
        "<b x=\"y>< <article class='md-content__inner'>\"><script>x</script></b></p>",
        "</b x='y>< ' ><img src=//evil.example/x.png></p>",
    ],
)
def test_a_quote_that_closes_on_a_later_page_only_is_read_anew(then: str) -> None:
    # On the first page the value's quote never closes: the tag ends at its ">". On the
    # next, the same characters and a closing quote further on make one longer tag.
    from netkb.build.audit import _Auditor

    before = "<p>" + "A" * 600
    auditor = _Auditor()
    auditor.page(before + "<b x='y>< z</b></p>")
    auditor.page(before + '<b x="y>< z</b></p>')
    auditor.page(before + "</b x='y>< z</p>")
    page = before + then
    warm, cold = auditor.page(page), _Auditor().page(page)
    assert (warm.findings, warm.robots) == (cold.findings, cold.robots)


RUN_PIECES = st.sampled_from(
    [
        *("<b x='", '<b x="', "'", '"', ">", "<", " ", "=", "y", "\n", "</b>", "<p>", "</b x='"),
        *('<i title="t">', " onclick='a'", "<img src=//evil.example/x.png>", "<!--", "-->"),
        *("<script>", "</script>", "<article class='md-content__inner'>", "</article>"),
        *("<meta name=robots content=noindex,nofollow>", "<a href='javascript:x'>", "A" * 40),
    ]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(RUN_PIECES, max_size=24), st.lists(RUN_PIECES, max_size=12), st.integers(0, 24))
def test_what_a_page_shares_with_an_earlier_one_hides_nothing(
    first: list[str], then: list[str], kept: int
) -> None:
    # Two pages share a long beginning and part of what follows; the second is read by
    # an auditor that remembers the first, and by a fresh one: the same verdicts.
    from netkb.build.audit import _Auditor

    before = '<p class="x">' + "A" * 600
    one = before + "".join(first)
    two = before + "".join(first[:kept] + then)
    auditor = _Auditor()
    auditor.page(one)
    auditor.page(one)
    warm, cold = auditor.page(two), _Auditor().page(two)
    assert (warm.findings, warm.robots) == (cold.findings, cold.robots)
