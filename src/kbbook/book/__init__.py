"""The book: the site's pages ordered as its sidebar shows them (frozen records)."""

from .contents import ContentsEntry, contents, nest
from .model import Book, HiddenPage, Node, fold, select_parts
from .nav import build_book, sort_siblings

__all__ = [
    "Book",
    "ContentsEntry",
    "HiddenPage",
    "Node",
    "build_book",
    "contents",
    "fold",
    "nest",
    "select_parts",
    "sort_siblings",
]
