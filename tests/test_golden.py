"""Golden files: the demo KB's generated Markdown, page by page, as tests/golden/<path>.

When a change to the pages is intended, accept it with

    python -m pytest tests/test_golden.py --update-golden

and review the diff of tests/golden/ like any other change.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO
from golden_pages import check_golden

from netkb.link.derive import derive
from netkb.load.loader import load
from netkb.render.render import SiteRenderer

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE_HINT = "python -m pytest tests/test_golden.py --update-golden"
# Pages that count from today (follow-ups, "overdue by …") are rendered as of this day,
# the day after the demo's last interaction.
TODAY = dt.date(2026, 11, 26)


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


def test_demo_pages_match_the_golden_files(request: pytest.FixtureRequest) -> None:
    check_golden(request, GOLDEN, render_demo(), "the demo's generated pages", UPDATE_HINT)


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
