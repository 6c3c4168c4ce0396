"""Helpers for the import/export/edit/merge/history tests: a KB on disk, the CLI, git."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from click.testing import CliRunner, Result

from netkb.cli import cli

CONFIG = "site_name: Test network\nextra:\n  netkb:\n    owner: Test Owner\n"
REPO = Path(__file__).resolve().parent.parent
# Fixed identity and dates so commits are the same on every machine.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Owner",
    "GIT_AUTHOR_EMAIL": "owner@example.com",
    "GIT_COMMITTER_NAME": "Test Owner",
    "GIT_COMMITTER_EMAIL": "owner@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def make_kb(root: Path, files: Mapping[str, str | bytes] | None = None) -> Path:
    """A knowledge base at ``root``: mkdocs.yml, contacts/, and ``files`` by relative path."""
    (root / "contacts").mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(CONFIG, encoding="utf-8")
    (root / ".gitignore").write_text("/.netkb/\n/site/\n", encoding="utf-8")  # as netkb init
    for name, content in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return root


def run(root: Path, *args: str) -> Result:
    """``netkb --kb root args…`` in this process; never lets an exception escape unseen."""
    result = CliRunner().invoke(cli, ["--kb", str(root), *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"netkb crashed: {result.exception!r}\n{result.output}")
    assert "Traceback" not in result.output
    return result


def netkb_process(root: Path, *args: str) -> subprocess.Popen[str]:
    """The real ``python -m netkb --kb root args…`` in a child process."""
    return subprocess.Popen(
        [sys.executable, "-m", "netkb", "--kb", str(root), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, **GIT_ENV},
    )


def git(root: Path, *args: str, date: str | None = None) -> str:
    """Run git in ``root`` with a fixed identity (and date, if given); its output."""
    env = {**os.environ, **GIT_ENV}
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date}T12:00:00+00:00"
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout


def git_repo(root: Path) -> Path:
    """Make ``root`` a git repository with everything in it committed."""
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "config", "user.name", "Test Owner")
    git(root, "config", "user.email", "owner@example.com")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "start", date="2026-01-05")
    return root
