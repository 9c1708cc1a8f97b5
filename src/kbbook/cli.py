"""The `kbbook` command line (Typer only): parses flags, calls the Python API of
`pipeline.py`, turns problems into messages and exit codes."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from .book import Book, Node, fold
from .errors import Diagnostics, KbbookError
from .pipeline import (
    BookNotWritten,
    Built,
    SiteOptions,
    build_epub,
    build_pdf,
    check_site,
    load_book,
)
from .version import __version__
from .writers.common import VARIANTS, human_size

app = typer.Typer(
    name="kbbook",
    help=(
        "Turn a just-the-docs knowledge base into one book: an EPUB 3 for e-readers and a "
        "printable PDF.\n\n"
        "Example: kbbook epub docs/ -o handbook.epub\n\n"
        "Exit codes: 0 done (warnings allowed), 1 the site has errors, 2 wrong usage."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])

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
    typer.Option("--nav-rules", case_sensitive=False,
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
    bool, typer.Option("--include-hidden", help="Put nav_exclude pages back in the book.")
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")]
LinkedOpt = Annotated[
    bool, typer.Option("--linked-pages/--no-linked-pages",
                       help="Put the pages the book links to that the sidebar does not show "
                       "in an appendix (default), or leave them out.")
]


def _site_options(site: Path | None, nav_rules: NavRulesChoice | None,
                  github_pages: bool | None, include_hidden: bool, allow_remote: bool = False,
                  linked_pages: bool = True) -> SiteOptions:
    if site is None:
        site = Path("content")
        if not site.is_dir():
            raise KbbookError("no SITE given and no ./content folder here; "
                              "give the path of a just-the-docs site, e.g. 'kbbook toc docs/'")
    rules = None if nav_rules is None else nav_rules.value
    return SiteOptions(site, rules, github_pages, include_hidden,  # type: ignore[arg-type]
                       allow_remote, linked_pages)


def _report(diagnostics: Diagnostics, strict: bool, stream: Any = None) -> int:
    """Print every problem, one a line; return the exit code they imply."""
    stream = stream or sys.stderr
    for d in diagnostics.sorted():
        print(d, file=stream)
    failed = bool(diagnostics.errors) or (strict and bool(diagnostics.warnings))
    return 1 if failed else 0


def _friendly(func: F) -> F:
    """Turn KbbookError, Ctrl-C and anything unexpected into one line and an exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except KbbookError as exc:
            print(f"kbbook: error: {exc.message}", file=sys.stderr)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            print("kbbook: interrupted; no file was changed", file=sys.stderr)
            raise typer.Exit(130) from None
        except RecursionError:
            print("kbbook: error: the site nests too deeply to be read (over 1,000 levels of "
                  "lists, quotes or parents); simplify the deepest page", file=sys.stderr)
            raise typer.Exit(1) from None
        except BrokenPipeError:
            # `kbbook toc | head`: the reader has what it wanted; no message, no error.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(0) from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            print(f"kbbook: error: {where}{exc.strerror or exc}", file=sys.stderr)
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort, typer.BadParameter, SystemExit):
            raise
        except Exception as exc:
            # A bug of ours, not the user's: one line, unless they ask for the details.
            if os.environ.get("KBBOOK_DEBUG"):
                raise
            print(f"kbbook: internal error: {type(exc).__name__}: {exc} (run again with "
                  "KBBOOK_DEBUG=1 for details, and report it)", file=sys.stderr)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _tree_json(roots: tuple[Node, ...]) -> str:
    """The tree as JSON: depth is unlimited, so it is built with `fold` (no recursion)."""
    depth = [0]

    def entry(node: Node, level: int, children: list[dict[str, Any]]) -> dict[str, Any]:
        depth[0] = max(depth[0], level)
        return {"title": node.page.title, "source": node.page.rel, "url": node.page.url,
                "kind": node.page.kind.value, "children": children}

    top = fold(roots, entry)
    # The encoder itself recurses once or twice per level.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 4 * depth[0] + 1000))
    try:
        return json.dumps(top, indent=2, ensure_ascii=False)
    finally:
        sys.setrecursionlimit(limit)


