"""The steps every command takes, as one Python API: read and order the site, render it,
write the book atomically, never over errors.

    site/ -> load_book -> book/ Book -> render_book -> render/ RenderedBook
          -> write_epub | write_pdf (writers/) -> the file, via a temporary one beside it
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .book import Book, add_linked_pages, build_book, select_parts
from .errors import Diagnostics, KbbookError
from .output import check_output_path, write_atomically
from .render import RenderedBook, render_book
from .render.ids import unique
from .render.markdown import markdownify
from .render.scan import page_links
from .render.sitejs import site_scripts
from .site import LinkResolver, NavRules, SiteConfig, load_config, load_pages
from .site.language import with_language
from .site.liquid import SiteLiquid
from .writers.common import read_css_file

if TYPE_CHECKING:
    from .writers.epub import Device, ImagePreparer


@dataclass(frozen=True)
class SiteOptions:
    """How to read the site: the choices every command shares."""

    site: Path
    """The site folder."""
    nav_rules: NavRules | None = None
    """Force the modern or legacy sidebar rules; None follows the pinned theme version."""
    github_pages: bool | None = None
    """Read the site as GitHub Pages builds it (True) or as plain Jekyll does (False); None
    decides from its Gemfile."""
    include_hidden: bool = False
    """Put nav_exclude pages back in the book."""
    allow_remote: bool = False
    """Fetch remote images."""
    linked_pages: bool = True
    """Add the pages the book links to that the sidebar does not show, in an appendix."""


@dataclass(frozen=True)
class Built:
    """A book written."""

    output: Path
    """Where it was written."""
    diagnostics: Diagnostics
    """Every warning found while reading, rendering and writing it."""


class BookNotWritten(KbbookError):
    """The site has errors (or warnings, when strict): no book was written, and an older one
    at the output path is untouched. `diagnostics` says what was found."""

    def __init__(self, message: str, diagnostics: Diagnostics) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics


def _options(site: Path | str | SiteOptions, **options: object) -> SiteOptions:
    if isinstance(site, SiteOptions):
        return site
    return SiteOptions(Path(site), **options)  # type: ignore[arg-type]


def _draws_diagrams(options: SiteOptions) -> bool:
    """Whether the site's pages may hold Mermaid diagrams to draw (`mermaid:` in
    `_config.yml`, or its layouts load Mermaid)."""
    try:
        config = load_config(options.site, Diagnostics(), nav_rules=options.nav_rules,
                             github_pages=options.github_pages)
    except KbbookError:
        return False  # (the build says what is wrong)
    return site_scripts(config).mermaid


def _get_workers_ready(options: SiteOptions, jobs: int | None) -> Callable[[], None]:
    """Start the PDF workers' fork server now, so that it gets ready while the site is read;
    for a site with diagrams, return the call that starts it, to make once they are drawn
    (Mermaid's browser and the fork server at once would be the build's peak memory)."""
    from .writers.pdf import warm_up

    if _draws_diagrams(options):
        return lambda: warm_up(jobs)
    warm_up(jobs)
    return lambda: None


def load_book(site: Path | str | SiteOptions, diagnostics: Diagnostics, *,
              nav_rules: NavRules | None = None, github_pages: bool | None = None,
              include_hidden: bool = False, allow_remote: bool = False,
              linked_pages: bool = True) -> Book:
    """Read and order the site, with the linked pages' appendix (no rendering: fast, for
    `toc`). Problems go to `diagnostics`; a folder with no page at all is a KbbookError."""
    options = _options(site, nav_rules=nav_rules, github_pages=github_pages,
                       include_hidden=include_hidden, allow_remote=allow_remote,
                       linked_pages=linked_pages)
    config = load_config(options.site, diagnostics, nav_rules=options.nav_rules,
                         github_pages=options.github_pages,
                         include_hidden=options.include_hidden,
                         allow_remote=options.allow_remote)
    pages = load_pages(config, diagnostics)
    config = with_language(config, pages, diagnostics)
    if not pages and not diagnostics.errors:
        raise KbbookError(
            f"{options.site}: no pages found; a just-the-docs site has Markdown files (.md) "
            "with front matter such as 'title: Home'"
        )
    liquid = SiteLiquid(config, pages, markdownify=markdownify)
    book = dataclasses.replace(build_book(config, pages, diagnostics), liquid=liquid)
    if options.linked_pages:
        links_of = page_links(liquid, LinkResolver(config, pages), diagnostics,
                              targets=[h.page for h in book.hidden])
        book = add_linked_pages(book, links_of)
    return book


def read_and_render(options: SiteOptions, diagnostics: Diagnostics, *,
                    preparer: ImagePreparer | None = None,
                    device: Device | None = None) -> RenderedBook:
    """`load_book`, then `render_book`; a book without a single page is a KbbookError. With
    `preparer`, each image starts being prepared for the EPUB (for `device`), on other
    threads, as soon as a page shows it."""
    book = load_book(options, diagnostics)
    if not book.reading_order:
        raise KbbookError(
            f"{options.site}: no page would be in the book; run 'kbbook toc {options.site}' "
            "to see which pages were left out and why")
    if preparer is None:
        return render_book(book, diagnostics)
    from .writers.epub import DEVICES, image_target

    preparer.configure(image_target(book.config, device or DEVICES["default"]))
    return render_book(book, diagnostics, on_image=preparer.submit)


def default_output(config: SiteConfig, suffix: str) -> Path:
    """The site title as a file name, in the current folder."""
    return Path(file_name(config.title, suffix))


def file_name(title: str, suffix: str) -> str:
    """A title as a file name: letters, digits and ` -_.,` kept, anything else a dash."""
    safe = "".join(c if c.isalnum() or c in " -_.," else "-" for c in title).strip(" .")
    # File systems allow 255 bytes in a name; leave room for the suffix and temporary files.
    while len(safe.encode()) > 120:
        safe = safe[:-1]
    return (safe.rstrip(" .") or "book") + suffix


Write = Callable[[RenderedBook, Path, Diagnostics], None]


def _refuse_over_errors(diagnostics: Diagnostics, strict: bool, what: str) -> None:
    """No book over errors (or warnings, with `strict`): BookNotWritten saying `what` was
    not written."""
    if diagnostics.errors or (strict and diagnostics.warnings):
        found = "errors" if diagnostics.errors else "warnings (strict)"
        raise BookNotWritten(f"the site has {found}; {what} not written", diagnostics)


def _stylesheets(css: Sequence[Path | str]) -> tuple[Path, ...]:
    """The user's stylesheets, each read once now: one that is no text fails before the
    work."""
    sheets = tuple(Path(c) for c in css)
    for sheet in sheets:
        read_css_file(sheet)
    return sheets


def _build(options: SiteOptions, out: Path | None, suffix: str, css: Sequence[Path],
           strict: bool, write: Write, diagnostics: Diagnostics | None,
           preparer: ImagePreparer | None = None, device: Device | None = None) -> Built:
    """Render, refuse to write over errors, write atomically."""
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    if out is not None:
        check_output_path(Path(out), suffix)
    _stylesheets(css)
    rendered = read_and_render(options, diagnostics, preparer=preparer, device=device)
    target = Path(out) if out is not None else default_output(rendered.book.config, suffix)
    _refuse_over_errors(diagnostics, strict, f"{target} was")
    write_atomically(target, lambda tmp: write(rendered, tmp, diagnostics))
    return Built(target, diagnostics)


def build_epub(site: Path | str | SiteOptions, out: Path | str | None = None, *,
               css: Sequence[Path] = (), device: str = "default", strict: bool = False,
               nav_rules: NavRules | None = None, github_pages: bool | None = None,
               include_hidden: bool = False, allow_remote: bool = False,
               linked_pages: bool = True, cache: bool = True,
               diagnostics: Diagnostics | None = None) -> Built:
    """Write the site's book as an EPUB 3 at `out` (default: its title, here), for the
    reader `device` names (default, tablet, kobo, kindle, eink); prepared images are kept in
    the cache for the next build unless `cache` is False. Raises BookNotWritten when the
    site has errors (or warnings, with `strict`)."""
    options = _options(site, nav_rules=nav_rules, github_pages=github_pages,
                       include_hidden=include_hidden, allow_remote=allow_remote,
                       linked_pages=linked_pages)
    from .writers.epub import ImagePreparer, write_epub
    from .writers.epub.devices import device_named

    reader = device_named(device)

    sheets = tuple(Path(c) for c in css)
    # Images start being prepared, on other threads, as soon as a page shows them.
    with ImagePreparer(cache=cache) as preparer:
        def write(rendered: RenderedBook, tmp: Path, d: Diagnostics) -> None:
            write_epub(rendered, tmp, d, css=sheets, device=reader, preparer=preparer)

        return _build(options, Path(out) if out else None, reader.suffix, sheets, strict,
                      write, diagnostics, preparer, reader)


def _check_variant(pdf_variant: str) -> None:
    from .writers.common import VARIANTS

    if pdf_variant not in VARIANTS:
        raise KbbookError(f"PDF variant {pdf_variant!r} is not one kbbook writes; use one of "
                          + ", ".join(VARIANTS))


def build_pdf(site: Path | str | SiteOptions, out: Path | str | None = None, *,
              only: Sequence[str] = (), paper: str = "a4", css: Sequence[Path] = (),
              progress: bool = False, verbose: bool = False, strict: bool = False,
              jobs: int | None = None, cache: bool = True, cache_dir: Path | str | None = None,
              image_dpi: int = 300, pdf_variant: str = "pdf/ua-1",
              nav_rules: NavRules | None = None,
              github_pages: bool | None = None, include_hidden: bool = False,
              allow_remote: bool = False, linked_pages: bool = True,
              diagnostics: Diagnostics | None = None) -> Built:
    """Write the site's book as a PDF at `out`, or a handout of the chapters or pages named
    by `only` (titles, or source files where titles repeat). The book is laid out by `jobs`
    worker processes (default: one per core); chunk renders are kept in `cache_dir`
    (default: the user's cache folder; `cache=False` for none); images are downsampled to
    `image_dpi` at their printed size. The PDF is tagged (`pdf_variant` "pdf/ua-1"), or
    archival PDF/A ("pdf/a-2b", ...: `kbbook.writers.pdf.VARIANTS`), or untagged ("none").
    Raises BookNotWritten when the site has errors (or warnings, with `strict`)."""
    from .writers.pdf import write_pdf

    _check_variant(pdf_variant)
    options = _options(site, nav_rules=nav_rules, github_pages=github_pages,
                       include_hidden=include_hidden, allow_remote=allow_remote,
                       linked_pages=linked_pages)

    sheets = tuple(Path(c) for c in css)
    once_rendered = _get_workers_ready(options, jobs)

    def write(rendered: RenderedBook, tmp: Path, d: Diagnostics) -> None:
        once_rendered()
        parts = select_parts(rendered.book, only) if only else None
        write_pdf(rendered, tmp, d, css=sheets, paper=paper, parts=parts, progress=progress,
                  verbose=verbose, jobs=jobs, cache=cache,
                  cache_dir=Path(cache_dir) if cache_dir is not None else None,
                  image_dpi=image_dpi, variant=pdf_variant)

    return _build(options, Path(out) if out else None, ".pdf", sheets, strict, write,
                  diagnostics)


@dataclass(frozen=True)
class Checked:
    """What `check_site` found."""

    pages: int
    """Pages in the book (0 when it could not be made)."""
    diagnostics: Diagnostics
    """Every problem."""
    mode: str = ""
    """How the site was read (GitHub Pages or plain Jekyll) and why, in one line."""
    problem: str | None = None
    """Why no book could be made at all (no page would be in it), when so."""

    def failed(self, strict: bool = False) -> bool:
        return (bool(self.diagnostics.errors) or self.problem is not None
                or (strict and bool(self.diagnostics.warnings)))


def check_site(site: Path | str | SiteOptions, *, nav_rules: NavRules | None = None,
               github_pages: bool | None = None, include_hidden: bool = False,
               linked_pages: bool = True) -> Checked:
    """Read and render the whole site, writing nothing, and list every problem."""
    options = _options(site, nav_rules=nav_rules, github_pages=github_pages,
                       include_hidden=include_hidden, linked_pages=linked_pages)
    diagnostics = Diagnostics()
    try:
        rendered = read_and_render(options, diagnostics)
    except KbbookError as exc:
        if not diagnostics.items:
            raise
        return Checked(0, diagnostics, problem=exc.message)
    return Checked(len(rendered.pages), diagnostics, rendered.book.config.mode.describe())


def _folder(folder: Path | str | None) -> Path:
    """The folder books are written into (made when it does not exist)."""
    path = Path(folder) if folder is not None else Path.cwd()
    if path.exists() and not path.is_dir():
        raise KbbookError(f"{path} is a file; give a folder for the books (-o FOLDER)")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KbbookError(f"{path}: cannot make the folder ({exc.strerror})") from None
    return path


def build_books(site: Path | str | SiteOptions, folder: Path | str | None = None, *,
                formats: Sequence[str] = ("epub", "pdf"), css: Sequence[Path] = (),
                device: str = "default", paper: str = "a4", pdf_variant: str = "pdf/ua-1",
                progress: bool = False, verbose: bool = False, strict: bool = False,
                jobs: int | None = None, cache: bool = True,
                cache_dir: Path | str | None = None, image_dpi: int = 300,
                nav_rules: NavRules | None = None, github_pages: bool | None = None,
                include_hidden: bool = False, allow_remote: bool = False,
                linked_pages: bool = True, diagnostics: Diagnostics | None = None
                ) -> tuple[Built, ...]:
    """The EPUB and the PDF (`formats`) from one read and one render of the site, into
    `folder` (default: here; made when missing), each named after the site's title. Each
    is written atomically; none is written when the site has errors (or warnings, with
    `strict`): BookNotWritten."""
    wanted = tuple(dict.fromkeys(f.lower() for f in formats))
    unknown = [f for f in wanted if f not in ("epub", "pdf")]
    if unknown or not wanted:
        raise KbbookError(f"format {', '.join(unknown) or '(none)'}: kbbook writes epub and "
                          "pdf; give one or both, e.g. --format epub,pdf")
    _check_variant(pdf_variant)
    options = _options(site, nav_rules=nav_rules, github_pages=github_pages,
                       include_hidden=include_hidden, allow_remote=allow_remote,
                       linked_pages=linked_pages)
    from .writers.epub import ImagePreparer, write_epub
    from .writers.epub.devices import device_named
    from .writers.pdf import write_pdf

    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    reader = device_named(device)
    sheets = _stylesheets(css)
    out = _folder(folder)
    once_rendered = _get_workers_ready(options, jobs) if "pdf" in wanted else lambda: None
    with ImagePreparer(cache=cache) as preparer:
        epub = "epub" in wanted
        rendered = read_and_render(options, diagnostics, preparer=preparer if epub else None,
                                   device=reader)
        once_rendered()
        title = rendered.book.config.title
        targets = {f: out / file_name(title, reader.suffix if f == "epub" else ".pdf")
                   for f in wanted}
        _refuse_over_errors(diagnostics, strict,
                            " and ".join(str(t) for t in targets.values()))
        built = []
        for fmt, target in targets.items():
            if fmt == "epub":
                write_atomically(target, lambda tmp: write_epub(
                    rendered, tmp, diagnostics, css=sheets, device=reader, preparer=preparer))
            else:
                write_atomically(target, lambda tmp: write_pdf(
                    rendered, tmp, diagnostics, css=sheets, paper=paper, progress=progress,
                    verbose=verbose, jobs=jobs, cache=cache,
                    cache_dir=Path(cache_dir) if cache_dir is not None else None,
                    image_dpi=image_dpi, variant=pdf_variant))
            built.append(Built(target, diagnostics))
    return tuple(built)


def build_handouts(site: Path | str | SiteOptions, folder: Path | str | None = None, *,
                   depth: int = 0, paper: str = "a4", css: Sequence[Path] = (),
                   pdf_variant: str = "pdf/ua-1", progress: bool = False,
                   verbose: bool = False, strict: bool = False, jobs: int | None = None,
                   cache: bool = True, cache_dir: Path | str | None = None,
                   image_dpi: int = 300, nav_rules: NavRules | None = None,
                   github_pages: bool | None = None, include_hidden: bool = False,
                   allow_remote: bool = False, linked_pages: bool = True,
                   diagnostics: Diagnostics | None = None) -> tuple[Built, ...]:
    """A handout PDF for every chapter (every page at `depth` with its subtree; the pages
    above it each on their own) into `folder` (made when missing): `01 Title.pdf`, ... in
    reading order, from one read and one render, laid out by the same worker processes.
    A link to another handout's page goes to the website, or says which chapter it is in."""
    from .book import split_parts
    from .writers.pdf import Workers, default_jobs, write_pdf

    _check_variant(pdf_variant)
    options = _options(site, nav_rules=nav_rules, github_pages=github_pages,
                       include_hidden=include_hidden, allow_remote=allow_remote,
                       linked_pages=linked_pages)
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    sheets = _stylesheets(css)
    out = _folder(folder)
    once_rendered = _get_workers_ready(options, jobs)
    rendered = read_and_render(options, diagnostics)
    once_rendered()
    parts = split_parts(rendered.book, depth)
    width = max(2, len(str(len(parts))))
    names: set[str] = set()  # (two titles may shorten to one name)
    targets = [(part, out / unique(file_name(f"{n:0{width}d} {part.page.title or part.page.rel}",
                                             ""), names, suffix=".pdf", fold=True))
               for n, part in enumerate(parts, 1)]
    _refuse_over_errors(diagnostics, strict, "no handout was")
    built = []
    with Workers(jobs or default_jobs()) as workers:
        for part, target in targets:
            write_atomically(target, lambda tmp, part=part: write_pdf(
                rendered, tmp, diagnostics, css=sheets, paper=paper, parts=(part,),
                progress=progress, verbose=verbose, jobs=jobs, cache=cache,
                cache_dir=Path(cache_dir) if cache_dir is not None else None,
                image_dpi=image_dpi, variant=pdf_variant, workers=workers))
            built.append(Built(target, diagnostics))
    return tuple(built)
