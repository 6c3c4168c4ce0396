#!/usr/bin/env python3
"""Time ``netkb import linkedin --apply`` of a 5,000-row export into an empty KB.

    python benchmarks/bench_import.py [--rows 5000] [--repeat 3] [--seed 1]

Each run generates the same LinkedIn Connections.csv (preamble, quoted commas,
some emails, some rows without a URL, a few blank names), makes an empty KB in
a temporary folder and runs the real command in a fresh interpreter. It prints
the wall time of each run, the best and the median, and checks that the KB then
holds one file per importable row. It always exits 0; a missed target is marked
MISSED.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 10.0
TARGET_LINE = "target: import of 5,000 LinkedIn rows into an empty KB ≤ 10 s"

PREAMBLE = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email '
    "addresses are missing. You will only see email addresses for connections who have "
    'allowed their connections to see or download their email address."\n'
    "\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
)
FIRST = [
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Elif",
    "Farid",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Kira",
    "Luca",
    "Mei",
    "Nadia",
    "Omar",
]
LAST = [
    "Adeyemi",
    "Berg",
    "Chen",
    "Dubois",
    "Eriksson",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
]
COMPANIES = ["Acme, Inc.", "Globex GmbH", "Initech", "Umbrella Corp.", "Stark Industries"]
POSITIONS = ["CTO", "VP, Engineering", "Product Manager", "Founder & CEO", "Data Scientist"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def connections_csv(rows: int, seed: int) -> tuple[str, int]:
    """A LinkedIn export of ``rows`` rows and how many of them have a name."""
    pick = random.Random(seed)
    lines = [PREAMBLE]
    named = 0
    for number in range(rows):
        first, last = pick.choice(FIRST), f"{pick.choice(LAST)}{number}"
        if number % 997 == 13:
            first, last = "", ""  # a deleted account: skipped with a reason
        else:
            named += 1
        url = f"https://www.linkedin.com/in/{first.lower()}-{last.lower()}" if number % 7 else ""
        email = f"{first.lower()}.{last.lower()}@example.com" if number % 3 == 0 else ""
        company, position = pick.choice(COMPANIES), pick.choice(POSITIONS)
        day = f"{pick.randint(1, 28):02d} {pick.choice(MONTHS)} {pick.randint(2010, 2025)}"
        cells = [first, last, url, email, company, position, day]
        lines.append(",".join(f'"{c}"' if "," in c else c for c in cells) + "\n")
    return "".join(lines), named


def run_import(rows: int, seed: int) -> tuple[float, int, str]:
    """(seconds, contact files afterwards, stderr) of one import into an empty KB."""
    text, _ = connections_csv(rows, seed)
    with tempfile.TemporaryDirectory(prefix="netkb-bench-import-") as temp:
        kb = Path(temp) / "kb"
        (kb / "contacts").mkdir(parents=True)
        (kb / "mkdocs.yml").write_text("site_name: Bench\n", encoding="utf-8")
        export = Path(temp) / "Connections.csv"
        export.write_text(text, encoding="utf-8")
        command = [sys.executable, "-m", "netkb", "--kb", str(kb)]
        command += ["import", "linkedin", str(export), "--apply"]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, cwd=REPO_ROOT, check=False)
        seconds = time.perf_counter() - started
        files = len(list((kb / "contacts").glob("*.md")))
        problem = done.stderr if done.returncode else ""
    return seconds, files, problem


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    _, named = connections_csv(args.rows, args.seed)
    print(f"importing {args.rows:,} LinkedIn rows ({named:,} with a name) × {args.repeat} …")
    times = []
    for run in range(1, args.repeat + 1):
        seconds, files, problem = run_import(args.rows, args.seed)
        times.append(seconds)
        status = "ok" if files == named and not problem else f"PROBLEM: {files:,} files"
        print(f"  run {run}: {seconds:.2f} s, {files:,} contact files, {status}")
        if problem:
            print("    " + "\n    ".join(problem.strip().splitlines()[-10:]))
    best, median = min(times), statistics.median(times)
    print(f"best {best:.2f} s, median {median:.2f} s ({args.rows / median:,.0f} rows/s)")
    verdict = "met" if median <= TARGET_SECONDS or args.rows != 5000 else "MISSED"
    print(f"{TARGET_LINE}: {verdict}")


if __name__ == "__main__":
    main()