def _hidden_text(book: Book) -> str:
    groups: dict[str, list[str]] = {}
    for hidden in book.hidden:
        label = hidden.page.title or "(untitled)"
        groups.setdefault(hidden.reason, []).append(f"  {label}  <- {hidden.page.rel}")
    lines = []
    for reason, entries in groups.items():
        lines.append(f"Left out of the book: {reason}")
        lines.extend(entries)
    return "\n".join(lines)


@app.command()
@_friendly
def toc(
    site: SiteArg = None,
    paths: Annotated[bool, typer.Option("--paths", help="Show each page's source file.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the tree as JSON.")] = False,
    nav_rules: NavRulesOpt = None,
    github_pages: GithubPagesOpt = None,
    include_hidden: HiddenOpt = False,
    linked_pages: LinkedOpt = True,
) -> None:
    """Print the book's outline, in the order the site's sidebar shows, then its appendix.

    Example: kbbook toc docs/ --paths
    """
    diagnostics = Diagnostics()
    book = load_book(_site_options(site, nav_rules, github_pages, include_hidden,
                                   linked_pages=linked_pages), diagnostics)
    if as_json:
        print(_tree_json(book.roots))
    else:
        print(book.outline(paths=paths))
        if book.hidden:
            print()
            print(_hidden_text(book))
    errors = [d for d in diagnostics.sorted() if d.severity == "error"]
    for d in errors:
        print(d, file=sys.stderr)
    raise typer.Exit(1 if errors else 0)


@app.command()
@_friendly
def check(
    site: SiteArg = None,
    strict: StrictOpt = False,
    nav_rules: NavRulesOpt = None,
    github_pages: GithubPagesOpt = None,
    include_hidden: HiddenOpt = False,
    linked_pages: LinkedOpt = True,
) -> None:
    """List every problem of the site, one a line: FILE:LINE: error|warning: message.

    Example: kbbook check docs/ --strict
    """
    checked = check_site(_site_options(site, nav_rules, github_pages, include_hidden,
                                       linked_pages=linked_pages))
    diagnostics = checked.diagnostics
    code = _report(diagnostics, strict, sys.stdout)
    if checked.problem is not None:
        print(f"kbbook: error: {checked.problem}", file=sys.stderr)
        code = 1
    if checked.mode:
        print(f"kbbook: {checked.mode}", file=sys.stderr)
    errors, warnings = len(diagnostics.errors), len(diagnostics.warnings)
    print(f"{_count(checked.pages, 'page')} in the book, {_count(errors, 'error')}, "
          f"{_count(warnings, 'warning')}", file=sys.stderr)
    raise typer.Exit(code)


def _written(build: Callable[[], Built]) -> None:
    """Build, list what was found, say where the book is; over errors, say why not."""
    try:
        built = build()
    except BookNotWritten as exc:
        _report(exc.diagnostics, False)
        raise
    _report(built.diagnostics, False)
    print(f"wrote {built.output} ({human_size(built.output.stat().st_size)})", file=sys.stderr)


OutOpt = Annotated[
    Path | None,
    typer.Option("-o", "--output", metavar="FILE", show_default=False,
                 help="The file to write (default: the site title, here)."),
]
CssOpt = Annotated[
    list[Path] | None,
    typer.Option("--css", metavar="FILE", show_default=False,
                 help="Add your own stylesheet after the default one (repeatable)."),
]
RemoteOpt = Annotated[
    bool,
    typer.Option("--allow-remote", help="Fetch http(s) images; without it kbbook never goes "
                 "to the network."),
]


def _stylesheets(css: list[Path] | None) -> tuple[Path, ...]:
    sheets = tuple(css or ())
    for sheet in sheets:
        if sheet.is_dir():
            raise typer.BadParameter(f"{sheet} is a folder; give a CSS file", param_hint="--css")
        if not sheet.is_file():
            raise typer.BadParameter(f"{sheet}: no such file", param_hint="--css")
    return sheets


