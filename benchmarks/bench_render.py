"""How long rendering takes: a real site's pages, and pages nested far beyond any limit (a
benchmark, not a test: the tests check what comes out, this prints how long it took).

    .venv/bin/python benchmarks/bench_render.py [SITE] [--runs N]

For the site (default ../shared/corpora/productbrain): reading and ordering (without and
with the linked pages' appendix, which runs every page's Liquid), the Liquid of each page
(total, median, 95th percentile, slowest), then rendering every page (its Liquid already
run), median of N runs. For each hostile page (10,000-deep quotes, lists, HTML): the
time to render it alone, which stays near a normal page's because deep structure is
flattened before parsing.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from kbbook import Diagnostics, SiteOptions, load_book, load_config, load_pages, render_book
from kbbook.render.markdown import markdownify
from kbbook.site.liquid import SiteLiquid

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SITE = ROOT.parent / "shared" / "corpora" / "productbrain"
DEEP = {
    "10,000 nested quotes": "> " * 10_000 + "deep\n",
    "3,000 nested lists": "".join("  " * i + "- item\n" for i in range(3000)),
    "5,000 nested HTML divs": "<div>" * 5000 + "deep\n",
    "10,000 nested spans": "<span>" * 10_000 + "deep\n",
    "2,000 markdown=1 divs": '<div markdown="1">\n' * 2_000 + "deep\n" + "</div>\n" * 2_000,
}


def median_seconds(runs: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def liquid_times(site: Path) -> None:
    """Each page's Liquid, alone, in a fresh environment (includes parsed once for all)."""
    diagnostics = Diagnostics()
    config = load_config(site, diagnostics)
    pages = load_pages(config, diagnostics)
    liquid = SiteLiquid(config, pages, markdownify=markdownify)
    times = []
    for page in pages:
        if "{{" in page.body or "{%" in page.body:
            start = time.perf_counter()
            liquid.expand(page, diagnostics)
            times.append(time.perf_counter() - start)
    if not times:
        print("  Liquid: no page has any")
        return
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(f"  Liquid of {len(times)} pages: {sum(times):.3f} s; median "
          f"{1000 * statistics.median(times):.2f} ms, 95th percentile {1000 * p95:.2f} ms, "
          f"slowest {1000 * times[-1]:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", type=Path, default=DEFAULT_SITE)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    book = load_book(SiteOptions(args.site), Diagnostics())
    plain = median_seconds(args.runs, lambda: load_book(SiteOptions(args.site, linked_pages=False),
                                                        Diagnostics()))
    read = median_seconds(args.runs, lambda: load_book(SiteOptions(args.site), Diagnostics()))
    render = median_seconds(args.runs, lambda: render_book(book, Diagnostics()))
    pages = len(book.reading_order)
    print(f"site: {args.site} ({pages} pages), median of {args.runs} runs")
    print(f"  read and order                     {plain:7.3f} s")
    print(f"  read and order, with the appendix  {read:7.3f} s")
    liquid_times(args.site)
    print(f"  render all pages {render:7.3f} s  ({1000 * render / pages:.1f} ms a page)")

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        (site / "_config.yml").write_text("title: Deep\n")
        plain = "Some text.\n\n" * 20
        print("one page alone (median seconds):")
        for name, body in {"an ordinary page": plain, **DEEP}.items():
            (site / "index.md").write_text("---\ntitle: Home\n---\n" + body, encoding="utf-8")
            deep = load_book(SiteOptions(site), Diagnostics())
            seconds = median_seconds(args.runs, lambda b=deep: render_book(b, Diagnostics()))
            print(f"  {name:24} {seconds:7.3f}")


if __name__ == "__main__":
    main()
