"""The `kbbook` command line (Typer only): parses flags, calls the Python API of
`pipeline.py`, turns problems into messages and exit codes."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from .cliopts import (
    CacheDirOpt,
    CacheOpt,
    CssOpt,
    DeviceOpt,
    DpiOpt,
    FolderOpt,
    GithubPagesOpt,
    HiddenOpt,
    JobsOpt,
    LinkedOpt,
    NavRulesOpt,
    OutOpt,
    PaperOpt,
    QuietOpt,
    RemoteOpt,
    SiteArg,
    StrictOpt,
    VariantOpt,
    VerboseOpt,
)
from .clireport import count, friendly, hidden_text, largest_files, report, tree_json, written
from .errors import Diagnostics, KbbookError
from .pipeline import (
    SiteOptions,
    build_books,
    build_epub,
    build_handouts,
    build_pdf,
    check_site,
    load_book,
)
from .site.language import keep_model
from .version import __version__

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


def _site_path(site: Path | None) -> Path:
    if site is None:
        site = Path("content")
        if not site.is_dir():
            raise KbbookError("no SITE given and no ./content folder here; "
                              "give the path of a just-the-docs site, e.g. 'kbbook toc docs/'")
    return site


def _settings(command: str, site: Path | None, **given: Any) -> tuple[Path, dict[str, Any]]:
    """The options in effect for `command`: the command line's, else the site's `kbbook:`
    section's, else the defaults; also `title`, the site's title (books are named after
    it)."""
    from .settings import read_config, resolve, values

    path = _site_path(site)
    config = read_config(path)
    plain = {k: (v.value if isinstance(v, StrEnum) else v) for k, v in given.items()}
    return path, {**values(resolve(command, config, plain)), "title": config.title}


def _site_options(site: Path, chosen: dict[str, Any]) -> SiteOptions:
    return SiteOptions(site, chosen["nav_rules"], chosen["github_pages"],
                       chosen["include_hidden"], chosen.get("allow_remote", False),
                       chosen["linked_pages"])


@app.command()
@friendly
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
        print(tree_json(book.roots))
    else:
        print(book.outline(paths=paths))
        if book.hidden:
            print()
            print(hidden_text(book))
    errors = [d for d in diagnostics.sorted() if d.severity == "error"]
    for d in errors:
        print(d, file=sys.stderr)
    raise typer.Exit(1 if errors else 0)


@app.command()
@friendly
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
    code = report(diagnostics, chosen["strict"], sys.stdout)
    if checked.problem is not None:
        print(f"kbbook: error: {checked.problem}", file=sys.stderr)
        code = 1
    if checked.mode:
        print(f"kbbook: {checked.mode}", file=sys.stderr)
    errors, warnings = len(diagnostics.errors), len(diagnostics.warnings)
    print(f"{count(checked.pages, 'page')} in the book, {count(errors, 'error')}, "
          f"{count(warnings, 'warning')}", file=sys.stderr)
    raise typer.Exit(code)


def _stylesheets(css: list[Path] | None) -> tuple[Path, ...]:
    sheets = tuple(css or ())
    for sheet in sheets:
        if sheet.is_dir():
            raise typer.BadParameter(f"{sheet} is a folder; give a CSS file", param_hint="--css")
        if not sheet.is_file():
            raise typer.BadParameter(f"{sheet}: no such file", param_hint="--css")
    return sheets


def _into(output: Path | None, folder: Path | None, title: str, suffix: str) -> Path | None:
    """-o FILE, else the book named after `title` in kbbook.output's folder, else None
    (here)."""
    if output is not None or folder is None:
        return output
    from .pipeline import file_name

    folder.mkdir(parents=True, exist_ok=True)
    return folder / file_name(title, suffix)


def _print_options(chosen: dict[str, Any]) -> dict[str, Any]:
    return {"paper": chosen["paper"], "pdf_variant": chosen["pdf_variant"],
            "progress": not chosen["quiet"] and sys.stderr.isatty(),
            "verbose": chosen["verbose"], "jobs": chosen["jobs"], "cache": chosen["cache"],
            "cache_dir": chosen["cache_dir"], "image_dpi": chosen["image_dpi"]}


@app.command()
@friendly
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

    target = _into(output, chosen["output"], chosen["title"],
                   device_named(chosen["device"]).suffix)
    built = written(lambda: build_epub(_site_options(path, chosen), target, css=chosen["css"],
                                        device=chosen["device"], strict=chosen["strict"],
                                        cache=chosen["cache"]))
    if chosen["verbose"]:
        for line in largest_files(built[0].output):
            print(line, file=sys.stderr)


@app.command()
@friendly
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
        written(lambda: build_handouts(options, folder, depth=chosen["split_depth"],
                                        css=chosen["css"], strict=chosen["strict"],
                                        **_print_options(chosen)))
        return
    target = _into(output, chosen["output"], chosen["title"], ".pdf")
    written(lambda: build_pdf(options, target, only=chosen["only"], css=chosen["css"],
                               strict=chosen["strict"], **_print_options(chosen)))


@app.command()
@friendly
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
    written(lambda: build_books(_site_options(path, chosen), output or chosen["output"],
                                 formats=chosen["formats"], css=chosen["css"],
                                 device=chosen["device"], strict=chosen["strict"],
                                 **_print_options(chosen)))


@app.command("config")
@friendly
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
    from .settings import SITE, describe, read_config, resolve

    commands = [c for c in SITE if command in (None, c)]
    if not commands:
        raise typer.BadParameter(f"{command!r} is no kbbook command; use one of "
                                 + ", ".join(SITE), param_hint="--command")
    config = read_config(_site_path(site))
    for n, name in enumerate(commands):
        if n:
            print()
        print("\n".join(describe(resolve(name, config, {}), name)))


@app.command()
@friendly
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
    folder = output or chosen["output"] or Path.cwd()
    # (no progress display: the watch's own lines say what happens)
    quiet = {**_print_options(chosen), "progress": False, "verbose": False}
    watch_site(path, folder, lambda: build_books(
        _site_options(path, chosen), folder, formats=wanted or chosen["formats"],
        css=chosen["css"], device=chosen["device"], strict=chosen["strict"], **quiet),
        once=once)


def main() -> None:
    """Console entry point."""
    app()


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")] = False,
) -> None:
    if version:
        print(f"kbbook {__version__}")
        raise typer.Exit(0)
    # One site read, then a book written: what reading alone needs goes before the writing.
    keep_model(ctx.invoked_subcommand == "watch")


if __name__ == "__main__":  # pragma: no cover
    main()
