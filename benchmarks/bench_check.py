#!/usr/bin/env python3
"""Time ``netkb check`` on synthetic knowledge bases (logs = 2 × people).

    python benchmarks/bench_check.py [--sizes 1000,10000] [--repeat 3] [--seed 1]

For each size it generates a KB into a temporary directory and prints:

- floor: reading every contact and log file and parsing its front matter with
  PyYAML's CSafeLoader, in this process (best of --repeat) — what check cannot beat;
- check: wall time of ``python -m netkb --kb KB check --format json`` in a fresh
  process (cold interpreter, warm page cache), best and median of --repeat, after
  one untimed run that makes sure the generated KB is clean;
- the peak RSS of that child process.

It prints figures and always exits 0; a missed target is marked MISSED.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

try:
    from benchmarks.generate import generate, size_arguments
except ModuleNotFoundError:  # run as a script: benchmarks/ itself is on sys.path
    from generate import generate, size_arguments  # type: ignore[no-redef]

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGET_PEOPLE = 10_000
TARGET_SECONDS = 1.5
TARGET_LINE = "target: check of 10,000 people + 20,000 logs ≤ 1.5 s cold"
SHOWN_LINES = 12


@dataclass(frozen=True)
class CheckRun:
    """One ``netkb check`` child process: wall time, peak memory and what it said."""

    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class SizeResult:
    """Everything measured for one KB size; ``check`` is empty when check failed."""

    people: int
    logs: int
    files: int
    generate_seconds: float
    floor_seconds: float
    check: tuple[CheckRun, ...]
    failure: str | None = None


def record_files(kb: Path, folders: tuple[str, ...] = ("contacts", "orgs", "log")) -> list[Path]:
    """The Markdown records of a KB, in a stable order."""
    return sorted(path for folder in folders for path in (kb / folder).rglob("*.md"))


def all_files(kb: Path) -> set[str]:
    """Every file under ``kb``, relative to it: to notice check writing a cache."""
    return {str(path.relative_to(kb)) for path in kb.rglob("*") if path.is_file()}


def front_matter(text: str) -> str:
    """The YAML between the opening ``---`` line and the next ``---`` line ('' if none)."""
    if not text.startswith("---\n"):
        return ""
    yaml_text, closed, _ = text[4:].partition("\n---\n")
    return yaml_text if closed else ""


def time_floor(paths: list[Path], repeat: int) -> float:
    """Best time to read ``paths`` and parse each front matter with CSafeLoader."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for path in paths:
            yaml.load(front_matter(path.read_text(encoding="utf-8")), Loader=yaml.CSafeLoader)
        best = min(best, time.perf_counter() - started)
    return best


def run_check(kb: Path) -> CheckRun:
    """Run ``netkb check`` once in a fresh interpreter and measure it with ``os.wait4``."""
    command = [sys.executable, "-m", "netkb", "--kb", str(kb), "check", "--format", "json"]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=REPO_ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    # ru_maxrss is in KiB on Linux, in bytes on macOS.
    rss_bytes = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
    return CheckRun(seconds, rss_bytes / 2**20, process.returncode, stdout, stderr)


def explain_failure(run: CheckRun) -> str:
    """Say why a check run failed, with the first lines of what it printed."""
    if "No module named netkb" in run.stderr:
        reason = f"netkb is not importable from {REPO_ROOT} (pip install -e .?)"
    elif "Traceback (most recent call last)" in run.stderr:
        reason = "netkb check crashed"
    elif run.returncode == 1:
        reason = (
            "netkb check found errors in the generated KB: this is a bug in "
            "benchmarks/generate.py (or a disagreement with netkb about the format)"
        )
    elif run.returncode == 2:
        reason = "netkb rejected the command line (usage error)"
    else:
        reason = "netkb check failed"
    lines = [f"PROBLEM: exit {run.returncode}: {reason}"]
    problems = parse_problems(run.stdout)
    outputs = [("stderr", run.stderr.strip().splitlines())]
    if problems:
        outputs.append((f"{len(problems)} problems", [_problem_line(p) for p in problems]))
    else:
        outputs.append(("stdout", run.stdout.strip().splitlines()))
    for name, shown in outputs:
        if shown:
            lines.append(f"  first lines of {name}:")
            lines.extend(f"    {line[:200]}" for line in shown[:SHOWN_LINES])
    return "\n".join(lines)


