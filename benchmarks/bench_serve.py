#!/usr/bin/env python3
"""Time ``netkb serve``: from saving a contact file to its changed page being served.

    python benchmarks/bench_serve.py [--people 10000] [--edits 5] [--idle 10] [--tmpdir DIR]

It generates a KB (benchmarks/generate.py; logs = 2 × people) into a fresh folder
under ``--tmpdir`` (default /dev/shm when it exists: the disk here is slow), starts
``python -m netkb serve`` on a free loopback port and waits until its first build is
done (until then it serves a progress page). Then,
``--edits`` times, it writes a new role into one person's file (a plain in-place
save, as most editors do) and polls that person's page over HTTP until the new role
is in it; the time from the write to that response is the latency. Between edits it
waits for the server to go quiet. Last, it reads the server's CPU time from
/proc/<pid>/stat over ``--idle`` seconds of idleness, as a share of one core.

Targets (the issue): latency ≤ 1 s, idle CPU ≤ 5 %; a missed one is marked MISSED.
It prints figures and always exits 0.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

try:
    from benchmarks.generate import generate
except ModuleNotFoundError:  # run as a script: benchmarks/ itself is on sys.path
    from generate import generate  # type: ignore[no-redef]

REPO_ROOT = Path(__file__).resolve().parent.parent
NETKB = (sys.executable, "-m", "netkb")
MAX_LATENCY = 1.0  # seconds from the write to the changed page being served
MAX_IDLE_CPU = 5.0  # percent of one core while nothing changes
STARTUP_TIMEOUT = 900.0  # the first full build of 10,000 people takes minutes here
EDIT_TIMEOUT = 120.0
PROGRESS_TITLE = "<title>Building the site…</title>"  # serve's page while it builds
QUIET = 1.0  # seconds without a new update line before the server counts as idle


class Server:
    """``netkb serve`` in a child process, its stderr in a file."""

    def __init__(self, kb: Path, log: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.log = log
        with log.open("wb") as stderr:
            self.process = subprocess.Popen(
                [*NETKB, "--kb", str(kb), "serve", "--addr", f"127.0.0.1:{self.port}"],
                cwd=kb,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env={**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO_ROOT)},
            )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def get(self, path: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=EDIT_TIMEOUT)
        try:
            connection.request("GET", "/" + path)
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def updates(self) -> list[str]:
        return re.findall(r"(?m)^Updated .*$", self.output())

    def busy(self) -> bool:
        """The last update line says more is coming ("…; the summary pages follow")."""
        updates = self.updates()
        return bool(updates) and updates[-1].endswith("follow")

    def wait_quiet(self, timeout: float = EDIT_TIMEOUT) -> bool:
        deadline = time.monotonic() + timeout
        seen, since = len(self.updates()), time.monotonic()
        while time.monotonic() - since < QUIET or self.busy():
            if time.monotonic() > deadline or not self.alive():
                return False
            time.sleep(0.05)
            if len(self.updates()) != seen:
                seen, since = len(self.updates()), time.monotonic()
        return True

    def cpu_seconds(self) -> float:
        stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    def stop(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def page_path(kb: Path, slug: str) -> str:
    config = yaml.safe_load((kb / "mkdocs.yml").read_text(encoding="utf-8")) or {}
    return f"people/{slug}/" if config.get("use_directory_urls", True) else f"people/{slug}.html"


def chosen_people(kb: Path, count: int) -> list[Path]:
    """``count`` public people spread over the KB, always the same ones."""
    public = [
        path
        for path in sorted((kb / "contacts").rglob("*.md"))
        if not re.search(r"(?m)^private: *true", path.read_text(encoding="utf-8"))
    ]
    step = max(1, len(public) // (count + 1))
    return [public[step * (n + 1) % len(public)] for n in range(count)]


def with_role(text: str, role: str) -> str:
    """The file with its ``role:`` line replaced, or one added after ``name:``."""
    if re.search(r"(?m)^role:.*$", text):
        return re.sub(r"(?m)^role:.*$", f"role: {role}", text, count=1)
    return re.sub(r"(?m)^(name:.*)$", lambda m: f"{m[1]}\nrole: {role}", text, count=1)


def measure_edit(server: Server, kb: Path, path: Path, number: int) -> float | None:
    """Seconds from writing a new role into ``path`` to its page showing it (None: never)."""
    role = f"Benchmark role {number} {time.time_ns()}"
    url = page_path(kb, path.stem)
    text = with_role(path.read_text(encoding="utf-8"), role)
    started = time.perf_counter()
    path.write_text(text, encoding="utf-8")
    while time.perf_counter() - started < EDIT_TIMEOUT and server.alive():
        status, body = server.get(url)
        if status == 200 and role in body:
            return time.perf_counter() - started
        time.sleep(0.02)
    return None


def built(server: Server, url: str) -> bool:
    """Whether the page at ``url`` is served as built (not the progress page)."""
    status, body = server.get(url)
    return status == 200 and PROGRESS_TITLE not in body


def verdict(label: str, value: float, limit: float, unit: str) -> str:
    mark = "" if value <= limit else "  MISSED"
    return f"target {label} ≤ {limit:g} {unit}: {value:.2f} {unit}{mark}"


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; always returns 0 (this prints figures, it is not a test)."""
    parser = argparse.ArgumentParser(description="Time `netkb serve` from a save to the page.")
    parser.add_argument("--people", type=int, default=10000, help="people in the KB")
    parser.add_argument("--edits", type=int, default=5, help="timed edits (default 5)")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idle CPU measured")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    default_tmp = "/dev/shm" if Path("/dev/shm").is_dir() else None
    parser.add_argument("--tmpdir", default=default_tmp, help="where to generate the KB")
    parser.add_argument("--keep", action="store_true", help="keep the KB and the server log")
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="netkb-bench-serve-", dir=args.tmpdir))
    kb = folder / "kb"
    server: Server | None = None
    try:
        started = time.perf_counter()
        generate(kb, people=args.people, seed=args.seed)
        print(f"generated {args.people:,} people in {time.perf_counter() - started:.1f} s: {kb}")

        started = time.perf_counter()
        server = Server(kb, folder / "serve.log")
        while "Serving on" not in server.output():
            if not server.alive() or time.perf_counter() - started > STARTUP_TIMEOUT:
                print(f"PROBLEM: the server did not start:\n{server.output()}")
                return 0
            time.sleep(0.2)
        print(
            f"serving (a progress page until the first build is done): "
            f"{time.perf_counter() - started:.1f} s"
        )
        # With no site built before, serve answers at once with a progress page: the
        # edits are timed once the first build is done (it reports its update).
        first = page_path(kb, chosen_people(kb, 1)[0].stem)
        while not server.updates() or not built(server, first):
            if not server.alive() or time.perf_counter() - started > STARTUP_TIMEOUT:
                print(f"PROBLEM: the first build did not finish:\n{server.output()}")
                return 0
            time.sleep(0.2)
        print(f"first build and start: {time.perf_counter() - started:.1f} s")
        server.wait_quiet()

        latencies = []
        for number, path in enumerate(chosen_people(kb, args.edits), 1):
            seconds = measure_edit(server, kb, path, number)
            if seconds is None:
                print(f"PROBLEM: {path.name}: the new role never showed:\n{server.output()}")
                return 0
            server.wait_quiet()
            latest = server.updates()[-1] if server.updates() else ""
            print(f"edit {number}: {path.relative_to(kb)}: {seconds:.2f} s  (server: {latest})")
            latencies.append(seconds)

        server.wait_quiet()
        cpu, started = server.cpu_seconds(), time.perf_counter()
        time.sleep(args.idle)
        idle = (server.cpu_seconds() - cpu) / (time.perf_counter() - started) * 100

        print()
        print(
            f"latency over {len(latencies)} edits at {args.people:,} people: "
            f"min {min(latencies):.2f} s, median {statistics.median(latencies):.2f} s, "
            f"max {max(latencies):.2f} s"
        )
        print(f"idle CPU over {args.idle:g} s: {idle:.1f} % of one core")
        print(verdict("latency (median)", statistics.median(latencies), MAX_LATENCY, "s"))
        print(verdict("idle CPU", idle, MAX_IDLE_CPU, "%"))
        if "Traceback" in server.output():
            print(f"PROBLEM: the server printed a traceback:\n{server.output()}")
        return 0
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
