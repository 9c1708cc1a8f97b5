"""The book: the site's pages ordered as its sidebar shows them (frozen records)."""

from .appendix import APPENDIX, add_linked_pages
from .build import build_book, part_page
from .contents import ContentsEntry, contents, nest
from .model import Book, HiddenPage, Node, fold, select_parts, split_parts
from .nav import sort_siblings

__all__ = [
    "APPENDIX",
    "Book",
    "ContentsEntry",
    "HiddenPage",
    "Node",
    "add_linked_pages",
    "build_book",
    "contents",
    "fold",
    "nest",
    "part_page",
    "select_parts",
    "sort_siblings",
    "split_parts",
]
