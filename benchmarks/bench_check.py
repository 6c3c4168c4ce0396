#!/usr/bin/env python3
"""Time ``netkb check`` on synthetic knowledge bases (logs = 2 × people).

    python benchmarks/bench_check.py [--people 10000] [--repeat 3] [--seed 1] [--tmpdir /dev/shm]

At 4,000 people and at ``--people`` it generates a KB and prints a table of:

- floor: reading every contact and log file and parsing its front matter with
  PyYAML's CSafeLoader, in this process (best of --repeat) — what a cold check
  cannot beat;
- cold: ``python -m netkb --kb KB check --format json`` in a fresh process with no
  record cache (``.netkb/cache`` removed before each run), median of --repeat;
- warm: the same with the cache the last run left and nothing changed, median;
- broken: one contact file in ten given a duplicate key (so each reference to those
  people is an error with a "did you mean"), cold and warm, and the ratio of the
  broken cold check to the clean one;
- the peak RSS of the check processes.

The child runs from the KB's folder, so ``PYTHONPATH`` chooses which netkb is timed.
It prints figures and always exits 0; a missed target is marked MISSED.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

try:
    from benchmarks.child import NOTE, as_installed
    from benchmarks.generate import generate
except ModuleNotFoundError:  # run as a script: benchmarks/ itself is on sys.path
    from child import NOTE, as_installed  # type: ignore[no-redef]
    from generate import generate  # type: ignore[no-redef]

TARGET_PEOPLE = 10_000
BROKEN_PEOPLE = 4_000  # the size the issue measured (31 s broken against 1.6 s clean)
WARM_TARGET = 0.5  # seconds, at TARGET_PEOPLE
COLD_TARGET = 2.0  # × the floor
BROKEN_TARGET = 2.0  # × a clean check
SHOWN_LINES = 12
CACHE = Path(".netkb/cache")


@dataclass(frozen=True)
class CheckRun:
    """One ``netkb check`` child process: wall and CPU time, peak memory, what it said."""

    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str
    cpu_seconds: float = 0.0  # user + system: less swayed than wall time by other jobs


@dataclass(frozen=True)
class SizeResult:
    """Everything measured for one KB size; a list of runs is empty when check failed."""

    people: int
    files: int
    floor_seconds: float
    floor_cpu: float
    cold: tuple[CheckRun, ...] = ()
    warm: tuple[CheckRun, ...] = ()
    broken_cold: tuple[CheckRun, ...] = ()
    broken_warm: tuple[CheckRun, ...] = ()
    broken_problems: int = 0
    uses_cache: bool = True
    failure: str | None = None

    def runs(self) -> tuple[CheckRun, ...]:
        return self.cold + self.warm + self.broken_cold + self.broken_warm


def record_files(kb: Path, folders: tuple[str, ...] = ("contacts", "orgs", "log")) -> list[Path]:
    """The Markdown records of a KB, in a stable order."""
    return sorted(path for folder in folders for path in (kb / folder).rglob("*.md"))


def front_matter(text: str) -> str:
    """The YAML between the opening ``---`` line and the next ``---`` line ('' if none)."""
    if not text.startswith("---\n"):
        return ""
    yaml_text, closed, _ = text[4:].partition("\n---\n")
    return yaml_text if closed else ""


def time_floor(paths: list[Path], repeat: int) -> tuple[float, float]:
    """Best (wall, CPU) time to read ``paths`` and parse each front matter with
    CSafeLoader."""
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        for path in paths:
            yaml.load(front_matter(path.read_text(encoding="utf-8")), Loader=yaml.CSafeLoader)
        best = min(best, time.perf_counter() - started)
        best_cpu = min(best_cpu, time.process_time() - started_cpu)
    return best, best_cpu


def run_check(kb: Path) -> CheckRun:
    """Run ``netkb check`` once in a fresh interpreter and measure it with ``os.wait4``
    (from the KB's parent folder: the netkb on ``PYTHONPATH``, else the installed one)."""
    command = [sys.executable, "-m", "netkb", "--kb", str(kb), "check", "--format", "json"]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=kb.parent)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    # ru_maxrss is in KiB on Linux, in bytes on macOS.
    rss_bytes = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
    cpu = usage.ru_utime + usage.ru_stime
    return CheckRun(seconds, rss_bytes / 2**20, process.returncode, stdout, stderr, cpu)


