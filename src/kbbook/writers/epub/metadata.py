"""What the package document says about the book: identifier, titles, dates, and the
accessibility metadata kbbook can vouch for."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from ebooklib import epub

from ...errors import Diagnostics
from ...site import SiteConfig
from ...version import __version__
from ..common import build_time


@dataclass(frozen=True)
class Metadata:
    """What the package document says about the book."""

    identifier: str
    """dc:identifier, stable across builds."""
    title: str
    """dc:title."""
    lang: str
    """dc:language, and `lang`/`xml:lang` of every document."""
    authors: tuple[str, ...]
    """dc:creator, one each."""
    description: str
    """dc:description ('' for none)."""
    publisher: str
    """dc:publisher ('' for none)."""
    modified: datetime
    """dcterms:modified and the zip timestamps (UTC)."""



def book_identifier(config: SiteConfig) -> str:
    """`kbbook.identifier`, else a UUID derived from the site's URL and title."""
    if config.book.identifier:
        return config.book.identifier
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{config.site_url}|{config.title}')}"


def book_metadata(config: SiteConfig, diagnostics: Diagnostics) -> Metadata:
    return Metadata(
        identifier=book_identifier(config),
        title=config.title,
        lang=(config.lang or "en").replace("_", "-"),
        authors=config.authors,
        description=config.description,
        publisher=config.book.publisher or "",
        modified=build_time(diagnostics),
    )


def accessibility(has_images: bool, all_alt: bool) -> list[tuple[str, str]]:
    """EPUB Accessibility 1.1 metadata claiming only what kbbook guarantees."""
    modes = [("schema:accessMode", "textual")]
    if has_images:
        modes.append(("schema:accessMode", "visual"))
    sufficient = []
    if not has_images or all_alt:
        sufficient.append(("schema:accessModeSufficient", "textual"))
    if has_images:
        sufficient.append(("schema:accessModeSufficient", "textual,visual"))
    features = ["tableOfContents", "readingOrder", "structuralNavigation",
                "displayTransformability"]
    if has_images and all_alt:
        features.append("alternativeText")
    summary = ("The pages of the site in reading order, with a table of contents, a contents "
               "page and headings for navigation. Text size, font and colours follow the "
               "reading system's settings.")
    if has_images:
        summary += (" Every image has a text alternative." if all_alt else
                    " Some images have no text alternative.")
    return [
        *modes,
        *sufficient,
        *(("schema:accessibilityFeature", f) for f in features),
        ("schema:accessibilityHazard", "none"),
        ("schema:accessibilitySummary", summary),
    ]


def set_metadata(book: epub.EpubBook, meta: Metadata, cover: epub.EpubItem, *,
                 has_images: bool, all_alt: bool) -> None:
    # Name the tool that made the book (ebooklib puts its own name there by default).
    book.metadata[epub.NAMESPACES["OPF"]]["generator"] = [
        ("", {"name": "generator", "content": f"kbbook {__version__}"})]
    book.set_identifier(meta.identifier)
    book.set_title(meta.title)
    book.set_language(meta.lang)
    for i, author in enumerate(meta.authors, 1):
        book.add_author(author, uid=f"creator-{i}")  # ebooklib's default id repeats
    if meta.description:
        book.add_metadata("DC", "description", meta.description)
    if meta.publisher:
        book.add_metadata("DC", "publisher", meta.publisher)
    book.add_metadata(None, "meta", "", {"name": "cover", "content": cover.id})  # EPUB 2 readers
    for prop, value in accessibility(has_images, all_alt):
        book.add_metadata(None, "meta", value, {"property": prop})
