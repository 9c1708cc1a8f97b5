"""Small just-the-docs sites written into a temporary folder, for tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

from kbbook.book import Book
from kbbook.errors import Diagnostics
from kbbook.pipeline import SiteOptions, load_book


def page(title: object = None, body: str = "", **front: object) -> str:
    """A page's text: front matter from keyword arguments (values written verbatim)."""
    lines = ["---"]
    if title is not None:
        lines.append(f"title: {title}")
    lines += [f"{key}: {value}" for key, value in front.items()]
    lines.append("---")
    return "\n".join(lines) + "\n" + textwrap.dedent(body)


def make_site(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` (site-relative path -> text or bytes) under `root`."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def book_of(root: Path, **options: object) -> tuple[Book, Diagnostics]:
    diagnostics = Diagnostics()
    return load_book(SiteOptions(root, **options), diagnostics), diagnostics  # type: ignore[arg-type]


def outline(text: str) -> str:
    """A dedented golden outline."""
    return textwrap.dedent(text).strip("\n")
