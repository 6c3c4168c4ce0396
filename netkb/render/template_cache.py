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
- each kind of environment, each set of its settings, each version of netkb's code,
  Jinja, MkDocs, Material and Python has a folder of its own: nothing compiled for one
  is loaded by another;
- the folder must be the user's own, a real folder, readable and writable by nobody
  else (Jinja's own rules for its default folder), in folders nobody else can change;
  otherwise nothing is kept.
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
    """Where compiled templates are kept (one folder below per kind and versions):
    ``$XDG_CACHE_HOME`` when it is an absolute path (the XDG rule), else ``~/.cache``."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(Path.home(), ".cache")
    return Path(base) / "netkb" / "templates"


def _settings(env: jinja2.Environment) -> list[str]:
    """What of ``env`` shapes the code Jinja compiles (a plugin's ``on_env`` may change
    it): code compiled with other settings is never loaded."""
    names = ("block_start_string", "block_end_string", "variable_start_string")
    names += ("variable_end_string", "comment_start_string", "comment_end_string")
    names += ("line_statement_prefix", "line_comment_prefix", "trim_blocks", "lstrip_blocks")
    names += ("newline_sequence", "keep_trailing_newline", "optimized", "is_async")
    shown = [type(env).__qualname__, *(repr(getattr(env, name, None)) for name in names)]
    for value in (env.autoescape, env.finalize, env.undefined):
        shown.append(getattr(value, "__qualname__", repr(value)))
    shown += sorted(env.extensions)
    return shown


def _private(path: Path, exact: bool) -> bool:
    """Whether ``path`` is a real folder of this user that nobody else may change (with
    ``exact``, nor read: Jinja's rule for its own folder)."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    mode = stat.S_IMODE(info.st_mode)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        return False
    return mode == stat.S_IRWXU if exact else not mode & 0o022


def _safe_base(path: Path) -> bool:
    """Whether nobody else can swap the folders below ``path`` (the user's cache folder,
    which may be a link): the user's or root's, and writable by nobody else unless
    sticky (as /tmp is, where only an entry's owner may rename it)."""
    try:
        info = os.stat(path)
    except OSError:
        return False
    owned = info.st_uid in (os.getuid(), 0)
    return owned and (not info.st_mode & 0o022 or bool(info.st_mode & stat.S_ISVTX))


def bytecode_cache(kind: str, env: jinja2.Environment) -> jinja2.BytecodeCache | None:
    """A cache of compiled templates for ``env`` ("pages": netkb's page templates;
    "theme": MkDocs' theme), or None where none can be kept safely."""
    if not hasattr(os, "getuid") or type(env) is not jinja2.Environment:
        return None  # no owner to check a folder against; or a sandbox's compiler
    from netkb.load.cache import code_signature  # the same digest of netkb's modules

    versions = [kind, code_signature(), sys.version, jinja2.__version__, *_settings(env)]
    for package in ("mkdocs", "mkdocs-material"):
        try:
            versions.append(version(package))
        except PackageNotFoundError:
            versions.append(None)
    templates = folder()
    leaf = templates / hashlib.sha256(repr(versions).encode()).hexdigest()[:16]
    try:
        os.makedirs(templates.parent.parent, exist_ok=True)
        for made in (templates.parent, templates, leaf):
            made.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        return None
    if not _safe_base(templates.parent.parent):
        return None
    if not (_private(templates.parent, False) and _private(templates, False)):
        return None
    if not _private(leaf, True):
        return None
    return jinja2.FileSystemBytecodeCache(str(leaf))
