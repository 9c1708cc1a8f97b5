"""Big books: kbbook's chunked, parallel, cached PDF against WeasyPrint alone and against the
previous kbbook (a benchmark, not a test).

For each site, runs alternate so machine noise hits every side alike; every run is a fresh
process tree whose memory is sampled (the sum of the proportional set sizes of all its
processes, so pages the workers share are counted once):

- `WeasyPrint alone`: the print HTML and stylesheets kbbook would render, in one WeasyPrint
  document (what kbbook did before the chunked print, less kbbook's own work);
- `kbbook before`: the kbbook of git revision BASE (default: main), end to end;
- `cold`: `kbbook pdf` with an empty cache (with --untagged, also `cold, untagged`: the
  same with `--pdf-variant none`, as WeasyPrint alone writes no tags);
- `edit`: the same cache, after one sentence of one page was changed;
- `new page`: the same cache, after a page was added (a page of the book follows on).

Each gives its wall time and its processor time (all its processes together): on a machine
shared with other work, wall times wander; the processor time says how much work was done,
and on two free cores kbbook's wall time is about half of it.

Then the EPUB of both kbbooks, and sizes.

    .venv/bin/python benchmarks/bench_big.py [SITE ...] [--runs N] [--base REV] [--profile]
                                             [--untagged]

SITE defaults to the big site (benchmarks/bigsite.py: lakefs three times over) and
productbrain. Goals: cold <= 0.8x WeasyPrint alone and <= 600 MB; edit <= 0.15x; new page
<= 0.5x; PDF <= 40% and EPUB <= 25% of the previous kbbook's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
PYTHON = sys.executable
LAST_STDERR: list[str] = [""]
"""What the last run wrote on standard error."""


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _tree(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    out, todo = [root], [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _cpu_seconds(pid: int) -> float:
    """User and system time of a process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def run(argv: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Run a command; its wall time, the peak memory of its process tree and the processor
    time all its processes used (last seen a quarter of a second before they ended: on a
    shared machine the steadiest measure of the work)."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, env={**os.environ, **(env or {})},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = [0]
    cpu: dict[int, float] = {}

    def sample() -> None:
        while process.poll() is None:
            pids = _tree(process.pid)
            peak[0] = max(peak[0], sum(_pss_kb(pid) for pid in pids))
            for pid in pids:
                cpu[pid] = max(cpu.get(pid, 0.0), _cpu_seconds(pid))
            time.sleep(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - start
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{stderr[-3000:]}")
    LAST_STDERR[:] = [stderr]
    return {"seconds": seconds, "peak_mb": peak[0] / 1024, "cpu": sum(cpu.values())}


_WEASY = """
import json, sys
from pathlib import Path
import weasyprint
from kbbook.writers.pdf.fetcher import FetchPolicy, SafeFetcher
spec = json.loads(Path(sys.argv[1]).read_text())
policy = FetchPolicy.create(map(Path, spec["roots"]), map(Path, spec["files"]))
fetcher = SafeFetcher(policy)
sheets = [weasyprint.CSS(string=t, base_url=b, url_fetcher=fetcher) for t, b in spec["sheets"]]
weasyprint.HTML(string=Path(spec["html"]).read_text(), base_url=spec["base_url"],
                url_fetcher=fetcher).write_pdf(sys.argv[2], stylesheets=sheets)
"""


def dump(site: Path, folder: Path) -> Path:
    """The print HTML kbbook renders, with its stylesheets, for WeasyPrint alone."""
    from kbbook import Diagnostics, SiteOptions
    from kbbook.pipeline import read_and_render
    from kbbook.writers.pdf import build_print_document, stylesheets

    document = build_print_document(read_and_render(SiteOptions(site), Diagnostics()))
    (folder / "print.html").write_text(document.html, encoding="utf-8")
    spec = {"html": str(folder / "print.html"), "base_url": document.base_url,
            "roots": [str(p) for p in document.policy.roots], "files": [],
            "sheets": [(s.text, s.base_url) for s in stylesheets((), "a4")]}
    (folder / "print.json").write_text(json.dumps(spec), encoding="utf-8")
    return folder / "print.json"


def base_checkout(rev: str, folder: Path) -> Path:
    """kbbook at `rev`, unpacked (its sources run with this venv's packages)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True,
                             capture_output=True).stdout
    target = folder / "base"
    target.mkdir()
    with tarfile.open(fileobj=__import__("io").BytesIO(archive)) as tar:
        tar.extractall(target, filter="fully_trusted")
    return target / "src"


def edit_one_sentence(site: Path) -> None:
    """One sentence of one page, in the middle of the book, reworded: " is " becomes
    " is also " in the first paragraph of prose that has one."""
    pages = sorted(p for p in site.rglob("*.md") if "\n# " in p.read_text(encoding="utf-8"))
    for page in pages[len(pages) // 2:] + pages[:len(pages) // 2]:
        text = page.read_text(encoding="utf-8")
        start = text.find("\n", text.find("\n---", 3) + 1) + 1  # after the front matter
        for line in text[start:].splitlines():
            if line[:1].isalpha() and " is " in line and "{" not in line:
                page.write_text(text[:start] + text[start:].replace(
                    line, line.replace(" is ", " is also ", 1), 1), encoding="utf-8")
                return
    raise SystemExit(f"{site}: no sentence to edit")


def add_page(site: Path) -> None:
    """A new page under the middle chapter (it follows on after its siblings)."""
    from kbbook import Diagnostics, load_book

    book = load_book(site, Diagnostics())
    parent = book.roots[len(book.roots) // 2]
    title = parent.page.title
    body = "\n\n".join(f"Paragraph {i} of the new page. " * 8 for i in range(12))
    (site / "benchmark-added-page.md").write_text(
        f"---\ntitle: A page added for the benchmark\nparent: {json.dumps(title)}\n"
        f"nav_order: 100000\n---\n\n# A page added\n\n{body}\n", encoding="utf-8")


def bench_site(name: str, site: Path, runs: int, base_src: Path, folder: Path,
               profile: bool, untagged: bool = False) -> dict[str, object]:
    work = folder / name
    work.mkdir()
    spec = dump(site, work)
    results: dict[str, list[dict[str, float]]] = {}
    sizes: dict[str, int] = {}
    kbbook = [PYTHON, "-m", "kbbook"]
    for i in range(runs):
        copy = work / f"site{i}"
        shutil.copytree(site, copy, symlinks=True)
        cache = work / f"cache{i}"
        env = {"KBBOOK_CACHE_DIR": str(cache)}
        steps = [
            ("WeasyPrint alone", [PYTHON, "-c", _WEASY, str(spec), str(work / "weasy.pdf")],
             {"PYTHONPATH": str(ROOT / "src")}),
            ("kbbook before", [*kbbook, "pdf", str(copy), "-o", str(work / "before.pdf"),
                               "--quiet"], {"PYTHONPATH": str(base_src)}),
            ("cold", [*kbbook, "pdf", str(copy), "-o", str(work / "cold.pdf"), "--quiet"], env),
        ]
        if untagged:  # (WeasyPrint alone writes no tags: the same work as it does)
            steps.append(("cold, untagged", [
                *kbbook, "pdf", str(copy), "-o", str(work / "untagged.pdf"), "--quiet",
                "--pdf-variant", "none"], {"KBBOOK_CACHE_DIR": str(work / f"untagged{i}")}))
        for label, argv, extra in steps:
            results.setdefault(label, []).append(run(argv, extra))
            last = results[label][-1]
            print(f"{name} run {i + 1}: {label} {last['seconds']:.1f} s, CPU "
                  f"{last['cpu']:.1f} s, {last['peak_mb']:.0f} MB", file=sys.stderr, flush=True)
        edit_one_sentence(copy)
        results.setdefault("edit", []).append(
            run([*kbbook, "pdf", str(copy), "-o", str(work / "edit.pdf"), "--quiet"], env))
        add_page(copy)
        results.setdefault("new page", []).append(
            run([*kbbook, "pdf", str(copy), "-o", str(work / "added.pdf"), "--quiet"], env))
        for label in ("edit", "new page"):
            print(f"{name} run {i + 1}: {label} {results[label][-1]['seconds']:.1f} s, CPU "
                  f"{results[label][-1]['cpu']:.1f} s", file=sys.stderr, flush=True)
        shutil.rmtree(copy)
        shutil.rmtree(cache, ignore_errors=True)
    sizes["pdf before"] = (work / "before.pdf").stat().st_size
    sizes["pdf now"] = (work / "cold.pdf").stat().st_size
    run([*kbbook, "epub", str(site), "-o", str(work / "before.epub")],
        {"PYTHONPATH": str(base_src)})
    run([*kbbook, "epub", str(site), "-o", str(work / "now.epub")])
    sizes["epub before"] = (work / "before.epub").stat().st_size
    sizes["epub now"] = (work / "now.epub").stat().st_size
    if profile:
        cache = work / "profile-cache"
        out = work / "profile.txt"
        spy = shutil.which("py-spy") or str(Path(PYTHON).parent / "py-spy")
        subprocess.run([spy, "record", "--subprocesses", "--format", "raw", "-o",
                        str(out), "--", *kbbook, "pdf", str(site), "-o",
                        str(work / "profile.pdf"), "--quiet"],
                       env={**os.environ, "KBBOOK_CACHE_DIR": str(cache)}, check=False,
                       capture_output=True)
        if out.is_file():
            shutil.copy(out, ROOT / f"{name}-profile.txt")
    return {"results": results, "sizes": sizes}


def report(name: str, data: dict[str, object]) -> None:
    results: dict[str, list[dict[str, float]]] = data["results"]  # type: ignore[assignment]
    sizes: dict[str, int] = data["sizes"]  # type: ignore[assignment]

    def best(label: str) -> float:
        return min(r["seconds"] for r in results[label])

    def work(label: str) -> float:
        return min(r["cpu"] for r in results[label])

    print(f"\n{name}")
    for label, runs in results.items():
        seconds = [r["seconds"] for r in runs]
        peak = max(r["peak_mb"] for r in runs)
        cpu = min(r["cpu"] for r in runs)
        print(f"  {label:<17} wall min {min(seconds):7.1f} s  median "
              f"{statistics.median(seconds):7.1f} s  CPU min {cpu:7.1f} s  peak {peak:6.0f} MB")
    weasy = best("WeasyPrint alone")
    for label, goal in (("cold", 0.8), ("cold, untagged", 0.8), ("edit", 0.15),
                        ("new page", 0.5), ("kbbook before", None)):
        if label not in results:
            continue
        ratio = best(label) / weasy
        met = "met" if goal is not None and ratio <= goal else "NOT met"
        verdict = "" if goal is None else f" (goal <= {goal}: {met})"
        print(f"  {label} / WeasyPrint alone: wall {ratio:.3f}{verdict}, CPU "
              f"{work(label) / work('WeasyPrint alone'):.3f}")
    print(f"  cold / kbbook before: {best('cold') / best('kbbook before'):.3f}")
    pdf = sizes["pdf now"] / sizes["pdf before"]
    epub = sizes["epub now"] / sizes["epub before"]
    print(f"  PDF {sizes['pdf now'] / 1e6:.1f} MB, {pdf:.0%} of before "
          f"({sizes['pdf before'] / 1e6:.1f} MB); EPUB {sizes['epub now'] / 1e6:.1f} MB, "
          f"{epub:.0%} of before ({sizes['epub before'] / 1e6:.1f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sites", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--base", default="main", help="the kbbook to compare with")
    parser.add_argument("--profile", action="store_true",
                        help="also record a cold build with py-spy (pip install py-spy)")
    parser.add_argument("--untagged", action="store_true",
                        help="also a cold build of an untagged PDF (--pdf-variant none), the "
                        "work WeasyPrint alone does")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kbbook-bench-big-") as tmp:
        folder = Path(tmp)
        base_src = base_checkout(args.base, folder)
        sites = [(s.name, s) for s in args.sites]
        if not sites:
            sys.path.insert(0, str(ROOT / "benchmarks"))
            from bigsite import make_big_site

            sites = [("lakefs x3", make_big_site(CORPORA / "lakefs", folder / "big")),
                     ("productbrain", CORPORA / "productbrain")]
        done = {name: bench_site(name, site, args.runs, base_src, folder, args.profile,
                                 args.untagged)
                for name, site in sites}
    for name, data in done.items():
        report(name, data)


if __name__ == "__main__":
    main()
