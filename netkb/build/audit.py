"""Check a built site before anyone opens it: no page loads anything from another host or
runs a script where none belongs, robots are asked to stay away, no source file is copied.

The audit is the last line of defence (notes are sanitised before they are rendered), so it
reads a page as a browser does, not with patterns over its text:

- the page is split into tags, comments and raw text by the browser's (WHATWG) rules for
  where each one ends: a ``>`` inside a quoted value, an attribute straight after a quoted
  value, ``<!-->``, ``--!>``, ``</script x>``. The text of raw-text elements (script,
  style, title, textarea, noscript…) is read as markup as well, as a browser reads it
  inside an SVG or with scripting off;
- attribute values are entity-decoded, and a URL is judged as the browser's URL parser
  reads it: outer controls and spaces stripped, tabs and newlines removed, ``\\`` as ``/``;
  every candidate of a ``srcset`` is judged;
- CSS (``<style>``, ``style=``, SVG paint attributes, the site's .css files) is tokenised
  with its escapes decoded, so ``u\\72l(`` is ``url(``.

Runs of text and of tags that cannot load or run anything (no event handler, no value with
``:``, ``//``, ``\\``, ``&``, ``(`` or a control character) are skipped in one regex step,
so Python looks only at the few tags of a page that could matter, and a long run read on
an earlier page (the theme's header, navigation and table of contents) is not read again
as far as the page repeats it unit for unit: the audit stays a small part of a
10,000-person build (see ``benchmarks/``).
"""

from __future__ import annotations

import bisect
import functools
import html
import importlib.util
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from netkb.core.parallel import in_forks
from netkb.core.records import Network
from netkb.core.terminal import visible
from netkb.core.write import OwnedFolder
from netkb.render.urls import built_file, org_page, person_page

PARALLEL_FROM = 400  # files: fewer are audited in this process (forking costs more)


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing in the built site that breaks netkb's privacy rules.

    ``source`` is the contact or organisation file whose page this is (None for pages
    that no single record makes); ``in_content`` says whether the offending markup is in
    the page content rather than in the theme's header, navigation or footer.
    """

    path: Path
    message: str
    source: Path | None = None
    in_content: bool = False

    def format(self, root: Path) -> str:
        """``site/people/jane.html (from contacts/jane.md): message``, paths under ``root``."""
        shown = f"{_relative(self.path, root)}"
        if self.source is not None:
            shown += f" (from {_relative(self.source, root)})"
        return f"{shown}: {self.message}"


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def record_pages(network: Network) -> dict[str, Path]:
    """The site file of every person's and organisation's page (``people/jane.html``, or
    ``people/jane/index.html`` with directory URLs), mapped to the file the record is from."""
    directory = network.settings.use_directory_urls
    pages: dict[str, Path] = {}
    records = [(person_page(slug), p) for slug, p in network.people.items() if not p.private]
    records += [(org_page(slug), org) for slug, org in network.organisations.items()]
    for docs_path, record in records:
        pages[built_file(docs_path, directory)] = record.source.path
    return pages


def audit_site(
    site_dir: Path,
    sources: Mapping[str, Path] | None = None,
    allowed: tuple[str, ...] = (),
    only: Iterable[str] | None = None,
    workers: int = 1,
) -> list[Finding]:
    """Every way a page of ``site_dir`` loads from another host or runs a script it should
    not, every page without the robots tag, every stray source file; sorted by path.

    ``sources`` maps a page (its path in the site, with ``/``) to the record file it shows
    (``record_pages``); ``allowed`` lists file name endings that may stay in the site;
    ``only``: audit just these files (site paths: what a build wrote), not every file;
    ``workers``: processes that share many files out (the same findings, in order).
    """
    files = sorted(only) if only is not None else None
    if workers > 1 and files is not None and len(files) >= PARALLEL_FROM:
        size = -(-len(files) // (workers * 4))  # a few shares each: they end about together
        shares = [files[i : i + size] for i in range(0, len(files), size)]
        parent = os.getpid()

        def share_findings(share: list[str]) -> list[Finding]:
            # A worker keeps one auditor for its shares; here (no fork) one per share.
            auditor = _process_auditor() if os.getpid() != parent else _Auditor()
            return _audit_files(site_dir, sources, allowed, share, auditor)

        found, _ = in_forks(share_findings, shares, workers)
        return [finding for share in found for finding in share]
    return _audit_files(site_dir, sources, allowed, files, _Auditor())


def _audit_files(
    site_dir: Path,
    sources: Mapping[str, Path] | None,
    allowed: tuple[str, ...],
    files: list[str] | None,
    auditor: _Auditor,
) -> list[Finding]:
    """``audit_site`` in this process, with ``auditor``."""
    sources = sources or {}
    findings: list[Finding] = []
    for current, name in _site_files(site_dir, files):
        path = Path(current, name)
        suffix = path.suffix.lower()
        if suffix in {".html", ".htm", ".svg"}:
            page = auditor.page(path.read_bytes().decode("utf-8", "replace"))
            relative = path.relative_to(site_dir).as_posix()
            source = sources.get(relative)
            findings += [Finding(path, m, source, c) for m, c in page.findings]
            if suffix != ".svg" and name != "404.html" and not page.robots:
                findings.append(Finding(path, "has no robots noindex,nofollow meta tag", source))
        elif suffix == ".css":
            css = path.read_bytes().decode("utf-8", "replace")
            for url in css_loads(css):
                reason = _judge_css(url)
                if reason:
                    findings.append(Finding(path, f"stylesheet {reason}: {_shown(url)}"))
        elif suffix in {".js", ".mjs"}:
            if not theme_script(path.relative_to(site_dir).as_posix(), path):
                findings.append(Finding(path, "is a script that is not the theme's own"))
        elif suffix in {".csv", ".vcf", ".md", ".yml", ".yaml"} and not any(
            str(path).endswith(a) for a in allowed
        ):
            findings.append(Finding(path, f"{suffix} file does not belong in the site"))
    findings.sort(key=lambda finding: finding.path.parts)  # stable: a page keeps its order
    return findings


@functools.cache
def _theme_folders() -> tuple[Path, ...]:
    """The folders installed themes ship their files from (Material's, MkDocs' own)."""
    folders = []
    for package, inside in (("material", "templates"), ("mkdocs", "themes")):
        try:
            found = importlib.util.find_spec(package)
        except (ImportError, ValueError):
            continue
        if found is None or not found.submodule_search_locations:
            continue
        root = Path(next(iter(found.submodule_search_locations))) / inside
        folders += [root] if package == "material" else sorted(root.glob("*/"))
    return tuple(folders)


def theme_script(relative: str, path: Path) -> bool:
    """Whether the script at ``path`` (``relative`` in the site) is byte for byte the file
    an installed theme ships at that place. What a script does cannot be judged from its
    text (``'htt' + 'ps://'``): a script of the KB's own theme folder is refused."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    for folder in _theme_folders():
        shipped = folder / relative
        try:
            if shipped.stat().st_size == len(data) and shipped.read_bytes() == data:
                return True
        except OSError:
            continue
    return False


