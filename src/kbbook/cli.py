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
    build_books,
    build_epub,
    build_handouts,
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


def _site_path(site: Path | None) -> Path:
    if site is None:
        site = Path("content")
        if not site.is_dir():
            raise KbbookError("no SITE given and no ./content folder here; "
                              "give the path of a just-the-docs site, e.g. 'kbbook toc docs/'")
    return site


def _settings(command: str, site: Path | None, **given: Any) -> tuple[Path, dict[str, Any]]:
    """The options in effect for `command`: the command line's, else the site's `kbbook:`
    section's, else the defaults."""
    from .settings import resolve, values

    path = _site_path(site)
    plain = {k: (v.value if isinstance(v, StrEnum) else v) for k, v in given.items()}
    return path, values(resolve(command, path, plain))


def _site_options(site: Path, chosen: dict[str, Any]) -> SiteOptions:
    return SiteOptions(site, chosen["nav_rules"], chosen["github_pages"],
                       chosen["include_hidden"], chosen.get("allow_remote", False),
                       chosen["linked_pages"])


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
    include_hidden: HiddenOpt = None,
    linked_pages: LinkedOpt = None,
) -> None:
    """Print the book's outline, in the order the site's sidebar shows, then its appendix.

    Example: kbbook toc docs/ --paths
    """
    path, chosen = _settings("toc", site, nav_rules=nav_rules, github_pages=github_pages,
                             include_hidden=include_hidden, linked_pages=linked_pages)
    diagnostics = Diagnostics()
    book = load_book(_site_options(path, chosen), diagnostics)
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
    strict: StrictOpt = None,
    nav_rules: NavRulesOpt = None,
    github_pages: GithubPagesOpt = None,
    include_hidden: HiddenOpt = None,
    linked_pages: LinkedOpt = None,
) -> None:
    """List every problem of the site, one a line: FILE:LINE: error|warning: message.

    Example: kbbook check docs/ --strict
    """
    path, chosen = _settings("check", site, strict=strict, nav_rules=nav_rules,
                             github_pages=github_pages, include_hidden=include_hidden,
                             linked_pages=linked_pages)
    checked = check_site(_site_options(path, chosen))
    diagnostics = checked.diagnostics
    code = _report(diagnostics, chosen["strict"], sys.stdout)
    if checked.problem is not None:
        print(f"kbbook: error: {checked.problem}", file=sys.stderr)
        code = 1
    if checked.mode:
        print(f"kbbook: {checked.mode}", file=sys.stderr)
    errors, warnings = len(diagnostics.errors), len(diagnostics.warnings)
    print(f"{_count(checked.pages, 'page')} in the book, {_count(errors, 'error')}, "
          f"{_count(warnings, 'warning')}", file=sys.stderr)
    raise typer.Exit(code)


def _written(build: Callable[[], Built | tuple[Built, ...]]) -> tuple[Built, ...]:
    """Build, list what was found, say where each book is; over errors, say why not."""
    try:
        result = build()
    except BookNotWritten as exc:
        _report(exc.diagnostics, False)
        raise
    built = result if isinstance(result, tuple) else (result,)
    if built:
        _report(built[0].diagnostics, False)
    for book in built:
        print(f"wrote {book.output} ({human_size(book.output.stat().st_size)})",
              file=sys.stderr)
    return built


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


def _stylesheets(css: list[Path] | None) -> tuple[Path, ...]:
    sheets = tuple(css or ())
    for sheet in sheets:
        if sheet.is_dir():
            raise typer.BadParameter(f"{sheet} is a folder; give a CSS file", param_hint="--css")
        if not sheet.is_file():
            raise typer.BadParameter(f"{sheet}: no such file", param_hint="--css")
    return sheets


def _into(output: Path | None, folder: Path | None, site: Path, suffix: str) -> Path | None:
    """-o FILE, else the book named after the title in kbbook.output's folder, else None
    (here)."""
    if output is not None or folder is None:
        return output
    from .pipeline import file_name
    from .site import load_config

    folder.mkdir(parents=True, exist_ok=True)
    return folder / file_name(load_config(site, Diagnostics()).title, suffix)


