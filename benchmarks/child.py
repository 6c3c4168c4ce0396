"""The environment the benchmarks time netkb in: as an installed program runs.

An installed Python program runs from compiled bytecode (pip compiles a package when it
installs it; Python writes ``__pycache__`` the first time it imports a module). Some
sandboxes set ``PYTHONDONTWRITEBYTECODE``: each timed netkb process would then compile
every netkb module it imports again, which no installed netkb does. ``as_installed``
lets the children keep bytecode under a folder of the benchmark's (the source tree stays
as it is) and compiles there, once, before anything is timed, netkb, the standard library
and every installed library: Python then looks for bytecode in that folder only, so
theirs would not be used, and the first timed run would compile MkDocs, Material, Jinja
and the rest (most of a second).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

COMPILE = """
import compileall, netkb, os, re, sysconfig
paths = sysconfig.get_paths()
folders = [os.path.dirname(netkb.__file__), *(paths[k] for k in ("stdlib", "purelib", "platlib"))]
tests = re.compile(r"[/\\\\](tests?|idlelib|lib2to3)[/\\\\]")  # never imported by a build
for folder in dict.fromkeys(folders):
    compileall.compile_dir(folder, quiet=2, workers=0, rx=tests)
"""


NOTE = "netkb timed from its compiled bytecode, as installed (benchmarks/child.py)"


def as_installed(bytecode: Path) -> None:
    """Make the child processes started from now on keep their bytecode in ``bytecode``
    (an empty folder), and compile into it the netkb they import (the one on
    ``PYTHONPATH``, else the installed one), the standard library and the installed
    libraries."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(bytecode)
    subprocess.run([sys.executable, "-W", "ignore", "-c", COMPILE], cwd=bytecode, check=True)
