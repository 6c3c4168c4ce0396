"""``netkb serve``: the live preview follows edits, survives broken files, refuses foreign hosts.

Two layers. The real command in a subprocess on a free loopback port, polled over
HTTP until the page shows what the file says (always bounded). And ``LiveSite``
in-process, where the oracle is a full build: after any sequence of edits the
incrementally updated ``.netkb/docs`` must equal what ``netkb.build.site.generate``
writes from scratch, and the HTML and search index what ``netkb build`` makes.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MINIMAL_CONFIG, REPO, copy_demo, write_kb

from netkb.build.builder import BuildError
from netkb.build.site import build as build_site
from netkb.build.site import generate
from netkb.cli import cli
from netkb.serve.live import LiveSite
from netkb.serve.server import host_allowed
from netkb.serve.watcher import is_source

BANNER = "This page shows the last good version"
HAS_GIT = shutil.which("git") is not None
NETKB = (sys.executable, "-m", "netkb")
WAIT = 15.0  # seconds a change may take to show (the demo needs well under one)


# --- the real command in a subprocess --------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Served:
    """A running ``netkb serve`` and ways to look at it."""

    root: Path
    port: int
    process: subprocess.Popen[bytes]
    log: Path  # the server's stderr

    def get(self, path: str, host: str | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", "/" + path, headers={"Host": host or self.host})
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def page(self, path: str) -> str | None:
        """The HTML at ``path``, or None when it is not there (404)."""
        status, body = self.get(path)
        assert status in (200, 404), (status, body)
        return body if status == 200 else None

    def answers(self) -> bool:
        return self.page("index.html") is not None

    def shows(self, path: str, text: str) -> bool:
        return text in (self.page(path) or "")

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, what: str, condition: Callable[[], bool], timeout: float = WAIT) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.process.poll() is None, f"the server died:\n{self.stderr()}"
            if time.monotonic() > deadline:
                pytest.fail(
                    f"after {timeout:.0f} s still not: {what}\n--- server:\n{self.stderr()}"
                )
            time.sleep(0.1)

    def updates(self) -> int:
        return self.stderr().count("\nUpdated ")

    def wait_idle(self, quiet: float = 1.0, timeout: float = WAIT) -> None:
        """Until no update has started for ``quiet`` seconds (no rebuild loop)."""
        deadline = time.monotonic() + timeout
        seen, since = self.updates(), time.monotonic()
        while time.monotonic() - since < quiet:
            if time.monotonic() > deadline:
                pytest.fail(f"the server never went idle:\n{self.stderr()}")
            time.sleep(0.1)
            if self.updates() != seen:
                seen, since = self.updates(), time.monotonic()

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start(root: Path, log: Path, *options: str, wait: bool = True) -> Served:
    """``netkb serve`` on a free port, once it answers (``wait``; else once it listens);
    retried if the port was taken."""
    for _attempt in range(3):
        port = free_port()
        with log.open("wb") as stderr:
            process = subprocess.Popen(
                [*NETKB, "--kb", str(root), "serve", "--addr", f"127.0.0.1:{port}", *options],
                cwd=root,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env={**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO)},
            )
        served = Served(root, port, process, log)
        deadline = time.monotonic() + 120
        while "Serving on" not in served.stderr() and process.poll() is None:
            assert time.monotonic() < deadline, f"no server after 120 s:\n{served.stderr()}"
            time.sleep(0.1)
        if process.poll() is None:
            if wait:
                served.wait_for("the home page answers", served.answers)
            return served
        if "cannot listen" not in served.stderr():
            pytest.fail(f"netkb serve exited {process.returncode}:\n{served.stderr()}")
    pytest.fail("no free port")


def stop(served: Served) -> None:
    """SIGTERM, then kill; and no traceback may have been printed, ever."""
    if served.process.poll() is None:
        served.process.send_signal(signal.SIGTERM)
        try:
            served.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            served.process.kill()
            served.process.wait()
            pytest.fail(f"the server ignored SIGTERM:\n{served.stderr()}")
    assert "Traceback" not in served.stderr(), served.stderr()


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for the module, on a copy of the demo KB."""
    folder = tmp_path_factory.mktemp("serve")
    served = start(copy_demo(folder / "kb"), folder / "serve.log")
    try:
        yield served
    finally:
        stop(served)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def person(name: str, *lines: str, body: str = "") -> str:
    return "---\n" + "\n".join([f"name: {name}", *lines]) + "\n---\n" + body


def test_an_edit_shows_up(demo_server):
    path = demo_server.root / "contacts/northlight/mei-chen.md"
    text = path.read_text(encoding="utf-8")
    write(path, re.sub(r"(?m)^role: .*$", "role: Chief Cartographer", text, count=1))
    demo_server.wait_for(
        "Mei Chen's page shows her new role",
        lambda: "Chief Cartographer" in (demo_server.page("people/mei-chen.html") or ""),
    )


def test_an_editor_save_by_rename_shows_up(demo_server):
    path = demo_server.root / "contacts/northlight/ravi-menon.md"
    text = re.sub(r"(?m)^role: .*$", "role: Keeper of Renames", path.read_text(encoding="utf-8"))
    temp = path.with_name(f".{path.name}.tmp")
    write(temp, text)
    os.replace(temp, path)
    demo_server.wait_for(
        "Ravi Menon's page shows the renamed-over file",
        lambda: "Keeper of Renames" in (demo_server.page("people/ravi-menon.html") or ""),
    )


def test_a_burst_of_saves_ends_with_the_last_one_and_then_idles(demo_server):
    path = demo_server.root / "contacts/burst.md"
    for number in range(20):
        write(path, person("Bea Burst", f"role: Draft {number:02d}"))
        time.sleep(0.01)
    demo_server.wait_for(
        "the page shows the last save",
        lambda: "Draft 19" in (demo_server.page("people/burst.html") or ""),
    )
    demo_server.wait_idle()
    # Idle: nothing rebuilds by itself (the watcher ignores .netkb/ and site/), no CPU spent.
    updates, cpu = demo_server.updates(), demo_server.cpu_seconds()
    time.sleep(2)
    assert demo_server.updates() == updates
    assert demo_server.cpu_seconds() - cpu < 0.3
    assert "Draft 19" in (demo_server.page("people/burst.html") or "")


def test_invalid_yaml_keeps_the_last_good_page_under_a_banner(demo_server):
    path = demo_server.root / "contacts/half-saved.md"
    write(path, person("Hal Saved", "role: Archivist"))
    demo_server.wait_for(
        "the page exists", lambda: demo_server.page("people/half-saved.html") is not None
    )

    write(path, person("Hal Saved", "role: [Archiv"))  # saved half-way: unclosed list
    demo_server.wait_for(
        "a banner over the last good content",
        lambda: (
            BANNER in (html := demo_server.page("people/half-saved.html") or "")
            and "Archivist" in html
        ),
    )
    # The YAML parser notices the unclosed list where the front matter ends (line 4).
    assert (
        "contacts/half-saved.md:4:1: error NK110: YAML syntax error: while parsing a flow "
        "sequence (started at line 3, column 7), did not find expected ',' or ']'"
    ) in demo_server.stderr().splitlines()

    write(path, person("Hal Saved", "role: Chief Archivist"))
    demo_server.wait_for(
        "the fixed page without a banner",
        lambda: (
            "Chief Archivist" in (html := demo_server.page("people/half-saved.html") or "")
            and BANNER not in html
        ),
    )


def test_a_dangling_slug_shows_a_banner_until_fixed(demo_server):
    path = demo_server.root / "contacts/dangler.md"
    write(path, person("Dana Dangler", "role: Connector"))
    demo_server.wait_for("the page exists", lambda: demo_server.page("people/dangler.html"))

    write(path, person("Dana Dangler", "role: Connector", "relations:", "  friend: [nobody-here]"))
    demo_server.wait_for(
        "a banner naming the missing person, over the page",
        lambda: (
            BANNER in (html := demo_server.page("people/dangler.html") or "")
            and "nobody-here" in html
            and "Connector" in html
        ),
    )
    assert (
        "contacts/dangler.md:5:12: error NK140: relations.friend: no person has the slug "
        "'nobody-here'; a slug is a file name in contacts/ without .md"
    ) in demo_server.stderr().splitlines()

    write(path, person("Dana Dangler", "role: Connector", "relations:", "  friend: [mei-chen]"))
    demo_server.wait_for(
        "the page without a banner",
        lambda: BANNER not in (demo_server.page("people/dangler.html") or BANNER),
    )


def test_a_new_person_gets_a_page_and_a_line_in_the_index(demo_server):
    write(demo_server.root / "contacts/newcomer.md", person("Nina Newcomer", "circle: 3"))
    demo_server.wait_for(
        "a page for the new person",
        lambda: "Nina Newcomer" in (demo_server.page("people/newcomer.html") or ""),
    )
    demo_server.wait_for(
        "the people index lists her",
        lambda: "people/newcomer.html" in (demo_server.page("people.html") or ""),
    )


