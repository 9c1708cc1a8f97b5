"""The EPUB 3 writer (with an EPUB 2 NCX for older readers).

`write_epub` is a list of steps, as sphinx's `builders/epub3.py` is: metadata, stylesheets,
page documents (links mapped), images, cover, contents, navigation, package. Every document
is an lxml tree (`documents.py`); ebooklib writes the package (`package.py`). With
SOURCE_DATE_EPOCH set, two builds of the same site are byte-identical.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ebooklib import epub

from ...book import contents
from ...errors import Diagnostics
from ...render import RenderedBook
from .cover import generate_cover
from .documents import (
    CONTENTS_FILE,
    COVER_FILE,
    NAV_FILE,
    NCX_FILE,
    Document,
    contents_document,
    cover_document,
    nav_document,
    ncx_document,
    page_documents,
)
from .images import (
    ImageError,
    ImagePreparer,
    ImageStore,
    PreparedImage,
    embed_images,
    prepare_image,
)
from .metadata import book_metadata, set_metadata
from .package import write_reproducible
from .stylesheets import stylesheet_items

__all__ = ["CONTENTS_NESTING", "ImagePreparer", "write_epub"]

XHTML = "application/xhtml+xml"
COVER_SIZE = 2560  # a cover may be larger than the images in the text
CONTENTS_NESTING = 12
"""The contents page's lists nest no deeper (deeper entries join the deepest list): each
level indents, and past a thousand levels the page could not even be parsed."""


def write_epub(rendered: RenderedBook, out: Path, diagnostics: Diagnostics, *,
               css: Sequence[Path] = (), preparer: ImagePreparer | None = None) -> None:
    """Write `rendered` as an EPUB 3 file at `out`. `preparer` may already be preparing the
    book's images (started while rendering); the rest start now, on other threads, while
    the documents are built."""
    max_size = rendered.book.config.book.image_max_size
    with preparer or ImagePreparer(max_size) as images:
        store = ImageStore(max_size, diagnostics,
                           reserved=("cover.png", "cover.jpg", "cover.gif", "cover.svg"),
                           preparer=images)
        store.prefetch(image for rp in rendered.pages for image in rp.images)
        _write(rendered, out, store, css, diagnostics)


def _write(rendered: RenderedBook, out: Path, images: ImageStore, css: Sequence[Path],
           diagnostics: Diagnostics) -> None:
    config = rendered.book.config
    meta = book_metadata(config, diagnostics)
    stylesheets = stylesheet_items(css, diagnostics)
    hrefs = tuple(item.file_name for item in stylesheets)

    pages = page_documents(rendered.pages, meta.lang, hrefs)
    all_alt = embed_images(((d.root, d.rendered) for d in pages if d.rendered is not None),
                           images, diagnostics, config.site_url)
    cover = cover_item(rendered, diagnostics)

    files = {d.rendered.page.rel: d.file_name for d in pages if d.rendered is not None}
    every = contents(rendered.book.roots)
    landmarks = (("cover", "cover", COVER_FILE, "Cover"),
                 ("toc", "toc", CONTENTS_FILE, "Contents"),
                 ("bodymatter", "text", pages[0].file_name, "Start of the text"))
    front = (
        cover_document(meta.lang, hrefs, cover.file_name, f"Cover: {meta.title}"),
        contents_document(meta.lang, hrefs, "Contents",
                          contents(rendered.book.roots, config.book.toc_depth,
                                   CONTENTS_NESTING), files),
    )
    nav = nav_document(meta.lang, meta.title, hrefs, "Contents", every, files,
                       [(kind, href, label) for kind, _, href, label in landmarks],
                       "Landmarks")
    ncx = ncx_document(meta.lang, meta.identifier, meta.title, meta.authors, every, files)

    book = epub.EpubBook()
    set_metadata(book, meta, cover, has_images=bool(images.images), all_alt=all_alt)
    for item in stylesheets:
        book.add_item(item)
    book.add_item(cover)
    for image in images.images:
        book.add_item(epub.EpubImage(uid=image.item_id, file_name=image.href,
                                     media_type=image.image.media_type,
                                     content=image.image.data))
    spine: list[Document] = [*front, *pages]
    for doc in spine:
        book.add_item(epub.EpubItem(uid=doc.item_id, file_name=doc.file_name,
                                    media_type=XHTML, content=doc.content()))
    nav_item = epub.EpubItem(uid="nav", file_name=NAV_FILE, media_type=XHTML, content=nav)
    nav_item.properties = ["nav"]  # type: ignore[attr-defined]
    book.add_item(nav_item)
    book.add_item(epub.EpubItem(uid="ncx", file_name=NCX_FILE,
                                media_type="application/x-dtbncx+xml", content=ncx))
    book.spine = [doc.item_id for doc in spine]
    book.guide = [{"type": guide, "href": href, "title": label}
                  for _, guide, href, label in landmarks]
    write_reproducible(book, out, meta.modified)


def cover_item(rendered: RenderedBook, diagnostics: Diagnostics) -> epub.EpubItem:
    """The site's cover image (`kbbook.cover`), else one drawn from the title."""
    config = rendered.book.config
    prepared: PreparedImage | None = None
    cover = rendered.cover
    if cover is not None and cover.path is not None:
        try:
            prepared = prepare_image(cover.path, max(COVER_SIZE, config.book.image_max_size))
        except ImageError as exc:
            diagnostics.warning("_config.yml", cover.line, "cover",
                                f"cover image {cover.rel} {exc}; a cover is drawn from the "
                                "title instead")
    if prepared is None:
        prepared = PreparedImage(generate_cover(config.title, config.description,
                                                config.authors), "png", "image/png")
    item = epub.EpubImage(uid="cover-image", file_name=f"images/cover.{prepared.extension}",
                          media_type=prepared.media_type, content=prepared.data)
    item.properties = ["cover-image"]  # type: ignore[attr-defined]
    return item