def _site_files(site_dir: Path, only: Iterable[str] | None) -> Iterator[tuple[str, str]]:
    """(folder, name) of the files to audit: every file of the site, or those of ``only``."""
    if only is not None:
        for relative in sorted(only):
            path = site_dir / relative
            if path.is_file():
                yield str(path.parent), path.name
        return
    for current, dirs, names in os.walk(site_dir):
        dirs.sort()
        for name in sorted(names):
            yield current, name


def audit_page(text: str) -> list[str]:
    """What breaks the rules in one HTML page, one message per offending tag (the robots
    tag is not required here: ``audit_site`` checks it per page)."""
    return [message for message, _in_content in _Auditor().page(text).findings]


# --- URLs, as the browser's URL parser reads them -------------------------------------------

_C0_AND_SPACE = "".join(map(chr, range(0x21)))
# Tabs and newlines are removed anywhere in a URL; under http(s) and file, a backslash is a
# slash, so /\host, \\host and \/host are all //host.
_URL_CLEAN = str.maketrans({"\t": None, "\n": None, "\r": None, "\\": "/"})
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
_SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "livescript", "mocha"})
_LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})


def browser_url(value: str) -> str:
    """``value`` (entity-decoded) as the browser reads it before resolving it."""
    return value.strip(_C0_AND_SPACE).translate(_URL_CLEAN)


def _scheme(url: str) -> str | None:
    match = _SCHEME.match(url)
    return match.group(1).lower() if match else None


def judge_load(value: str) -> str | None:
    """Why fetching ``value`` (a src, a srcset candidate, a url()) would go wrong; None if
    it stays on the site's own host."""
    url = browser_url(value)
    scheme = _scheme(url)
    if scheme is None:
        return "loads from another host" if url.startswith("//") else None
    if scheme in _SCRIPT_SCHEMES:
        return f"runs a {scheme}: URL"
    if scheme in {"http", "https", "ftp", "ws", "wss"}:
        return "loads from another host"
    return f"loads a {scheme}: URL"


