#!/usr/bin/env python3
"""Time netkb's page rendering and Python-Markdown's conversion of the pages it renders.

    python benchmarks/bench_pages.py KB [KB …] [--repeat 1] [--code DIR]

For each KB (a folder with mkdocs.yml, e.g. one made by ``generate.py``) it loads the
network (no cache, so nothing is written into the KB), derives the facts and prints:

- netkb's own render time: ``SiteRenderer.pages()``, every page of the site;
- the time Python-Markdown takes to convert those pages as MkDocs does: front matter
  stripped (``mkdocs.utils.meta.get_data``), a new ``markdown.Markdown`` per page with
  the extensions of netkb's mkdocs.yml (admonition, tables, toc), ``convert``;
- the same split for person pages alone (per page) and the size of the pages.

Times are CPU seconds of this process (``time.process_time``): on a machine shared with
other jobs they move far less than wall time, and the work is single-threaded.
``--code DIR`` imports netkb from DIR instead of this checkout (a copy of an older
version), so one script measures before and after. It prints figures and always exits 0.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

EXTENSIONS = ["admonition", "tables", "toc"]
EXTENSION_CONFIGS = {"toc": {"permalink": False}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kbs", nargs="+", type=Path, help="knowledge bases to render")
    parser.add_argument("--repeat", type=int, default=1, help="best of this many runs")
    parser.add_argument("--code", type=Path, help="import netkb from this folder")
    args = parser.parse_args()
    code = args.code or Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(code.resolve()))

    import markdown
    from mkdocs.utils.meta import get_data

    import netkb
    from netkb.link.derive import derive
    from netkb.load.loader import load
    from netkb.render.render import SiteRenderer

    print(f"netkb from {Path(netkb.__file__).parent}")
    for kb in args.kbs:
        started = time.process_time()
        network = load(kb)
        facts = derive(network)
        loaded = time.process_time() - started
        people = len(facts.public)
        templates = kb / "templates"
        renders, converts, person_converts = [], [], []
        pages: dict[str, str] = {}
        for _ in range(args.repeat):
            mark = time.process_time()
            pages = SiteRenderer(facts, templates if templates.is_dir() else None).pages()
            renders.append(time.process_time() - mark)
            total = person_total = 0.0
            for path, text in pages.items():
                body, _meta = get_data(text)
                mark = time.process_time()
                md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
                md.convert(body)
                spent = time.process_time() - mark
                total += spent
                if path.startswith("people/"):
                    person_total += spent
            converts.append(total)
            person_converts.append(person_total)
        person_pages = sum(1 for p in pages if p.startswith("people/"))
        size = sum(len(t.encode()) for t in pages.values())
        print(
            f"{kb}: {people:,} public people, {len(pages):,} pages, {size / 1e6:.1f} MB "
            f"(load + derive {loaded:.1f} s CPU)"
        )
        print(f"  netkb render (SiteRenderer.pages)   {min(renders):7.2f} s CPU")
        print(f"  Python-Markdown, every page         {min(converts):7.2f} s CPU")
        print(
            f"  Python-Markdown, person pages       {min(person_converts):7.2f} s CPU"
            f"  {min(person_converts) / max(person_pages, 1) * 1e3:.2f} ms a page"
        )
        if args.repeat > 1:
            print(f"  (median render {statistics.median(renders):.2f} s)")


if __name__ == "__main__":
    main()
