"""The author's workflow, timed (a benchmark, not a test):

- `kbbook build` (both books from one read) against `kbbook epub` then `kbbook pdf`;
- `kbbook pdf --split` (a handout per chapter) against the whole book's PDF;
- `kbbook watch`: the rebuild after a one-sentence edit of one page, from the save to the
  "rebuilt" line.

Every run is a fresh process with an empty cache of its own (the watch keeps its cache
between its builds, as it does for an author), alternating sides so machine noise hits
both alike. Prints wall times, their ratios and the peak memory of each command's processes.

    .venv/bin/python benchmarks/bench_workflow.py [SITE] [--runs N]

SITE defaults to ../shared/corpora/productbrain.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"


def _peak_rss_mb(proc: subprocess.Popen[bytes]) -> float:
    """Sampled peak of the sum of the resident sizes of `proc` and its children."""
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            total = 0
            for pid in _tree(proc.pid):
                try:
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
                except (OSError, ValueError):
                    pass
            peak[0] = max(peak[0], total)
            time.sleep(0.1)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    proc.wait()
    thread.join()
    return peak[0] / 1024


def _tree(root: int) -> list[int]:
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        with contextlib.suppress(OSError, ValueError):
            todo += [int(c) for c in
                     Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return pids


def _run(commands: list[list[str]], cache: Path) -> tuple[float, float]:
    env = {**os.environ, "KBBOOK_CACHE_DIR": str(cache)}
    start, peak = time.perf_counter(), 0.0
    for args in commands:
        proc = subprocess.Popen([sys.executable, "-m", "kbbook", *args], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        peak = max(peak, _peak_rss_mb(proc))
        if proc.returncode != 0:
            raise SystemExit(f"kbbook {' '.join(args)} failed: "
                             f"{proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
    return time.perf_counter() - start, peak


def _watch_rebuild(site: Path, tmp: Path) -> float:
    """Seconds from saving a one-sentence edit to the watch's "rebuilt" line (PDF)."""
    copy = tmp / "watched"
    shutil.copytree(site, copy)
    env = {**os.environ, "KBBOOK_CACHE_DIR": str(tmp / "watch-cache")}
    proc = subprocess.Popen([sys.executable, "-m", "kbbook", "watch", str(copy), "--pdf",
                             "-o", str(tmp / "watch-out"), "--once"], env=env,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    for line in proc.stderr:
        if "watching" in line:
            break
    page = max(copy.rglob("*.md"), key=lambda p: p.stat().st_size)
    time.sleep(1)
    text = page.read_text(encoding="utf-8")
    start = time.perf_counter()
    page.write_text(text + "\nOne more sentence, written while the book was watched.\n",
                    encoding="utf-8")
    for line in proc.stderr:
        if "rebuilt" in line or "failed" in line:
            break
    seconds = time.perf_counter() - start
    proc.wait(timeout=120)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", type=Path, default=CORPORA / "productbrain")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    site = args.site.resolve()
    results: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="kbbook-bench-workflow-") as tmp_name:
        tmp = Path(tmp_name)
        sides = {
            "build (epub+pdf)": [["build", str(site), "-o", str(tmp / "b"), "-q"]],
            "epub, then pdf": [["epub", str(site), "-o", str(tmp / "e.epub")],
                               ["pdf", str(site), "-o", str(tmp / "e.pdf"), "-q"]],
            "pdf (whole book)": [["pdf", str(site), "-o", str(tmp / "w.pdf"), "-q"]],
            "pdf --split": [["pdf", str(site), "--split", "-o", str(tmp / "s"), "-q"]],
        }
        for run in range(args.runs):
            for name, commands in sides.items():
                cache = tmp / f"cache-{name.split()[0]}-{run}"
                results.setdefault(name, []).append(_run(commands, cache))
        # The handouts again after a one-sentence edit, with the split's cache.
        edited = tmp / "edited"
        shutil.copytree(site, edited)
        cache = tmp / "cache-split-edit"
        split = [["pdf", str(edited), "--split", "-o", str(tmp / "s2"), "-q"]]
        _run(split, cache)
        page = max(edited.rglob("*.md"), key=lambda p: p.stat().st_size)
        page.write_text(page.read_text(encoding="utf-8") + "\nOne more sentence.\n",
                        encoding="utf-8")
        results["pdf --split, edited"] = [_run(split, cache)]
        watch = [_watch_rebuild(site, tmp / f"w{run}") for run in range(args.runs)]
        handouts = len(list((tmp / "s").glob("*.pdf")))
    print(f"{site.name}, {args.runs} runs each (median wall time, peak memory):")
    med = {name: (statistics.median(t for t, _ in r), max(m for _, m in r))
           for name, r in results.items()}
    for name, (seconds, memory) in med.items():
        print(f"  {name:<18} {seconds:7.1f} s  {memory:6.0f} MB")
    print(f"  build / (epub then pdf): "
          f"{med['build (epub+pdf)'][0] / med['epub, then pdf'][0]:.2f}x")
    print(f"  --split ({handouts} handouts) / whole book: "
          f"{med['pdf --split'][0] / med['pdf (whole book)'][0]:.2f}x")
    print(f"  --split after a one-sentence edit, with its cache / cold --split: "
          f"{med['pdf --split, edited'][0] / med['pdf --split'][0]:.2f}x")
    print(f"  watch: rebuild after a one-sentence edit: {statistics.median(watch):.1f} s "
          f"(median of {len(watch)})")


if __name__ == "__main__":
    main()
