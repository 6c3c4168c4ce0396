"""``netkb open`` serves the last build on 127.0.0.1; ``netkb serve`` finds a free port."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_kb

from netkb.build.builder import BuildError
from netkb.cli import cli
from netkb.serve import server as server_module
from netkb.serve.server import ServeError, StaticServer, next_free_port

INDEX = "<!doctype html><title>Home</title><p>Pablo Valle's network</p>\n"


@pytest.fixture
def built_kb(tmp_path: Path) -> Path:
    """A KB whose site/ holds a last build (one page is enough to serve)."""
    root = write_kb(tmp_path / "kb", {"contacts/ana-lee.md": "---\nname: Ana Lee\n---\n"})
    (root / "site").mkdir()
    (root / "site" / "index.html").write_text(INDEX, encoding="utf-8")
    return root


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port on 127.0.0.1 that another program is listening on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_open_without_a_build_says_to_build_first(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb", {"contacts/ana-lee.md": "---\nname: Ana Lee\n---\n"})
    result = CliRunner().invoke(cli, ["--kb", str(root), "open", "--no-browser"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: no built site in site/: run 'netkb build' first "
        "(or 'netkb serve' to build and follow your edits)\n"
    )


def test_open_serves_the_last_build_and_opens_the_browser(
    built_kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    fetched: list[str] = []

    def look_then_stop(self: StaticServer) -> None:
        # What the browser would see, then Ctrl+C (the server is served from this thread).
        import threading

        thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        thread.start()
        with urllib.request.urlopen(self.url, timeout=5) as response:
            fetched.append(response.read().decode())
        self.httpd.shutdown()
        self.httpd.server_close()

    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    monkeypatch.setattr(StaticServer, "run", look_then_stop)
    result = CliRunner().invoke(cli, ["--kb", str(built_kb), "open"])
    assert result.exit_code == 0, result.output
    assert len(opened) == 1 and opened[0].startswith("http://127.0.0.1:")
    assert fetched == [INDEX]
    assert f"Serving site/ on {opened[0]} — press Ctrl+C to stop" in result.output
    assert result.output.count(opened[0]) == 1  # opened: not printed a second time


def test_open_prints_the_address_when_no_browser_can_be_found(
    built_kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("webbrowser.open", lambda url: False)  # what it says over ssh
    monkeypatch.setattr(StaticServer, "run", lambda self: self.httpd.server_close())
    result = CliRunner().invoke(cli, ["--kb", str(built_kb), "open"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Serving site/ on http://127.0.0.1:")
    assert lines[1].startswith("http://127.0.0.1:") and lines[1] in lines[0]


def test_netkb_open_runs_until_stopped_and_listens_only_on_loopback(built_kb: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "netkb", "--kb", str(built_kb), "open", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "index.html", timeout=5) as response:
            assert response.read().decode() == INDEX
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert err.endswith("Stopping.\n")


def test_the_next_free_port_is_found(taken_port: int) -> None:
    assert server_module.port_is_free("127.0.0.1", taken_port) is False
    found = next_free_port("127.0.0.1", taken_port)
    assert found > taken_port
    with pytest.raises(ServeError) as raised:
        next_free_port("127.0.0.1", taken_port, tries=1)
    assert str(raised.value) == (
        f"port {taken_port} on 127.0.0.1 is taken; choose another with --addr HOST:PORT"
    )


def test_serve_on_a_taken_default_port_says_so_before_building(
    built_kb: Path, monkeypatch: pytest.MonkeyPatch, taken_port: int
) -> None:
    import netkb.commands.serve as serve_command

    # The default address, as if it were the taken port: the build must not even start.
    addr = next(p for p in serve_command.serve.params if p.name == "addr")
    monkeypatch.setattr(addr, "default", f"127.0.0.1:{taken_port}")

    class FailingSite:
        def __init__(self, root: Path, **options: object) -> None:
            pass

        def site_dir(self) -> Path:
            raise BuildError("stop here")

    monkeypatch.setattr(serve_command, "LiveSite", FailingSite)
    result = CliRunner().invoke(cli, ["--kb", str(built_kb), "serve"])
    lines = result.output.splitlines()
    assert lines[0].startswith(f"Port {taken_port} is taken; serving on ")
    assert int(lines[0].rsplit(" ", 1)[1]) > taken_port
    assert lines[1] == "Error: stop here"


def test_serve_on_a_taken_port_given_with_addr_fails_at_once(
    built_kb: Path, taken_port: int
) -> None:
    result = CliRunner().invoke(
        cli, ["--kb", str(built_kb), "serve", "--addr", f"127.0.0.1:{taken_port}"]
    )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: port {taken_port} on 127.0.0.1 is taken; choose another with --addr HOST:PORT\n"
    )
