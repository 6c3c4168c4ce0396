"""How ``netkb serve`` starts: at once from a site built before, with a progress page when
there is none, and a redacted site with --redact.

The server listens before it builds. With a site built before it answers from it while
the first update brings it up to date (the pages whose sources changed first); with no
site yet, a page that is not built answers with the build's progress and looks again by
itself.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from conftest import copy_demo
from test_golden_generated import GENERATE
from test_serve import Served, start, stop

from netkb.build.site import build


def first_answer(served: Served, path: str) -> tuple[int, str, str]:
    """The first answer for ``path`` and what the server had printed before it."""
    deadline = time.monotonic() + 60
    while True:
        printed = served.stderr()
        try:
            status, body = served.get(path)
        except OSError:
            assert time.monotonic() < deadline, served.stderr()
            time.sleep(0.05)
            continue
        return status, body, printed


def test_a_site_built_before_answers_at_once_and_then_catches_up(tmp_path: Path):
    root = copy_demo(tmp_path / "kb")
    assert build(root).ok
    person = root / "contacts/anna-kowalska.md"
    person.write_text(
        person.read_text("utf-8").replace("Freelance tech journalist", "Harbour pilot"), "utf-8"
    )
    served = start_without_waiting(root, tmp_path / "serve.log")
    try:
        status, body, printed = first_answer(served, "people/anna-kowalska.html")
        assert status == 200
        # Answered from the site built before, unless the update had already finished.
        assert "Freelance tech journalist" in body or "\nUpdated " in printed
        assert "Bringing the site built before up to date" in served.stderr()
        served.wait_for(
            "the edit shows", lambda: served.shows("people/anna-kowalska.html", "Harbour pilot")
        )
    finally:
        stop(served)


def test_with_no_site_yet_the_browser_sees_the_build_progress(tmp_path: Path):
    root = tmp_path / "kb"
    GENERATE.generate(root, people=300, seed=1)
    served = start_without_waiting(root, tmp_path / "serve.log")
    try:
        status, body, _ = first_answer(served, "index.html")
        assert status == 404
        assert "Building the site…" in body
        assert '<meta http-equiv="refresh" content="2">' in body
        assert re.search(r"(Reading your files…|pages: [\d,]+ of [\d,]+)", body)
        served.wait_for("the site is built", served.answers, timeout=300)
        assert "Building the site" not in (served.page("index.html") or "")
    finally:
        stop(served)


def test_serve_redact_serves_the_redacted_site(tmp_path: Path):
    root = copy_demo(tmp_path / "kb")
    served = start(root, tmp_path / "serve.log", "--redact")
    try:
        served.wait_for(
            "the redacted home page", lambda: served.shows("index.html", "Redacted view")
        )
        page = served.page("people/anna-kowalska.html") or ""
        assert "Anna Kowalska" in page
        assert "anna.kowalska@newsroom.example" not in page
        assert (root / "site-redacted/index.html").is_file()
        assert not (root / "site").exists()
    finally:
        stop(served)


def start_without_waiting(root: Path, log: Path) -> Served:
    """``netkb serve`` once it listens (not once it answers)."""
    served = start(root, log, wait=False)
    assert served.process.poll() is None, served.stderr()
    return served


def test_a_page_of_a_failed_first_build_is_not_a_traceback(tmp_path: Path):
    root = copy_demo(tmp_path / "kb")
    (root / "templates/person.md.j2").write_text("{% if %}", encoding="utf-8")
    served = start_without_waiting(root, tmp_path / "serve.log")
    try:
        served.wait_for(
            "the error is reported", lambda: "could not update the site" in served.stderr()
        )
        assert "templates/person.md.j2" in served.stderr()
    finally:
        stop(served)