def explain_failure(run: CheckRun) -> str:
    """Say why a check run failed, with the first lines of what it printed."""
    if "No module named netkb" in run.stderr:
        reason = "netkb is not importable (pip install -e . in the repository?)"
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


def timed(kb: Path, repeat: int, *, cold: bool, expect: int) -> tuple[CheckRun, ...] | str:
    """``repeat`` check runs (the cache removed before each when ``cold``); a failure's
    explanation when one exits with another status than ``expect``."""
    runs = []
    for _ in range(repeat):
        if cold:
            shutil.rmtree(kb / CACHE, ignore_errors=True)
        run = run_check(kb)
        if run.returncode != expect:
            return explain_failure(run)
        runs.append(run)
    return tuple(runs)


def break_one_in_ten(kb: Path) -> int:
    """Give every tenth contact file a duplicate key (its name twice); how many."""
    files = record_files(kb, ("contacts",))[::10]
    for path in files:
        text = path.read_text(encoding="utf-8")
        name = next(line for line in text.splitlines() if line.startswith("name:"))
        path.write_text(text.replace("---\n", f"---\n{name}\n", 1), encoding="utf-8")
    return len(files)


def measure(people: int, repeat: int, seed: int, tmpdir: str | None) -> SizeResult:
    """Generate a KB of ``people`` contacts and 2 × people logs; time the floor and check
    cold and warm, clean and with one contact file in ten broken."""
    with tempfile.TemporaryDirectory(prefix=f"netkb-bench-{people}-", dir=tmpdir) as temp:
        kb = Path(temp) / "kb"
        print(f"generating {people:,} people + {2 * people:,} logs in {kb} …", flush=True)
        generate(kb, people, 2 * people, seed)
        files = len(record_files(kb))
        floor, floor_cpu = time_floor(record_files(kb, ("contacts", "log")), repeat)
        print("  untimed check run (verifies the KB is clean) …", flush=True)
        first = run_check(kb)
        if first.returncode != 0:
            return SizeResult(people, files, floor, floor_cpu, failure=explain_failure(first))
        problems = parse_problems(first.stdout)
        if problems:
            print(f"  note: check passed with {len(problems)} warnings; expected none")
        uses_cache = (kb / CACHE).is_dir()
        print(f"  timing clean check × {repeat}, cold and warm …", flush=True)
        cold = timed(kb, repeat, cold=True, expect=0)
        warm = timed(kb, repeat, cold=False, expect=0)
        if isinstance(cold, str) or isinstance(warm, str):
            failure = cold if isinstance(cold, str) else str(warm)
            return SizeResult(people, files, floor, floor_cpu, failure=failure)
        broken = break_one_in_ten(kb)
        print(f"  broke {broken:,} contact files; timing check × {repeat} …", flush=True)
        broken_cold = timed(kb, repeat, cold=True, expect=1)
        broken_warm = timed(kb, repeat, cold=False, expect=1)
        if isinstance(broken_cold, str) or isinstance(broken_warm, str):
            failure = broken_cold if isinstance(broken_cold, str) else str(broken_warm)
            return SizeResult(people, files, floor, floor_cpu, cold, warm, failure=failure)
        found = parse_problems(broken_cold[0].stdout) or []
    return SizeResult(
        people,
        files,
        floor,
        floor_cpu,
        cold,
        warm,
        broken_cold,
        broken_warm,
        len(found),
        uses_cache,
    )


def median(runs: tuple[CheckRun, ...]) -> float:
    return statistics.median(run.seconds for run in runs)


def median_cpu(runs: tuple[CheckRun, ...]) -> float:
    return statistics.median(run.cpu_seconds for run in runs)


