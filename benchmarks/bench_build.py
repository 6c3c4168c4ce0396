#!/usr/bin/env python3
"""Time ``netkb build`` on synthetic knowledge bases (logs = 2 × people) against bare MkDocs.

    python benchmarks/bench_build.py [--sizes 1000,10000] [--repeat 1] [--seed 1]

For each size it generates a KB into a temporary directory (benchmarks/generate.py)
and runs, each in a fresh interpreter and from an empty generated folder and site:

- a build through ``netkb.build.site.build`` that reports its own timings: netkb's part
  before the builder starts (load + render + write), the builder (MkDocs), the audit;
- ``python -m netkb --kb KB build -q``, the command a user runs;
- ``python -m mkdocs build -q -f …`` on the folder netkb generated, with the settings
  netkb passes to MkDocs (netkb/build/builder.py config_overrides) written into the config,
  so both build the same site.

It prints figures, marks a missed target MISSED, and always exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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

from netkb.build.builder import config_overrides, raw_config

REPO_ROOT = Path(__file__).resolve().parent.parent
BARE_CONFIG = "bench-mkdocs.yml"
MAX_RATIO = 1.2  # netkb build / bare mkdocs build, at the largest size
MAX_GROWTH = 11.0  # time at 10× the people / time at 1×
MAX_RSS_MB = 1024.0
SHOWN_LINES = 12

# A cold build in a child process that prints its timings as JSON on the last line.
TIMED_BUILD = """\
import json, sys
from pathlib import Path
from netkb.build.site import build
result = build(Path(sys.argv[1]))
print(json.dumps({"ok": result.ok, "pages": result.pages, "timings": result.timings}))
"""


@dataclass(frozen=True)
class Run:
    """One child process: wall time, peak RSS, exit status and output."""

    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str

    def failed(self, what: str) -> str | None:
        if self.returncode == 0:
            return None
        lines = (self.stderr or self.stdout).strip().splitlines()[-SHOWN_LINES:]
        return "\n".join([f"{what} exited {self.returncode}:", *(f"    {x}" for x in lines)])


@dataclass(frozen=True)
class SizeResult:
    people: int
    pages: int
    timings: dict[str, float]  # from netkb.build.site.build: load, render, write, builder, audit
    netkb: Run
    mkdocs: Run

    @property
    def netkb_own(self) -> float:
        return sum(self.timings.get(k, 0.0) for k in ("load", "render", "write"))

    @property
    def ratio(self) -> float:
        return self.netkb.seconds / self.mkdocs.seconds


def run(command: list[str], cwd: Path) -> Run:
    """Run ``command`` in a fresh process; measure wall time and its peak RSS (os.wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=cwd)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    # ru_maxrss is in KiB on Linux, in bytes on macOS.
    rss = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
    return Run(seconds, rss / 2**20, os.waitstatus_to_exitcode(status), stdout, stderr)


def clean(kb: Path) -> None:
    """Remove what a build made, so the next build starts cold."""
    shutil.rmtree(kb / ".netkb", ignore_errors=True)
    shutil.rmtree(kb / "site", ignore_errors=True)


def write_bare_config(kb: Path) -> Path:
    """mkdocs.yml with netkb's overrides applied, for a bare MkDocs build of the same site."""
    config = {**raw_config(kb / "mkdocs.yml"), **config_overrides(kb / "mkdocs.yml")}
    config = json.loads(json.dumps(config, default=str))  # Markup (site_name) as plain text
    path = kb / BARE_CONFIG
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def best(runs: list[Run]) -> Run:
    return min(runs, key=lambda r: r.seconds)


