"""`kbbook watch`: the books rebuilt whenever the site changes (watchfiles), saying what
changed and what was rebuilt; a build that fails leaves the last good books in place (each
is written atomically) and the watch goes on.

The PDF's build cache makes a rebuild after a one-page edit lay out only the chunk that
page is in; the EPUB is rebuilt whole (its images come from their cache of the run).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from .clireport import report
from .errors import KbbookError
from .pipeline import BookNotWritten, Built
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


def _build(build: Callable[[], tuple[Built, ...]]) -> bool:
    start = time.perf_counter()
    try:
        built = build()
    except BookNotWritten as exc:
        report(exc.diagnostics, False)
        _say(f"build failed: {exc.message}; the last good book stays")
        return False
    except KbbookError as exc:
        _say(f"build failed: {exc.message}; the last good book stays")
        return False
    if built:
        report(built[0].diagnostics, False)
    seconds = time.perf_counter() - start
    names = ", ".join(f"{b.output.name} ({human_size(b.output.stat().st_size)})"
                      for b in built)
    _say(f"rebuilt {names} in {seconds:.1f} s")
    return True


def watch_site(site: Path, output: Path, build: Callable[[], tuple[Built, ...]], *,
               once: bool = False) -> None:
    """`build` (the books into `output`), then again on every change of `site` until
    Ctrl-C (or, with `once`, after the first rebuild)."""
    import watchfiles

    if not site.is_dir():
        raise KbbookError(f"{site}: no such folder; give the path of a just-the-docs site")
    output.mkdir(parents=True, exist_ok=True)
    _build(build)
    _say(f"watching {site} for changes (Ctrl-C stops)")
    for changes in watchfiles.watch(site, watch_filter=lambda _c, p: relevant(
            site, output, Path(p)), debounce=400, step=100, raise_interrupt=False):
        names = sorted({Path(p).resolve().relative_to(site.resolve()).as_posix()
                        for _, p in changes})
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5
                                        else "")
        _say(f"changed: {shown}")
        _build(build)
        if once:
            return
