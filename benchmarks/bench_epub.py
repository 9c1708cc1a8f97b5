"""Benchmark: kbbook's EPUB of productbrain against pandoc's EPUB of the same pages.

Both tools get the same pages in the same reading order (kbbook's). kbbook is timed in
process (read, order, render, write) and through its command line (a fresh Python each run,
as pandoc is a fresh process each run). Prints the median of several runs, the ratios, and
EPUBCheck's error and warning counts for both outputs.

    .venv/bin/python benchmarks/bench_epub.py [SITE] [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import kbbook  # noqa: E402
from kbbook import Diagnostics, SiteOptions, load_book  # noqa: E402

from epubcheck_util import run_epubcheck  # noqa: E402

DEFAULT_SITE = ROOT.parent / "shared" / "corpora" / "productbrain"


def kbbook_in_process(site: Path, out: Path) -> None:
    kbbook.build_epub(site, out)


def kbbook_cli(site: Path, out: Path) -> None:
    subprocess.run([sys.executable, "-m", "kbbook", "epub", str(site), "-o", str(out)],
                   check=True, capture_output=True)


def pandoc_command(site: Path, out: Path) -> list[str]:
    book = load_book(SiteOptions(site), Diagnostics())
    files = [str(site / page.rel) for page in book.reading_order]
    # Images are written relative to each page's folder: let pandoc look in all of them.
    folders = dict.fromkeys(str((site / page.rel).parent) for page in book.reading_order)
    return [shutil.which("pandoc") or "pandoc", "-f", "markdown", "-t", "epub3",
            "--resource-path", ":".join([str(site), *folders]),
            "--metadata", f"title={book.config.title}", "--metadata",
            f"lang={book.config.lang}", "--toc", "-o", str(out), *files]


def timed(runs: int, action: Callable[[], None]) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", type=Path, default=DEFAULT_SITE)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("pandoc") is None:
        sys.exit("pandoc is not installed (apt-get install -y pandoc)")
    site: Path = args.site.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        ours, cli_out, theirs = Path(tmp, "kbbook.epub"), Path(tmp, "cli.epub"), Path(tmp,
                                                                                   "pandoc.epub")
        command = pandoc_command(site, theirs)
        kbbook_in_process(site, ours)  # warm-up: imports, font lookup
        results = {
            "kbbook (in process)": timed(args.runs, lambda: kbbook_in_process(site, ours)),
            "kbbook (command line)": timed(args.runs, lambda: kbbook_cli(site, cli_out)),
            "pandoc": timed(args.runs, lambda: subprocess.run(command, check=True,
                                                              capture_output=True)),
        }
        pages = len(load_book(SiteOptions(site), Diagnostics()).reading_order)
        print(f"site: {site} ({pages} pages), {args.runs} runs each, median seconds")
        medians = {name: statistics.median(times) for name, times in results.items()}
        for name, median in medians.items():
            spread = ", ".join(f"{t:.2f}" for t in results[name])
            print(f"  {name:24} {median:7.3f}  [{spread}]")
        pandoc_time = medians["pandoc"]
        for name in ("kbbook (in process)", "kbbook (command line)"):
            print(f"  ratio {name} / pandoc: {medians[name] / pandoc_time:.2f}")
        print(f"  sizes: kbbook {ours.stat().st_size:,} bytes, pandoc "
              f"{theirs.stat().st_size:,} bytes")
        for name, path in (("kbbook", ours), ("pandoc", theirs)):
            check = run_epubcheck(path)
            print(f"  EPUBCheck {name}: {check.counts.get('FATAL', 0)} fatal, "
                  f"{check.counts.get('ERROR', 0)} errors, "
                  f"{check.counts.get('WARNING', 0)} warnings")
            for line in check.messages[:5]:
                print(f"    {line}")


if __name__ == "__main__":
    main()