def test_a_deleted_person_leaves_no_page_and_no_links(demo_server):
    path = demo_server.root / "contacts/leaver.md"
    write(path, person("Lee Leaver", "relations:", "  friend: [mei-chen]"))
    demo_server.wait_for(
        "Mei Chen's page shows her new friend",
        lambda: "Lee Leaver" in (demo_server.page("people/mei-chen.html") or ""),
    )
    assert "people/leaver.html" in (demo_server.page("people.html") or "")

    path.unlink()
    demo_server.wait_for("the page is gone", lambda: demo_server.page("people/leaver.html") is None)
    assert "Lee Leaver" not in (demo_server.page("people.html") or "Lee Leaver")
    assert "Lee Leaver" not in (demo_server.page("people/mei-chen.html") or "Lee Leaver")


def test_requests_for_another_host_are_refused(demo_server):
    port = demo_server.port
    assert demo_server.get("index.html", host="evil.example")[0] == 403
    assert demo_server.get("index.html", host=f"evil.example:{port}")[0] == 403
    assert demo_server.get("index.html", host=f"localhost:{port}")[0] == 200
    assert demo_server.get("index.html", host=f"127.0.0.1:{port}")[0] == 200


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def numbered_person(number: int, role: str) -> str:
    """Person 000…: a role, an organisation; every third below 200 knows the one before."""
    lines = [f"role: {role}", f"organization: Org {number % 7}", f"circle: {number % 5 + 1}"]
    if number % 3 == 0 and 0 < number < 200:
        lines += ["relations:", f"  knows: [p{number - 1:03d}]"]
    return person(f"Person {number:03d}", *lines)


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
def test_a_git_checkout_of_many_files_ends_in_the_right_site(tmp_path):
    """200 files change, five go and five come between two branches. (MkDocs' default
    directory URLs here: people/p000/, where the demo has people/p000.html.)"""
    files = {f"contacts/p{n:03d}.md": numbered_person(n, f"Role main {n}") for n in range(210)}
    root = write_kb(tmp_path / "kb", {**files, ".gitignore": ".netkb/\nsite/\n"}, MINIMAL_CONFIG)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "main")
    git(root, "checkout", "-q", "-b", "other")
    for number in range(200):
        write(root / f"contacts/p{number:03d}.md", numbered_person(number, f"Role other {number}"))
    for number in (202, 204, 206, 208, 209):  # nobody knows them: no dangling relations
        (root / f"contacts/p{number:03d}.md").unlink()
    for number in range(300, 305):
        write(root / f"contacts/p{number}.md", numbered_person(number, f"Role other {number}"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "other")
    git(root, "checkout", "-q", "main")

    served = start(root, tmp_path / "serve.log")
    try:
        for branch, role, gone, new in (
            ("other", "Role other", (202, 209), (300, 304)),
            ("main", "Role main", (300, 304), (202, 209)),
        ):
            git(root, "checkout", "-q", branch)
            for number in (0, 57, 123, 199):
                served.wait_for(
                    f"p{number:03d} on {branch}",
                    lambda n=number, r=role: served.shows(f"people/p{n:03d}/", f"{r} {n}<"),
                    timeout=60,
                )
            for number in gone:
                served.wait_for(
                    f"no page for p{number:03d} on {branch}",
                    lambda n=number: served.page(f"people/p{n:03d}/") is None,
                )
            for number in new:
                assert served.page(f"people/p{number:03d}/") is not None
            index = served.page("people/") or ""
            names = {f"Person {n:03d}" for n in range(400)}
            on_disk = {f"Person {p.stem[1:]}" for p in (root / "contacts").glob("p*.md")}
            assert {n for n in names if f"{n}<" in index} == on_disk
            served.wait_idle()
            assert_docs_equal_a_full_build(root, tmp_path / f"fresh-{branch}")
    finally:
        stop(served)


# --- the command line ------------------------------------------------------------------------


def test_a_non_loopback_address_needs_public(make_kb):
    root = make_kb({"contacts/jane.md": person("Jane Doe")})
    result = CliRunner().invoke(cli, ["--kb", str(root), "serve", "--addr", "192.0.2.1:8000"])
    assert result.exit_code == 2
    assert "--public" in result.output
    assert "personal data" in result.output
    assert not (root / ".netkb").exists()  # refused before building anything


def test_an_address_must_have_a_port(make_kb):
    root = make_kb({"contacts/jane.md": person("Jane Doe")})
    result = CliRunner().invoke(cli, ["--kb", str(root), "serve", "--addr", "127.0.0.1"])
    assert result.exit_code == 2
    assert "HOST:PORT" in result.output


def test_public_warns_that_the_site_holds_personal_data(make_kb, monkeypatch):
    """Never binds: the build is stopped right after the warning."""

    class Stopped:
        def __init__(self, root: Path) -> None:
            pass

        def build(self) -> None:
            raise BuildError("stopped by the test before anything listens")

    monkeypatch.setattr("netkb.commands.serve.LiveSite", Stopped)
    root = make_kb({"contacts/jane.md": person("Jane Doe")})
    result = CliRunner().invoke(
        cli, ["--kb", str(root), "serve", "--addr", "192.0.2.1:8000", "--public"]
    )
    assert result.exit_code == 1
    assert "Warning: serving on 192.0.2.1, reachable from other computers" in result.output
    assert "personal data" in result.output


@pytest.mark.parametrize(
    ("header", "allowed"),
    [
        ("127.0.0.1:8000", True),
        ("localhost:8000", True),
        ("LOCALHOST", True),
        ("[::1]:8000", True),
        ("192.0.2.7:8000", True),  # an IP literal cannot be rebound
        ("kb.internal:8000", True),  # the name the server was started with
        ("evil.example", False),
        ("evil.example:8000", False),
        ("localhost.evil.example", False),
        ("", False),
        ("localhost:8000:1", False),
    ],
)
def test_host_allowed(header, allowed):
    assert host_allowed(header, frozenset({"kb.internal"})) is allowed


@pytest.mark.parametrize(
    ("relative", "relevant"),
    [
        ("contacts/jane.md", True),
        ("contacts/acme/jane.md", True),
        ("contacts/acme", True),
        ("log/2026/lunch.md", True),
        ("orgs/acme.md", True),
        ("templates/person.md.j2", True),
        ("mkdocs.yml", True),
        ("contacts/.jane.md.tmp", False),  # an editor's temp file, renamed onto jane.md
        ("contacts/jane.md~", False),
        ("contacts/#jane.md#", False),
        ("contacts/photo.jpg", False),
        (".netkb/docs/people/jane.md", False),  # what netkb writes must not wake it up
        (".netkb/overrides/main.html", False),
        ("site/people/jane.html", False),
        ("site/search/search_index.json", False),
        ("README.md", False),
    ],
)
def test_the_watcher_wants_only_sources(tmp_path, relative, relevant):
    assert is_source(tmp_path, tmp_path / relative) is relevant


# --- LiveSite in-process: a full build is the oracle -----------------------------------------


def docs_of(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }


def assert_docs_equal_a_full_build(root: Path, scratch: Path) -> None:
    """The generated Markdown equals what ``generate`` writes from the same sources."""
    shutil.copytree(root, scratch, ignore=shutil.ignore_patterns(".netkb", "site"))
    result = generate(scratch)
    assert not result.network.errors, [p.format(scratch) for p in result.network.errors]
    fresh, live = docs_of(scratch / ".netkb/docs"), docs_of(root / ".netkb/docs")
    assert sorted(set(fresh) ^ set(live)) == []
    assert sorted(p for p in fresh if fresh[p] != live[p]) == []
    shutil.rmtree(scratch)


@pytest.fixture
def live(tmp_path) -> LiveSite:
    site = LiveSite(copy_demo(tmp_path / "kb"))
    site.build()
    return site


def edit(path: Path, old: str, new: str) -> Path:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def search_index(root: Path) -> list[dict]:
    return json.loads((root / "site/search/search_index.json").read_text(encoding="utf-8"))["docs"]


def test_an_edit_renders_a_few_pages_and_equals_a_full_build(live, tmp_path):
    root = live.root
    locations = {d["location"] for d in search_index(root)}
    path = root / "contacts/banco-mirador/alvaro-sanz.md"
    update = live.update(
        [edit(path, "role: Private banking relationship manager", "role: Zanzibar banker")]
    )
    assert update.problems == []
    assert update.rendered < len(live.paths) / 5  # the demo: about 25 of 234
    assert "people/alvaro-sanz.md" in update.written
    assert "people/mei-chen.md" not in update.written
    assert_docs_equal_a_full_build(root, tmp_path / "fresh")
    assert "Zanzibar banker" in (root / "site/people/alvaro-sanz.html").read_text(encoding="utf-8")
    # The search index still holds every page, and finds the edit.
    docs = search_index(root)
    assert {d["location"] for d in docs} == locations
    found = {d["location"] for d in docs if "Zanzibar" in d["text"]}
    assert "people/alvaro-sanz.html" in found


def test_a_sequence_of_edits_equals_a_full_build(live, tmp_path):
    root = live.root
    contacts = root / "contacts"
    alvaro = contacts / "banco-mirador/alvaro-sanz.md"
    newbie = contacts / "newbie.md"
    steps: list[tuple[str, Callable[[], list[Path]]]] = [
        ("rename", lambda: [edit(alvaro, "name: Álvaro Sanz", "name: Zacarías Sanz")]),
        ("circle", lambda: [edit(alvaro, "circle: 4", "circle: 1")]),
        (
            "organisation",
            lambda: [edit(alvaro, "organization: Banco Mirador", "organization: Globex")],
        ),
        ("tags", lambda: [edit(alvaro, "tags: [banking, personal]", "tags: [golf, brandnew]")]),
        (
            "relation",
            lambda: [
                edit(alvaro, "  knows: [carmen-ibanez]", "  knows: [carmen-ibanez, mei-chen]")
            ],
        ),
        (
            "new person",
            lambda: [
                write(
                    newbie,
                    person(
                        "Newbie Person",
                        "organization: Brand New Org",
                        "tags: [golf]",
                        body="Met through [[alvaro-sanz]].\n",
                    ),
                )
                or newbie
            ],
        ),
        (
            "new interaction",
            lambda: [
                write(
                    root / "log/2026/2026-11-01-lunch.md",
                    "---\ndate: 2026-11-01\nwith: [newbie, mei-chen]\nkind: lunch\n"
                    "minutes: 60\nfavor: given\n---\n",
                )
                or root / "log/2026/2026-11-01-lunch.md"
            ],
        ),
        (
            "organisation file",
            lambda: [
                edit(root / "orgs/globex-software.md", "name: Globex Software GmbH", "name: Globex")
            ],
        ),
        ("private", lambda: [edit(alvaro, "circle: 1", "circle: 1\nprivate: true")]),
        ("public again", lambda: [edit(alvaro, "private: true", "private: false")]),
        (
            "deleted",
            lambda: [
                (root / "log/2026/2026-11-01-lunch.md").unlink()
                or root / "log/2026/2026-11-01-lunch.md",
                newbie.unlink() or newbie,
            ],
        ),
    ]
    for number, (name, change) in enumerate(steps):
        update = live.update(change())
        assert update.problems == [] or all(p.severity != "error" for p in update.problems), name
        try:
            assert_docs_equal_a_full_build(root, tmp_path / f"fresh-{number}")
        except AssertionError as exc:
            raise AssertionError(f"after step {name!r}: {exc}") from None
        if name == "rename":  # every page that lists him says the new name
            docs = docs_of(root / ".netkb/docs")
            assert not [p for p, text in docs.items() if "Álvaro Sanz".encode() in text]
        if name == "relation":  # the other side shows it too
            mei = (root / ".netkb/docs/people/mei-chen.md").read_text(encoding="utf-8")
            assert "Zacarías Sanz" in mei

    # The HTML and the search index are what a clean `netkb build` makes.
    reference = build_site(copy_demo_sources(root, tmp_path / "reference"))
    assert reference.ok
    fresh, live_site = docs_of(reference.site_dir), docs_of(root / "site")
    index = "search/search_index.json"
    assert sorted(set(fresh) ^ set(live_site)) == []
    assert sorted(p for p in fresh if p != index and fresh[p] != live_site[p]) == []
    as_set = lambda docs: sorted(json.dumps(d, sort_keys=True) for d in json.loads(docs)["docs"])  # noqa: E731
    assert as_set(live_site[index]) == as_set(fresh[index])


def copy_demo_sources(root: Path, target: Path) -> Path:
    shutil.copytree(root, target, ignore=shutil.ignore_patterns(".netkb", "site"))
    return target


def test_a_broken_file_keeps_its_page_under_a_banner_until_fixed(live, tmp_path):
    root = live.root
    path = root / "contacts/banco-mirador/alvaro-sanz.md"
    good = path.read_text(encoding="utf-8")
    page = root / ".netkb/docs/people/alvaro-sanz.md"

    path.write_text(good.replace("role: Private", "role: [Private"), encoding="utf-8")
    update = live.update([path])
    errors = [p.format(root) for p in update.problems if p.severity == "error"]
    # ``role: [Private`` is line 4; the parser notices the unclosed list at line 5.
    assert errors == [
        "contacts/banco-mirador/alvaro-sanz.md:5:6: error NK110: YAML syntax error: while "
        "parsing a flow sequence (started at line 4, column 7), did not find expected ',' or ']'"
    ]
    assert BANNER in page.read_text(encoding="utf-8")
    assert "Private banking relationship manager" in page.read_text(encoding="utf-8")
    assert BANNER in (root / "site/people/alvaro-sanz.html").read_text(encoding="utf-8")

    path.write_text(good.replace("relations:", "relations:\n  friend: [nobody-here]"))
    update = live.update([path])
    assert [p.format(root) for p in update.problems if p.severity == "error"] == [
        "contacts/banco-mirador/alvaro-sanz.md:13:12: error NK140: relations.friend: no person "
        "has the slug 'nobody-here'; a slug is a file name in contacts/ without .md"
    ]
    assert "nobody-here" in page.read_text(encoding="utf-8")

    path.write_text(good, encoding="utf-8")
    assert live.update([path]).problems == []
    assert BANNER not in page.read_text(encoding="utf-8")
    assert_docs_equal_a_full_build(root, tmp_path / "fresh")


def test_a_missed_event_is_caught_by_the_file_cache(live, tmp_path):
    """The watcher names one file; another changed too (an overflowing event queue)."""
    root = live.root
    mei = edit(root / "contacts/northlight/mei-chen.md", "name: Mei Chen", "name: Mei Chen-Li")
    other = root / "contacts/banco-mirador/alvaro-sanz.md"
    live.update([other])
    assert "people/mei-chen.md" in {*live.paths}
    assert "Mei Chen-Li" in (root / ".netkb/docs/people/mei-chen.md").read_text(encoding="utf-8")
    assert mei.exists()
    assert_docs_equal_a_full_build(root, tmp_path / "fresh")


def test_a_template_change_rebuilds_everything_once(live):
    """A full rebuild in the same process must not list pages twice in the search index
    (MkDocs keeps plugin instances, and with them Material's last index, per process)."""
    root = live.root
    before = search_index(root)
    template = (REPO / "netkb/templates/tag.md.j2").read_text(encoding="utf-8")
    write(root / "templates/tag.md.j2", template + "\nTagged by the KB's own template.\n")
    update = live.update([root / "templates/tag.md.j2"])
    assert update.rendered == len(live.paths)
    assert "Tagged by the KB" in (root / "site/tags/golf.html").read_text(encoding="utf-8")
    after = search_index(root)
    assert len(after) == len(before)
    assert len({(d["location"], d["title"]) for d in after}) == len(after)


def test_the_edited_page_is_published_before_the_summary_pages(live, tmp_path):
    """The first phase builds the person's page (and neighbours') and publishes; the rest
    follows, and the end result still equals a full build."""
    root = live.root
    path = root / "contacts/banco-mirador/alvaro-sanz.md"
    html = root / "site/people/alvaro-sanz.html"
    early = []

    def publish(first):
        early.append(first)
        assert "Zanzibar banker" in html.read_text(encoding="utf-8")
        assert "Zanzibar banker" not in (root / ".netkb/docs/circles/4.md").read_text("utf-8")

    update = live.update(
        [edit(path, "role: Private banking relationship manager", "role: Zanzibar banker")],
        publish=publish,
    )
    assert len(early) == 1 and early[0].early
    assert "people/alvaro-sanz.md" in early[0].written
    assert all(p.startswith(("people/", "orgs/")) for p in early[0].written)
    assert "people/alvaro-sanz.md" in update.written
    assert "Zanzibar banker" in (root / ".netkb/docs/circles/4.md").read_text("utf-8")
    assert_docs_equal_a_full_build(root, tmp_path / "fresh")
    found = {d["location"] for d in search_index(root) if "Zanzibar" in d["text"]}
    assert "people/alvaro-sanz.html" in found


def test_an_update_that_gives_way_is_finished_by_the_next(live, tmp_path):
    """Newer changes waiting: the second phase stops before writing; the next update
    (here with no new paths) does its work."""
    root = live.root
    alvaro = root / "contacts/banco-mirador/alvaro-sanz.md"
    update = live.update(
        [edit(alvaro, "tags: [banking, personal]", "tags: [golf, brandnew]")],
        superseded=lambda: True,
    )
    assert update.superseded
    live.update([])
    assert_docs_equal_a_full_build(root, tmp_path / "fresh")
    assert (root / "site/tags/brandnew.html").exists()