def parse_problems(stdout: str) -> list[dict[str, object]] | None:
    """Check's ``--format json`` output: a list of {path, line, column, severity, code, message}."""
    try:
        report = json.loads(stdout)
    except ValueError:
        return None
    if isinstance(report, list) and all(isinstance(item, dict) for item in report):
        return report
    return None


def _problem_line(problem: dict[str, object]) -> str:
    """One JSON problem as ``path:line:col: severity CODE: message``."""
    where = f"{problem.get('path')}:{problem.get('line')}:{problem.get('column')}"
    return f"{where}: {problem.get('severity')} {problem.get('code')}: {problem.get('message')}"


def measure(people: int, repeat: int, seed: int, tmpdir: str | None) -> SizeResult:
    """Generate a KB of ``people`` contacts and 2 × people logs, then time parse and check."""
    logs = 2 * people
    with tempfile.TemporaryDirectory(prefix=f"netkb-bench-{people}-", dir=tmpdir) as temp:
        kb = Path(temp) / "kb"
        print(f"generating {people:,} people + {logs:,} logs in {kb} …", flush=True)
        started = time.perf_counter()
        generate(kb, people, logs, seed)
        generate_seconds = time.perf_counter() - started
        files = len(record_files(kb))
        floor_seconds = time_floor(record_files(kb, ("contacts", "log")), repeat)

        print("  untimed check run (verifies the KB is clean) …", flush=True)
        before = all_files(kb)
        first = run_check(kb)
        written = sorted(all_files(kb) - before)
        if written:
            print(f"  note: check wrote {len(written)} files into the KB (e.g. {written[0]});")
            print("        the timed runs below may reuse them, so they are not fully cold")
        if first.returncode != 0:
            failure = explain_failure(first)
            print(failure, flush=True)
            return SizeResult(people, logs, files, generate_seconds, floor_seconds, (), failure)
        problems = parse_problems(first.stdout)
        if problems:
            print(f"  note: check passed with {len(problems)} warnings; expected none:")
            print("\n".join(f"    {_problem_line(p)[:200]}" for p in problems[:SHOWN_LINES]))
        print(f"  timing check × {repeat} …", flush=True)
        runs = tuple(run_check(kb) for _ in range(repeat))
    failed = next((run for run in runs if run.returncode != 0), None)
    failure = explain_failure(failed) if failed else None
    return SizeResult(people, logs, files, generate_seconds, floor_seconds, runs, failure)


def format_table(results: list[SizeResult]) -> str:
    """The results as an aligned plain-text table."""
    header = ("people", "logs", "files", "generate", "floor", "check best", "check median", "RSS")
    rows = [header]
    for result in results:
        if result.check and result.failure is None:
            times = [run.seconds for run in result.check]
            best = f"{min(times):.2f} s"
            median = f"{statistics.median(times):.2f} s"
            rss = f"{max(run.peak_rss_mb for run in result.check):.0f} MB"
        else:
            best, median, rss = "failed", "-", "-"
        rows.append(
            (
                f"{result.people:,}",
                f"{result.logs:,}",
                f"{result.files:,}",
                f"{result.generate_seconds:.2f} s",
                f"{result.floor_seconds:.2f} s",
                best,
                median,
                rss,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows
    )


def target_verdict(results: list[SizeResult]) -> str:
    """The target line, followed by met / MISSED for the 10,000-people median."""
    result = next((r for r in results if r.people == TARGET_PEOPLE), None)
    if result is None:
        return f"{TARGET_LINE} — not measured (add {TARGET_PEOPLE} to --sizes)"
    if not result.check or result.failure is not None:
        return f"{TARGET_LINE} — MISSED (check failed)"
    median = statistics.median(run.seconds for run in result.check)
    verdict = "met" if median <= TARGET_SECONDS else "MISSED"
    return f"{TARGET_LINE} — {verdict} (median {median:.2f} s)"


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; always returns 0 (this prints figures, it is not a test)."""
    parser = argparse.ArgumentParser(description="Time `netkb check` on synthetic KBs.")
    size_arguments(parser, repeat=3)
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    results = [measure(people, args.repeat, args.seed, args.tmpdir) for people in args.sizes]
    print()
    print(format_table(results))
    print(
        f"floor = read + CSafeLoader front matter of contacts and logs, in-process, "
        f"best of {args.repeat}; check = fresh `python -m netkb` process; RSS = peak of the child"
    )
    print(target_verdict(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
