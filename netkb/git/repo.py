"""The few git operations netkb needs: is this a repository, and commit what netkb wrote.

``--commit`` commits exactly the files a command wrote (created, changed or
deleted), whatever else is staged or modified in the working tree. Because it
commits whole files, it first refuses (``require_committed``) when a file it
would change already holds changes of the user's that are not committed: they
would go into netkb's commit under netkb's message.
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


class UncommittedChanges(GitError):
    """Files netkb would change hold the user's uncommitted changes; nothing was written."""


def _env() -> dict[str, str]:
    # File names are names, not patterns: contacts/[draft].md must not be a glob.
    # No optional locks: a status must not contend with the user's own git for the index.
    return {**os.environ, "GIT_LITERAL_PATHSPECS": "1", "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0"}


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


def head(root: Path) -> str | None:
    """The commit HEAD names, or None (no repository, no commit yet, no git)."""
    try:
        return git(root, ["rev-parse", "-q", "--verify", "HEAD"]).decode().strip() or None
    except GitError:
        return None


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


# git status --porcelain: X (staged) and Y (working tree) → what a user calls it.
_STATES = {"?": "untracked", "A": "added", "D": "deleted", "R": "renamed", "U": "conflicted"}


def uncommitted(root: Path, paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """Those of ``paths`` (files under ``root``) that differ from the last commit, with how:
    "modified", "staged", "untracked", "deleted"… In the order of ``paths``."""
    wanted = {os.path.normpath(os.path.abspath(p)): p for p in paths}
    if not wanted:
        return []
    top = git(root, ["rev-parse", "--show-toplevel"]).decode("utf-8").strip()
    real_root = os.path.realpath(root)
    # Status paths are relative to the top of the repository; ours may name the KB
    # through a symlink, so compare both as real folder + relative name.
    keys = {
        os.path.join(real_root, os.path.relpath(absolute, root)): absolute
        for absolute in wanted
        if not os.path.relpath(absolute, root).startswith("..")
    }
    status = git(
        root, ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--", "."]
    ).decode("utf-8", "surrogateescape")
    found: dict[str, str] = {}
    for entry in status.split("\0"):
        if len(entry) < 4:
            continue
        staged, changed, name = entry[0], entry[1], entry[3:]
        absolute = keys.get(os.path.normpath(os.path.join(top, name)))
        if absolute is None:
            continue
        if staged == "?":
            found[absolute] = "untracked"
        elif changed in _STATES:
            found[absolute] = _STATES[changed]
        elif changed != " ":
            found[absolute] = "modified" if staged == " " else "modified and staged"
        else:
            found[absolute] = _STATES.get(staged, "staged")
    return [(wanted[a], found[a]) for a in wanted if a in found]


def require_committed(root: Path, paths: Iterable[Path]) -> None:
    """Raise UncommittedChanges, naming each file and how, when any of ``paths`` holds
    changes that are not committed: netkb's ``--commit`` would sweep them into its own."""
    dirty = uncommitted(root, paths)
    if not dirty:
        return
    shown = ", ".join(f"{os.path.relpath(path, root)} ({state})" for path, state in dirty)
    raise UncommittedChanges(
        f"--commit would also commit your own uncommitted changes in {shown}; nothing was "
        "written. Commit or stash them first, or run without --commit"
    )
