"""`kbbook watch`: the books rebuilt whenever the site changes (watchfiles), saying what
changed and what was rebuilt; a build that fails leaves the last good books in place (each
is written atomically) and the watch goes on.

The PDF's build cache makes a rebuild after a one-page edit lay out only the chunk that
page is in; the EPUB is rebuilt whole (its images come from their cache of the run).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import KbbookError
from .pipeline import BookNotWritten, SiteOptions, build_books
from .writers.common import human_size

_SKIPPED_FOLDERS = frozenset({".git", ".hg", ".svn", "_site", ".jekyll-cache",
                              ".sass-cache", "node_modules", "vendor", ".bundle", "__pycache__"})


def relevant(site: Path, output: Path, path: Path) -> bool:
    """A change kbbook reads: anything in the site but its build output, version control,
    Jekyll's caches and editors' temporary files."""
    try:
        rel = path.resolve().relative_to(site.resolve())
    except ValueError:
        return False
    try:
        path.resolve().relative_to(output.resolve())
        return False  # (our own books, and their temporary files)
    except ValueError:
        pass
    if any(part in _SKIPPED_FOLDERS for part in rel.parts):
        return False
    name = rel.name
    # (editors' lock and swap files; kbbook's own files being written end in .part)
    return not (name.startswith(".#") or name.endswith(("~", ".swp", ".swx", ".tmp", ".part")))


def _say(message: str) -> None:
    print(f"kbbook watch: {message}", file=sys.stderr, flush=True)


def _build(options: SiteOptions, output: Path, formats: Sequence[str],
           chosen: dict[str, Any]) -> bool:
    start = time.perf_counter()
    try:
        built = build_books(options, output, formats=formats, css=chosen.get("css", ()),
                            device=chosen.get("device", "default"),
                            paper=chosen.get("paper", "a4"),
                            pdf_variant=chosen.get("pdf_variant", "pdf/ua-1"),
                            strict=chosen.get("strict", False), jobs=chosen.get("jobs"),
                            cache=chosen.get("cache", True), cache_dir=chosen.get("cache_dir"),
                            image_dpi=chosen.get("image_dpi", 300))
    except BookNotWritten as exc:
        for d in exc.diagnostics.sorted():
            print(d, file=sys.stderr)
        _say(f"build failed: {exc.message}; the last good book stays")
        return False
    except KbbookError as exc:
        _say(f"build failed: {exc.message}; the last good book stays")
        return False
    for d in built[0].diagnostics.sorted() if built else ():
        print(d, file=sys.stderr)
    seconds = time.perf_counter() - start
    names = ", ".join(f"{b.output.name} ({human_size(b.output.stat().st_size)})"
                      for b in built)
    _say(f"rebuilt {names} in {seconds:.1f} s")
    return True


def watch_site(options: SiteOptions, output: Path, formats: Sequence[str],
               chosen: dict[str, Any], *, once: bool = False) -> None:
    """Build, then rebuild on every change until Ctrl-C (or, with `once`, after the first
    rebuild)."""
    import watchfiles

    site = options.site
    if not site.is_dir():
        raise KbbookError(f"{site}: no such folder; give the path of a just-the-docs site")
    output.mkdir(parents=True, exist_ok=True)
    _build(options, output, formats, chosen)
    _say(f"watching {site} for changes (Ctrl-C stops)")
    for changes in watchfiles.watch(site, watch_filter=lambda _c, p: relevant(
            site, output, Path(p)), debounce=400, step=100, raise_interrupt=False):
        names = sorted({Path(p).resolve().relative_to(site.resolve()).as_posix()
                        for _, p in changes})
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5
                                        else "")
        _say(f"changed: {shown}")
        _build(options, output, formats, chosen)
        if once:
            return
