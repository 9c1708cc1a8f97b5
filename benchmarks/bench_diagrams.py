"""What drawing costs: Mermaid diagrams (one Chromium run, then from the cache) and formulas
(TeX to MathML, MathML to SVG), per item, and a whole book built cold and again cached.

    .venv/bin/python benchmarks/bench_diagrams.py [SITE]

SITE (default ../shared/corpora/mptcp, which has Mermaid diagrams) is built as an EPUB twice
with an empty cache folder of its own: once drawing every diagram, once from the cache.
If mermaidx is installed (`pip install mermaidx`, not a dependency), the same diagrams are
drawn with it too, for comparison (text labels, as kbbook needs them).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SITE = ROOT.parent / "shared" / "corpora" / "mptcp"
DIAGRAMS = [
    "flowchart LR\n  A[Start<br>here] --> B{fa:fa-check Ready?}\n  B -->|yes| C[Done]\n",
    "sequenceDiagram\n  autonumber\n  Alice->>Bob: Hello<br>there\n  loop Every minute\n"
    "    Bob-->>Alice: Still here\n  end\n",
    "classDiagram\n  Animal <|-- Duck\n  Animal : +int age\n  Duck : +swim()\n",
    "stateDiagram-v2\n  [*] --> Still\n  Still --> Moving\n  Moving --> Crash\n"
    "  Crash --> [*]\n",
    "gantt\n  title Plan\n  dateFormat YYYY-MM-DD\n  section A\n  Write :a1, 2024-01-01, 7d\n"
    "  Review :after a1, 3d\n",
    "pie title Pets\n  \"Dogs\" : 386\n  \"Cats\" : 85\n  \"Rats\" : 15\n",
]
FORMULAS = [
    r"E = mc^2", r"\frac{\partial f}{\partial x_1} = \sum_{k=1}^{n} w_k^2",
    r"\int_0^\infty e^{-x^2}\,dx = \frac{\sqrt{\pi}}{2}",
    r"\begin{aligned} a &= b + c \\ d &= e \end{aligned}",
    r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}", r"\binom{n}{k} = \frac{n!}{k!(n-k)!}",
    r"f(x) = \begin{cases} x & x \ge 0 \\ -x & x < 0 \end{cases}",
    r"\sqrt[3]{\frac{a}{b}} + \mathbb{R}^n", r"\lim_{x \to 0} \frac{\sin x}{x} = 1",
]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def bench_mermaid(cache_dir: Path) -> None:
    from kbbook.render.cache import DrawingCache
    from kbbook.render.mermaid import DiagramError, draw, find_tools

    tools = find_tools()
    if isinstance(tools, DiagramError):
        print(f"Mermaid: not measured ({tools})")
        return
    print(f"Mermaid {tools.mermaid_version} in {tools.chromium}:")
    for count in (1, len(DIAGRAMS), 3 * len(DIAGRAMS)):
        sources = [f"{d}%% {count}-{i}\n" for i in range(count // len(DIAGRAMS) or 1)
                   for d in DIAGRAMS][:count]
        cache = DrawingCache(f"bench-{count}", cache_dir)
        start = time.perf_counter()
        results = draw(sources, cache)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        draw(sources, cache)
        warm = time.perf_counter() - start
        failed = sum(isinstance(r, DiagramError) for r in results)
        print(f"  {count:3d} diagrams: one Chromium run {cold:6.2f} s "
              f"({cold / count:5.2f} s a diagram), from the cache {_ms(warm)}"
              + (f", {failed} failed" if failed else ""))
    try:
        import mermaidx  # type: ignore[import-not-found]
    except ImportError:
        print("  mermaidx: not installed (pip install mermaidx to compare)")
        return
    times = []
    for source in DIAGRAMS:
        start = time.perf_counter()
        try:
            mermaidx.render(source, config={"htmlLabels": False,
                                            "flowchart": {"htmlLabels": False}})
        except Exception as exc:  # (a comparison only)
            print(f"  mermaidx failed: {type(exc).__name__}")
        times.append(time.perf_counter() - start)
    print(f"  mermaidx (QuickJS), text labels: median {statistics.median(times):.2f} s a "
          f"diagram, {sum(times):.1f} s for {len(times)}")


def bench_math() -> None:
    from kbbook.render.math import _mathml_text, _svg_text, math_svg, mathml

    start = time.perf_counter()
    mathml("x", False)  # (imports and font loading)
    math_svg(mathml("x", False))
    first = time.perf_counter() - start
    to_mathml, to_svg = [], []
    for tex in FORMULAS:
        _mathml_text.cache_clear()
        _svg_text.cache_clear()
        start = time.perf_counter()
        element = mathml(tex, True)
        to_mathml.append(time.perf_counter() - start)
        start = time.perf_counter()
        math_svg(element)
        to_svg.append(time.perf_counter() - start)
    print(f"Formulas ({len(FORMULAS)}; first use, with imports: {first:.2f} s):")
    print(f"  TeX to MathML: median {_ms(statistics.median(to_mathml))}, "
          f"max {_ms(max(to_mathml))}")
    print(f"  MathML to SVG: median {_ms(statistics.median(to_svg))}, "
          f"max {_ms(max(to_svg))}")


def bench_site(site: Path, cache_dir: Path) -> None:
    from kbbook import build_epub

    if not site.is_dir():
        print(f"{site}: not there; whole-book figures skipped")
        return
    os.environ["KBBOOK_CACHE_DIR"] = str(cache_dir / "site")
    with tempfile.TemporaryDirectory() as tmp:
        build_epub(site, Path(tmp) / "warm-up.epub", diagnostics=None)  # (imports)
        os.environ["KBBOOK_CACHE_DIR"] = str(cache_dir / "site-measured")
        for label in ("cold (draws every diagram)", "cached (draws nothing)"):
            start = time.perf_counter()
            built = build_epub(site, Path(tmp) / "book.epub")
            seconds = time.perf_counter() - start
            size = built.output.stat().st_size
            drawn = len(re.findall(rb"kb-diagram-svg", _all_xhtml(built.output)))
            print(f"  {site.name} EPUB, {label}: {seconds:6.2f} s, {size / 1024:7.1f} KiB, "
                  f"{drawn} diagrams")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory of this process: {peak:.0f} MiB (Chromium runs in its own)")


def _all_xhtml(epub: Path) -> bytes:
    import zipfile

    with zipfile.ZipFile(epub) as z:
        return b"".join(z.read(n) for n in z.namelist() if n.endswith(".xhtml"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", nargs="?", type=Path, default=DEFAULT_SITE)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    with tempfile.TemporaryDirectory(prefix="kbbook-bench-cache-") as cache:
        bench_mermaid(Path(cache))
        bench_math()
        print("Whole book:")
        bench_site(args.site, Path(cache))


if __name__ == "__main__":
    main()