def measure(people: int, repeat: int, seed: int, tmpdir: str | None) -> SizeResult | str:
    """Every figure for one size, or a message saying what failed."""
    with tempfile.TemporaryDirectory(prefix=f"netkb-bench-build-{people}-", dir=tmpdir) as temp:
        kb = Path(temp) / "kb"
        print(f"generating {people:,} people + {2 * people:,} logs …", flush=True)
        generate(kb, people, seed=seed)

        print("  netkb.build.site.build with timings …", flush=True)
        timed = run([sys.executable, "-c", TIMED_BUILD, str(kb)], REPO_ROOT)
        if message := timed.failed("the timed build"):
            return message
        report = json.loads(timed.stdout.strip().splitlines()[-1])
        if not report["ok"]:
            return f"the timed build was not ok: {timed.stdout[-2000:]}"

        netkb_runs = []
        for number in range(repeat):
            print(f"  netkb build, cold ({number + 1}/{repeat}) …", flush=True)
            clean(kb)
            netkb_runs.append(
                run([sys.executable, "-m", "netkb", "--kb", str(kb), "build", "-q"], kb)
            )
            if message := netkb_runs[-1].failed("netkb build"):
                return message

        config = write_bare_config(kb)
        mkdocs_runs = []
        for number in range(repeat):
            print(f"  bare mkdocs build ({number + 1}/{repeat}) …", flush=True)
            mkdocs_runs.append(
                run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", config.name], kb)
            )
            if message := mkdocs_runs[-1].failed("mkdocs build"):
                return message
    return SizeResult(
        people, report["pages"], report["timings"], best(netkb_runs), best(mkdocs_runs)
    )


def format_table(results: list[SizeResult]) -> str:
    header = (
        "people",
        "pages",
        "load",
        "render",
        "write",
        "netkb own",
        "builder",
        "audit",
        "netkb build",
        "mkdocs",
        "ratio",
        "RSS netkb",
        "RSS mkdocs",
    )
    rows = [header]
    for r in results:
        t = r.timings
        rows.append(
            (
                f"{r.people:,}",
                f"{r.pages:,}",
                f"{t.get('load', 0):.2f} s",
                f"{t.get('render', 0):.2f} s",
                f"{t.get('write', 0):.2f} s",
                f"{r.netkb_own:.2f} s",
                f"{t.get('builder', 0):.2f} s",
                f"{t.get('audit', 0):.2f} s",
                f"{r.netkb.seconds:.2f} s",
                f"{r.mkdocs.seconds:.2f} s",
                f"{r.ratio:.2f}",
                f"{r.netkb.peak_rss_mb:.0f} MB",
                f"{r.mkdocs.peak_rss_mb:.0f} MB",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows
    )


def verdicts(results: list[SizeResult]) -> list[str]:
    """One line per target: the figure, and MISSED when it is missed."""
    lines = []
    largest = max(results, key=lambda r: r.people)
    lines.append(
        f"ratio netkb build / mkdocs at {largest.people:,} people: {largest.ratio:.2f} "
        f"(target ≤ {MAX_RATIO}){'' if largest.ratio <= MAX_RATIO else '  MISSED'}"
    )
    by_size = {r.people: r for r in results}
    for people, small in sorted(by_size.items()):
        big = by_size.get(people * 10)
        if big:
            growth = big.netkb.seconds / small.netkb.seconds
            lines.append(
                f"netkb build at {big.people:,} / at {people:,} people: {growth:.1f}× "
                f"(target ≤ {MAX_GROWTH:g}×){'' if growth <= MAX_GROWTH else '  MISSED'}"
            )
    for r in results:
        rss = r.netkb.peak_rss_mb
        lines.append(
            f"peak memory of netkb build at {r.people:,} people: {rss:.0f} MB "
            f"(target ≤ {MAX_RSS_MB:.0f} MB){'' if rss <= MAX_RSS_MB else '  MISSED'}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; always returns 0 (this prints figures, it is not a test)."""
    parser = argparse.ArgumentParser(description="Time `netkb build` against bare MkDocs.")
    size_arguments(parser, repeat=1)
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    results = []
    for people in args.sizes:
        result = measure(people, args.repeat, args.seed, args.tmpdir)
        if isinstance(result, str):
            print(f"PROBLEM at {people:,} people: {result}", flush=True)
        else:
            results.append(result)
    if not results:
        return 0
    print()
    print(format_table(results))
    print(
        "netkb own = load + render + write before the builder starts, and builder/audit, from "
        "netkb.build.site.build's timings in a fresh process; "
        "netkb build / mkdocs = wall time of a "
        f"fresh `python -m netkb build -q` / `python -m mkdocs build -q`, best of {args.repeat}, "
        "from an empty generated folder and site; RSS = peak of that child process"
    )
    print("\n".join(verdicts(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