def judge_link(value: str) -> str | None:
    """Why following the link ``value`` (<a href>) would go wrong; None for navigation
    to a page here or elsewhere (http, https, mailto, tel, relative)."""
    scheme = _scheme(browser_url(value))
    if scheme is None or scheme in _LINK_SCHEMES:
        return None
    if scheme in _SCRIPT_SCHEMES:
        return f"runs a {scheme}: URL"
    return f"links to a {scheme}: URL"


def _judge_css(value: str) -> str | None:
    # Material's stylesheets inline their icons as data:image/svg+xml; an image in CSS
    # cannot run script or fetch anything, so data: images are allowed there (only there).
    url = browser_url(value)
    if _scheme(url) == "data" and url[5:].lstrip().lower().startswith("image/"):
        return None
    return judge_load(value)


def srcset_urls(value: str) -> list[str]:
    """The URL of every candidate in a ``srcset`` (the HTML standard's parsing rules)."""
    urls: list[str] = []
    position, end = 0, len(value)
    while position < end:
        while position < end and value[position] in " \t\n\r\f,":
            position += 1
        start = position
        while position < end and value[position] not in " \t\n\r\f":
            position += 1
        url = value[start:position]
        if url.endswith(","):
            url = url.rstrip(",")
        else:  # descriptors, up to a comma outside parentheses
            depth = 0
            while position < end:
                char = value[position]
                if char == "(":
                    depth += 1
                elif char == ")":
                    depth = max(0, depth - 1)
                elif char == "," and depth == 0:
                    break
                position += 1
        if url:
            urls.append(url)
    return urls


# --- CSS --------------------------------------------------------------------------------

_CSS_ESCAPE = r"\\(?:[0-9a-fA-F]{1,6}(?:\r\n|[ \t\n\r\f])?|[^\n\r\f0-9a-fA-F])"
_CSS_IDENT = (
    rf"(?:--|-?(?:[a-zA-Z_]|[^\x00-\x7f]|{_CSS_ESCAPE}))"
    rf"(?:[a-zA-Z0-9_\-]|[^\x00-\x7f]|{_CSS_ESCAPE})*+"
)
_CSS_TOKEN = re.compile(
    r"/\*.*?(?:\*/|\Z)"
    r"|(?P<string>\"(?:[^\"\\\n]|\\.)*+(?P<closed>\")?|'(?:[^'\\\n]|\\.)*+(?P<closed1>')?)"
    rf"|(?P<at>@{_CSS_IDENT})"
    rf"|(?P<function>{_CSS_IDENT})\("
    rf"|{_CSS_IDENT}"
    r"|(?P<open>\()"
    r"|(?P<close>\))"
    r"|(?P<stop>[;{}])"
    r"|[^\"'/@()\\;{}a-zA-Z_\-\x80-\U0010ffff]+"
    r"|.",
    re.S,
)
_CSS_BARE_URL = re.compile(r"[ \t\n\r\f]*+(?![\"'])((?:[^)\\]|\\.)*+)\)?", re.S)
_CSS_DECODE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})(?:\r\n|[ \t\n\r\f])?|(\r\n|[\n\r\f])|(.))", re.S)
# Functions whose string arguments are URLs the browser fetches.
_CSS_LOADERS = frozenset(
    {"url", "src", "image", "image-set", "cross-fade", "-webkit-image-set", "-webkit-cross-fade"}
)


def _css_decode(text: str) -> str:
    """CSS escapes (``\\75``, ``\\r``) decoded, as the CSS tokenizer decodes them."""

    def one(match: re.Match[str]) -> str:
        if match.group(1):
            code = int(match.group(1), 16)
            valid = 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF
            return chr(code) if valid else "\ufffd"
        return "" if match.group(2) else match.group(3)

    return _CSS_DECODE.sub(one, text) if "\\" in text else text


def css_loads(css: str) -> list[str]:
    """Every URL that ``css`` makes the browser fetch: ``url()``, ``@import``, and the
    strings of ``image-set()`` and friends, with CSS escapes decoded."""
    urls: list[str] = []
    functions: list[str] = []
    at_rule = ""
    position, end = 0, len(css)
    while position < end:
        token = _CSS_TOKEN.match(css, position)
        assert token is not None  # the last alternative matches any character
        position = token.end()
        kind = token.lastgroup
        if kind == "string":
            if at_rule == "import" or (functions and functions[-1] in _CSS_LOADERS):
                closed = token.group("closed") or token.group("closed1")
                urls.append(_css_decode(token.group()[1 : -1 if closed else None]))
        elif kind == "function":
            name = _css_decode(token.group("function")).lower()
            if name == "url":
                bare = _CSS_BARE_URL.match(css, position)
                if bare is not None and bare.end() > position:
                    if at_rule != "namespace":  # @namespace names, never fetches
                        urls.append(_css_decode(bare.group(1)).strip(" \t\n\r\f"))
                    position = bare.end()
                    continue
            functions.append(name)
        elif kind == "open":
            functions.append("")
        elif kind == "close":
            if functions:
                functions.pop()
        elif kind == "at":
            at_rule = _css_decode(token.group("at")[1:]).lower()
        elif kind == "stop":
            at_rule = ""
    return urls


