"""Golden folders of generated pages: compare page by page, or rewrite with --update-golden.

A golden folder holds one file per generated page (``people/jane.md``) with the page's
text, volatile values already scrubbed. ``check_golden`` compares what netkb renders
now with the folder and fails with a report a person can act on: which pages changed,
appeared or vanished, and the first lines of the first few diffs.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

SHOWN_DIFFS = 5
DIFF_LINES = 40


def golden_files(folder: Path) -> dict[str, str]:
    """The golden pages in ``folder`` by relative path."""
    return {
        path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*.md"))
    }


def update(folder: Path, pages: dict[str, str]) -> None:
    """Make ``folder`` hold exactly ``pages``: write the changed ones, delete the gone ones."""
    for path in folder.rglob("*.md"):
        if path.relative_to(folder).as_posix() not in pages:
            path.unlink()
    for relative, text in pages.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8", newline="")
    for empty in sorted(folder.rglob("*"), reverse=True):
        if empty.is_dir() and not any(empty.iterdir()):
            empty.rmdir()


def report(pages: dict[str, str], golden: dict[str, str], what: str, hint: str) -> str:
    """Which pages differ from the golden ones and how, ending with how to accept them."""
    changed = [p for p in pages if p in golden and pages[p] != golden[p]]
    new = [p for p in pages if p not in golden]
    gone = [p for p in golden if p not in pages]
    lines = [f"{what} differ from the golden files:"]
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
    lines.append(f"\nIf the change is intended, update the golden files:\n    {hint}")
    return "\n".join(lines)


def check_golden(
    request: pytest.FixtureRequest, folder: Path, pages: dict[str, str], what: str, hint: str
) -> None:
    """Fail unless ``pages`` equal the golden files in ``folder`` (rewritten first under
    ``--update-golden``)."""
    if request.config.getoption("--update-golden"):
        update(folder, pages)
    golden = golden_files(folder)
    assert golden, f"no golden files in {folder} yet; create them with:\n    {hint}"
    if pages != golden:
        pytest.fail(report(pages, golden, what, hint), pytrace=False)
