"""The book: the site's pages ordered as its sidebar shows them (frozen records)."""

from .build import build_book, part_page
from .contents import ContentsEntry, contents, nest
from .model import Book, HiddenPage, Node, fold, select_parts
from .nav import sort_siblings

__all__ = [
    "Book",
    "ContentsEntry",
    "HiddenPage",
    "Node",
    "build_book",
    "contents",
    "fold",
    "nest",
    "part_page",
    "select_parts",
    "sort_siblings",
]
