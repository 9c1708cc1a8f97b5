"""How much `kbbook pdf` costs on top of WeasyPrint itself (a benchmark, not a test).

Times the whole command on a site (read, order, render Markdown, assemble the print HTML,
lay it out in chunks without the build cache, and write the PDF atomically) against
WeasyPrint alone rendering the very same print HTML with the same fetcher and base URL,
dumped beforehand. Every run is a fresh subprocess, so both sides pay the same cold start
(font configuration, caches), and each reports its wall time and peak memory (ru_maxrss:
of the main process only; benchmarks/bench_big.py measures the worker processes too).
Both import the same modules before the clock starts. Runs alternate so that machine noise
hits both sides alike.

    .venv/bin/python benchmarks/bench_pdf.py [SITE] [--runs N]

SITE defaults to ../shared/corpora/productbrain. Goal: kbbook / WeasyPrint <= 1.10.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SITE = ROOT.parent / "shared" / "corpora" / "productbrain"


def _warm_imports() -> None:
    """The same modules on both sides, imported before the clock starts."""
    import weasyprint  # noqa: F401

    import kbbook.cli
    import kbbook.render
    import kbbook.writers.pdf  # noqa: F401


def _child_pipeline(site: str, out: str) -> dict[str, float]:
    _warm_imports()
    from typer.main import get_command

    from kbbook.cli import app

    command = get_command(app)
    start, cpu = time.perf_counter(), time.process_time()
    command.main(["pdf", site, "-o", out, "--quiet", "--no-cache"], prog_name="kbbook",
                 standalone_mode=False)
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu}


def _child_weasyprint(dump: str, out: str) -> dict[str, float]:
    _warm_imports()
    import weasyprint

    from kbbook.writers.pdf.fetcher import FetchPolicy, SafeFetcher

    spec = json.loads(Path(dump).read_text(encoding="utf-8"))
    html = Path(spec["html"]).read_text(encoding="utf-8")
    policy = FetchPolicy.create(map(Path, spec["roots"]), map(Path, spec["files"]),
                                allow_remote=spec["allow_remote"])
    start, cpu = time.perf_counter(), time.process_time()
    fetcher = SafeFetcher(policy)
    sheets = [weasyprint.CSS(string=text, base_url=base, url_fetcher=fetcher)
              for text, base in spec["stylesheets"]]
    weasyprint.HTML(string=html, base_url=spec["base_url"], url_fetcher=fetcher).write_pdf(
        out, stylesheets=sheets)
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu}


def _dump(site: Path, folder: Path) -> Path:
    """The print HTML kbbook would render, and how to fetch for it, as files."""
    from kbbook import Diagnostics, SiteOptions
    from kbbook.pipeline import read_and_render
    from kbbook.writers.pdf import build_print_document, stylesheets

    rendered = read_and_render(SiteOptions(site), Diagnostics())
    document = build_print_document(rendered)
    html = folder / "print.html"
    html.write_text(document.html, encoding="utf-8")
    spec = {
        "html": str(html),
        "base_url": document.base_url,
        "roots": [str(p) for p in document.policy.roots],
        "files": [str(p) for p in document.policy.files],
        "allow_remote": document.policy.allow_remote,
        "stylesheets": [(sheet.text, sheet.base_url) for sheet in stylesheets((), "a4")],
    }
    dump = folder / "print.json"
    dump.write_text(json.dumps(spec), encoding="utf-8")
    return dump


def _run(mode: str, *args: str) -> dict[str, float]:
    proc = subprocess.run([sys.executable, __file__, "--child", mode, *args],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{mode} run failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", type=Path, default=DEFAULT_SITE)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=3, metavar=("MODE", "IN", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        mode, source, out = args.child
        result = (_child_pipeline if mode == "pipeline" else _child_weasyprint)(source, out)
        result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return

    if not args.site.is_dir():
        raise SystemExit(f"{args.site}: no such site folder")
    with tempfile.TemporaryDirectory(prefix="kbbook-bench-") as tmp:
        folder = Path(tmp)
        dump = _dump(args.site, folder)
        kbbook_runs, weasy_runs = [], []
        for i in range(args.runs):
            kbbook_runs.append(_run("pipeline", str(args.site), str(folder / f"k{i}.pdf")))
            weasy_runs.append(_run("weasyprint", str(dump), str(folder / f"w{i}.pdf")))
            print(f"run {i + 1}/{args.runs}: kbbook pdf {kbbook_runs[-1]['seconds']:.2f} s, "
                  f"WeasyPrint alone {weasy_runs[-1]['seconds']:.2f} s", file=sys.stderr)

    def summary(runs: list[dict[str, float]]) -> tuple[float, float, float, float]:
        seconds = [r["seconds"] for r in runs]
        cpu = statistics.median(r["cpu"] for r in runs)
        return statistics.median(seconds), min(seconds), cpu, max(r["maxrss_mb"] for r in runs)

    k_median, k_min, k_cpu, k_rss = summary(kbbook_runs)
    w_median, w_min, w_cpu, w_rss = summary(weasy_runs)
    print(f"site: {args.site} ({args.runs} runs each, fresh process per run)")
    for name, median, best, cpu, rss in (("kbbook pdf (end to end)", k_median, k_min, k_cpu, k_rss),
                                         ("WeasyPrint alone", w_median, w_min, w_cpu, w_rss)):
        print(f"{name:<24} wall median {median:6.2f} s  min {best:6.2f} s  "
              f"CPU median {cpu:6.2f} s  peak RSS {rss:7.1f} MB")
    # On a shared machine the fastest run is the least disturbed one; CPU time is the
    # steadiest measure of the work itself.
    ratio = k_min / w_min
    print(f"ratio wall (min) {ratio:.3f}, wall (median) {k_median / w_median:.3f}, "
          f"CPU (median) {k_cpu / w_cpu:.3f}; goal <= 1.10: "
          f"{'met' if ratio <= 1.10 else 'NOT met'}")
    print(f"memory ratio (peak RSS) {k_rss / w_rss:.3f}")


if __name__ == "__main__":
    main()
