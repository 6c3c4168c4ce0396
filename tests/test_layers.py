"""The package layout is the pipeline, and the import rules that keep it so are checked here.

    core ← load ← git ← link ← network ← edit ← interchange ← render ← build ← serve ← lsp
    ← commands

A module may import from its own package and from packages to its left, never to its
right; no module imports another in a cycle, however indirectly (imports inside
functions count: a lazy import is still a dependency). At most ten modules sit at the
top of ``netkb/``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parent.parent / "netkb"
LAYERS = [
    "core",
    "load",
    "git",
    "link",
    "network",
    "edit",
    "interchange",
    "render",
    "build",
    "serve",
    "lsp",
    "commands",
]
TOP = {"netkb", "netkb.__init__", "netkb.__main__", "netkb.cli"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The netkb modules ``path`` imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith("netkb"):
                continue
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in modules else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("netkb")}
    return {m for m in found if m in modules}


def graph() -> nx.DiGraph:
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(paths)
    g = nx.DiGraph()
    g.add_nodes_from(modules)
    for name, path in paths.items():
        for target in imports_of(path, modules):
            if target != name and target != "netkb":
                g.add_edge(name, target)
    return g


def layer(module: str) -> int | None:
    parts = module.split(".")
    if module in TOP or len(parts) < 2:
        return None
    return LAYERS.index(parts[1]) if parts[1] in LAYERS else -1


def test_every_package_has_a_layer():
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert packages == set(LAYERS)


def test_at_most_ten_modules_at_the_top():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 10, top


def test_no_layer_imports_a_higher_one():
    wrong = sorted(
        f"{a} imports {b}"
        for a, b in graph().edges
        if layer(a) is not None and layer(b) is not None and layer(b) > layer(a)
    )
    assert wrong == []


def test_the_top_modules_are_entry_points_only():
    # Only the CLI and `python -m netkb` sit above the commands.
    imported = {b for a, b in graph().edges if b in TOP}
    assert imported <= {"netkb.cli"}


def test_no_import_cycles():
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph()) if len(c) > 1]
    assert cycles == []


def test_the_check_itself_finds_violations(tmp_path):
    # The rules above read imports from source: one planted in a function body counts.
    source = tmp_path / "x.py"
    source.write_text("def f():\n    from netkb.serve.live import LiveSite\n")
    assert imports_of(source, {"netkb.serve.live"}) == {"netkb.serve.live"}
    assert layer("netkb.core.records") < layer("netkb.serve.live")