# --- HTML -------------------------------------------------------------------------------
# The tokenizer follows the WHATWG rules for the extent of a tag: a name runs to
# whitespace, "/" or ">"; a value is "…", '…' or runs to whitespace or ">"; an attribute
# may follow a quoted value directly. It is used twice: in full (_TAG) for the tags
# handed to Python, and restricted to plain attributes (_PLAIN_ATTR) for the runs skipped.


def _any_name(names: Iterable[str]) -> str:
    """A pattern for any of ``names`` in any ASCII letter case, grouped by first letter:
    Python's regex engine tries alternatives one by one, and this runs at every tag."""
    by_first: dict[str, list[str]] = {}
    for name in names:
        by_first.setdefault(name[0], []).append(name[1:])

    def letters(text: str) -> str:
        return "".join(f"[{c}{c.upper()}]" if c.isalpha() else re.escape(c) for c in text)

    groups = (f"{letters(f)}(?:{'|'.join(map(letters, rest))})" for f, rest in by_first.items())
    return f"(?:{'|'.join(groups)})"


_WS = r"[\t\n\f\r ]"
_NAME = r"[^\t\n\f\r />][^\t\n\f\r /=>]*+"
_NAME_END = r"(?=[\t\n\f\r />])"
_VALUE = r"(?:\"[^\"]*+\"|'[^']*+'|[^\t\n\f\r >]*+)"
_ATTR = rf"[\t\n\f\r /]*+{_NAME}(?:{_WS}*+={_WS}*+{_VALUE})?+"
_TAG = (
    rf"<(?P<closing>/?)(?P<name>[a-zA-Z][^\t\n\f\r />]*+)"
    rf"(?P<attrs>(?:{_ATTR})*+)[\t\n\f\r /]*+>"
)
_TAG_NAME = re.compile(r"<[a-zA-Z][^\t\n\f\r />]*+")
_ATTRIBUTE = re.compile(rf"[\t\n\f\r /]*+({_NAME})(?:{_WS}*+={_WS}*+({_VALUE}))?+")

