"""Problems as a CI service shows them beside the code: GitHub Actions workflow commands
and GitLab Code Quality reports (``netkb check --format github|gitlab``)."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from netkb.core.problems import Problem, Severity, display_path

# GitLab's severities: an error fails the check, a warning does not.
GITLAB_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor"}


def escape_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's toolkit does (``escapeData``):
    ``%`` first, then CR and LF, so a value can never end the command's line."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (``escapeProperty``): as a message, and also
    ``:`` and ``,``, which end a property."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_command(problem: Problem, relative_to: Path | None = None) -> str:
    """``::error file=…,line=…,col=…,title=NK140::message`` for one problem."""
    properties = {
        "file": display_path(problem.path, relative_to),
        "line": str(problem.line),
        "col": str(problem.column),
        "title": problem.code,
    }
    listed = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{problem.severity} {listed}::{escape_data(problem.message)}"


def gitlab_report(problems: Iterable[Problem], relative_to: Path | None = None) -> list[Any]:
    """A GitLab Code Quality report: one issue per problem. A fingerprint is the same on
    every run while the problem stays (its file, code and message, and which of equal
    ones it is), so GitLab shows only what a change brought or fixed."""
    seen: Counter[tuple[str, str, str]] = Counter()
    issues = []
    for problem in problems:
        path = display_path(problem.path, relative_to)
        same = (path, problem.code, problem.message)
        seen[same] += 1
        digest = hashlib.sha256("\0".join([*same, str(seen[same])]).encode("utf-8", "replace"))
        issues.append(
            {
                "description": f"{problem.code}: {problem.message}",
                "check_name": problem.code,
                "fingerprint": digest.hexdigest(),
                "severity": GITLAB_SEVERITY[problem.severity],
                "location": {"path": path, "lines": {"begin": problem.line}},
            }
        )
    return issues


def repository_root(folder: Path) -> Path:
    """The top of the git repository ``folder`` is in (the folder holding ``.git``), which
    CI services read paths from; ``folder`` itself when it is in none."""
    folder = folder.resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder
