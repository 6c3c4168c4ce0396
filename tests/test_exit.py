"""``netkb`` ends at once after a command (``cli.exit_at_once``): the same output and
exit code as a normal exit, atexit handlers run, and a normal exit where it is needed."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from click.testing import CliRunner

from netkb.cli import cli
from tests.conftest import copy_demo

# Run as ``netkb``: an atexit handler and an object freed at teardown leave a trace.
SCRIPT = """
import atexit, sys, threading
from pathlib import Path
from netkb.cli import exit_at_once, main

traces = Path(sys.argv[1])

class Freed:
    def __init__(self, path):  # held here: at teardown the module's names are gone
        self.path = path

    def __del__(self):
        self.path.write_text("freed")

kept = Freed(traces / "freed")
atexit.register(lambda: (traces / "atexit").write_text("ran"))
{extra}
sys.argv = ["netkb", *sys.argv[2:]]
main()
"""


def run_netkb(
    tmp_path: Path, *args: str, extra: str = ""
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    traces = tmp_path / "traces"
    traces.mkdir(exist_ok=True)
    for trace in traces.iterdir():
        trace.unlink()
    script = SCRIPT.format(extra=textwrap.dedent(extra))
    done = subprocess.run(
        [sys.executable, "-c", script, str(traces), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done, {trace.name for trace in traces.iterdir()}


def test_output_and_exit_code_are_those_of_click(tmp_path: Path) -> None:
    root = copy_demo(tmp_path / "demo")
    (root / "contacts" / "broken.md").write_text("---\nname: [unclosed\n---\n", encoding="utf-8")
    expected = CliRunner().invoke(cli, ["--kb", str(root), "check"])
    assert expected.exit_code == 1
    done, traces = run_netkb(tmp_path, "--kb", str(root), "check")
    assert done.returncode == expected.exit_code
    assert done.stdout + done.stderr == expected.output
    assert "broken.md:3:1: error NK110" in done.stdout
    # The atexit handler ran; the object was not freed one by one: the process just ended.
    assert traces == {"atexit"}


def test_a_long_output_is_complete(tmp_path: Path) -> None:
    root = copy_demo(tmp_path / "demo")
    expected = CliRunner().invoke(cli, ["--kb", str(root), "export", "csv"])
    assert expected.exit_code == 0 and len(expected.output) > 8192  # more than one buffer
    done, traces = run_netkb(tmp_path, "--kb", str(root), "export", "csv")
    assert (done.returncode, done.stdout) == (0, expected.output)
    assert traces == {"atexit"}


def test_another_thread_gets_the_normal_exit(tmp_path: Path) -> None:
    waiting = """
    stop = threading.Event()
    threading.Thread(target=stop.wait, daemon=True).start()
    """
    done, traces = run_netkb(tmp_path, "--version", extra=waiting)
    assert done.returncode == 0 and "netkb" in done.stdout
    assert traces == {"atexit", "freed"}  # teardown freed the object


def test_a_message_as_exit_code_gets_the_normal_exit(tmp_path: Path) -> None:
    message = """
    import netkb.cli
    def stop(*args, **kwargs):
        sys.exit("stopped with a message")
    netkb.cli.cli = stop
    """
    done, traces = run_netkb(tmp_path, "--version", extra=message)
    assert done.returncode == 1
    assert done.stderr.strip() == "stopped with a message"
    assert traces == {"atexit", "freed"}