# Tags always handed to Python: raw text, the content marker, and what may load or
# change the page whatever its attributes say.
_RAW_TEXT = ("script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes")
_RAW_TEXT += ("noscript", "plaintext")
_SPECIAL = (*_RAW_TEXT, "article", "meta", "link", "base", "object", "embed", "applet")
_SPECIAL += ("frame", "frameset", "form", "portal", "param")
# Attributes whose value never loads or runs anything: names, and patterns of names.
_HARMLESS = (
    *("class", "id", "title", "alt", "lang", "dir", "role", "tabindex", "width", "height"),
    *("name", "for", "type", "viewbox", "d", "colspan", "rowspan", "placeholder", "hidden"),
    *("autocomplete", "autocapitalize", "autocorrect", "spellcheck", "required", "checked"),
    *("disabled", "cx", "cy", "r", "rx", "ry", "x", "y", "x1", "x2", "y1", "y2", "points"),
    *("transform", "text-anchor", "stroke-width", "opacity"),
)
_HARMLESS_PATTERNS = ("xmlns(?::[a-z]+)?", "aria-[a-z0-9_.:-]*", "data-[a-z0-9_.:-]*")
_HARMLESS_ATTR = f"(?:{_any_name(_HARMLESS)}|(?i:{'|'.join(_HARMLESS_PATTERNS)}))"
_HARMLESS_NAME = re.compile(f"(?:{'|'.join((*_HARMLESS, *_HARMLESS_PATTERNS))})\\Z", re.I)
# A value that cannot reach another host or a script, whatever attribute holds it: no
# scheme (:), no //, no backslash, no entity (&), no CSS function ((), no tab or newline.
# (Written as runs between single slashes: a regex alternation per character is slow.)
_UNSAFE = r"\x00-\x1f<:&\\(@/"
_UNQUOTED = rf"[^\t\n\f\r >\"'=`{_UNSAFE}]"
_SAFE_VALUE = (
    rf"(?:\"[^\"{_UNSAFE}]*+(?:/(?!/)[^\"{_UNSAFE}]*+)*+\""
    rf"|'[^'{_UNSAFE}]*+(?:/(?!/)[^'{_UNSAFE}]*+)*+'"
    rf"|(?![\"']){_UNQUOTED}*+(?:/(?!/){_UNQUOTED}*+)*+(?={_WS}|>))"
)
# A style without url(), image-set(), @import or CSS escapes.
_SAFE_STYLE = (
    r"(?:\"[^\"(\\@&\x00-\x08]*+\"|'[^'(\\@&\x00-\x08]*+'"
    rf"|(?![\"'])[^\t\n\f\r >\"'(\\@&<=`]*+(?={_WS}|>))"
)
# The common case first: most attributes have plain values, whatever their names.
_PLAIN_ATTR = (
    rf"[\t\n\f\r /]*+(?:"
    rf"(?![oO][nN]){_NAME}(?:{_WS}*+={_WS}*+{_SAFE_VALUE}|(?!{_WS}*+=))"
    rf"|{_HARMLESS_ATTR}(?=[\t\n\f\r /=>])(?:{_WS}*+={_WS}*+{_VALUE})?+"
    rf"|(?i:style)(?:{_WS}*+={_WS}*+{_SAFE_STYLE}|(?!{_WS}*+=))"
    r")"
)
# One unit of a plain run: text, or a tag that cannot load or run anything.
_PLAIN_UNIT = (
    r"(?:[^<]++"
    rf"|<(?!{_any_name(_SPECIAL)}{_NAME_END})[a-zA-Z][^\t\n\f\r />]*+"
    rf"(?:{_PLAIN_ATTR})*+[\t\n\f\r /]*+>"
    rf"|</(?!{_any_name(['article'])}{_NAME_END})[a-zA-Z][^\t\n\f\r />]*+"
    rf"(?:{_ATTR})*+[\t\n\f\r /]*+>"
    r"|<(?![a-zA-Z!/?]))"
)
_PLAIN_RUN = f"{_PLAIN_UNIT}++"
_UNIT = re.compile(_PLAIN_UNIT, re.S)
_MARKUP = re.compile(
    rf"(?P<plain>{_PLAIN_RUN})"
    r"|(?P<comment><!--(?:-?>|.*?(?:--!?>|\Z)))"
    rf"|(?P<tag>{_TAG})"
    r"|(?P<bogus><[!?/][^>]*+>?)"
    # A tag the end of the page cuts off: the browser drops it and everything after it.
    r"|(?P<unclosed></?[a-zA-Z])"
    r"|(?P<text><)",
    re.S,
)
_RAW_END = {
    name: re.compile(rf"</{_any_name([name])}(?=[\t\n\f\r />]|\Z)")
    for name in _RAW_TEXT
    if name != "plaintext"
}

