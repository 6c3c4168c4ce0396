"""The seams the issue "One model of the network" asks for, checked on netkb's source.

Read with ``ast`` rather than grep, so a name in a string or a comment does not count
and an import spread over lines does. Each test names the file and line at fault.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "netkb"

# Calls that put bytes on disk or move files into place: netkb.core.write's job alone.
WRITING_CALLS = {
    ("os", "replace"),
    ("os", "rename"),
    ("tempfile", "mkstemp"),
    ("tempfile", "NamedTemporaryFile"),
    ("shutil", "rmtree"),
    ("shutil", "copyfile"),
    ("shutil", "move"),
}
WRITING_METHODS = {"write_text", "write_bytes", "touch"}


def modules() -> Iterator[tuple[str, ast.Module]]:
    """Every module of the package: its path relative to netkb/ and its syntax tree."""
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        yield relative, ast.parse(path.read_text(encoding="utf-8"), filename=relative)


def private_imports(tree: ast.Module) -> list[tuple[int, str]]:
    """``from netkb.x import _name``: (line, name) for each private name imported."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("netkb"):
            for alias in node.names:
                name = alias.name
                if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
                    found.append((node.lineno, f"{node.module}.{name}"))
    return found


def mkdocs_imports(tree: ast.Module) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        if any(name == "mkdocs" or name.startswith("mkdocs.") for name in names):
            lines.append(node.lineno)
    return lines


def writing_calls(tree: ast.Module) -> list[tuple[int, str]]:
    """Calls that write, replace or delete files wholesale, and ``open`` for writing."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        if isinstance(function, ast.Attribute):
            owner = function.value.id if isinstance(function.value, ast.Name) else None
            if (owner, function.attr) in WRITING_CALLS or function.attr in WRITING_METHODS:
                found.append((node.lineno, ast.unparse(function)))
        elif isinstance(function, ast.Name) and function.id == "open":
            mode = node.args[1] if len(node.args) > 1 else None
            mode = mode or next((k.value for k in node.keywords if k.arg == "mode"), None)
            if isinstance(mode, ast.Constant) and set(str(mode.value)) & set("wax+"):
                found.append((node.lineno, f"open(…, {mode.value!r})"))
    return found


def test_the_checks_find_what_they_look_for():
    """The three checks below, on code that breaks each rule."""
    tree = ast.parse(
        "from netkb.load.loader import _read, load, __version__\n"
        "from mkdocs.livereload import LiveReloadServer\n"
        "import mkdocs.config\n"
        "os.replace(temp, path)\n"
        "path.write_text('x')\n"
        "open(path, 'wb')\n"
        "open(path, mode='a')\n"
        "open(path)\n"
    )
    assert private_imports(tree) == [(1, "netkb.load.loader._read")]
    assert mkdocs_imports(tree) == [2, 3]
    assert writing_calls(tree) == [
        (4, "os.replace"),
        (5, "path.write_text"),
        (6, "open(…, 'wb')"),
        (7, "open(…, 'a')"),
    ]


def test_no_module_imports_a_private_name_of_another():
    found = [
        f"netkb/{name}:{line}: {imported}"
        for name, tree in modules()
        for line, imported in private_imports(tree)
    ]
    assert found == []


def test_only_the_builder_module_imports_mkdocs():
    found = [
        f"netkb/{name}:{line}"
        for name, tree in modules()
        if Path(name).name != "builder.py"
        for line in mkdocs_imports(tree)
    ]
    assert found == []


def test_files_are_written_only_through_the_write_module():
    """Every write goes through netkb.core.write (atomic, inside the KB); MkDocs writes the
    site's HTML itself, which is not netkb's code."""
    found = [
        f"netkb/{module}:{line}: {call}"
        for module, tree in modules()
        if Path(module).name != "write.py"
        for line, call in writing_calls(tree)
    ]
    assert found == []
