#!/usr/bin/env python3
"""Time ``netkb build`` the way people use it, against a bare MkDocs Material build.

    python benchmarks/bench_build.py [--sizes 4000,10000] [--seed 1] [--tmpdir /dev/shm]

For each size it generates a KB (benchmarks/generate.py, logs = 2 × people) and runs,
each in a fresh interpreter (``python -m netkb --kb KB build -q``):

- cold, first: no generated folder, no site, no build state, and no compiled templates
  in the user's cache folder (the benchmark's own: the first build on a machine);
- cold: the same, on a machine that has built before (templates compiled and kept,
  as Python keeps bytecode);
- nothing changed: the same command again;
- one contact edited: a person's role changed, then the command again (and their page,
  their organisation's page and the people list are checked to show the new role);
- ``--jobs 1`` cold, to measure what the second core buys;
- a bare MkDocs Material build (``python -m mkdocs build -q``) of as many plain person
  pages (a heading and three lines each, out of the navigation, search plugin on), in a
  folder of its own: the floor netkb's cold build is compared with. The cold build and
  the bare one are each run ``--repeat`` times (default 3), one after the other in turn,
  and compared by their medians (every run is printed): one run of either moves by a
  few percent from one run to the next on this machine;
- ``netkb serve`` on the built KB: seconds from starting the process to a person page
  answering.

It also reports the search index's size per person and the peak memory of each build.
It prints figures, marks a missed target MISSED, and always exits 0.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

try:
    from benchmarks.child import NOTE, as_installed
    from benchmarks.generate import generate, size_arguments
except ModuleNotFoundError:  # run as a script: benchmarks/ itself is on sys.path
    from child import NOTE, as_installed  # type: ignore[no-redef]
    from generate import generate, size_arguments  # type: ignore[no-redef]

REPO_ROOT = Path(__file__).resolve().parent.parent
MAX_RATIO = 1.5  # cold netkb build / bare MkDocs build of as many plain person pages
MAX_GROWTH = 2.5 * 1.25  # time at 2.5× the people / time at 1× (linear, with some slack)
MAX_RSS_MB = 1024.0
MAX_NOTHING = 3.0  # seconds: a build with nothing changed
MAX_ONE_EDIT = 5.0  # seconds: a build after one contact was edited
MAX_INDEX = 600  # bytes of search index a person
MAX_SERVE = 3.0  # seconds from `netkb serve` to a person page, with a site built before
SHOWN_LINES = 12
NEW_ROLE = "Chief Benchmark Officer"
FIRST = "cold, first"  # the first build on the machine: it compiles the templates it keeps


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


@dataclass
class SizeResult:
    people: int
    pages: int = 0
    runs: dict[str, Run] = field(default_factory=dict)
    index_bytes: int = 0
    serve_seconds: float | None = None
    current: list[str] = field(default_factory=list)  # pages checked to show the edit
    # Every run of the builds compared: ``runs`` holds the median of each.
    samples: dict[str, list[Run]] = field(default_factory=lambda: {"cold": [], "bare mkdocs": []})

    @property
    def ratio(self) -> float:
        return self.runs["cold"].seconds / self.runs["bare mkdocs"].seconds


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


def netkb_build(kb: Path, *options: str) -> Run:
    return run([sys.executable, "-m", "netkb", "--kb", str(kb), "build", "-q", *options], kb)


def bare_site(folder: Path, people: int) -> None:
    """``people`` plain person pages and a home page, as a bare MkDocs Material site."""
    docs = folder / "docs"
    (docs / "people").mkdir(parents=True)
    (docs / "index.md").write_text("# People\n\nA bare site.\n", encoding="utf-8")
    for number in range(people):
        (docs / "people" / f"person-{number:05d}.md").write_text(
            f"# Person {number}\n\nRole {number % 97} at Organisation {number % 211}.\n\n"
            f"Met at an event in city {number % 53}; works on topic {number % 31}.\n",
            encoding="utf-8",
        )
    (folder / "mkdocs.yml").write_text(
        "site_name: Bare\ntheme:\n  name: material\n  font: false\nplugins: [search]\n"
        "nav: [{Home: index.md}]\nnot_in_nav: /people/\nuse_directory_urls: false\n",
        encoding="utf-8",
    )


def edit_one(kb: Path) -> tuple[Path, str]:
    """Change the role of a person who works at an organisation; their slug."""
    for path in sorted((kb / "contacts").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if "\norganization: " in text and "\nrole: " in text and "\nprivate: true" not in text:
            start = text.index("\nrole: ") + 1
            end = text.index("\n", start)
            path.write_text(text[:start] + f"role: {NEW_ROLE}" + text[end:], encoding="utf-8")
            return path, path.stem
    raise RuntimeError("no person with a role and an organisation")


def pages_showing(kb: Path, slug: str) -> list[str]:
    """Of the edited person's page, organisation page and people list: those showing the role."""
    site = kb / "site"
    wanted = [site / "people" / f"{slug}.html"]
    page = wanted[0].read_text(encoding="utf-8")
    org = page.split('href="../orgs/', 1)[1].split('"', 1)[0] if 'href="../orgs/' in page else None
    if org:
        wanted.append(site / "orgs" / org)
    return [p.relative_to(site).as_posix() for p in wanted if NEW_ROLE in p.read_text("utf-8")]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_seconds(kb: Path, slug: str) -> float | None:
    """From starting `netkb serve` to the person's page answering 200."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "netkb", "--kb", str(kb), "serve", "--addr", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - started < 120:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", f"/people/{slug}.html")
                if connection.getresponse().status == 200:
                    return time.perf_counter() - started
            except OSError:
                pass
            time.sleep(0.05)
        return None
    finally:
        process.terminate()
        process.wait(timeout=30)


def measure(people: int, seed: int, tmpdir: str | None, repeat: int) -> SizeResult | str:
    """Every figure for one size, or a message saying what failed (``repeat``: runs of the
    cold build and of the bare one, whose medians are compared)."""
    result = SizeResult(people)
    with tempfile.TemporaryDirectory(prefix=f"netkb-bench-build-{people}-", dir=tmpdir) as temp:
        kb = Path(temp) / "kb"
        print(f"generating {people:,} people + {2 * people:,} logs …", flush=True)
        generate(kb, people, seed=seed)
        # netkb keeps compiled templates in the user's cache folder, as Python keeps
        # bytecode: this run's own, empty at first, so the first cold build compiles them.
        os.environ["XDG_CACHE_HOME"] = str(Path(temp) / "user-cache")
        bare = Path(temp) / "bare"
        bare_site(bare, people)
        for name, options in ((FIRST, ()), ("cold --jobs 1", ("--jobs", "1"))):
            clean(kb)
            print(f"  netkb build, {name} …", flush=True)
            result.runs[name] = netkb_build(kb, *options)
            if message := result.runs[name].failed(f"netkb build ({name})"):
                return message
        for turn in range(1, repeat + 1):  # in turn: what slows the machine slows both
            clean(kb)
            print(f"  netkb build, cold ({turn} of {repeat}) …", flush=True)
            result.samples["cold"].append(netkb_build(kb))
            if message := result.samples["cold"][-1].failed("netkb build (cold)"):
                return message
            shutil.rmtree(bare / "site", ignore_errors=True)
            print(f"  bare mkdocs build ({turn} of {repeat}) …", flush=True)
            result.samples["bare mkdocs"].append(
                run([sys.executable, "-m", "mkdocs", "build", "-q"], bare)
            )
            if message := result.samples["bare mkdocs"][-1].failed("mkdocs build"):
                return message
        for name, runs in result.samples.items():
            result.runs[name] = sorted(runs, key=lambda r: r.seconds)[(len(runs) - 1) // 2]
        print("  netkb build, nothing changed …", flush=True)
        result.runs["nothing changed"] = netkb_build(kb)
        if message := result.runs["nothing changed"].failed("netkb build (nothing changed)"):
            return message
        _path, slug = edit_one(kb)
        print("  netkb build, one contact edited …", flush=True)
        result.runs["one edited"] = netkb_build(kb)
        if message := result.runs["one edited"].failed("netkb build (one edited)"):
            return message
        result.current = pages_showing(kb, slug)
        result.pages = sum(1 for _ in (kb / "site").rglob("*.html"))
        result.index_bytes = (kb / "site/search/search_index.json").stat().st_size
        print("  netkb serve, to a person page …", flush=True)
        result.serve_seconds = serve_seconds(kb, slug)
    return result


COLUMNS = (FIRST, "cold --jobs 1", "cold", "nothing changed", "one edited", "bare mkdocs")


def peak_rss(result: SizeResult) -> float:
    """The largest peak memory of the netkb builds of one size, in MB."""
    netkb_runs = [run for name, run in result.runs.items() if name != "bare mkdocs"]
    return max(run.peak_rss_mb for run in [*netkb_runs, *result.samples["cold"]])


def format_table(results: list[SizeResult]) -> str:
    header = ("people", "pages", *COLUMNS, "cold/bare", "index/person", "serve", "peak RSS")
    rows = [header]
    for r in results:
        rss = peak_rss(r)
        rows.append(
            (
                f"{r.people:,}",
                f"{r.pages:,}",
                *(f"{r.runs[c].seconds:.2f} s" for c in COLUMNS),
                f"{r.ratio:.2f}",
                f"{r.index_bytes / r.people:.0f} B",
                f"{r.serve_seconds:.2f} s" if r.serve_seconds is not None else "none",
                f"{rss:.0f} MB",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows
    )


def verdicts(results: list[SizeResult]) -> list[str]:
    """One line per target: the figure, and MISSED when it is missed."""

    def line(text: str, ok: bool) -> str:
        return text + ("" if ok else "  MISSED")

    lines = []
    for r in results:
        at = f"at {r.people:,} people"
        nothing, edited = r.runs["nothing changed"].seconds, r.runs["one edited"].seconds
        lines.append(
            line(
                f"nothing changed {at}: {nothing:.2f} s (≤ {MAX_NOTHING:g} s)",
                nothing <= MAX_NOTHING,
            )
        )
        lines.append(
            line(
                f"one contact edited {at}: {edited:.2f} s (≤ {MAX_ONE_EDIT:g} s); "
                f"pages showing the edit: {', '.join(r.current) or 'none'}",
                edited <= MAX_ONE_EDIT and len(r.current) >= 1,
            )
        )
        lines.append(
            line(
                f"cold / bare MkDocs {at}: {r.ratio:.2f} (≤ {MAX_RATIO:g}), medians of the runs: "
                + "; ".join(
                    f"{name} {', '.join(f'{run.seconds:.2f}' for run in runs)} s"
                    for name, runs in r.samples.items()
                ),
                r.ratio <= MAX_RATIO,
            )
        )
        first = r.runs[FIRST].seconds / r.runs["bare mkdocs"].seconds
        lines.append(
            f"  the first cold build on a machine {at} (it compiles the templates netkb "
            f"keeps): {first:.2f}× bare MkDocs"
        )
        speedup = r.runs["cold --jobs 1"].seconds / r.runs["cold"].seconds
        lines.append(f"second core {at}: cold --jobs 1 / cold = {speedup:.2f}×")
        per = r.index_bytes / r.people
        lines.append(
            line(f"search index {at}: {per:.0f} B a person (≤ {MAX_INDEX} B)", per <= MAX_INDEX)
        )
        rss = peak_rss(r)
        lines.append(
            line(f"peak memory {at}: {rss:.0f} MB (≤ {MAX_RSS_MB:.0f} MB)", rss <= MAX_RSS_MB)
        )
        served = r.serve_seconds
        lines.append(
            line(
                f"serve to a person page {at}: "
                f"{'none' if served is None else f'{served:.2f} s'} (≤ {MAX_SERVE:g} s)",
                served is not None and served <= MAX_SERVE,
            )
        )
    ordered = sorted(results, key=lambda r: r.people)
    for small, big in itertools.pairwise(ordered):
        factor = big.people / small.people
        growth = big.runs["cold"].seconds / small.runs["cold"].seconds
        lines.append(
            line(
                f"cold build at {big.people:,} / at {small.people:,} people: "
                f"{growth:.2f}× for {factor:.2f}× the people (linear: ≤ "
                f"{factor * 1.25:.2f}×)",
                growth <= factor * 1.25,
            )
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; always returns 0 (this prints figures, it is not a test)."""
    parser = argparse.ArgumentParser(description="Time `netkb build` against bare MkDocs.")
    size_arguments(parser, repeat=3)
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="netkb-bench-bytecode-", dir=args.tmpdir) as folder:
        as_installed(Path(folder))
        for people in args.sizes:
            result = measure(people, args.seed, args.tmpdir, max(1, args.repeat))
            if isinstance(result, str):
                print(f"PROBLEM at {people:,} people: {result}", flush=True)
            else:
                results.append(result)
    if not results:
        return 0
    print()
    print(format_table(results))
    print(
        "wall time of a fresh `python -m netkb build -q` (cold: no .netkb/ and no site/; "
        "cold, first: nor templates compiled in the user's cache folder); "
        "bare mkdocs: `python -m mkdocs build -q` of as many plain person pages; "
        "peak RSS: the largest of the netkb builds (each worker process counted alone)"
    )
    print(NOTE)
    print("\n".join(verdicts(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
