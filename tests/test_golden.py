"""Golden files: the demo KB's generated Markdown, page by page, as tests/golden/<path>.

When a change to the pages is intended, accept it with

    python -m pytest tests/test_golden.py --update-golden

and review the diff of tests/golden/ like any other change.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from netkb.link.derive import derive
from netkb.load.loader import load
from netkb.render.render import SiteRenderer

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE_HINT = "python -m pytest tests/test_golden.py --update-golden"
# Pages that count from today (follow-ups, "overdue by …") are rendered as of this day,
# the day after the demo's last interaction.
TODAY = dt.date(2026, 11, 26)
SHOWN_DIFFS = 5
DIFF_LINES = 40


def scrub(text: str, root: Path) -> str:
    """Values that change from machine to machine (absolute paths), made constant.

    Dates need no scrubbing: the pages are rendered as of ``TODAY``.
    """
    for path in {str(root), root.as_posix()}:
        text = text.replace(path, "<KB>")
    return re.sub(r"/(?:home|Users)/[^/\s]+/", "<HOME>/", text)


def render_demo() -> dict[str, str]:
    """The demo KB's pages, rendered in this process from the repository's sources."""
    network = load(REPO)
    assert not network.errors, [p.format(REPO) for p in network.errors]
    pages = SiteRenderer(derive(network), REPO / "templates", today=TODAY).pages()
    return {path: scrub(text, network.root) for path, text in sorted(pages.items())}


def golden_files() -> dict[str, str]:
    return {
        path.relative_to(GOLDEN).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(GOLDEN.rglob("*.md"))
    }


def update(pages: dict[str, str]) -> None:
    for path in GOLDEN.rglob("*.md"):
        if path.relative_to(GOLDEN).as_posix() not in pages:
            path.unlink()
    for relative, text in pages.items():
        path = GOLDEN / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8", newline="")
    for folder in sorted(GOLDEN.rglob("*"), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def report(pages: dict[str, str], golden: dict[str, str]) -> str:
    """Which files differ and how, in words a person can act on."""
    changed = [p for p in pages if p in golden and pages[p] != golden[p]]
    new = [p for p in pages if p not in golden]
    gone = [p for p in golden if p not in pages]
    lines = [f"the demo's generated pages differ from tests/golden/ ({GOLDEN}):"]
    for label, paths in (
        ("changed", changed),
        ("new page, no golden file", new),
        ("golden file, page no longer generated", gone),
    ):
        lines += [f"  {label}: {path}" for path in paths]
    for path in changed[:SHOWN_DIFFS]:
        diff = difflib.unified_diff(
            golden[path].splitlines(),
            pages[path].splitlines(),
            f"golden/{path}",
            f"rendered/{path}",
            lineterm="",
        )
        lines += ["", *list(diff)[:DIFF_LINES]]
    if len(changed) > SHOWN_DIFFS:
        lines.append(f"\n… and {len(changed) - SHOWN_DIFFS} more changed files")
    lines.append(f"\nIf the change is intended, update the golden files:\n    {UPDATE_HINT}")
    return "\n".join(lines)


def test_demo_pages_match_the_golden_files(request: pytest.FixtureRequest) -> None:
    pages = render_demo()
    if request.config.getoption("--update-golden"):
        update(pages)
    golden = golden_files()
    assert golden, f"no golden files yet; create them with:\n    {UPDATE_HINT}"
    if pages != golden:
        pytest.fail(report(pages, golden), pytrace=False)


def test_pages_do_not_depend_on_the_hash_seed() -> None:
    """Set and dict order must not reach a page: each build would rewrite it, and the
    golden files would fail at random. Two processes with different seeds must agree."""
    script = (
        "import hashlib, json, sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from test_golden import render_demo\n"
        "pages = render_demo()\n"
        "print(json.dumps({p: hashlib.sha256(t.encode()).hexdigest() for p, t in pages.items()}))"
    )
    digests = []
    for seed in ("1", "2"):
        run = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            timeout=120,
            check=True,
        )
        digests.append(json.loads(run.stdout))
    differ = sorted(p for p in digests[0] if digests[0][p] != digests[1].get(p))
    assert differ == [], f"pages that change with the hash seed: {differ}"
