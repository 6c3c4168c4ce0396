"""Shared fixtures: a small knowledge base made from {relative path: text}, and its problems."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner

from netkb.build.site import BuildResult
from netkb.build.site import build as build_site
from netkb.cli import cli
from netkb.load.loader import load

MINIMAL_CONFIG = """\
site_name: Test network
extra:
  netkb:
    owner: Test Owner
"""

Files = Mapping[str, str | bytes]


def write_kb(root: Path, files: Files, config: str | bytes = MINIMAL_CONFIG) -> Path:
    """Write a knowledge base: mkdocs.yml, contacts/, and ``files`` by relative path."""
    (root / "contacts").mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_bytes(config.encode() if isinstance(config, str) else config)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return root


@pytest.fixture(autouse=True)
def user_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's cache folder (compiled templates) of the test session, not the real one."""
    folder = tmp_path_factory.getbasetemp() / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


@pytest.fixture
def make_kb(tmp_path: Path) -> Callable[..., Path]:
    """``make_kb({"contacts/jane.md": "---\\nname: Jane\\n---\\n"})`` → the KB's root."""

    def make(files: Files = {}, config: str | bytes = MINIMAL_CONFIG) -> Path:  # noqa: B006
        return write_kb(tmp_path / "kb", files, config)

    return make


@pytest.fixture
def problems_of(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], list[str]]:
    """Every problem of the KB as ``path:line:col: severity CODE: message``, paths relative.

    It also runs ``netkb check`` on the same KB and insists that the command did not
    crash, printed exactly these problems, and exited 1 on errors, 0 otherwise, so
    every bad-input test doubles as a "no traceback, ever" test of the CLI.
    """

    def problems(root: Path) -> list[str]:
        network = load(root)
        lines = [p.format(relative_to=root) for p in network.problems]
        monkeypatch.chdir(root)
        result = CliRunner().invoke(cli, ["--kb", str(root), "check"])
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception
        )
        assert "Traceback" not in result.output
        assert result.output.splitlines()[:-1] == lines
        assert result.exit_code == (1 if network.errors else 0)
        return lines

    return problems


# --- the demo KB and the golden files -----------------------------------------------------

REPO = Path(__file__).resolve().parent.parent
DEMO_SOURCES = ("mkdocs.yml", "contacts", "log", "orgs", "templates", "photos")
OUTPUT = Path(__file__).resolve().parent / "output"  # screenshots and the like; gitignored


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/ from the pages netkb renders now instead of comparing",
    )


def copy_demo(target: Path) -> Path:
    """The demo KB's sources (not its generated folders) copied to ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for name in DEMO_SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.is_file():
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="session")
def built_demo(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The demo KB copied to a temporary folder and built once per session (site in .site_dir)."""
    root = copy_demo(tmp_path_factory.mktemp("demo") / "kb")
    result = build_site(root)
    assert result.ok, [p.format() for p in result.network.errors] + [
        f.format(root) for f in result.findings
    ]
    return result


@pytest.fixture
def output_dir(request: pytest.FixtureRequest) -> Path:
    """tests/output/<test name>/, emptied: for files a person looks at after the run."""
    folder = OUTPUT / request.node.name.replace("/", "_")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder
