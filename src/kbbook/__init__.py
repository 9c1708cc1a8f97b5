"""kbbook: one book (EPUB 3 and PDF) from a just-the-docs knowledge base.

    import kbbook
    built = kbbook.build_epub("docs", "handbook.epub")
    for problem in built.diagnostics:
        print(problem)

The steps beneath: `load_book` (read and order the site), `render_book` (every page as
data), `write_epub` / `write_pdf` (one output each; they take the diagnostics to report to).
"""

from .book import Book, HiddenPage, Node, build_book, select_parts
from .errors import Diagnostic, Diagnostics, KbbookError, Severity
from .pipeline import (
    BookNotWritten,
    Built,
    Checked,
    SiteOptions,
    build_books,
    build_epub,
    build_handouts,
    build_pdf,
    check_site,
    load_book,
)
from .render import RenderedBook, RenderedPage, render_book
from .site import Page, SiteConfig, SourceFile, load_config, load_pages
from .version import __version__

__all__ = [
    "Book",
    "BookNotWritten",
    "Built",
    "Checked",
    "Diagnostic",
    "Diagnostics",
    "HiddenPage",
    "KbbookError",
    "Node",
    "Page",
    "RenderedBook",
    "RenderedPage",
    "Severity",
    "SiteConfig",
    "SiteOptions",
    "SourceFile",
    "__version__",
    "build_book",
    "build_books",
    "build_epub",
    "build_handouts",
    "build_pdf",
    "check_site",
    "load_book",
    "load_config",
    "load_pages",
    "render_book",
    "select_parts",
    "write_epub",
    "write_pdf",
]


def __getattr__(name: str) -> object:
    """The writers load their libraries (WeasyPrint, ebooklib, Pillow) when first used:
    `kbbook toc` and `import kbbook` stay quick."""
    if name == "write_epub":
        from .writers.epub import write_epub
        return write_epub
    if name == "write_pdf":
        from .writers.pdf import write_pdf
        return write_pdf
    raise AttributeError(f"module 'kbbook' has no attribute {name!r}")