@app.command()
@_friendly
def epub(
    site: SiteArg = None,
    output: OutOpt = None,
    css: CssOpt = None,
    device: Annotated[
        DeviceChoice,
        typer.Option("--device", case_sensitive=False,
                     help="The reader the book is for: default, tablet, kobo (a Kobo EPUB, "
                     ".kepub.epub), kindle (Send to Kindle) or eink (greys, type styles)."),
    ] = DeviceChoice.default,
    strict: StrictOpt = False,
    allow_remote: RemoteOpt = False,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="Also list the book's largest files.")] = False,
    nav_rules: NavRulesOpt = None,
    github_pages: GithubPagesOpt = None,
    include_hidden: HiddenOpt = False,
    linked_pages: LinkedOpt = True,
) -> None:
    """Write the book as an EPUB 3 for e-readers.

    Example: kbbook epub docs/ -o handbook.epub --device kobo
    """
    sheets = _stylesheets(css)
    options = _site_options(site, nav_rules, github_pages, include_hidden, allow_remote,
                            linked_pages)
    built: list[Built] = []

    def build() -> Built:
        built.append(build_epub(options, output, css=sheets, device=device.value,
                                strict=strict))
        return built[0]

    _written(build)
    if verbose and built:
        for line in largest_files(built[0].output):
            print(line, file=sys.stderr)


def largest_files(epub: Path, count: int = 10) -> list[str]:
    """What takes the room in an EPUB: its largest files, as lines."""
    import zipfile

    with zipfile.ZipFile(epub) as book:
        entries = sorted(book.infolist(), key=lambda i: -i.compress_size)
    lines = [f"{epub}: largest files:"]
    lines += [f"  {human_size(i.compress_size):>9}  {i.filename}" for i in entries[:count]]
    return lines


@app.command()
@_friendly
def pdf(
    site: SiteArg = None,
    output: OutOpt = None,
    only: Annotated[
        list[str] | None,
        typer.Option("--only", metavar="TITLE", show_default=False,
                     help="Print only this chapter or page with its subtree, by title, or "
                     "by source file when titles repeat (repeatable)."),
    ] = None,
    paper: Annotated[PaperChoice, typer.Option("--paper", case_sensitive=False,
                                               help="Paper size.")] = PaperChoice.a4,
    css: CssOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="One line per stage on standard error (when the progress "
        "display is not shown: off a terminal, or with --quiet).")] = False,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, max=256, metavar="N", show_default=False,
        help="Worker processes that lay out the book (default: one per core).")] = None,
    cache_dir: Annotated[Path | None, typer.Option(
        "--cache-dir", metavar="FOLDER", show_default=False, file_okay=False,
        help="Where chunk renders are kept for the next build (default: the user's cache "
        "folder, e.g. ~/.cache/kbbook, or $KBBOOK_CACHE_DIR).")] = None,
    no_cache: Annotated[bool, typer.Option(
        "--no-cache", help="Neither use nor keep chunk renders.")] = False,
    image_dpi: Annotated[int, typer.Option(
        "--image-dpi", min=72, max=2400, metavar="DPI",
        help="Images are downsampled to this resolution at their printed size.")] = 300,
    pdf_variant: Annotated[VariantChoice, typer.Option(  # type: ignore[valid-type]
        "--pdf-variant", case_sensitive=False,
        help="pdf/ua-1: tagged, for screen readers; pdf/a-2b, pdf/a-2u, ...: archival "
        "PDF/A (tagged too); none: untagged.")] = VariantChoice["pdf/ua-1"],  # type: ignore[valid-type]
    strict: StrictOpt = False,
    allow_remote: RemoteOpt = False,
    nav_rules: NavRulesOpt = None,
    github_pages: GithubPagesOpt = None,
    include_hidden: HiddenOpt = False,
    linked_pages: LinkedOpt = True,
) -> None:
    """Write the book, or a handout of some of its chapters, as a printable PDF.

    Example: kbbook pdf docs/ --only "Getting started" -o handout.pdf
    """
    sheets = _stylesheets(css)
    options = _site_options(site, nav_rules, github_pages, include_hidden, allow_remote,
                            linked_pages)
    progress = not quiet and sys.stderr.isatty()
    _written(lambda: build_pdf(options, output, only=only or (), paper=paper.value, css=sheets,
                               progress=progress, verbose=verbose, strict=strict, jobs=jobs,
                               cache=not no_cache, cache_dir=cache_dir, image_dpi=image_dpi,
                               pdf_variant=pdf_variant.value))


def main() -> None:
    """Console entry point."""
    app()


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")] = False,
) -> None:
    if version:
        print(f"kbbook {__version__}")
        raise typer.Exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
