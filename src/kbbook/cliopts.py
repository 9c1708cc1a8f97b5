"""The options of the `kbbook` commands, as Typer declares them (cli.py uses them): None
for "not given", so that a setting of `_config.yml`'s `kbbook:` section can stand in."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .writers.common import VARIANTS

SiteArg = Annotated[
    Path | None,
    typer.Argument(help="The site folder (default: ./content, the kbbook handbook).",
                   show_default=False),
]
class NavRulesChoice(StrEnum):
    modern = "modern"
    legacy = "legacy"


class DeviceChoice(StrEnum):
    default = "default"
    tablet = "tablet"
    kobo = "kobo"
    kindle = "kindle"
    eink = "eink"


VariantChoice = StrEnum("VariantChoice", {v: v for v in VARIANTS})  # type: ignore[misc]


class PaperChoice(StrEnum):
    a4 = "a4"
    letter = "letter"


NavRulesOpt = Annotated[
    NavRulesChoice | None,
    typer.Option("--nav-rules", case_sensitive=False, show_default=False,
                 help="Sidebar rules: modern (theme 0.10+) or legacy (0.7-0.9); "
                 "default: from the theme version the site pins."),
]
GithubPagesOpt = Annotated[
    bool | None,
    typer.Option("--github-pages/--no-github-pages", show_default=False,
                 help="Read the site as GitHub Pages builds it (its default plugins: pages "
                 "without front matter, README as index, titles from headings) or as plain "
                 "Jekyll; default: GitHub Pages when the site has no Gemfile or its Gemfile "
                 "uses the github-pages gem."),
]
HiddenOpt = Annotated[
    bool | None, typer.Option("--include-hidden", show_default=False,
                              help="Put nav_exclude pages back in the book.")
]
StrictOpt = Annotated[bool | None, typer.Option("--strict", show_default=False,
                                                help="Treat warnings as errors.")]
LinkedOpt = Annotated[
    bool | None, typer.Option("--linked-pages/--no-linked-pages", show_default=False,
                              help="Put the pages the book links to that the sidebar does "
                              "not show in an appendix (default), or leave them out.")
]


OutOpt = Annotated[
    Path | None,
    typer.Option("-o", "--output", metavar="FILE", show_default=False,
                 help="The file to write (default: the site title, here, or in the folder "
                 "kbbook.output names)."),
]
FolderOpt = Annotated[
    Path | None,
    typer.Option("-o", "--output", metavar="FOLDER", show_default=False,
                 help="The folder to write into (made when missing; default: here)."),
]
CssOpt = Annotated[
    list[Path] | None,
    typer.Option("--css", metavar="FILE", show_default=False,
                 help="Add your own stylesheet after the default one (repeatable)."),
]
RemoteOpt = Annotated[
    bool | None,
    typer.Option("--allow-remote", show_default=False,
                 help="Fetch http(s) images; without it kbbook never goes to the network."),
]
DeviceOpt = Annotated[
    DeviceChoice | None,
    typer.Option("--device", case_sensitive=False, show_default=False,
                 help="The reader the book is for: default, tablet, kobo (a Kobo EPUB, "
                 ".kepub.epub), kindle (Send to Kindle) or eink (greys, type styles)."),
]
PaperOpt = Annotated[PaperChoice | None, typer.Option(
    "--paper", case_sensitive=False, show_default=False, help="Paper size: a4 (default) or "
    "letter.")]
QuietOpt = Annotated[bool | None, typer.Option("--quiet", "-q", show_default=False,
                                               help="No progress display.")]
VerboseOpt = Annotated[bool | None, typer.Option(
    "--verbose", "-v", show_default=False, help="One line per stage on standard error (when "
    "the progress display is not shown: off a terminal, or with --quiet); for an EPUB, also "
    "its largest files.")]
JobsOpt = Annotated[int | None, typer.Option(
    "--jobs", "-j", min=1, max=256, metavar="N", show_default=False,
    help="Worker processes that lay out the PDF (default: one per core).")]
CacheDirOpt = Annotated[Path | None, typer.Option(
    "--cache-dir", metavar="FOLDER", show_default=False, file_okay=False,
    help="Where chunk renders are kept for the next build (default: the user's cache "
    "folder, e.g. ~/.cache/kbbook, or $KBBOOK_CACHE_DIR).")]
CacheOpt = Annotated[bool | None, typer.Option(
    "--cache/--no-cache", show_default=False,
    help="Use and keep chunk renders (default), or neither.")]
DpiOpt = Annotated[int | None, typer.Option(
    "--image-dpi", min=72, max=2400, metavar="DPI", show_default=False,
    help="Images are downsampled to this resolution at their printed size (default 300).")]
VariantOpt = Annotated[VariantChoice | None, typer.Option(  # type: ignore[valid-type]
    "--pdf-variant", case_sensitive=False, show_default=False,
    help="pdf/ua-1 (default): tagged, for screen readers; pdf/a-2b, pdf/a-2u, ...: "
    "archival PDF/A (tagged too); none: untagged.")]
