"""Sites for the Liquid tests: a page, its includes and data, run through kbbook's Liquid."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kbbook.errors import Diagnostic, Diagnostics
from kbbook.site import Page, load_config, load_pages
from kbbook.site.liquid import Expanded, Limits, Origin, SiteLiquid

from sitemaker import make_site

LOCK = {3: "GEM\n  specs:\n    jekyll (3.10.0)\n", 4: "GEM\n  specs:\n    jekyll (4.3.3)\n"}


@dataclass(frozen=True)
class Rendered:
    """One page after Liquid."""

    text: str
    expanded: Expanded
    problems: list[Diagnostic]

    @property
    def lines(self) -> list[Origin]:
        return list(self.expanded.lines)


def site_liquid(root: Path, files: dict[str, str] | None = None,
                config: dict[str, Any] | None = None, *, jekyll: int = 4,
                limits: Limits | None = None) -> tuple[SiteLiquid, dict[str, Page]]:
    """Write the site (config as _config.yml; a Gemfile.lock pinning Jekyll `jekyll`)."""
    all_files: dict[str, str | bytes] = dict(files or {})
    all_files["_config.yml"] = yaml.safe_dump(config or {}, sort_keys=False, allow_unicode=True)
    all_files["Gemfile.lock"] = LOCK[jekyll]
    make_site(root, all_files)
    diagnostics = Diagnostics()
    cfg = load_config(root, diagnostics)
    pages = load_pages(cfg, diagnostics)
    kwargs = {"limits": limits} if limits is not None else {}
    return SiteLiquid(cfg, pages, **kwargs), {p.rel: p for p in pages}


def expand(liquid: SiteLiquid, page: Page) -> Rendered:
    diagnostics = Diagnostics()
    expanded = liquid.expand(page, diagnostics)
    return Rendered(expanded.text, expanded, list(diagnostics))


def render(root: Path, body: str, files: dict[str, str] | None = None,
           config: dict[str, Any] | None = None, **kwargs: Any) -> Rendered:
    """`page.md` (title "The page"; its body starts on line 4) with `body`, in a site of
    `files`."""
    files = dict(files or {})
    files["page.md"] = "---\ntitle: The page\n---\n" + body
    liquid, pages = site_liquid(root, files, config, **kwargs)
    return expand(liquid, pages["page.md"])
