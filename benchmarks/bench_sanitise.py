"""nh3 (Ammonia) against kbbook's own sanitiser, on the hostile test pages and real sites (a
measurement that decided what kbbook uses; nh3 is not a dependency: `pip install nh3`).

Each page's Markdown is rendered to HTML as kbbook renders it, then sanitised both ways:
- kbbook: its lenient parse, `sanitise` (allowlist, content models, embeds to links,
  warnings with lines), the XHTML tree;
- nh3: `nh3.clean` with the same allowlist of tags and attributes and URL schemes, then the
  same parse and XHTML tree, without kbbook's sanitiser.

For each it counts what a reader or EPUBCheck would meet (for kbbook, in the page as it
reaches the book: links are resolved after sanitising): active content left (script,
`on*=`, javascript:/data: URLs), structure EPUB forbids (kbbook's content-model repair would
still change something), embedded media dropped without a trace (no link to its address),
and warnings naming file and line; then the time spent sanitising alone.

    .venv/bin/python benchmarks/bench_sanitise.py [SITE ...]
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
import tempfile
import time
from pathlib import Path

from kbbook import Diagnostics, SiteOptions, load_book
from kbbook.render import render_pages
from kbbook.render.html import parse_fragment
from kbbook.render.markdown import create_markdown
from kbbook.render.nesting import cap_nesting
from kbbook.render.sanitise import _ATTRS, GLOBAL_ATTRS, KEEP, sanitise
from kbbook.render.structure import complete_structures
from kbbook.render.xhtml import fragment_text, to_xhtml
from kbbook.site import LinkResolver, Page
from kbbook.site.liquid import SiteLiquid

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
sys.path.insert(0, str(ROOT / "tests"))
_ACTIVE = re.compile(r"<script|\son\w+=|javascript:|data:text", re.IGNORECASE)


def pages_of(site: Path) -> tuple[list[Page], LinkResolver]:
    book = load_book(SiteOptions(site), Diagnostics())
    pages = [*book.reading_order, *(h.page for h in book.hidden)]
    return pages, LinkResolver(book.config, pages)


def hostile_site(folder: Path) -> Path:
    from test_hostile_content import PAGES

    (folder / "_config.yml").write_text("title: Hostile\n")
    for name, (body, _, _) in PAGES.items():
        (folder / f"{name}.md").write_text(f"---\ntitle: {name}\n---\n{body}", encoding="utf-8")
    return folder


def nh3_options() -> dict[str, object]:
    attributes = {tag: set(allowed) for tag, allowed in _ATTRS.items()}
    attributes["*"] = {name for name in GLOBAL_ATTRS if name != "epub:type"}
    return {"tags": set(KEEP), "attributes": attributes, "link_rel": None,
            "url_schemes": {"http", "https", "mailto", "ftp", "tel"},
            "clean_content_tags": {"script", "style"}}


def measure(pages: list[Page], resolver: LinkResolver) -> None:
    import nh3

    md = create_markdown()
    liquid = SiteLiquid(resolver.config, pages)
    options = nh3_options()
    totals = {name: {"active": 0, "structure": 0, "embeds lost": 0, "warnings": 0,
                     "seconds": 0.0} for name in ("kbbook", "nh3")}
    for page in pages:
        source = liquid.expand(page, Diagnostics()).text
        html = md.render(cap_nesting(source)[0])
        embeds = len(re.findall(r"<(?:iframe|embed|object|video|audio)\b", html, re.I))

        start = time.perf_counter()
        root, _ = parse_fragment(html)
        found: list[str] = []
        sanitise(root, lambda el, code, message, found=found: found.append(code))
        totals["kbbook"]["seconds"] += time.perf_counter() - start
        # What reaches the book: links are resolved (and unsafe ones dropped) after this.
        (rendered,) = render_pages([page], resolver, Diagnostics())
        ours = fragment_text(rendered.body)
        totals["kbbook"]["warnings"] += len(found)

        start = time.perf_counter()
        cleaned = nh3.clean(html, **options)  # type: ignore[arg-type]
        theirs_root, _ = parse_fragment(cleaned)
        theirs = fragment_text(to_xhtml(theirs_root))
        totals["nh3"]["seconds"] += time.perf_counter() - start

        for name, text, tree in (("kbbook", ours, root), ("nh3", theirs, theirs_root)):
            totals[name]["active"] += bool(_ACTIVE.search(text))
            repaired = copy.deepcopy(tree)
            complete_structures(repaired)
            totals[name]["structure"] += (fragment_text(to_xhtml(repaired))
                                          != fragment_text(to_xhtml(tree)))
            totals[name]["embeds lost"] += max(0, embeds - text.count("kb-embed"))
    print(f"  {'':8} {'active':>7} {'structure':>10} {'embeds lost':>12} {'warnings':>9} "
          f"{'ms/page':>8}")
    for name, t in totals.items():
        print(f"  {name:8} {t['active']:7} {t['structure']:10} {t['embeds lost']:12} "
              f"{t['warnings']:9} {1000 * t['seconds'] / max(len(pages), 1):8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sites", nargs="*", type=Path,
                        default=[CORPORA / "productbrain", CORPORA / "lakefs", CORPORA / "mptcp"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for site in [hostile_site(Path(tmp)), *args.sites]:
            pages, resolver = pages_of(site)
            name = "hostile test pages" if site == Path(tmp) else site.name
            print(f"{name} ({len(pages)} pages):")
            measure(pages, resolver)
    print("active: pages with script, on*= or javascript:/data: left; structure: pages whose "
          "structure EPUB refuses; embeds lost: players dropped without a link; warnings: "
          "things removed that the author is told of (file and line)")


if __name__ == "__main__":
    main()