# Elements that never belong inside a page's content (netkb's pages and sanitised notes
# have none); Material wraps the content in <article class="md-content__inner">.
_NOT_IN_CONTENT = frozenset(
    {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form"}
    | {"base", "meta", "link", "portal", "noscript"}
)
_CONTENT = "md-content__inner"
# Attributes that make the browser fetch their URL by itself.
_LOAD_ATTRS = frozenset(
    {"src", "poster", "data", "background", "action", "formaction", "lowsrc", "dynsrc"}
    | {"codebase", "archive", "classid", "ping", "manifest", "icon", "profile", "xml:base"}
)
_LINK_ATTRS = frozenset({"href", "xlink:href"})
_SRCSET_ATTRS = frozenset({"srcset", "imagesrcset"})
# SVG attributes that take CSS values such as fill="url(…)".
_CSS_ATTRS = frozenset(
    {"style", "fill", "stroke", "filter", "mask", "clip-path", "cursor", "marker"}
    | {"marker-start", "marker-mid", "marker-end"}
)
_ANIMATIONS = frozenset({"animate", "set", "animatemotion", "animatetransform", "animatecolor"})
# <link rel> values the browser never fetches.
_NO_FETCH = frozenset(
    {"canonical", "alternate", "author", "license", "help", "next", "prev", "bookmark", "me"}
    | {"external", "nofollow", "noopener", "noreferrer", "tag"}
)
_SAFE_HTTP_EQUIV = frozenset(
    {"content-type", "content-language", "x-ua-compatible", "content-security-policy"}
)
_SCRIPT_URL_INSIDE = re.compile(r"(?:^|[^a-z0-9+.\-])(?:java|vb|live)script:|mocha:")
_HOST_IN_SCRIPT = re.compile(
    r"(?i)\b(?:https?|wss?|ftp):\\?/\\?/|[\"'`][\t\n\f\r ]*(?:\\?/){2}[a-z0-9]"
)


# A page is read by an _Auditor, which remembers its verdict on every distinct tag (with
# its raw text, for script and style): the theme repeats the same tags on every page.
_REMEMBER = 200_000
Verdict = tuple[tuple[str, ...], bool]  # messages, and whether it is the robots tag

# It also remembers long plain runs (the theme's header, navigation…: two thirds of a
# person page), by their first characters, with the places where their units end.
_RUN_KEY = 32  # characters that name a run
_RUN_SHORTEST = 512  # shorter runs cost less to match again than to look up
_RUNS_PER_KEY = 4
_RUNS = 256  # keys remembered
_RUN_WORTH = 256  # characters a page must repeat of a run for it to be skipped


class _Run:
    """A plain run read before, and where its units end (worked out once a page repeats
    enough of it: most runs, a page's own content, are never looked at again)."""

    __slots__ = ("_ends", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._ends: list[int] | None = None

    @property
    def ends(self) -> list[int]:
        """Where each unit of the run ends, as far as its units are ``_self_contained``."""
        if self._ends is None:
            ends: list[int] = []
            text, position, end = self.text, 0, len(self.text)
            while position < end:
                unit = _UNIT.match(text, position, end)
                if unit is None or unit.end() == position:  # cannot be: it matched as units
                    break
                if not _self_contained(unit.group()):
                    break  # it and what follows: kept only as far as units end here
                position = unit.end()
                ends.append(position)
            self._ends = ends
        return self._ends


_AUDITORS: dict[int, _Auditor] = {}


def _process_auditor() -> _Auditor:
    """A forked worker's auditor: what it learnt of the theme's tags and runs serves
    every share of pages it audits (the worker ends with the audit)."""
    pid = os.getpid()
    if pid not in _AUDITORS:
        _AUDITORS.clear()  # a forked child's copy of its parent's
        _AUDITORS[pid] = _Auditor()
    return _AUDITORS[pid]


class _Auditor:
    """Reads the pages of one site; what it learns lives as long as the audit."""

    def __init__(self) -> None:
        self.known: dict[str, Verdict] = {}
        self.runs: dict[str, list[_Run]] = {}

    def skip(self, runs: list[_Run], text: str, position: int) -> int:
        """How far one of ``runs`` (plain runs read before that began as ``text`` does
        from ``position``, a place between tokens) runs on in ``text``, to the end of
        one of its units: units are read left to right, and each unit ``remember`` kept
        is read from its own characters and the one after it (``_self_contained``), so
        the same characters before that end make the same units (0: none does)."""
        best = 0
        for run in runs:
            same = _common_length(run.text, text, position)
            if same <= max(best, _RUN_WORTH):
                continue
            # An end followed by the same character: a lone "<" looks at the next one.
            ends = run.ends
            at = bisect.bisect_left(ends, same) - 1
            if at >= 0 and ends[at] > best:
                best = ends[at]
        return best

    def remember(self, text: str, start: int, end: int) -> None:
        """Keep the plain run ``text[start:end]`` for ``skip``, if there is room."""
        key = text[start : start + _RUN_KEY]
        runs = self.runs.get(key)
        if runs is None:
            if len(self.runs) >= _RUNS:
                return
            runs = self.runs[key] = []
        if len(runs) < _RUNS_PER_KEY:
            runs.append(_Run(text[start:end]))

    def page(self, text: str, markup_only: bool = False) -> _Page:
        """The findings of one page (an HTML or SVG document). ``markup_only``: read the
        text of script, style, title… as markup too, as inside an SVG."""
        page = _Page(self, markup_only)
        page.scan(text)
        return page


# A value that opens with a quote: the regex looks for its closing quote as far as the
# page goes, past the end of the tag when there is none in it.
_OPENING_QUOTE = re.compile(r"=[\t\n\f\r ]*+(['\"])")


def _self_contained(unit: str) -> bool:
    """Whether a unit of a plain run is read from its own characters (and the one after
    it) alone: text, or a tag each of whose quoted values closes inside it. A value whose
    quote does not close there was read unquoted, up to the ``>``; on a page with the
    closing quote further on, the same characters begin a longer tag."""
    if not unit.startswith("<"):
        return True
    for opening in _OPENING_QUOTE.finditer(unit):
        if unit.find(opening.group(1), opening.end()) == -1:
            return False
    return True


def _common_length(run: str, text: str, position: int) -> int:
    """How many characters ``text`` from ``position`` shares with ``run`` (binary search:
    each step is one comparison of memory)."""
    if text.startswith(run, position):  # the theme's runs: most often all of it
        return len(run)
    low, high = 0, min(len(run), len(text) - position) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if text.startswith(run[:middle], position):
            low = middle
        else:
            high = middle - 1
    return low


class _Page:
    """What one page holds that breaks the rules: (message, in page content) pairs."""

    def __init__(self, auditor: _Auditor, markup_only: bool = False) -> None:
        self.auditor = auditor
        self.markup_only = markup_only
        self.findings: dict[tuple[str, bool], None] = {}  # ordered, and each one once
        self.robots = False
        self._depth = 0  # <article> elements open inside the page content

    def report(self, message: str) -> None:
        self.findings[message, self._depth > 0] = None

    def scan(self, text: str) -> None:
        """Tokenise ``text`` as a browser does and check every tag that could matter."""
        position, end = 0, len(text)
        auditor = self.auditor
        known = auditor.runs
        while position < end:
            # A plain run read before: its units need no reading (and give no finding).
            runs = known.get(text[position : position + _RUN_KEY])
            skipped = auditor.skip(runs, text, position) if runs else 0
            position += skipped
            if position >= end:
                break
            token = _MARKUP.match(text, position)
            assert token is not None  # the last alternative matches "<", the first the rest
            start, position = position, token.end()
            kind = token.lastgroup
            if kind == "tag":
                position = self._tag(token, text, position)
            elif kind == "unclosed":
                break
            elif kind == "plain" and not skipped and position - start >= _RUN_SHORTEST:
                auditor.remember(text, start, position)  # (not the rest of a run skipped)

    def _tag(self, token: re.Match[str], text: str, position: int) -> int:
        """Check one start or end tag; return where tokenising goes on (after raw text)."""
        closing, raw_name = token.group("closing", "name")
        name = raw_name.lower() if raw_name.isascii() else raw_name
        if closing:
            if name == "article" and self._depth:
                self._depth -= 1
            return position
        tag = token.group()
        if name == "article":
            classes = next((v.split() for n, v in _attributes(tag) if n == "class"), [])
            if self._depth or _CONTENT in classes:
                self._depth += 1
        if self._depth and name in _NOT_IN_CONTENT:
            self.report(f"has a <{name}> element in the page content: {_shown(tag)}")
        content = None
        # With markup_only the text after the tag is scanned as markup, as it comes.
        if not self.markup_only and name == "plaintext":
            content, position = text[position:], len(text)
        elif not self.markup_only and name in _RAW_END:
            close = _RAW_END[name].search(text, position)
            stop = close.start() if close else len(text)
            content, position = text[position:stop], stop
        key = tag if content is None else f"{tag}\x00{content}"
        verdict = self.auditor.known.get(key)
        if verdict is None:
            verdict = _judge(name, tag, content, self.auditor)
            if len(self.auditor.known) < _REMEMBER:
                self.auditor.known[key] = verdict
        messages, robots = verdict
        for message in messages:
            self.report(message)
        self.robots = self.robots or robots
        return position


def _judge(name: str, tag: str, content: str | None, auditor: _Auditor) -> Verdict:
    """What is wrong with one start tag (and the raw text after it, for script, style…)."""
    attrs = _attributes(tag)
    messages = [f"{reason}: {_shown(tag)}" for reason in _attribute_reasons(name, attrs)]
    robots = False
    if name == "meta":
        first = dict(reversed(attrs))  # the browser keeps the first of repeated attributes
        equiv = first.get("http-equiv", "").strip().lower()
        if equiv and equiv not in _SAFE_HTTP_EQUIV:
            messages.append(f"has <meta http-equiv={equiv}>: {_shown(tag)}")
        if first.get("name", "").strip().lower() == "robots":
            robots = {"noindex", "nofollow"} <= set(
                re.split(r"[\s,]+", first.get("content", "").lower())
            )
    elif name == "base":
        messages.append(f"changes where relative URLs point: {_shown(tag)}")
    if content is None:
        return tuple(messages), robots
    if name == "style":
        for url in css_loads(content):
            reason = _judge_css(url)
            if reason:
                messages.append(f"{reason}: url({_shown(url)}) in {_shown(tag)}")
    elif name == "script" and not any(n == "src" for n, _ in attrs):
        found = _HOST_IN_SCRIPT.search(content)
        if found:
            snippet = content[found.start() : found.start() + 80]
            messages.append(f"has an inline script that names another host: {_shown(snippet)}")
    if "<" in content:
        # What a browser reads as markup here inside an SVG (or with scripting off).
        inner = auditor.page(content, markup_only=True)
        messages += [m for m, _in_content in inner.findings]
    return tuple(dict.fromkeys(messages)), robots


def _attribute_reasons(name: str, attrs: list[tuple[str, str]]) -> list[str]:
    """Why each attribute of a ``name`` element breaks the rules (nothing when none does)."""
    reasons: list[str] = []
    rels = {r for n, v in attrs if n == "rel" for r in v.lower().split()}
    for attr, value in attrs:
        reason: str | None = None
        if attr.startswith("on"):
            reason = f"has an event handler ({attr})"
        elif attr in _LINK_ATTRS:
            navigation = name in {"a", "area"} or (name == "link" and rels and rels <= _NO_FETCH)
            reason = judge_link(value) if navigation else judge_load(value)
        elif attr in _LOAD_ATTRS or (attr == "value" and name == "param"):
            reason = judge_load(value)
        elif attr in _SRCSET_ATTRS:
            reason = next(filter(None, map(judge_load, srcset_urls(value))), None)
        elif attr in _CSS_ATTRS and (attr == "style" or "(" in value):
            reason = next(filter(None, map(_judge_css, css_loads(value))), None)
        elif attr == "srcdoc":
            reason = "embeds a document of its own (srcdoc)"
        elif name in _ANIMATIONS and attr in {"to", "from", "by", "values"}:
            reason = next(filter(None, map(judge_load, value.split(";"))), None)
        elif name in _ANIMATIONS and attr == "attributename" and value.strip().lower()[:2] == "on":
            reason = "animates an event handler"
        elif (
            ":" in value
            and not _HARMLESS_NAME.match(attr)
            and _SCRIPT_URL_INSIDE.search(browser_url(value).lower())
        ):
            reason = "has a script URL"
        if reason:
            reasons.append(reason)
    if name == "a" and ("data-md-component", "source") in attrs:
        href = browser_url(next((v for n, v in attrs if n == "href"), ""))
        if _scheme(href) or href.startswith("//"):
            reasons.append(
                "makes Material fetch facts about the repository from its host "
                "(repo_url in mkdocs.yml)"
            )
    return reasons


def _attributes(tag: str) -> list[tuple[str, str]]:
    """The (name, value) pairs of a start tag, names lowercased, values as the browser
    reads them; repeated attributes are all kept (the audit checks every one)."""
    inside = _TAG_NAME.match(tag)
    start = inside.end() if inside else 1
    return [(n.lower(), _attribute_value(v)) for n, v in _ATTRIBUTE.findall(tag, start)]


def _attribute_value(raw: str) -> str:
    """An attribute value as the browser sees it: unquoted, entities decoded, NUL replaced."""
    if raw[:1] in {'"', "'"} and raw.endswith(raw[0]) and len(raw) > 1:
        raw = raw[1:-1]
    if "&" in raw:
        raw = html.unescape(raw)
    return raw.replace("\x00", "\ufffd")


_LONGEST = 200


def _shown(text: str) -> str:
    """``text`` on one line, shortened, with control characters made visible: it is shown
    on a terminal and may come from a hostile file."""
    text = " ".join(text.split())
    if len(text) > _LONGEST:
        text = text[:_LONGEST] + "…"
    return visible(text)


# --- keeping what is safe ---------------------------------------------------------------

_WITHHELD = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="robots" content="noindex,nofollow">
<title>Page withheld</title>
</head>
<body>
<h1>Page withheld</h1>
<p>netkb did not publish this page: the built page broke netkb's privacy rules (it would
load something from another host or run a script). <code>netkb build</code> says what
was wrong; the page comes from <code>{source}</code>.</p>
</body>
</html>
"""


def withhold(site_dir: Path, findings: Iterable[Finding], root: Path) -> list[Path]:
    """Replace every page named in ``findings`` by a short notice and drop it from the
    search index; return the pages withheld. Only for pages made from one record."""
    pages = sorted({f.path: f.source for f in findings if f.source is not None}.items())
    site = OwnedFolder(site_dir, inside=root)
    for page, source in pages:
        notice = _WITHHELD.format(source=html.escape(_relative(source, root)))
        site.write(page.relative_to(site_dir).as_posix(), notice.encode("utf-8"))
    index = site_dir / "search" / "search_index.json"
    if pages and index.is_file():
        urls = set()
        for page, _source in pages:
            relative = page.relative_to(site_dir).as_posix()
            urls.add(
                relative[: -len("index.html")] if relative.endswith("/index.html") else relative
            )
        data = json.loads(index.read_text(encoding="utf-8"))
        docs = data.get("docs", []) if isinstance(data, dict) else []
        data["docs"] = [d for d in docs if str(d.get("location", "")).split("#")[0] not in urls]
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        site.write("search/search_index.json", text.encode())
    return [page for page, _source in pages]
