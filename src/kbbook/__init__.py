"""kbbook: one book (EPUB 3 and PDF) from a just-the-docs knowledge base."""

from .config import SiteConfig, load_config
from .errors import Diagnostic, Diagnostics, KbbookError, Severity
from .nav import Book, HiddenPage, Node, build_book
from .site import Page, SourceFile, load_pages

__version__ = "0.1.0"

__all__ = [
    "Book",
    "Diagnostic",
    "Diagnostics",
    "HiddenPage",
    "KbbookError",
    "Node",
    "Page",
    "Severity",
    "SiteConfig",
    "SourceFile",
    "__version__",
    "build_book",
    "load_config",
    "load_pages",
]
