"""Jinja's compiled templates, kept between runs as Python keeps its bytecode.

Jinja turns every template into Python code the first time a process renders it:
Material's page templates take a tenth of a second, and a build compiles them in each
process that builds pages. Compiled once, they are kept in the user's cache folder
(``$XDG_CACHE_HOME/netkb/templates``, else ``~/.cache/netkb/templates``) and loaded from
there, each checked against its template's text by Jinja.

What is kept there is code that runs, so:

- only templates that are trusted code already are kept: netkb's own page templates and
  an installed theme's. An environment that renders the KB's own templates (a sandbox)
  gets no cache: its code must be made by the sandbox's compiler, every time;
- each kind of environment, each version of netkb's code, Jinja, MkDocs, Material and
  Python has a folder of its own: nothing compiled for one is loaded by another;
- the folder must be the user's own, a real folder, readable and writable by nobody
  else (Jinja's own rules for its default folder); otherwise nothing is kept.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import jinja2


def folder() -> Path:
    """Where compiled templates are kept (one folder below per kind and versions)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "netkb" / "templates"


def bytecode_cache(kind: str) -> jinja2.BytecodeCache | None:
    """A cache of compiled templates for environments of ``kind`` ("pages": netkb's page
    templates; "theme": MkDocs' theme), or None where none can be kept safely."""
    if not hasattr(os, "getuid"):
        return None  # no owner to check the folder against
    from netkb.load.cache import code_signature  # the same digest of netkb's modules

    versions = [kind, code_signature(), sys.version, jinja2.__version__]
    for package in ("mkdocs", "mkdocs-material"):
        try:
            versions.append(version(package))
        except PackageNotFoundError:
            versions.append(None)
    leaf = folder() / hashlib.sha256(repr(versions).encode()).hexdigest()[:16]
    try:
        leaf.parent.mkdir(parents=True, exist_ok=True)
        leaf.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(leaf)
    except OSError:
        return None
    private = stat.S_ISDIR(info.st_mode) and stat.S_IMODE(info.st_mode) == stat.S_IRWXU
    if info.st_uid != os.getuid() or not private:
        return None
    return jinja2.FileSystemBytecodeCache(str(leaf))