def _print_options(chosen: dict[str, Any]) -> dict[str, Any]:
    return {"paper": chosen["paper"], "pdf_variant": chosen["pdf_variant"],
            "progress": not chosen["quiet"] and sys.stderr.isatty(),
            "verbose": chosen["verbose"], "jobs": chosen["jobs"], "cache": chosen["cache"],
            "cache_dir": chosen["cache_dir"], "image_dpi": chosen["image_dpi"]}


@app.command()
@_friendly
def epub(
    site: SiteArg = None,
    output: OutOpt = None,
    css: CssOpt = None,
    device: DeviceOpt = None,
    strict: StrictOpt = None,
    allow_remote: RemoteOpt = None,
    verbose: Annotated[bool | None, typer.Option(
        "--verbose", "-v", show_default=False,
        help="Also list the book's largest files.")] = None,
    cache: Annotated[bool | None, typer.Option(
        "--cache/--no-cache", show_default=False,
        help="Use and keep prepared images (default), or neither.")] = None,
    nav_rules: NavRulesOpt = None,
    github_pages: GithubPagesOpt = None,
    include_hidden: HiddenOpt = None,
    linked_pages: LinkedOpt = None,
) -> None:
    """Write the book as an EPUB 3 for e-readers.

    Example: kbbook epub docs/ -o handbook.epub --device kobo
    """
    path, chosen = _settings("epub", site, css=_stylesheets(css), device=device,
                             strict=strict, allow_remote=allow_remote, verbose=verbose,
                             cache=cache, nav_rules=nav_rules, github_pages=github_pages,
                             include_hidden=include_hidden, linked_pages=linked_pages)
    from .writers.epub.devices import device_named

    target = _into(output, chosen["output"], path, device_named(chosen["device"]).suffix)
    built = _written(lambda: build_epub(_site_options(path, chosen), target, css=chosen["css"],
                                        device=chosen["device"], strict=chosen["strict"],
                                        cache=chosen["cache"]))
    if chosen["verbose"]:
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
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", metavar="FILE|FOLDER", show_default=False,
        help="The file to write (default: the site title, here); with --split, the folder "
        "(default: 'handouts', here).")] = None,
    only: Annotated[
        list[str] | None,
        typer.Option("--only", metavar="TITLE", show_default=False,
                     help="Print only this chapter or page with its subtree, by title, or "
                     "by source file when titles repeat (repeatable)."),
    ] = None,
    split: Annotated[bool, typer.Option(
        "--split", help="A handout for every chapter, each its own PDF, into a folder.")
    ] = False,
    split_depth: Annotated[int | None, typer.Option(
        "--split-depth", min=0, max=20, metavar="N", show_default=False,
        help="With --split: a handout for every page at depth N (0: the chapters) with its "
        "subtree; the pages above it each on their own. Implies --split.")] = None,
    paper: PaperOpt = None,
    css: CssOpt = None,
    quiet: QuietOpt = None,
    verbose: VerboseOpt = None,
    jobs: JobsOpt = None,
    cache_dir: CacheDirOpt = None,
    cache: CacheOpt = None,
    image_dpi: DpiOpt = None,
    pdf_variant: VariantOpt = None,
    strict: StrictOpt = None,
    allow_remote: RemoteOpt = None,
    nav_rules: NavRulesOpt = None,
    github_pages: GithubPagesOpt = None,
    include_hidden: HiddenOpt = None,
    linked_pages: LinkedOpt = None,
) -> None:
    """Write the book, or handouts of some or all of its chapters, as printable PDFs.

    Example: kbbook pdf docs/ --only "Getting started" -o handout.pdf
    """
    if split and split_depth is None:
        split_depth = 0
    path, chosen = _settings(
        "pdf", site, only=tuple(only or ()), split_depth=split_depth, paper=paper,
        css=_stylesheets(css), quiet=quiet, verbose=verbose, jobs=jobs, cache_dir=cache_dir,
        cache=cache, image_dpi=image_dpi, pdf_variant=pdf_variant, strict=strict,
        allow_remote=allow_remote, nav_rules=nav_rules, github_pages=github_pages,
        include_hidden=include_hidden, linked_pages=linked_pages)
    options = _site_options(path, chosen)
    if chosen["split_depth"] is not None:
        if chosen["only"]:
            raise typer.BadParameter("--only and --split each choose what to print; give one",
                                     param_hint="--split")
        folder = output or chosen["output"] or Path("handouts")
        _written(lambda: build_handouts(options, folder, depth=chosen["split_depth"],
                                        css=chosen["css"], strict=chosen["strict"],
                                        **_print_options(chosen)))
        return
    target = _into(output, chosen["output"], path, ".pdf")
    _written(lambda: build_pdf(options, target, only=chosen["only"], css=chosen["css"],
                               strict=chosen["strict"], **_print_options(chosen)))


