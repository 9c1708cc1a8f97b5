"""What the site's pages load to draw what Markdown leaves as text: a math engine (MathJax
or KaTeX, and which delimiters it reads) and Mermaid.

just-the-docs draws ```` ```mermaid ```` blocks when `_config.yml` has `mermaid:`; other
sites load Mermaid, MathJax or KaTeX from their own `_includes/` or `_layouts/`. kbbook
reads those files (only inside the site) to show the same: it never runs them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..site import SiteConfig, site_file

_FOLDERS = ("_includes", "_layouts")
_MAX_BYTES = 1_000_000
_MAX_FILES = 500
_MERMAID = re.compile(r"mermaid(?:\.min)?\.(?:js|esm)|mermaid\.initialize|import\s+mermaid",
                      re.IGNORECASE)
_MATH = re.compile(r"mathjax|katex", re.IGNORECASE)
# `$...$` is math only where the site's configuration says so (MathJax's inlineMath,
# KaTeX auto-render's delimiters); neither engine reads it by default.
_SINGLE_DOLLAR = re.compile(
    r"""inlineMath\s*:\s*\[\s*\[\s*['"]\$['"]|left\s*:\s*['"]\$['"]\s*,\s*right\s*:\s*['"]\$['"]""",
    re.IGNORECASE)


@dataclass(frozen=True)
class SiteScripts:
    """What the site's pages draw."""

    mermaid: bool = False
    """```` ```mermaid ```` blocks are drawn as diagrams."""
    math_engine: bool = False
    """A math engine typesets `\\(...\\)` and `\\[...\\]` (kramdown's `$$` is math anyway)."""
    single_dollar: bool = False
    """The engine reads `$...$` as inline math too."""


def _layout_texts(root: Path) -> list[str]:
    texts: list[str] = []
    for folder in _FOLDERS:
        base = root / folder
        if not base.is_dir() or base.is_symlink():
            continue  # (a linked folder may lead outside the site)
        for dirpath, _dirs, names in os.walk(base, followlinks=False):
            for name in sorted(names):
                if len(texts) >= _MAX_FILES or not name.endswith((".html", ".js", ".htm")):
                    continue
                rel = Path(dirpath, name).relative_to(root).as_posix()
                path = site_file(root, rel)
                if path is None or path.stat().st_size > _MAX_BYTES:
                    continue
                texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return texts


@lru_cache(maxsize=16)
def _scan(root: Path, has_mermaid_key: bool, math_key: str) -> SiteScripts:
    texts = _layout_texts(root)
    mermaid = has_mermaid_key or any(_MERMAID.search(t) for t in texts)
    engine = bool(math_key) or any(_MATH.search(t) for t in texts)
    single = any(_SINGLE_DOLLAR.search(t) for t in texts)
    return SiteScripts(mermaid, engine, engine and single)


def site_scripts(config: SiteConfig) -> SiteScripts:
    """What the site draws: from `_config.yml` (`mermaid:`, `math:`) and its layouts."""
    variables = config.variables
    math = variables.get("math")
    math_key = str(math).lower() if isinstance(math, str) and math.lower() in (
        "mathjax", "katex") else ""
    return _scan(config.root, variables.get("mermaid") is not None, math_key)
