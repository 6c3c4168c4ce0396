"""The few git operations netkb needs: is this a repository, and commit what netkb wrote.

``--commit`` commits exactly the files a command wrote (created, changed or
deleted), whatever else is staged or modified in the working tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path


class GitError(Exception):
    """git is missing or refused; the message has git's own words."""


def _env() -> dict[str, str]:
    # File names are names, not patterns: contacts/[draft].md must not be a glob.
    return {**os.environ, "GIT_LITERAL_PATHSPECS": "1", "LC_ALL": "C"}


def git(
    root: Path, args: Sequence[str], stdin: bytes | None = None, index: Path | None = None
) -> bytes:
    """Run ``git -C root args…`` and return its output; GitError when it fails.

    ``index``: use this index file instead of the repository's own.
    """
    if shutil.which("git") is None:
        raise GitError("git is not installed")
    env = _env()
    if index is not None:
        env["GIT_INDEX_FILE"] = str(index)
    done = subprocess.run(
        ["git", "-C", str(root), *args], input=stdin, capture_output=True, env=env, check=False
    )
    if done.returncode != 0:
        said = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
        message = said or f"exit {done.returncode}"
        raise GitError(f"git {args[0]}: {message}")
    return done.stdout


def is_git_repo(root: Path) -> bool:
    """Whether ``root`` is inside a git working tree."""
    try:
        return git(root, ["rev-parse", "--is-inside-work-tree"]).strip() == b"true"
    except GitError:
        return False


def commit(root: Path, paths: Iterable[Path], message: str) -> str | None:
    """Commit ``paths`` (as they are on disk now, deletions too) and nothing else.

    The commit is built in a scratch index holding HEAD plus these paths, so what
    the user has staged stays staged and out of netkb's commit. Returns the new
    commit's hash, or None when there was nothing to commit.
    """
    relative = sorted({os.path.relpath(path, root) for path in paths})
    missing = [name for name in relative if not (root / name).exists()]
    if missing:
        # A file netkb deleted counts only if git knew it; git refuses unknown missing paths.
        known = git(root, ["ls-files", "-z", "--", *missing]).decode("utf-8").split("\0")
        relative = [name for name in relative if name not in missing or name in known]
    if not relative:
        return None
    pathspec = b"\0".join(name.encode("utf-8") for name in relative)
    add = ["add", "--all", "--pathspec-from-file=-", "--pathspec-file-nul"]
    try:
        head: str | None = git(root, ["rev-parse", "--verify", "-q", "HEAD^{tree}"]).decode()
    except GitError:
        head = None  # a repository without commits yet
    with tempfile.TemporaryDirectory(prefix="netkb-git-") as scratch:
        index = Path(scratch) / "index"
        if head:
            git(root, ["read-tree", "HEAD"], index=index)
        git(root, add, stdin=pathspec, index=index)
        if git(root, ["write-tree"], index=index).decode().strip() == (head or "").strip():
            return None
        git(root, ["commit", "--quiet", "-m", message], index=index)
    git(root, add, stdin=pathspec)  # the real index now agrees with the commit for these paths
    return git(root, ["rev-parse", "HEAD"]).decode().strip()