@app.command()
@_friendly
def build(
    site: SiteArg = None,
    output: FolderOpt = None,
    formats: Annotated[str | None, typer.Option(
        "--format", "-f", metavar="epub,pdf", show_default=False,
        help="The books to write: epub, pdf or both (default: epub,pdf).")] = None,
    css: CssOpt = None,
    device: DeviceOpt = None,
    paper: PaperOpt = None,
    pdf_variant: VariantOpt = None,
    quiet: QuietOpt = None,
    verbose: VerboseOpt = None,
    jobs: JobsOpt = None,
    cache_dir: CacheDirOpt = None,
    cache: CacheOpt = None,
    image_dpi: DpiOpt = None,
    strict: StrictOpt = None,
    allow_remote: RemoteOpt = None,
    nav_rules: NavRulesOpt = None,
    github_pages: GithubPagesOpt = None,
    include_hidden: HiddenOpt = None,
    linked_pages: LinkedOpt = None,
) -> None:
    """Write the EPUB and the PDF from one read of the site, named after its title.

    Example: kbbook build docs/ -o books --format epub,pdf
    """
    from .settings import formats as parse_formats

    try:
        wanted = parse_formats(formats) if formats is not None else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--format") from None
    path, chosen = _settings(
        "build", site, formats=wanted, css=_stylesheets(css), device=device, paper=paper,
        pdf_variant=pdf_variant, quiet=quiet, verbose=verbose, jobs=jobs, cache_dir=cache_dir,
        cache=cache, image_dpi=image_dpi, strict=strict, allow_remote=allow_remote,
        nav_rules=nav_rules, github_pages=github_pages, include_hidden=include_hidden,
        linked_pages=linked_pages)
    _written(lambda: build_books(_site_options(path, chosen), output or chosen["output"],
                                 formats=chosen["formats"], css=chosen["css"],
                                 device=chosen["device"], strict=chosen["strict"],
                                 **_print_options(chosen)))


@app.command("config")
@_friendly
def show_config(
    site: SiteArg = None,
    command: Annotated[str | None, typer.Option(
        "--command", "-c", metavar="COMMAND", show_default=False,
        help="Only this command's settings (toc, check, epub, pdf, build, watch).")] = None,
) -> None:
    """Print the settings in effect for each command and where each came from: the
    command line, the site's _config.yml (kbbook: section, with its line) or the default.

    Example: kbbook config docs/ -c pdf
    """
    from .settings import SITE, describe, resolve

    commands = [c for c in SITE if command in (None, c)]
    if not commands:
        raise typer.BadParameter(f"{command!r} is no kbbook command; use one of "
                                 + ", ".join(SITE), param_hint="--command")
    path = _site_path(site)
    for n, name in enumerate(commands):
        if n:
            print()
        print("\n".join(describe(resolve(name, path, {}), name)))


@app.command()
@_friendly
def watch(
    site: SiteArg = None,
    as_pdf: Annotated[bool, typer.Option("--pdf", help="Rebuild the PDF.")] = False,
    as_epub: Annotated[bool, typer.Option("--epub", help="Rebuild the EPUB.")] = False,
    output: FolderOpt = None,
    once: Annotated[bool, typer.Option(
        "--once", hidden=True, help="Stop after the first rebuild (for tests).")] = False,
) -> None:
    """Rebuild the book whenever a page, an image, _config.yml or a stylesheet changes;
    the last good book stays when a build fails. Ctrl-C stops.

    Example: kbbook watch docs/ --pdf
    """
    from .watch import watch_site

    path, chosen = _settings("watch", site)
    wanted = tuple(f for f, on in (("epub", as_epub), ("pdf", as_pdf)) if on)
    watch_site(_site_options(path, chosen), output or chosen["output"] or Path.cwd(),
               wanted or chosen["formats"], chosen, once=once)


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