def format_table(results: list[SizeResult]) -> str:
    """The results as an aligned plain-text table: medians of the timed runs, wall time
    and (on a busy machine the steadier figure) CPU time."""
    header = (
        "people",
        "files",
        "floor",
        "(CPU)",
        "cold",
        "(CPU)",
        "cold/floor",
        "(CPU)",
        "warm",
        "(CPU)",
        "broken cold",
        "(CPU)",
        "broken/clean",
        "(CPU)",
        "broken warm",
        "problems",
        "RSS",
    )
    rows = [header]
    for r in results:
        if r.failure is not None or not r.broken_warm:
            shown = (f"{r.people:,}", f"{r.files:,}", f"{r.floor_seconds:.2f} s", "", "failed")
            rows.append(shown + ("-",) * (len(header) - len(shown)))
            continue
        rows.append(
            (
                f"{r.people:,}",
                f"{r.files:,}",
                f"{r.floor_seconds:.2f} s",
                f"{r.floor_cpu:.2f} s",
                f"{median(r.cold):.2f} s",
                f"{median_cpu(r.cold):.2f} s",
                f"{median(r.cold) / r.floor_seconds:.2f}×",
                f"{median_cpu(r.cold) / r.floor_cpu:.2f}×",
                f"{median(r.warm):.2f} s",
                f"{median_cpu(r.warm):.2f} s",
                f"{median(r.broken_cold):.2f} s",
                f"{median_cpu(r.broken_cold):.2f} s",
                f"{median(r.broken_cold) / median(r.cold):.2f}×",
                f"{median_cpu(r.broken_cold) / median_cpu(r.cold):.2f}×",
                f"{median(r.broken_warm):.2f} s",
                f"{r.broken_problems:,}",
                f"{max(run.peak_rss_mb for run in r.runs()):.0f} MB",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows
    )


def verdicts(results: list[SizeResult], people: int) -> list[str]:
    """One line per target, each followed by met / MISSED (decided on wall time, the
    CPU figure beside it)."""

    def mark(ok: bool) -> str:
        return "met" if ok else "MISSED"

    lines = []
    measured = [r for r in results if r.failure is None and r.broken_warm]
    for r in results:
        if r.failure is not None:
            lines.append(f"{r.people:,} people: check failed")
    top = next((r for r in measured if r.people == people), None)
    if top is not None:
        warm = median(top.warm)
        lines.append(
            f"target: warm check of {people:,} people ≤ {WARM_TARGET} s"
            f"{'' if people == TARGET_PEOPLE else ' (set for 10,000)'} — "
            f"{mark(warm <= WARM_TARGET)} ({warm:.2f} s; CPU {median_cpu(top.warm):.2f} s)"
        )
        if not top.uses_cache:
            lines.append("  note: check wrote no .netkb/cache: it does not use the record cache")
    for r in measured:
        cold = median(r.cold) / r.floor_seconds
        broken = median(r.broken_cold) / median(r.cold)
        cold_cpu = median_cpu(r.cold) / r.floor_cpu
        broken_cpu = median_cpu(r.broken_cold) / median_cpu(r.cold)
        lines.append(
            f"target at {r.people:,}: cold ≤ {COLD_TARGET}× the floor — "
            f"{mark(cold <= COLD_TARGET)} ({cold:.2f}×; CPU {cold_cpu:.2f}×); one file in "
            f"ten broken ≤ {BROKEN_TARGET}× clean — {mark(broken <= BROKEN_TARGET)} "
            f"({broken:.2f}×; CPU {broken_cpu:.2f}×)"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; always returns 0 (this prints figures, it is not a test)."""
    parser = argparse.ArgumentParser(description="Time `netkb check` on synthetic KBs.")
    parser.add_argument("--people", type=int, default=TARGET_PEOPLE, help="people (and 4,000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each kind")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--tmpdir", help="where to generate the KBs (default: system temp)")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.people < 10:
        parser.error("--repeat must be at least 1 and --people at least 10")
    sizes = sorted({min(BROKEN_PEOPLE, args.people), args.people})
    with tempfile.TemporaryDirectory(prefix="netkb-bench-bytecode-", dir=args.tmpdir) as folder:
        as_installed(Path(folder))
        results = [measure(people, args.repeat, args.seed, args.tmpdir) for people in sizes]
    print()
    for result in results:
        if result.failure:
            print(result.failure)
    print(format_table(results))
    print(
        f"floor = read + CSafeLoader front matter of contacts and logs, in-process, best of "
        f"{args.repeat}; check = fresh `python -m netkb check --format json`, median of "
        f"{args.repeat}; cold = no .netkb/cache; broken = 1 contact file in 10 with a "
        "duplicate key; (CPU) = user + system time; RSS = peak of the children"
    )
    print(NOTE)
    print("\n".join(verdicts(results, args.people)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
