"""The environment the benchmarks time netkb in: as an installed program runs.

An installed Python program runs from compiled bytecode (pip compiles a package when it
installs it; Python writes ``__pycache__`` the first time it imports a module). Some
sandboxes set ``PYTHONDONTWRITEBYTECODE``: each timed netkb process would then compile
every netkb module it imports again, which no installed netkb does, while MkDocs and the
other installed libraries run from the bytecode their install left. ``as_installed``
lets the children keep bytecode under a folder of the benchmark's (the source tree stays
as it is) and compiles netkb there once, before anything is timed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

COMPILE = (
    "import compileall, netkb, os; compileall.compile_dir(os.path.dirname(netkb.__file__), quiet=1)"
)


NOTE = "netkb timed from its compiled bytecode, as installed (benchmarks/child.py)"


def as_installed(bytecode: Path) -> None:
    """Make the child processes started from now on keep their bytecode in ``bytecode``
    (an empty folder), and compile into it the netkb they import (the one on
    ``PYTHONPATH``, else the installed one)."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(bytecode)
    subprocess.run([sys.executable, "-c", COMPILE], cwd=bytecode, check=True)
